"""Generated citizens: ID-number structure, renewal-age expiry, MRZ, determinism, children."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.devices.icao.crypto import check_digit
from kiosk.devices.vchip.citizen import (
    PROVINCES,
    age_on,
    ascii_fold,
    generate_child_of,
    generate_citizen,
    id_number_for,
)
from kiosk.devices.vchip.lds import td1_mrz

TODAY = date(2025, 6, 1)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_id_number_is_consistent_with_province_century_sex_and_year(seed):
    c = generate_citizen(seed, today=TODAY)
    assert len(c.id_number) == 12 and c.id_number.isdigit()
    assert c.id_number[:3] in PROVINCES
    century_sex = int(c.id_number[3])
    assert century_sex == 2 * (c.birth_date.year // 100 - 19) + (c.sex == "F")
    assert c.id_number[4:6] == f"{c.birth_date.year % 100:02d}"
    assert c.document_number == c.id_number[3:]


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_card_is_valid_today_and_expires_on_a_birthday(seed):
    c = generate_citizen(seed, today=TODAY)
    assert c.issue_date <= TODAY
    if c.expiry_date is not None:
        assert c.expiry_date > TODAY
        assert (c.expiry_date.month, c.expiry_date.day) == (c.birth_date.month, c.birth_date.day) or (
            c.birth_date.month, c.birth_date.day, c.expiry_date.day) == (2, 29, 28)
        assert age_on(c.birth_date, c.expiry_date) in (14, 25, 40, 60)
    else:
        assert c.expiry_yymmdd == "991231"


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_mrz_check_digits_and_layout(seed):
    c = generate_citizen(seed, today=TODAY)
    mrz = td1_mrz(c)
    l1, l2, l3 = mrz[:30], mrz[30:60], mrz[60:]
    assert l1[:5] == "IDVNM" and l1[5:14] == c.id_number[-9:]
    assert int(l1[14]) == check_digit(l1[5:14])
    assert l1[15:27] == c.id_number and int(l1[29]) == check_digit(c.id_number)
    assert l2[:6] == c.birth_yymmdd and int(l2[6]) == check_digit(l2[:6])
    assert l2[7] == c.sex and l2[8:14] == c.expiry_yymmdd and int(l2[14]) == check_digit(l2[8:14])
    assert l2[15:18] == "VNM"
    assert int(l2[29]) == check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    assert l3.startswith(ascii_fold(c.surname).upper() + "<<")
    assert all(ch.isupper() or ch.isdigit() or ch == "<" for ch in mrz)


def test_id_number_for_2000s_female():
    assert id_number_for("001", date(2003, 1, 2), "F", 42) == "001303000042"


def test_generation_is_deterministic_and_seeds_differ():
    assert generate_citizen(5, today=TODAY) == generate_citizen(5, today=TODAY)
    assert generate_citizen(5, today=TODAY).id_number != generate_citizen(6, today=TODAY).id_number


def test_some_residences_need_long_form_lengths():
    long_ones = [generate_citizen(s, today=TODAY, long_residence=True).place_of_residence for s in range(5)]
    assert all(len(r.encode()) > 127 for r in long_ones)


def test_no_expiry_holder():
    c = generate_citizen(3, today=TODAY, no_expiry=True)
    assert c.expiry_date is None and c.expiry_yymmdd == "991231"


def test_child_of_a_parent():
    mother = generate_citizen(21, today=TODAY, sex="F", age=35)
    child = generate_child_of(mother, age=5, seed=4, today=TODAY)
    assert age_on(child.birth_date, TODAY) == 5
    assert child.mother_name == mother.full_name
    assert child.spouse_name is None and child.old_id_number is None
    assert int(child.id_number[3]) in (2, 3)
    father = generate_citizen(22, today=TODAY, sex="M", age=40)
    son = generate_child_of(father, age=10, seed=1, today=TODAY)
    assert son.father_name == father.full_name and son.surname == father.surname


def test_chosen_birth_date_and_parents():
    c = generate_citizen(1, today=TODAY, birth_date=date(2015, 9, 2), father_name="Lê Văn Hùng",
                         mother_name="Phạm Thị Lan")
    assert c.birth_date == date(2015, 9, 2) and c.surname == "Lê"
    assert (c.father_name, c.mother_name) == ("Lê Văn Hùng", "Phạm Thị Lan")
    assert c.id_number[3:6] in ("215", "315")
    assert c.expiry_date == date(2029, 9, 2)


def test_ascii_fold_handles_d_with_stroke():
    assert ascii_fold("Đặng Thị Ngọc Ánh") == "Dang Thi Ngoc Anh"
