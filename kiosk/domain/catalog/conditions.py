"""When a field, document or rule applies: conditions on form values and age tests (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.domain.catalog.parsing import parse_date


@dataclass(frozen=True)
class Condition:
    """True when the form value of `field` is one of `values` (any of them, for a multi-choice);
    `negate` turns it into "none of them". With `age_below` / `age_at_least` it is an age test on the
    date field `field`, counted on the received date (today when none is given); an unknown age fails."""

    field: str
    values: tuple[Any, ...]
    negate: bool = False
    age_below: int | None = None
    age_at_least: int | None = None

    @property
    def is_age(self) -> bool:
        return self.age_below is not None or self.age_at_least is not None

    def holds(self, form: Mapping[str, Any], on: date | None = None) -> bool:
        if self.is_age:
            return bool(AgeRule(self.field, self.age_below, self.age_at_least).holds(form, on or date.today()))
        value = form.get(self.field)
        if isinstance(value, list | tuple | set | frozenset):
            found = any(_same(v, w) for v in value for w in self.values)
        else:
            found = any(_same(value, w) for w in self.values)
        return not found if self.negate else found


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a boolean condition must not match a number and vice versa.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def conditions_hold(conditions: Sequence[Condition], form: Mapping[str, Any], on: date | None = None) -> bool:
    return all(c.holds(form, on) for c in conditions)


@dataclass(frozen=True)
class AgeRule:
    """An age test on a date field, counted on the day the dossier is received."""

    field: str
    below: int | None = None
    at_least: int | None = None

    def holds(self, form: Mapping[str, Any], on: date) -> bool | None:
        raw = form.get(self.field)
        if raw in (None, ""):
            return None
        try:
            age = age_on(parse_date(raw), on)
        except ValueError:
            return None
        if self.below is not None and age >= self.below:
            return False
        return not (self.at_least is not None and age < self.at_least)



def age_on(born: date, on: date) -> int:
    """Full years of age on `on` (tuổi tròn)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)



