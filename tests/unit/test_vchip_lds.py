"""The chip's files: structure of COM, DG1, DG2, DG13, DG14, DG15, and EF.SOD with its PKI cases."""

from __future__ import annotations

import datetime as dt
import hashlib
from datetime import date

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.devices.vchip import tlv
from kiosk.devices.vchip.card import POST_2024_DG13, ChipOptions, VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate()


@pytest.fixture(scope="module")
def citizen():
    return generate_citizen(4, today=TODAY, long_residence=True, age=45)


def card_with(citizen, pki, **options) -> VirtualCard:
    return VirtualCard(citizen, pki, ChipOptions(**options))


def open_sod(sod: bytes) -> cms.SignedData:
    tag, value, end = tlv.parse_tlv(sod)
    assert tag == 0x77 and end == len(sod)
    info = cms.ContentInfo.load(value)
    assert info["content_type"].native == "signed_data"
    return info["content"]


def sod_hashes(signed: cms.SignedData) -> tuple[str, dict[int, bytes]]:
    econtent = signed["encap_content_info"]
    assert econtent["content_type"].dotted == "2.23.136.1.1.1"
    lso = tlv.parse_all(tlv.parse_tlv(econtent["content"].native)[1])
    assert lso[0] == (0x02, b"\x00")
    algo_oid = tlv.parse_all(lso[1][1])[0]
    values = {}
    for _, item in tlv.parse_all(lso[2][1]):
        (_, n), (_, digest) = tlv.parse_all(item)
        values[int.from_bytes(n, "big")] = digest
    return tlv.tlv(0x06, algo_oid[1]).hex(), values


def verify_signer(signed: cms.SignedData, cert: x509.Certificate) -> None:
    signer = signed["signer_infos"][0]
    attrs = signer["signed_attrs"]
    econtent = signed["encap_content_info"]["content"].native
    digest_name = signer["digest_algorithm"]["algorithm"].native
    md = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
    assert md == hashlib.new(digest_name, econtent).digest()
    to_verify = b"\x31" + attrs.dump()[1:]  # the signature covers the attributes as a SET
    algo = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512(),
            "sha1": hashes.SHA1()}[digest_name]
    key = cert.public_key()
    signature = signer["signature"].native
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, to_verify, ec.ECDSA(algo))
    elif signer["signature_algorithm"]["algorithm"].native == "rsassa_pss":
        key.verify(signature, to_verify, padding.PSS(padding.MGF1(algo), algo.digest_size), algo)
    else:
        assert isinstance(key, rsa.RSAPublicKey)
        key.verify(signature, to_verify, padding.PKCS1v15(), algo)


def embedded_ds(signed: cms.SignedData) -> x509.Certificate:
    return x509.load_der_x509_certificate(signed["certificates"][0].chosen.dump())


def dg13_fields(dg13: bytes) -> dict[int, bytes]:
    tag, body, _ = tlv.parse_tlv(dg13)
    assert tag == 0x6D
    (_, seq_body), = tlv.parse_all(body)
    version, oid, fields = tlv.parse_all(seq_body)
    assert version == (0x02, b"\x01") and tlv.tlv(0x06, oid[1]) == bytes.fromhex("060628D316010008")
    out = {}
    for _, item in tlv.parse_all(fields[1]):
        (_, n), *rest = tlv.parse_all(item)
        out[int.from_bytes(n, "big")] = b"".join(tlv.tlv(t, v) for t, v in rest)
    return out


def strings_depth_first(encoded: bytes) -> list[str]:
    out = []
    for tag, value in tlv.parse_all(encoded):
        if tag in (0x30, 0x31):
            out += strings_depth_first(value)
        else:
            out.append(value.decode("utf-8"))
    return out


def test_ef_com_lists_the_present_dgs(citizen, pki):
    card = card_with(citizen, pki)
    com = dict(tlv.parse_all(tlv.parse_tlv(card.files[0x011E])[1]))
    assert com[0x5F01] == b"0107" and com[0x5F36] == b"040000"
    assert com[0x5C] == bytes([0x61, 0x75, 0x63, 0x6D, 0x6E, 0x6F])


def test_com_extra_and_omitted_dgs(citizen, pki):
    card = card_with(citizen, pki, com_extra=(11,), com_omit=(14,))
    com = dict(tlv.parse_all(tlv.parse_tlv(card.files[0x011E])[1]))
    assert 0x6B in com[0x5C] and 0x6E not in com[0x5C]
    assert 0x010B not in card.files and 0x010E in card.files


