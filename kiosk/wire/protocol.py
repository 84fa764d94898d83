"""Signed requests and answers, canonical JSON, op hashes, audit-chain links and record identities.

Every kiosk request is signed with the kiosk's Ed25519 key over the method, the path with its
query, the SHA-256 of the body, the kiosk id, the database instance UUID, the epoch, a timestamp
and a nonce. The hub pins the key, the instance UUID and the epoch at enrolment. No heavy imports:
the kiosk loads this module without Starlette.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
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

#: Every answer of the hub is signed with the hub's own Ed25519 key (pinned by the kiosk at enrolment) over its
#: status, the request's method, path and query, the request's nonce and the SHA-256 of the body: an answer
#: cannot be altered on the way, nor replayed for another request.
H_HUB_SIGNATURE = "x-hub-signature"
H_HUB_KEY_ID = "x-hub-key-id"
ANSWER_VERSION = "kiosk-hub-answer-v1"

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


def answer_input(status: int, method: str, path_qs: str, nonce: str, body: bytes) -> bytes:
    """What the hub signs in each answer: bound to the request it answers (its nonce), so an old answer
    replayed for a new request does not verify."""
    lines = (ANSWER_VERSION, str(int(status)), method.upper(), path_qs, nonce, hashlib.sha256(body).hexdigest())
    return "\n".join(lines).encode()


def verify_answer(public_key: bytes, signature: str | None, status: int, method: str, path_qs: str, nonce: str,
                  body: bytes) -> bool:
    if not signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            unb64u(signature), answer_input(status, method, path_qs, nonce, body))
    except (InvalidSignature, ValueError):
        return False
    return True


def key_id(public_key: bytes) -> str:
    """A public key's short id (hex of the first 8 bytes of its SHA-256), sent beside each signature."""
    return hashlib.sha256(public_key).digest()[:8].hex()


def fingerprint(public_key: bytes) -> str:
    """What an operator compares by eye: 128 bits of the key's SHA-256 in eight groups of four."""
    digest = hashlib.sha256(public_key).hexdigest()[:32].upper()
    return "-".join(digest[i:i + 4] for i in range(0, 32, 4))


def normalise_code(code: str) -> str:
    """An enrolment code as the hub printed it (XXXX-XXXX-XXXX), however it was typed (spaces, dashes, case)."""
    text = "".join(ch for ch in str(code).upper() if ch.isalnum())
    return f"{text[:4]}-{text[4:8]}-{text[8:]}" if len(text) == 12 else str(code).strip().upper()


#: scrypt's cost for an enrolment code (about 65 ms and 16 MiB here): whoever sees an enrolment on the wire
#: (its code_id and the hub's proof) pays this for every code guessed, over the code's 60 bits.
CODE_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


@functools.lru_cache(maxsize=64)
def _code_secrets(normalised: str) -> tuple[str, bytes]:
    derived = hashlib.scrypt(normalised.encode(), salt=b"kiosk-enrol-code-v1", dklen=64, **CODE_SCRYPT)
    return derived[:32].hex(), derived[32:]


def code_id(code: str) -> str:
    """What the kiosk sends instead of the enrolment code (the hub keeps only this): half of a slow derivation
    of the code, so it cannot be searched quickly."""
    return _code_secrets(normalise_code(code))[0]


def code_confirm_key(code: str) -> bytes:
    """A key only the holder of the code (the kiosk) and the hub that issued it know: never sent (the other
    half of the derivation)."""
    return _code_secrets(normalise_code(code))[1]


def enrol_proof(confirm_key: bytes, hub_key_b64: str, kiosk_key_b64: str, nonce: str) -> str:
    """The hub's proof, in its enrolment answer, that the key it announces is the key of the hub that issued the
    code the kiosk typed: a machine on the path, knowing neither the code nor this key, cannot make one."""
    message = f"kiosk-hub-pin-v1\n{hub_key_b64}\n{kiosk_key_b64}\n{nonce}".encode()
    return b64u(hmac.new(confirm_key, message, hashlib.sha256).digest())


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
