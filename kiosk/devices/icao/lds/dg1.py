"""DG1: the machine-readable zone (ICAO 9303-10 §4.7.1; layouts in ICAO 9303-5 TD1, 9303-4 TD3)."""

from __future__ import annotations

from dataclasses import dataclass

from ..crypto import check_digit
from ..errors import ParseError
from .tlv import parse_single

STEP = "DG1"
_ALLOWED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")


@dataclass(frozen=True, slots=True)
class Mrz:
    """A parsed MRZ. Dates stay YYMMDD as printed; `invalid_check_digits` names failed checks."""

    layout: str  # "TD1" | "TD2" | "TD3"
    document_code: str
    issuing_state: str
    document_number: str
    optional_data1: str
    birth_date: str
    sex: str  # "M" | "F" | "X" (printed "<")
    expiry_date: str
    nationality: str
    optional_data2: str
    surname: str
    given_names: str
    invalid_check_digits: tuple[str, ...]
    text: str

    @property
    def id_number(self) -> str | None:
        """The 12-digit personal ID number a CCCD carries in optional data 1 (docs/card.md)."""
        candidate = self.optional_data1[:12]
        return candidate if len(candidate) == 12 and candidate.isdigit() else None


def _cd(value: str, digit: str, name: str, bad: list[str], optional: bool = False) -> None:
    if optional and digit == "<" and set(value) <= {"<"}:
        return
    if not digit.isdigit() or check_digit(value) != int(digit):
        bad.append(name)


def _names(line: str) -> tuple[str, str]:
    primary, _, secondary = line.partition("<<")
    return primary.replace("<", " ").strip(), secondary.replace("<", " ").strip()


def _sex(ch: str) -> str:
    if ch in ("M", "F"):
        return ch
    if ch in ("<", "X"):
        return "X"
    raise ParseError(STEP, "sex field is not M, F or <")


def parse_mrz(text: str) -> Mrz:
    """Parse a TD1 (90 characters), TD2 (72) or TD3 (88) MRZ without line breaks."""
    if not set(text) <= _ALLOWED:
        raise ParseError(STEP, "MRZ contains characters outside A-Z 0-9 <")
    if len(text) == 90:
        return _td1(text)
    if len(text) in (72, 88):
        return _td23(text)
    raise ParseError(STEP, f"MRZ of {len(text)} characters matches no layout")


def _td1(text: str) -> Mrz:
    l1, l2, l3 = text[:30], text[30:60], text[60:]
    bad: list[str] = []
    doc, doc_cd, opt1 = l1[5:14], l1[14], l1[15:30]
    if doc_cd == "<" and opt1.strip("<"):
        # ICAO 9303-5 §4.2.2 note j: a number longer than 9 characters continues in optional
        # data 1, whose last character before the filler is the check digit.
        tail = opt1.rstrip("<")
        doc, doc_cd, opt1 = doc + tail[:-1], tail[-1], ""
    _cd(doc, doc_cd, "document_number", bad)
    birth, expiry = l2[0:6], l2[8:14]
    _cd(birth, l2[6], "birth_date", bad)
    _cd(expiry, l2[14], "expiry_date", bad)
    # ICAO 9303-5 §4.2.2: composite over line 1 pos 6-30, line 2 pos 1-7, 9-15, 19-29.
    _cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "composite", bad)
    if opt1[:12].isdigit() and opt1[12:14] == "<<" and opt1[14].isdigit():
        # docs/card.md: a CCCD puts id12 << check digit of id12 in optional data 1.
        _cd(opt1[:12], opt1[14], "id_number", bad)
    surname, given = _names(l3)
    return Mrz(
        "TD1", l1[0:2].replace("<", ""), l1[2:5], doc.rstrip("<"), opt1, birth, _sex(l2[7]),
        expiry, l2[15:18], l2[18:29], surname, given, tuple(bad), text,
    )


def _td23(text: str) -> Mrz:
    half = len(text) // 2
    l1, l2 = text[:half], text[half:]
    td3 = len(text) == 88
    bad: list[str] = []
    doc, doc_cd = l2[0:9], l2[9]
    birth, expiry = l2[13:19], l2[21:27]
    _cd(doc, doc_cd, "document_number", bad)
    _cd(birth, l2[19], "birth_date", bad)
    _cd(expiry, l2[27], "expiry_date", bad)
    if td3:
        opt = l2[28:42]
        _cd(opt, l2[42], "optional_data", bad, optional=True)
        composite = l2[0:10] + l2[13:20] + l2[21:43]
        _cd(composite, l2[43], "composite", bad)
    else:
        opt = l2[28:35]
        composite = l2[0:10] + l2[13:20] + l2[21:35]
        _cd(composite, l2[35], "composite", bad)
    surname, given = _names(l1[5:])
    return Mrz(
        "TD3" if td3 else "TD2", l1[0:2].replace("<", ""), l1[2:5], doc.rstrip("<"), "",
        birth, _sex(l2[20]), expiry, l2[10:13], opt, surname, given, tuple(bad), text,
    )


def parse_dg1(data: bytes) -> Mrz:
    """DG1 = 61 { 5F1F MRZ }."""
    outer = parse_single(data, 0x61, STEP)
    mrz = outer.require(0x5F1F, STEP)
    try:
        text = mrz.value.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError(STEP, "MRZ is not ASCII") from None
    return parse_mrz(text)
