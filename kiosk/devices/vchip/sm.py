"""Card-side secure messaging (ICAO 9303-11 §9.8): unwrap protected commands, wrap responses.

The same object serves 3DES sessions (after BAC or CA-3DES) and AES sessions (after CA-AES).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.icao import crypto
from kiosk.devices.vchip import tlv


class SMError(Exception):
    """A protected command that fails verification; `sw` is what the chip answers (plain)."""

    def __init__(self, sw: int, reason: str) -> None:
        super().__init__(reason)
        self.sw = sw


@dataclass(slots=True)
class ProtectedCommand:
    """The plain command recovered from a protected APDU."""

    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int  # expected response length; 0 = no DO'97'


@dataclass(slots=True)
class CardSM:
    """One secure-messaging session: keys, cipher and the send sequence counter."""

    ks_enc: bytes
    ks_mac: bytes
    ssc: int
    cipher: str = "3des"  # "3des" | "aes"

    @property
    def block(self) -> int:
        return 16 if self.cipher == "aes" else 8

    def _ssc_bytes(self) -> bytes:
        return self.ssc.to_bytes(self.block, "big")

    def _mac(self, data: bytes) -> bytes:
        padded = crypto.pad(self._ssc_bytes() + data, self.block)
        if self.cipher == "aes":
            return crypto.aes_cmac(self.ks_mac, padded)
        return crypto.retail_mac(self.ks_mac, padded)

    def _iv(self) -> bytes:
        # AES: IV = E(KS_enc, SSC) (ICAO 9303-11 §9.8.6.1); 3DES: zero IV.
        if self.cipher == "aes":
            return crypto.aes_ecb_encrypt(self.ks_enc, self._ssc_bytes())
        return crypto.ZERO_IV8

    def _encrypt(self, data: bytes) -> bytes:
        padded = crypto.pad(data, self.block)
        if self.cipher == "aes":
            return crypto.aes_encrypt(self.ks_enc, padded, self._iv())
        return crypto.tdes_encrypt(self.ks_enc, padded)

    def _decrypt(self, data: bytes) -> bytes:
        if len(data) % self.block or not data:
            raise SMError(0x6988, "cryptogram length is not a multiple of the block size")
        plain = (crypto.aes_decrypt(self.ks_enc, data, self._iv()) if self.cipher == "aes"
                 else crypto.tdes_decrypt(self.ks_enc, data))
        try:
            return crypto.unpad(plain)
        except ValueError as exc:
            raise SMError(0x6988, "bad padding in cryptogram") from exc

    def unwrap(self, cla: int, ins: int, p1: int, p2: int, body: bytes) -> ProtectedCommand:
        """Verify and decrypt a protected command; raises SMError (6987/6988) on any fault."""
        try:
            objects = tlv.parse_all(body)
        except ValueError as exc:
            raise SMError(0x6988, "malformed SM data objects") from exc
        self.ssc += 1
        mac_input = crypto.pad(bytes([cla, ins, p1, p2]), self.block)
        data = b""
        ne = 0
        mac = None
        raw = body
        offset = 0
        for tag, value in objects:
            _, _, nxt = tlv.parse_tlv(raw, offset)
            encoded = raw[offset:nxt]
            offset = nxt
            if tag == 0x8E:
                mac = value
                continue
            if mac is not None:
                raise SMError(0x6988, "data object after the MAC")
            mac_input += encoded
            if tag == 0x87:
                if not value or value[0] != 0x01:
                    raise SMError(0x6988, "bad padding-content indicator")
                data = value[1:]
            elif tag == 0x85:
                data = value
            elif tag == 0x97:
                ne = int.from_bytes(value, "big") if value else 0
                if ne == 0:
                    ne = 65536 if len(value) == 2 else 256
            else:
                raise SMError(0x6988, f"unexpected SM data object {tag:02X}")
        if mac is None:
            raise SMError(0x6987, "MAC data object missing")
        if self._mac(mac_input) != mac:
            raise SMError(0x6988, "wrong MAC")
        plain = self._decrypt(data) if data else b""
        return ProtectedCommand(ins, p1, p2, plain, ne)

    def wrap(self, data: bytes, sw: int, *, odd_ins: bool = False, corrupt_mac: bool = False) -> bytes:
        """Protect a response: DO'87' (DO'85' for odd INS), DO'99', DO'8E', then the SW."""
        self.ssc += 1
        out = b""
        if data:
            cryptogram = self._encrypt(data)
            out += tlv.tlv(0x85, cryptogram) if odd_ins else tlv.tlv(0x87, b"\x01" + cryptogram)
        out += tlv.tlv(0x99, sw.to_bytes(2, "big"))
        mac = self._mac(out)
        if corrupt_mac:
            mac = bytes([mac[0] ^ 0x01]) + mac[1:]
        return out + tlv.tlv(0x8E, mac) + sw.to_bytes(2, "big")

    def wrapped_length(self, plain_len: int, *, odd_ins: bool = False) -> int:
        """Bytes of response data (without SW) that `wrap` produces for `plain_len` plain bytes."""
        if plain_len == 0:
            return 4 + 10
        padded = (plain_len // self.block + 1) * self.block
        value = padded if odd_ins else padded + 1
        return len(tlv.encode_length(value)) + 1 + value + 4 + 10
