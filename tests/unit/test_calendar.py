"""Working days and appointment dates: worked examples of the counting rule (time runs from the working day after receipt), holidays, swaps, provisional years."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain.calendar import DEFAULT_RULE, SAME_DAY_RULE, CountingRule, WorkingCalendar
from kiosk.services.calendar import CalendarError, CalendarService, official_calendar_path


@pytest.fixture(scope="module")
def service() -> CalendarService:
    return CalendarService()


@pytest.fixture(scope="module")
def cal(service: CalendarService) -> WorkingCalendar:
    return service.calendar


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm)


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (at(2026, 2, 13), 7, date(2026, 3, 3)),  # across Tết 2026 (16–20/2 off)
        (at(2026, 4, 28), 3, date(2026, 5, 5)),  # across 30/4 and 1/5
        (at(2026, 8, 21), 3, date(2026, 8, 25)),  # Sat 22/8 worked
        (at(2026, 11, 23), 1, date(2026, 11, 25)),  # 24/11 Vietnam Culture Day
    ],
)
def test_worked_examples_of_services_md(cal: WorkingCalendar, received: datetime, days: int, due: date) -> None:
    assert cal.appointment_date(received, days, DEFAULT_RULE) == due


def test_tet_2025_is_skipped(cal: WorkingCalendar) -> None:
    # Tết Ất Tỵ: Mon 27/1 – Fri 31/1/2025 off.
    assert cal.appointment_date(at(2025, 1, 24), 1, DEFAULT_RULE) == date(2025, 2, 3)
    assert cal.appointment_date(at(2025, 1, 24), 3, DEFAULT_RULE) == date(2025, 2, 5)


def test_tet_2026_weekdays_are_off_and_the_week_after_is_not(cal: WorkingCalendar) -> None:
    for d in range(16, 21):
        assert not cal.is_working_day(date(2026, 2, d))
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_2025_swap_friday_off_and_saturday_worked(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2025, 5, 2))
    assert cal.is_working_day(date(2025, 4, 26))
    # Fri 25/4 + 1 → Sat 26/4 (worked); + 2 → Mon 28/4 (Tue 29/4 is a normal day; 30/4, 1/5, 2/5 off).
    assert cal.appointment_date(at(2025, 4, 25), 1) == date(2025, 4, 26)
    assert cal.appointment_date(at(2025, 4, 29), 1) == date(2025, 5, 5)


def test_2024_swap(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2024, 4, 29))
    assert cal.is_working_day(date(2024, 5, 4))
    assert cal.appointment_date(at(2024, 4, 26), 1) == date(2024, 5, 2)


def test_national_day_2026(cal: WorkingCalendar) -> None:
    # Break Sat 29/8 – Wed 2/9/2026: Mon 31/8 (swap), Tue 1/9, Wed 2/9 off.
    assert [cal.is_working_day(date(2026, 8, 31) + timedelta(days=i)) for i in range(4)] == [False, False, False, True]
    assert cal.appointment_date(at(2026, 8, 28), 1) == date(2026, 9, 3)


def test_hung_kings_2026_observed_on_monday(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(date(2026, 4, 27))


def test_received_on_sunday_counts_from_monday(cal: WorkingCalendar) -> None:
    # Sun 8/3/2026 → received Mon 9/3; 3 working days → Thu 12/3.
    assert cal.received_on(at(2026, 3, 8)) == date(2026, 3, 9)
    assert cal.appointment_date(at(2026, 3, 8), 3) == date(2026, 3, 12)
    assert cal.appointment_date(at(2026, 3, 8), 0, SAME_DAY_RULE) == date(2026, 3, 9)


def test_received_on_a_holiday_counts_from_the_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.appointment_date(at(2026, 9, 2), 1) == date(2026, 9, 4)


def test_same_day_procedure_after_15h_gets_next_working_day(cal: WorkingCalendar) -> None:
    assert cal.appointment_date(at(2026, 3, 10, 14, 59), 0, SAME_DAY_RULE) == date(2026, 3, 10)
    assert cal.appointment_date(at(2026, 3, 10, 15, 0), 0, SAME_DAY_RULE) == date(2026, 3, 10)
    assert cal.appointment_date(at(2026, 3, 10, 15, 30), 0, SAME_DAY_RULE) == date(2026, 3, 11)
    # Friday 15:30 before Tết 2026 → Mon 23/2.
    assert cal.appointment_date(at(2026, 2, 13, 15, 30), 0, SAME_DAY_RULE) == date(2026, 2, 23)


def test_cutoff_shifts_counting_for_multi_day_procedures_that_have_one(cal: WorkingCalendar) -> None:
    # Decree 63/2024 linked procedures: after 15:00 counting starts a day later.
    assert cal.appointment_date(at(2026, 3, 9, 16, 0), 3, SAME_DAY_RULE) == date(2026, 3, 13)
    assert cal.appointment_date(at(2026, 3, 9, 16, 0), 3, DEFAULT_RULE) == date(2026, 3, 12)


def test_receipt_day_rule_counts_the_day_of_receipt(cal: WorkingCalendar) -> None:
    assert cal.appointment_date(at(2026, 3, 9), 3, CountingRule(starts="receipt_day")) == date(2026, 3, 11)


def test_counting_rule_rejects_unknown_start() -> None:
    with pytest.raises(ValueError):
        CountingRule(starts="tomorrow")  # type: ignore[arg-type]


def test_worked_saturday_must_be_a_saturday() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(set(), {date(2026, 8, 23)})


def test_2027_is_provisional_and_computed_by_rule(service: CalendarService) -> None:
    year = service.show_year(2027)
    assert year["provisional"] is True and year["official"] is False and year["source"] == "rule"
    off = {d["date"] for d in year["non_working_weekdays"]}
    # Tết Đinh Mùi (6/2/2027), Labour Day on Sat 1/5 observed Mon 3/5, 24/11 Vietnam Culture Day.
    assert {"2027-02-05", "2027-02-08", "2027-02-09", "2027-05-03", "2027-11-24"} <= off
    assert year["worked_saturdays"] == []
    assert service.is_provisional(2027)
    assert not service.is_provisional(2026)


def test_show_year_2026_lists_every_non_working_weekday(service: CalendarService) -> None:
    year = service.show_year(2026)
    assert year["provisional"] is False
    off = [d["date"] for d in year["non_working_weekdays"]]
    # Letter 12729/VPCP-KGVX of 25/12/2025: "nghỉ 4 ngày liên tục từ thứ năm (ngày 1/1/2026) đến hết
    # chủ nhật (ngày 4/1/2026); hoán đổi từ ngày làm việc thứ sáu (ngày 2/1/2026) sang ngày nghỉ hằng tuần
    # thứ bảy (ngày 10/1/2026)".
    assert off == [
        "2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
        "2026-04-27", "2026-04-30", "2026-05-01", "2026-08-31", "2026-09-01", "2026-09-02", "2026-11-24",
    ]
    assert [d["date"] for d in year["worked_saturdays"]] == ["2026-01-10", "2026-08-22"]
    swap = next(d for d in year["non_working_weekdays"] if d["date"] == "2026-08-31")
    assert swap["source"] == "decision"
    assert year["working_days"] == 261 - 14 + 2
    # 24/11 is applied, but its legal footing is held as data the officer is told to check.
    assert [d["date"] for d in year["unconfirmed_days"]] == ["2026-11-24"]


def test_official_data_agrees_with_the_holidays_package() -> None:
    # Our swap days must be ones the package also knows; a disagreement means one of them is out of date.
    import holidays

    data = json.loads(official_calendar_path().read_text(encoding="utf-8"))
    # The package (0.109) does not know the New Year 2026 swap announced on 25/12/2025: ours is newer.
    newer_than_package = {date(2026, 1, 2)}
    for year in data["years"]:
        pkg = holidays.Vietnam(years=year["year"])
        for day in year["days_off"]:
            if date.fromisoformat(day["date"]) not in newer_than_package:
                assert date.fromisoformat(day["date"]) in pkg, day


def write(path, doc) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def year_2027(**changes):
    rec = {
        "year": 2027,
        "official": True,
        "decisions": [{"reference": "Thông báo 123/TB-BNV ngày 01/12/2026", "about_vi": "Nghỉ lễ 2027"}],
        "days_off": [{"date": "2027-02-11", "reason_vi": "Tết (mùng 6)"}, {"date": "2027-04-29", "reason_vi": "Hoán đổi"}],
        "saturdays_worked": [{"date": "2027-05-08", "reason_vi": "Làm bù 29/4"}],
        "weekdays_worked": [{"date": "2027-02-04", "reason_vi": "Quyết định không nghỉ 29 Tết"}],
    }
    rec.update(changes)
    return {"years": [rec]}


def test_import_calendar_makes_a_year_official_and_persists(tmp_path) -> None:
    stored = tmp_path / "state" / "calendar-imported.json"
    svc = CalendarService(imported_path=stored)
    assert svc.calendar.is_working_day(date(2027, 4, 29))
    src = tmp_path / "2027.json"
    write(src, year_2027())
    assert svc.import_calendar(src) == [2027]
    cal = svc.calendar
    assert not cal.is_working_day(date(2027, 4, 29))
    assert not cal.is_working_day(date(2027, 2, 11))
    assert cal.is_working_day(date(2027, 5, 8))
    assert cal.is_working_day(date(2027, 2, 4))  # removed from the rule-computed days off
    assert svc.show_year(2027)["provisional"] is False
    # A fresh service (next start) reads the stored import.
    again = CalendarService(imported_path=stored)
    assert not again.is_provisional(2027)
    assert not again.calendar.is_working_day(date(2027, 4, 29))


def test_import_overrides_an_official_year(tmp_path) -> None:
    svc = CalendarService(imported_path=tmp_path / "imp.json")
    src = tmp_path / "2026.json"
    write(src, {"years": [{"year": 2026, "official": True, "decisions": [{"reference": "QĐ sửa đổi"}],
                           "days_off": [], "saturdays_worked": [], "weekdays_worked": [{"date": "2026-08-31"}]}]})
    svc.import_calendar(src)
    assert svc.calendar.is_working_day(date(2026, 8, 31))
    assert not svc.calendar.is_working_day(date(2026, 8, 22))


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        (year_2027(saturdays_worked=[{"date": "2027-05-09"}]), "years[0].saturdays_worked[0].date"),
        (year_2027(days_off=[{"date": "2027-13-01"}]), "years[0].days_off[0].date"),
        (year_2027(days_off=[{"date": "2026-12-31"}]), "years[0].days_off[0].date"),
        (year_2027(days_off=[{"date": "2027-02-06"}]), "years[0].days_off[0].date"),
        (year_2027(decisions=[]), "years[0].decisions"),
        (year_2027(official="yes"), "years[0].official"),
        ({"years": []}, "years"),
    ],
)
def test_import_rejects_a_bad_file_naming_the_field(tmp_path, doc, where) -> None:
    svc = CalendarService(imported_path=tmp_path / "imp.json")
    src = tmp_path / "bad.json"
    write(src, doc)
    with pytest.raises(CalendarError) as info:
        svc.import_calendar(src)
    assert info.value.path == where
    assert "bad.json" in str(info.value)
    assert not (tmp_path / "imp.json").exists()
    assert svc.is_provisional(2027)


def test_import_rejects_invalid_json(tmp_path) -> None:
    src = tmp_path / "broken.json"
    src.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CalendarError, match="broken.json: not valid JSON"):
        CalendarService().import_calendar(src)


DAYS = st.dates(min_value=date(2023, 12, 1), max_value=date(2027, 10, 31))
MOMENTS = st.builds(datetime.combine, DAYS, st.times())
RULES = st.sampled_from([DEFAULT_RULE, SAME_DAY_RULE, CountingRule(starts="receipt_day"), CountingRule(cutoff=time(11, 30))])


@settings(max_examples=300, deadline=None)
@given(received=MOMENTS, n=st.integers(0, 40), rule=RULES)
def test_due_date_is_always_a_working_day_and_never_before_receipt(cal, received, n, rule) -> None:
    due = cal.appointment_date(received, n, rule)
    assert cal.is_working_day(due)
    assert due >= received.date()
    if n > 0 and rule.starts == "next_working_day":
        assert due > received.date()
        assert cal.working_days_between(cal.received_on(received, rule), due) == n


@settings(max_examples=300, deadline=None)
@given(received=MOMENTS, n=st.integers(0, 30), extra=st.integers(0, 10), rule=RULES)
def test_due_date_is_monotone_in_days(cal, received, n, extra, rule) -> None:
    assert cal.appointment_date(received, n, rule) <= cal.appointment_date(received, n + extra, rule)


@settings(max_examples=300, deadline=None)
@given(a=MOMENTS, b=MOMENTS, n=st.integers(0, 30), rule=RULES)
def test_due_date_is_monotone_in_the_received_time(cal, a, b, n, rule) -> None:
    early, late = sorted((a, b))
    assert cal.appointment_date(early, n, rule) <= cal.appointment_date(late, n, rule)
