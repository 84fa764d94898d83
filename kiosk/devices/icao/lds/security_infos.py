"""SecurityInfos of DG14 and EF.CardAccess (ICAO 9303-11 §9.2; BSI TR-03110-3 §A.1)."""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import core as asn1core

from ..errors import ParseError
from .tlv import Tlv, encode_tlv, parse_all, parse_single

BSI = "0.4.0.127.0.7.2.2"
ID_PK_DH = f"{BSI}.1.1"
ID_PK_ECDH = f"{BSI}.1.2"
ID_TA = f"{BSI}.2"
ID_CA = f"{BSI}.3"
ID_PACE = f"{BSI}.4"
ID_AA = "2.23.136.1.1.5"

_CIPHERS = {"1": ("3DES", 112), "2": ("AES", 128), "3": ("AES", 192), "4": ("AES", 256)}
_PACE_MAPPINGS = {"1": ("DH", "GM"), "2": ("ECDH", "GM"), "3": ("DH", "IM"), "4": ("ECDH", "IM"), "6": ("ECDH", "CAM")}

#: BSI TR-03111 §5.2.1: ecdsa-plain-signatures = { id-ecc signatures(4) 1 }, id-ecc = bsi-de algorithms(1) 1.
ECDSA_PLAIN = "0.4.0.127.0.7.1.1.4.1"

#: ActiveAuthenticationInfo.signatureAlgorithm → the hash the chip signs the challenge with. ICAO
#: 9303-11 §6.1 asks for ECDSA in the plain format of BSI TR-03111, named by its ecdsa-plain OIDs
#: (§9.2); some issuers write the X9.62 ecdsa-with-SHA* OIDs of RFC 5758 §3.2 / RFC 3279 §2.2.3
#: instead, which name the same hashes.
AA_SIGNATURE_HASHES = {
    f"{ECDSA_PLAIN}.1": "sha1",
    f"{ECDSA_PLAIN}.2": "sha224",
    f"{ECDSA_PLAIN}.3": "sha256",
    f"{ECDSA_PLAIN}.4": "sha384",
    f"{ECDSA_PLAIN}.5": "sha512",
    f"{ECDSA_PLAIN}.6": "ripemd160",
    "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224",
    "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384",
    "1.2.840.10045.4.3.4": "sha512",
}


@dataclass(frozen=True, slots=True)
class ChipAuthPublicKey:
    protocol: str
    key_agreement: str  # "ECDH" | "DH"
    spki: bytes
    key_id: int | None


@dataclass(frozen=True, slots=True)
class ChipAuthInfo:
    protocol: str
    version: int
    key_id: int | None
    key_agreement: str
    cipher: str  # "3DES" | "AES"
    key_bits: int


@dataclass(frozen=True, slots=True)
class ActiveAuthInfo:
    version: int
    signature_algorithm: str | None

    @property
    def hash_name(self) -> str | None:
        """The hash the signature algorithm names, None for an algorithm this reader does not know."""
        return AA_SIGNATURE_HASHES.get(self.signature_algorithm or "")


@dataclass(frozen=True, slots=True)
class PaceInfo:
    protocol: str
    version: int
    parameter_id: int | None
    key_agreement: str
    mapping: str  # "GM" | "IM" | "CAM"
    cipher: str
    key_bits: int


@dataclass(frozen=True, slots=True)
class SecurityInfos:
    ca_public_keys: tuple[ChipAuthPublicKey, ...]
    ca_infos: tuple[ChipAuthInfo, ...]
    aa_info: ActiveAuthInfo | None
    pace_infos: tuple[PaceInfo, ...]
    terminal_auth: bool
    other: tuple[tuple[str, bytes], ...]

    @property
    def unknown_ca_protocols(self) -> tuple[str, ...]:
        """Chip-authentication protocols (under id-CA) whose OID this reader does not know."""
        return tuple(oid for oid, _ in self.other if oid.startswith(ID_CA + "."))


