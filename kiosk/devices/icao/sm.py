"""Secure messaging (ICAO 9303-11 §9.8) as a `Connection` that wraps another connection.

Callers send plain APDUs; the wrapper encrypts the data (DO'87, DO'85 for odd instructions),
protects Le (DO'97), appends the MAC (DO'8E) over the send sequence counter, and checks and
decrypts the response (DO'87, DO'99, DO'8E). Any failure ends the session for good.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Protocol

from ..connection import Connection
from . import crypto
from .apdu import EXTENDED_MAX_NE, SHORT_MAX_NE, CommandApdu, parse_command
from .errors import ChipError, ParseError, SecureMessagingError
from .lds.tlv import encode_tlv, read_tlv
from .status import StatusWord as SW

STEP = "SM"


class SmCipher(Protocol):
    block: int

    def encrypt(self, ssc: int, data: bytes) -> bytes: ...

    def decrypt(self, ssc: int, data: bytes) -> bytes: ...

    def mac(self, ssc: int, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class TdesCipher:
    """3DES-CBC with a zero IV and the retail MAC; the SSC is 8 bytes (ICAO 9303-11 §9.8.6.1)."""

    ks_enc: bytes
    ks_mac: bytes
    block: int = 8

    def encrypt(self, ssc: int, data: bytes) -> bytes:
        return crypto.tdes_encrypt(self.ks_enc, data)

    def decrypt(self, ssc: int, data: bytes) -> bytes:
        return crypto.tdes_decrypt(self.ks_enc, data)

    def mac(self, ssc: int, data: bytes) -> bytes:
        return crypto.retail_mac(self.ks_mac, crypto.pad(ssc.to_bytes(8, "big") + data, 8))


@dataclass(frozen=True, slots=True)
class AesCipher:
    """AES-CBC whose IV is E(KS_enc, SSC), AES-CMAC truncated to 8 bytes; 16-byte SSC
    (ICAO 9303-11 §9.8.6.2)."""

    ks_enc: bytes
    ks_mac: bytes
    block: int = 16

    def _iv(self, ssc: int) -> bytes:
        return crypto.aes_ecb_encrypt(self.ks_enc, ssc.to_bytes(16, "big"))

    def encrypt(self, ssc: int, data: bytes) -> bytes:
        return crypto.aes_encrypt(self.ks_enc, data, self._iv(ssc))

    def decrypt(self, ssc: int, data: bytes) -> bytes:
        return crypto.aes_decrypt(self.ks_enc, data, self._iv(ssc))

    def mac(self, ssc: int, data: bytes) -> bytes:
        return crypto.aes_cmac(self.ks_mac, crypto.pad(ssc.to_bytes(16, "big") + data, 16))


class SecureMessaging:
    """A `Connection` that protects every APDU sent through it.

    `desynchronised` turns true when the chip answered without secure messaging (a plain error
    status): the counters may no longer agree, so the caller should restart the session.
    """

    def __init__(self, inner: Connection, cipher: SmCipher, ssc: int) -> None:
        self.inner = inner
        self.cipher = cipher
        self.ssc = ssc
        self.broken = False
        self.desynchronised = False

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if self.broken:
            raise SecureMessagingError(STEP, "session already ended")
        try:
            command = parse_command(apdu)
        except ValueError as exc:
            raise SecureMessagingError(STEP, f"cannot protect a malformed command: {exc}") from None
        try:
            protected = self.wrap(command)
            data, sw = self.inner.transmit(protected)
            return self.unwrap(data, sw)
        except ChipError:
            self.broken = True
            raise

    def close(self) -> None:
        self.broken = True
        self.inner.close()

    def wrap(self, command: CommandApdu) -> bytes:
        block = self.cipher.block
        cla = command.cla | 0x0C
        header = crypto.pad(bytes([cla, command.ins, command.p1, command.p2]), block)
        self.ssc += 1
        body = b""
        if command.data:
            cryptogram = self.cipher.encrypt(self.ssc, crypto.pad(command.data, block))
            if command.ins & 1:
                body += encode_tlv(0x85, cryptogram)
            else:
                body += encode_tlv(0x87, b"\x01" + cryptogram)
        extended = command.extended
        if command.ne is not None:
            if extended:
                body += encode_tlv(0x97, (command.ne % EXTENDED_MAX_NE).to_bytes(2, "big"))
            else:
                body += encode_tlv(0x97, bytes([command.ne % SHORT_MAX_NE]))
        mac = self.cipher.mac(self.ssc, header + body)
        body += encode_tlv(0x8E, mac)
        ne = EXTENDED_MAX_NE if extended else SHORT_MAX_NE
        return CommandApdu(cla, command.ins, command.p1, command.p2, body, ne, extended).to_bytes()

    def unwrap(self, data: bytes, sw: int) -> tuple[bytes, int]:
        self.ssc += 1
        if not data:
            if sw in (SW.OK, SW.SM_DATA_MISSING, SW.SM_DATA_INCORRECT) or sw >> 8 == 0x61:
                raise SecureMessagingError(STEP, "response without secure-messaging objects", sw)
            # A plain error status (e.g. 6A82 on some chips): pass it on, but our counter may no
            # longer match the chip's, so the session must be restarted before the next command.
            self.desynchronised = True
            return b"", sw
        try:
            return self._unwrap_objects(data)
        except ParseError as exc:
            raise SecureMessagingError(STEP, f"malformed protected response: {exc.detail}") from None

    def _unwrap_objects(self, data: bytes) -> tuple[bytes, int]:
        pos = 0
        cryptogram: bytes | None = None
        odd = False
        status: int | None = None
        mac: bytes | None = None
        mac_end = 0
        while pos < len(data):
            tlv, nxt = read_tlv(data, pos, STEP)
            if tlv.tag == 0x8E:
                mac = tlv.value
                mac_end = pos
                pos = nxt
                break
            if tlv.tag == 0x87:
                if not tlv.value or tlv.value[0] != 0x01:
                    raise SecureMessagingError(STEP, "unknown padding-content indicator in DO'87")
                cryptogram = tlv.value[1:]
            elif tlv.tag == 0x85:
                cryptogram, odd = tlv.value, True
            elif tlv.tag == 0x99:
                if len(tlv.value) != 2:
                    raise SecureMessagingError(STEP, "DO'99 must hold two status bytes")
                status = int.from_bytes(tlv.value, "big")
            else:
                raise SecureMessagingError(STEP, f"unexpected data object {tlv.tag:X} in response")
            pos = nxt
        if mac is None:
            raise SecureMessagingError(STEP, "response carries no MAC (DO'8E)")
        if pos != len(data):
            raise SecureMessagingError(STEP, "data after the MAC")
        if status is None:
            raise SecureMessagingError(STEP, "response carries no protected status (DO'99)")
        expected = self.cipher.mac(self.ssc, data[:mac_end])
        if not hmac.compare_digest(expected, mac):
            raise SecureMessagingError(STEP, "response MAC does not verify")
        plain = b""
        if cryptogram:
            if len(cryptogram) % self.cipher.block:
                raise SecureMessagingError(STEP, "cryptogram is not a whole number of blocks")
            decrypted = self.cipher.decrypt(self.ssc, cryptogram)
            try:
                plain = crypto.unpad(decrypted)
            except ValueError:
                if not odd:
                    raise SecureMessagingError(STEP, "bad padding in decrypted response") from None
                plain = decrypted
        return plain, status
