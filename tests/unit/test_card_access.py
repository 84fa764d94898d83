"""Which password opens which chip, in which order, and what the officer is told when none does
(ICAO 9303-11 §4.4: PACE password reference 01 = MRZ, 02 = CAN; BAC takes the MRZ only).

The chips: the CCCD as reported (PACE, CAN = the ID number's last six digits, BAC works); one
"written by someone else" from ICAO 9303-11 (a CAN of its own, PACE only, BAC refused); a BAC-only
chip; a chip that advertises PACE and refuses it. Each command the reader sends is recorded, so the
number of keys tried is counted, not assumed.
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.devices.icao.access import CanKey, CardKey
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.errors import AccessDenied, UnsupportedDocument
from kiosk.devices.vchip.card import ChipKeys, ChipOptions, InProcessConnection, VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.domain.key_entry import interpret

TODAY = date(2025, 6, 1)
CITIZEN = generate_citizen(21, today=TODAY, age=35)
OTHER_CAN = "918273" if CITIZEN.can != "918273" else "918274"
SMALL = {"dg2_size": 1000}
#: A chip written by someone else from ICAO 9303-11: its own CAN (printed on its face), PACE only.
FOREIGN = {"card_access": "pace", "can": OTHER_CAN, "bac_status": 0x6985}


class Recording(InProcessConnection):
    """The in-process connection to a virtual chip, recording the access commands."""

    def __init__(self, card: VirtualCard) -> None:
        super().__init__(card)
        self.sent: list[bytes] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        return super().transmit(apdu)

    @property
    def pace_passwords(self) -> list[str]:
        """The password references of every PACE run (MSE:Set AT C1A4), in order."""
        refs = {1: "MRZ", 2: "CAN"}
        return [refs[c[-1]] for c in self.sent if c[:4] == bytes.fromhex("0022C1A4")]

    @property
    def bac_runs(self) -> int:
        return sum(1 for c in self.sent if c[:2] == bytes.fromhex("0084"))  # GET CHALLENGE (plain)


@pytest.fixture(scope="module")
def pki() -> TestPKI:
    return TestPKI.generate()


@pytest.fixture(scope="module")
def keys() -> ChipKeys:
    return ChipKeys.generate(ChipOptions())


def connect(pki, keys, citizen=CITIZEN, **options) -> Recording:
    return Recording(VirtualCard(citizen, pki, ChipOptions(**{**SMALL, **options}), keys=keys))


def typed(citizen=CITIZEN, *, expiry: str | None = None) -> CardKey:
    """The ID number, birth and expiry as the officer types them in the key field."""
    exp = expiry or (citizen.expiry_date.strftime("%d/%m/%Y") if citizen.expiry_date else "không thời hạn")
    return CardKey.from_entry(interpret(f"{citizen.id_number} {citizen.birth_date:%d/%m/%Y} {exp}"))


def qr_of(citizen=CITIZEN) -> CardKey:
    text = (f"{citizen.id_number}||{citizen.full_name}|{citizen.birth_date:%d%m%Y}|{citizen.sex_vi}|"
            f"{citizen.place_of_residence}|{citizen.issue_date:%d%m%Y}")
    return CardKey.from_entry(interpret(text))


# The CCCD as reported
def test_typed_mrz_data_opens_with_pace_mrz_and_nothing_else_is_tried(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    result = read_and_verify(conn, typed(), None)
    assert result.verification.access == "PACE-MRZ"
    assert conn.pace_passwords == ["MRZ"] and conn.bac_runs == 0
    assert result.key_mismatch == () and result.key_source == "numbers"


def test_a_typed_can_opens_with_pace_can(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    result = read_and_verify(conn, CardKey.from_entry(interpret(CITIZEN.can)), None)
    assert result.verification.access == "PACE-CAN" and conn.pace_passwords == ["CAN"]


def test_the_hall_kiosks_six_digits_open_the_chip(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    assert read_and_verify(conn, CanKey(CITIZEN.can), None).verification.access == "PACE-CAN"


def test_a_wrong_can_is_access_denied_after_one_attempt(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    with pytest.raises(AccessDenied) as caught:
        read_and_verify(conn, CardKey.typed_can(OTHER_CAN), None)
    assert caught.value.check == "can"
    assert conn.pace_passwords == ["CAN"] and conn.bac_runs == 0


def test_a_wrong_typed_date_is_shown_after_the_guessed_can_opened_the_chip(pki, keys):
    """The typed key goes first; the guess comes once after it, and DG1 tells what was wrong."""
    conn = connect(pki, keys, card_access="pace")
    result = read_and_verify(conn, typed(expiry="01/01/2099"), None)
    assert conn.pace_passwords == ["MRZ", "CAN"] and conn.bac_runs == 0
    assert result.verification.access == "PACE-CAN"
    assert result.key_mismatch == ("expiry_date",)
    assert result.to_json()["key"] == {"source": "numbers", "opened_with": "PACE-CAN", "mismatch": ["expiry_date"]}


def test_the_cards_qr_code_opens_with_its_can_first(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    result = read_and_verify(conn, qr_of(), None)
    assert result.verification.access == "PACE-CAN" and conn.pace_passwords == ["CAN"]
    assert result.key_mismatch == () and result.key_source == "qr"


def test_an_id_number_alone_opens_with_the_guessed_can_and_is_compared_with_dg1(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    result = read_and_verify(conn, CardKey.from_entry(interpret(CITIZEN.id_number)), None)
    assert result.verification.access == "PACE-CAN" and result.key_mismatch == ()


# A chip written by someone else: its own CAN, PACE only
def test_foreign_chip_opens_with_the_typed_mrz_data(pki, keys):
    conn = connect(pki, keys, **FOREIGN)
    assert read_and_verify(conn, typed(), None).verification.access == "PACE-MRZ"
    assert conn.pace_passwords == ["MRZ"]


def test_foreign_chip_opens_with_the_can_printed_on_it(pki, keys):
    conn = connect(pki, keys, **FOREIGN)
    assert read_and_verify(conn, CardKey.typed_can(OTHER_CAN), None).verification.access == "PACE-CAN"


def test_foreign_chip_opens_from_the_qr_code_with_the_expiry_the_law_gives(pki, keys):
    """The guessed CAN is refused; the MRZ key with the computed expiry is the second and last key."""
    conn = connect(pki, keys, **FOREIGN)
    result = read_and_verify(conn, qr_of(), None)
    assert conn.pace_passwords == ["CAN", "MRZ"] and conn.bac_runs == 0
    assert result.verification.access == "PACE-MRZ"


def test_foreign_chip_with_wrong_dates_is_access_denied_never_card_removed(pki, keys):
    """The issue's case: PACE refused both keys, BAC is refused by the chip → access denied, two keys."""
    conn = connect(pki, keys, **FOREIGN)
    with pytest.raises(AccessDenied) as caught:
        read_and_verify(conn, typed(expiry="01/01/2099"), None)
    assert caught.value.check == "numbers"
    assert conn.pace_passwords == ["MRZ", "CAN"] and conn.bac_runs == 0


