"""LDS parsers on specimen bytes built here (cccd.md layouts, ICAO 9303 specimens)."""

from __future__ import annotations

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

TD1_SPECIMEN = "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
TD3_SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)


def test_tlv_multibyte_tags_and_long_lengths():
    value = bytes(300)
    data = f.tlv(0x5F1F, value) + f.tlv(0x7F61, f.tlv(0x02, b"\x01"))
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
    com = parse_com(f.com())
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
    holder = f.Holder()
    mrz = parse_dg1(f.dg1(f.td1(holder)))
    assert mrz.id_number == holder.id_number
    assert mrz.document_number == holder.id_number[-9:]
    assert mrz.invalid_check_digits == ()
    assert (mrz.surname, mrz.given_names) == ("NGUYEN", "VAN AN")


def test_dg1_wrong_length_is_parse_error():
    with pytest.raises(ParseError):
        parse_dg1(f.dg1(TD1_SPECIMEN[:-1]))


@pytest.mark.parametrize("bdb_tag", [0x5F2E, 0x7F2E])
def test_dg2_jpeg(bdb_tag):
    image = f.jpeg(5000)
    dg2 = parse_dg2(f.dg2(image, bdb_tag))
    assert dg2.face.data == image
    assert dg2.face.mime == "image/jpeg"
    assert (dg2.face.width, dg2.face.height) == (480, 640)


def test_dg2_jpeg2000():
    image = b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(100)
    assert parse_dg2(f.dg2(image, image_type=1)).face.mime == "image/jp2"


def test_dg2_without_face_is_parse_error():
    with pytest.raises(ParseError):
        parse_dg2(f.tlv(0x75, f.tlv(0x7F61, f.tlv(0x02, b"\x00"))))


@pytest.mark.parametrize("nesting", ["flat", "nested"])
def test_dg13_full_card(nesting):
    holder = f.Holder()
    dg13 = parse_dg13(f.dg13(f.standard_dg13_fields(holder, nesting)))
    assert dg13.version == 1
    assert dg13.get("id_number") == holder.id_number
    assert dg13.get("full_name") == "Nguyễn Văn An"
    assert dg13.get("place_of_residence") == f.LONG_ADDRESS
    assert len(f.LONG_ADDRESS.encode()) > 127
    assert dg13.father_name == "Nguyễn Văn Bố"
    assert dg13.mother_name == "Trần Thị Mẹ"
    assert dg13.spouse == ()
    assert dg13.spouse_name is None
    assert dg13.old_id_number == "123456789"
    assert dg13.unknown == {16: "ABCDEF0123456789"}


def test_dg13_fields_in_any_order_and_missing():
    fields = [f.field(4, f.utf8("Nữ")), f.field(1, f.printable("079301000123"))]
    dg13 = parse_dg13(f.dg13(fields))
    assert dg13.get("id_number") == "079301000123"
    assert dg13.get("sex") == "Nữ"
    assert dg13.get("full_name") is None
    assert dg13.parents is None and dg13.father_name is None


def test_dg13_old_id_keyed_on_content_in_field_16():
    dg13 = parse_dg13(f.dg13([f.field(16, f.printable("987654321"))]))
    assert dg13.old_id_number == "987654321"
    assert dict(dg13.unknown) == {}


def test_dg13_spouse_and_undecodable_field_kept_raw():
    fields = [
        f.field(14, f.tlv(0x30, f.utf8("Lê Thị Vợ"))),
        f.field(7, f.tlv(0x04, b"\x01\x02")),
        f.field(21, f.utf8("mới")),
    ]
    dg13 = parse_dg13(f.dg13(fields))
    assert dg13.spouse_name == "Lê Thị Vợ"
    assert dg13.get("religion") is None
    assert dg13.unknown[7] == "04020102"
    assert dg13.unknown[21] == "mới"


def test_dg13_duplicate_field_is_parse_error():
    with pytest.raises(ParseError):
        parse_dg13(f.dg13([f.field(1, f.printable("1")), f.field(1, f.printable("2"))]))


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
    infos = parse_dg14(f.dg14(f.spki(ca_key.public_key()), "1.2.840.10045.4.3.2", "0.4.0.127.0.7.2.2.3.2.2"))
    assert len(infos.ca_public_keys) == 1 and infos.ca_public_keys[0].key_agreement == "ECDH"
    assert infos.ca_infos[0].cipher == "AES" and infos.ca_infos[0].key_bits == 128
    assert infos.aa_info is not None and infos.aa_info.hash_name == "sha256"
    pace = f.tlv(0x31, f.security_info("0.4.0.127.0.7.2.2.4.2.2", f.tlv(0x02, b"\x02"), f.tlv(0x02, b"\x0d")))
    access = parse_card_access(pace)
    (info,) = access.pace_infos
    assert (info.mapping, info.key_agreement, info.cipher, info.parameter_id) == ("GM", "ECDH", "AES", 13)


def test_dg15_rsa_and_explicit_ec():
    rsa_key = rsa.generate_private_key(65537, 1024)
    assert parse_dg15(f.dg15(rsa_key.public_key())).algorithm == "rsa"
    ec_key = ec.generate_private_key(ec.BrainpoolP256R1())
    explicit = f.tlv(0x6F, f.explicit_ec_spki(f.spki(ec_key.public_key())))
    parsed = parse_dg15(explicit)
    assert parsed.algorithm == "ec"
    assert parsed.key.public_numbers() == ec_key.public_key().public_numbers()


def test_dg15_explicit_curve_not_known_is_parse_error():
    ec_key = ec.generate_private_key(ec.BrainpoolP256R1())
    params = list(f.BRAINPOOL_P256R1)
    params[2] ^= 1  # a different b: a curve nobody knows
    with pytest.raises(ParseError):
        parse_dg15(f.tlv(0x6F, f.explicit_ec_spki(f.spki(ec_key.public_key()), tuple(params))))


def test_sod_hashes_and_signer():
    pki = f.make_pki()
    files = {"DG1": f.dg1(f.td1(f.Holder())), "DG2": f.dg2(f.jpeg())}
    sod = parse_sod(f.make_sod(files, pki, hash_name="sha384"))
    assert sod.hash_algorithm == "sha384"
    assert set(sod.dg_hashes) == {1, 2}
    assert sod.signed.certificates == (pki.ds_cert,)
    assert sod.signed.signed_attrs is not None and sod.signed.signed_attrs[0] == 0x31


def test_sod_wrong_outer_tag_is_parse_error():
    with pytest.raises(ParseError):
        parse_sod(f.tlv(0x78, b"\x30\x00"))
