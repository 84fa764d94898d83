"""The virtual chip driven in-process: ICAO 9303-11 worked examples, access rules, SM, AA, CA, faults."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pcsc_fixtures import Terminal

from kiosk.devices.icao.apdu import read_binary
from kiosk.devices.icao.errors import ChipError
from kiosk.devices.vchip import tlv
from kiosk.devices.vchip.card import ATR, ChipOptions, LeftTheField, VirtualCard, parse_apdu
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate()


@pytest.fixture(scope="module")
def citizen():
    return generate_citizen(11, today=TODAY)


def make(citizen, pki, **options) -> tuple[VirtualCard, Terminal]:
    card = VirtualCard(citizen, pki, ChipOptions(**options))
    card.power_on()
    return card, Terminal(card.process)


def open_session(citizen, pki, **options) -> tuple[VirtualCard, Terminal]:
    card, term = make(citizen, pki, **options)
    assert term.select_aid() == 0x9000
    key = citizen.access_key()
    term.bac(key["document_number"], key["birth"], key["expiry"])
    return card, term


class Script:
    """Hands out the ICAO example's chip randomness in order; fails loudly when it runs out."""

    def __init__(self, *chunks: str) -> None:
        self.chunks = [bytes.fromhex(c) for c in chunks]

    def __call__(self, n: int) -> bytes:
        chunk = self.chunks.pop(0)
        assert len(chunk) == n, f"chip asked for {n} random bytes, script has {len(chunk)}"
        return chunk


ICAO_COM = bytes.fromhex("60145F0104303130365F36063034303030305C026175")


@pytest.fixture()
def icao_example_card(citizen, pki) -> VirtualCard:
    """A chip keyed with the ICAO 9303-11 Appendix D MRZ and holding the example's EF.COM."""
    card = VirtualCard(citizen, pki, ChipOptions(replace_files=((0x011E, ICAO_COM),)),
                       rng=Script("4608F91988702212", "0B4F80323EB3191CB04970CB4052790B"),
                       bac_key=("L898902C<", "690806", "940623"))
    card.power_on()
    assert card.process(bytes.fromhex("00A4040C07A0000002471001")) == b"\x90\x00"
    return card


def test_bac_matches_icao_worked_example(icao_example_card):
    card = icao_example_card
    assert card.process(bytes.fromhex("0084000008")) == bytes.fromhex("4608F91988702212") + b"\x90\x00"
    e_ifd_m_ifd = bytes.fromhex("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
                                "5F1448EEA8AD90A7")
    response = card.process(bytes.fromhex("0082000028") + e_ifd_m_ifd + b"\x28")
    assert response == bytes.fromhex("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
                                     "2F2D235D074D7449") + b"\x90\x00"
    sm = card._s.sm
    assert sm.ks_enc == bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert sm.ks_mac == bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert sm.ssc == 0x887022120C06C226


def test_secure_messaging_matches_icao_worked_example(icao_example_card):
    card = icao_example_card
    term = Terminal(card.process)
    term.bac("L898902C<", "690806", "940623", rnd_ifd=bytes.fromhex("781723860C06C226"),
             k_ifd=bytes.fromhex("0B795240CB7049B01C19B33E32804F0B"))
    exchanges = [
        ("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
         "990290008E08FA855A5D4C50A8ED9000"),
        ("0CB000000D9701048E08ED6705417E96BA5500",
         "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"),
        ("0CB000040D9701128E082EA28A70F3C7B53500",
         "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"),
    ]
    for command, expected in exchanges:
        assert card.process(bytes.fromhex(command)).hex().upper() == expected


def test_atr_checksum_is_valid():
    tck = 0
    for b in ATR[1:]:
        tck ^= b
    assert ATR[0] == 0x3B and tck == 0


@pytest.mark.parametrize(
    ("apdu", "fields"),
    [
        ("00A4040C", (b"", 0, False)),
        ("00B0000000", (b"", 256, False)),
        ("00A4040C07A0000002471001", (bytes.fromhex("A0000002471001"), 0, False)),
        ("0088000008010203040506070800", (bytes.fromhex("0102030405060708"), 256, False)),
        ("00B0000000FFFF", (b"", 65535, True)),
        ("00B00000000000", (b"", 65536, True)),
        ("0CB00000000003AABBCC0000", (bytes.fromhex("AABBCC"), 65536, True)),
    ],
)
def test_parse_apdu_cases(apdu, fields):
    parsed = parse_apdu(bytes.fromhex(apdu))
    assert (parsed.data, parsed.ne, parsed.extended) == fields


