"""Account request rules without I/O: age and level (Decree 69/2024 Art. 7), guardian link, phone, e-mail, machine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kiosk.devices.vchip.citizen import generate_child_of
from kiosk.domain import account as acc
from kiosk.domain.account import Status
from kiosk.domain.dossier import ChipSnapshot
from tests.dossier_samples import TODAY, person, snapshot


def birthday(years: int, on: date) -> date:
    return acc.birthday_in(on.year - years, on)


@pytest.mark.parametrize(("age", "levels", "guardian", "child_consents"), [
    (14, (1, 2), False, True), (13, (1, 2), True, True), (6, (1, 2), True, False), (5, (1,), True, False),
    (7, (1, 2), True, True), (0, (1,), True, False), (40, (1, 2), False, True),
])
def test_eligibility_on_the_birthday_and_the_day_before(age, levels, guardian, child_consents) -> None:
    born = date(2012, 6, 15).replace(year=TODAY.year - age)
    on_birthday = born.replace(year=born.year + age)
    got = acc.eligibility(born, on_birthday)
    assert (got.age, got.levels, got.needs_guardian, got.child_consents) == (age, levels, guardian, child_consents)
    if age:
        before = acc.eligibility(born, on_birthday - timedelta(days=1))
        assert before.age == age - 1


def test_the_sixth_and_fourteenth_birthdays_change_what_is_allowed() -> None:
    born = date(2012, 3, 10)
    assert acc.eligibility(born, date(2018, 3, 9)).levels == (1,)
    assert acc.eligibility(born, date(2018, 3, 10)).levels == (1, 2)
    assert acc.eligibility(born, date(2026, 3, 9)).needs_guardian
    assert not acc.eligibility(born, date(2026, 3, 10)).needs_guardian


def test_a_29_february_birthday_falls_on_28_february_in_common_years() -> None:
    born = date(2012, 2, 29)
    assert acc.age_on(born, date(2026, 2, 27)) == 13
    assert acc.age_on(born, date(2026, 2, 28)) == 14  # Civil Code 2015 Art. 148: last day of the month
    assert acc.age_on(born, date(2028, 2, 28)) == 15  # a leap year has the day itself
    assert acc.age_on(born, date(2028, 2, 29)) == 16
    born6 = date(2020, 2, 29)
    assert acc.eligibility(born6, date(2026, 2, 27)).levels == (1,)
    assert acc.eligibility(born6, date(2026, 2, 28)).levels == (1, 2)


def test_level_two_is_refused_under_six_on_a_failed_chip_and_on_an_expired_card() -> None:
    small = ChipSnapshot.parse(snapshot(person(11, age=5)))
    _elig, issues = acc.check_person(small, 2, TODAY)
    assert [i.field for i in issues] == ["level"] and "chỉ được cấp tài khoản mức 1" in issues[0].message_vi
    assert acc.check_person(small, 1, TODAY)[1] == []
    forged = ChipSnapshot.parse(snapshot(person(12, age=30), passive="failed"))
    assert "xác thực thụ động" in acc.check_person(forged, 1, TODAY)[1][0].message_vi
    adult = ChipSnapshot.parse(snapshot(person(13, age=30)))
    expiry = acc.parse_chip_date(adult.personal["expiry_date"])
    assert acc.check_person(adult, 2, expiry)[1] == []
    expired = acc.check_person(adult, 2, expiry + timedelta(days=1))[1]
    assert [i.field for i in expired] == ["citizen"] and "hết hạn" in expired[0].message_vi
    # Decree 69/2024/NĐ-CP Art. 7: "Công dân Việt Nam từ đủ 14 tuổi trở lên đã có thẻ Căn cước công dân/thẻ
    # Căn cước còn hiệu lực được cấp tài khoản định danh điện tử mức độ 01, mức độ 02": level 1 too.
    level1 = acc.check_person(adult, 1, expiry + timedelta(days=1))[1]
    assert [i.field for i in level1] == ["citizen"] and "mức 1" in level1[0].message_vi


@pytest.mark.parametrize("raw", ["0912345678", "+84 912 345 678", "84912345678", "091.234.5678", " 0912-345-678 "])
def test_phone_numbers_are_normalised(raw) -> None:
    assert acc.check_phone(raw) == ("0912345678", [])


@pytest.mark.parametrize("raw", ["091234567", "09123456789", "0212345678", "+1 912 345 678", "abc", ""])
def test_phone_numbers_that_are_not_vietnamese_mobiles_are_refused(raw) -> None:
    number, issues = acc.check_phone(raw)
    assert number is None and [i.field for i in issues] == ["phone"]


@pytest.mark.parametrize(("raw", "ok"), [("an.nguyen@example.vn", True), ("A@Mail.Gov.VN", True), ("a@b", False),
                                         ("a b@example.vn", False), ("a@@example.vn", False), ("a..b@example.vn", False),
                                         ("@example.vn", False), (None, True), ("", True)])
def test_email_must_be_well_formed(raw, ok) -> None:
    assert (acc.check_email(raw)[1] == []) is ok


def test_guardian_cases_father_mother_guardian() -> None:
    mother = person(21, age=34, sex="F")
    child = ChipSnapshot.parse(snapshot(generate_child_of(mother, 10, seed=22, today=TODAY)))
    elig = acc.eligibility(acc.parse_chip_date(child.birth_date), TODAY)
    mum = ChipSnapshot.parse(snapshot(mother))
    assert acc.check_guardian(child, mum, "mother", elig, TODAY) == []
    father = ChipSnapshot.parse(snapshot(person(23, age=36, sex="M")))
    issues = acc.check_guardian(child, father, "father", elig, TODAY)
    assert [(i.field, i.severity) for i in issues] == [("relationship", "warning")]
    assert "khác họ tên" in issues[0].message_vi
    assert acc.check_guardian(child, father, "guardian", elig, TODAY) == []
    wrong_sex = acc.check_guardian(child, mum, "father", elig, TODAY)
    assert {i.severity for i in wrong_sex} == {"warning"} and len(wrong_sex) == 2


def test_a_minor_cannot_be_the_guardian_and_a_child_needs_one() -> None:
    child = ChipSnapshot.parse(snapshot(person(31, age=8)))
    elig = acc.eligibility(acc.parse_chip_date(child.birth_date), TODAY)
    teen = ChipSnapshot.parse(snapshot(person(32, age=17)))
    issues = acc.check_guardian(child, teen, "guardian", elig, TODAY)
    assert [i.field for i in issues] == ["guardian"] and "17 tuổi" in issues[0].message_vi
    missing = acc.check_guardian(child, None, None, elig, TODAY)
    assert [i.field for i in missing] == ["guardian"]
    assert acc.check_guardian(child, child, "guardian", elig, TODAY)[0].message_vi.startswith("Thẻ của người giám hộ")


def test_consent_is_needed_from_the_child_of_seven_and_the_representative() -> None:
    born7 = TODAY.replace(year=TODAY.year - 7)
    assert acc.consent_needed_from(acc.eligibility(born7, TODAY), True) == ("holder", "guardian")
    assert acc.consent_needed_from(acc.eligibility(born7, TODAY - timedelta(days=1)), True) == ("guardian",)
    assert acc.consent_needed_from(acc.eligibility(date(1990, 1, 1), TODAY), False) == ("holder",)
    issues = acc.check_consent(["guardian"], ("holder", "guardian"), "2026.1", "2026.1")
    assert [i.field for i in issues] == ["consent.holder"]
    assert acc.check_consent(["holder"], ("holder",), "2025.9", "2026.1")[0].field == "consent"


def test_status_machine_sides_and_history_replay() -> None:
    acc.check_transition(Status.SUBMITTED, Status.ACTIVATED, "hub")
    with pytest.raises(acc.TransitionError) as exc:
        acc.check_transition(Status.SUBMITTED, Status.ACTIVATED, "kiosk")
    assert exc.value.reason == "wrong_side"
    with pytest.raises(acc.TransitionError) as exc:
        acc.check_transition(Status.SUBMITTED, Status.REJECTED, "hub", " ")
    assert exc.value.reason == "note_required"
    with pytest.raises(acc.TransitionError):
        acc.check_transition(Status.ACTIVATED, Status.WITHDRAWN, "kiosk")
    h = [acc.HistoryEntry(1, "t1", "a", None, Status.SUBMITTED),
         acc.HistoryEntry(2, "t2", "hub", Status.SUBMITTED, Status.REJECTED, "sai ảnh", "hub")]
    assert acc.replay(h) is Status.REJECTED
    with pytest.raises(ValueError):
        acc.replay([*h, acc.HistoryEntry(3, "t3", "a", Status.REJECTED, Status.ACTIVATED)])
