"""The one key field of the card page: what the officer typed or scanned, and what it means.

Six digits are the card access number (CAN); twelve digits are the ID number, optionally followed by
the birth date and the expiry date (`001099012345 05/09/1990 05/09/2030`, or `không thời hạn`);
90 characters of `A-Z 0-9 <` are the MRZ; a text with `|` (or a long scanned text) is the card's QR
code. The result is plain data; the chip reader turns it into an access key.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.domain.card_qr import QR_MESSAGES, CardQr, QrError, clean_scan, looks_like_qr, parse_card_qr
from kiosk.domain.partial_date import PartialDate

MRZ_LENGTH = 90
_MRZ_CHARS = re.compile(r"[A-Z0-9<]+")
_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})|(\d{2})(\d{2})(\d{4})")
_NO_EXPIRY_WORDS = {"khongthoihan", "ktth", "kth", "none", "-", "vinhvien"}


class KeyEntryError(ValueError):
    """The text is no key; `reason` is a code of `MESSAGES` (or of the QR's), `count` the MRZ length."""

    def __init__(self, reason: str, count: int = 0) -> None:
        self.reason = reason
        self.count = count
        super().__init__(reason)


#: What the officer reads for each reason (Vietnamese, English); "%1" is the MRZ's length so far.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty": (
        "Nhập số CAN 6 số, hoặc số định danh, ngày sinh và ngày hết hạn, hoặc MRZ; hoặc quét mã QR trên thẻ.",
        "Type the 6-digit CAN, or the ID number, birth date and expiry date, or the MRZ; or scan the card's QR code.",
    ),
    "digits": (
        "Số CAN gồm 6 chữ số; số định danh gồm 12 chữ số.",
        "The CAN has 6 digits; the ID number has 12.",
    ),
    "dates": (
        "Sau số định danh, nhập ngày sinh rồi ngày hết hạn dạng ngày/tháng/năm (ví dụ 001099012345 05/09/1990 "
        "05/09/2030), hoặc 'không thời hạn'.",
        "After the ID number, type the birth date then the expiry date as day/month/year (e.g. 001099012345 "
        "05/09/1990 05/09/2030), or 'không thời hạn' (no expiry).",
    ),
    "mrz_length": (
        "MRZ cần đúng 90 ký tự (đang có %1).",
        "The MRZ has exactly 90 characters (%1 so far).",
    ),
    "mrz_invalid": (
        "MRZ không hợp lệ: kiểm tra lại các ký tự và chữ số kiểm tra.",
        "The MRZ is not valid: check its characters and check digits.",
    ),
    "not_understood": (
        "Không hiểu khóa đã nhập. Nhập số CAN 6 số, hoặc số định danh 12 số rồi ngày sinh và ngày hết hạn, "
        "hoặc MRZ 90 ký tự; hoặc quét mã QR trên thẻ.",
        "The key was not understood. Type the 6-digit CAN, or the 12-digit ID number then the birth and expiry "
        "dates, or the 90-character MRZ; or scan the card's QR code.",
    ),
    **QR_MESSAGES,
}


def message(reason: str, language: str = "vi", count: int = 0) -> str:
    vi, en = MESSAGES.get(reason, MESSAGES["not_understood"])
    return (en if language == "en" else vi).replace("%1", str(count))


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One interpreted entry. kind: "can", "id" (ID number, maybe with the birth date), "numbers"
    (ID number, birth and expiry), "mrz" or "qr"."""

    kind: str
    can: str | None = None
    id_number: str | None = None
    birth: PartialDate | None = None
    expiry: date | None = None  # with kind "numbers": None means the card has no expiry
    mrz: str | None = None
    qr: CardQr | None = None

    def __repr__(self) -> str:
        return f"KeyEntry({self.kind}, <hidden>)"

    __str__ = __repr__


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = (match[1], match[2], match[3]) if match[1] else (match[4], match[5], match[6])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _numbers(text: str) -> KeyEntry:
    """`id12 [birth [expiry | không thời hạn]]`, separated by spaces, commas or semicolons."""
    tokens = [t for t in re.split(r"[\s,;]+", text.strip()) if t]
    id_number = tokens[0]
    if len(tokens) == 1:
        return KeyEntry("id", can=id_number[-6:], id_number=id_number)
    birth = _date(tokens[1])
    if birth is None:
        raise KeyEntryError("dates")
    birth_date = PartialDate(birth.year, birth.month, birth.day)
    if len(tokens) == 2:
        return KeyEntry("id", can=id_number[-6:], id_number=id_number, birth=birth_date)
    rest = "".join(tokens[2:])
    if _fold(rest) in _NO_EXPIRY_WORDS:
        return KeyEntry("numbers", id_number=id_number, birth=birth_date, expiry=None)
    expiry = _date(rest) if len(tokens) == 3 else None
    if expiry is None:
        raise KeyEntryError("dates")
    return KeyEntry("numbers", id_number=id_number, birth=birth_date, expiry=expiry)


def mrz_in_progress(text: str) -> bool:
    """A typed or scanned MRZ that has one or two of its three lines so far: Enter goes on."""
    compact = re.sub(r"\s", "", text).upper()
    return compact.startswith("I") and len(compact) in (30, 60) and bool(_MRZ_CHARS.fullmatch(compact))


def interpret(text: str) -> KeyEntry:
    """What the officer's text is; raises `KeyEntryError` (or `QrError`) with the reason."""
    if not text.strip():
        raise KeyEntryError("empty")
    if looks_like_qr(text):
        try:
            qr = parse_card_qr(text)
        except QrError as exc:
            raise KeyEntryError(exc.reason) from None
        return KeyEntry("qr", can=qr.can, id_number=qr.id_number, birth=qr.birth, qr=qr)
    cleaned = clean_scan(text)
    compact = re.sub(r"\s", "", cleaned)
    if compact.isdigit() and len(compact) in (6, 12):
        if len(compact) == 6:
            return KeyEntry("can", can=compact)
        return KeyEntry("id", can=compact[-6:], id_number=compact)
    upper = compact.upper()
    if _MRZ_CHARS.fullmatch(upper) and "<" in upper:
        if len(upper) != MRZ_LENGTH:
            raise KeyEntryError("mrz_length", len(upper))
        return KeyEntry("mrz", mrz=upper)
    if re.match(r"\d{12}(\s|[,;]|$)", cleaned):
        return _numbers(cleaned)
    if re.match(r"\d{3} ?\d{3} ?\d{3} ?\d{3}\s", cleaned):
        # An ID number typed in groups of three, then the dates.
        head = re.match(r"(\d{3}) ?(\d{3}) ?(\d{3}) ?(\d{3})", cleaned)
        assert head is not None
        return _numbers("".join(head.groups()) + cleaned[head.end():])
    if compact.isdigit():
        raise KeyEntryError("digits")
    raise KeyEntryError("not_understood")
