"""DG15: the active-authentication public key, a SubjectPublicKeyInfo (ICAO 9303-10 §4.7.15)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..errors import ParseError
from ..keys import PublicKey, load_public_key
from .tlv import parse_single

STEP = "DG15"


@dataclass(frozen=True, slots=True)
class Dg15:
    spki: bytes
    key: PublicKey

    @property
    def algorithm(self) -> str:
        return "rsa" if isinstance(self.key, rsa.RSAPublicKey) else "ec"

    @property
    def key_bits(self) -> int:
        return self.key.key_size


def parse_dg15(data: bytes) -> Dg15:
    outer = parse_single(data, 0x6F, STEP)
    key = load_public_key(outer.value, STEP)
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise ParseError(STEP, "active-authentication key is neither RSA nor EC")
    return Dg15(outer.value, key)