def test_foreign_chip_and_the_guessed_can_alone(pki, keys):
    conn = connect(pki, keys, **FOREIGN)
    with pytest.raises(AccessDenied) as caught:
        read_and_verify(conn, CardKey.from_entry(interpret(CITIZEN.id_number)), None)
    assert caught.value.check == "id" and conn.pace_passwords == ["CAN"]


@pytest.mark.parametrize("bac_status", [0x6985, 0x6D00, 0x6982, 0x6A82])
def test_refused_pace_then_refused_bac_is_access_denied(pki, keys, bac_status):
    conn = connect(pki, keys, card_access="pace-refused", bac_status=bac_status)
    with pytest.raises(AccessDenied) as caught:
        read_and_verify(conn, typed(), None)
    assert caught.value.check == "numbers"
    assert conn.bac_runs == 1  # the MRZ key once more, with BAC, since the chip would not run PACE


# BAC only, PACE refused, PACE with the MRZ only
@pytest.mark.parametrize("card_access", ["none", "ca"])
def test_bac_only_chip_opens_with_bac(pki, keys, card_access):
    conn = connect(pki, keys, card_access=card_access)
    assert read_and_verify(conn, typed(), None).verification.access == "BAC"
    assert conn.pace_passwords == [] and conn.bac_runs == 1