def test_dg1_holds_the_mrz(citizen, pki):
    card = card_with(citizen, pki)
    inner = tlv.parse_tlv(card.dg(1))[1]
    tag, mrz, _ = tlv.parse_tlv(inner)
    assert tag == 0x5F1F and len(mrz) == 90 and mrz.startswith(b"IDVNM" + citizen.id_number[-9:].encode())


@pytest.mark.parametrize(("fmt", "magic", "image_type"), [("jpeg", b"\xff\xd8", 0), ("jpeg2000", b"\x00\x00\x00\x0cjP", 1)])
def test_dg2_cbeff_and_iso19794_5(citizen, pki, fmt, magic, image_type):
    card = card_with(citizen, pki, dg2_format=fmt)
    tag, group, _ = tlv.parse_tlv(card.dg(2))
    assert tag == 0x75
    tag, template, _ = tlv.parse_tlv(group)
    assert tag == 0x7F61
    count, bit = tlv.parse_all(template)
    assert count == (0x02, b"\x01") and bit[0] == 0x7F60
    header, record = tlv.parse_all(bit[1])
    assert header[0] == 0xA1 and dict(tlv.parse_all(header[1]))[0x81] == b"\x02"
    assert record[0] == 0x5F2E
    rec = record[1]
    assert rec[:8] == b"FAC\x00010\x00" and int.from_bytes(rec[8:12], "big") == len(rec)
    image_info = rec[14 + 4 + 16 : 14 + 4 + 16 + 12]
    assert image_info[1] == image_type
    image = rec[14 + 4 + 16 + 12 :]
    assert image.startswith(magic)
    assert 8_000 < len(image) < 20_000


def test_dg2_can_exceed_32_kb(citizen, pki):
    card = card_with(citizen, pki, dg2_min_size=33_000)
    assert len(card.dg(2)) >= 33_000
    assert tlv.parse_tlv(card.dg(2))[2] == len(card.dg(2))


def test_dg13_fields_and_long_form_lengths(citizen, pki):
    card = card_with(citizen, pki)
    f = dg13_fields(card.dg(13))
    assert f[1] == tlv.printable(citizen.id_number)
    assert f[2] == tlv.utf8(citizen.full_name)
    assert f[3] == tlv.printable(citizen.birth_date.strftime("%d/%m/%Y"))
    assert f[4] in (tlv.utf8("Nam"), tlv.utf8("Nữ"))
    assert f[5] == tlv.utf8("Việt Nam")
    assert f[9][0] == 0x0C and f[9][1] == 0x81, "a long residence needs a long-form length"
    assert strings_depth_first(f[13]) == [citizen.father_name, citizen.mother_name]
    assert f[16][0] == 0x13 and len(tlv.parse_tlv(f[16])[1]) == 16
    assert sorted(f) == [n for n in range(1, 17) if n != 15 or citizen.old_id_number]


@pytest.mark.parametrize("nesting", ["seq", "nested", "flat"])
def test_dg13_parent_nesting_variants(citizen, pki, nesting):
    card = card_with(citizen, pki, dg13_nesting=nesting)
    f = dg13_fields(card.dg(13))
    assert strings_depth_first(f[13]) == [citizen.father_name, citizen.mother_name]
    expected_spouse = [citizen.spouse_name] if citizen.spouse_name else []
    assert strings_depth_first(f[14]) == expected_spouse


def test_dg13_single_holder_has_empty_spouse_field(pki):
    single = generate_citizen(4, today=TODAY, age=10)
    f = dg13_fields(card_with(single, pki).dg(13))
    assert f[14] == b"\x30\x00"


def test_dg13_post_2024_card_keeps_only_icao_like_fields(citizen, pki):
    f = dg13_fields(card_with(citizen, pki, dg13_keep=POST_2024_DG13).dg(13))
    assert sorted(f) == list(POST_2024_DG13)


def test_dg14_and_dg15_keys(citizen, pki):
    card = card_with(citizen, pki, aa_kind="rsa", aa_rsa_bits=2048, ca_cipher="3des", ca_curve="p256")
    infos = tlv.parse_all(tlv.parse_tlv(tlv.parse_tlv(card.dg(14))[1])[1])
    oids = {tlv.tlv(0x06, tlv.parse_all(v)[0][1]) for _, v in infos}
    assert tlv.oid("0.4.0.127.0.7.2.2.1.2") in oids and tlv.oid("0.4.0.127.0.7.2.2.3.2.1") in oids
    assert tlv.oid("2.23.136.1.1.5") not in oids, "RSA AA needs no ActiveAuthenticationInfo"
    aa = serialization.load_der_public_key(tlv.parse_tlv(card.dg(15))[1])
    assert isinstance(aa, rsa.RSAPublicKey) and aa.key_size == 2048


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha384", "sha512"])
def test_sod_hashes_every_dg_and_verifies(citizen, pki, hash_name):
    card = card_with(citizen, pki, sod_hash=hash_name)
    signed = open_sod(card.files[0x011D])
    _, values = sod_hashes(signed)
    assert sorted(values) == [1, 2, 3, 13, 14, 15]
    for n, digest in values.items():
        assert hashlib.new(hash_name, card.dg(n)).digest() == digest
    ds = embedded_ds(signed)
    assert ds == pki.ds_cert
    verify_signer(signed, ds)
    csca = x509.load_pem_x509_certificate(pki.csca_pem())
    ds.verify_directly_issued_by(csca)


