"""Active authentication with every signature algorithm the standards name, and the verdict when
the kiosk cannot check (ICAO 9303-11 §6.1, §9.2; BSI TR-03111 §5.2.1; ISO/IEC 9796-2).

The OIDs and trailers below are typed from the standards' text, never taken from the reader's or
the chip's tables, so a wrong entry in either shows here.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from aa_standards import CURVE_HASHES, ECDSA_CASES, ECDSA_PLAIN_OIDS, FAMILIES, RSA_TRAILERS
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.devices.icao import aa
from kiosk.devices.icao.apdu import internal_authenticate
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.lds.security_infos import parse_dg14
from kiosk.devices.icao.opening import bac_opener
from kiosk.devices.icao.reader import ChipReader
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.card import (
    AA_OID_FAMILIES,
    CURVES,
    ChipKeys,
    ChipOptions,
    InProcessConnection,
    VirtualCard,
)
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CITIZEN = generate_citizen(71, today=date(2025, 6, 1))
KEY = AccessKey(CITIZEN.document_number, CITIZEN.birth_yymmdd, CITIZEN.expiry_yymmdd)

def test_the_chip_offers_no_curve_or_family_these_tests_do_not_iterate():
    assert set(CURVES) == set(CURVE_HASHES)
    assert set(AA_OID_FAMILIES) == {*FAMILIES, "unknown", "none"}


@pytest.mark.parametrize(("family", "hash_name"), [(f, h) for f, oids in FAMILIES.items() for h in oids])
def test_dg14_names_the_hash_by_the_standard_oid(family, hash_name):
    oid = FAMILIES[family][hash_name]
    assert lds.aa_signature_oid(family, hash_name) == oid  # what the virtual chip writes
    info = parse_dg14(lds.dg14([lds.aa_info(oid)])).aa_info
    assert info is not None and (info.signature_algorithm, info.hash_name) == (oid, hash_name)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate(now=NOW)


def read(pki: TestPKI, keys: ChipKeys | None = None, **options):
    card = VirtualCard(CITIZEN, pki, ChipOptions(dg2_size=1000, **options), keys=keys)
    return card, read_and_verify(InProcessConnection(card), KEY, None, now=NOW).verification


@pytest.mark.parametrize(("curve", "family", "hash_name"), ECDSA_CASES)
def test_ecdsa_active_authentication_verifies(pki, curve, family, hash_name):
    card, v = read(pki, aa_kind="ecdsa", aa_curve=curve, aa_oid=family, aa_hash=hash_name, ca_cipher="3des")
    assert (v.active, v.active_reasons, v.verdict) == ("verified", (), "signature_valid_untrusted")
    infos = parse_dg14(card.dg(14))
    if family == "none":
        assert infos.aa_info is None
    else:
        assert infos.aa_info is not None
        assert infos.aa_info.signature_algorithm == FAMILIES[family][hash_name or CURVE_HASHES[curve]]


def test_the_signature_is_plain_r_s_as_long_as_the_curve(pki):
    """BSI TR-03111 §5.2.1: r and s, each as many octets as the order, concatenated."""
    card = VirtualCard(CITIZEN, pki, ChipOptions(dg2_size=1000, aa_kind="ecdsa", aa_curve="p521"))
    reader = ChipReader(InProcessConnection(card), bac_opener(KEY))
    reader.open()
    signature, sw = reader.transmit(internal_authenticate(bytes(8), 256))
    assert (sw, len(signature)) == (0x9000, 2 * 66)


@pytest.mark.parametrize(("hash_name", "bits"), [(h, 1024) for h in RSA_TRAILERS] + [("sha256", 2048)])
def test_rsa_active_authentication_with_every_iso9796_2_trailer(pki, hash_name, bits):
    card, v = read(pki, aa_kind="rsa", aa_hash=hash_name, aa_rsa_bits=bits)
    assert (v.active, v.active_reasons) == ("verified", ())
    # The chip's answer recovers to 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer (ICAO 9303-11 §6.1.2).
    challenge = bytes(range(8))
    signature = card._aa_rsa(card.keys.aa, challenge)
    numbers = card.keys.aa.public_key().public_numbers()
    recovered = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(bits // 8, "big")
    trailer = bytes.fromhex(RSA_TRAILERS[hash_name])
    size = hashlib.new(hash_name).digest_size
    assert recovered[0] == 0x6A and recovered.endswith(trailer)
    m1 = recovered[1 : -(size + len(trailer))]
    assert recovered[-(size + len(trailer)) : -len(trailer)] == hashlib.new(hash_name, m1 + challenge).digest()


def _rsa_answer(key: rsa.RSAPrivateKey, trailer: bytes, challenge: bytes, size: int = 32) -> bytes:
    """A raw ISO/IEC 9796-2 answer with any trailer, signed here with the chip's private key."""
    numbers = key.private_numbers()
    k = (numbers.public_numbers.n.bit_length() + 7) // 8
    m1 = bytes(k - 1 - size - len(trailer))
    representative = b"\x6A" + m1 + hashlib.sha256(m1 + challenge).digest()[:size] + trailer
    return pow(int.from_bytes(representative, "big"), numbers.d, numbers.public_numbers.n).to_bytes(k, "big")


