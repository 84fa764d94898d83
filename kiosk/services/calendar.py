"""The official working-day calendar: Labour Code holidays from `holidays`, government swaps kept as data."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import holidays as holidays_pkg

from kiosk.domain.calendar import DEFAULT_RULE, SATURDAY, SATURDAY_RULES, CountingRule, WorkingCalendar
from kiosk.support import safejson
from kiosk.support.resources import resource_path

DEFAULT_YEARS = range(2020, 2041)
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class CalendarError(ValueError):
    """A calendar file is malformed; the message names the file and the field path."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")
        self.source = source
        self.path = path
        self.detail = message


@dataclass(frozen=True)
class MarkedDay:
    day: date
    reason_vi: str


@dataclass(frozen=True)
class Decision:
    reference: str
    about_vi: str
    confirmed: bool


@dataclass(frozen=True)
class LawDay:
    """A Labour Code holiday the package computes but whose legal footing we keep as data to confirm."""

    month: int
    day: int
    from_year: int
    name_vi: str
    confirmed: bool
    source: str


@dataclass(frozen=True)
class YearRecord:
    """What the government announced for one year (days off added, Saturdays worked)."""

    year: int
    official: bool
    decisions: tuple[Decision, ...]
    days_off: tuple[MarkedDay, ...]
    saturdays_worked: tuple[MarkedDay, ...]
    weekdays_worked: tuple[MarkedDay, ...]
    source: str


def official_calendar_path() -> Path:
    return resource_path("calendar", "vn-official.json")


def _expect(cond: bool, source: str, path: str, message: str) -> None:
    if not cond:
        raise CalendarError(source, path, message)


def _parse_days(items: Any, year: int, source: str, path: str, kind: str) -> tuple[MarkedDay, ...]:
    _expect(isinstance(items, list), source, path, "must be a list")
    out: list[MarkedDay] = []
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        _expect(isinstance(item, dict), source, here, "must be an object with 'date'")
        raw = item.get("date")
        try:
            day = date.fromisoformat(raw) if isinstance(raw, str) and len(raw) == 10 else None
        except ValueError:
            day = None
        _expect(day is not None, source, f"{here}.date", f"{raw!r} is not a date YYYY-MM-DD")
        assert day is not None
        _expect(day.year == year, source, f"{here}.date", f"{raw} is not in {year}")
        weekday = day.weekday()
        if kind == "saturday":
            _expect(weekday == SATURDAY, source, f"{here}.date", f"{raw} is a {WEEKDAYS_VI[weekday]}, not a Saturday")
        else:
            _expect(weekday < SATURDAY, source, f"{here}.date", f"{raw} falls on a weekend; only Monday–Friday allowed")
        reason = item.get("reason_vi", "")
        _expect(isinstance(reason, str), source, f"{here}.reason_vi", "must be text")
        out.append(MarkedDay(day, reason))
    days = [m.day for m in out]
    _expect(len(set(days)) == len(days), source, path, "a date is listed twice")
    return tuple(out)


def parse_calendar(data: Any, source: str) -> dict[int, YearRecord]:
    """Validate a calendar document (`{"years": [...]}`) and return its records by year."""
    _expect(isinstance(data, dict), source, "", "the file must hold a JSON object")
    years = data.get("years")
    _expect(isinstance(years, list) and bool(years), source, "years", "must be a non-empty list")
    records: dict[int, YearRecord] = {}
    for i, entry in enumerate(years):
        here = f"years[{i}]"
        _expect(isinstance(entry, dict), source, here, "must be an object")
        year = entry.get("year")
        _expect(isinstance(year, int) and not isinstance(year, bool) and 1990 <= year <= 2100,
                source, f"{here}.year", f"{year!r} is not a year between 1990 and 2100")
        _expect(year not in records, source, f"{here}.year", f"{year} appears twice")
        official = entry.get("official")
        _expect(isinstance(official, bool), source, f"{here}.official", "must be true or false")
        raw_decisions = entry.get("decisions", [])
        _expect(isinstance(raw_decisions, list), source, f"{here}.decisions", "must be a list")
        decisions = []
        for j, d in enumerate(raw_decisions):
            where = f"{here}.decisions[{j}]"
            _expect(isinstance(d, dict), source, where, "must be an object")
            ref = d.get("reference")
            _expect(isinstance(ref, str) and ref.strip() != "", source, f"{where}.reference", "the decision's number and date are required")
            confirmed = d.get("confirmed", True)
            _expect(isinstance(confirmed, bool), source, f"{where}.confirmed", "must be true or false")
            decisions.append(Decision(ref, str(d.get("about_vi", "")), confirmed))
        _expect(not official or bool(decisions), source, f"{here}.decisions", "an official year must cite its decision")
        days_off = _parse_days(entry.get("days_off", []), year, source, f"{here}.days_off", "weekday")
        saturdays = _parse_days(entry.get("saturdays_worked", []), year, source, f"{here}.saturdays_worked", "saturday")
        worked = _parse_days(entry.get("weekdays_worked", []), year, source, f"{here}.weekdays_worked", "weekday")
        clash = {m.day for m in days_off} & {m.day for m in worked}
        _expect(not clash, source, f"{here}.weekdays_worked", "a day cannot be both off and worked")
        records[year] = YearRecord(year, official, tuple(decisions), days_off, saturdays, worked, source)
    return records


