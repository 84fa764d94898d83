"""EF.SOD: a CMS SignedData over the LDS security object (ICAO 9303-10 §4.6.2, 9303-12 §4.6)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from asn1crypto import algos, cms
from asn1crypto import core as asn1core

from ..errors import ParseError
from .tlv import parse_single

STEP = "SOD"
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"


class _DataGroupHash(asn1core.Sequence):
    _fields = [("data_group_number", asn1core.Integer), ("data_group_hash_value", asn1core.OctetString)]


class _DataGroupHashes(asn1core.SequenceOf):
    _child_spec = _DataGroupHash


class _LdsVersionInfo(asn1core.Sequence):
    _fields = [("lds_version", asn1core.PrintableString), ("unicode_version", asn1core.PrintableString)]


class LdsSecurityObject(asn1core.Sequence):
    _fields = [
        ("version", asn1core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", _DataGroupHashes),
        ("lds_version_info", _LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class SignedDataInfo:
    """What a verifier needs from a CMS SignedData with one signer (EF.SOD, a master list)."""

    content_type: str
    content: bytes
    certificates: tuple[bytes, ...]
    digest_algorithm: str
    signature_algorithm: str
    signature_algorithm_der: bytes
    signature: bytes
    signed_attrs: bytes | None  # DER of the SET OF attributes, as signed (tag 31)
    message_digest: bytes | None
    signed_content_type: str | None
    signer_issuer: bytes | None
    signer_serial: int | None
    signer_key_id: bytes | None


@dataclass(frozen=True, slots=True)
class Sod:
    signed: SignedDataInfo
    hash_algorithm: str
    dg_hashes: Mapping[int, bytes]
    lds_version: str | None


def parse_signed_data(der: bytes, step: str) -> SignedDataInfo:
    """Decode a ContentInfo holding SignedData with exactly one SignerInfo."""
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise ParseError(step, "not a CMS SignedData")
        sd = info["content"]
        encap = sd["encap_content_info"]
        content = encap["content"]
        if content.native is None:
            raise ParseError(step, "SignedData carries no content")
        content_bytes = content.contents
        certs = tuple(
            c.chosen.dump() for c in (sd["certificates"] if sd["certificates"].native is not None else [])
            if c.name == "certificate"
        )
        signers = sd["signer_infos"]
        if len(signers) != 1:
            raise ParseError(step, f"expected one signer, found {len(signers)}")
        si = signers[0]
        sig_alg = si["signature_algorithm"]
        signed_attrs, message_digest, signed_ct = _signed_attributes(si)
        issuer, serial, key_id = _signer_id(si["sid"])
        return SignedDataInfo(
            encap["content_type"].dotted,
            bytes(content_bytes),
            certs,
            si["digest_algorithm"]["algorithm"].native,
            sig_alg["algorithm"].native,
            sig_alg.dump(),
            si["signature"].native,
            signed_attrs,
            message_digest,
            signed_ct,
            issuer,
            serial,
            key_id,
        )
    except ParseError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ParseError(step, f"malformed SignedData: {type(exc).__name__}") from None


def _signed_attributes(si) -> tuple[bytes | None, bytes | None, str | None]:
    """(the DER the signature covers, the messageDigest, the signed content type) of a SignerInfo; Nones
    when it signs the content directly."""
    if si["signed_attrs"].native is None:
        return None, None, None
    raw = si["signed_attrs"].dump()
    # RFC 5652 §5.4: the signature covers the attributes DER-encoded as a SET OF (tag 31),
    # not with the [0] IMPLICIT tag they carry inside SignerInfo.
    signed_attrs = b"\x31" + raw[1:]
    message_digest = signed_ct = None
    for attr in si["signed_attrs"]:
        kind = attr["type"].native
        values = attr["values"]
        if kind == "message_digest" and len(values) == 1:
            message_digest = values[0].native
        elif kind == "content_type" and len(values) == 1:
            signed_ct = values[0].dotted
    return signed_attrs, message_digest, signed_ct


def _signer_id(sid) -> tuple[bytes | None, int | None, bytes | None]:
    """(issuer DER, serial number, subject key identifier): the first two or the last, as the signer names itself."""
    if sid.name == "issuer_and_serial_number":
        return sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native, None
    return None, None, sid.chosen.native


def parse_sod(data: bytes) -> Sod:
    """EF.SOD = 77 { ContentInfo }; the content is an LDSSecurityObject."""
    outer = parse_single(data, 0x77, STEP)
    signed = parse_signed_data(outer.value, STEP)
    if signed.content_type != OID_LDS_SECURITY_OBJECT:
        raise ParseError(STEP, "SignedData does not hold an LDS security object")
    try:
        lso = LdsSecurityObject.load(signed.content, strict=True)
        hash_name = lso["hash_algorithm"]["algorithm"].native
        hashes: dict[int, bytes] = {}
        for item in lso["data_group_hash_values"]:
            number = item["data_group_number"].native
            if not 1 <= number <= 16 or number in hashes:
                raise ParseError(STEP, "bad or repeated data-group number")
            hashes[number] = item["data_group_hash_value"].native
        lds_version = None
        if lso["lds_version_info"].native is not None:
            lds_version = lso["lds_version_info"]["lds_version"].native
    except ParseError:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise ParseError(STEP, f"malformed LDS security object: {type(exc).__name__}") from None
    return Sod(signed, hash_name, MappingProxyType(hashes), lds_version)
