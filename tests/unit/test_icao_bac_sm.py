"""BAC and secure messaging pinned to the ICAO 9303-11 worked examples (Appendix D)."""

from __future__ import annotations

import pytest
from scripted_connection import ScriptedConnection, ScriptError

from kiosk.devices.icao import crypto
from kiosk.devices.icao.bac import AccessKey, BacProtocol
from kiosk.devices.icao.errors import AccessDenied, SecureMessagingError
from kiosk.devices.icao.sm import SecureMessaging, TdesCipher

# ICAO 9303-11 Appendix D.3 (BAC) and D.4 (secure messaging), values from docs/card.md.
KEY = AccessKey("L898902C", "690806", "940623")
RND_IC = bytes.fromhex("4608F91988702212")
RND_IFD = bytes.fromhex("781723860C06C226")
K_IFD = bytes.fromhex("0B795240CB7049B01C19B33E32804F0B")
E_IFD = "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
M_IFD = "5F1448EEA8AD90A7"
RESP_IC = "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449"
KS_ENC = bytes.fromhex("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = bytes.fromhex("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226


def scripted_rng(*chunks: bytes):
    queue = list(chunks)

    def rng(n: int) -> bytes:
        value = queue.pop(0)
        assert len(value) == n
        return value

    return rng


def test_mrz_information_and_seed_match_the_worked_example():
    assert KEY.mrz_information == "L898902C<369080619406236"
    assert KEY.seed.hex().upper() == "239AB9CB282DAF66231DC5A4DF6BFBAE"
    assert crypto.check_digit("L898902C<") == 3


def test_bac_worked_example_end_to_end():
    conn = ScriptedConnection(
        [
            ("0084000008", RND_IC.hex() + "9000"),
            ("0082000028" + E_IFD + M_IFD + "28", RESP_IC + "9000"),
        ]
    )
    result = BacProtocol(conn, scripted_rng(RND_IFD, K_IFD)).run(KEY)
    conn.assert_done()
    assert result.ks_enc == KS_ENC
    assert result.ks_mac == KS_MAC
    assert result.ssc == SSC


def test_bac_wrong_key_is_access_denied():
    wrong = AccessKey("L898902C", "690806", "940624")
    conn = ScriptedConnection([("0084000008", RND_IC.hex() + "9000"), (None, "6300")])
    with pytest.raises(AccessDenied) as info:
        BacProtocol(conn, scripted_rng(RND_IFD, K_IFD)).run(wrong)
    assert info.value.step == "BAC"


def test_bac_rejects_a_chip_answer_with_a_bad_mac():
    bad = RESP_IC[:-2] + "48"
    conn = ScriptedConnection([("0084000008", RND_IC.hex() + "9000"), (None, bad + "9000")])
    with pytest.raises(SecureMessagingError):
        BacProtocol(conn, scripted_rng(RND_IFD, K_IFD)).run(KEY)


def sm_worked_example_script():
    # ICAO 9303-11 Appendix D.4: SELECT EF.COM, READ BINARY 4 bytes, READ BINARY 18 bytes.
    return ScriptedConnection(
        [
            ("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8ED9000"),
            ("0CB000000D9701048E08ED6705417E96BA5500",
             "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"),
            ("0CB000040D9701128E082EA28A70F3C7B53500",
             "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000"),
        ]
    )


def test_secure_messaging_worked_example():
    conn = sm_worked_example_script()
    sm = SecureMessaging(conn, TdesCipher(KS_ENC, KS_MAC), SSC)
    assert sm.transmit(bytes.fromhex("00A4020C02011E")) == (b"", 0x9000)
    head, sw = sm.transmit(bytes.fromhex("00B0000004"))
    assert (head.hex().upper(), sw) == ("60145F01", 0x9000)
    rest, sw = sm.transmit(bytes.fromhex("00B0000412"))
    assert sw == 0x9000
    assert (head + rest).hex().upper() == "60145F0104303130365F36063034303030305C026175"
    conn.assert_done()


def test_secure_messaging_mac_failure_ends_the_session():
    conn = ScriptedConnection(
        [("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "990290008E08FA855A5D4C50A8EE9000")]
    )
    sm = SecureMessaging(conn, TdesCipher(KS_ENC, KS_MAC), SSC)
    with pytest.raises(SecureMessagingError):
        sm.transmit(bytes.fromhex("00A4020C02011E"))
    assert sm.broken
    with pytest.raises(SecureMessagingError):
        sm.transmit(bytes.fromhex("00B0000004"))


def test_secure_messaging_refuses_a_plain_9000():
    conn = ScriptedConnection([(None, "9000")])
    sm = SecureMessaging(conn, TdesCipher(KS_ENC, KS_MAC), SSC)
    with pytest.raises(SecureMessagingError):
        sm.transmit(bytes.fromhex("00B0000004"))


def test_plain_error_status_is_passed_on_and_marks_desync():
    conn = ScriptedConnection([(None, "6A82")])
    sm = SecureMessaging(conn, TdesCipher(KS_ENC, KS_MAC), SSC)
    assert sm.transmit(bytes.fromhex("00B0810004")) == (b"", 0x6A82)
    assert sm.desynchronised


def test_scripted_connection_fails_loudly():
    conn = ScriptedConnection([("00A4040C07A0000002471001", "9000")])
    with pytest.raises(ScriptError):
        conn.transmit(bytes.fromhex("00A4040C07A0000002471002"))
    with pytest.raises(ScriptError):
        conn.transmit(bytes.fromhex("00A4040C07A0000002471001"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("001090012345", "900815", "300815"), ("090012345", "900815", "300815")),
        (("0010 9001 2345", "900815", None), ("090012345", "900815", "991231")),
        (("C03000123", "900815", "300815"), ("C03000123", "900815", "300815")),
    ],
)
def test_access_key_from_document_number(args, expected):
    key = AccessKey.from_document_number(*args)
    assert (key.document_number, key.birth_date, key.expiry_date) == expected
    assert "0900" not in repr(key)


def test_access_key_from_td1_mrz():
    mrz = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"
    key = AccessKey.from_mrz(mrz)
    assert (key.document_number, key.birth_date, key.expiry_date) == ("D23145890", "740812", "120415")
    with pytest.raises(ValueError):
        AccessKey.from_mrz("not an mrz")