def test_an_rsa_trailer_naming_a_hash_the_kiosk_lacks_is_unverifiable_and_garbage_fails():
    key = rsa.generate_private_key(65537, 1024)
    challenge = bytes(8)
    # ISO/IEC 10118-3 assigns 37 to WHIRLPOOL, which the kiosk does not implement.
    whirlpool = aa.verify_iso9796_2(key.public_key(), _rsa_answer(key, b"\x37\xCC", challenge, 64), challenge)
    assert whirlpool == ("aa_unsupported_hash:ISO/IEC 10118-3 37",)
    assert aa.verify_iso9796_2(key.public_key(), _rsa_answer(key, b"\x99\xCC", challenge), challenge) == (
        "aa_bad_signature",)
    assert aa.verify_iso9796_2(key.public_key(), bytes(128), challenge) == ("aa_bad_signature",)


def test_an_unknown_algorithm_oid_is_unverifiable_never_failed(pki):
    _, v = read(pki, aa_kind="ecdsa", aa_oid="unknown")
    assert v.active == "unverifiable" and v.verdict == "unverifiable"
    assert v.active_reasons == (f"aa_unsupported_algorithm:{lds.UNKNOWN_AA_SIGNATURE_OID}",)
    assert (v.passive, v.chip) == ("signature_valid_untrusted", "verified")


@pytest.mark.parametrize(("kind", "reason"), [("rsa", "aa_bad_signature"), ("ecdsa", "aa_signature_invalid")])
def test_a_wrong_signature_fails(pki, kind, reason):
    """With another RSA key the recovered message has no ISO/IEC 9796-2 structure at all; with
    another EC key the signature simply does not verify. Both are wrong answers."""
    card, _ = read(pki, aa_kind=kind)
    other = ChipKeys.generate(ChipOptions(aa_kind=kind, ca=False))
    card.keys = ChipKeys(other.aa, card.keys.ca)  # the files of one chip, another chip's AA key
    v = read_and_verify(InProcessConnection(card), KEY, None, now=NOW).verification
    assert (v.active, v.verdict) == ("failed", "failed")
    assert v.active_reasons == (reason,)


def test_a_stated_hash_other_than_the_one_signed_with_fails(pki):
    """DG14 is signed by the issuer: a chip that answers with another hash gives a wrong answer."""
    card, _ = read(pki, aa_kind="ecdsa")
    infos = [lds.ca_public_key_info(_spki(card.keys.ca)), lds.ca_info("aes128"),
             lds.aa_info(ECDSA_PLAIN_OIDS["sha384"])]
    card.files[0x010E] = lds.dg14(infos)
    v = read_and_verify(InProcessConnection(card), KEY, None, now=NOW).verification
    assert v.active == "failed"


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize(("option", "step"), [("aa_status", "active"), ("ca_status", "chip")])
def test_an_unexpected_status_from_a_chip_that_offers_the_protocol_is_unverifiable(pki, option, step):
    _, v = read(pki, **{option: 0x6F00})
    assert getattr(v, step) == "unverifiable" and v.verdict == "unverifiable"
    prefix = "aa" if step == "active" else "ca"
    assert getattr(v, f"{step}_reasons") == (f"{prefix}_status:6F00",)


def test_a_chip_authentication_protocol_the_kiosk_does_not_know_is_unverifiable(pki):
    card, _ = read(pki, aa_kind="rsa")
    unknown_ca = "0.4.0.127.0.7.2.2.3.2.9"  # under id-CA-ECDH (BSI TR-03110-3 §A.1.1.2), no cipher 9
    infos = [lds.ca_public_key_info(_spki(card.keys.ca)), tlv.seq(tlv.oid(unknown_ca), tlv.integer(1))]
    card.files[0x010E] = lds.dg14(infos)
    v = read_and_verify(InProcessConnection(card), KEY, None, now=NOW).verification
    assert (v.chip, v.chip_reasons) == ("unverifiable", (f"ca_unsupported_protocol:{unknown_ca}",))
