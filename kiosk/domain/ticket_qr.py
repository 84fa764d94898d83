"""The queue ticket's QR code: the citizen's draft, signed by the hall kiosk and sealed for the station.

`VNQ1:` + Base45 of a COSE_Encrypt0 (RFC 9052 §5.2, AES-256-GCM under the station's queue key) whose
plaintext is a COSE_Sign1 (Ed25519, the hall kiosk's key — the same key and key id as the receipts'
QR codes) over the zlib-compressed CBOR body: ticket, number, service, group, issuing kiosk, day, the
form and the chip snapshot (never the portrait). A counter of the station opens it without the hub;
anyone else sees noise. A kiosk that holds no station key yet prints a signed code without the draft.
Pure: no I/O.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kiosk.domain.qr_payload import (
    COSE_ALG_EDDSA,
    COSE_HEADER_ALG,
    COSE_HEADER_KID,
    COSE_SIGN1_TAG,
    _loads_exact,
    _sig_structure,
    b45decode,
    b45encode,
    key_id,
)

PREFIX = "VNQ1:"
COSE_ENCRYPT0_TAG = 16  # RFC 9052 §5.2
COSE_HEADER_IV = 5
COSE_ALG_A256GCM = 3  # RFC 9053 §4.1
STATION_KID_LENGTH = 8
# The largest text we print: version 40 at level L holds 4296 alphanumeric characters (ISO/IEC 18004 Table 7).
MAX_TEXT_LENGTH = 4200
MAX_BODY_BYTES = 64 * 1024  # after decompression: a draft is a few kilobytes at most

B_TICKET, B_NUMBER, B_SERVICE, B_GROUP, B_KIOSK, B_DAY, B_FORM, B_CITIZEN, B_ISSUED = range(1, 10)

REASONS: dict[str, tuple[str, str]] = {
    "bad_prefix": ("Đây không phải mã QR của phiếu số thứ tự.", "This is not a queue ticket's QR code."),
    "damaged": ("Mã QR của phiếu bị hỏng hoặc đọc sai; hãy quét lại.", "The ticket's QR code is damaged or misread; scan it again."),
    "unknown_station_key": ("Kiosk này chưa có khóa của trạm để mở phiếu (chưa đồng bộ lần nào với máy chủ).",
                            "This kiosk does not hold the station's key to open the ticket (it never synced)."),
    "not_for_this_station": ("Phiếu không mở được bằng khóa của trạm này (phiếu của trạm khác hoặc bị sửa).",
                             "The ticket does not open with this station's key (another station's, or altered)."),
    "unknown_signer": ("Phiếu do một kiosk không có trong danh sách tin cậy của trạm cấp.",
                       "The ticket was issued by a kiosk that is not in the station's trusted list."),
    "bad_signature": ("Phiếu đã bị sửa đổi hoặc giả mạo: chữ ký không khớp.",
                      "The ticket was altered or forged: the signature does not match."),
    "malformed": ("Phiếu có chữ ký hợp lệ nhưng nội dung không đúng dạng.", "The ticket is signed but its content is malformed."),
}


class TicketQrError(ValueError):
    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason

    @property
    def message_vi(self) -> str:
        return REASONS.get(self.reason, REASONS["damaged"])[0]

    @property
    def message_en(self) -> str:
        return REASONS.get(self.reason, REASONS["damaged"])[1]


@dataclass(frozen=True)
class TicketBody:
    ticket_id: str
    number: str
    service_no: int
    group: str
    kiosk_id: str
    day: date
    issued_at: int  # Unix seconds
    form: Mapping[str, Any] | None = None
    citizen: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def has_draft(self) -> bool:
        return self.form is not None or self.citizen is not None


def station_key_id(key: bytes) -> bytes:
    """The station queue key's id: the first bytes of the hash of a fixed label under the key (never the key)."""
    from cryptography.hazmat.primitives import hashes, hmac

    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(b"kiosk-queue-key-id")
    return mac.finalize()[:STATION_KID_LENGTH]


def _body_cbor(body: TicketBody) -> bytes:
    out: dict[int, Any] = {
        B_TICKET: uuid.UUID(body.ticket_id).bytes, B_NUMBER: body.number, B_SERVICE: body.service_no,
        B_GROUP: body.group, B_KIOSK: body.kiosk_id, B_DAY: body.day.isoformat(), B_ISSUED: body.issued_at,
    }
    if body.form is not None:
        out[B_FORM] = dict(body.form)
    if body.citizen is not None:
        out[B_CITIZEN] = dict(body.citizen)
    return cbor2.dumps(out, canonical=True)


def seal(body: TicketBody, signer: Ed25519PrivateKey, station_key: bytes | None,
         nonce: bytes | None = None) -> str:
    """The QR text: signed always; the draft only when sealed under the station's key."""
    if station_key is None:
        body = TicketBody(body.ticket_id, body.number, body.service_no, body.group, body.kiosk_id, body.day,
                          body.issued_at)
    protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_EDDSA, COSE_HEADER_KID: key_id(signer.public_key())},
                            canonical=True)
    payload = zlib.compress(_body_cbor(body), 9)
    signature = signer.sign(_sig_structure(protected, payload))
    sign1 = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    if station_key is None:
        return PREFIX + b45encode(sign1)
    enc_protected = cbor2.dumps({COSE_HEADER_ALG: COSE_ALG_A256GCM}, canonical=True)
    iv = nonce or os.urandom(12)
    aad = cbor2.dumps(["Encrypt0", enc_protected, b""])  # RFC 9052 §5.3 Enc_structure
    ciphertext = AESGCM(station_key).encrypt(iv, sign1, aad)
    encrypt0 = cbor2.CBORTag(COSE_ENCRYPT0_TAG, [
        enc_protected, {COSE_HEADER_KID: station_key_id(station_key), COSE_HEADER_IV: iv}, ciphertext])
    return PREFIX + b45encode(cbor2.dumps(encrypt0))


