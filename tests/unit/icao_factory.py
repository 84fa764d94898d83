"""Test specimens the virtual chip's encoders (kiosk.devices.vchip) do not make: keys and
certificates that state their curve with explicit domain parameters, as Viet Nam's CSCA does
(docs/card.md), and fake image bytes for parser tests."""

from __future__ import annotations

import dataclasses
from datetime import date

from asn1crypto import keys as asn1keys
from asn1crypto import x509 as asn1x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.devices.vchip import lds
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.devices.vchip.tlv import integer, oid, printable, seq, tlv, utf8

__all__ = [
    "BRAINPOOL_P256R1", "Holder", "dg1", "dg13", "explicit_csca_der", "explicit_ec_spki", "field", "jpeg",
    "printable", "spki", "standard_dg13_fields", "td1", "utf8",
]

# RFC 5639 §3.4 brainpoolP256r1 (p, a, b, Gx, Gy, n), typed from the RFC, not from the code under test.
BRAINPOOL_P256R1 = (
    0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)


def spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def explicit_ec_spki(spki_der: bytes, params=BRAINPOOL_P256R1) -> bytes:
    """Rewrite a named-curve SubjectPublicKeyInfo with explicit domain parameters."""
    info = asn1keys.PublicKeyInfo.load(spki_der)
    p, a, b, gx, gy, n = params
    size = (p.bit_length() + 7) // 8
    domain = asn1keys.SpecifiedECDomain(
        {
            "version": "ecdpVer1",
            "field_id": {"field_type": "prime_field", "parameters": p},
            "curve": {"a": a.to_bytes(size, "big"), "b": b.to_bytes(size, "big")},
            "base": b"\x04" + gx.to_bytes(size, "big") + gy.to_bytes(size, "big"),
            "order": n,
            "cofactor": 1,
        }
    )
    return asn1keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "ec", "parameters": asn1keys.ECDomainParameters(name="specified", value=domain)},
            "public_key": info["public_key"].native,
        }
    ).dump()


def explicit_csca_der(pki: TestPKI, params=BRAINPOOL_P256R1) -> bytes:
    """The CSCA certificate of a brainpool test PKI, re-encoded with explicit curve parameters and
    re-signed by the same key (so it still issues the PKI's Document Signer)."""
    cert = asn1x509.Certificate.load(pki.csca_cert.public_bytes(serialization.Encoding.DER))
    tbs = asn1x509.TbsCertificate.load(cert["tbs_certificate"].dump())
    tbs["subject_public_key_info"] = asn1keys.PublicKeyInfo.load(
        explicit_ec_spki(tbs["subject_public_key_info"].dump(), params))
    signature = pki.csca_key.sign(tbs.dump(), ec.ECDSA(hashes.SHA256()))
    return asn1x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": {"algorithm": "sha256_ecdsa"}, "signature_value": signature}
    ).dump()


def jpeg(size: int = 600) -> bytes:
    """Bytes that start and end like a JPEG: enough for the DG2 parser, not for an image decoder."""
    return b"\xff\xd8\xff\xe0" + bytes((i * 7) & 0xFF for i in range(size)) + b"\xff\xd9"


@dataclasses.dataclass
class Holder:
    """A card holder with chosen MRZ values (YYMMDD dates; expiry 991231 = none)."""

    id_number: str = "001090012345"
    birth: str = "900815"
    expiry: str = "300815"
    sex: str = "M"
    surname: str = "Nguyễn"
    given: str = "Văn An"

    def citizen(self):
        def day(yymmdd: str, century: int) -> date:
            return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))

        century = 1900 + 100 * (int(self.id_number[3]) // 2)
        return dataclasses.replace(
            generate_citizen(0), id_number=self.id_number, birth_date=day(self.birth, century), sex=self.sex,
            expiry_date=None if self.expiry == "991231" else day(self.expiry, 2000),
            surname=self.surname, middle_name="", given_name=self.given)


def td1(holder: Holder) -> str:
    return lds.td1_mrz(holder.citizen())


dg1 = lds.dg1


def field(number: int, *values: bytes) -> bytes:
    """One DG13 field: SEQUENCE { INTEGER n, value … } (docs/card.md)."""
    return seq(integer(number), *values)


def standard_dg13_fields(holder: Holder) -> list[bytes]:
    """The chip's DG13 fields for `holder`, in field-number order (index 0 is field 1)."""
    return [field(n, value) for n, value in sorted(lds.dg13_fields(holder.citizen()).items())]


def dg13(fields: list[bytes]) -> bytes:
    """DG13 around hand-made fields, in the given order (duplicates allowed, for negative tests)."""
    return tlv(0x6D, seq(integer(1) + oid(lds.OID_DG13_VN) + tlv(0x31, b"".join(fields))))