def parse_law_days(data: Any, source: str) -> tuple[LawDay, ...]:
    """`law_days_as_data`: holidays held as data (e.g. 24/11 from 2026) with their confirmation state."""
    items = data.get("law_days_as_data", []) if isinstance(data, dict) else []
    _expect(isinstance(items, list), source, "law_days_as_data", "must be a list")
    out = []
    for i, item in enumerate(items):
        here = f"law_days_as_data[{i}]"
        _expect(isinstance(item, dict), source, here, "must be an object")
        try:
            date(2000, item.get("month"), item.get("day"))
        except (TypeError, ValueError):
            raise CalendarError(source, here, "month and day must form a real date") from None
        _expect(isinstance(item.get("from_year"), int), source, f"{here}.from_year", "must be a year")
        _expect(isinstance(item.get("confirmed"), bool), source, f"{here}.confirmed", "must be true or false")
        out.append(LawDay(item["month"], item["day"], item["from_year"], str(item.get("name_vi", "")), item["confirmed"],
                          str(item.get("source", ""))))
    return tuple(out)


@dataclass(frozen=True)
class SaturdayIntake:
    """How a dossier taken on a Saturday morning counts, with its source and confirmation state."""

    rule: str
    source: str
    confirmed: bool


def parse_saturday_intake(data: Any, source: str) -> SaturdayIntake:
    item = data.get("saturday_intake") if isinstance(data, dict) else None
    if item is None:
        return SaturdayIntake("next_working_day", "", False)
    _expect(isinstance(item, dict), source, "saturday_intake", "must be an object")
    _expect(item.get("received_on") in SATURDAY_RULES, source, "saturday_intake.received_on",
            f"must be one of {', '.join(SATURDAY_RULES)}")
    _expect(isinstance(item.get("confirmed"), bool), source, "saturday_intake.confirmed", "must be true or false")
    return SaturdayIntake(item["received_on"], str(item.get("source", "")), item["confirmed"])


def read_calendar_file(path: Path) -> dict[int, YearRecord]:
    """Read and validate a calendar file; any problem raises CalendarError naming the file."""
    source = str(path)
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise CalendarError(source, "", f"cannot read: {exc.strerror}") from exc
    try:
        data = safejson.loads(text)
    except safejson.JsonRefused as exc:
        raise CalendarError(source, "", f"{exc.message_en}: {exc.detail}" if exc.detail else exc.message_en) from None
    return parse_calendar(data, source)


def _record_to_json(rec: YearRecord) -> dict[str, Any]:
    def days(items: Iterable[MarkedDay]) -> list[dict[str, str]]:
        return [{"date": m.day.isoformat(), "reason_vi": m.reason_vi} for m in items]

    return {
        "year": rec.year,
        "official": rec.official,
        "decisions": [{"reference": d.reference, "about_vi": d.about_vi, "confirmed": d.confirmed} for d in rec.decisions],
        "days_off": days(rec.days_off),
        "saturdays_worked": days(rec.saturdays_worked),
        "weekdays_worked": days(rec.weekdays_worked),
    }


