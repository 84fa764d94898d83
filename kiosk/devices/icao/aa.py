"""Active authentication (ICAO 9303-11 §6.1): the chip signs a fresh challenge with the private
key whose public half is in DG15, which a copied chip cannot do."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ..connection import Connection
from . import apdu
from .bac import RandomFn
from .errors import ChipError, SecurityStatusNotSatisfied
from .keys import verify_signature
from .lds.dg15 import Dg15
from .lds.security_infos import ActiveAuthInfo

STEP = "AA"

AaVerdict = Literal["verified", "failed", "not_supported"]

# ISO/IEC 9796-2 trailers: BC = SHA-1 implicit; xxCC names the hash by its ISO/IEC 10118-3 id.
_TRAILER_HASHES = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}


@dataclass(frozen=True, slots=True)
class ActiveAuthResult:
    verdict: AaVerdict
    reason: str = ""


def verify_iso9796_2(key: rsa.RSAPublicKey, signature: bytes, challenge: bytes) -> str:
    """Verify an ISO/IEC 9796-2 digital signature scheme 1 signature (partial message recovery)
    over M = M1 || challenge; returns "" when valid, else a reason code."""
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    k = (n.bit_length() + 7) // 8
    s = int.from_bytes(signature, "big")
    if s >= n:
        return "aa_signature_out_of_range"
    m = pow(s, e, n)
    # ISO/IEC 9796-2 §B.6: the signer may have sent min(s, n - s); the trailer's low nibble is C.
    if m & 0xF != 0xC:
        m = n - m
    if m & 0xF != 0xC:
        return "aa_bad_trailer"
    f = m.to_bytes(k, "big")
    if f[-1] == 0xBC:
        hash_name, trailer_len = "sha1", 1
    elif f[-1] == 0xCC and f[-2] in _TRAILER_HASHES:
        hash_name, trailer_len = _TRAILER_HASHES[f[-2]], 2
    else:
        return "aa_unknown_trailer"
    digest_len = hashlib.new(hash_name).digest_size
    if f[0] & 0xC0 != 0x40:
        return "aa_bad_header"
    if f[0] & 0x20 == 0:
        # Full message recovery would mean the chip signed no message of its own: not ICAO.
        return "aa_unsupported_recovery"
    # Partial recovery (ICAO 9303-11 §6.1.2): F = 6A || M1 || H(M1 || M2) || trailer.
    body = f[: -(trailer_len + digest_len)]
    digest = f[-(trailer_len + digest_len) : -trailer_len]
    if not body or body[0] != 0x6A:
        return "aa_bad_header"
    m1 = body[1:]
    if not hmac.compare_digest(hashlib.new(hash_name, m1 + challenge).digest(), digest):
        return "aa_signature_invalid"
    return ""


class ActiveAuthentication:
    """INTERNAL AUTHENTICATE with a fresh 8-byte challenge, verified against DG15's key."""

    def __init__(self, channel: Connection, rng: RandomFn = os.urandom) -> None:
        self.channel = channel
        self.rng = rng

    def _signature(self, challenge: bytes) -> tuple[bytes, int]:
        data, sw = self.channel.transmit(apdu.internal_authenticate(challenge).to_bytes())
        if sw == 0x6700 or sw >> 8 == 0x6C:
            # A 2048-bit RSA signature does not fit a short secure-messaging response.
            data, sw = self.channel.transmit(apdu.internal_authenticate(challenge, apdu.EXTENDED_MAX_NE).to_bytes())
        return data, sw

    def run(self, dg15: Dg15, info: ActiveAuthInfo | None = None) -> ActiveAuthResult:
        challenge = self.rng(8)
        try:
            signature, sw = self._signature(challenge)
        except SecurityStatusNotSatisfied:
            return ActiveAuthResult("not_supported", "aa_refused")
        if sw in (0x6D00, 0x6E00, 0x6A81):
            return ActiveAuthResult("not_supported", "aa_instruction_not_supported")
        if sw != 0x9000 or not signature:
            return ActiveAuthResult("failed", f"aa_status_{sw:04X}")
        key = dg15.key
        if isinstance(key, rsa.RSAPublicKey):
            reason = verify_iso9796_2(key, signature, challenge)
            return ActiveAuthResult("failed", reason) if reason else ActiveAuthResult("verified")
        if isinstance(key, ec.EllipticCurvePublicKey):
            # ICAO 9303-11 §6.1.2.1: ECDSA over the challenge with the hash of DG14's
            # ActiveAuthenticationInfo; the signature is plain r||s (BSI TR-03111).
            hash_name = info.hash_name if info is not None else None
            if info is not None and hash_name is None:
                return ActiveAuthResult("failed", "aa_unsupported_signature_algorithm")
            candidates = [hash_name] if hash_name else _default_hashes(key)
            for name in candidates:
                if verify_signature(key, signature, challenge, "ecdsa", name):
                    return ActiveAuthResult("verified")
            return ActiveAuthResult("failed", "aa_signature_invalid")
        return ActiveAuthResult("not_supported", "aa_unsupported_key")


def _default_hashes(key: ec.EllipticCurvePublicKey) -> list[str]:
    # Without ActiveAuthenticationInfo the hash is not stated; try the one matching the curve size.
    size = key.curve.key_size
    return ["sha256"] if size <= 256 else ["sha384"] if size <= 384 else ["sha512"]


def active_authenticate(
    channel: Connection, dg15: Dg15, info: ActiveAuthInfo | None = None, rng: RandomFn = os.urandom
) -> ActiveAuthResult:
    try:
        return ActiveAuthentication(channel, rng).run(dg15, info)
    except ChipError as exc:
        if exc.sw is None:
            raise
        return ActiveAuthResult("failed", f"aa_status_{exc.sw:04X}")
