"""Card-side encoders of the LDS1 files (ICAO 9303-10) and the Vietnamese DG13 (docs/card.md).

Each function takes plain values and returns the file's bytes exactly as the chip stores them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date

from asn1crypto import algos, cms, core
from asn1crypto import x509 as ax509

from kiosk.devices.icao.crypto import check_digit
from kiosk.devices.vchip import tlv
from kiosk.devices.vchip.citizen import NO_EXPIRY_TEXT, Citizen, ascii_fold
from kiosk.devices.vchip.issuer import TestPKI

#: Data group number → the tag of its template (ICAO 9303-10 §4.6.1, Table 34).
DG_TAGS = {1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68, 9: 0x69,
           10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70}

OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
OID_AA_PROTOCOL = "2.23.136.1.1.5"
OID_PK_ECDH = "0.4.0.127.0.7.2.2.1.2"
OID_CA_ECDH_3DES = "0.4.0.127.0.7.2.2.3.2.1"
OID_CA_ECDH_AES128 = "0.4.0.127.0.7.2.2.3.2.2"
OID_PACE_ECDH_GM_AES128 = "0.4.0.127.0.7.2.2.4.2.2"
#: ActiveAuthenticationInfo.signatureAlgorithm by family and hash, written by the chip: BSI TR-03111
#: §5.2.1 ecdsa-plain-signatures {0 4 0 127 0 7 1 1 4 1} with SHA-1 1, SHA-224 2, SHA-256 3,
#: SHA-384 4, SHA-512 5, RIPEMD-160 6; ANSI X9.62 ecdsa-with-SHA1 {1 2 840 10045 4 1} and
#: ecdsa-with-SHA2 {1 2 840 10045 4 3} with SHA-224 1 … SHA-512 4 (RFC 5758 §3.2).
_AA_ARCS = {
    "ecdsa-plain": ("0.4.0.127.0.7.1.1.4.1", {"sha1": ".1", "sha224": ".2", "sha256": ".3", "sha384": ".4",
                                             "sha512": ".5", "ripemd160": ".6"}),
    "x962": ("1.2.840.10045.4", {"sha1": ".1", "sha224": ".3.1", "sha256": ".3.2", "sha384": ".3.3",
                                 "sha512": ".3.4"}),
}
#: A signature algorithm no reader knows, for the "unverifiable" case.
UNKNOWN_AA_SIGNATURE_OID = "1.3.6.1.4.1.99999.4.1"
OID_DG13_VN = "1.0.10646.1.0.8"
HASH_OIDS = {"sha1": "1.3.14.3.2.26", "sha224": "2.16.840.1.101.3.4.2.4",
             "sha256": "2.16.840.1.101.3.4.2.1", "sha384": "2.16.840.1.101.3.4.2.2",
             "sha512": "2.16.840.1.101.3.4.2.3"}
#: An algorithm no reader knows, for the "unsupported hash algorithm" negative test.
UNKNOWN_HASH_OID = "1.3.6.1.4.1.99999.1"
#: DG13 fields stored as PrintableString (docs/card.md, DG13 table); the others are UTF8String.
DG13_PRINTABLE = frozenset({1, 3, 11, 15, 16})


def ef_com(dgs: Sequence[int], lds_version: str = "0107", unicode_version: str = "040000") -> bytes:
    """EF.COM: LDS version, Unicode version and the tag list (ICAO 9303-10 §4.6.1)."""
    return tlv.tlv(0x60, tlv.tlv(0x5F01, lds_version.encode()) + tlv.tlv(0x5F36, unicode_version.encode())
                   + tlv.tlv(0x5C, bytes(DG_TAGS[n] for n in dgs)))


def _mrz_name(citizen: Citizen) -> str:
    def field(text: str) -> str:
        folded = ascii_fold(text).upper()
        return "<".join("".join(c for c in part if c.isalnum()) for part in folded.split())
    given = field(" ".join(p for p in (citizen.middle_name, citizen.given_name) if p))
    return (field(citizen.surname) + "<<" + given)[:30].ljust(30, "<")


def td1_mrz(citizen: Citizen) -> str:
    """The three 30-character TD1 lines of the CCCD (docs/card.md, DG1)."""
    doc9 = citizen.document_number
    line1 = f"IDVNM{doc9}{check_digit(doc9)}{citizen.id_number}<<{check_digit(citizen.id_number)}"
    birth, expiry = citizen.birth_yymmdd, citizen.expiry_yymmdd
    line2 = f"{birth}{check_digit(birth)}{citizen.sex}{expiry}{check_digit(expiry)}VNM" + "<" * 11
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += str(check_digit(composite))
    line3 = _mrz_name(citizen)
    assert len(line1) == len(line2) == len(line3) == 30
    return line1 + line2 + line3


def dg1(mrz: str) -> bytes:
    return tlv.tlv(0x61, tlv.tlv(0x5F1F, mrz.encode("ascii")))


def face_record(image: bytes, *, jpeg2000: bool = False, width: int = 240, height: int = 320) -> bytes:
    """An ISO/IEC 19794-5:2005 facial record with one image and no feature points."""
    facial_info = (
        (0).to_bytes(2, "big")  # number of feature points
        + b"\x00"  # gender unspecified
        + b"\x00"  # eye colour unspecified
        + b"\x00"  # hair colour unspecified
        + bytes(3)  # feature mask
        + bytes(2)  # expression
        + bytes(3)  # pose angle
        + bytes(3)  # pose angle uncertainty
    )
    image_info = (
        b"\x01"  # face image type: full frontal
        + (b"\x01" if jpeg2000 else b"\x00")  # image data type: JPEG / JPEG 2000
        + width.to_bytes(2, "big") + height.to_bytes(2, "big")
        + b"\x01"  # colour space: 24-bit RGB
        + b"\x02"  # source type: digital still camera
        + bytes(2)  # device type
        + bytes(2)  # quality
    )
    block = facial_info + image_info + image
    block = (4 + len(block)).to_bytes(4, "big") + block
    header_len = 14
    return b"FAC\x00" + b"010\x00" + (header_len + len(block)).to_bytes(4, "big") + (1).to_bytes(2, "big") + block


def dg2(record: bytes, bdb_tag: int = 0x5F2E) -> bytes:
    """DG2: CBEFF biometric information group template (ICAO 9303-10 §4.7.2); the data block is
    5F2E, or 7F2E as some issuers write it (ISO/IEC 7816-11)."""
    header = (tlv.tlv(0x80, b"\x01\x01")  # ICAO header version 1.1
              + tlv.tlv(0x81, b"\x02")  # biometric type: facial features
              + tlv.tlv(0x82, b"\x00")  # subtype: none
              + tlv.tlv(0x87, b"\x01\x01")  # format owner: ISO/IEC JTC 1/SC 37
              + tlv.tlv(0x88, b"\x00\x08"))  # format type: face image
    bit = tlv.tlv(0x7F60, tlv.tlv(0xA1, header) + tlv.tlv(bdb_tag, record))
    return tlv.tlv(0x75, tlv.tlv(0x7F61, tlv.tlv(0x02, b"\x01") + bit))


def _dmy(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def dg13_fields(citizen: Citizen, *, nesting: str = "seq", old_id_field: int = 15) -> dict[int, bytes]:
    """The DG13 values per field number, already encoded (docs/card.md, DG13 table).

    `nesting` shapes fields 13/14, whose layout differs between sources: "seq" puts the names in
    one SEQUENCE, "nested" wraps each name in its own SEQUENCE, "flat" puts them straight after
    the field number.
    """
    f: dict[int, bytes] = {
        1: tlv.printable(citizen.id_number),
        2: tlv.utf8(citizen.full_name),
        3: tlv.printable(_dmy(citizen.birth_date)),
        4: tlv.utf8(citizen.sex_vi),
        5: tlv.utf8("Việt Nam"),
        6: tlv.utf8(citizen.ethnicity),
        7: tlv.utf8(citizen.religion),
        8: tlv.utf8(citizen.place_of_origin),
        9: tlv.utf8(citizen.place_of_residence),
        10: tlv.utf8(citizen.personal_marks),
        11: tlv.printable(_dmy(citizen.issue_date)),
        12: tlv.utf8(NO_EXPIRY_TEXT if citizen.expiry_date is None else _dmy(citizen.expiry_date)),
    }

    def names(*values: str) -> bytes:
        if nesting == "flat":
            return b"".join(tlv.utf8(v) for v in values)
        if nesting == "nested":
            return tlv.seq(*(tlv.seq(tlv.utf8(v)) for v in values))
        return tlv.seq(*(tlv.utf8(v) for v in values))

    f[13] = names(citizen.father_name, citizen.mother_name)
    f[14] = names(citizen.spouse_name) if citizen.spouse_name else (b"" if nesting == "flat" else tlv.seq())
    serial_field = 16 if old_id_field == 15 else 15
    if citizen.old_id_number:
        f[old_id_field] = tlv.printable(citizen.old_id_number)
    f[serial_field] = tlv.printable(citizen.card_serial)
    return f


def dg13(fields: Mapping[int, bytes], keep: Sequence[int] | None = None) -> bytes:
    """DG13: 6D { SEQUENCE { version 1, OID, SET { SEQUENCE { INTEGER n, value } … } } }."""
    items = [tlv.seq(tlv.integer(n), fields[n]) for n in sorted(fields) if keep is None or n in keep]
    body = tlv.integer(1) + tlv.oid(OID_DG13_VN) + tlv.der_set(*items, sort=False)
    return tlv.tlv(0x6D, tlv.seq(body))


def ca_public_key_info(spki_der: bytes, key_id: int | None = None) -> bytes:
    extra = tlv.integer(key_id) if key_id is not None else b""
    return tlv.seq(tlv.oid(OID_PK_ECDH), spki_der, extra)


def ca_info(cipher: str, key_id: int | None = None) -> bytes:
    proto = OID_CA_ECDH_AES128 if cipher == "aes128" else OID_CA_ECDH_3DES
    extra = tlv.integer(key_id) if key_id is not None else b""
    return tlv.seq(tlv.oid(proto), tlv.integer(1), extra)


def aa_signature_oid(family: str, hash_name: str) -> str:
    arc, suffixes = _AA_ARCS[family]
    return arc + suffixes[hash_name]


def aa_info(signature_oid: str) -> bytes:
    """ActiveAuthenticationInfo (ICAO 9303-11 §6.1, §9.2), needed when AA uses ECDSA."""
    return tlv.seq(tlv.oid(OID_AA_PROTOCOL), tlv.integer(1), tlv.oid(signature_oid))


def dg14(security_infos: Sequence[bytes]) -> bytes:
    return tlv.tlv(0x6E, tlv.der_set(*security_infos))


def dg15(spki_der: bytes) -> bytes:
    return tlv.tlv(0x6F, spki_der)


def pace_info(parameter_id: int = 13) -> bytes:
    """PACEInfo for PACE-ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1 = standard parameter 13."""
    return tlv.seq(tlv.oid(OID_PACE_ECDH_GM_AES128), tlv.integer(2), tlv.integer(parameter_id))


def card_access(security_infos: Sequence[bytes]) -> bytes:
    return tlv.der_set(*security_infos)


def lds_security_object(dg_files: Mapping[int, bytes], hash_name: str = "sha256") -> bytes:
    """LDSSecurityObject v0: the hash of every DG file (ICAO 9303-10 §4.6.2.2)."""
    algo = "sha256" if hash_name == "unknown" else hash_name
    hash_oid = UNKNOWN_HASH_OID if hash_name == "unknown" else HASH_OIDS[hash_name]
    hashes_ = [tlv.seq(tlv.integer(n), tlv.octet_string(hashlib.new(algo, dg_files[n]).digest()))
               for n in sorted(dg_files)]
    return tlv.seq(tlv.integer(0), tlv.seq(tlv.oid(hash_oid)), tlv.seq(*hashes_))


def _signature_algorithm(pki: TestPKI, hash_name: str) -> algos.SignedDigestAlgorithm:
    if pki.options.ds_kind == "rsa-pss":
        return algos.SignedDigestAlgorithm({
            "algorithm": "rsassa_pss",
            "parameters": algos.RSASSAPSSParams({
                "hash_algorithm": {"algorithm": hash_name},
                "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_name}},
                "salt_length": hashlib.new(hash_name).digest_size,
            }),
        })
    kind = "ecdsa" if pki.options.ds_kind == "ecdsa" else "rsa"
    return algos.SignedDigestAlgorithm({"algorithm": f"{hash_name}_{kind}"})


def signed_data(
    content_type: str,
    content: bytes,
    pki: TestPKI,
    *,
    hash_name: str = "sha256",
    embed_certificate: bool = True,
    tamper_signature: bool = False,
) -> bytes:
    """A CMS ContentInfo(SignedData) over `content`, signed by the Document Signer with signed
    attributes (RFC 5652 §5; ICAO 9303-12 §4.6 for EF.SOD and §9 for master lists)."""
    digest_name = "sha256" if hash_name == "unknown" else hash_name
    attrs = [
        cms.CMSAttribute({"type": "content_type", "values": [content_type]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.new(digest_name, content).digest()]}),
    ]
    # DER orders a SET OF by the encodings (X.690 §11.6); the signature covers that SET.
    attrs.sort(key=lambda a: a.dump())
    signed_attrs = cms.CMSAttributes(attrs)
    signature = pki.sign(signed_attrs.dump(), digest_name)
    if tamper_signature:
        signature = signature[:-8] + bytes([signature[-8] ^ 0x01]) + signature[-7:]
    ds = ax509.Certificate.load(pki.ds_der())
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": ds.issuer, "serial_number": ds.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_name}),
        "signed_attrs": signed_attrs,
        "signature_algorithm": _signature_algorithm(pki, digest_name),
        "signature": signature,
    })
    signed = {
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest_name})],
        "encap_content_info": {"content_type": content_type, "content": core.ParsableOctetString(content)},
        "signer_infos": [signer],
    }
    if embed_certificate:
        signed["certificates"] = [cms.CertificateChoices({"certificate": ds})]
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed)}).dump()


def ef_sod(
    dg_files: Mapping[int, bytes],
    pki: TestPKI,
    *,
    hash_name: str = "sha256",
    embed_certificate: bool = True,
    tamper_signature: bool = False,
) -> bytes:
    """EF.SOD: 77 { ContentInfo(SignedData) } over the LDS security object (ICAO 9303-10 §4.6.2)."""
    lso = lds_security_object(dg_files, hash_name)
    return tlv.tlv(0x77, signed_data(OID_LDS_SECURITY_OBJECT, lso, pki, hash_name=hash_name,
                                     embed_certificate=embed_certificate, tamper_signature=tamper_signature))


def csca_master_list(csca_certificates_der: Sequence[bytes], pki: TestPKI) -> bytes:
    """An ICAO CSCA master list (ICAO 9303-12 §9): SignedData over CscaMasterList { version 0,
    SET OF Certificate }, signed here by the test PKI's Document Signer."""
    body = tlv.integer(0) + tlv.der_set(*csca_certificates_der)
    return signed_data(OID_CSCA_MASTER_LIST, tlv.seq(body), pki)
