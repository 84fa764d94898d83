"""The QR code on the front of a 2021 citizen identity card, as the counter's 2D scanner types it.

Layout (docs/card.md): `id12|cmnd9|Họ và tên|ddmmyyyy|Nam/Nữ|nơi thường trú|ddmmyyyy` — the ID number,
the old 9-digit number (may be empty), name, birth date, sex, residence, issue date. Some cards
have six fields (no old number); birth dates may be incomplete (`mmyyyy`, `yyyy`). The QR carries
no expiry: it follows from the birth and issue dates by law (`card_expiry`).

A keyboard-wedge scanner types the text as key presses, so what arrives may carry a scanner's
prefix or suffix (an AIM symbology identifier `]Q1`, a configured label, CR/LF/Tab) and the marks
of a Vietnamese input method left on: Telex turns `]` into `ư` and `dd` into `đ`, VNI takes digits
after a vowel as tone marks. The fields the key needs are digits, which Telex leaves alone; a date
whose digits were taken is reported, never guessed.

The card issued from 1 July 2024 (thẻ Căn cước) has a QR code on its back whose format is not
public: it is reported as an unknown format.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from kiosk.domain.card_expiry import card_expiry, no_expiry_certain
from kiosk.domain.partial_date import PartialDate, parse_partial_date

#: AIM ISO/IEC 15424 symbology identifier a scanner may send first (`]Q1` for QR code), also as a
#: Telex input method types it (`]` → `ư`, `}` → `Ư`).
_AIM_PREFIX = re.compile(r"^[\]ưƯ}][A-Za-z][0-9A-Za-z]")
#: Separators: the `|` of the layout, and the bars keyboard layouts or input methods may make of it.
_SEPARATORS = str.maketrans({"¦": "|", "｜": "|", "│": "|"})
_ID_AT_END = re.compile(r"(\d{12})$")
_DIGITS = re.compile(r"\d+")


class QrError(ValueError):
    """Not a usable card QR text; `reason` is a code of `QR_MESSAGES`."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


#: What the officer reads for each reason (Vietnamese, English).
QR_MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_format": (
        "Mã QR này không phải mã QR mặt trước thẻ CCCD mẫu 2021 (thẻ Căn cước cấp từ 01/07/2024 có mã QR "
        "chưa đọc được). Nhập số CAN 6 số in trên thẻ, hoặc số định danh, ngày sinh và ngày hết hạn.",
        "This QR code is not the front QR code of a 2021 citizen identity card (the identity card issued from "
        "1 July 2024 has a QR code that cannot be read yet). Type the 6-digit CAN printed on the card, or the "
        "ID number, birth date and expiry date.",
    ),
    "no_id_number": (
        "Mã QR không có số định danh 12 số. Quét lại mã QR, hoặc nhập số CAN 6 số in trên thẻ.",
        "The QR code holds no 12-digit ID number. Scan it again, or type the 6-digit CAN printed on the card.",
    ),
    "bad_birth_date": (
        "Ngày sinh trong mã QR bị sai khi quét. Nếu máy đang bật bộ gõ tiếng Việt (Unikey, EVKey…), chuyển "
        "sang gõ tiếng Anh rồi quét lại, hoặc nhập số CAN 6 số in trên thẻ.",
        "The birth date in the QR code came through garbled. If a Vietnamese input method (Unikey, EVKey…) is "
        "on, switch it to English and scan again, or type the 6-digit CAN printed on the card.",
    ),
    "bad_issue_date": (
        "Ngày cấp trong mã QR bị sai khi quét. Nếu máy đang bật bộ gõ tiếng Việt (Unikey, EVKey…), chuyển "
        "sang gõ tiếng Anh rồi quét lại, hoặc nhập số CAN 6 số in trên thẻ.",
        "The issue date in the QR code came through garbled. If a Vietnamese input method (Unikey, EVKey…) is "
        "on, switch it to English and scan again, or type the 6-digit CAN printed on the card.",
    ),
}


