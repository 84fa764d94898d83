"""PACE with generic mapping over ECDH, AES secure messaging (ICAO 9303-11 §4.4; BSI TR-03110-2
§3.2): the suite the CCCD's EF.CardAccess offers (PACE-ECDH-GM-AES-CBC-CMAC-128, parameter 13)."""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from asn1crypto import core as asn1core

from ..connection import Connection
from . import apdu, crypto
from .bac import AccessKey, RandomFn
from .ec import STANDARD_CURVES, Curve
from .errors import AccessDenied, ParseError, SecureMessagingError, UnsupportedDocument, status_error
from .lds.security_infos import PaceInfo
from .lds.tlv import encode_tlv, parse_all, read_tlv
from .sm import AesCipher, SecureMessaging
from .status import StatusWord as SW

STEP = "PACE"

#: Password references of MSE:Set AT (ICAO 9303-11 §4.4.4.1, Table 8).
PASSWORD_MRZ = 1
PASSWORD_CAN = 2


@dataclass(frozen=True, slots=True)
class PacePassword:
    """The shared password π: the MRZ information or the card access number."""

    reference: int
    secret: bytes

    def __repr__(self) -> str:
        return f"PacePassword({self.reference}, <hidden>)"

    @classmethod
    def mrz(cls, key: AccessKey) -> PacePassword:
        # ICAO 9303-11 §9.7.3: f(π) = SHA-1(MRZ information) for the MRZ password.
        return cls(PASSWORD_MRZ, hashlib.sha1(key.mrz_information.encode("ascii")).digest())

    @classmethod
    def can(cls, can: str) -> PacePassword:
        return cls(PASSWORD_CAN, can.encode("ascii"))

    def key(self, key_bits: int = 128) -> bytes:
        """K_π = KDF_π(f(π)), counter 3 (ICAO 9303-11 §9.7.3)."""
        return crypto.kdf_aes(self.secret, 3, key_bits)


def supported(info: PaceInfo) -> bool:
    return (info.key_agreement, info.mapping, info.cipher) == ("ECDH", "GM", "AES") and (
        info.parameter_id in STANDARD_CURVES)


def protocol_oid(info: PaceInfo) -> bytes:
    return asn1core.ObjectIdentifier(info.protocol).dump()[2:]


def token_input(oid: bytes, curve: Curve, point) -> bytes:
    """The public-key data object the authentication token MACs (ICAO 9303-11 §4.4.3.4, §9.4.4)."""
    return encode_tlv(0x7F49, encode_tlv(0x06, oid) + encode_tlv(0x86, curve.encode(point)))


@dataclass(frozen=True, slots=True)
class PaceResult:
    sm: SecureMessaging
    ks_enc: bytes
    ks_mac: bytes


class PaceProtocol:
    """MSE:Set AT, then four chained GENERAL AUTHENTICATE steps; returns AES secure messaging."""

    def __init__(self, conn: Connection, rng: RandomFn = os.urandom) -> None:
        self.conn = conn
        self.rng = rng

    def _step(self, number: int, data: bytes, last: bool = False) -> dict[int, bytes]:
        command = apdu.general_authenticate(data, last=last)
        answer, sw = self.conn.transmit(command.to_bytes())
        if last and (sw == SW.VERIFICATION_FAILED or sw & 0xFFF0 == 0x63C0 or sw == SW.SECURITY_STATUS_NOT_SATISFIED):
            raise AccessDenied(STEP, "the chip refused the password", sw)
        if sw != SW.OK:
            raise status_error(f"{STEP} {number}", sw, "GENERAL AUTHENTICATE refused")
        try:
            outer, _ = read_tlv(answer, 0, STEP)
            inner = parse_all(outer.value, STEP)
        except ParseError:
            raise SecureMessagingError(STEP, f"malformed answer to step {number}") from None
        if outer.tag != 0x7C:
            raise SecureMessagingError(STEP, "dynamic authentication data is not 7C")
        return {t.tag: t.value for t in inner}

    def run(self, info: PaceInfo, password: PacePassword) -> PaceResult:
        if not supported(info) or info.parameter_id is None:
            raise UnsupportedDocument(STEP, "PACE suite not implemented")
        curve = Curve.standard(info.parameter_id)
        oid = protocol_oid(info)
        mse = apdu.CommandApdu(0x00, apdu.INS_MSE, 0xC1, 0xA4,
                               encode_tlv(0x80, oid) + encode_tlv(0x83, bytes([password.reference])))
        _, sw = self.conn.transmit(mse.to_bytes())
        if sw != SW.OK:
            raise status_error(STEP, sw, "MSE:Set AT refused")

        z = self._step(1, b"").get(0x80, b"")
        if len(z) % 16 or not z:
            raise SecureMessagingError(STEP, "encrypted nonce missing")
        nonce = int.from_bytes(crypto.aes_decrypt(password.key(info.key_bits), z), "big")

        # Generic mapping: G' = s·G + H, H = SK_map·PK_map,IC (ICAO 9303-11 §4.4.3.3.2).
        sk_map = curve.scalar(self.rng)
        pk_map = curve.multiply(sk_map, curve.g)
        chip_map = curve.decode(self._step(2, encode_tlv(0x81, curve.encode(pk_map))).get(0x82, b""))
        if chip_map is None or chip_map == pk_map:
            raise SecureMessagingError(STEP, "chip mapping key is not a valid point")
        generator = curve.add(curve.multiply(nonce, curve.g), curve.multiply(sk_map, chip_map))
        if generator is None:
            raise SecureMessagingError(STEP, "mapped generator is the point at infinity")

        sk = curve.scalar(self.rng)
        pk = curve.multiply(sk, generator)
        chip_pk = curve.decode(self._step(3, encode_tlv(0x83, curve.encode(pk))).get(0x84, b""))
        if chip_pk is None or chip_pk == pk:
            raise SecureMessagingError(STEP, "chip ephemeral key is not a valid point")
        shared = curve.multiply(sk, chip_pk)
        if shared is None:
            raise SecureMessagingError(STEP, "shared secret is the point at infinity")
        secret = shared[0].to_bytes(curve.size, "big")
        ks_enc = crypto.kdf_aes(secret, crypto.KDF_ENC, info.key_bits)
        ks_mac = crypto.kdf_aes(secret, crypto.KDF_MAC, info.key_bits)

        token = crypto.aes_cmac(ks_mac, token_input(oid, curve, chip_pk))
        answer = self._step(4, encode_tlv(0x85, token), last=True)
        expected = crypto.aes_cmac(ks_mac, token_input(oid, curve, pk))
        if not hmac.compare_digest(answer.get(0x86, b""), expected):
            raise SecureMessagingError(STEP, "chip authentication token does not verify")
        # ICAO 9303-11 §9.8.6.2: secure messaging starts with SSC = 0 after PACE.
        return PaceResult(SecureMessaging(self.conn, AesCipher(ks_enc, ks_mac), 0), ks_enc, ks_mac)
