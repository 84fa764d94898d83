"""LDS parsers on files the virtual chip's encoders write, on ICAO 9303 specimens, and on
hand-made variants of the layouts in docs/card.md."""

from __future__ import annotations

from datetime import date

import icao_factory as f
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.devices.icao.errors import ParseError
from kiosk.devices.icao.lds import tlv as tlvmod
from kiosk.devices.icao.lds.com import parse_com
from kiosk.devices.icao.lds.dg1 import parse_dg1, parse_mrz
from kiosk.devices.icao.lds.dg2 import parse_dg2
from kiosk.devices.icao.lds.dg13 import parse_dg13, parse_partial_date
from kiosk.devices.icao.lds.dg15 import parse_dg15
from kiosk.devices.icao.lds.security_infos import parse_card_access, parse_dg14
from kiosk.devices.icao.lds.sod import parse_sod
from kiosk.devices.vchip import lds
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.devices.vchip.tlv import integer, printable, seq, tlv, utf8

TD1_SPECIMEN = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
#: A married holder born before 2003 with an old CMND number and a long address (> 127 bytes).
CITIZEN = next(c for c in (generate_citizen(s, today=date(2025, 6, 1), age=45, long_residence=True)
                           for s in range(100)) if c.spouse_name and c.old_id_number)


def dg13_of(fields: dict[int, bytes]) -> bytes:
    return lds.dg13(fields)


def test_tlv_multibyte_tags_and_long_lengths():
    value = bytes(300)
    data = tlv(0x5F1F, value) + tlv(0x7F61, tlv(0x02, b"\x01"))
    first, nxt = tlvmod.read_tlv(data)
    assert first.tag == 0x5F1F and len(first.value) == 300 and not first.constructed
    second, end = tlvmod.read_tlv(data, nxt)
    assert second.tag == 0x7F61 and second.constructed and end == len(data)
    assert second.children()[0].value == b"\x01"
    assert tlvmod.encode_tlv(0x5F1F, value) == data[:nxt]


@pytest.mark.parametrize("bad", ["5F", "5F1F", "5F1F8201", "0180", "5F1F05AABB", "01850000000001"])
def test_tlv_truncations_raise_parse_error(bad):
    with pytest.raises(ParseError):
        tlvmod.read_tlv(bytes.fromhex(bad))


def test_com_lists_data_groups():
    com = parse_com(lds.ef_com([1, 2, 3, 13, 14, 15]))
    assert com.lds_version == "0107" and com.unicode_version == "040000"
    assert com.names == ("DG1", "DG2", "DG3", "DG13", "DG14", "DG15")


def test_td1_specimen_all_check_digits_valid():
    mrz = parse_mrz(TD1_SPECIMEN)
    assert mrz.layout == "TD1"
    assert (mrz.document_number, mrz.birth_date, mrz.expiry_date, mrz.sex) == ("D23145890", "740812", "120415", "F")
    assert (mrz.surname, mrz.given_names, mrz.nationality) == ("ERIKSSON", "ANNA MARIA", "UTO")
    assert mrz.invalid_check_digits == ()


def test_td3_specimen_all_check_digits_valid():
    mrz = parse_mrz(TD3_SPECIMEN)
    assert mrz.layout == "TD3"
    assert mrz.document_number == "L898902C3"
    assert mrz.optional_data2 == "ZE184226B<<<<<"
    assert mrz.invalid_check_digits == ()


@pytest.mark.parametrize(
    ("text", "position", "field"),
    [
        (TD1_SPECIMEN, 14, "document_number"),
        (TD1_SPECIMEN, 36, "birth_date"),
        (TD1_SPECIMEN, 44, "expiry_date"),
        (TD1_SPECIMEN, 59, "composite"),
        (TD3_SPECIMEN, 44 + 9, "document_number"),
        (TD3_SPECIMEN, 44 + 42, "optional_data"),
        (TD3_SPECIMEN, 44 + 43, "composite"),
    ],
)
def test_every_check_digit_is_checked(text, position, field):
    wrong = str((int(text[position]) + 1) % 10)
    mrz = parse_mrz(text[:position] + wrong + text[position + 1 :])
    assert field in mrz.invalid_check_digits


def test_td1_composite_covers_optional_data():
    # Changing optional data without fixing the composite must be detected.
    changed = TD1_SPECIMEN[:20] + "X" + TD1_SPECIMEN[21:]
    assert "composite" in parse_mrz(changed).invalid_check_digits


def test_cccd_dg1():
    mrz = parse_dg1(lds.dg1(lds.td1_mrz(CITIZEN)))
    assert mrz.id_number == CITIZEN.id_number
    assert mrz.document_number == CITIZEN.id_number[-9:]
    assert mrz.invalid_check_digits == ()
    assert mrz.surname == lds.td1_mrz(CITIZEN)[60:].split("<<")[0]


def test_dg1_wrong_length_is_parse_error():
    with pytest.raises(ParseError):
        parse_dg1(lds.dg1(TD1_SPECIMEN[:-1]))


@pytest.mark.parametrize("bdb_tag", [0x5F2E, 0x7F2E])
def test_dg2_jpeg(bdb_tag):
    image = f.jpeg(5000)
    dg2 = parse_dg2(lds.dg2(lds.face_record(image, width=480, height=640), bdb_tag))
    assert dg2.face.data == image
    assert dg2.face.mime == "image/jpeg"
    assert (dg2.face.width, dg2.face.height) == (480, 640)


def test_dg2_jpeg2000():
    image = b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(100)
    assert parse_dg2(lds.dg2(lds.face_record(image, jpeg2000=True))).face.mime == "image/jp2"


