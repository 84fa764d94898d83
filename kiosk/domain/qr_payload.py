"""The signed QR tracking code of a receipt: CBOR claims in COSE_Sign1 (Ed25519), Base45, prefix `VNK1:`.

Shaped like the EU Digital COVID Certificate (CWT claims in COSE_Sign1, RFC 9052; Base45, RFC 9285),
without its zlib step: our payload is too small to gain from it. No personal data is in the code,
only the dossier's tracking code, its service number, the issuing kiosk and dates. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

PREFIX = "VNK1:"
BASE45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_BASE45_VALUE = {ch: i for i, ch in enumerate(BASE45_ALPHABET)}

COSE_SIGN1_TAG = 18  # RFC 9052 §4.2
COSE_HEADER_ALG = 1
COSE_HEADER_KID = 4
COSE_ALG_EDDSA = -8  # RFC 9053 §2.2
CWT_ISS, CWT_EXP, CWT_IAT = 1, 4, 6  # RFC 8392 §3.1
CLAIM_RECEIPT = -65537  # a private-use CWT claim (RFC 8392 §9.1: below -65536) holding our fields
RECEIPT_CODE, RECEIPT_SERVICE, RECEIPT_APPOINTMENT = 1, 2, 3
KID_LENGTH = 8  # like the EU DCC: the first 8 bytes of SHA-256 of the key

# Bounds that keep the worst case inside a version 12 QR code at level Q (tests/unit/test_qr_payload.py).
MAX_CODE_LENGTH = 40
MAX_KIOSK_ID_LENGTH = 24
MAX_TEXT_LENGTH = 1200
_CODE_RE = re.compile(rf"[0-9A-Za-z.\-_/]{{1,{MAX_CODE_LENGTH}}}")
_KIOSK_RE = re.compile(rf"[0-9A-Za-z.\-_]{{1,{MAX_KIOSK_ID_LENGTH}}}")
KIOSK_ID_RE = _KIOSK_RE
_EPOCH_DAY = date(1970, 1, 1)

REASONS: dict[str, tuple[str, str]] = {
    "bad_prefix": (
        "Đây không phải mã QR của phiếu hẹn do kiosk cấp.",
        "This is not a receipt QR code issued by a kiosk.",
    ),
    "not_base45": (
        "Mã QR bị hỏng hoặc đọc sai: có ký tự không hợp lệ.",
        "The QR code is damaged or misread: it contains invalid characters.",
    ),
    "not_cose": (
        "Mã QR bị hỏng: không đọc được phần nội dung có chữ ký.",
        "The QR code is damaged: its signed content cannot be read.",
    ),
    "unknown_key": (
        "Mã QR do một kiosk không có trong danh sách tin cậy cấp, nên không xác thực được.",
        "The QR code was issued by a kiosk that is not in the trusted list, so it cannot be verified.",
    ),
    "bad_signature": (
        "Mã QR đã bị sửa đổi hoặc giả mạo: chữ ký không khớp.",
        "The QR code has been altered or forged: the signature does not match.",
    ),
    "expired": (
        "Mã QR đã hết hạn sử dụng.",
        "The QR code has expired.",
    ),
    "malformed_claims": (
        "Mã QR có chữ ký hợp lệ nhưng nội dung không đúng định dạng phiếu hẹn.",
        "The QR code is signed but its content is not a valid receipt.",
    ),
}


class QrPayloadError(ValueError):
    """Why a text is not a valid signed tracking code; `reason` is a key of REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@dataclass(frozen=True)
class QrClaims:
    """What the code says: which dossier, which service, which kiosk issued it, and its dates (UTC)."""

    tracking_code: str
    service_number: int
    kiosk_id: str
    issued_at: datetime
    expires_at: datetime
    appointment: date | None = None

    def __post_init__(self) -> None:
        problems = claim_problems(self)
        if problems:
            raise ValueError("; ".join(problems))

    def to_json(self) -> dict[str, object]:
        return {
            "tracking_code": self.tracking_code,
            "service_number": self.service_number,
            "kiosk_id": self.kiosk_id,
            "issued_at": self.issued_at.isoformat() + "Z",
            "expires_at": self.expires_at.isoformat() + "Z",
            "appointment": self.appointment.isoformat() if self.appointment else None,
        }


