"""Command APDUs of ISO/IEC 7816-4 as the ICAO 9303 inspection system sends them.

`ne` is the number of expected response bytes: None = no Le field, 256 = short "00",
65536 = extended "0000". Extended encoding is chosen when the data or `ne` needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .lds.tlv import encode_tlv

SHORT_MAX_NE = 256
EXTENDED_MAX_NE = 65536

INS_SELECT = 0xA4
INS_READ_BINARY = 0xB0
INS_READ_BINARY_ODD = 0xB1
INS_GET_CHALLENGE = 0x84
INS_EXTERNAL_AUTHENTICATE = 0x82
INS_INTERNAL_AUTHENTICATE = 0x88
INS_MSE = 0x22
INS_GENERAL_AUTHENTICATE = 0x86
INS_GET_RESPONSE = 0xC0

LDS1_AID = bytes.fromhex("A0000002471001")


@dataclass(frozen=True, slots=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    ne: int | None = None
    force_extended: bool = False

    @property
    def header(self) -> bytes:
        return bytes([self.cla, self.ins, self.p1, self.p2])

    @property
    def extended(self) -> bool:
        return (
            self.force_extended
            or len(self.data) > 255
            or (self.ne is not None and self.ne > SHORT_MAX_NE)
        )

    def to_bytes(self) -> bytes:
        """Encode as case 1-4, short or extended (ISO/IEC 7816-4 §5.1)."""
        out = bytearray(self.header)
        ext = self.extended
        if self.data:
            out += len(self.data).to_bytes(3, "big") if ext else bytes([len(self.data)])
            out += self.data
        if self.ne is not None:
            if ext:
                le = (self.ne % EXTENDED_MAX_NE).to_bytes(2, "big")
                out += le if self.data else b"\x00" + le
            else:
                out.append(self.ne % SHORT_MAX_NE)
        return bytes(out)

    def with_ne(self, ne: int, extended: bool | None = None) -> CommandApdu:
        return CommandApdu(
            self.cla, self.ins, self.p1, self.p2, self.data, ne,
            self.force_extended if extended is None else extended,
        )


def parse_command(apdu: bytes) -> CommandApdu:
    """Decode an encoded command APDU (used by the secure-messaging wrapper)."""
    if len(apdu) < 4:
        raise ValueError("command APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return CommandApdu(cla, ins, p1, p2)
    if len(body) == 1:
        return CommandApdu(cla, ins, p1, p2, ne=body[0] or SHORT_MAX_NE)
    if body[0] != 0:
        lc = body[0]
        data = body[1 : 1 + lc]
        if len(data) != lc:
            raise ValueError("Lc does not match the data length")
        rest = body[1 + lc :]
        if not rest:
            return CommandApdu(cla, ins, p1, p2, data)
        if len(rest) == 1:
            return CommandApdu(cla, ins, p1, p2, data, rest[0] or SHORT_MAX_NE)
        raise ValueError("trailing bytes after a short Le")
    if len(body) == 3:
        le = int.from_bytes(body[1:3], "big")
        return CommandApdu(cla, ins, p1, p2, ne=le or EXTENDED_MAX_NE, force_extended=True)
    lc = int.from_bytes(body[1:3], "big")
    data = body[3 : 3 + lc]
    if len(data) != lc or lc == 0:
        raise ValueError("extended Lc does not match the data length")
    rest = body[3 + lc :]
    if not rest:
        return CommandApdu(cla, ins, p1, p2, data, force_extended=True)
    if len(rest) == 2:
        le = int.from_bytes(rest, "big")
        return CommandApdu(cla, ins, p1, p2, data, le or EXTENDED_MAX_NE, force_extended=True)
    raise ValueError("bad extended Le")


def select_aid(aid: bytes = LDS1_AID) -> CommandApdu:
    # ICAO 9303-10 §3.6.2: SELECT by DF name, no FCI returned (P2 = 0C).
    return CommandApdu(0x00, INS_SELECT, 0x04, 0x0C, aid)


def select_ef(fid: int) -> CommandApdu:
    return CommandApdu(0x00, INS_SELECT, 0x02, 0x0C, fid.to_bytes(2, "big"))


def read_binary(offset: int, ne: int, sfi: int | None = None, extended: bool = False) -> CommandApdu:
    """READ BINARY: by short file identifier (offset ≤ 255), by offset in the current EF
    (≤ 32767), or with the odd instruction B1 and an offset data object beyond that
    (ISO/IEC 7816-4 §11.2.3)."""
    if sfi is not None:
        if not 0 <= offset <= 0xFF:
            raise ValueError("an SFI read addresses offsets 0..255 only")
        return CommandApdu(0x00, INS_READ_BINARY, 0x80 | sfi, offset, ne=ne, force_extended=extended)
    if offset <= 0x7FFF:
        return CommandApdu(0x00, INS_READ_BINARY, offset >> 8, offset & 0xFF, ne=ne, force_extended=extended)
    body = offset.to_bytes((offset.bit_length() + 7) // 8, "big")
    return CommandApdu(0x00, INS_READ_BINARY_ODD, 0, 0, encode_tlv(0x54, body), ne=ne, force_extended=extended)


def get_challenge(length: int = 8) -> CommandApdu:
    return CommandApdu(0x00, INS_GET_CHALLENGE, 0, 0, ne=length)


def external_authenticate(data: bytes, ne: int) -> CommandApdu:
    return CommandApdu(0x00, INS_EXTERNAL_AUTHENTICATE, 0, 0, data, ne)


def internal_authenticate(challenge: bytes, ne: int = SHORT_MAX_NE) -> CommandApdu:
    return CommandApdu(0x00, INS_INTERNAL_AUTHENTICATE, 0, 0, challenge, ne)


def mse_set_kat(ephemeral_public: bytes, key_id: bytes | None = None) -> CommandApdu:
    # ICAO 9303-11 §6.2.4.1 (3DES chip authentication): MSE:Set KAT, P1P2 = 41A6.
    data = encode_tlv(0x91, ephemeral_public)
    if key_id is not None:
        data += encode_tlv(0x84, key_id)
    return CommandApdu(0x00, INS_MSE, 0x41, 0xA6, data)


def mse_set_at(protocol_oid: bytes, key_ref: bytes | None = None, key_id: bytes | None = None) -> CommandApdu:
    # ICAO 9303-11 §6.2.4.2: MSE:Set AT, P1P2 = 41A4 (CA, AES) or C1A4 (PACE).
    data = encode_tlv(0x80, protocol_oid)
    if key_ref is not None:
        data += encode_tlv(0x83, key_ref)
    if key_id is not None:
        data += encode_tlv(0x84, key_id)
    return CommandApdu(0x00, INS_MSE, 0x41, 0xA4, data)


def general_authenticate(dynamic_data: bytes, last: bool = True, ne: int | None = SHORT_MAX_NE) -> CommandApdu:
    # ISO 7816-4 command chaining: CLA bit 0x10 set on every step but the last.
    return CommandApdu(0x00 if last else 0x10, INS_GENERAL_AUTHENTICATE, 0, 0, encode_tlv(0x7C, dynamic_data), ne)