def _oid(tlv: Tlv, step: str) -> str:
    if tlv.tag != 0x06 or not tlv.value:
        raise ParseError(step, "SecurityInfo does not start with an OID")
    try:
        return asn1core.ObjectIdentifier.load(encode_tlv(0x06, tlv.value)).dotted
    except (ValueError, TypeError):
        raise ParseError(step, "malformed OID") from None


def _int(tlv: Tlv, step: str) -> int:
    if tlv.tag != 0x02 or not tlv.value or len(tlv.value) > 8:
        raise ParseError(step, "expected an INTEGER")
    return int.from_bytes(tlv.value, "big", signed=True)


def _opt_int(parts: tuple[Tlv, ...], index: int, step: str) -> int | None:
    return _int(parts[index], step) if len(parts) > index else None


def parse_security_infos(der: bytes, step: str) -> SecurityInfos:
    top = parse_single(der, 0x31, step)
    ca_keys: list[ChipAuthPublicKey] = []
    ca_infos: list[ChipAuthInfo] = []
    aa: ActiveAuthInfo | None = None
    pace: list[PaceInfo] = []
    ta = False
    other: list[tuple[str, bytes]] = []
    for info in parse_all(top.value, step):
        if info.tag != 0x30:
            raise ParseError(step, "SecurityInfo is not a SEQUENCE")
        parts = info.children(step)
        if len(parts) < 2:
            raise ParseError(step, "SecurityInfo lacks its required data")
        oid = _oid(parts[0], step)
        if oid in (ID_PK_DH, ID_PK_ECDH):
            if parts[1].tag != 0x30:
                raise ParseError(step, "chip-authentication key is not a SubjectPublicKeyInfo")
            ca_keys.append(
                ChipAuthPublicKey(
                    oid, "ECDH" if oid == ID_PK_ECDH else "DH",
                    encode_tlv(0x30, parts[1].value), _opt_int(parts, 2, step),
                )
            )
        elif oid.startswith(ID_CA + ".") and oid.count(".") == ID_CA.count(".") + 2:
            family, suffix = oid.split(".")[-2:]
            if family not in ("1", "2") or suffix not in _CIPHERS:
                other.append((oid, encode_tlv(0x30, info.value)))
                continue
            cipher, bits = _CIPHERS[suffix]
            ca_infos.append(
                ChipAuthInfo(
                    oid, _int(parts[1], step), _opt_int(parts, 2, step),
                    "DH" if family == "1" else "ECDH", cipher, bits,
                )
            )
        elif oid == ID_AA:
            alg = _oid(parts[2], step) if len(parts) > 2 else None
            aa = ActiveAuthInfo(_int(parts[1], step), alg)
        elif oid.startswith(ID_PACE + ".") and oid.count(".") == ID_PACE.count(".") + 2:
            family, suffix = oid.split(".")[-2:]
            if family not in _PACE_MAPPINGS or suffix not in _CIPHERS:
                other.append((oid, encode_tlv(0x30, info.value)))
                continue
            agreement, mapping = _PACE_MAPPINGS[family]
            cipher, bits = _CIPHERS[suffix]
            pace.append(
                PaceInfo(oid, _int(parts[1], step), _opt_int(parts, 2, step), agreement, mapping, cipher, bits)
            )
        elif oid == ID_TA:
            ta = True
        else:
            other.append((oid, encode_tlv(0x30, info.value)))
    return SecurityInfos(tuple(ca_keys), tuple(ca_infos), aa, tuple(pace), ta, tuple(other))


def parse_dg14(data: bytes) -> SecurityInfos:
    """DG14 = 6E { SecurityInfos } (ICAO 9303-10 §4.7.14)."""
    outer = parse_single(data, 0x6E, "DG14")
    return parse_security_infos(outer.value, "DG14")


def parse_card_access(data: bytes) -> SecurityInfos:
    """EF.CardAccess is a bare SecurityInfos (ICAO 9303-10 §3.11.3)."""
    return parse_security_infos(data, "CardAccess")
