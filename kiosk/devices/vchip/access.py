"""The virtual chip's access control: BAC (GET CHALLENGE, EXTERNAL AUTHENTICATE) and the chip's side
of PACE-ECDH-GM (MSE:Set AT C1A4, four GENERAL AUTHENTICATE steps)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from kiosk.devices.icao import crypto
from kiosk.devices.icao.ec import Curve
from kiosk.devices.icao.status import StatusWord as SW
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.options import ChipOptions
from kiosk.devices.vchip.session import PACE_PARAMETER_ID, Command, PaceRun, Session
from kiosk.devices.vchip.sm import CardSM


def _token_input(oid: bytes, point: bytes) -> bytes:
    """The public-key data object an authentication token MACs (ICAO 9303-11 §4.4.3.4)."""
    return tlv.tlv(0x7F49, tlv.tlv(0x06, oid) + tlv.tlv(0x86, point))


class AccessControl:
    """BAC and PACE, mixed into `VirtualCard` (which owns the state named here)."""

    options: ChipOptions
    _s: Session
    _rng: Callable[[int], bytes]
    _bac_key: tuple[str, str, str]
    _pace_keys: tuple[bytes, bytes]

    def _get_challenge(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if self.options.bac_status is not None and not protected:
            return b"", self.options.bac_status  # a chip that opens with PACE only
        if cmd.ne != 8:
            return b"", SW.WRONG_LENGTH
        self._s.rnd_ic = self._rng(8)
        return self._s.rnd_ic, SW.OK

    def _external_authenticate(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """BAC, chip side (ICAO 9303-11 §4.3.3.1 / Appendix D.3)."""
        rnd_ic, self._s.rnd_ic = self._s.rnd_ic, None
        if protected or not self._s.app_selected:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        if rnd_ic is None:
            return b"", SW.CONDITIONS_NOT_SATISFIED
        if len(cmd.data) != 40:
            return b"", SW.WRONG_LENGTH
        doc, birth, expiry = self._bac_key
        info = (f"{doc}{crypto.check_digit(doc)}{birth}{crypto.check_digit(birth)}"
                f"{expiry}{crypto.check_digit(expiry)}")
        seed = crypto.bac_seed(info)
        k_enc, k_mac = crypto.kdf_3des(seed, crypto.KDF_ENC), crypto.kdf_3des(seed, crypto.KDF_MAC)
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if crypto.retail_mac(k_mac, crypto.pad(e_ifd)) != m_ifd:
            return b"", SW.VERIFICATION_FAILED
        s = crypto.tdes_decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic_echo, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic_echo != rnd_ic:
            return b"", SW.VERIFICATION_FAILED
        k_ic = self._rng(16)
        e_ic = crypto.tdes_encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(k_mac, crypto.pad(e_ic))
        k_seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        self._s.sm = CardSM(crypto.kdf_3des(k_seed, crypto.KDF_ENC), crypto.kdf_3des(k_seed, crypto.KDF_MAC), ssc)
        return e_ic + m_ic, SW.OK

    def _pace_start(self, objects: dict[int, bytes]) -> tuple[bytes, int]:
        """MSE:Set AT for PACE: the protocol and which password (1 = MRZ, 2 = CAN)."""
        self._s.pace = None
        if self.options.card_access != "pace":
            return b"", SW.WRONG_DATA
        if objects.get(0x80) != tlv.oid(lds.OID_PACE_ECDH_GM_AES128)[2:]:
            return b"", SW.WRONG_DATA
        reference = objects.get(0x83)
        names = {b"\x01": "mrz", b"\x02": "can"}
        if reference in names and names[reference] not in self.options.pace_passwords:
            return b"", SW.REFERENCE_NOT_FOUND
        if reference == b"\x01":
            doc, birth, expiry = self._bac_key
            info = (f"{doc}{crypto.check_digit(doc)}{birth}{crypto.check_digit(birth)}"
                    f"{expiry}{crypto.check_digit(expiry)}")
            secret = hashlib.sha1(info.encode("ascii")).digest()
        elif reference == b"\x02":
            secret = self.can.encode("ascii")
        else:
            return b"", SW.WRONG_DATA
        # K_π = KDF_π(f(π)), counter 3 (ICAO 9303-11 §9.7.3).
        self._s.pace = PaceRun(crypto.kdf_aes(secret, 3), Curve.standard(PACE_PARAMETER_ID))
        return b"", SW.OK

    def _pace_step(self, cmd: Command) -> tuple[bytes, int]:
        """One GENERAL AUTHENTICATE of PACE-ECDH-GM (ICAO 9303-11 §4.4.4.2, Table 9)."""
        pace = self._s.pace
        assert pace is not None
        chained = bool(cmd.cla & 0x10)
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
            objects = dict(tlv.parse_all(value)) if tag == 0x7C else None
        except ValueError:
            objects = None
        if objects is None or chained != (pace.step < 4):
            self._s.pace = None
            return b"", SW.WRONG_DATA
        curve = pace.curve
        oid = tlv.oid(lds.OID_PACE_ECDH_GM_AES128)[2:]
        if pace.step == 1:
            nonce = self._rng(16)
            pace.nonce = int.from_bytes(nonce, "big")
            answer = tlv.tlv(0x80, crypto.aes_encrypt(pace.k_pi, nonce))
        elif pace.step == 2:
            terminal = curve.decode(objects.get(0x81, b""))
            if terminal is None:
                self._s.pace = None
                return b"", SW.WRONG_DATA
            sk_map = curve.scalar(self._rng)
            shared = curve.multiply(sk_map, terminal)
            pace.generator = curve.add(curve.multiply(pace.nonce, curve.g), shared)
            answer = tlv.tlv(0x82, curve.encode(curve.multiply(sk_map, curve.g)))
        elif pace.step == 3:
            terminal = curve.decode(objects.get(0x83, b""))
            pace.sk = curve.scalar(self._rng)
            pace.pk = curve.multiply(pace.sk, pace.generator)
            if terminal is None or terminal == pace.pk:
                self._s.pace = None
                return b"", SW.WRONG_DATA
            secret = curve.multiply(pace.sk, terminal)[0].to_bytes(curve.size, "big")
            pace.generator = terminal  # kept for the token check of step 4
            self._pace_keys = (crypto.kdf_aes(secret, crypto.KDF_ENC), crypto.kdf_aes(secret, crypto.KDF_MAC))
            answer = tlv.tlv(0x84, curve.encode(pace.pk))
        else:
            ks_enc, ks_mac = self._pace_keys
            expected = crypto.aes_cmac(ks_mac, _token_input(oid, curve.encode(pace.pk)))
            self._s.pace = None
            if objects.get(0x85) != expected:
                return b"", SW.VERIFICATION_FAILED  # a wrong password shows here (ICAO 9303-11 §4.4.4.2)
            token = crypto.aes_cmac(ks_mac, _token_input(oid, curve.encode(pace.generator)))
            # Secure messaging with the new keys and SSC 0 from the next command on.
            self._s.sm = CardSM(ks_enc, ks_mac, 0, "aes")
            self._s.app_selected = False
            return tlv.tlv(0x7C, tlv.tlv(0x86, token)), SW.OK
        pace.step += 1
        return tlv.tlv(0x7C, answer), SW.OK