def test_inconsistent_lc_is_wrong_length(citizen, pki):
    card, _ = make(citizen, pki)
    assert card.process(bytes.fromhex("00A4040C09A0000002471001")) == b"\x67\x00"


def test_select_mf_answers_6d00_and_unknown_aid_6a82(citizen, pki):
    card, term = make(citizen, pki)
    assert term.plain(bytes.fromhex("00A4000C023F00"))[1] == 0x6D00
    assert term.plain(bytes.fromhex("00A4040C07A0000002471002"))[1] == 0x6A82


def test_reading_without_bac_is_refused(citizen, pki):
    card, term = make(citizen, pki)
    term.select_aid()
    assert term.plain(bytes.fromhex("00A4020C020101"))[1] == 0x6982
    assert term.plain(bytes.fromhex("00B0810000"))[1] == 0x6982
    assert term.plain(bytes.fromhex("0088000008" + "00" * 8 + "00"))[1] == 0x6982


def test_bac_with_wrong_key_answers_6300_and_opens_nothing(citizen, pki):
    card, term = make(citizen, pki)
    term.select_aid()
    key = citizen.access_key()
    wrong_birth = f"{(int(key['birth'][:2]) + 1) % 100:02d}" + key["birth"][2:]
    with pytest.raises(ChipError) as info:
        term.bac(key["document_number"], wrong_birth, key["expiry"])
    assert info.value.sw == 0x6300
    assert not card.in_secure_messaging
    assert term.plain(bytes.fromhex("00B0810000"))[1] == 0x6982


def test_external_authenticate_without_challenge_is_refused(citizen, pki):
    card, term = make(citizen, pki)
    term.select_aid()
    assert term.plain(bytes.fromhex("0082000028") + bytes(40) + b"\x28")[1] == 0x6985


def test_read_every_file_under_bac(citizen, pki):
    card, term = open_session(citizen, pki)
    for sfi, fid in ((0x1E, 0x011E), (0x1D, 0x011D), (1, 0x0101), (2, 0x0102), (13, 0x010D),
                     (14, 0x010E), (15, 0x010F)):
        assert term.read_file(sfi) == card.files[fid]
    assert card.sm_cipher == "3des"


def test_select_then_read_by_offset(citizen, pki):
    card, term = open_session(citizen, pki)
    assert term.select_ef(0x010D) == 0x9000
    data, sw = term.send(0xB0, 0x00, 0x10, ne=32)
    assert sw == 0x9000 and data == card.dg(13)[16:48]


def test_read_binary_without_current_ef_is_6986(citizen, pki):
    _, term = open_session(citizen, pki)
    assert term.send(0xB0, 0, 0, ne=16)[1] == 0x6986


def test_dg3_needs_terminal_authentication_and_dg11_is_absent(citizen, pki):
    _, term = open_session(citizen, pki)
    assert term.send(0xB0, 0x83, 0, ne=4)[1] == 0x6982
    assert term.send(0xB0, 0x8B, 0, ne=4)[1] == 0x6A82
    assert term.select_ef(0x010C) == 0x6A82
    assert term.sm is not None, "an error answer must not end the session"


def test_offset_beyond_end_and_short_tail(citizen, pki):
    card, term = open_session(citizen, pki)
    size = len(card.dg(1))
    term.select_ef(0x0101)
    assert term.send(0xB0, 0, size, ne=1)[1] == 0x6B00
    data, sw = term.send(0xB0, 0, size - 3, ne=10)
    assert sw == 0x6282 and data == card.dg(1)[-3:]


def test_le_256_under_bac_is_cut_to_what_a_short_response_carries(citizen, pki):
    card, term = open_session(citizen, pki)
    data, sw = term.send(0xB0, 0x82, 0, ne=256)
    assert sw == 0x9000 and data == card.dg(2)[:231]