def claim_problems(c: QrClaims) -> list[str]:
    out = []
    if not isinstance(c.tracking_code, str) or not _CODE_RE.fullmatch(c.tracking_code):
        out.append("tracking code: 1-40 letters, digits or . - _ /")
    if not isinstance(c.kiosk_id, str) or not _KIOSK_RE.fullmatch(c.kiosk_id):
        out.append("kiosk id: 1-24 letters, digits or . - _")
    if isinstance(c.service_number, bool) or not isinstance(c.service_number, int) or not 0 <= c.service_number <= 999:
        out.append("service number: 0-999")
    for name in ("issued_at", "expires_at"):
        value = getattr(c, name)
        if not isinstance(value, datetime) or value.tzinfo is not None or value.microsecond:
            out.append(f"{name}: naive UTC datetime in whole seconds")
    if not out and c.expires_at <= c.issued_at:
        out.append("expires_at must follow issued_at")
    if c.appointment is not None and (isinstance(c.appointment, datetime) or not isinstance(c.appointment, date)):
        out.append("appointment: a date")
    return out


@dataclass(frozen=True)
class QrVerification:
    """The verdict on a scanned text: valid, or the reason it is refused (claims kept when signed but expired)."""

    valid: bool
    reason: str | None
    claims: QrClaims | None = None
    kid: str | None = None

    @property
    def message_vi(self) -> str:
        return "Mã QR hợp lệ, do kiosk được tin cậy cấp." if self.valid else REASONS[self.reason or "not_cose"][0]

    @property
    def message_en(self) -> str:
        return "The QR code is valid and was issued by a trusted kiosk." if self.valid else REASONS[self.reason or "not_cose"][1]

    def to_json(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "reason": self.reason,
            "message": self.message_vi,
            "message_en": self.message_en,
            "kid": self.kid,
            "claims": self.claims.to_json() if self.claims else None,
        }


def b45encode(data: bytes) -> str:
    """Base45 (RFC 9285 §4): two bytes to three characters of the QR alphanumeric set."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (BASE45_ALPHABET[c], BASE45_ALPHABET[d], BASE45_ALPHABET[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out += (BASE45_ALPHABET[c], BASE45_ALPHABET[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Inverse of b45encode; raises ValueError on a foreign character, a bad length or an overflow (RFC 9285 §4.2)."""
    try:
        values = [_BASE45_VALUE[ch] for ch in text]
    except KeyError as exc:
        raise ValueError(f"not a Base45 character: {exc.args[0]!r}") from None
    if len(values) % 3 == 1:
        raise ValueError("Base45 length leaves one character")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i:i + 3]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            if n > 0xFFFF:
                raise ValueError("Base45 triple above 65535")
            out += n.to_bytes(2, "big")
        else:
            n = chunk[0] + chunk[1] * 45
            if n > 0xFF:
                raise ValueError("Base45 pair above 255")
            out.append(n)
    return bytes(out)


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: bytes | Ed25519PublicKey) -> bytes:
    """The short key id (COSE `kid`) of a kiosk's public key."""
    raw = public_key if isinstance(public_key, bytes) else raw_public_key(public_key)
    return hashlib.sha256(raw).digest()[:KID_LENGTH]


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def _from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def claims_to_cbor(c: QrClaims) -> bytes:
    receipt: dict[int, object] = {RECEIPT_CODE: c.tracking_code, RECEIPT_SERVICE: c.service_number}
    if c.appointment is not None:
        receipt[RECEIPT_APPOINTMENT] = (c.appointment - _EPOCH_DAY).days
    claims = {CWT_ISS: c.kiosk_id, CWT_IAT: _epoch(c.issued_at), CWT_EXP: _epoch(c.expires_at), CLAIM_RECEIPT: receipt}
    return cbor2.dumps(claims, canonical=True)


def claims_from_cbor(raw: bytes) -> QrClaims:
    """Parse the signed claims strictly; raises QrPayloadError("malformed_claims")."""
    try:
        claims = _loads_exact(raw)
        if not isinstance(claims, Mapping):
            raise TypeError("claims are not a map")
        receipt = claims[CLAIM_RECEIPT]
        if not isinstance(receipt, Mapping):
            raise TypeError("receipt claim is not a map")
        days = receipt.get(RECEIPT_APPOINTMENT)
        appointment = None
        if days is not None:
            if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days < 200_000:
                raise TypeError("appointment")
            appointment = _EPOCH_DAY + timedelta(days=days)
        for name in (CWT_IAT, CWT_EXP):
            value = claims[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**40:
                raise TypeError("time claim")
        return QrClaims(
            tracking_code=receipt[RECEIPT_CODE],
            service_number=receipt[RECEIPT_SERVICE],
            kiosk_id=claims[CWT_ISS],
            issued_at=_from_epoch(claims[CWT_IAT]),
            expires_at=_from_epoch(claims[CWT_EXP]),
            appointment=appointment,
        )
    except QrPayloadError:
        raise
    except (KeyError, TypeError, ValueError, OverflowError, cbor2.CBORDecodeError) as exc:
        raise QrPayloadError("malformed_claims", str(exc)) from None


def _loads_exact(raw: bytes) -> object:
    """Decode one CBOR item and refuse trailing bytes (a second item could hide unsigned data)."""
    stream = io.BytesIO(raw)
    value = cbor2.CBORDecoder(stream).decode()
    if stream.tell() != len(raw):
        raise ValueError("trailing bytes after the CBOR item")
    return value


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    # RFC 9052 §4.4: ["Signature1", body_protected, external_aad, payload]
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode(claims: QrClaims, private_key: Ed25519PrivateKey) -> str:
    """Sign the claims with the kiosk's key and return the text for the QR code."""
    kid = key_id(private_key.public_key())
    protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_EDDSA, COSE_HEADER_KID: kid}, canonical=True)
    payload = claims_to_cbor(claims)
    signature = private_key.sign(_sig_structure(protected, payload))
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + b45encode(cose)


