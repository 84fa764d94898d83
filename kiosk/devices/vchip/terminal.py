"""A deliberately minimal inspection system, used only to test the virtual chip itself.

It is written independently of the product's reader (`kiosk.devices.icao`) so the two cross-check
each other: a chip bug cannot hide behind the same bug in the reader. It takes any
`transmit(apdu) -> response` callable: `VirtualCard.process` in unit tests, pyscard in integration
tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.devices.icao import crypto
from kiosk.devices.vchip import lds, tlv


class ChipError(Exception):
    """The chip answered a status word other than 9000."""

    def __init__(self, sw: int, what: str) -> None:
        super().__init__(f"{what}: SW {sw:04X}")
        self.sw = sw


def bac_keys(document_number: str, birth: str, expiry: str) -> tuple[bytes, bytes]:
    """K_enc and K_mac from the MRZ fields (ICAO 9303-11 §4.3.2)."""
    info = (f"{document_number}{crypto.check_digit(document_number)}{birth}{crypto.check_digit(birth)}"
            f"{expiry}{crypto.check_digit(expiry)}")
    seed = crypto.bac_seed(info)
    return crypto.kdf_3des(seed, crypto.KDF_ENC), crypto.kdf_3des(seed, crypto.KDF_MAC)


@dataclass(slots=True)
class TerminalSM:
    """Terminal-side secure messaging: wraps commands, checks and opens responses."""

    ks_enc: bytes
    ks_mac: bytes
    ssc: int
    cipher: str = "3des"

    @property
    def block(self) -> int:
        return 16 if self.cipher == "aes" else 8

    def _mac(self, data: bytes) -> bytes:
        padded = crypto.pad(self.ssc.to_bytes(self.block, "big") + data, self.block)
        if self.cipher == "aes":
            return crypto.aes_cmac(self.ks_mac, padded)
        return crypto.retail_mac(self.ks_mac, padded)

    def _iv(self) -> bytes:
        if self.cipher == "aes":
            return crypto.aes_ecb_encrypt(self.ks_enc, self.ssc.to_bytes(16, "big"))
        return crypto.ZERO_IV8

    def wrap(self, ins: int, p1: int, p2: int, data: bytes = b"", ne: int = 0, extended: bool = False) -> bytes:
        self.ssc += 1
        header = bytes([0x0C, ins, p1, p2])
        dos = b""
        if data:
            enc = crypto.pad(data, self.block)
            enc = (crypto.aes_encrypt(self.ks_enc, enc, self._iv()) if self.cipher == "aes"
                   else crypto.tdes_encrypt(self.ks_enc, enc))
            dos += tlv.tlv(0x85, enc) if ins & 1 else tlv.tlv(0x87, b"\x01" + enc)
        if ne:
            if extended or ne > 256:
                dos += tlv.tlv(0x97, (ne % 65536).to_bytes(2, "big"))
            else:
                dos += tlv.tlv(0x97, bytes([ne % 256]))
        mac = self._mac(crypto.pad(header, self.block) + dos)
        body = dos + tlv.tlv(0x8E, mac)
        if extended:
            return header + b"\x00" + len(body).to_bytes(2, "big") + body + b"\x00\x00"
        return header + bytes([len(body)]) + body + b"\x00"

    def unwrap(self, response: bytes) -> tuple[bytes, int]:
        self.ssc += 1
        sw = int.from_bytes(response[-2:], "big")
        body = response[:-2]
        if not body:
            raise ChipError(sw, "unprotected answer under secure messaging")
        objects = tlv.parse_all(body)
        mac_input = b""
        data = b""
        mac = None
        inner_sw = None
        for tag, value in objects:
            if tag == 0x8E:
                mac = value
                continue
            mac_input += tlv.tlv(tag, value)
            if tag == 0x87:
                data = value[1:]
            elif tag == 0x85:
                data = value
            elif tag == 0x99:
                inner_sw = int.from_bytes(value, "big")
        if mac is None or mac != self._mac(mac_input):
            raise ChipError(sw, "response MAC does not verify")
        if data:
            plain = (crypto.aes_decrypt(self.ks_enc, data, self._iv()) if self.cipher == "aes"
                     else crypto.tdes_decrypt(self.ks_enc, data))
            data = crypto.unpad(plain)
        return data, inner_sw if inner_sw is not None else sw


class MiniTerminal:
    """Just enough of an inspection system to drive the chip: BAC, SM reads, AA, CA."""

    def __init__(self, transmit: Callable[[bytes], bytes], rng: Callable[[int], bytes] = os.urandom) -> None:
        self.transmit = transmit
        self.rng = rng
        self.sm: TerminalSM | None = None

    def plain(self, apdu: bytes) -> tuple[bytes, int]:
        response = self.transmit(apdu)
        return response[:-2], int.from_bytes(response[-2:], "big")

    def select_aid(self) -> int:
        return self.plain(bytes.fromhex("00A4040C07A0000002471001"))[1]

    def get_challenge(self) -> bytes:
        data, sw = self.plain(bytes.fromhex("0084000008"))
        if sw != 0x9000:
            raise ChipError(sw, "GET CHALLENGE")
        return data

    def bac(self, document_number: str, birth: str, expiry: str, *,
            rnd_ifd: bytes | None = None, k_ifd: bytes | None = None) -> TerminalSM:
        """Basic access control, terminal side (ICAO 9303-11 §4.3.3)."""
        k_enc, k_mac = bac_keys(document_number, birth, expiry)
        rnd_ic = self.get_challenge()
        rnd_ifd = rnd_ifd or self.rng(8)
        k_ifd = k_ifd or self.rng(16)
        e_ifd = crypto.tdes_encrypt(k_enc, rnd_ifd + rnd_ic + k_ifd)
        m_ifd = crypto.retail_mac(k_mac, crypto.pad(e_ifd))
        data, sw = self.plain(bytes.fromhex("0082000028") + e_ifd + m_ifd + b"\x28")
        if sw != 0x9000:
            raise ChipError(sw, "EXTERNAL AUTHENTICATE")
        if crypto.retail_mac(k_mac, crypto.pad(data[:32])) != data[32:]:
            raise ChipError(sw, "chip's BAC cryptogram MAC")
        r = crypto.tdes_decrypt(k_enc, data[:32])
        if r[:8] != rnd_ic or r[8:16] != rnd_ifd:
            raise ChipError(sw, "chip's BAC nonces")
        k_seed = bytes(a ^ b for a, b in zip(k_ifd, r[16:32], strict=True))
        self.sm = TerminalSM(crypto.kdf_3des(k_seed, crypto.KDF_ENC), crypto.kdf_3des(k_seed, crypto.KDF_MAC),
                             int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big"))
        return self.sm

    def send(self, ins: int, p1: int, p2: int, data: bytes = b"", ne: int = 0,
             extended: bool = False) -> tuple[bytes, int]:
        assert self.sm is not None, "no secure messaging session"
        response = self.transmit(self.sm.wrap(ins, p1, p2, data, ne, extended))
        if len(response) == 2:
            self.sm = None  # an unprotected status ends the session
            return b"", int.from_bytes(response, "big")
        return self.sm.unwrap(response)

    def select_ef(self, fid: int) -> int:
        return self.send(0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))[1]

    def read_file(self, sfi: int, chunk: int = 223, extended: bool = False) -> bytes:
        """Read a whole EF: first bytes by SFI, then the rest by offset after learning its length."""
        head, sw = self.send(0xB0, 0x80 | sfi, 0, ne=4)
        if sw not in (0x9000, 0x6282):
            raise ChipError(sw, f"READ BINARY SFI {sfi:02X}")
        if not head:
            return b""
        total = _tlv_total_length(head)
        out = bytearray(head)
        while len(out) < total:
            n = min(chunk, total - len(out))
            offset = len(out)
            if offset > 0x7FFF:
                data, sw = self.send(0xB1, 0, 0, tlv.tlv(0x54, offset.to_bytes(3, "big")), ne=n + 4,
                                     extended=extended)
                if sw in (0x9000, 0x6282):
                    _, data, _ = tlv.parse_tlv(data)
            else:
                data, sw = self.send(0xB0, offset >> 8, offset & 0xFF, ne=n, extended=extended)
            if sw not in (0x9000, 0x6282) or not data:
                raise ChipError(sw, f"READ BINARY at {offset}")
            out += data
        return bytes(out)

    def internal_authenticate(self, challenge: bytes) -> bytes:
        data, sw = self.send(0x88, 0, 0, challenge, ne=256)
        if sw != 0x9000:
            raise ChipError(sw, "INTERNAL AUTHENTICATE")
        return data

    def chip_authenticate(self, dg14: bytes) -> None:
        """Chip authentication v1 against the key in DG14, then switch to the new SM keys."""
        _, content, _ = tlv.parse_tlv(dg14)
        _, set_body, _ = tlv.parse_tlv(content)
        spki = None
        proto = None
        for _, info in tlv.parse_all(set_body):
            items = tlv.parse_all(info)
            oid = tlv.tlv(0x06, items[0][1])
            if oid == tlv.oid(lds.OID_PK_ECDH):
                spki = tlv.tlv(0x30, items[1][1])
            elif oid in (tlv.oid(lds.OID_CA_ECDH_AES128), tlv.oid(lds.OID_CA_ECDH_3DES)):
                proto = oid
        assert spki is not None and proto is not None, "DG14 lacks chip-authentication info"
        chip_key = serialization.load_der_public_key(spki)
        assert isinstance(chip_key, ec.EllipticCurvePublicKey)
        eph = ec.generate_private_key(chip_key.curve)
        point = eph.public_key().public_bytes(serialization.Encoding.X962,
                                              serialization.PublicFormat.UncompressedPoint)
        secret = eph.exchange(ec.ECDH(), chip_key)
        if proto == tlv.oid(lds.OID_CA_ECDH_3DES):
            _, sw = self.send(0x22, 0x41, 0xA6, tlv.tlv(0x91, point))
            if sw != 0x9000:
                raise ChipError(sw, "MSE:SET KAT")
            self.sm = TerminalSM(crypto.kdf_3des(secret, 1), crypto.kdf_3des(secret, 2), 0)
            return
        _, sw = self.send(0x22, 0x41, 0xA4, tlv.tlv(0x80, proto[2:]))
        if sw != 0x9000:
            raise ChipError(sw, "MSE:SET AT")
        _, sw = self.send(0x86, 0, 0, tlv.tlv(0x7C, tlv.tlv(0x80, point)), ne=256)
        if sw != 0x9000:
            raise ChipError(sw, "GENERAL AUTHENTICATE")
        self.sm = TerminalSM(crypto.kdf_aes(secret, 1), crypto.kdf_aes(secret, 2), 0, "aes")


def _tlv_total_length(head: bytes) -> int:
    """Whole length of a TLV from its first bytes (tag of 1–2 bytes, length up to 0x83 form)."""
    i = 1
    if head[0] & 0x1F == 0x1F:
        i = 2
    first = head[i]
    if first < 0x80:
        return i + 1 + first
    count = first & 0x7F
    if len(head) < i + 1 + count:
        raise ValueError("need more header bytes")
    return i + 1 + count + int.from_bytes(head[i + 1 : i + 1 + count], "big")
