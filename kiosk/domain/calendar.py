"""Working days (ngày làm việc) and the appointment date printed on the receipt (phiếu hẹn)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

SATURDAY = 5
DEFAULT_CUTOFF = time(15, 0)


@dataclass(frozen=True)
class CountingRule:
    """How a procedure counts working days: day 1 is the day after receipt (or receipt day itself);
    a dossier received after `cutoff` on a working day counts as received the next working day."""

    starts: Literal["next_working_day", "receipt_day"] = "next_working_day"
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if self.starts not in ("next_working_day", "receipt_day"):
            raise ValueError(f"unknown counting start {self.starts!r}")


DEFAULT_RULE = CountingRule()
SAME_DAY_RULE = CountingRule(cutoff=DEFAULT_CUTOFF)


SATURDAY_RULES = ("next_working_day", "saturday")


class WorkingCalendar:
    """Monday–Friday minus the given days off, plus the Saturdays the government made working days.

    `saturday_intake` says how a dossier taken at a counter open on a Saturday morning (not a worked
    Saturday) counts: "next_working_day" — as received on the next working day, so day 1 is the one
    after it; "saturday" — received on the Saturday, so day 1 is the next working day.
    """

    def __init__(self, holidays: Iterable[date], worked_saturdays: Iterable[date] = (),
                 saturday_intake: str = "next_working_day") -> None:
        if saturday_intake not in SATURDAY_RULES:
            raise ValueError(f"unknown Saturday rule {saturday_intake!r}")
        self.saturday_intake = saturday_intake
        self._holidays = frozenset(holidays)
        self._worked_saturdays = frozenset(worked_saturdays)
        for day in self._worked_saturdays:
            if day.weekday() != SATURDAY:
                raise ValueError(f"{day.isoformat()} is not a Saturday")

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def worked_saturdays(self) -> frozenset[date]:
        return self._worked_saturdays

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        if day in self._worked_saturdays:
            return True
        return day.weekday() < SATURDAY and day not in self._holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted); n == 0 gives `start` or the next working day."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = self.on_or_after(start)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def is_saturday_intake(self, day: date) -> bool:
        """A Saturday that is not a working day but on which commune counters take dossiers in the morning."""
        return day.weekday() == SATURDAY and not self.is_working_day(day) and day not in self._holidays

    def received_on(self, received_at: datetime, rule: CountingRule = DEFAULT_RULE) -> date:
        """The day a dossier counts as received on: a working day, or the Saturday itself under the
        "saturday" intake rule (docs/decisions.md, Saturday intake)."""
        day = received_at.date()
        if self.saturday_intake == "saturday" and self.is_saturday_intake(day):
            return day
        if not self.is_working_day(day):
            return self.next_working_day(day)
        if rule.cutoff is not None and received_at.time() > rule.cutoff:
            return self.next_working_day(day)
        return day

    def appointment_date(self, received_at: datetime, days: int, rule: CountingRule = DEFAULT_RULE) -> date:
        """Due date for a processing time of `days` working days (0 = same day); always a working day."""
        if days < 0:
            raise ValueError("days must be >= 0")
        start = self.received_on(received_at, rule)
        if days == 0:
            return self.on_or_after(start)
        if rule.starts == "receipt_day":
            return self.add_working_days(start, days - 1)
        day = start
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in (start, end]; used to show how late a dossier is."""
        if end <= start:
            return 0
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def appointment_date(
    calendar: WorkingCalendar, received_at: datetime, days: int, rule: CountingRule = DEFAULT_RULE
) -> date:
    """Function form of `WorkingCalendar.appointment_date`."""
    return calendar.appointment_date(received_at, days, rule)
