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


class WorkingCalendar:
    """Monday–Friday minus the given days off, plus the Saturdays the government made working days."""

    def __init__(self, holidays: Iterable[date], worked_saturdays: Iterable[date] = ()) -> None:
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

    def received_on(self, received_at: datetime, rule: CountingRule = DEFAULT_RULE) -> date:
        """The working day a dossier counts as received on (Decree 118/2025/NĐ-CP one-stop counting, per services.md)."""
        day = received_at.date()
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
            return start
        if rule.starts == "receipt_day":
            return self.add_working_days(start, days - 1)
        return self.add_working_days(start, days)

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
