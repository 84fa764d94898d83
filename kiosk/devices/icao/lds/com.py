"""EF.COM: LDS version, Unicode version and the list of present data groups (ICAO 9303-10 §4.6.1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParseError
from .tlv import parse_single

STEP = "COM"

#: Data-group tags of ICAO 9303-10 Table 34 (the tag of each DG's outer template).
DG_TAGS = {
    0x61: 1, 0x75: 2, 0x63: 3, 0x76: 4, 0x65: 5, 0x66: 6, 0x67: 7, 0x68: 8,
    0x69: 9, 0x6A: 10, 0x6B: 11, 0x6C: 12, 0x6D: 13, 0x6E: 14, 0x6F: 15, 0x70: 16,
}


@dataclass(frozen=True, slots=True)
class Com:
    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"DG{n}" for n in self.data_groups)


def _ascii(value: bytes) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError(STEP, "version is not ASCII") from None


def parse_com(data: bytes) -> Com:
    outer = parse_single(data, 0x60, STEP)
    lds = outer.find(0x5F01, STEP)
    uni = outer.find(0x5F36, STEP)
    tags = outer.require(0x5C, STEP)
    groups = []
    for tag in tags.value:
        if tag not in DG_TAGS:
            raise ParseError(STEP, f"unknown data-group tag {tag:02X}")
        groups.append(DG_TAGS[tag])
    return Com(
        _ascii(lds.value) if lds else "",
        _ascii(uni.value) if uni else "",
        tuple(groups),
    )