def test_max_plain_read_answers_6cxx(citizen, pki):
    _, term = open_session(citizen, pki, max_plain_read=0xA0, oversize_answer="6C")
    assert term.send(0xB0, 0x82, 0, ne=0xE0)[1] == 0x6CA0
    data, sw = term.send(0xB0, 0x82, 0, ne=0xA0)
    assert sw == 0x9000 and len(data) == 0xA0


def test_max_plain_read_answers_6282_with_fewer_bytes(citizen, pki):
    _, term = open_session(citizen, pki, max_plain_read=100, oversize_answer="6282")
    data, sw = term.send(0xB0, 0x82, 0, ne=200)
    assert sw == 0x6282 and len(data) == 100


def test_extended_length_reads_dg2_in_one_command(citizen, pki):
    card, term = open_session(citizen, pki)
    size = len(card.dg(2))
    data, sw = term.send(0xB0, 0x82, 0, ne=size, extended=True)
    assert sw == 0x9000 and data == card.dg(2)


def test_short_apdu_only_refuses_extended_length_but_keeps_the_session(citizen, pki):
    card, term = open_session(citizen, pki, short_apdu_only=True)
    assert term.send(0xB0, 0x82, 0, ne=1000, extended=True)[1] == 0x6700
    assert term.read_file(1) == card.dg(1)


def test_dg_of_40_kb_reads_past_offset_32767_with_odd_ins(citizen, pki):
    card, term = open_session(citizen, pki, dg2_min_size=40_000)
    assert len(card.dg(2)) > 40_000
    assert term.read_file(2) == card.dg(2)


def test_mac_error_in_command_ends_the_session(citizen, pki):
    card, term = open_session(citizen, pki)
    apdu = bytearray(term.sm.wrap(read_binary(0, 4, sfi=1)))
    apdu[-3] ^= 0x01  # inside DO'8E'
    assert card.process(bytes(apdu)) == b"\x69\x88"
    assert not card.in_secure_messaging
    # Even a correctly formed command under the old keys is now refused.
    assert card.process(term.sm.wrap(read_binary(0, 4, sfi=1))) == b"\x69\x88"


def test_missing_mac_object_is_6987(citizen, pki):
    card, _ = open_session(citizen, pki)
    assert card.process(bytes.fromhex("0CB0810003970104")) == b"\x69\x87"


def test_plain_command_during_sm_ends_the_session(citizen, pki):
    card, term = open_session(citizen, pki)
    assert term.select_aid() == 0x9000
    assert not card.in_secure_messaging


def test_injected_response_mac_error_is_detected_by_the_terminal(citizen, pki):
    _, term = open_session(citizen, pki, mac_error_response=2)
    term.send(0xB0, 0x81, 0, ne=4)
    with pytest.raises(ChipError, match="MAC"):
        term.send(0xB0, 0x81, 4, ne=4)


def test_active_authentication_rsa_iso9796_2(citizen, pki):
    card, term = open_session(citizen, pki, aa_kind="rsa")
    challenge = bytes.fromhex("0123456789ABCDEF")
    signature = term.internal_authenticate(challenge)
    public = serialization.load_der_public_key(tlv.parse_tlv(card.dg(15))[1]).public_numbers()
    recovered = pow(int.from_bytes(signature, "big"), public.e, public.n).to_bytes(len(signature), "big")
    assert recovered[0] == 0x6A and recovered[-1] == 0xBC
    m1, digest = recovered[1:-21], recovered[-21:-1]
    assert hashlib.sha1(m1 + challenge).digest() == digest
    assert hashlib.sha1(m1 + bytes(8)).digest() != digest


def test_active_authentication_ecdsa_plain_signature(citizen, pki):
    card, term = open_session(citizen, pki, aa_kind="ecdsa", aa_curve="brainpoolP256r1")
    challenge = bytes.fromhex("1122334455667788")
    signature = term.internal_authenticate(challenge)
    assert len(signature) == 64
    public = serialization.load_der_public_key(tlv.parse_tlv(card.dg(15))[1])
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, challenge, ec.ECDSA(hashes.SHA256()))
    assert b"\x06\x06\x67\x81\x08\x01\x01\x05" in card.dg(14), "DG14 must carry ActiveAuthenticationInfo"


