"""READ BINARY fallbacks, session restart, AA, CA and the whole read_and_verify job."""

from __future__ import annotations

import icao_factory as f
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from icao_chipsim import ChipSim

from kiosk.devices.connection import ScriptedConnection
from kiosk.devices.icao.aa import active_authenticate
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.errors import AccessDenied, CardRemoved, SecureMessagingError, UnsupportedDocument
from kiosk.devices.icao.lds.dg15 import parse_dg15
from kiosk.devices.icao.lds.security_infos import ActiveAuthInfo
from kiosk.devices.icao.passive import TrustStore
from kiosk.devices.icao.reader import ChipReader, bac_opener, plain_opener, read_document
from kiosk.jobs import Cancelled, CancelToken, Progress

SELECT = "00A4040C07A0000002471001"
FILE = f.tlv(0x6D, bytes(range(256)) * 2)  # 516 bytes: 6D 82 0200 + 512


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


# ---------------------------------------------------------------- against the simulated chip

HOLDER = f.Holder()
KEY = AccessKey.from_document_number(HOLDER.id_number, HOLDER.birth, HOLDER.expiry)


def _card(pki=None, *, aa="rsa", ca=True, **kw):
    pki = pki or f.make_pki()
    aa_key = rsa.generate_private_key(65537, 1024) if aa == "rsa" else ec.generate_private_key(ec.SECP256R1())
    ca_key = ec.generate_private_key(ec.BrainpoolP256R1()) if ca else None
    files = {
        "DG1": f.dg1(f.td1(HOLDER)),
        "DG2": f.dg2(f.jpeg(3000)),
        "DG13": f.dg13(f.standard_dg13_fields(HOLDER)),
        "DG14": f.dg14(f.spki(ca_key.public_key()) if ca else None,
                       "1.2.840.10045.4.3.2" if aa != "rsa" else None),
        "DG15": f.dg15(aa_key.public_key()),
    }
    lds = {0x011E: f.com(), 0x011D: f.make_sod(files, pki)}
    lds.update({0x0100 + int(n[2:]): data for n, data in files.items()})
    sim = ChipSim(lds, KEY, aa_key=aa_key, aa_hash="sha1" if aa == "rsa" else "sha256", ca_key=ca_key, **kw)
    return sim, pki


def test_read_document_skips_dg3_and_tolerates_absent_groups():
    sim, _ = _card()
    progress: list[Progress] = []
    doc = read_document(sim, KEY, progress.append, files=("COM", "DG1", "DG3", "DG11", "DG2"))
    assert set(doc.files) == {"COM", "DG1", "DG2"}
    assert doc.denied == ("DG3",) and doc.absent == ("DG11",)
    assert doc.apdu_count == sim.count
    dg2_fractions = [p.fraction for p in progress if p.step == "DG2" and p.fraction is not None]
    assert dg2_fractions == sorted(dg2_fractions) and 0 < dg2_fractions[1] < 1 and dg2_fractions[-1] == 1.0


def test_plain_error_status_restarts_the_session():
    sim, _ = _card(plain_errors=True)
    doc = read_document(sim, KEY, files=("DG11", "DG1"))
    assert doc.absent == ("DG11",) and "DG1" in doc.files
    assert sim.bac_runs == 2


def test_session_restart_after_a_mac_error():
    sim, _ = _card()
    reader = ChipReader(sim, bac_opener(KEY), try_extended=False)
    reader.open()
    sim.corrupt_next = 1
    data = reader.read_file("DG2")
    assert data == sim.files[0x0102]
    assert reader.restarts == 1 and sim.bac_runs == 2


def test_persistent_mac_errors_give_up():
    sim, _ = _card()
    reader = ChipReader(sim, bac_opener(KEY), try_extended=False, max_restarts=2)
    reader.open()
    sim.corrupt_next = 100
    with pytest.raises(SecureMessagingError):
        reader.read_file("DG1")
    assert sim.bac_runs == 3


@pytest.mark.parametrize("too_long", ["6700", "6C", "6282"])
def test_chip_read_limit_is_learned(too_long):
    sim, _ = _card(max_le=0x70, too_long=too_long)
    reader = ChipReader(sim, bac_opener(KEY), try_extended=False)
    reader.open()
    assert reader.read_file("DG2") == sim.files[0x0102]
    assert reader.short_chunk <= 0x70


def test_extended_length_against_a_chip_that_takes_it():
    sim, _ = _card(extended=True)
    reader = ChipReader(sim, bac_opener(KEY))
    reader.open()
    before = sim.count
    assert reader.read_file("DG2") == sim.files[0x0102]
    assert reader.extended is True
    assert sim.count - before == 2  # header + one extended read


def test_wrong_key_is_access_denied():
    sim, _ = _card()
    with pytest.raises(AccessDenied):
        read_document(sim, AccessKey("090012345", "900815", "300816"))


