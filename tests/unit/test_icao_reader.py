"""READ BINARY fallbacks, session restart, AA, CA and the whole read_and_verify job."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from scripted_connection import ScriptedConnection

from kiosk.devices.icao.aa import active_authenticate
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.errors import AccessDenied, CardRemoved, SecureMessagingError, UnsupportedDocument
from kiosk.devices.icao.lds.dg15 import parse_dg15
from kiosk.devices.icao.lds.security_infos import ActiveAuthInfo
from kiosk.devices.icao.opening import bac_opener, plain_opener, read_document
from kiosk.devices.icao.passive import TrustStore
from kiosk.devices.icao.reader import ChipReader
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.card import ChipKeys, ChipOptions, InProcessConnection, VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.support.jobs import Cancelled, CancelToken, Progress

SELECT = "00A4040C07A0000002471001"
FILE = tlv.tlv(0x6D, bytes(range(256)) * 2)  # 516 bytes: 6D 82 0200 + 512


def _chunk(offset: int, n: int) -> str:
    return FILE[offset : offset + n].hex()


def test_short_reads_of_223_bytes():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B00008DF", _chunk(8, 223) + "9000"),
            ("00B000E7DF", _chunk(231, 223) + "9000"),
            ("00B001C63E", _chunk(454, 62) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener, try_extended=False)
    reader.open()
    assert reader.read_file("DG13") == FILE
    conn.assert_done()
    assert reader.apdu_count == 5


def test_6700_halves_the_read_length():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B00008DF", "6700"),
            ("00B000086F", _chunk(8, 111) + "9000"),
            ("00B000776F", _chunk(119, 111) + "9000"),
            (None, _chunk(230, 111) + "9000"),
            (None, _chunk(341, 111) + "9000"),
            ("00B001C440", _chunk(452, 64) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener, try_extended=False)
    reader.open()
    assert reader.read_file("DG13") == FILE
    conn.assert_done()
    assert reader.short_chunk == 0x6F


def test_6cxx_retries_with_the_length_the_chip_names():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B00008DF", "6CC8"),
            ("00B00008C8", _chunk(8, 200) + "9000"),
            ("00B000D0C8", _chunk(208, 200) + "9000"),
            ("00B001986C", _chunk(408, 108) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener, try_extended=False)
    reader.open()
    assert reader.read_file("DG13") == FILE
    conn.assert_done()


def test_6282_keeps_partial_data_and_shrinks():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B00008DF", _chunk(8, 100) + "6282"),
            ("00B0006C64", _chunk(108, 100) + "9000"),
            ("00B000D064", _chunk(208, 100) + "9000"),
            ("00B0013464", _chunk(308, 100) + "9000"),
            ("00B0019864", _chunk(408, 100) + "9000"),
            ("00B001FC08", _chunk(508, 8) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener, try_extended=False)
    reader.open()
    assert reader.read_file("DG13") == FILE
    conn.assert_done()


def test_extended_length_probe_accepted_then_used():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B000080001FC", _chunk(8, 508) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener)
    reader.open()
    assert reader.read_file("DG13") == FILE
    assert reader.extended is True


def test_extended_length_probe_refused_falls_back_to_short():
    conn = ScriptedConnection(
        [
            (SELECT, "9000"),
            ("00B08D0008", _chunk(0, 8) + "9000"),
            ("00B000080001FC", "6D00"),
            ("00B00008DF", _chunk(8, 223) + "9000"),
            ("00B000E7DF", _chunk(231, 223) + "9000"),
            ("00B001C63E", _chunk(454, 62) + "9000"),
        ]
    )
    reader = ChipReader(conn, plain_opener)
    reader.open()
    assert reader.read_file("DG13") == FILE
    assert reader.extended is False
    conn.assert_done()


def test_file_shorter_than_its_length_is_an_error():
    from kiosk.devices.icao.errors import ParseError

    conn = ScriptedConnection(
        [(SELECT, "9000"), ("00B08D0008", _chunk(0, 8) + "9000"), ("00B00008DF", "6B00")]
    )
    reader = ChipReader(conn, plain_opener, try_extended=False)
    reader.open()
    with pytest.raises(ParseError):
        reader.read_file("DG13")


# Against the virtual chip.

TODAY = date(2025, 6, 1)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
CITIZEN = generate_citizen(3, today=TODAY, age=40, long_residence=True)
KEY = AccessKey(CITIZEN.document_number, CITIZEN.birth_yymmdd, CITIZEN.expiry_yymmdd)


class Counting(InProcessConnection):
    """The in-process connection, counting the BAC runs and corrupting responses on demand."""

    def __init__(self, card: VirtualCard) -> None:
        super().__init__(card)
        self.count = 0
        self.bac_runs = 0
        self.corrupt_next = 0

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.count += 1
        data, sw = super().transmit(apdu)
        if apdu[1] == 0x82 and sw == 0x9000:
            self.bac_runs += 1
        if self.corrupt_next and data[-10:-8] == b"\x8e\x08":
            self.corrupt_next -= 1
            data = data[:-1] + bytes([data[-1] ^ 0xFF])
        return data, sw


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate(now=NOW)


@pytest.fixture(scope="module")
def keys() -> ChipKeys:
    return ChipKeys.generate(ChipOptions())


def chip(pki, keys=None, **options) -> tuple[VirtualCard, Counting]:
    card = VirtualCard(CITIZEN, pki, ChipOptions(**{"dg2_size": 3000, **options}), keys=keys)
    return card, Counting(card)


def test_read_document_skips_dg3_and_tolerates_absent_groups(pki, keys):
    card, conn = chip(pki, keys)
    progress: list[Progress] = []
    doc = read_document(conn, KEY, progress.append, files=("COM", "DG1", "DG3", "DG11", "DG2"))
    assert set(doc.files) == {"COM", "DG1", "DG2"}
    assert doc.files["DG2"] == card.dg(2)
    assert doc.denied == ("DG3",) and doc.absent == ("DG11",)
    assert doc.apdu_count == conn.count
    dg2_fractions = [p.fraction for p in progress if p.step == "DG2" and p.fraction is not None]
    assert dg2_fractions == sorted(dg2_fractions) and dg2_fractions[-1] == 1.0


def test_plain_error_status_restarts_the_session(pki, keys):
    _, conn = chip(pki, keys, plain_error_status=True)
    doc = read_document(conn, KEY, files=("DG11", "DG1"))
    assert doc.absent == ("DG11",) and "DG1" in doc.files
    assert conn.bac_runs == 2


def test_session_restart_after_a_mac_error(pki, keys):
    card, conn = chip(pki, keys)
    reader = ChipReader(conn, bac_opener(KEY), try_extended=False)
    reader.open()
    conn.corrupt_next = 1
    assert reader.read_file("DG2") == card.dg(2)
    assert reader.restarts == 1 and conn.bac_runs == 2


def test_persistent_mac_errors_give_up(pki, keys):
    _, conn = chip(pki, keys)
    reader = ChipReader(conn, bac_opener(KEY), try_extended=False, max_restarts=2)
    reader.open()
    conn.corrupt_next = 100
    with pytest.raises(SecureMessagingError):
        reader.read_file("DG1")
    assert conn.bac_runs == 3


@pytest.mark.parametrize("answer", ["6700", "6C", "6282", "truncate"])
def test_chip_read_limit_is_learned(pki, keys, answer):
    card, conn = chip(pki, keys, max_plain_read=0x70, oversize_answer=answer)
    reader = ChipReader(conn, bac_opener(KEY), try_extended=False)
    reader.open()
    assert reader.read_file("DG2") == card.dg(2)
    # A chip that silently returns fewer bytes needs no change; the others teach the limit.
    assert reader.short_chunk <= 0x70 or answer == "truncate"


def test_extended_length_against_a_chip_that_takes_it(pki, keys):
    card, conn = chip(pki, keys)
    reader = ChipReader(conn, bac_opener(KEY))
    reader.open()
    before = conn.count
    assert reader.read_file("DG2") == card.dg(2)
    assert reader.extended is True
    assert conn.count - before == 2  # header + one extended read


def test_short_apdu_only_chip_falls_back_to_short_reads(pki, keys):
    card, conn = chip(pki, keys, short_apdu_only=True)
    reader = ChipReader(conn, bac_opener(KEY))
    reader.open()
    assert reader.read_file("DG2") == card.dg(2)
    assert reader.extended is False and reader.restarts == 0


def test_wrong_key_is_access_denied(pki, keys):
    _, conn = chip(pki, keys)
    with pytest.raises(AccessDenied):
        read_document(conn, AccessKey(KEY.document_number, KEY.birth_date, "991231"))


def test_not_an_emrtd():
    conn = ScriptedConnection([("00B09C00DF", "6A82"), (SELECT, "6A82")])  # no EF.CardAccess, no LDS1
    with pytest.raises(UnsupportedDocument):
        read_document(conn, KEY)


def test_card_removed_propagates(pki, keys):
    _, conn = chip(pki, keys, remove_after=5)
    with pytest.raises(CardRemoved):
        read_document(conn, KEY)


def test_cancel_between_files(pki, keys):
    _, conn = chip(pki, keys)
    token = CancelToken()

    def report(p: Progress) -> None:
        if p.step == "DG1" and p.fraction == 1.0:
            token.cancel()

    with pytest.raises(Cancelled):
        read_document(conn, KEY, report, token, files=("DG1", "DG2"))


def _aa(card: VirtualCard, conn, info: ActiveAuthInfo | None = None, dg15: bytes | None = None):
    reader = ChipReader(conn, bac_opener(KEY))
    reader.open()
    return active_authenticate(reader.secure, parse_dg15(dg15 or card.dg(15)), info)


@pytest.mark.parametrize(("kind", "hash_name"), [("rsa", None), ("rsa", "sha256"), ("rsa", "sha512"),
                                                  ("ecdsa", None), ("ecdsa", "sha384")])
def test_active_authentication_verifies(pki, kind, hash_name):
    card, conn = chip(pki, aa_kind=kind, aa_hash=hash_name, ca=False)
    info = None
    if kind == "ecdsa":
        info = ActiveAuthInfo(1, {"sha384": "1.2.840.10045.4.3.3"}.get(hash_name or "", "1.2.840.10045.4.3.2"))
    assert _aa(card, conn, info).verdict == "verified"


def test_aa_accepts_the_complementary_rsa_signature(keys):
    """ISO/IEC 9796-2 lets the signer send n − s instead of s."""
    from kiosk.devices.icao.aa import verify_iso9796_2

    card = VirtualCard(CITIZEN, TestPKI.generate(), ChipOptions(dg2_size=1000), keys=keys)
    challenge = bytes(range(8))
    signature = card._aa_rsa(keys.aa, challenge)
    public = keys.aa.public_key()
    n = public.public_numbers().n
    other = (n - int.from_bytes(signature, "big")).to_bytes(len(signature), "big")
    assert verify_iso9796_2(public, signature, challenge) == ()
    assert verify_iso9796_2(public, other, challenge) == ()
    assert verify_iso9796_2(public, other, bytes(8)) == ("aa_signature_invalid",)


def test_aa_with_a_foreign_key_fails(pki, keys):
    card, conn = chip(pki, keys)
    foreign = rsa.generate_private_key(65537, 1024).public_key()
    dg15 = lds.dg15(foreign.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert _aa(card, conn, dg15=dg15).verdict == "failed"


def test_aa_ec_with_wrong_stated_hash_fails(pki):
    card, conn = chip(pki, aa_kind="ecdsa", ca=False)
    assert _aa(card, conn, ActiveAuthInfo(1, "1.2.840.10045.4.3.3")).verdict == "failed"


def test_read_and_verify_end_to_end(tmp_path, pki, keys):
    card, conn = chip(pki, keys)
    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    result = read_and_verify(conn, KEY, TrustStore.load([tmp_path]), now=NOW)
    v = result.verification
    assert (v.access, v.passive, v.chip, v.active) == ("BAC", "chain_verified", "verified", "verified")
    assert v.consistency == ()
    assert result.photo is not None and card.dg(2).endswith(result.photo)
    assert result.photo_mime == "image/jpeg"
    doc = result.to_json()
    assert set(doc) == {"mrz", "personal", "verification", "key", "apdu_count", "seconds"}
    assert doc["mrz"]["id_number"] == CITIZEN.id_number
    assert doc["mrz"]["birth_date"] == CITIZEN.birth_date.isoformat()
    assert doc["personal"]["full_name"] == CITIZEN.full_name
    assert doc["personal"]["place_of_residence"] == CITIZEN.place_of_residence
    assert doc["personal"]["father_name"] == CITIZEN.father_name
    assert doc["personal"]["unknown_fields"] == {"16": CITIZEN.card_serial}
    assert doc["verification"]["passive_reasons"] == []
    assert doc["apdu_count"] == conn.count
    _, again = chip(pki, keys)
    assert result.same_card(read_and_verify(again, KEY, None, now=NOW))


@pytest.mark.parametrize("ca_cipher", ["aes128", "3des"])
def test_read_and_verify_detects_a_clone_without_keys(pki, keys, ca_cipher):
    card, conn = chip(pki, keys, ca_cipher=ca_cipher)
    card.keys = ChipKeys.generate(ChipOptions())  # a copy that lacks the AA and CA private keys
    result = read_and_verify(conn, KEY, None, now=NOW)
    assert result.verification.active == "failed"
    assert result.verification.chip == "failed"
    assert result.verification.passive == "signature_valid_untrusted"
