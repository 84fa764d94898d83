"""The product's reader against the virtual chip through the real stack: pyscard → pcscd → vpcd.

Each case of the BSI TR-03105-5 inspection-system categories quoted in docs/card.md is a
chip option; the reader must read what can be read and give the right verdict and reason code.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from cryptography.hazmat.primitives import serialization
from pcsc_fixtures import SMALL_CARD
from PIL import Image

from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.errors import AccessDenied, CardRemoved, ParseError, SecureMessagingError
from kiosk.devices.icao.opening import bac_opener
from kiosk.devices.icao.passive import TrustStore
from kiosk.devices.icao.reader import ChipReader
from kiosk.devices.pcsc import PcscConnection
from kiosk.devices.vchip.card import ChipKeys, ChipOptions
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI
from kiosk.devices.vchip.lds import UNKNOWN_HASH_OID

pytestmark = pytest.mark.pcsc



def key_of(inserted) -> AccessKey:
    k = inserted.access_key
    return AccessKey(k["document_number"], k["birth"], k["expiry"])


def read(inserted, trust: TrustStore | None = None, key: AccessKey | None = None):
    with PcscConnection.open(inserted.reader) as conn:
        return read_and_verify(conn, key or key_of(inserted), trust)


def test_full_read_against_a_trusted_csca(virtual_card, session_pki):
    inserted = virtual_card(seed=21, pki=session_pki)
    citizen = inserted.citizen
    result = read(inserted, TrustStore.load([inserted.csca_pem]))
    v = result.verification
    assert (v.access, v.passive, v.active, v.chip) == ("BAC", "chain_verified", "verified", "verified")
    assert v.passive_reasons == () and v.consistency == ()
    assert result.mrz.id_number == citizen.id_number
    assert result.mrz.document_number == citizen.document_number
    assert result.mrz.birth_date == citizen.birth_date.isoformat()
    p = result.personal
    assert p["full_name"] == citizen.full_name
    assert p["place_of_residence"] == citizen.place_of_residence
    assert p["father_name"] == citizen.father_name and p["mother_name"] == citizen.mother_name
    assert result.photo == inserted.card.dg(2)[-len(result.photo):]
    assert Image.open(io.BytesIO(result.photo)).format == "JPEG"
    assert len(inserted.card.dg(2)) > 10_000  # the realistic portrait, read in full


def test_wrong_key_is_denied_and_the_right_key_then_reads(small_card):
    inserted = small_card(seed=22)
    good = key_of(inserted)
    wrong = AccessKey(good.document_number, f"{(int(good.birth_date[:2]) + 1) % 100:02d}" + good.birth_date[2:],
                      good.expiry_date)
    with pytest.raises(AccessDenied):
        read(inserted, key=wrong)
    assert read(inserted).mrz.document_number == inserted.citizen.document_number


@pytest.mark.slow
def test_removal_at_every_command_of_a_read(virtual_card, session_pki, chip_keys):
    citizen = generate_citizen(23)

    def insert(**options):
        return virtual_card(citizen=citizen, pki=session_pki, keys=chip_keys, options=ChipOptions(**SMALL_CARD, **options))

    whole = read(insert())
    commands = whole.apdu_count
    assert commands > 15
    for position in range(commands):
        with pytest.raises(CardRemoved):
            read(insert(remove_after=position))
        again = read(insert())
        assert again.same_card(whole), f"re-read after a removal at command {position + 1}"
        assert again.verification.chip == "verified"


@pytest.mark.parametrize("dg", [1, 2, 13, 14, 15])
def test_a_changed_byte_in_any_data_group_fails(small_card, dg):
    inserted = small_card(seed=24, tamper_dg=dg)
    result = read(inserted, TrustStore.load([inserted.csca_pem]))
    assert result.verification.passive == "failed"
    assert result.verification.passive_reasons == (f"dg_hash_mismatch:DG{dg}",)


@pytest.mark.parametrize(
    ("options", "pki_options", "reason"),
    [
        ({"tamper_signature": True}, None, "sod_signature_invalid"),
        ({"sod_embed_certificate": False}, None, "no_ds_certificate"),
        ({}, PKIOptions(ds_expired=True), "ds_certificate_expired"),
        ({}, PKIOptions(ds_not_yet_valid=True), "ds_certificate_not_yet_valid"),
    ],
)
def test_security_object_failures(small_card, options, pki_options, reason):
    pki = TestPKI.generate(pki_options) if pki_options else None
    result = read(small_card(seed=25, pki=pki, **options))
    assert result.verification.passive == "failed"
    assert reason in result.verification.passive_reasons


def test_a_signer_outside_the_configured_cscas_fails(small_card):
    inserted = small_card(seed=26, pki=TestPKI.generate(PKIOptions(unknown_csca=True)))
    result = read(inserted, TrustStore.load([inserted.csca_pem]))
    assert result.verification.passive == "failed"
    assert result.verification.passive_reasons == ("unknown_csca",)


def test_an_unknown_sod_hash_algorithm_is_unverifiable(small_card):
    inserted = small_card(seed=26, sod_hash="unknown")
    v = read(inserted, TrustStore.load([inserted.csca_pem])).verification
    assert (v.passive, v.verdict) == ("unverifiable", "unverifiable")
    assert v.passive_reasons == (f"unsupported_hash_algorithm:{UNKNOWN_HASH_OID}",)


def test_a_clone_without_the_private_keys_fails_active_and_chip_authentication(small_card):
    inserted = small_card(seed=27)
    inserted.card.keys = ChipKeys.generate(ChipOptions())  # copied files, other private keys
    v = read(inserted).verification
    assert (v.passive, v.active, v.chip) == ("signature_valid_untrusted", "failed", "failed")
    assert v.active_reasons == ("aa_bad_signature",) and v.chip_reasons == ("ca_keys_rejected",)


def test_short_apdu_only_chip(small_card):
    inserted = small_card(seed=28, short_apdu_only=True)
    with PcscConnection.open(inserted.reader) as conn:
        reader = ChipReader(conn, bac_opener(key_of(inserted)))
        reader.open()
        assert reader.read_file("DG2") == inserted.card.dg(2)
    assert reader.extended is False


@pytest.mark.parametrize("answer", ["truncate", "6282", "6C", "6700"])
def test_a_chip_that_caps_its_reads(small_card, answer):
    inserted = small_card(seed=29, max_plain_read=100, oversize_answer=answer)
    result = read(inserted, TrustStore.load([inserted.csca_pem]))
    assert result.verification.passive == "chain_verified"
    assert result.photo is not None and result.photo in inserted.card.dg(2)


def test_data_group_of_more_than_32_kb(small_card):
    inserted = small_card(seed=30, dg2_size=15_000, dg2_min_size=40_000)
    result = read(inserted)
    assert len(inserted.card.dg(2)) > 40_000
    assert result.verification.passive == "signature_valid_untrusted"
    assert result.photo is not None and Image.open(io.BytesIO(result.photo)).format == "JPEG"


def test_com_listing_absent_groups_and_omitting_present_ones(small_card):
    result = read(small_card(seed=31, com_extra=(11, 12), com_omit=(13, 15)))
    v = result.verification
    assert (v.passive, v.active) == ("signature_valid_untrusted", "verified")
    assert result.personal["id_number"] == generate_citizen(31).id_number


def test_empty_dg13_shows_what_is_missing(small_card):
    result = read(small_card(seed=32, empty_dgs=(13,)))
    assert result.personal == {}
    assert "parse_error:DG13" in result.parse_problems
    assert "dg13_missing" in result.verification.consistency
    assert result.verification.passive == "signature_valid_untrusted"


def test_empty_dg1_cannot_be_read(small_card):
    with pytest.raises(ParseError):
        read(small_card(seed=33, empty_dgs=(1,)))


def test_wrong_mrz_check_digit_is_reported(small_card):
    result = read(small_card(seed=34, mrz_bad_check_digit=True))
    assert "mrz_check_digit:document_number" in result.verification.consistency
    assert result.verification.passive == "signature_valid_untrusted"  # signed as it is


def test_a_mac_error_in_a_response_ends_the_session(small_card):
    inserted = small_card(seed=35, mac_error_response=1)
    with PcscConnection.open(inserted.reader) as conn:
        reader = ChipReader(conn, bac_opener(key_of(inserted)))
        reader.open()
        assert reader.read_file("DG13") == inserted.card.dg(13)
        assert reader.restarts == 1  # the broken session was dropped and BAC run again


def test_mac_errors_that_persist_abort_the_read(small_card):
    with pytest.raises(SecureMessagingError):
        read(small_card(seed=36, mac_error_after=2))


def test_plain_error_status_under_secure_messaging(small_card):
    inserted = small_card(seed=37, plain_error_status=True)
    assert read(inserted).verification.chip == "verified"
    with PcscConnection.open(inserted.reader) as conn:
        reader = ChipReader(conn, bac_opener(key_of(inserted)))
        reader.open()
        from kiosk.devices.icao.reader import read_files

        got, absent, denied = read_files(reader, ("DG11", "DG3", "DG1"))
        assert (absent, denied, set(got)) == (["DG11"], ["DG3"], {"DG1"})
        assert reader.restarts == 0  # a plain status resynchronises by reopening, not by failing


def test_ecdsa_active_authentication_with_explicit_hash(virtual_card, session_pki):
    inserted = virtual_card(seed=38, pki=session_pki,
                            options=ChipOptions(**SMALL_CARD, aa_kind="ecdsa", ca_cipher="3des", ca_curve="p256"))
    v = read(inserted).verification
    assert (v.active, v.chip) == ("verified", "verified")
    spki = inserted.card.keys.aa.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert spki in inserted.card.dg(15)


def test_no_expiry_holder(virtual_card, session_pki):
    citizen = generate_citizen(39, today=date(2025, 6, 1), no_expiry=True)
    result = read(virtual_card(citizen=citizen, pki=session_pki, options=ChipOptions(**SMALL_CARD)))
    assert result.mrz.expiry_date is None
    assert result.verification.consistency == ()


@pytest.mark.parametrize(("card_access", "access"), [("pace", "PACE-MRZ"), ("pace-refused", "BAC")])
def test_pace_when_card_access_offers_it(small_card, card_access, access):
    inserted = small_card(seed=40, card_access=card_access)
    result = read(inserted, TrustStore.load([inserted.csca_pem]))
    v = result.verification
    assert (v.access, v.passive, v.active, v.chip) == (access, "chain_verified", "verified", "verified")