def test_not_an_emrtd():
    conn = ScriptedConnection([(SELECT, "6A82")])
    with pytest.raises(UnsupportedDocument):
        read_document(conn, KEY)


def test_card_removed_propagates():
    conn = ScriptedConnection([(SELECT, CardRemoved("TRANSMIT", "removed"))])
    with pytest.raises(CardRemoved):
        read_document(conn, KEY)


def test_cancel_between_files():
    sim, _ = _card()
    token = CancelToken()

    def report(p: Progress) -> None:
        if p.step == "DG1" and p.fraction == 1.0:
            token.cancel()

    with pytest.raises(Cancelled):
        read_document(sim, KEY, report, token, files=("DG1", "DG2"))


def test_aa_rsa_and_ec():
    for kind in ("rsa", "ec"):
        sim, _ = _card(aa=kind)
        reader = ChipReader(sim, bac_opener(KEY))
        reader.open()
        dg15 = parse_dg15(sim.files[0x010F])
        info = ActiveAuthInfo(1, "1.2.840.10045.4.3.2") if kind == "ec" else None
        chan = reader.secure
        assert active_authenticate(chan, dg15, info).verdict == "verified"


def test_aa_with_a_foreign_key_fails():
    sim, _ = _card(aa="rsa")
    foreign = parse_dg15(f.dg15(rsa.generate_private_key(65537, 1024).public_key()))
    reader = ChipReader(sim, bac_opener(KEY))
    reader.open()
    result = active_authenticate(reader.secure, foreign)
    assert result.verdict == "failed"


def test_aa_rsa_sha256_trailer():
    sim, _ = _card(aa="rsa")
    sim.aa_hash = "sha256"
    reader = ChipReader(sim, bac_opener(KEY))
    reader.open()
    assert active_authenticate(reader.secure, parse_dg15(sim.files[0x010F])).verdict == "verified"


def test_aa_ec_with_wrong_stated_hash_fails():
    sim, _ = _card(aa="ec")
    reader = ChipReader(sim, bac_opener(KEY))
    reader.open()
    result = active_authenticate(reader.secure, parse_dg15(sim.files[0x010F]), ActiveAuthInfo(1, "1.2.840.10045.4.3.3"))
    assert result.verdict == "failed"


def test_read_and_verify_end_to_end(tmp_path):
    sim, pki = _card()
    (tmp_path / "csca.pem").write_bytes(f.pem(pki.csca_cert))
    result = read_and_verify(sim, KEY, TrustStore.load([tmp_path]), now=f.NOW)
    v = result.verification
    assert (v.access, v.passive, v.chip, v.active) == ("BAC", "chain_verified", "verified", "verified")
    assert v.consistency == ()
    assert result.photo == f.jpeg(3000) and result.photo_mime == "image/jpeg"
    doc = result.to_json()
    assert set(doc) == {"mrz", "personal", "verification", "apdu_count", "seconds"}
    assert doc["mrz"]["id_number"] == HOLDER.id_number
    assert doc["mrz"]["birth_date"] == "1990-08-15" and doc["mrz"]["expiry_date"] == "2030-08-15"
    assert doc["personal"]["full_name"] == "Nguyễn Văn An"
    assert doc["personal"]["birth_date"] == "1990-08-15"
    assert doc["personal"]["father_name"] == "Nguyễn Văn Bố"
    assert "spouse_name" not in doc["personal"]
    assert doc["personal"]["unknown_fields"] == {"16": "ABCDEF0123456789"}
    assert doc["verification"]["passive_reasons"] == []
    assert doc["apdu_count"] == sim.count
    again, _ = _card(pki)
    assert result.same_card(read_and_verify(again, KEY, None, now=f.NOW))


def test_read_and_verify_detects_a_clone_without_keys(tmp_path):
    sim, _ = _card()
    sim.aa_key = rsa.generate_private_key(65537, 1024)  # a copy that lacks the AA private key
    sim.ca_key = ec.generate_private_key(ec.BrainpoolP256R1())  # … and the CA private key
    result = read_and_verify(sim, KEY, None, now=f.NOW)
    assert result.verification.active == "failed"
    assert result.verification.chip == "failed"
    assert result.verification.passive == "signature_valid_untrusted"


def test_aes_secure_messaging_reads_a_file():
    from kiosk.devices.icao.sm import AesCipher, SecureMessaging

    sim, _ = _card()
    sim.plain(bytes.fromhex(SELECT))
    ks_enc, ks_mac = bytes(range(16)), bytes(range(16, 32))
    sim.sm, sim.ssc = ("AES", ks_enc, ks_mac), 0
    channel = SecureMessaging(sim, AesCipher(ks_enc, ks_mac), 0)
    reader = ChipReader(sim, lambda raw: (channel, "PACE"), try_extended=False)
    reader.open()
    assert reader.read_file("DG1") == sim.files[0x0101]
    assert channel.ssc == sim.ssc > 0
