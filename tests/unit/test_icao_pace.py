"""PACE-ECDH-GM-AES-128 on brainpoolP256r1, reader and virtual chip, pinned to the ICAO 9303-11
worked example (Appendix G.1), then run against each other with the CCCD's CAN."""

from __future__ import annotations

import pytest
from scripted_connection import ScriptedConnection

from kiosk.devices.icao import crypto
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.ec import Curve
from kiosk.devices.icao.lds.security_infos import parse_card_access
from kiosk.devices.icao.pace import PacePassword, PaceProtocol
from kiosk.devices.vchip.card import ChipOptions, InProcessConnection, VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI

MRZ_KEY = AccessKey("T22000129", "640812", "101031")
K_PI = "89DED1B26624EC1E634C1989302849DD"
NONCE = "3F00C4D39D153F2B2A214A078D899B22"
SK_MAP_IFD = "7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"
SK_MAP_IC = "498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560"
SK_IFD = "A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"
SK_IC = "107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"
CARD_ACCESS = "31143012060A04007F0007020204020202010202010D"
EXCHANGES = [
    ("0022C1A40F800A04007F00070202040202830101", "9000"),
    ("10860000027C0000", "7C12801095A3A016522EE98D01E76CB6B98B42C39000"),
    ("10860000457C438141047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E"
     "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D00",
     "7C43824104824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57"
     "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C549000"),
    ("10860000457C438341042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C"
     "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB3646200",
     "7C438441049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB"
     "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F0949000"),
    ("008600000C7C0A8508C2B0BD78D94BA86600", "7C0A86083ABB9674BCE93C089000"),
]
KS_ENC = "F5F0E35C0D7161EE6724EE513A0D9A7F"
KS_MAC = "FE251C7858B356B24514B3BD5F4297D1"


