"""A BER-TLV walker (ISO/IEC 7816-4 §5.2, ITU-T X.690 §8.1): multi-byte tags, long-form lengths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import ParseError


@dataclass(frozen=True, slots=True)
class Tlv:
    """One data object: its tag as an integer of all tag bytes (0x5F1F, 0x7F61), and its value."""

    tag: int
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self, step: str = "TLV") -> tuple[Tlv, ...]:
        return parse_all(self.value, step)

    def find(self, tag: int, step: str = "TLV") -> Tlv | None:
        for child in self.children(step):
            if child.tag == tag:
                return child
        return None

    def require(self, tag: int, step: str = "TLV") -> Tlv:
        child = self.find(tag, step)
        if child is None:
            raise ParseError(step, f"missing tag {tag:X} inside {self.tag:X}")
        return child


def read_tlv(data: bytes, offset: int = 0, step: str = "TLV") -> tuple[Tlv, int]:
    """Decode one TLV at `offset`; returns it and the offset just past it."""
    header = read_header(data, offset, step)
    tag, value_start, length = header
    end = value_start + length
    if end > len(data):
        raise ParseError(step, f"value of tag {tag:X} runs past the end of the data")
    return Tlv(tag, bytes(data[value_start:end])), end


def read_header(data: bytes, offset: int = 0, step: str = "TLV") -> tuple[int, int, int]:
    """Decode a tag and length only: (tag, offset of the value, length of the value).

    Works on a truncated buffer, which is how the reader learns a file's size from its first bytes.
    """
    n = len(data)
    if offset >= n:
        raise ParseError(step, "no tag where one was expected")
    pos = offset
    tag = data[pos]
    pos += 1
    if tag & 0x1F == 0x1F:
        while True:
            if pos >= n:
                raise ParseError(step, "truncated multi-byte tag")
            b = data[pos]
            pos += 1
            tag = (tag << 8) | b
            if not b & 0x80:
                break
            if pos - offset > 4:
                raise ParseError(step, "tag longer than four bytes")
    if pos >= n:
        raise ParseError(step, "missing length")
    first = data[pos]
    pos += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise ParseError(step, "indefinite length is not allowed")
    else:
        count = first & 0x7F
        if count > 4:
            raise ParseError(step, "length field longer than four bytes")
        if pos + count > n:
            raise ParseError(step, "truncated length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    return tag, pos, length


def iter_tlv(data: bytes, step: str = "TLV") -> Iterator[Tlv]:
    pos = 0
    while pos < len(data):
        # ISO 7816-4 §5.2: 00 and FF between data objects are padding.
        if data[pos] in (0x00, 0xFF):
            pos += 1
            continue
        tlv, pos = read_tlv(data, pos, step)
        yield tlv


def parse_all(data: bytes, step: str = "TLV") -> tuple[Tlv, ...]:
    return tuple(iter_tlv(data, step))


def parse_single(data: bytes, expected_tag: int, step: str) -> Tlv:
    """Parse a file that is one TLV with a known outer tag (trailing bytes are ignored)."""
    tlv, _ = read_tlv(data, 0, step)
    if tlv.tag != expected_tag:
        raise ParseError(step, f"expected tag {expected_tag:X}, found {tlv.tag:X}")
    return tlv


def encode_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def encode_tag(tag: int) -> bytes:
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def encode_tlv(tag: int, value: bytes) -> bytes:
    return encode_tag(tag) + encode_length(len(value)) + value
