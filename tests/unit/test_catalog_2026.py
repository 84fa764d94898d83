"""The 25 services as a ward officer knows them in 2026: each table row is (case, received date, people)
→ fee, exemption, form, appointment date, with the expected values written from the law's or the national
portal's own words (quoted beside each table), never read back from the catalog files.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.domain.catalog import check_eligibility, validate_form
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def calendar():
    return CalendarService().calendar


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm)


def errors(service, form, on):
    return {e.field for e in validate_form(service, form, on)}


def blocks(service, form, on, province=None):
    return [i.rule for i in check_eligibility(service, form, on, province) if i.severity == "block"]


# #2 identity card.
# Circular 73/2024/TT-BTC Art. 4(1): "a) Cấp đổi thẻ căn cước công dân sang thẻ căn cước ...: 30.000 đồng/thẻ
# căn cước; b) Cấp đổi thẻ căn cước đối với các trường hợp quy định tại khoản 1 Điều 24 Luật Căn cước: 50.000
# đồng/thẻ căn cước; c) Cấp lại thẻ căn cước ...: 70.000 đồng/thẻ căn cước."
# Circular 64/2025/TT-BTC Art. 1: "kể từ ngày 01/7/2025 đến hết ngày 31/12/2026, mức thu lệ phí cấp đổi, cấp lại
# thẻ căn cước bằng 50% mức thu lệ phí quy định tại Điều 4 Thông tư 73/2024/TT-BTC".
# Identity Law 2023 Art. 26: the card is issued within 7 working days.
ADULT = "1990-05-04"
CARD = [
    ("reissue lost, before the halving", {"request_kind": "reissue", "reissue_case": "lost"}, at(2025, 6, 30), 70000, None),
    ("reissue lost, first day of the halving", {"request_kind": "reissue", "reissue_case": "lost"}, at(2025, 7, 1), 35000, None),
    ("exchange on request, Fri 2/1/2026 (a day off)", {"request_kind": "exchange", "exchange_case": "on_request"},
     at(2026, 1, 2), 25000, None),
    ("old card to the new card, Sat 10/1/2026 (worked)", {"request_kind": "exchange", "exchange_case": "old_cccd_to_new"},
     at(2026, 1, 10), 15000, None),
    ("last day of the halving", {"request_kind": "reissue", "reissue_case": "damaged"}, at(2026, 12, 31), 35000, None),
    ("after the halving", {"request_kind": "exchange", "exchange_case": "wrong_data"}, at(2027, 1, 4), 50000, None),
    ("exchange for the 2025 merger of units", {"request_kind": "exchange", "exchange_case": "admin_unit_changed"},
     at(2026, 3, 2), 0, "admin_unit_changed"),
    ("poor household", {"request_kind": "reissue", "reissue_case": "lost", "fee_exemption": "poor_household"},
     at(2026, 3, 2), 0, "poor_household"),
]


@pytest.mark.parametrize(("case", "form", "received", "fee", "exemption"), CARD, ids=[c[0] for c in CARD])
def test_identity_card_fee_by_received_date(catalog, case, form, received, fee, exemption) -> None:
    quote = catalog.get(2).fee_quote(form | {"applicant_birth_date": ADULT}, on=received.date())
    assert quote.total == fee
    assert (quote.exemption.id if quote.exemption else None) == exemption


def test_identity_card_forms_code_and_appointment(catalog, calendar) -> None:
    s = catalog.get(2)
    assert s.notice_form("receipt").code == "CC02" and s.notice_form("refusal").code == "CC03"
    assert s.notice_form("supplement").code == "Mẫu 02"  # the sector has none: the one-stop form
    assert s.procedure_code({"request_kind": "exchange"}).code == "2.001195"
    assert s.procedure_code({"request_kind": "reissue"}).code == "2.001194"
    # Received Wed 31/12/2025: 1/1 holiday, Fri 2/1 swapped off → Mon 5/1 (1) … Fri 9/1 (5), Sat 10/1 worked (6),
    # Mon 12/1 (7).
    assert s.due_date(calendar, at(2025, 12, 31), {"request_kind": "reissue"}) == date(2026, 1, 12)


def test_identity_card_biometrics_follow_age_and_case(catalog) -> None:
    # Identity Law 2023: biometrics (face, fingerprints, iris) from age 6; a lost or damaged card reuses them.
    s = catalog.get(2)
    base = {"applicant_full_name": "Trần Thị Cúc", "applicant_id_number": "001190012345", "applicant_birth_date": ADULT,
            "applicant_sex": "female", "applicant_residence": "Số 1 phố Huế, Hà Nội", "applicant_phone": "0912345678",
            "request_kind": "exchange", "exchange_case": "on_request", "result_delivery": "counter"}
    on = date(2026, 3, 2)
    assert {"portrait_captured", "fingerprints_captured", "iris_captured"} <= errors(s, base, on)
    lost = base | {"request_kind": "reissue", "reissue_case": "lost"}
    assert not {"portrait_captured", "fingerprints_captured", "iris_captured"} & errors(s, lost, on)
    child = base | {"applicant_birth_date": "2021-06-01", "applicant_id_number": "001321012345"}
    assert not {"portrait_captured", "fingerprints_captured", "iris_captured"} & errors(s, child, on)
    rep = s.person("representative")
    assert rep.needed(child, on) and not rep.needed(base, on)


# #3, #4 residence.
# Circular 75/2022/TT-BTC, schedule: "Đăng ký thường trú — Đồng/lần đăng ký — 20.000 (trực tiếp) — 10.000
# (trực tuyến)"; "Đăng ký tạm trú, gia hạn tạm trú (cá nhân, hộ gia đình) — Đồng/lần đăng ký — 15.000 / 7.000";
# "Đăng ký tạm trú theo danh sách — Đồng/người/lần đăng ký — 10.000 / 5.000".
# Procedure 1.004222: "Trong thời hạn 07 ngày làm việc"; 1.004194: "thời hạn 03 ngày làm việc"; receipt "Mẫu CT04".
RESIDENCE = [
    # (service, case, form, received, people, online, fee, exemption, due)
    (3, "family of three, one registration", {"fee_exemption": "none"}, at(2026, 3, 2), 3, False, 20000, None,
     date(2026, 3, 11)),
    (3, "online", {"fee_exemption": "none"}, at(2026, 3, 2), 1, True, 10000, None, date(2026, 3, 11)),
    (3, "aged 60: the elderly are exempt", {"fee_exemption": "none", "applicant_birth_date": "1965-01-01"},
     at(2026, 3, 2), 1, False, 0, "elderly", date(2026, 3, 11)),
    (3, "border commune", {"fee_exemption": "border_island"}, at(2026, 3, 2), 1, False, 0, "border_island",
     date(2026, 3, 11)),
    (4, "household, one registration", {"by_list": False, "fee_exemption": "none"}, at(2026, 1, 2), 4, False, 15000,
     None, date(2026, 1, 8)),
    (4, "by list, 12 people online", {"by_list": True, "list_count": 12, "fee_exemption": "none"}, at(2026, 1, 10), 1,
     True, 60000, None, date(2026, 1, 14)),
]


@pytest.mark.parametrize(("number", "case", "form", "received", "people", "online", "fee", "exemption", "due"),
                         RESIDENCE, ids=[r[1] for r in RESIDENCE])
def test_residence_fee_exemption_form_and_appointment(catalog, calendar, number, case, form, received, people, online,
                                                      fee, exemption, due) -> None:
    s = catalog.get(number)
    form = {"applicant_birth_date": "1990-05-04"} | form
    quote = s.fee_quote(form, online=online, on=received.date(), people=people)
    assert quote.total == fee
    assert (quote.exemption.id if quote.exemption else None) == exemption
    assert s.notice_form("receipt").code == "CT04"
    assert s.notice_form("supplement").code == "CT05" and s.notice_form("refusal").code == "CT06"
    assert s.due_date(calendar, received, form) == due


def test_floor_area_follows_the_province(catalog) -> None:
    # Residence Law 2020 Art. 20(3)(b): "không thấp hơn 08 m2 sàn/người" unless the province sets more.
    s = catalog.get(3)
    form = {"case": "rented_borrowed", "floor_area_per_person": 9}
    assert blocks(s, form, date(2026, 3, 2)) == []
    assert blocks(s, form, date(2026, 3, 2), {"min_floor_area_m2": 15}) == ["min_floor_area"]
    issue = check_eligibility(s, form | {"floor_area_per_person": 7}, date(2026, 3, 2))[0]
    assert "8 m²" in issue.message_vi


def test_a_minor_needs_the_parent_or_guardian(catalog) -> None:
    # CT01 note (5): the opinion of the parent or guardian for "người chưa thành niên, người hạn chế hành vi dân sự,
    # người không đủ năng lực hành vi dân sự".
    for number in (3, 4, 5):
        guardian = catalog.get(number).person("guardian")
        assert guardian.needed({"applicant_birth_date": "2010-01-01"}, date(2026, 3, 2))
        assert not guardian.needed({"applicant_birth_date": "2000-01-01", "under_guardianship": False}, date(2026, 3, 2))
        assert guardian.needed({"applicant_birth_date": "2000-01-01", "under_guardianship": True}, date(2026, 3, 2))


def test_absence_cases_a_and_b_only_in_person(catalog) -> None:
    # Procedure 1.003677: "Trường hợp công dân thuộc quy định tại điểm a, điểm b khoản 1 Điều 31 Luật Cư trú nộp
    # hồ sơ trực tiếp tại cơ quan đăng ký cư trú"; "Trong thời gian 01 ngày".
    s = catalog.get(5)
    on = date(2026, 3, 2)
    assert blocks(s, {"case": "a_criminal", "applicant_in_person": False}, on) == ["ab_in_person"]
    assert blocks(s, {"case": "b_admin_measure", "applicant_in_person": True}, on) == []
    assert blocks(s, {"case": "d_twelve_months", "applicant_in_person": False}, on) == []
    assert s.processing.days_for({}) == 1 and s.procedure_code().code == "1.003677"


# #1 old number.
def test_old_number_confirmation_three_or_seven_days(catalog, calendar) -> None:
    # Procedure 2.001178: 3 working days when the 9-digit number is in the population database, 7 when not.
    s = catalog.get(1)
    # Received Fri 9/1/2026: the worked Saturday 10/1 is day 1, Mon 12 day 2, Tue 13 day 3; day 7 is Mon 19/1.
    assert s.due_date(calendar, at(2026, 1, 9), {"old_number_in_database": True}) == date(2026, 1, 13)
    assert s.due_date(calendar, at(2026, 1, 9), {"old_number_in_database": False}) == date(2026, 1, 19)
    assert "old_id_number" in errors(s, {"old_id_number": "001090012345"}, date(2026, 3, 2))
    assert "old_id_number" not in errors(s, {"old_id_number": "012345678"}, date(2026, 3, 2))
    assert s.procedure_code().code == "2.001178"


# #12 passport.
# Circular 25/2021/TT-BTC: "Cấp mới 200.000; cấp lại do bị hỏng hoặc bị mất 400.000"; Circular 64/2025/TT-BTC
# Art. 1: "kể từ ngày 1/7/2025 đến hết ngày 31/12/2025 ... bằng 50% mức thu"; from 1/1/2026 the full rate again.
PASSPORT = [
    ("first, in person, 2026", "first", at(2026, 1, 10), False, 200000),
    ("first, online, 2026", "first", at(2026, 2, 2), True, 200000),
    ("lost, autumn 2025", "lost", at(2025, 9, 15), False, 200000),
    ("first, autumn 2025", "first", at(2025, 9, 15), True, 100000),
    ("damaged, 2026", "damaged", at(2026, 3, 2), False, 400000),
]


@pytest.mark.parametrize(("case", "reason", "received", "online", "fee"), PASSPORT, ids=[p[0] for p in PASSPORT])
def test_passport_fee_by_date(catalog, case, reason, received, online, fee) -> None:
    assert catalog.get(12).fee_quote({"request_reason": reason}, online=online, on=received.date()).total == fee


def test_passport_child_under_14(catalog) -> None:
    s = catalog.get(12)
    child = {"applicant_birth_date": "2016-04-01", "request_reason": "first"}
    on = date(2026, 3, 2)
    assert s.person("representative").needed(child, on)
    docs = {d.id for d in s.documents_for(child, on)}
    assert {"tk01a", "photo_4x6", "birth_certificate"} <= docs and "tk01" not in docs
    adult = {"applicant_birth_date": "1990-01-01", "request_reason": "first"}
    assert "tk01" in {d.id for d in s.documents_for(adult, on)}
    assert s.procedure_code().code == "1.001456"


# #10, #16 death.
def test_death_registration_counts_fifteen_days_from_the_death(catalog) -> None:
    # Civil Status Law 2014 Art. 33: "trong thời hạn 15 ngày kể từ ngày có người chết".
    for number in (10, 16):
        s = catalog.get(number)
        form = {"death_time": "2026-01-01T22:00", "death_notice_date": "2026-01-20",
                "procedures": ["death"]}
        late = [i.rule for i in check_eligibility(s, form, date(2026, 1, 20))]
        assert "within_15_days" in late
        assert "within_15_days" not in [i.rule for i in check_eligibility(s, form, date(2026, 1, 16))]


# #8, #20, #9, #11, #22, #21.
def test_electric_motorbike_plate(catalog) -> None:
    s = catalog.get(8)
    assert "plate_number" not in errors(s, {"plate_number": "29MĐ1-123.45"}, date(2026, 3, 2))
    assert "plate_number" not in errors(s, {"plate_number": "30A-123.45"}, date(2026, 3, 2))
    assert "plate_number" in errors(s, {"plate_number": "MĐ-1"}, date(2026, 3, 2))


def test_old_licence_class_b2_can_be_exchanged(catalog) -> None:
    s = catalog.get(20)
    on = date(2026, 3, 2)
    form = {"request_kind": "exchange", "reason": "expired", "licence_classes": ["B2"]}
    assert "licence_classes" not in errors(s, form, on)
    # A B2 licence needs the health certificate (not needed only for A1, A, B1 in the 2024 law).
    assert "health_certificate" in {d.id for d in s.documents_for(form, on)}


def test_foreign_or_unknown_parent_and_foreign_spouse(catalog) -> None:
    birth = catalog.get(9)
    on = date(2026, 3, 2)
    foreign_mother = errors(birth, {"mother_kind": "foreign", "father_known": False}, on)
    assert "mother_passport_number" in foreign_mother and "mother_id_number" not in foreign_mother
    unknown_mother = errors(birth, {"mother_kind": "unknown", "father_known": False}, on)
    assert not {"mother_full_name", "mother_id_number"} & unknown_mother
    foreign_father = errors(birth, {"father_known": True, "father_foreign": True}, on)
    assert "father_passport_number" in foreign_father and "father_id_number" not in foreign_father
    marriage = catalog.get(11)
    form = {"groom_foreign": True, "foreign_element": False}
    assert "groom_passport_number" in errors(marriage, form, on) and "groom_id_number" not in errors(marriage, form, on)
    assert [i.rule for i in check_eligibility(marriage, form, on)] == ["groom_foreign_element"]


def test_judicial_record_who_may_ask_and_poor_households(catalog) -> None:
    # Law on Judicial Records 2009 Art. 46: no. 2 for the person, or a parent for a minor; Art. 45: close relatives
    # may ask no. 1 without a power of attorney.
    s = catalog.get(22)
    on = date(2026, 3, 2)
    assert blocks(s, {"certificate_kind": "no2", "requested_by": "parent_of_minor", "applicant_birth_date": "2010-01-01"},
                  on) == []
    assert blocks(s, {"certificate_kind": "no2", "requested_by": "parent_of_minor", "applicant_birth_date": "2000-01-01"},
                  on) == ["parent_only_for_minor"]
    assert blocks(s, {"certificate_kind": "no1", "requested_by": "close_relative"}, on) == []
    assert blocks(s, {"certificate_kind": "no2", "requested_by": "close_relative"}, on) == [
        "no2_only_self_or_parent", "relative_only_no1"]
    assert "power_of_attorney" not in {d.id for d in s.documents_for({"requested_by": "close_relative"}, on)}
    quote = s.fee_quote({"fee_group": "poor_household", "copies": 1}, on=on)
    assert quote.total == 0 and quote.exemption.id == "poor_household"


def test_exam_windows_2026_and_2027_are_held_unconfirmed(catalog) -> None:
    windows = {w.year: w for w in catalog.get(21).processing.windows}
    assert {2026, 2027} <= set(windows)
    assert not windows[2026].confirmed and not windows[2027].confirmed


def test_every_service_names_its_national_procedure_code(catalog) -> None:
    for s in catalog.all():
        assert s.procedure_codes, s.number
        for pc in s.procedure_codes:
            assert pc.code or not pc.confirmed, s.number  # a missing code is always marked for checking
    # Published on the Ministry of Public Security's portal (surveyed 24/9/2026).
    assert catalog.get(3).procedure_code().code == "1.004222"
    assert catalog.get(4).procedure_code().code == "1.004194"
    assert catalog.get(4).procedure_code({"registration_kind": "extension"}).code == "1.002755"
    assert catalog.get(6).procedure_code().code == "2.001159"
    assert catalog.get(22).procedure_code().code == "3.000333"


# Calendar and Saturday intake.
def test_new_year_2026_swap_and_saturday_intake(calendar) -> None:
    # Letter 12729/VPCP-KGVX: off Thu 1/1 – Sun 4/1/2026, "hoán đổi từ ngày làm việc thứ sáu (ngày 2/1/2026)
    # sang ngày nghỉ hằng tuần thứ bảy (ngày 10/1/2026)".
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))
    assert not calendar.is_saturday_intake(date(2026, 1, 10))  # a worked Saturday is a full working day
    assert calendar.is_saturday_intake(date(2026, 1, 17))
    # 3 working days: received Fri 2/1 (off) → counts from Mon 5/1 → Tue 6, Wed 7, Thu 8.
    assert calendar.appointment_date(at(2026, 1, 2), 3) == date(2026, 1, 8)
    # Received on the worked Saturday 10/1: Mon 12 (1), Tue 13 (2), Wed 14 (3).
    assert calendar.appointment_date(at(2026, 1, 10), 3) == date(2026, 1, 14)
    # Saturday-morning intake 17/1 (the rule held in the calendar file): as received Mon 19/1 → Thu 22/1.
    assert calendar.received_on(at(2026, 1, 17)) == date(2026, 1, 19)
    assert calendar.appointment_date(at(2026, 1, 17), 3) == date(2026, 1, 22)


def test_the_other_saturday_rule_counts_the_saturday_as_the_receipt_day() -> None:
    from kiosk.domain.calendar import WorkingCalendar

    cal = WorkingCalendar(set(), (), saturday_intake="saturday")
    assert cal.received_on(at(2026, 1, 17)) == date(2026, 1, 17)
    assert cal.appointment_date(at(2026, 1, 17), 3) == date(2026, 1, 21)
    assert cal.appointment_date(at(2026, 1, 17), 0) == date(2026, 1, 19)


def test_a_per_person_line_counts_the_people_on_the_dossier() -> None:
    # "Đồng/người/lần đăng ký" (Circular 75/2022/TT-BTC, list registration): with no count field of its own, the
    # line takes the people on the dossier.
    import json

    from kiosk.domain.catalog import service_from_dict
    from kiosk.support.resources import resource_path

    doc = json.loads(next(resource_path("services").glob("04-*.json")).read_text(encoding="utf-8"))
    item = next(i for i in doc["fees"]["items"] if i["id"] == "by_list")
    item.pop("count_field")
    s = service_from_dict(doc)
    form = {"by_list": True, "fee_exemption": "none", "applicant_birth_date": "1990-01-01"}
    assert s.fee_quote(form, on=date(2026, 3, 2), people=3).total == 30000
    assert s.fee_quote(form, online=True, on=date(2026, 3, 2), people=3).total == 15000