@pytest.mark.parametrize(("csca_kind", "ds_kind"), [("rsa", "rsa"), ("rsa", "rsa-pss"), ("ecdsa", "rsa")])
def test_sod_with_rsa_signers(citizen, csca_kind, ds_kind):
    pki = TestPKI.generate(PKIOptions(csca_kind=csca_kind, ds_kind=ds_kind))
    signed = open_sod(card_with(citizen, pki).files[0x011D])
    algo = signed["signer_infos"][0]["signature_algorithm"]["algorithm"].native
    assert algo == ("rsassa_pss" if ds_kind == "rsa-pss" else "sha256_rsa")
    verify_signer(signed, embedded_ds(signed))
    embedded_ds(signed).verify_directly_issued_by(x509.load_pem_x509_certificate(pki.csca_pem()))


def test_tampered_dg_no_longer_matches_its_hash(citizen, pki):
    card = card_with(citizen, pki, tamper_dg=2)
    _, values = sod_hashes(open_sod(card.files[0x011D]))
    assert hashlib.sha256(card.dg(2)).digest() != values[2]
    assert hashlib.sha256(card.dg(1)).digest() == values[1]
    assert tlv.parse_tlv(card.dg(2))[2] == len(card.dg(2)), "the TLV structure survives"


def test_tampered_signature_fails(citizen, pki):
    signed = open_sod(card_with(citizen, pki, tamper_signature=True).files[0x011D])
    with pytest.raises(InvalidSignature):
        verify_signer(signed, embedded_ds(signed))


def test_sod_without_embedded_certificate(citizen, pki):
    signed = open_sod(card_with(citizen, pki, sod_embed_certificate=False).files[0x011D])
    assert not signed["certificates"]
    verify_signer(signed, pki.ds_cert)


def test_unknown_hash_algorithm(citizen, pki):
    signed = open_sod(card_with(citizen, pki, sod_hash="unknown").files[0x011D])
    algo, _ = sod_hashes(signed)
    assert algo == tlv.oid("1.3.6.1.4.1.99999.1").hex()


def test_unknown_csca(citizen):
    pki = TestPKI.generate(PKIOptions(unknown_csca=True))
    ds = embedded_ds(open_sod(card_with(citizen, pki).files[0x011D]))
    with pytest.raises(InvalidSignature):
        ds.verify_directly_issued_by(x509.load_pem_x509_certificate(pki.csca_pem()))


def test_ds_validity_cases():
    now = dt.datetime.now(dt.UTC)
    expired = TestPKI.generate(PKIOptions(ds_expired=True)).ds_cert
    assert expired.not_valid_after_utc < now
    future = TestPKI.generate(PKIOptions(ds_not_yet_valid=True)).ds_cert
    assert future.not_valid_before_utc > now


def test_replaced_file_is_served_verbatim(citizen, pki):
    card = card_with(citizen, pki, replace_files=((0x0101, b"\x61\x00"),))
    assert card.dg(1) == b"\x61\x00"


def test_dg13_incomplete_birth_date_text(citizen, pki):
    f = dg13_fields(card_with(citizen, pki, dg13_text=((3, "1985"), (12, "Không thời hạn"))).dg(13))
    assert f[3] == tlv.printable("1985") and f[12] == tlv.utf8("Không thời hạn")


def test_wrong_mrz_check_digit_is_signed_into_dg1(citizen, pki):
    from kiosk.devices.icao.crypto import check_digit

    card = card_with(citizen, pki, mrz_bad_check_digit=True)
    mrz = tlv.parse_tlv(tlv.parse_tlv(card.dg(1))[1])[1].decode()
    assert int(mrz[14]) != check_digit(mrz[5:14])
    _, values = sod_hashes(open_sod(card.files[0x011D]))
    assert values[1] == hashlib.sha256(card.dg(1)).digest()
