"""The hall's queue and ratings endpoints, and how the station's queue key is handed to a kiosk.

The key travels wrapped for one request: the kiosk sends a fresh X25519 public key in its signed
request, the hub answers with its own ephemeral X25519 key and the station key sealed with AES-256-GCM
under HKDF-SHA256 of the shared secret (bound to the kiosk id and the key id). A reader of the traffic
(the demo hub speaks plain HTTP on loopback) learns nothing; only the kiosk that asked can unwrap it.
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk.wire.protocol import b64u, unb64u

QUEUE_API = "/v1/queue"
RATINGS_API = "/v1/ratings"
WRAP_INFO = b"kiosk-queue-key-v1"


def _wrapping_key(shared: bytes, kiosk_id: str, kid: str) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=WRAP_INFO + b"|" + kiosk_id.encode() + b"|" + kid.encode()
                ).derive(shared)


def wrap_station_key(key: bytes, kid: str, kiosk_id: str, kiosk_public: str) -> dict[str, str]:
    """The hub's answer: its ephemeral public key and the wrapped station key (nonce ‖ ciphertext)."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(unb64u(kiosk_public)))
    nonce = os.urandom(12)
    sealed = AESGCM(_wrapping_key(shared, kiosk_id, kid)).encrypt(nonce, key, kid.encode())
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return {"kid": kid, "epk": b64u(ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)),
            "wrapped": b64u(nonce + sealed)}


def unwrap_station_key(private: X25519PrivateKey, kiosk_id: str, answer: dict[str, str]) -> tuple[str, bytes]:
    """(kid, key) from the hub's answer; raises ValueError (or InvalidTag) when it does not open."""
    kid = str(answer["kid"])
    shared = private.exchange(X25519PublicKey.from_public_bytes(unb64u(str(answer["epk"]))))
    raw = unb64u(str(answer["wrapped"]))
    key = AESGCM(_wrapping_key(shared, kiosk_id, kid)).decrypt(raw[:12], raw[12:], kid.encode())
    if len(key) != 32:
        raise ValueError("station key size")
    return kid, key
