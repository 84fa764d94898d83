"""DG13 of the Vietnamese CCCD: personal data as a SET of SEQUENCE { INTEGER n, value } (docs/card.md).

Fields are keyed by their number, never by position; absent fields are missing; the parent
and spouse fields collect their strings depth-first whatever the nesting; anything that is not
a readable string is kept raw.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kiosk.domain.partial_date import PartialDate, parse_partial_date
from kiosk.domain.text import scrub

from ..errors import ParseError
from .tlv import Tlv, encode_tlv, parse_single

STEP = "DG13"

FIELD_NAMES: Mapping[int, str] = MappingProxyType(
    {
        1: "id_number",
        2: "full_name",
        3: "birth_date",
        4: "sex",
        5: "nationality",
        6: "ethnicity",
        7: "religion",
        8: "place_of_origin",
        9: "place_of_residence",
        10: "identifying_features",
        11: "issue_date",
        12: "expiry_date",
        15: "old_id_number",
    }
)

_STRING_TAGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii", 0x14: "latin-1", 0x1A: "ascii", 0x1E: "utf-16-be"}
_INTEGER = 0x02
_OLD_ID = re.compile(r"\d{9}")


@dataclass(frozen=True, slots=True)
class Dg13:
    """Decoded DG13: `text` holds single-string fields by number, `parents` (13) and `spouse`
    (14) the strings found inside those fields, `raw` every field that is not a readable string
    (its value TLVs as encoded)."""

    version: int | None
    text: Mapping[int, str]
    parents: tuple[str, ...] | None
    spouse: tuple[str, ...] | None
    raw: Mapping[int, bytes]

    def get(self, name: str) -> str | None:
        for number, field in FIELD_NAMES.items():
            if field == name:
                if name == "old_id_number":
                    return self.old_id_number
                return self.text.get(number)
        raise KeyError(name)

    @property
    def father_name(self) -> str | None:
        return self.parents[0] if self.parents and len(self.parents) > 0 else None

    @property
    def mother_name(self) -> str | None:
        return self.parents[1] if self.parents and len(self.parents) > 1 else None

    @property
    def spouse_name(self) -> str | None:
        return self.spouse[0] if self.spouse else None

    @property
    def old_id_number(self) -> str | None:
        # docs/card.md: field 15 on most sources, 16 on one; key on the 9-digit content.
        for number in (15, 16):
            value = self.text.get(number)
            if value is not None and _OLD_ID.fullmatch(value):
                return value
        return None

    @property
    def unknown(self) -> Mapping[int, str]:
        """Fields with no known meaning (16 and beyond, or undecodable ones), as text or hex."""
        out: dict[int, str] = {}
        for number, value in self.text.items():
            # Field 15 is the old number only when it reads as one (docs/card.md: key on content).
            named = number in FIELD_NAMES and number != 15
            if not named and number not in (13, 14) and value != self.old_id_number:
                out[number] = value
        for number, blob in self.raw.items():
            out.setdefault(number, blob.hex())
        return MappingProxyType(out)


def _decode(tlv: Tlv) -> str | None:
    encoding = _STRING_TAGS.get(tlv.tag)
    if encoding is None:
        return None
    try:
        # A card cannot be corrected at the counter: NFC, and control or text-direction characters dropped.
        return scrub(tlv.value.decode(encoding))
    except UnicodeDecodeError:
        return None


def _strings_depth_first(items: tuple[Tlv, ...]) -> tuple[str, ...] | None:
    out: list[str] = []
    for item in items:
        if item.constructed:
            try:
                nested = _strings_depth_first(item.children(STEP))
            except ParseError:
                return None
            if nested is None:
                return None
            out.extend(nested)
        else:
            text = _decode(item)
            if text is None:
                return None
            out.append(text)
    return tuple(out)


def parse_dg13(data: bytes) -> Dg13:
    outer = parse_single(data, 0x6D, STEP)
    top = outer.children(STEP)
    if len(top) != 1 or top[0].tag != 0x30:
        raise ParseError(STEP, "DG13 must hold one SEQUENCE")
    body = top[0].children(STEP)
    version: int | None = None
    fields_set: Tlv | None = None
    for item in body:
        if item.tag == _INTEGER and version is None:
            version = int.from_bytes(item.value, "big", signed=True) if item.value else None
        elif item.tag == 0x31:
            fields_set = item
    if fields_set is None:
        raise ParseError(STEP, "DG13 holds no SET of fields")
    text: dict[int, str] = {}
    raw: dict[int, bytes] = {}
    parents: tuple[str, ...] | None = None
    spouse: tuple[str, ...] | None = None
    for field in fields_set.children(STEP):
        if field.tag != 0x30:
            raise ParseError(STEP, f"field is tag {field.tag:X}, not a SEQUENCE")
        parts = field.children(STEP)
        if not parts or parts[0].tag != _INTEGER or not 1 <= len(parts[0].value) <= 4:
            raise ParseError(STEP, "field does not start with its number")
        number = int.from_bytes(parts[0].value, "big")
        values = parts[1:]
        if number in text or number in raw or (number == 13 and parents is not None) or (
            number == 14 and spouse is not None
        ):
            raise ParseError(STEP, f"field {number} appears twice")
        if number in (13, 14):
            strings = _strings_depth_first(values)
            if strings is None:
                raw[number] = b"".join(_encode(v) for v in values)
            elif number == 13:
                parents = strings
            else:
                spouse = strings
            continue
        decoded = _decode(values[0]) if len(values) == 1 else None
        if decoded is None:
            raw[number] = b"".join(_encode(v) for v in values)
        else:
            text[number] = decoded
    return Dg13(version, MappingProxyType(text), parents, spouse, MappingProxyType(raw))


def _encode(tlv: Tlv) -> bytes:
    return encode_tlv(tlv.tag, tlv.value)


__all__ = ["FIELD_NAMES", "Dg13", "PartialDate", "parse_dg13", "parse_partial_date"]