def test_bac_only_chip_and_the_qr_code_use_the_computed_expiry(pki, keys):
    conn = connect(pki, keys, card_access="none")
    assert read_and_verify(conn, qr_of(), None).verification.access == "BAC"


def test_bac_only_chip_cannot_take_a_can(pki, keys):
    conn = connect(pki, keys, card_access="none")
    with pytest.raises(AccessDenied) as caught:
        read_and_verify(conn, CardKey.typed_can(CITIZEN.can), None)
    assert caught.value.check == "can_needs_pace"
    assert conn.bac_runs == 0


def test_a_chip_that_refuses_pace_is_opened_with_bac(pki, keys, caplog):
    conn = connect(pki, keys, card_access="pace-refused")
    with caplog.at_level("WARNING", logger="kiosk.devices.icao.opening"):
        assert read_and_verify(conn, typed(), None).verification.access == "BAC"
    assert any("PACE refused" in r.getMessage() for r in caplog.records)
    assert CITIZEN.id_number not in caplog.text and CITIZEN.document_number not in caplog.text


def test_a_chip_that_takes_only_the_mrz_for_pace(pki, keys):
    conn = connect(pki, keys, card_access="pace", pace_passwords=("mrz",))
    result = read_and_verify(conn, qr_of(), None)
    assert conn.pace_passwords == ["CAN", "MRZ"] and result.verification.access == "PACE-MRZ"


def test_neither_pace_nor_bac_is_not_an_access_problem(pki, keys):
    conn = connect(pki, keys, card_access="none", bac_status=0x6D00)
    with pytest.raises(UnsupportedDocument):
        read_and_verify(conn, typed(), None)


# Never more than two keys; a restarted session uses the key that worked
@pytest.mark.parametrize("make_key", [typed, qr_of], ids=["typed", "qr"])
def test_never_more_than_two_keys_per_card(pki, keys, make_key):
    stranger = generate_citizen(22, today=TODAY, age=50)
    conn = connect(pki, keys, **FOREIGN)
    with pytest.raises(AccessDenied):
        read_and_verify(conn, make_key(stranger), None)
    assert len(conn.pace_passwords) + conn.bac_runs <= 2


def test_a_session_restart_reuses_the_key_that_opened_the_chip(pki, keys):
    conn = connect(pki, keys, card_access="pace", mac_error_response=3)
    result = read_and_verify(conn, typed(expiry="01/01/2099"), None)
    assert result.verification.access == "PACE-CAN"
    # MRZ refused once, the guess opened it, and the restart after the MAC error used the guess again.
    assert conn.pace_passwords == ["MRZ", "CAN", "CAN"]


def test_the_older_api_still_takes_mrz_data_alone(pki, keys):
    conn = connect(pki, keys, card_access="pace")
    key = AccessKey(CITIZEN.document_number, CITIZEN.birth_yymmdd, CITIZEN.expiry_yymmdd)
    assert read_and_verify(conn, key, None).verification.access == "PACE-MRZ"


@pytest.mark.parametrize(("make_key", "card_access", "opened"), [(typed, "pace", "PACE-MRZ"), (qr_of, "pace", "PACE-CAN"),
                                                                  (typed, "none", "BAC")])
def test_the_key_kept_for_the_next_card_is_the_one_password_that_opened_this_one(pki, keys, make_key,
                                                                                   card_access, opened):
    key = make_key()
    result = read_and_verify(connect(pki, keys, card_access=card_access), key, None)
    assert result.verification.access == opened
    kept = key.narrowed(opened)
    assert len(kept.attempts()) == 1 and kept.source == key.source
    # The same card opens again with it, the same way, in one attempt.
    again = connect(pki, keys, card_access=card_access)
    assert read_and_verify(again, kept, None).verification.access == opened
    assert len(again.pace_passwords) + again.bac_runs == 1
    # Another card costs one attempt, then the officer is asked.
    other = connect(pki, keys, generate_citizen(23, today=TODAY, age=40), card_access=card_access)
    with pytest.raises(AccessDenied):
        read_and_verify(other, kept, None)
    assert len(other.pace_passwords) + other.bac_runs == 1
