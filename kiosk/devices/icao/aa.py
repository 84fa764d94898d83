"""Active authentication (ICAO 9303-11 §6.1): the chip signs a fresh challenge with the private
key whose public half is in DG15, which a copied chip cannot do."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ...domain import chip_verdict
from ...domain.chip_verdict import ReasonCode, code
from ..connection import Connection
from . import apdu, status
from .bac import RandomFn
from .errors import ChipError, SecureMessagingError
from .keys import ECDSA_HASHES, verify_signature
from .lds.dg15 import Dg15
from .lds.security_infos import ActiveAuthInfo
from .status import StatusWord as SW

STEP = "AA"

log = logging.getLogger(__name__)

#: ISO/IEC 9796-2 trailers: BC = SHA-1 implicit; otherwise the hash's identifier of ISO/IEC
#: 10118-3, then CC. 31 RIPEMD-160, 32 RIPEMD-128, 33 SHA-1, 34 SHA-256, 35 SHA-512, 36 SHA-384,
#: 37 WHIRLPOOL, 38 SHA-224; those without a name here are defined but not implemented.
_TRAILER_HASHES: dict[int, str | None] = {
    0x31: "ripemd160", 0x32: None, 0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384",
    0x37: None, 0x38: "sha224",
}


@dataclass(frozen=True, slots=True)
class ActiveAuthResult(chip_verdict.CheckResult):
    """The verdict of active authentication and the reason codes it follows from."""

    STEP = "active"

    @classmethod
    def of(cls, *reasons: str) -> ActiveAuthResult:
        return cls(tuple(reasons))


def _hash(name: str) -> bool:
    try:
        hashlib.new(name)
    except ValueError:
        return False
    return True


def verify_iso9796_2(key: rsa.RSAPublicKey, signature: bytes, challenge: bytes) -> tuple[str, ...]:
    """Verify an ISO/IEC 9796-2 digital signature scheme 1 signature (partial message recovery)
    over M = M1 || challenge; returns no reason when valid, else the reason codes."""
    numbers = key.public_numbers()
    n, e = numbers.n, numbers.e
    k = (n.bit_length() + 7) // 8
    s = int.from_bytes(signature, "big")
    if len(signature) != k or s >= n:
        return (code(ReasonCode.AA_BAD_SIGNATURE),)
    m = pow(s, e, n)
    # ISO/IEC 9796-2 §B.6: the signer may have sent min(s, n - s); the trailer's low nibble is C.
    if m & 0xF != 0xC:
        m = n - m
    if m & 0xF != 0xC:
        return (code(ReasonCode.AA_BAD_SIGNATURE),)
    f = m.to_bytes(k, "big")
    if f[-1] == 0xBC:
        hash_name, trailer_len = "sha1", 1
    elif f[-1] == 0xCC and f[-2] in _TRAILER_HASHES:
        named = _TRAILER_HASHES[f[-2]]
        if named is None or not _hash(named):
            return (code(ReasonCode.AA_UNSUPPORTED_HASH, f"ISO/IEC 10118-3 {f[-2]:02X}"),)
        hash_name, trailer_len = named, 2
    else:
        return (code(ReasonCode.AA_BAD_SIGNATURE),)
    digest_len = hashlib.new(hash_name).digest_size
    if f[0] & 0xC0 != 0x40:
        return (code(ReasonCode.AA_BAD_SIGNATURE),)
    if f[0] & 0x20 == 0:
        # Full message recovery would mean the chip signed no message of its own: not ICAO.
        return (code(ReasonCode.AA_UNSUPPORTED_RECOVERY),)
    # Partial recovery (ICAO 9303-11 §6.1.2): F = 6A || M1 || H(M1 || M2) || trailer.
    body = f[: -(trailer_len + digest_len)]
    digest = f[-(trailer_len + digest_len) : -trailer_len]
    if not body or body[0] != 0x6A:
        return (code(ReasonCode.AA_BAD_SIGNATURE),)
    m1 = body[1:]
    if not hmac.compare_digest(hashlib.new(hash_name, m1 + challenge).digest(), digest):
        return (code(ReasonCode.AA_SIGNATURE_INVALID),)
    return ()


def curve_hash(key: ec.EllipticCurvePublicKey) -> str:
    """The hash a curve implies when DG14 names none: the SHA-2 whose output matches the order's
    size (the pairing of NIST SP 800-57 Part 1 Table 3; BSI TR-03111 §4.2.1.1 truncates longer ones)."""
    size = key.curve.key_size
    return "sha224" if size <= 224 else "sha256" if size <= 256 else "sha384" if size <= 384 else "sha512"


def ecdsa_hash(key: ec.EllipticCurvePublicKey, info: ActiveAuthInfo | None) -> tuple[str | None, tuple[str, ...]]:
    """The hash to check an ECDSA answer with: the one ActiveAuthenticationInfo names (ICAO 9303-11
    §9.2), or the one the curve implies when DG14 names none; else why it cannot be checked."""
    if info is None or info.signature_algorithm is None:
        return curve_hash(key), ()
    name = info.hash_name
    if name is None:
        return None, (code(ReasonCode.AA_UNSUPPORTED_ALGORITHM, info.signature_algorithm),)
    if name not in ECDSA_HASHES or not _hash(name):
        return None, (code(ReasonCode.AA_UNSUPPORTED_HASH, name),)
    return name, ()


class ActiveAuthentication:
    """INTERNAL AUTHENTICATE with a fresh 8-byte challenge, verified against DG15's key."""

    def __init__(self, channel: Connection, rng: RandomFn = os.urandom) -> None:
        self.channel = channel
        self.rng = rng

    def _signature(self, challenge: bytes) -> tuple[bytes, int]:
        data, sw = self.channel.transmit(apdu.internal_authenticate(challenge).to_bytes())
        if sw == SW.WRONG_LENGTH or sw >> 8 == 0x6C:
            # A 2048-bit RSA signature does not fit a short secure-messaging response.
            data, sw = self.channel.transmit(apdu.internal_authenticate(challenge, apdu.EXTENDED_MAX_NE).to_bytes())
        return data, sw

    def run(self, dg15: Dg15, info: ActiveAuthInfo | None = None) -> ActiveAuthResult:
        key = dg15.key
        hash_name: str | None = None
        if isinstance(key, ec.EllipticCurvePublicKey):
            hash_name, problems = ecdsa_hash(key, info)
            if problems:
                # Asking the chip would prove nothing: the kiosk cannot check the answer.
                return ActiveAuthResult(problems)
        elif not isinstance(key, rsa.RSAPublicKey):
            return ActiveAuthResult.of(code(ReasonCode.AA_UNSUPPORTED_KEY))
        challenge = self.rng(8)
        signature, sw = self._signature(challenge)
        if sw != SW.OK:
            # DG15 advertised the protocol, so any refusal is unexpected: the kiosk could not check.
            log.warning("active authentication: the chip answered %04X", sw)
            return ActiveAuthResult.of(code(ReasonCode.AA_STATUS, status.text(sw)))
        if not signature:
            return ActiveAuthResult.of(code(ReasonCode.AA_BAD_SIGNATURE))
        if isinstance(key, rsa.RSAPublicKey):
            return ActiveAuthResult(verify_iso9796_2(key, signature, challenge))
        assert hash_name is not None
        # ICAO 9303-11 §6.1.2.1: ECDSA over the challenge; the signature is plain r||s (BSI TR-03111).
        if verify_signature(key, signature, challenge, "ecdsa", hash_name):
            return ActiveAuthResult()
        return ActiveAuthResult.of(code(ReasonCode.AA_SIGNATURE_INVALID))


def active_authenticate(
    channel: Connection, dg15: Dg15, info: ActiveAuthInfo | None = None, rng: RandomFn = os.urandom
) -> ActiveAuthResult:
    """Run active authentication; a chip error with a status word is a verdict, a transport error
    or a secure-messaging failure of the channel is raised to the caller."""
    try:
        return ActiveAuthentication(channel, rng).run(dg15, info)
    except SecureMessagingError:
        raise
    except ChipError as exc:
        if exc.sw is None:
            raise
        log.warning("active authentication: the chip answered %04X", exc.sw)
        return ActiveAuthResult.of(code(ReasonCode.AA_STATUS, status.text(exc.sw)))

