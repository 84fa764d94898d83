"""Builders for ICAO test material: certificates, LDS files and EF.SOD, made fresh in each test.

These build *specimens* with independent code paths (asn1crypto / cryptography builders), so
the parsers and verifiers under test meet data they did not produce themselves.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import algos, cms
from asn1crypto import core as asn1core
from asn1crypto import keys as asn1keys
from asn1crypto import x509 as asn1x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from kiosk.devices.icao.crypto import check_digit

NOW = datetime(2025, 6, 1, tzinfo=UTC)

# SEC 2 / RFC 5639 parameters used to write explicit-parameter keys (p, a, b, Gx, Gy, n).
BRAINPOOL_P256R1 = (
    0xA9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377,
    0x7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9,
    0x26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6,
    0x8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262,
    0x547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997,
    0xA9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7,
)


def tlv(tag: int, value: bytes) -> bytes:
    if len(value) < 0x80:
        length = bytes([len(value)])
    else:
        body = len(value).to_bytes((len(value).bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(body)]) + body
    return tag.to_bytes(max(1, (tag.bit_length() + 7) // 8), "big") + length + value


# ---------------------------------------------------------------- certificates


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Pki:
    csca_key: object
    csca_cert: bytes
    ds_key: object
    ds_cert: bytes


def _builder(subject: x509.Name, issuer: x509.Name, public_key, not_before, not_after, ca: bool):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return b


def make_key(kind: str):
    if kind in ("rsa", "pss"):
        return rsa.generate_private_key(65537, 2048)
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "brainpool":
        return ec.generate_private_key(ec.BrainpoolP256R1())
    raise ValueError(kind)


def _sign_args(key, kind: str):
    if kind == "pss":
        return {"algorithm": hashes.SHA256(), "rsa_padding": padding.PSS(padding.MGF1(hashes.SHA256()), 32)}
    return {"algorithm": hashes.SHA256()}


def make_pki(
    csca_kind: str = "rsa",
    ds_kind: str = "rsa",
    *,
    ds_not_before: datetime | None = None,
    ds_not_after: datetime | None = None,
    csca_cn: str = "CSCA Test VN",
) -> Pki:
    csca_key = make_key(csca_kind)
    csca_name = name(csca_cn)
    csca = _builder(csca_name, csca_name, csca_key.public_key(), NOW - timedelta(days=3650),
                    NOW + timedelta(days=3650), True).sign(csca_key, **_sign_args(csca_key, csca_kind))
    ds_key = make_key(ds_kind)
    ds = (
        _builder(name("DS Test VN"), csca_name, ds_key.public_key(),
                 ds_not_before or NOW - timedelta(days=30), ds_not_after or NOW + timedelta(days=3650), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(csca_key.public_key()), critical=False
        )
        .sign(csca_key, **_sign_args(csca_key, csca_kind))
    )
    return Pki(csca_key, csca.public_bytes(serialization.Encoding.DER), ds_key,
               ds.public_bytes(serialization.Encoding.DER))


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
    new = asn1keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "ec", "parameters": asn1keys.ECDomainParameters(name="specified", value=domain)},
            "public_key": info["public_key"].native,
        }
    )
    return new.dump()


def make_explicit_csca_pki() -> Pki:
    """A brainpoolP256r1 CSCA whose certificate states the curve with explicit parameters."""
    pki = make_pki("brainpool", "ecdsa")
    cert = asn1x509.Certificate.load(pki.csca_cert)
    tbs = cert["tbs_certificate"]
    spki = tbs["subject_public_key_info"].dump()
    tbs = asn1x509.TbsCertificate.load(tbs.dump())
    tbs["subject_public_key_info"] = asn1keys.PublicKeyInfo.load(explicit_ec_spki(spki))
    signature = pki.csca_key.sign(tbs.dump(), ec.ECDSA(hashes.SHA256()))
    new = asn1x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": {"algorithm": "sha256_ecdsa"}, "signature_value": signature}
    )
    return Pki(pki.csca_key, new.dump(), pki.ds_key, pki.ds_cert)


def pem(der: bytes) -> bytes:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)


# ---------------------------------------------------------------- CMS


def _signature_algorithm(kind: str, hash_name: str) -> dict:
    if kind == "pss":
        return {
            "algorithm": "rsassa_pss",
            "parameters": {
                "hash_algorithm": {"algorithm": hash_name},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
                "salt_length": hashlib.new(hash_name).digest_size,
            },
        }
    if kind == "rsa":
        return {"algorithm": f"{hash_name}_rsa"}
    return {"algorithm": f"{hash_name}_ecdsa"}


def _hash(hash_name: str):
    return {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
            "sha384": hashes.SHA384, "sha512": hashes.SHA512}[hash_name]()


def sign_bytes(key, kind: str, hash_name: str, data: bytes) -> bytes:
    h = _hash(hash_name)
    if kind == "pss":
        return key.sign(data, padding.PSS(padding.MGF1(h), h.digest_size), h)
    if kind == "rsa":
        return key.sign(data, padding.PKCS1v15(), h)
    return key.sign(data, ec.ECDSA(h))


def signed_data(
    content_type: str, content: bytes, key, cert_der: bytes, kind: str, hash_name: str = "sha256",
    *, include_cert: bool = True, tamper_signature: bool = False,
) -> bytes:
    attrs = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [cms.ContentType(content_type)]},
            {"type": "message_digest", "values": [hashlib.new(hash_name, content).digest()]},
        ]
    )
    signature = sign_bytes(key, kind, hash_name, attrs.dump())
    if tamper_signature:
        signature = signature[:-1] + bytes([signature[-1] ^ 1])
    cert = asn1x509.Certificate.load(cert_der)
    signer = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": cert.issuer, "serial_number": cert.serial_number},
            ),
            "digest_algorithm": {"algorithm": hash_name},
            "signed_attrs": attrs,
            "signature_algorithm": _signature_algorithm(kind, hash_name),
            "signature": signature,
        }
    )
    sd = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": hash_name}],
            "encap_content_info": {"content_type": content_type, "content": content},
            "certificates": [cert] if include_cert else [],
            "signer_infos": [signer],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": sd}).dump()


class _DGHash(asn1core.Sequence):
    _fields = [("n", asn1core.Integer), ("h", asn1core.OctetString)]


class _DGHashes(asn1core.SequenceOf):
    _child_spec = _DGHash


class _Lso(asn1core.Sequence):
    _fields = [("version", asn1core.Integer), ("alg", algos.DigestAlgorithm), ("hashes", _DGHashes)]


def make_sod(files: dict[str, bytes], pki: Pki, kind: str = "rsa", hash_name: str = "sha256", **kw) -> bytes:
    lso = _Lso(
        {
            "version": 0,
            "alg": {"algorithm": hash_name},
            "hashes": [
                {"n": int(n[2:]), "h": hashlib.new(hash_name, data).digest()}
                for n, data in sorted(files.items()) if n.startswith("DG")
            ],
        }
    ).dump()
    return tlv(0x77, signed_data("2.23.136.1.1.1", lso, pki.ds_key, pki.ds_cert, kind, hash_name, **kw))


class _CertSet(asn1core.SetOf):
    _child_spec = asn1x509.Certificate


class _MasterList(asn1core.Sequence):
    _fields = [("version", asn1core.Integer), ("certs", _CertSet)]


def make_master_list(csca_ders: list[bytes], signer: Pki) -> bytes:
    content = _MasterList({"version": 0, "certs": [asn1x509.Certificate.load(d) for d in csca_ders]}).dump()
    return signed_data("2.23.136.1.1.2", content, signer.ds_key, signer.ds_cert, "rsa")


# ---------------------------------------------------------------- LDS files


@dataclass
class Holder:
    id_number: str = "001090012345"
    birth: str = "900815"
    expiry: str = "300815"
    sex: str = "M"
    surname: str = "NGUYEN"
    given: str = "VAN AN"


def td1(h: Holder) -> str:
    doc = h.id_number[-9:]
    l1 = f"IDVNM{doc}{check_digit(doc)}{h.id_number}<<{check_digit(h.id_number)}"
    l2 = f"{h.birth}{check_digit(h.birth)}{h.sex}{h.expiry}{check_digit(h.expiry)}VNM" + "<" * 11
    l2 += str(check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]))
    l3 = (h.surname + "<<" + h.given.replace(" ", "<")).ljust(30, "<")
    assert len(l1) == len(l2) == len(l3) == 30
    return l1 + l2 + l3


def dg1(mrz: str) -> bytes:
    return tlv(0x61, tlv(0x5F1F, mrz.encode()))


def com(groups: tuple[int, ...] = (0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F)) -> bytes:
    return tlv(0x60, tlv(0x5F01, b"0107") + tlv(0x5F36, b"040000") + tlv(0x5C, bytes(groups)))


def jpeg(size: int = 600) -> bytes:
    return b"\xff\xd8\xff\xe0" + bytes((i * 7) & 0xFF for i in range(size)) + b"\xff\xd9"


def facial_record(image: bytes, image_type: int = 0, width: int = 480, height: int = 640) -> bytes:
    info = bytes([1, image_type]) + width.to_bytes(2, "big") + height.to_bytes(2, "big") + bytes(6)
    face = (0).to_bytes(2, "big") + bytes(14)  # no feature points; gender … pose uncertainty
    record = face + info + image
    record = (len(record) + 4).to_bytes(4, "big") + record
    header = b"FAC\x00010\x00" + (14 + len(record)).to_bytes(4, "big") + (1).to_bytes(2, "big")
    return header + record


def dg2(image: bytes, bdb_tag: int = 0x5F2E, image_type: int = 0) -> bytes:
    bit = tlv(0x7F60, tlv(0xA1, tlv(0x80, b"\x01\x01")) + tlv(bdb_tag, facial_record(image, image_type)))
    return tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x01") + bit))


def utf8(text: str) -> bytes:
    return tlv(0x0C, text.encode())


def printable(text: str) -> bytes:
    return tlv(0x13, text.encode())


def field(n: int, *values: bytes) -> bytes:
    return tlv(0x30, tlv(0x02, bytes([n])) + b"".join(values))


LONG_ADDRESS = (
    "Số 123, Ngõ 45, Ngách 67, Đường Nguyễn Trãi, Tổ dân phố 8, Phường Thanh Xuân Trung, "
    "Quận Thanh Xuân, Thành phố Hà Nội, Việt Nam"
)


def dg13(fields: list[bytes]) -> bytes:
    body = tlv(0x02, b"\x01") + tlv(0x06, bytes.fromhex("28D316010008")) + tlv(0x31, b"".join(fields))
    return tlv(0x6D, tlv(0x30, body))


def standard_dg13_fields(h: Holder, nesting: str = "flat") -> list[bytes]:
    if nesting == "flat":
        parents = field(13, tlv(0x30, utf8("Nguyễn Văn Bố") + utf8("Trần Thị Mẹ")))
    else:
        parents = field(13, tlv(0x30, tlv(0x30, utf8("Nguyễn Văn Bố")) + tlv(0x30, utf8("Trần Thị Mẹ"))))
    return [
        field(1, printable(h.id_number)),
        field(2, utf8("Nguyễn Văn An")),
        field(3, printable(f"{h.birth[4:6]}/{h.birth[2:4]}/19{h.birth[0:2]}")),
        field(4, utf8("Nam" if h.sex == "M" else "Nữ")),
        field(5, utf8("Việt Nam")),
        field(6, utf8("Kinh")),
        field(7, utf8("Không")),
        field(8, utf8("Xã Phú Xuân, Huyện Phú Vang, Tỉnh Thừa Thiên Huế")),
        field(9, utf8(LONG_ADDRESS)),
        field(10, utf8("Nốt ruồi C:2cm trên sau đuôi mắt trái")),
        field(11, printable("15/08/2021")),
        field(12, utf8(f"{h.expiry[4:6]}/{h.expiry[2:4]}/20{h.expiry[0:2]}")),
        parents,
        field(14, tlv(0x30, b"")),
        field(15, printable("123456789")),
        field(16, printable("ABCDEF0123456789")),
    ]


def security_info(oid: str, *parts: bytes) -> bytes:
    return tlv(0x30, asn1core.ObjectIdentifier(oid).dump() + b"".join(parts))


def dg14(ca_public_spki: bytes | None, aa_hash_oid: str | None = None, ca_protocol: str = "0.4.0.127.0.7.2.2.3.2.1") -> bytes:
    infos = []
    if ca_public_spki is not None:
        infos.append(security_info("0.4.0.127.0.7.2.2.1.2", ca_public_spki))
        infos.append(security_info(ca_protocol, tlv(0x02, b"\x01")))
    if aa_hash_oid is not None:
        infos.append(security_info("2.23.136.1.1.5", tlv(0x02, b"\x01"), asn1core.ObjectIdentifier(aa_hash_oid).dump()))
    return tlv(0x6E, tlv(0x31, b"".join(sorted(infos))))


def spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def dg15(public_key) -> bytes:
    return tlv(0x6F, spki(public_key))