@dataclass(frozen=True, slots=True)
class CardQr:
    """What the 2021 card's QR code says. `birth` may be incomplete; `issue_date` None when absent."""

    id_number: str
    old_id_number: str | None
    full_name: str
    birth: PartialDate
    sex: str | None  # "M" / "F" when the word survived the scanner, else None
    residence: str
    issue_date: date | None
    fields: int  # 7 for the full 2021 layout, 6 for the short one

    def __repr__(self) -> str:
        return f"CardQr(<hidden>, fields={self.fields})"

    __str__ = __repr__

    @property
    def can(self) -> str:
        """The card access number phone apps use: the ID number's last six digits (docs/card.md, likely)."""
        return self.id_number[-6:]

    @property
    def document_number(self) -> str:
        return self.id_number[-9:]

    def expiry(self) -> tuple[bool, date | None]:
        """(known, expiry): the expiry the laws give for this birth and issue date (None = no
        expiry); known is False when the QR lacks the issue date or the birth's day decides it."""
        if self.issue_date is None:
            return False, None
        birth = self.birth.complete
        if birth is not None:
            return True, card_expiry(birth, self.issue_date)
        if no_expiry_certain(self.birth, self.issue_date):
            return True, None
        return False, None


def clean_scan(text: str) -> str:
    """The scanned text without what the scanner or the keyboard added around it."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")  # CR, LF, Tab, STX, ETX…
    text = text.strip()
    text = _AIM_PREFIX.sub("", text)
    return text.translate(_SEPARATORS).strip()


def looks_like_qr(text: str) -> bool:
    """Whether the text is a scanned QR code (of any card), rather than a key typed by hand."""
    cleaned = clean_scan(text)
    return "|" in cleaned or len(cleaned) > 40 and not re.fullmatch(r"[A-Z0-9<\s]+", cleaned.upper())


def _sex(word: str) -> str | None:
    folded = unicodedata.normalize("NFC", word).strip().lower()
    if folded == "nam":
        return "M"
    if folded in ("nữ", "nu", "nư"):
        return "F"
    return None


def _date_field(text: str, reason: str, *, partial: bool) -> PartialDate:
    # A scanner suffix may follow the last field ("…|15082021#", "…|15082021 END"): take the digits
    # that start the field, and nothing else.
    match = _DIGITS.match(text.strip())
    digits = match.group(0) if match else ""
    if len(digits) not in ((8, 6, 4) if partial else (8,)):
        raise QrError(reason)
    parsed = parse_partial_date(digits)
    if parsed is None or (len(digits) == 8 and parsed.complete is None) or not 1900 <= parsed.year <= 2100:
        raise QrError(reason)
    return parsed


def parse_card_qr(text: str) -> CardQr:
    """Parse a scanned 2021 card QR text; raises `QrError` with the reason otherwise."""
    cleaned = clean_scan(text)
    fields = cleaned.split("|")
    while len(fields) > 7 and not fields[-1].strip():
        fields.pop()  # a scanner suffix that ends with the separator
    if len(fields) < 6:
        raise QrError("unknown_format")
    match = _ID_AT_END.search(fields[0].strip())
    if match is None:
        raise QrError("no_id_number" if len(fields) in (6, 7) else "unknown_format")
    id_number = match.group(1)
    rest = [f.strip() for f in fields[1:]]
    old: str | None = None
    if len(rest) >= 6 and re.fullmatch(r"\d{9}|\d{12}|", rest[0]):
        old = rest.pop(0) or None
    elif len(rest) == 5 and re.fullmatch(r"\d{9}|\d{12}|", rest[0]):
        # Six fields with the old number and no issue date: id|cmnd|name|birth|sex|residence.
        old = rest.pop(0) or None
        rest.append("")
    if len(rest) != 5:
        raise QrError("unknown_format")
    name, birth_text, sex_text, residence, issue_text = rest
    birth = _date_field(birth_text, "bad_birth_date", partial=True)
    issue = _date_field(issue_text, "bad_issue_date", partial=False).complete if issue_text else None
    return CardQr(id_number, old, name, birth, _sex(sex_text), residence, issue, len(fields))