@dataclass(frozen=True)
class SignedMessage:
    """A parsed COSE_Sign1 whose signature has not been checked yet."""

    kid: bytes
    protected: bytes
    payload: bytes
    signature: bytes


def parse(text: str) -> SignedMessage:
    """Undo the prefix, Base45 and COSE framing; raises QrPayloadError with the first failing layer."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise QrPayloadError("bad_prefix")
    body = text[len(PREFIX):]
    if len(body) > MAX_TEXT_LENGTH:
        raise QrPayloadError("not_cose", "too long")
    try:
        raw = b45decode(body)
    except ValueError as exc:
        raise QrPayloadError("not_base45", str(exc)) from None
    try:
        item = _loads_exact(raw)
        if isinstance(item, cbor2.CBORTag):
            if item.tag != COSE_SIGN1_TAG:
                raise ValueError("not a COSE_Sign1 tag")
            item = item.value
        # cbor2 6 decodes arrays as tuples and maps as frozendicts.
        if not (isinstance(item, list | tuple) and len(item) == 4):
            raise ValueError("COSE_Sign1 is an array of four")
        protected, unprotected, payload, signature = item
        if not all(isinstance(x, bytes) for x in (protected, payload, signature)) or not isinstance(unprotected, Mapping):
            raise ValueError("COSE_Sign1 member types")
        header = _loads_exact(protected) if protected else {}
        if not isinstance(header, Mapping) or header.get(COSE_HEADER_ALG) != COSE_ALG_EDDSA:
            raise ValueError("algorithm is not EdDSA")
        kid = header.get(COSE_HEADER_KID, unprotected.get(COSE_HEADER_KID))
        if not isinstance(kid, bytes) or len(signature) != 64:
            raise ValueError("kid or signature size")
    except (ValueError, TypeError, OverflowError, cbor2.CBORDecodeError) as exc:
        raise QrPayloadError("not_cose", str(exc)) from None
    return SignedMessage(kid, protected, payload, signature)


def verify(text: str, trusted: Mapping[bytes, tuple[str | tuple[str, ...], bytes]], now: datetime) -> QrVerification:
    """Check a scanned text against trusted keys (kid -> (kiosk id, raw Ed25519 public key)) at `now` (UTC).
    A key may stand for several ids of one kiosk (the id it made itself, then the one its hub gave it).

    The order matters: nothing inside the payload is parsed before its signature is proven.
    """
    try:
        message = parse(text)
    except QrPayloadError as exc:
        return QrVerification(False, exc.reason)
    kid_hex = message.kid.hex()
    entry = trusted.get(message.kid)
    if entry is None:
        return QrVerification(False, "unknown_key", kid=kid_hex)
    kiosk_id, public_key = entry
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            message.signature, _sig_structure(message.protected, message.payload)
        )
    except (InvalidSignature, ValueError):
        return QrVerification(False, "bad_signature", kid=kid_hex)
    try:
        claims = claims_from_cbor(message.payload)
    except QrPayloadError as exc:
        return QrVerification(False, exc.reason, kid=kid_hex)
    if claims.kiosk_id not in ((kiosk_id,) if isinstance(kiosk_id, str) else tuple(kiosk_id)):
        # Signed by a trusted key, but naming another kiosk as issuer: not a receipt we can vouch for.
        return QrVerification(False, "malformed_claims", kid=kid_hex)
    if now >= claims.expires_at:
        return QrVerification(False, "expired", claims, kid_hex)
    return QrVerification(True, None, claims, kid_hex)