def test_no_aa_means_no_dg15(citizen, pki):
    card, term = open_session(citizen, pki, aa_kind=None)
    assert 0x010F not in card.files
    assert term.send(0xB0, 0x8F, 0, ne=4)[1] == 0x6A82


@pytest.mark.parametrize(("cipher", "curve"), [("aes128", "brainpoolP256r1"), ("3des", "p256")])
def test_chip_authentication_switches_keys(citizen, pki, cipher, curve):
    card, term = open_session(citizen, pki, ca_cipher=cipher, ca_curve=curve)
    old = (term.sm.cipher.ks_enc, term.sm.cipher.ks_mac)
    term.chip_authenticate(term.read_file(14))
    assert card.sm_cipher == ("aes" if cipher == "aes128" else "3des")
    # The reader checks the new keys with one READ BINARY of EF.COM: one exchange from SSC 0.
    assert term.sm.ssc == 2 and (term.sm.cipher.ks_enc, term.sm.cipher.ks_mac) != old
    assert term.read_file(1) == card.dg(1)
    assert term.read_file(2) == card.dg(2)


def test_chip_authentication_with_a_point_off_the_curve_is_refused(citizen, pki):
    card, term = open_session(citizen, pki, ca_cipher="3des")
    bad_point = b"\x04" + bytes(64)
    _, sw = term.send(0x22, 0x41, 0xA6, tlv.tlv(0x91, bad_point))
    assert sw == 0x6A80
    assert card.sm_cipher == "3des"


def test_remove_after_n_commands(citizen, pki):
    card, term = make(citizen, pki, remove_after=3)
    term.select_aid()
    term.get_challenge()
    term.get_challenge()
    with pytest.raises(LeftTheField):
        term.get_challenge()
    assert card.removed
    with pytest.raises(LeftTheField):
        card.power_on() and card.process(bytes.fromhex("0084000008"))


def test_power_on_discards_the_session(citizen, pki):
    card, term = open_session(citizen, pki)
    card.power_on()
    assert not card.in_secure_messaging
    assert card.process(term.sm.wrap(read_binary(0, 4, sfi=1))) == b"\x69\x88"


def test_card_access_absent_by_default_and_readable_without_bac_when_present(citizen, pki):
    card, term = make(citizen, pki)
    assert term.plain(bytes.fromhex("00A4020C02011C"))[1] == 0x6A82
    card, term = make(citizen, pki, card_access="pace")
    assert term.plain(bytes.fromhex("00A4020C02011C"))[1] == 0x9000
    data, sw = term.plain(bytes.fromhex("00B0000000"))
    assert sw == 0x9000 and data == card.files[0x011C]
    assert bytes.fromhex("060A04007F00070202040202") in data  # id-PACE-ECDH-GM-AES-CBC-CMAC-128
    data, sw = term.plain(bytes.fromhex("00B09C0000"))
    assert sw == 0x9000 and data == card.files[0x011C]
    # PACE with the MRZ password (reference 1) is accepted; a chip that only advertises it refuses.
    mse_pace = bytes.fromhex("0022C1A40F800A04007F00070202040202830101")
    assert term.plain(mse_pace)[1] == 0x9000
    _, refusing = make(citizen, pki, card_access="pace-refused")
    assert refusing.plain(mse_pace)[1] == 0x6A80


def test_empty_file(citizen, pki):
    _, term = open_session(citizen, pki, empty_dgs=(13,))
    data, sw = term.send(0xB0, 0x8D, 0, ne=4)
    assert data == b"" and sw == 0x6282


def test_slow_chip_delays_each_command(citizen, pki):
    import time

    card, term = make(citizen, pki, slow=0.05)
    start = time.monotonic()
    term.select_aid()
    term.get_challenge()
    assert time.monotonic() - start >= 0.1


def test_unknown_instruction_and_class(citizen, pki):
    card, term = make(citizen, pki)
    assert term.plain(bytes.fromhex("00CA000000"))[1] == 0x6D00
    assert term.plain(bytes.fromhex("A0A4040C07A0000002471001"))[1] == 0x6E00
