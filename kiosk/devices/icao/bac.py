"""Basic access control (ICAO 9303-11 §4.3) and the access key it is derived from."""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..connection import Connection
from . import apdu, crypto
from .errors import AccessDenied, ParseError, SecureMessagingError, status_error
from .sm import SecureMessaging, TdesCipher
from .status import StatusWord as SW

STEP = "BAC"

RandomFn = Callable[[int], bytes]

#: A card without an expiry date carries this in the MRZ (docs/card.md).
NO_EXPIRY = "991231"

_DATE = re.compile(r"[0-9<]{6}")
_DOCNO = re.compile(r"[0-9A-Z<]{1,}")


@dataclass(frozen=True, slots=True)
class AccessKey:
    """The BAC key material: document number, birth date and expiry date (YYMMDD).

    Its repr hides the values: they are personal data and must never reach a log.
    """

    document_number: str
    birth_date: str
    expiry_date: str

    def __post_init__(self) -> None:
        if not _DOCNO.fullmatch(self.document_number):
            raise ValueError("document number must be MRZ characters")
        if not _DATE.fullmatch(self.birth_date) or not _DATE.fullmatch(self.expiry_date):
            raise ValueError("dates must be YYMMDD")

    def __repr__(self) -> str:
        return "AccessKey(<hidden>)"

    __str__ = __repr__

    @classmethod
    def from_document_number(cls, document_number: str, birth_date: str, expiry_date: str | None) -> AccessKey:
        """A key from a document number as printed; a 12-digit ID number gives its last 9 digits."""
        doc = re.sub(r"\s", "", document_number).upper()
        if len(doc) == 12 and doc.isdigit():
            # docs/card.md: the CCCD's document number is the last 9 digits of the ID number.
            doc = doc[-9:]
        return cls(doc, birth_date, expiry_date or NO_EXPIRY)

    @classmethod
    def from_mrz(cls, mrz: str) -> AccessKey:
        """A key from a 90-character TD1 MRZ (line breaks and spaces ignored)."""
        from .lds.dg1 import parse_mrz

        try:
            parsed = parse_mrz(re.sub(r"\s", "", mrz).upper())
        except ParseError as exc:
            raise ValueError(f"not a readable MRZ: {exc.detail}") from None
        return cls(parsed.document_number, parsed.birth_date, parsed.expiry_date)

    @property
    def mrz_information(self) -> str:
        """Document number (at least 9 characters), birth, expiry, each followed by its check digit
        (ICAO 9303-11 §4.3.2 and 9303-5 for numbers longer than nine characters)."""
        doc = self.document_number.ljust(9, "<")
        return (
            f"{doc}{crypto.check_digit(doc)}"
            f"{self.birth_date}{crypto.check_digit(self.birth_date)}"
            f"{self.expiry_date}{crypto.check_digit(self.expiry_date)}"
        )

    @property
    def can(self) -> str | None:
        """The card access number of a CCCD: the last 6 digits of the ID number, which are the
        last 6 of its 9-digit document number (docs/card.md; reported by phone apps, not official)."""
        doc = self.document_number
        return doc[-6:] if len(doc) == 9 and doc.isdigit() else None

    @property
    def seed(self) -> bytes:
        return crypto.bac_seed(self.mrz_information)


@dataclass(frozen=True, slots=True)
class BacResult:
    """The secure channel BAC opened, and its session keys (kept for tests and diagnostics)."""

    sm: SecureMessaging
    ks_enc: bytes
    ks_mac: bytes
    ssc: int


class BacProtocol:
    """GET CHALLENGE, EXTERNAL AUTHENTICATE, and session-key derivation."""

    def __init__(self, conn: Connection, rng: RandomFn = os.urandom) -> None:
        self.conn = conn
        self.rng = rng

    def run(self, key: AccessKey) -> BacResult:
        seed = key.seed
        k_enc = crypto.kdf_3des(seed, crypto.KDF_ENC)
        k_mac = crypto.kdf_3des(seed, crypto.KDF_MAC)

        rnd_ic, sw = self.conn.transmit(apdu.get_challenge(8).to_bytes())
        if sw != SW.OK or len(rnd_ic) != 8:
            raise status_error(STEP, sw, "GET CHALLENGE refused")
        rnd_ifd = self.rng(8)
        k_ifd = self.rng(16)
        e_ifd = crypto.tdes_encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
        m_ifd = crypto.retail_mac(k_mac, crypto.pad(e_ifd))
        resp, sw = self.conn.transmit(apdu.external_authenticate(e_ifd + m_ifd, 40).to_bytes())
        if sw in (SW.VERIFICATION_FAILED, SW.SECURITY_STATUS_NOT_SATISFIED) or sw & 0xFFF0 == 0x63C0:
            raise AccessDenied(STEP, "the chip refused the access key", sw)
        if sw != SW.OK:
            raise status_error(STEP, sw, "EXTERNAL AUTHENTICATE refused")
        if len(resp) != 40:
            raise SecureMessagingError(STEP, "EXTERNAL AUTHENTICATE answer is not 40 bytes")
        e_ic, m_ic = resp[:32], resp[32:]
        if not hmac.compare_digest(crypto.retail_mac(k_mac, crypto.pad(e_ic)), m_ic):
            raise SecureMessagingError(STEP, "chip cryptogram MAC does not verify")
        plain = crypto.tdes_decrypt(k_enc, e_ic)
        if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
            raise SecureMessagingError(STEP, "chip did not return our challenge")
        k_ic = plain[16:32]
        session_seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        ks_enc = crypto.kdf_3des(session_seed, crypto.KDF_ENC)
        ks_mac = crypto.kdf_3des(session_seed, crypto.KDF_MAC)
        # ICAO 9303-11 §9.8.2: SSC = 4 least significant bytes of RND.IC || of RND.IFD.
        ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        sm = SecureMessaging(self.conn, TdesCipher(ks_enc, ks_mac), ssc)
        return BacResult(sm, ks_enc, ks_mac, ssc)

