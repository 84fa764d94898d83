"""A genuine card is never called forged: every active-authentication algorithm, curve and OID family
the standards allow, read by the product's reader from the virtual chip through pcscd and vpcd.

Expected OIDs and hashes come from tests/aa_standards.py (typed from ICAO 9303-11 §9.2, BSI TR-03111
§5.2.1, RFC 5758 §3.2 and ISO/IEC 9796-2), never from the code under test.
"""

from __future__ import annotations

import pytest
from aa_standards import CURVE_HASHES, ECDSA_CASES, FAMILIES, RSA_TRAILERS
from pcsc_fixtures import SMALL_CARD

from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.lds.security_infos import parse_dg14
from kiosk.devices.icao.passive import TrustStore
from kiosk.devices.pcsc import PcscConnection
from kiosk.devices.vchip import lds
from kiosk.devices.vchip.card import ChipKeys, ChipOptions

pytestmark = pytest.mark.pcsc


def read(inserted, trust: bool = True):
    k = inserted.access_key
    with PcscConnection.open(inserted.reader) as conn:
        return read_and_verify(conn, AccessKey(k["document_number"], k["birth"], k["expiry"]),
                               TrustStore.load([inserted.csca_pem]) if trust else None).verification


def insert(virtual_card, session_pki, seed: int, **options):
    return virtual_card(seed=seed, pki=session_pki, options=ChipOptions(**SMALL_CARD, **options))


@pytest.mark.parametrize(("curve", "family", "hash_name"), ECDSA_CASES)
def test_a_genuine_ecdsa_chip_reads_as_genuine(virtual_card, session_pki, curve, family, hash_name):
    inserted = insert(virtual_card, session_pki, 81, aa_kind="ecdsa", aa_curve=curve, aa_oid=family,
                      aa_hash=hash_name)
    v = read(inserted)
    assert (v.passive, v.active, v.chip, v.verdict) == ("chain_verified", "verified", "verified", "chain_verified")
    aa_info = parse_dg14(inserted.card.dg(14)).aa_info
    named = None if aa_info is None else aa_info.signature_algorithm
    assert named == (None if family == "none" else FAMILIES[family][hash_name or CURVE_HASHES[curve]])


@pytest.mark.parametrize(("hash_name", "bits"), [("sha1", 1024), ("sha256", 1024), ("sha1", 2048), ("sha256", 2048)])
def test_a_genuine_rsa_chip_reads_as_genuine(virtual_card, session_pki, hash_name, bits):
    assert hash_name in RSA_TRAILERS
    inserted = insert(virtual_card, session_pki, 82, aa_kind="rsa", aa_hash=hash_name, aa_rsa_bits=bits)
    v = read(inserted)
    assert (v.passive, v.active, v.chip, v.verdict) == ("chain_verified", "verified", "verified", "chain_verified")


def test_an_unknown_algorithm_is_unverifiable_never_failed(virtual_card, session_pki):
    inserted = insert(virtual_card, session_pki, 83, aa_kind="ecdsa", aa_oid="unknown")
    v = read(inserted)
    assert (v.passive, v.active, v.chip, v.verdict) == ("chain_verified", "unverifiable", "verified", "unverifiable")
    assert v.active_reasons == (f"aa_unsupported_algorithm:{lds.UNKNOWN_AA_SIGNATURE_OID}",)


@pytest.mark.parametrize("kind", ["rsa", "ecdsa"])
def test_a_wrong_signature_is_failed(virtual_card, session_pki, kind):
    inserted = insert(virtual_card, session_pki, 84, aa_kind=kind, aa_oid="ecdsa-plain")
    other = ChipKeys.generate(ChipOptions(aa_kind=kind, ca=False))
    inserted.card.keys = ChipKeys(other.aa, inserted.card.keys.ca)  # a copy that lacks the AA key
    v = read(inserted)
    assert (v.passive, v.active, v.chip, v.verdict) == ("chain_verified", "failed", "verified", "failed")


@pytest.mark.parametrize(("option", "step"), [("aa_status", "active"), ("ca_status", "chip")])
def test_an_unexpected_status_word_is_unverifiable(virtual_card, session_pki, option, step):
    inserted = insert(virtual_card, session_pki, 85, **{option: 0x6F00})
    v = read(inserted)
    assert getattr(v, step) == "unverifiable" and v.verdict == "unverifiable"