def test_dg2_without_face_is_parse_error():
    with pytest.raises(ParseError):
        parse_dg2(tlv(0x75, tlv(0x7F61, tlv(0x02, b"\x00"))))


@pytest.mark.parametrize("nesting", ["seq", "flat", "nested"])
def test_dg13_full_card(nesting):
    c = CITIZEN
    dg13 = parse_dg13(lds.dg13(lds.dg13_fields(c, nesting=nesting)))
    assert dg13.version == 1
    assert dg13.get("id_number") == c.id_number
    assert dg13.get("full_name") == c.full_name
    assert dg13.get("place_of_residence") == c.place_of_residence
    assert len(c.place_of_residence.encode()) > 127
    assert dg13.father_name == c.father_name
    assert dg13.mother_name == c.mother_name
    assert dg13.spouse_name == c.spouse_name
    assert dg13.old_id_number == c.old_id_number
    assert dg13.unknown == {16: c.card_serial}


def test_dg13_single_holder_has_an_empty_spouse():
    child = generate_citizen(5, today=date(2025, 6, 1), age=10)
    dg13 = parse_dg13(lds.dg13(lds.dg13_fields(child)))
    assert dg13.spouse == () and dg13.spouse_name is None


def test_dg13_fields_in_any_order_and_missing():
    dg13 = parse_dg13(dg13_of({4: utf8("Nữ"), 1: printable("079301000123")}))
    assert dg13.get("id_number") == "079301000123"
    assert dg13.get("sex") == "Nữ"
    assert dg13.get("full_name") is None
    assert dg13.parents is None and dg13.father_name is None


def test_dg13_old_id_keyed_on_content_in_field_16():
    c = CITIZEN
    dg13 = parse_dg13(lds.dg13(lds.dg13_fields(c, old_id_field=16)))
    assert dg13.old_id_number == c.old_id_number
    assert dict(dg13.unknown) == {15: c.card_serial}


def test_dg13_spouse_and_undecodable_field_kept_raw():
    dg13 = parse_dg13(dg13_of({14: seq(utf8("Lê Thị Vợ")), 7: tlv(0x04, b"\x01\x02"), 21: utf8("mới")}))
    assert dg13.spouse_name == "Lê Thị Vợ"
    assert dg13.get("religion") is None
    assert dg13.unknown[7] == "04020102"
    assert dg13.unknown[21] == "mới"


def test_dg13_duplicate_field_is_parse_error():
    fields = seq(integer(1), printable("1")) + seq(integer(1), printable("2"))
    body = integer(1) + tlv(0x06, bytes.fromhex("28D316010008")) + tlv(0x31, fields)
    with pytest.raises(ParseError):
        parse_dg13(tlv(0x6D, seq(body)))


@pytest.mark.parametrize(
    ("text", "iso"),
    [("15/08/1990", "1990-08-15"), ("08/1990", "1990-08"), ("1990", "1990"), ("Không thời hạn", None),
     ("31/13/1990", None)],
)
def test_partial_dates(text, iso):
    parsed = parse_partial_date(text)
    assert (parsed.iso() if parsed else None) == iso


def test_dg14_and_card_access():
    ca_key = ec.generate_private_key(ec.BrainpoolP256R1())
    infos = parse_dg14(lds.dg14([lds.ca_public_key_info(f.spki(ca_key.public_key())), lds.ca_info("aes128"),
                                 lds.aa_info("1.2.840.10045.4.3.2")]))
    assert len(infos.ca_public_keys) == 1 and infos.ca_public_keys[0].key_agreement == "ECDH"
    assert infos.ca_infos[0].cipher == "AES" and infos.ca_infos[0].key_bits == 128
    assert infos.aa_info is not None and infos.aa_info.hash_name == "sha256"
    access = parse_card_access(lds.card_access([lds.pace_info()]))
    (info,) = access.pace_infos
    assert (info.mapping, info.key_agreement, info.cipher, info.parameter_id) == ("GM", "ECDH", "AES", 13)


def test_dg15_rsa_and_explicit_ec():
    rsa_key = rsa.generate_private_key(65537, 1024)
    assert parse_dg15(lds.dg15(f.spki(rsa_key.public_key()))).algorithm == "rsa"
    ec_key = ec.generate_private_key(ec.BrainpoolP256R1())
    parsed = parse_dg15(lds.dg15(f.explicit_ec_spki(f.spki(ec_key.public_key()))))
    assert parsed.algorithm == "ec"
    assert parsed.key.public_numbers() == ec_key.public_key().public_numbers()


def test_dg15_explicit_curve_not_known_is_parse_error():
    ec_key = ec.generate_private_key(ec.BrainpoolP256R1())
    params = list(f.BRAINPOOL_P256R1)
    params[2] ^= 1  # a different b: a curve nobody knows
    with pytest.raises(ParseError):
        parse_dg15(lds.dg15(f.explicit_ec_spki(f.spki(ec_key.public_key()), tuple(params))))


def test_sod_hashes_and_signer():
    pki = TestPKI.generate()
    files = {1: lds.dg1(lds.td1_mrz(CITIZEN)), 2: lds.dg2(lds.face_record(f.jpeg()))}
    sod = parse_sod(lds.ef_sod(files, pki, hash_name="sha384"))
    assert sod.hash_algorithm == "sha384"
    assert set(sod.dg_hashes) == {1, 2}
    assert sod.signed.certificates == (pki.ds_der(),)
    assert sod.signed.signed_attrs is not None and sod.signed.signed_attrs[0] == 0x31


def test_sod_wrong_outer_tag_is_parse_error():
    with pytest.raises(ParseError):
        parse_sod(tlv(0x78, b"\x30\x00"))
