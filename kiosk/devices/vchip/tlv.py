"""Minimal BER/DER encoders for building LDS files on the card side (ISO/IEC 8825-1).

Only what the virtual chip writes: definite lengths (short and long form), multi-byte tags given
as integers (0x5F01, 0x7F61), and the few universal types the LDS uses.
"""

from __future__ import annotations


def encode_length(n: int) -> bytes:
    """Definite length: short form below 128, else 0x81/0x82/0x83 long form (X.690 §8.1.3)."""
    if n < 0:
        raise ValueError("negative length")
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tag_bytes(tag: int) -> bytes:
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big")


def tlv(tag: int, value: bytes) -> bytes:
    return tag_bytes(tag) + encode_length(len(value)) + value


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def der_set(*items: bytes, sort: bool = True) -> bytes:
    """A SET (OF); DER sorts the encoded elements (X.690 §11.6)."""
    parts = sorted(items) if sort else list(items)
    return tlv(0x31, b"".join(parts))


def integer(value: int) -> bytes:
    length = max(1, (value.bit_length() + 8) // 8) if value >= 0 else (value.bit_length() + 8) // 8
    return tlv(0x02, value.to_bytes(length, "big", signed=True))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(0x06, bytes(body))


def octet_string(value: bytes) -> bytes:
    return tlv(0x04, value)


def utf8(text: str) -> bytes:
    return tlv(0x0C, text.encode("utf-8"))


def printable(text: str) -> bytes:
    return tlv(0x13, text.encode("ascii"))


def null() -> bytes:
    return b"\x05\x00"


def parse_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """Read one BER-TLV at `offset`: returns (tag, value, next offset). Used for command data."""
    if offset >= len(data):
        raise ValueError("TLV truncated")
    start = offset
    first = data[offset]
    offset += 1
    if first & 0x1F == 0x1F:
        while True:
            if offset >= len(data):
                raise ValueError("TLV tag truncated")
            b = data[offset]
            offset += 1
            if not b & 0x80:
                break
    tag = int.from_bytes(data[start:offset], "big")
    if offset >= len(data):
        raise ValueError("TLV length missing")
    length = data[offset]
    offset += 1
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 3 or offset + count > len(data):
            raise ValueError("bad TLV length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise ValueError("TLV value truncated")
    return tag, data[offset : offset + length], offset + length


def parse_all(data: bytes) -> list[tuple[int, bytes]]:
    out = []
    offset = 0
    while offset < len(data):
        tag, value, offset = parse_tlv(data, offset)
        out.append((tag, value))
    return out
