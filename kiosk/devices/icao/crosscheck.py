"""Consistency of what the chip says about its holder: DG1 (MRZ) against DG13 and the ID-number
rules (docs/card.md "Cross-check DG13 against DG1"; Circular 07/2016/TT-BCA Art. 7)."""

from __future__ import annotations

import unicodedata

from ...domain.id_number import IdNumber, IdNumberError
from .bac import NO_EXPIRY
from .lds.dg1 import Mrz
from .lds.dg13 import Dg13, PartialDate, parse_partial_date

_SEX_WORDS = {"nam": "M", "nữ": "F", "nu": "F", "male": "M", "female": "F"}


def _sex_word(text: str | None) -> str | None:
    if text is None:
        return None
    return _SEX_WORDS.get(unicodedata.normalize("NFC", text).strip().lower())


def _matches_yymmdd(mrz_date: str, date: PartialDate) -> bool:
    """Compare the known parts of a DG13 date with an MRZ YYMMDD (`<` marks unknown digits)."""
    yy, mm, dd = mrz_date[0:2], mrz_date[2:4], mrz_date[4:6]
    if yy.isdigit() and int(yy) != date.year % 100:
        return False
    if date.month is not None and mm.isdigit() and int(mm) != date.month:
        return False
    return not (date.day is not None and dd.isdigit() and int(dd) != date.day)


def cross_check(mrz: Mrz, dg13: Dg13 | None) -> tuple[str, ...]:
    """Reason codes for every inconsistency found; empty when all agree."""
    reasons: list[str] = [f"mrz_check_digit:{name}" for name in mrz.invalid_check_digits]
    id_text = mrz.id_number
    if dg13 is not None:
        chip_id = dg13.text.get(1)
        if chip_id is not None and id_text is not None and chip_id != id_text:
            reasons.append("id_number_mismatch")
        id_text = id_text or chip_id
    if id_text is None:
        reasons.append("id_number_missing")
    else:
        try:
            number = IdNumber.parse(id_text)
        except IdNumberError as exc:
            reasons.append(f"id_number_invalid:{exc.reason}")
            number = None
        if number is not None:
            if mrz.document_number != number.document_number:
                reasons.append("document_number_mismatch")
            if mrz.birth_date[:2].isdigit() and int(mrz.birth_date[:2]) != number.birth_year % 100:
                reasons.append("id_birth_year_mismatch")
            if mrz.sex in ("M", "F") and mrz.sex != number.sex:
                reasons.append("id_sex_mismatch")
            birth = parse_partial_date(dg13.text.get(3)) if dg13 is not None else None
            if birth is not None and birth.year != number.birth_year and "id_birth_year_mismatch" not in reasons:
                reasons.append("id_birth_year_mismatch")
    if dg13 is None:
        reasons.append("dg13_missing")
        return tuple(reasons)
    birth = parse_partial_date(dg13.text.get(3))
    if birth is not None and not _matches_yymmdd(mrz.birth_date, birth):
        reasons.append("birth_date_mismatch")
    sex = _sex_word(dg13.text.get(4))
    if sex is not None and mrz.sex in ("M", "F") and sex != mrz.sex:
        reasons.append("sex_mismatch")
    expiry_text = dg13.text.get(12)
    if expiry_text is not None:
        expiry = parse_partial_date(expiry_text)
        if expiry is None:
            # Text such as "Không thời hạn": the MRZ must say "no expiry" too.
            if mrz.expiry_date != NO_EXPIRY:
                reasons.append("expiry_mismatch")
        elif mrz.expiry_date == NO_EXPIRY or not _matches_yymmdd(mrz.expiry_date, expiry):
            reasons.append("expiry_mismatch")
    return tuple(reasons)