def _array(item: Any, tag: int, size: int) -> list[Any]:
    if isinstance(item, cbor2.CBORTag):
        if item.tag != tag:
            raise ValueError(f"tag {item.tag}, expected {tag}")
        item = item.value
    if not (isinstance(item, list | tuple) and len(item) == size):
        raise ValueError("COSE structure size")
    return list(item)


def is_ticket_text(text: str) -> bool:
    return text.strip().startswith(PREFIX)


def open_ticket(text: str, station_keys: Mapping[bytes, bytes],
                trusted: Mapping[bytes, tuple[str | tuple[str, ...], bytes]]) -> TicketBody:
    """Decrypt (when sealed) and verify a ticket's QR text; raises TicketQrError naming the failing layer.

    `station_keys`: station key id → key; `trusted`: signer kid → (kiosk id, raw Ed25519 public key); a key
    may stand for several ids of one kiosk (the id it made itself, then the one its hub gave it).
    Nothing inside is parsed before its signature is proven.
    """
    text = text.strip()
    if not text.startswith(PREFIX):
        raise TicketQrError("bad_prefix")
    body_text = text[len(PREFIX):]
    if len(body_text) > MAX_TEXT_LENGTH:
        raise TicketQrError("damaged", "too long")
    try:
        item = _loads_exact(b45decode(body_text))
    except (ValueError, TypeError, OverflowError, cbor2.CBORDecodeError) as exc:
        raise TicketQrError("damaged", str(exc)) from None
    item = _unseal(item, station_keys)
    protected, payload, signature, signer_kid = _sign1_parts(item)
    signer = trusted.get(signer_kid)
    if signer is None:
        raise TicketQrError("unknown_signer", signer_kid.hex())
    try:
        Ed25519PublicKey.from_public_bytes(signer[1]).verify(signature, _sig_structure(protected, payload))
    except (InvalidSignature, ValueError):
        raise TicketQrError("bad_signature") from None
    try:
        raw = zlib.decompressobj().decompress(payload, MAX_BODY_BYTES)
        data = _loads_exact(raw)
        form, citizen = data.get(B_FORM), data.get(B_CITIZEN)
        body = TicketBody(
            str(uuid.UUID(bytes=data[B_TICKET])), str(data[B_NUMBER]), int(data[B_SERVICE]), str(data[B_GROUP]),
            str(data[B_KIOSK]), date.fromisoformat(data[B_DAY]), int(data[B_ISSUED]),
            _plain(form) if form is not None else None, _plain(citizen) if citizen is not None else None,
        )
    except (KeyError, TypeError, ValueError, AttributeError, zlib.error, cbor2.CBORDecodeError) as exc:
        raise TicketQrError("malformed", str(exc)) from None
    if body.kiosk_id not in ((signer[0],) if isinstance(signer[0], str) else tuple(signer[0])):
        raise TicketQrError("malformed", "the signer is not the kiosk the ticket names")
    return body


def _unseal(item: Any, station_keys: Mapping[bytes, bytes]) -> Any:
    """The COSE_Sign1 inside a sealed ticket (COSE_Encrypt0 under a station key); a signed one as it is."""
    if not (isinstance(item, cbor2.CBORTag) and item.tag == COSE_ENCRYPT0_TAG):
        return item
    try:
        enc_protected, unprotected, ciphertext = _array(item, COSE_ENCRYPT0_TAG, 3)
        header = _loads_exact(enc_protected)
        if not isinstance(header, Mapping) or header.get(COSE_HEADER_ALG) != COSE_ALG_A256GCM:
            raise ValueError("not AES-256-GCM")
        kid, iv = unprotected[COSE_HEADER_KID], unprotected[COSE_HEADER_IV]
        if not (isinstance(kid, bytes) and isinstance(iv, bytes) and isinstance(ciphertext, bytes)):
            raise ValueError("header types")
    except (ValueError, TypeError, KeyError, cbor2.CBORDecodeError) as exc:
        raise TicketQrError("damaged", str(exc)) from None
    key = station_keys.get(kid)
    if key is None:
        raise TicketQrError("unknown_station_key" if not station_keys else "not_for_this_station")
    try:
        sign1_bytes = AESGCM(key).decrypt(iv, ciphertext, cbor2.dumps(["Encrypt0", enc_protected, b""]))
        item = _loads_exact(sign1_bytes)
    except (InvalidTag, ValueError) as exc:
        raise TicketQrError("not_for_this_station", type(exc).__name__) from None
    return item


def _sign1_parts(item: Any) -> tuple[bytes, bytes, bytes, bytes]:
    """(protected header, payload, signature, signer kid) of a COSE_Sign1 made with EdDSA."""
    try:
        protected, _unprotected, payload, signature = _array(item, COSE_SIGN1_TAG, 4)
        header = _loads_exact(protected)
        if not isinstance(header, Mapping) or header.get(COSE_HEADER_ALG) != COSE_ALG_EDDSA:
            raise ValueError("not EdDSA")
        signer_kid = header[COSE_HEADER_KID]
        if not (isinstance(signer_kid, bytes) and isinstance(payload, bytes) and isinstance(signature, bytes)):
            raise ValueError("member types")
    except (ValueError, TypeError, KeyError, cbor2.CBORDecodeError) as exc:
        raise TicketQrError("damaged", str(exc)) from None
    return protected, payload, signature, signer_kid


def _plain(value: Any) -> Any:
    """cbor2 decodes maps as frozendicts and arrays as tuples: back to JSON-like dicts and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
