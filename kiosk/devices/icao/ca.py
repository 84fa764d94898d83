"""Chip authentication version 1 (ICAO 9303-11 §6.2; BSI TR-03110-1 §3.4).

An ephemeral ECDH exchange with the static key of DG14 yields fresh secure-messaging keys; only
a chip holding the matching private key can answer under them, so a copied chip fails. The
result is verified by reading a file under the new keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from asn1crypto import core as asn1core
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from . import apdu, crypto
from .errors import ChipError, ParseError, SecureMessagingError
from .keys import load_public_key
from .lds.security_infos import ChipAuthInfo, ChipAuthPublicKey, SecurityInfos
from .lds.tlv import encode_tlv
from .reader import ChipReader
from .sm import AesCipher, SecureMessaging, SmCipher, TdesCipher

STEP = "CA"

CaVerdict = Literal["verified", "failed", "not_supported"]


@dataclass(frozen=True, slots=True)
class ChipAuthResult:
    verdict: CaVerdict
    reason: str = ""
    protocol: str = ""


def _key_id_bytes(key_id: int) -> bytes:
    return key_id.to_bytes(max(1, (key_id.bit_length() + 7) // 8), "big")


def choose(infos: SecurityInfos) -> tuple[ChipAuthPublicKey, ChipAuthInfo | None] | None:
    """The ECDH key of DG14 and the ChipAuthenticationInfo that names its cipher, if any."""
    for key in infos.ca_public_keys:
        if key.key_agreement != "ECDH":
            continue
        for info in infos.ca_infos:
            if info.key_agreement == "ECDH" and (info.key_id is None or key.key_id in (None, info.key_id)):
                return key, info
        # ICAO 9303-11 §9.2.5: without ChipAuthenticationInfo, 3DES is implied.
        return key, None
    return None


class ChipAuthentication:
    def __init__(self, reader: ChipReader) -> None:
        self.reader = reader

    def run(self, infos: SecurityInfos, verify_file: str = "COM") -> ChipAuthResult:
        chosen = choose(infos)
        if chosen is None:
            reason = "ca_dh_not_supported" if infos.ca_public_keys else "ca_not_offered"
            return ChipAuthResult("not_supported", reason)
        key_info, info = chosen
        try:
            chip_key = load_public_key(key_info.spki, STEP)
        except ParseError:
            return ChipAuthResult("not_supported", "ca_unsupported_key")
        if not isinstance(chip_key, ec.EllipticCurvePublicKey):
            return ChipAuthResult("not_supported", "ca_unsupported_key")
        cipher_name = info.cipher if info else "3DES"
        bits = info.key_bits if info else 112
        protocol = info.protocol if info else "0.4.0.127.0.7.2.2.3.2.1"
        ephemeral = ec.generate_private_key(chip_key.curve)
        public = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        key_id = _key_id_bytes(key_info.key_id) if key_info.key_id is not None else None
        if cipher_name == "3DES":
            _, sw = self.reader.transmit(apdu.mse_set_kat(public, key_id))
            if sw != 0x9000:
                return ChipAuthResult("failed", f"ca_status_{sw:04X}", protocol)
        else:
            oid = asn1core.ObjectIdentifier(protocol).dump()[2:]
            _, sw = self.reader.transmit(apdu.mse_set_at(oid, key_id=key_id))
            if sw != 0x9000:
                return ChipAuthResult("failed", f"ca_status_{sw:04X}", protocol)
            _, sw = self.reader.transmit(apdu.general_authenticate(encode_tlv(0x80, public)))
            if sw != 0x9000:
                return ChipAuthResult("failed", f"ca_status_{sw:04X}", protocol)
        shared = ephemeral.exchange(ec.ECDH(), chip_key)
        cipher: SmCipher
        if cipher_name == "3DES":
            cipher = TdesCipher(crypto.kdf_3des(shared, crypto.KDF_ENC), crypto.kdf_3des(shared, crypto.KDF_MAC))
        else:
            cipher = AesCipher(crypto.kdf_aes(shared, crypto.KDF_ENC, bits), crypto.kdf_aes(shared, crypto.KDF_MAC, bits))
        # ICAO 9303-11 §6.2.4: secure messaging restarts with the new keys and SSC = 0.
        self.reader.replace_channel(SecureMessaging(self.reader.raw, cipher, 0))
        try:
            self.reader.probe(verify_file)
        except SecureMessagingError:
            return ChipAuthResult("failed", "ca_keys_rejected", protocol)
        except ChipError as exc:
            if exc.sw is None:
                raise
            return ChipAuthResult("failed", f"ca_status_{exc.sw:04X}", protocol)
        return ChipAuthResult("verified", "", protocol)


def chip_authenticate(reader: ChipReader, infos: SecurityInfos) -> ChipAuthResult:
    return ChipAuthentication(reader).run(infos)
