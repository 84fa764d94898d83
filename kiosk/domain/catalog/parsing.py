"""Reading what a person typed: folded search keys, mobile numbers, ID numbers, dates, amounts (no I/O)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from kiosk.domain.id_number import IdNumber, IdNumberError

# Mobile prefixes in use since the 2018 move from 11 to 10 digits (Viettel, VinaPhone, MobiFone,
# Vietnamobile, Gmobile, iTel, Reddi); landline area codes (02x) are not accepted.
MOBILE_PREFIXES = frozenset({
    "032", "033", "034", "035", "036", "037", "038", "039",
    "052", "055", "056", "058", "059",
    "070", "076", "077", "078", "079",
    "081", "082", "083", "084", "085", "086", "087", "088", "089",
    "090", "091", "092", "093", "094", "096", "097", "098", "099",
})

_DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def fold(text: str) -> str:
    """Accent-insensitive search key: đ→d, drop diacritics, lower case, single spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese mobile number as 10 digits `0xxxxxxxxx`, or None; accepts +84/84, spaces, dots, dashes."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits) or digits[:3] not in MOBILE_PREFIXES:
        return None
    return digits


def id_number_problem(value: str, today: date) -> tuple[str, str] | None:
    """Why a 12-digit personal ID number is impossible (vi, en), or None (Circular 07/2016/TT-BCA Art. 7)."""
    try:
        number = IdNumber.parse(value)
    except IdNumberError as exc:
        if exc.reason == "unknown_province":
            return (f"3 chữ số đầu ({value.strip()[:3]}) không phải mã tỉnh, thành phố nơi đăng ký khai sinh",
                    f"the first three digits ({value.strip()[:3]}) are not a province code")
        return ("phải gồm đúng 12 chữ số", "must be exactly 12 digits")
    if number.birth_year > today.year:
        return ("chữ số thứ 4 và năm sinh (chữ số 5–6) cho ra năm sinh trong tương lai",
                "the century digit and birth year give a year in the future")
    return None


def parse_date(value: Any) -> date:
    """A date from a `date`, an ISO string or `dd/mm/yyyy`; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = _DMY_RE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    raise ValueError(value)


def parse_datetime(value: Any) -> datetime:
    """A datetime from a `datetime`, an ISO string or `dd/mm/yyyy hh:mm`; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d{1,2}/\d{1,2}/\d{4})\s+(\d{1,2}):(\d{2})", text)
        if m:
            return datetime.combine(parse_date(m.group(1)), time(int(m.group(2)), int(m.group(3))))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
            return datetime.fromisoformat(text)
    raise ValueError(value)


def parse_money(value: Any) -> int:
    """Whole đồng from an int or a string such as `1.000.000`; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = re.sub(r"[\s.,]", "", value.strip().removesuffix("đ").removesuffix("VND").strip())
        if re.fullmatch(r"-?\d+", text):
            return int(text)
    raise ValueError(value)


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip().replace(",", "."))
    raise ValueError(value)


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value) == 0
    return False


def format_number(x: float) -> str:
    return f"{int(x):,}".replace(",", ".") if float(x).is_integer() else str(x)



