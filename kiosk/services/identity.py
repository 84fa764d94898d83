"""This kiosk's identity: its id, the database instance, the epoch and its Ed25519 signing key."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.db.engine import Database

#: Where the kiosk keeps its block of the daily sequence (kiosk.domain.tracking) and who gave it ("hub" once
#: enrolled; "local" for a block set by hand, or none: block 0).
SLOT_META = "dossier_slot"
SLOT_SOURCE_META = "dossier_slot_source"


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: str
    instance_uuid: str
    epoch: int


def identity(db: Database) -> KioskIdentity:
    return KioskIdentity(db.meta("kiosk_id") or "", db.meta("instance_uuid") or "", int(db.meta("epoch") or 1))


def signing_key(db: Database) -> Ed25519PrivateKey:
    """The private key (created with the database; kept only inside the encrypted file)."""
    raw = db.meta("signing_key")
    if raw is None:
        raise RuntimeError("the database has no signing key (identity not initialised)")
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))


def public_key_bytes(db: Database) -> bytes:
    return signing_key(db).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64(db: Database) -> str:
    return base64.urlsafe_b64encode(public_key_bytes(db)).decode().rstrip("=")
