"""The wire contract shared by the kiosk's sync client and the hub: signed requests and op hashes.

Every kiosk request is signed with the kiosk's Ed25519 key over the method, the path with its
query, the SHA-256 of the body, the kiosk id, the database instance UUID, the epoch, a timestamp
and a nonce. The hub pins the key, the instance UUID and the epoch at enrolment. No heavy imports:
the kiosk loads this module without Starlette.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = "kiosk-sync-v1"
API = "/v1"

H_KIOSK = "x-kiosk-id"
H_INSTANCE = "x-kiosk-instance"
H_EPOCH = "x-kiosk-epoch"
H_TIMESTAMP = "x-kiosk-timestamp"
H_NONCE = "x-kiosk-nonce"
H_SIGNATURE = "x-kiosk-signature"
SIGNED_HEADERS = (H_KIOSK, H_INSTANCE, H_EPOCH, H_TIMESTAMP, H_NONCE, H_SIGNATURE)

# A signed request older or newer than this (by the hub's clock, corrected by the offset the kiosk
# learnt from the hub) is refused; nonces are remembered for twice as long.
REPLAY_WINDOW_S = 300


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    kiosk_id: str
    instance_uuid: str
    epoch: int
    timestamp: int
    nonce: str
    signature: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            H_KIOSK: self.kiosk_id,
            H_INSTANCE: self.instance_uuid,
            H_EPOCH: str(self.epoch),
            H_TIMESTAMP: str(self.timestamp),
            H_NONCE: self.nonce,
            H_SIGNATURE: self.signature,
        }

    @classmethod
    def from_headers(cls, headers: Any) -> SignedHeaders | None:
        try:
            return cls(
                headers[H_KIOSK], headers[H_INSTANCE], int(headers[H_EPOCH]), int(headers[H_TIMESTAMP]),
                headers[H_NONCE], headers[H_SIGNATURE],
            )
        except (KeyError, ValueError):
            return None


def signing_input(method: str, path_qs: str, body: bytes, h: SignedHeaders) -> bytes:
    lines = (
        VERSION, method.upper(), path_qs, hashlib.sha256(body).hexdigest(), h.kiosk_id, h.instance_uuid,
        str(h.epoch), str(h.timestamp), h.nonce,
    )
    return "\n".join(lines).encode()


def sign_request(key: Ed25519PrivateKey, method: str, path_qs: str, body: bytes, h: SignedHeaders) -> SignedHeaders:
    signature = b64u(key.sign(signing_input(method, path_qs, body, h)))
    return SignedHeaders(h.kiosk_id, h.instance_uuid, h.epoch, h.timestamp, h.nonce, signature)


def verify_request(public_key: bytes, method: str, path_qs: str, body: bytes, h: SignedHeaders) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(unb64u(h.signature), signing_input(method, path_qs, body, h))
    except (InvalidSignature, ValueError):
        return False
    return True


def op_hash(seq: int, op_id: str, kind: str, payload: str, schema_version: int, created_at: str) -> str:
    """What a kiosk sent under one sequence number; a resend must match it byte for byte."""
    text = "\n".join((str(seq), op_id, kind, str(schema_version), created_at, payload))
    return hashlib.sha256(text.encode()).hexdigest()


def audit_head_input(kiosk_id: str, seq: int, head_hash: str) -> bytes:
    return f"kiosk-audit-head-v1\n{kiosk_id}\n{seq}\n{head_hash}".encode()


#: The previous hash of an audit chain's first entry.
AUDIT_GENESIS = "0" * 64
#: The fields of one audit entry that its link hash covers, in the kiosk's own words.
AUDIT_FIELDS = ("seq", "at", "actor", "action", "target_kind", "target_id", "detail")


def audit_link_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """h_n = SHA-256(h_{n-1} ‖ canonical entry): the kiosk writes it, the hub checks every copy it gets."""
    fields = {name: entry[name] for name in AUDIT_FIELDS}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(bytes.fromhex(prev_hash) + canonical).hexdigest()


#: Namespace of the identities of dossiers pushed before kiosks gave each one its own (a migration of
#: each side computes the same value; never change it).
LEGACY_UID_NAMESPACE = uuid.UUID("41380fd3-7430-4cbc-8bdb-5a3b9d4d947e")


def legacy_dossier_uid(kiosk_id: str, tracking_code: str) -> str:
    """The identity of a dossier its kiosk sent without one: a UUID5 of the kiosk id and the printed code."""
    return str(uuid.uuid5(LEGACY_UID_NAMESPACE, f"{kiosk_id}\n{tracking_code}"))


def record_uid(kiosk_id: str, payload: dict[str, Any]) -> str:
    """The identity a dossier or an account request has on both sides: the kiosk's own UUID for it
    (`dossier_uid`; `request_id` for an account request), else the legacy one."""
    for key in ("dossier_uid", "request_id"):
        value = payload.get(key)
        if isinstance(value, str) and 0 < len(value) <= 36:
            return value
    return legacy_dossier_uid(kiosk_id, str(payload.get("tracking_code") or ""))