def scripted(*chunks: str):
    queue = [bytes.fromhex(c) for c in chunks]

    def rng(n: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == n, f"asked for {n} random bytes, the script has {len(value)}"
        return value

    return rng


def test_password_key_and_nonce_of_the_worked_example():
    assert MRZ_KEY.mrz_information == "T22000129364081251010318"
    k_pi = PacePassword.mrz(MRZ_KEY).key()
    assert k_pi.hex().upper() == K_PI
    assert crypto.aes_decrypt(k_pi, bytes.fromhex("95A3A016522EE98D01E76CB6B98B42C3")).hex().upper() == NONCE


def test_generic_mapping_points_of_the_worked_example():
    curve = Curve.standard(13)
    chip_map = curve.multiply(int(SK_MAP_IC, 16), curve.g)
    h = curve.multiply(int(SK_MAP_IFD, 16), chip_map)
    assert h == (0x60332EF2450B5D247EF6D3868397D398852ED6E8CAF6FFEEF6BF85CA57057FD5,
                 0x0840CA7415BAF3E43BD414D35AA4608B93A2CAF3A4E3EA4E82C9C13D03EB7181)
    mapped = curve.add(curve.multiply(int(NONCE, 16), curve.g), h)
    assert mapped == (0x8CED63C91426D4F0EB1435E7CB1D74A46723A0AF21C89634F65A9AE87A9265E2,
                      0x8C879506743F8611AC33645C5B985C80B5F09A0B83407C1B6A4D857AE76FE522)


def test_reader_sends_the_worked_example():
    conn = ScriptedConnection(EXCHANGES)
    info = parse_card_access(bytes.fromhex(CARD_ACCESS)).pace_infos[0]
    result = PaceProtocol(conn, scripted(SK_MAP_IFD, SK_IFD)).run(info, PacePassword.mrz(MRZ_KEY))
    conn.assert_done()
    assert (result.ks_enc.hex().upper(), result.ks_mac.hex().upper()) == (KS_ENC, KS_MAC)
    assert result.sm.ssc == 0


def test_chip_answers_the_worked_example():
    card = VirtualCard(generate_citizen(1), TestPKI.generate(), ChipOptions(card_access="pace", dg2_size=1000),
                       rng=scripted(NONCE, SK_MAP_IC, SK_IC), bac_key=("T22000129", "640812", "101031"))
    card.power_on()
    assert card.files[0x011C].endswith(bytes.fromhex(CARD_ACCESS)[2:])
    for command, response in EXCHANGES:
        assert card.process(bytes.fromhex(command)).hex().upper() == response
    assert card.in_secure_messaging and card.sm_cipher == "aes"


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate()


def key_of(citizen) -> AccessKey:
    return AccessKey(citizen.document_number, citizen.birth_yymmdd, citizen.expiry_yymmdd)


def test_read_opens_with_pace_and_the_mrz_data_given(pki, tmp_path):
    citizen = generate_citizen(2)
    card = VirtualCard(citizen, pki, ChipOptions(card_access="pace", dg2_size=1000))
    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    from kiosk.devices.icao.passive import TrustStore

    result = read_and_verify(InProcessConnection(card), key_of(citizen), TrustStore.load([tmp_path]))
    v = result.verification
    assert (v.access, v.passive, v.active, v.chip) == ("PACE-MRZ", "chain_verified", "verified", "verified")
    assert key_of(citizen).can == citizen.id_number[-6:]


@pytest.mark.parametrize("card_access", ["pace-refused", "none", "ca"])
def test_bac_when_pace_is_not_offered_or_refused(pki, card_access):
    citizen = generate_citizen(3)
    card = VirtualCard(citizen, pki, ChipOptions(card_access=card_access, dg2_size=1000))
    assert read_and_verify(InProcessConnection(card), key_of(citizen), None).verification.access == "BAC"


def test_the_mrz_data_given_opens_a_chip_whose_can_is_not_the_guess(pki):
    """docs/card.md: the CAN rule is likely, not certain; the MRZ password (reference 01) does not depend on it."""
    citizen = generate_citizen(4)
    card = VirtualCard(citizen, pki, ChipOptions(card_access="pace", can="000001", bac_status=0x6985, dg2_size=1000))
    result = read_and_verify(InProcessConnection(card), key_of(citizen), None)
    assert result.verification.access == "PACE-MRZ"


def test_a_wrong_password_is_refused_by_the_chip(pki):
    citizen = generate_citizen(6)
    card = VirtualCard(citizen, pki, ChipOptions(card_access="pace", dg2_size=1000))
    conn = InProcessConnection(card)
    info = parse_card_access(card.files[0x011C]).pace_infos[0]
    from kiosk.devices.icao.errors import AccessDenied

    with pytest.raises(AccessDenied):
        PaceProtocol(conn).run(info, PacePassword.can("000000" if citizen.can != "000000" else "111111"))
    assert not card.in_secure_messaging


def test_pace_read_spends_one_command_on_card_access_and_one_to_confirm_chip_authentication(pki, tmp_path):
    """EF.CardAccess (outside secure messaging, a few hundred bytes) is read whole at once; after chip
    authentication one READ BINARY under the new keys proves them, no second read of EF.COM."""
    from kiosk.devices.icao.passive import TrustStore

    citizen = generate_citizen(4)
    card = VirtualCard(citizen, pki, ChipOptions(card_access="pace", dg2_size=1000))
    commands: list[bytes] = []

    class Tracing(InProcessConnection):
        def transmit(self, apdu: bytes) -> tuple[bytes, int]:
            commands.append(apdu)
            return super().transmit(apdu)

    (tmp_path / "csca.pem").write_bytes(pki.csca_pem())
    result = read_and_verify(Tracing(card), key_of(citizen), TrustStore.load([tmp_path]))
    assert (result.verification.chip, result.verification.active) == ("verified", "verified")
    plain_reads = [c for c in commands if c[:2] == b"\x00\xb0"]
    assert plain_reads == [commands[0]] and commands[0][2] == 0x9C  # EF.CardAccess by SFI, once
    chip_auth = next(i for i, c in enumerate(commands) if c[:4] == b"\x0c\x22\x41\xa4")
    after = commands[chip_auth + 2:]  # MSE:Set AT, GENERAL AUTHENTICATE, then …
    assert after[0][:3] == b"\x0c\xb0\x9e"  # one READ BINARY of EF.COM's first bytes
    assert after[1][1] == 0x88 and len(after) == 2  # … and active authentication
    assert result.apdu_count == len(commands)


def test_a_programming_error_during_pace_is_raised_not_hidden_behind_bac(pki, monkeypatch):
    """A bug must surface as an error, never as "the chip refused PACE"."""
    citizen = generate_citizen(9)
    card = VirtualCard(citizen, pki, ChipOptions(card_access="pace", dg2_size=1000))

    def broken(self, data):
        raise TypeError("a bug in point decoding")

    monkeypatch.setattr(Curve, "decode", broken)
    with pytest.raises(TypeError):
        read_and_verify(InProcessConnection(card), key_of(citizen), None)
