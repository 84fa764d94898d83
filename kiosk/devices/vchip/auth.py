"""The virtual chip's authentication of itself: active authentication (INTERNAL AUTHENTICATE) and
chip authentication v1 (MSE:Set KAT / Set AT, GENERAL AUTHENTICATE)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from kiosk.devices.icao import crypto
from kiosk.devices.icao.status import StatusWord as SW
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.options import (
    CURVES,
    ECDSA_PREHASH,
    ISO9796_TRAILERS,
    ChipKeys,
    ChipOptions,
    curve_hash,
)
from kiosk.devices.vchip.session import Command, Session
from kiosk.devices.vchip.sm import CardSM


class Authentication:
    """Active and chip authentication, mixed into `VirtualCard` (which owns the state named here)."""

    options: ChipOptions
    keys: ChipKeys
    _s: Session
    _rng: Callable[[int], bytes]
    _pending_sm: CardSM | None

    def _ecdsa_hash(self) -> str:
        key = self.keys.aa
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        curve = next(name for name, cls in CURVES.items() if cls.name == key.curve.name)
        return self.options.aa_hash or curve_hash(curve)

    def _internal_authenticate(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """Active authentication (ICAO 9303-11 §6.1): sign the terminal's 8-byte challenge."""
        key = self.keys.aa
        if not protected:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        if key is None:
            return b"", SW.INS_NOT_SUPPORTED
        if len(cmd.data) != 8:
            return b"", SW.WRONG_DATA
        if self.options.aa_status is not None:
            return b"", self.options.aa_status
        if isinstance(key, rsa.RSAPrivateKey):
            return self._aa_rsa(key, cmd.data), SW.OK
        name = self._ecdsa_hash()
        der = key.sign(hashlib.new(name, cmd.data).digest(), ec.ECDSA(Prehashed(ECDSA_PREHASH[name]())))
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        # Plain r‖s signature format (BSI TR-03111 §5.2.1), as ICAO 9303-11 §6.1 asks for ECDSA.
        return r.to_bytes(size, "big") + s.to_bytes(size, "big"), SW.OK

    def _aa_rsa(self, key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
        """ISO/IEC 9796-2 digital signature scheme 1, partial recovery (ICAO 9303-11 §6.1.2):
        F = 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer, SHA-1 with trailer BC unless `aa_hash` says."""
        numbers = key.private_numbers()
        n, d = numbers.public_numbers.n, numbers.d
        k = (n.bit_length() + 7) // 8
        hash_name = self.options.aa_hash or "sha1"
        trailer = ISO9796_TRAILERS[hash_name]
        size = hashlib.new(hash_name).digest_size
        m1 = self._rng(k - 1 - size - len(trailer))
        representative = b"\x6A" + m1 + hashlib.new(hash_name, m1 + challenge).digest() + trailer
        signature = pow(int.from_bytes(representative, "big"), d, n)
        return signature.to_bytes(k, "big")

    def _mse(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """MSE:SET KAT (CA with 3DES) and MSE:SET AT (CA with AES, or PACE before any session)."""
        try:
            objects = dict(tlv.parse_all(cmd.data))
        except ValueError:
            return b"", SW.WRONG_DATA
        if (cmd.p1, cmd.p2) == (0xC1, 0xA4) and not protected:
            return self._pace_start(objects)
        if not protected:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        if self.keys.ca is None:
            return b"", SW.WRONG_DATA
        if self.options.ca_status is not None:
            return b"", self.options.ca_status
        if (cmd.p1, cmd.p2) == (0x41, 0xA6):
            if 0x91 not in objects:
                return b"", SW.WRONG_DATA
            return self._chip_authenticate(objects[0x91], "3des")
        if (cmd.p1, cmd.p2) == (0x41, 0xA4):
            proto = objects.get(0x80, b"")
            if proto == tlv.oid(lds.OID_CA_ECDH_AES128)[2:]:
                self._s.ca_pending_cipher = "aes128"
            elif proto == tlv.oid(lds.OID_CA_ECDH_3DES)[2:]:
                self._s.ca_pending_cipher = "3des"
            else:
                return b"", SW.WRONG_DATA
            return b"", SW.OK
        return b"", SW.WRONG_P1P2

    def _general_authenticate(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if not protected and self._s.pace is not None:
            return self._pace_step(cmd)
        cipher, self._s.ca_pending_cipher = self._s.ca_pending_cipher, None
        if not protected:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        if cipher is None:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
            inner = dict(tlv.parse_all(value)) if tag == 0x7C else {}
        except ValueError:
            return b"", SW.WRONG_DATA
        if 0x80 not in inner:
            return b"", SW.WRONG_DATA
        data, sw = self._chip_authenticate(inner[0x80], cipher)
        return (b"\x7C\x00", sw) if sw == SW.OK else (data, sw)

    def _chip_authenticate(self, point: bytes, cipher: str) -> tuple[bytes, int]:
        """Chip authentication v1 (ICAO 9303-11 §6.2): ECDH with the DG14 key, then fresh SM keys.

        The answer to this command still travels under the old keys; the new session (SSC = 0)
        starts with the next command.
        """
        key = self.keys.ca
        assert key is not None
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
            secret = key.exchange(ec.ECDH(), peer)
        except ValueError:
            return b"", SW.WRONG_DATA
        if cipher == "aes128":
            new = CardSM(crypto.kdf_aes(secret, crypto.KDF_ENC), crypto.kdf_aes(secret, crypto.KDF_MAC), 0, "aes")
        else:
            new = CardSM(crypto.kdf_3des(secret, crypto.KDF_ENC), crypto.kdf_3des(secret, crypto.KDF_MAC), 0)
        self._pending_sm = new
        return b"", SW.OK