class CalendarService:
    """Builds the WorkingCalendar the whole application uses, and lets an administrator import a year."""

    def __init__(
        self,
        official_path: Path | None = None,
        imported_path: Path | None = None,
        years: Iterable[int] = DEFAULT_YEARS,
    ) -> None:
        self._official_path = Path(official_path) if official_path else official_calendar_path()
        self._imported_path = Path(imported_path) if imported_path else None
        self._years = tuple(years)
        self._imported: dict[int, YearRecord] = {}
        self.reload()

    def reload(self) -> None:
        """Re-read the official file and the imported file (raises CalendarError on a bad file)."""
        self._official = read_calendar_file(self._official_path)
        raw = safejson.loads(self._official_path.read_text(encoding="utf-8"))
        self._law_days = parse_law_days(raw, str(self._official_path))
        self._saturday = parse_saturday_intake(raw, str(self._official_path))
        if self._imported_path is not None and self._imported_path.exists():
            self._imported = read_calendar_file(self._imported_path)
        self._records = {**self._official, **self._imported}
        self._calendar = self._build(self._years)

    def _law_holidays(self, years: Iterable[int]) -> Mapping[date, str]:
        # Labour Code 2019 Art. 112, lunar dates and observed days computed by the package; a day the
        # package hard-codes but whose footing we still hold as data (24/11) comes from our file instead.
        computed = dict(holidays_pkg.Vietnam(years=list(years), language="vi"))
        for law_day in self._law_days:
            for year in years:
                day = date(year, law_day.month, law_day.day)
                computed.pop(day, None)
                if year >= law_day.from_year and day.weekday() < SATURDAY:
                    computed[day] = law_day.name_vi
        return computed

    def unconfirmed_days(self, year: int) -> list[dict[str, Any]]:
        """Days off this calendar applies whose legal footing is not confirmed, for the officer to check."""
        return [{"date": date(year, d.month, d.day).isoformat(), "name_vi": d.name_vi, "source": d.source}
                for d in self._law_days if not d.confirmed and year >= d.from_year]

    def _build(self, years: Iterable[int]) -> WorkingCalendar:
        years = list(years)
        off: set[date] = set(self._law_holidays(years))
        worked_saturdays: set[date] = set()
        for year in years:
            rec = self._records.get(year)
            if rec is None:
                continue
            off |= {m.day for m in rec.days_off}
            off -= {m.day for m in rec.weekdays_worked}
            worked_saturdays |= {m.day for m in rec.saturdays_worked}
        return WorkingCalendar(off, worked_saturdays, self._saturday.rule)

    @property
    def calendar(self) -> WorkingCalendar:
        return self._calendar

    @property
    def saturday_intake(self) -> SaturdayIntake:
        return self._saturday

    def record(self, year: int) -> YearRecord | None:
        return self._records.get(year)

    def is_provisional(self, year: int) -> bool:
        """True when no official decision is on file for `year`: its days are computed by rule."""
        rec = self._records.get(year)
        return rec is None or not rec.official

    def appointment_date(self, received_at: datetime, days: int, rule: CountingRule = DEFAULT_RULE) -> date:
        return self._calendar.appointment_date(received_at, days, rule)

    def import_calendar(self, path: Path) -> list[int]:
        """Validate an administrator's calendar file and keep it; its years replace ours. Returns the years."""
        incoming = read_calendar_file(Path(path))
        merged = {**self._imported, **incoming}
        if self._imported_path is not None:
            doc = {"years": [_record_to_json(merged[y]) for y in sorted(merged)]}
            self._imported_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._imported_path.with_suffix(self._imported_path.suffix + ".tmp")
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
            os.replace(tmp, self._imported_path)
            merged = read_calendar_file(self._imported_path)
        self._imported = merged
        self._records = {**self._official, **self._imported}
        self._calendar = self._build(self._years)
        return sorted(incoming)

    def show_year(self, year: int) -> dict[str, Any]:
        """Every non-working weekday and every worked Saturday of `year`, with where each comes from."""
        law = self._law_holidays([year])
        rec = self._records.get(year)
        cal = self._calendar if year in self._years else self._build([year])
        added = {m.day: m.reason_vi for m in rec.days_off} if rec else {}
        non_working = []
        day = date(year, 1, 1)
        working_count = 0
        while day.year == year:
            if cal.is_working_day(day):
                working_count += 1
            elif day.weekday() < SATURDAY:
                non_working.append({
                    "date": day.isoformat(),
                    "weekday": WEEKDAYS_VI[day.weekday()],
                    "name_vi": added.get(day) or law.get(day, ""),
                    "source": "decision" if day in added else "rule",
                })
            day += timedelta(days=1)
        return {
            "year": year,
            "provisional": self.is_provisional(year),
            "official": bool(rec and rec.official),
            "source": rec.source if rec else "rule",
            "decisions": [
                {"reference": d.reference, "about_vi": d.about_vi, "confirmed": d.confirmed} for d in (rec.decisions if rec else ())
            ],
            "non_working_weekdays": non_working,
            "unconfirmed_days": self.unconfirmed_days(year),
            "worked_saturdays": [
                {"date": m.day.isoformat(), "reason_vi": m.reason_vi} for m in (rec.saturdays_worked if rec else ())
            ],
            "working_days": working_count,
        }
