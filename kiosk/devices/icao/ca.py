"""Chip authentication version 1 (ICAO 9303-11 §6.2; BSI TR-03110-1 §3.4).

An ephemeral ECDH exchange with the static key of DG14 yields fresh secure-messaging keys; only
a chip holding the matching private key can answer under them, so a copied chip fails. The
result is verified by reading a file under the new keys. The new secure-messaging channel comes
back in the result; the caller installs it on its reader (`ChipReader.replace_channel`): the chip
has left the old session, so every later command must go through it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from asn1crypto import core as asn1core
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ...domain import chip_verdict
from ...domain.chip_verdict import ReasonCode, code
from . import apdu, crypto, status
from .errors import ChipError, ParseError, SecureMessagingError, UnknownAlgorithm
from .keys import load_public_key
from .lds.security_infos import ChipAuthInfo, ChipAuthPublicKey, SecurityInfos
from .lds.tlv import encode_tlv
from .reader import ChipReader
from .sm import AesCipher, SecureMessaging, SmCipher, TdesCipher
from .status import StatusWord as SW

STEP = "CA"

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChipAuthResult(chip_verdict.CheckResult):
    """The verdict of chip authentication and the reason codes it follows from.

    `channel` is the secure messaging under the new keys once the chip accepted the exchange (also
    when the confirming read then failed: the chip has dropped the old session either way), else None.
    """

    STEP = "chip"
    protocol: str = ""
    channel: SecureMessaging | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, reason: str, protocol: str = "", channel: SecureMessaging | None = None) -> ChipAuthResult:
        return cls((reason,), protocol, channel)


def _key_id_bytes(key_id: int) -> bytes:
    return key_id.to_bytes(max(1, (key_id.bit_length() + 7) // 8), "big")


def choose(infos: SecurityInfos) -> tuple[ChipAuthPublicKey, ChipAuthInfo | None] | str:
    """The ECDH key of DG14 and the ChipAuthenticationInfo that names its cipher, if any; else the
    reason code why chip authentication cannot run."""
    if not infos.ca_public_keys:
        return code(ReasonCode.CA_NOT_OFFERED)
    for key in infos.ca_public_keys:
        if key.key_agreement != "ECDH":
            continue
        for info in infos.ca_infos:
            if info.key_agreement == "ECDH" and (info.key_id is None or key.key_id in (None, info.key_id)):
                return key, info
        if infos.unknown_ca_protocols:
            # The chip names its protocol, only not one we know: assuming 3DES would be a guess.
            return code(ReasonCode.CA_UNSUPPORTED_PROTOCOL, infos.unknown_ca_protocols[0])
        # ICAO 9303-11 §9.2.5: without ChipAuthenticationInfo, 3DES is implied.
        return key, None
    # Finite-field DH chip authentication is not implemented (the CCCD uses ECDH).
    return code(ReasonCode.CA_UNSUPPORTED_KEY, "DH")


class ChipAuthentication:
    def __init__(self, reader: ChipReader) -> None:
        self.reader = reader

    def run(self, infos: SecurityInfos, verify_file: str = "COM") -> ChipAuthResult:
        chosen = choose(infos)
        if isinstance(chosen, str):
            return ChipAuthResult.of(chosen)
        key_info, info = chosen
        try:
            chip_key = load_public_key(key_info.spki, STEP)
        except UnknownAlgorithm as exc:
            return ChipAuthResult.of(code(ReasonCode.CA_UNSUPPORTED_KEY, exc.detail))
        except ParseError:
            return ChipAuthResult.of(code(ReasonCode.CA_UNREADABLE_INFOS))
        if not isinstance(chip_key, ec.EllipticCurvePublicKey):
            return ChipAuthResult.of(code(ReasonCode.CA_UNSUPPORTED_KEY, type(chip_key).__name__))
        cipher_name = info.cipher if info else "3DES"
        bits = info.key_bits if info else 112
        protocol = info.protocol if info else "0.4.0.127.0.7.2.2.3.2.1"
        ephemeral = ec.generate_private_key(chip_key.curve)
        public = ephemeral.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        key_id = _key_id_bytes(key_info.key_id) if key_info.key_id is not None else None
        if cipher_name == "3DES":
            commands = [apdu.mse_set_kat(public, key_id)]
        else:
            oid = asn1core.ObjectIdentifier(protocol).dump()[2:]
            commands = [apdu.mse_set_at(oid, key_id=key_id), apdu.general_authenticate(encode_tlv(0x80, public))]
        for command in commands:
            _, sw = self.reader.transmit(command)
            if sw != SW.OK:
                # DG14 advertised the protocol, so a refusal is unexpected: the kiosk could not check.
                log.warning("chip authentication: the chip answered %04X to %02X", sw, command.ins)
                return ChipAuthResult.of(code(ReasonCode.CA_STATUS, status.text(sw)), protocol)
        shared = ephemeral.exchange(ec.ECDH(), chip_key)
        cipher: SmCipher
        if cipher_name == "3DES":
            cipher = TdesCipher(crypto.kdf_3des(shared, crypto.KDF_ENC), crypto.kdf_3des(shared, crypto.KDF_MAC))
        else:
            cipher = AesCipher(crypto.kdf_aes(shared, crypto.KDF_ENC, bits), crypto.kdf_aes(shared, crypto.KDF_MAC, bits))
        # ICAO 9303-11 §6.2.4: secure messaging restarts with the new keys and SSC = 0.
        channel = SecureMessaging(self.reader.raw, cipher, 0)
        try:
            # The confirming read goes through the new channel alone, never reopened on failure.
            ChipReader(self.reader.raw, lambda _raw: (channel, self.reader.access), max_restarts=0).probe(verify_file)
        except SecureMessagingError:
            return ChipAuthResult.of(code(ReasonCode.CA_KEYS_REJECTED), protocol, channel)
        except ChipError as exc:
            if exc.sw is None:
                raise
            if channel.desynchronised:
                # A status without secure messaging proves nothing about the keys.
                return ChipAuthResult.of(code(ReasonCode.CA_KEYS_REJECTED), protocol, channel)
            # A refusal that carries a valid MAC under the new keys proves the chip holds them.
            log.warning("chip authentication: the chip refused the confirming read with %04X", exc.sw)
        return ChipAuthResult((), protocol, channel)


def chip_authenticate(reader: ChipReader, infos: SecurityInfos) -> ChipAuthResult:
    return ChipAuthentication(reader).run(infos)
