"""A small card-side eMRTD for unit tests: BAC, 3DES/AES secure messaging, READ BINARY by SFI or
offset, INTERNAL AUTHENTICATE, chip authentication — with switchable faults and read limits.

Written directly on the primitives of kiosk.devices.icao.crypto (themselves pinned to the ICAO
worked examples), not on the reader's secure-messaging wrapper.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from kiosk.devices.icao import crypto
from kiosk.devices.icao.bac import AccessKey

AID = bytes.fromhex("A0000002471001")


def parse_do(data: bytes) -> list[tuple[int, bytes, bytes]]:
    """(tag, value, raw) for simple one-byte-tag TLVs."""
    out, pos = [], 0
    while pos < len(data):
        tag = data[pos]
        ln = data[pos + 1]
        hdr = 2
        if ln == 0x81:
            ln, hdr = data[pos + 2], 3
        elif ln == 0x82:
            ln, hdr = int.from_bytes(data[pos + 2 : pos + 4], "big"), 4
        out.append((tag, data[pos + hdr : pos + hdr + ln], data[pos : pos + hdr + ln]))
        pos += hdr + ln
    return out


def do(tag: int, value: bytes) -> bytes:
    if len(value) < 0x80:
        return bytes([tag, len(value)]) + value
    if len(value) < 0x100:
        return bytes([tag, 0x81, len(value)]) + value
    return bytes([tag, 0x82]) + len(value).to_bytes(2, "big") + value


class ChipSim:
    def __init__(
        self,
        files: dict[int, bytes],
        key: AccessKey,
        *,
        aa_key=None,
        aa_hash: str = "sha1",
        ca_key: ec.EllipticCurvePrivateKey | None = None,
        max_le: int = 231,
        too_long: str = "6700",
        extended: bool = False,
        plain_errors: bool = False,
    ) -> None:
        self.files = files  # by FID
        self.key = key
        self.aa_key = aa_key
        self.aa_hash = aa_hash
        self.ca_key = ca_key
        self.max_le = max_le
        self.too_long = too_long
        self.extended = extended
        self.plain_errors = plain_errors
        self.corrupt_next: int = 0  # corrupt the MAC of the next N protected responses
        self.count = 0
        self.bac_runs = 0
        self.reset()

    def reset(self) -> None:
        self.selected = False
        self.rnd_ic: bytes | None = None
        self.sm: tuple[str, bytes, bytes] | None = None
        self.ssc = 0
        self.current: int | None = None
        self.pending_keys: tuple[str, bytes, bytes] | None = None

    # ---------------------------------------------------------------- transport
    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.count += 1
        if self.sm is None:
            resp = self.plain(apdu)
            return resp[:-2], int.from_bytes(resp[-2:], "big")
        if apdu[:4] == bytes.fromhex("00A4040C"):
            # Most chips accept a plain SELECT of the application and drop the session.
            self.reset()
            resp = self.plain(apdu)
            return resp[:-2], int.from_bytes(resp[-2:], "big")
        if apdu[0] & 0x0C != 0x0C:
            self.reset()
            return b"", 0x6987
        try:
            inner = self.unwrap(apdu)
        except ValueError:
            self.reset()
            return b"", 0x6988
        data, sw = self.process(inner)
        if self.plain_errors and sw in (0x6A82, 0x6982) and not data:
            self.ssc += 1
            return b"", sw
        out = self.wrap(data, sw)
        if self.pending_keys is not None:
            # Chip authentication: the answer goes under the old keys, then the new ones apply.
            self.sm, self.pending_keys, self.ssc = self.pending_keys, None, 0
        return out, 0x9000

    def _enc(self, data: bytes) -> bytes:
        kind, ks_enc, _ = self.sm
        if kind == "3DES":
            return crypto.tdes_encrypt(ks_enc, data)
        return crypto.aes_encrypt(ks_enc, data, crypto.aes_ecb_encrypt(ks_enc, self.ssc.to_bytes(16, "big")))

    def _dec(self, data: bytes) -> bytes:
        kind, ks_enc, _ = self.sm
        if kind == "3DES":
            return crypto.tdes_decrypt(ks_enc, data)
        return crypto.aes_decrypt(ks_enc, data, crypto.aes_ecb_encrypt(ks_enc, self.ssc.to_bytes(16, "big")))

    def _mac(self, data: bytes) -> bytes:
        kind, _, ks_mac = self.sm
        if kind == "3DES":
            return crypto.retail_mac(ks_mac, crypto.pad(self.ssc.to_bytes(8, "big") + data))
        return crypto.aes_cmac(ks_mac, crypto.pad(self.ssc.to_bytes(16, "big") + data, 16))

    def _block(self) -> int:
        return 8 if self.sm[0] == "3DES" else 16

    def unwrap(self, apdu: bytes) -> bytes:
        header = apdu[:4]
        body = apdu[4:]
        if len(body) >= 3 and body[0] == 0 and len(body) > 3:
            lc = int.from_bytes(body[1:3], "big")
            data, ext = body[3 : 3 + lc], True
        else:
            lc = body[0]
            data, ext = body[1 : 1 + lc], False
        self.ssc += 1
        dos = parse_do(data)
        mac_do = [d for d in dos if d[0] == 0x8E]
        if not mac_do:
            raise ValueError("no MAC")
        signed = b"".join(d[2] for d in dos if d[0] != 0x8E)
        if self._mac(crypto.pad(header, self._block()) + signed) != mac_do[0][1]:
            raise ValueError("bad MAC")
        cmd_data = b""
        le = None
        for tag, value, _ in dos:
            if tag == 0x87:
                cmd_data = crypto.unpad(self._dec(value[1:]))
            elif tag == 0x85:
                cmd_data = crypto.unpad(self._dec(value))
            elif tag == 0x97:
                le = int.from_bytes(value, "big") or (65536 if len(value) == 2 else 256)
        cla = header[0] & ~0x0C & 0xFF
        out = bytes([cla]) + header[1:]
        self._ext_cmd = ext
        if cmd_data:
            out += bytes([len(cmd_data)]) if len(cmd_data) < 256 else b"\x00" + len(cmd_data).to_bytes(2, "big")
            out += cmd_data
        if le is not None:
            out += bytes([le % 256]) if le <= 256 else (b"\x00" if not cmd_data else b"") + (le % 65536).to_bytes(2, "big")
        return out

    def wrap(self, data: bytes, sw: int) -> bytes:
        self.ssc += 1
        body = b""
        if data:
            body += do(0x87, b"\x01" + self._enc(crypto.pad(data, self._block())))
        body += do(0x99, sw.to_bytes(2, "big"))
        mac = self._mac(body)
        if self.corrupt_next:
            self.corrupt_next -= 1
            mac = bytes([mac[0] ^ 0xFF]) + mac[1:]
        return body + do(0x8E, mac)

    # ---------------------------------------------------------------- commands
    def plain(self, apdu: bytes) -> bytes:
        ins = apdu[1]
        if ins == 0xA4 and apdu[2] == 0x04:
            self.reset()
            self.selected = apdu[5 : 5 + apdu[4]] == AID
            return b"\x90\x00" if self.selected else b"\x6a\x82"
        if not self.selected:
            return b"\x69\x82"
        if ins == 0x84:
            self.rnd_ic = os.urandom(8)
            return self.rnd_ic + b"\x90\x00"
        if ins == 0x82:
            return self.external_authenticate(apdu[5 : 5 + apdu[4]])
        return b"\x69\x82"

    def external_authenticate(self, data: bytes) -> bytes:
        seed = self.key.seed
        k_enc, k_mac = crypto.kdf_3des(seed, 1), crypto.kdf_3des(seed, 2)
        e_ifd, m_ifd = data[:32], data[32:40]
        if self.rnd_ic is None or crypto.retail_mac(k_mac, crypto.pad(e_ifd)) != m_ifd:
            return b"\x63\x00"
        s = crypto.tdes_decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic != self.rnd_ic:
            return b"\x63\x00"
        k_ic = os.urandom(16)
        e_ic = crypto.tdes_encrypt(k_enc, self.rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(k_mac, crypto.pad(e_ic))
        session = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        self.sm = ("3DES", crypto.kdf_3des(session, 1), crypto.kdf_3des(session, 2))
        self.ssc = int.from_bytes(self.rnd_ic[4:] + rnd_ifd[4:], "big")
        self.bac_runs += 1
        return e_ic + m_ic + b"\x90\x00"

    def _sfi_to_fid(self, sfi: int) -> int:
        return {0x1E: 0x011E, 0x1D: 0x011D, 0x1C: 0x011C}.get(sfi, 0x0100 + sfi)

    def process(self, apdu: bytes) -> tuple[bytes, int]:
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if ins == 0xA4:
            fid = int.from_bytes(apdu[5:7], "big")
            if fid not in self.files:
                return b"", 0x6A82
            self.current = fid
            return b"", 0x9000
        if ins == 0xB0:
            le = apdu[-1] or 256
            if len(apdu) == 7 and apdu[4] == 0:
                le = int.from_bytes(apdu[5:7], "big") or 65536
            if p1 & 0x80:
                fid = self._sfi_to_fid(p1 & 0x1F)
                if fid == 0x0103:
                    return b"", 0x6982
                if fid not in self.files:
                    return b"", 0x6A82
                self.current, offset = fid, p2
            else:
                if self.current is None:
                    return b"", 0x6986
                offset = (p1 << 8) | p2
            if le > 256 and not self.extended:
                return b"", 0x6700
            limit = self.max_le if le <= 256 else 65536
            if le > limit:
                if self.too_long == "6700":
                    return b"", 0x6700
                if self.too_long == "6C":
                    return b"", 0x6C00 | limit
                if self.too_long == "6282":
                    data = self.files[self.current][offset : offset + limit]
                    return data, 0x6282
            content = self.files[self.current]
            if offset > len(content):
                return b"", 0x6B00
            data = content[offset : offset + le]
            return data, 0x9000 if len(data) == le else 0x6282
        if ins == 0x88:
            return self.internal_authenticate(apdu[5 : 5 + apdu[4]])
        if ins == 0x22 and p1 == 0x41 and p2 == 0xA6:
            return self.mse_kat(apdu[5 : 5 + apdu[4]])
        return b"", 0x6D00

    def internal_authenticate(self, challenge: bytes) -> tuple[bytes, int]:
        key = self.aa_key
        if key is None:
            return b"", 0x6D00
        if isinstance(key, rsa.RSAPrivateKey):
            nums = key.private_numbers()
            n, d = nums.public_numbers.n, nums.d
            k = (n.bit_length() + 7) // 8
            h = hashlib.new(self.aa_hash)
            trailer = b"\xbc" if self.aa_hash == "sha1" else bytes([{"sha256": 0x34, "sha512": 0x35}[self.aa_hash], 0xCC])
            m1 = os.urandom(k - h.digest_size - len(trailer) - 1)
            f = b"\x6a" + m1 + hashlib.new(self.aa_hash, m1 + challenge).digest() + trailer
            s = pow(int.from_bytes(f, "big"), d, n)
            s = min(s, n - s)  # ISO/IEC 9796-2 allows either
            return s.to_bytes(k, "big"), 0x9000
        h = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha1": hashes.SHA1()}[self.aa_hash]
        r, s = decode_dss_signature(key.sign(challenge, ec.ECDSA(h)))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big"), 0x9000

    def mse_kat(self, data: bytes) -> tuple[bytes, int]:
        if self.ca_key is None:
            return b"", 0x6A80
        dos = {tag: value for tag, value, _ in parse_do(data)}
        peer = ec.EllipticCurvePublicKey.from_encoded_point(self.ca_key.curve, dos[0x91])
        shared = self.ca_key.exchange(ec.ECDH(), peer)
        self.pending_keys = ("3DES", crypto.kdf_3des(shared, 1), crypto.kdf_3des(shared, 2))
        return b"", 0x9000
