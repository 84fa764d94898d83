"""A service's fees and eligibility rules, and the amounts and refusals they give for one form (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from kiosk.domain.catalog.conditions import AgeRule, Condition, add_months, age_on, conditions_hold
from kiosk.domain.catalog.fields import with_defaults
from kiosk.domain.catalog.parsing import format_number, is_empty, parse_date, parse_datetime, parse_number

if TYPE_CHECKING:
    from kiosk.domain.catalog.model import Service


@dataclass(frozen=True)
class FeeRate:
    """The amounts in force from `start` to `end` (inclusive; None = open), chosen by the received date."""

    start: date | None
    end: date | None
    amount: int | None
    online_amount: int | None = None
    source: str = ""
    confirmed: bool = True

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class FeeItem:
    """One fee line; `amount` None means the law leaves it to `set_by` (province or provider).

    `schedule` holds dated rates (a reduction for a period, a new circular); where none covers the
    received date the plain `amount` applies. `per: person` multiplies by the people on the dossier.
    """

    id: str
    label_vi: str
    label_en: str
    amount: int | None
    online_amount: int | None = None
    set_by: str = "law"
    per: str = "request"
    count_field: str | None = None
    free_count: int = 0
    when: tuple[Condition, ...] = ()
    confirmed: bool = True
    schedule: tuple[FeeRate, ...] = ()
    source: str = ""

    def rate(self, day: date) -> FeeRate:
        """The rate in force on `day`."""
        for r in self.schedule:
            if r.covers(day):
                return r
        return FeeRate(None, None, self.amount, self.online_amount, self.source, self.confirmed)


@dataclass(frozen=True)
class Exemption:
    """A category the law exempts, the evidence the officer sees, and the article that grants it.

    It applies when its `when` conditions hold (the officer ticked the category) or, for an age
    category, when `age` holds on the received date (the birth date is on the chip).
    """

    who_vi: str
    who_en: str
    when: tuple[Condition, ...] = ()
    confirmed: bool = True
    id: str = ""
    evidence_vi: str = ""
    evidence_en: str = ""
    law: str = ""
    age: AgeRule | None = None
    effective_from: date | None = None
    effective_to: date | None = None

    def applies(self, form: Mapping[str, Any], on: date) -> bool:
        if (self.effective_from and on < self.effective_from) or (self.effective_to and on > self.effective_to):
            return False
        if self.when and conditions_hold(self.when, form, on):
            return True
        return bool(self.age and self.age.holds(form, on))


@dataclass(frozen=True)
class ContributionLadder:
    """Household health-insurance discount ladder (Decree 146/2018/NĐ-CP Art. 7(1)(e))."""

    first_member_percent: Decimal
    factors: tuple[Decimal, ...]
    base_setting: str
    confirmed: bool = True


@dataclass(frozen=True)
class LatePayment:
    """Surcharge for a fine paid late (Law on Handling Administrative Violations Art. 73, 78)."""

    grace_days: int
    percent_per_day: Decimal
    date_field: str
    amount_field: str
    confirmed: bool = True


@dataclass(frozen=True)
class Fee:
    items: tuple[FeeItem, ...]
    exemptions: tuple[Exemption, ...] = ()
    legal_basis: str = ""
    note_vi: str = ""
    note_en: str = ""
    contribution_ladder: ContributionLadder | None = None
    late_payment: LatePayment | None = None


@dataclass(frozen=True)
class FeeLine:
    item: FeeItem
    amount: int | None
    rate: FeeRate | None = None
    count: int = 1


@dataclass(frozen=True)
class FeeQuote:
    """What the applicant pays; `total` is None when a line is set by the province or the provider.

    `exemption` is the category that made it free (shown on the receipt with its ground).
    """

    lines: tuple[FeeLine, ...]
    total: int | None
    exempt: bool
    exemption: Exemption | None = None
    on: date | None = None

    @property
    def confirmed(self) -> bool:
        return all(ln.item.confirmed and (ln.rate is None or ln.rate.confirmed) for ln in self.lines) and (
            self.exemption is None or self.exemption.confirmed)



@dataclass(frozen=True)
class Eligibility:
    """A condition the applicant must meet, evaluated on the form values (`block`) or shown (`warn`)."""

    id: str
    kind: str
    field: str
    message_vi: str
    message_en: str
    years: int | None = None
    months: int | None = None
    days: int | None = None
    value: float | None = None
    values: tuple[Any, ...] = ()
    to_field: str | None = None
    severity: str = "block"
    when: tuple[Condition, ...] = ()
    confirmed: bool = True
    value_setting: str | None = None
    source: str = ""


@dataclass(frozen=True)
class EligibilityIssue:
    rule: str
    severity: str
    message_vi: str
    message_en: str



def _eligibility_fails(rule: Eligibility, form: Mapping[str, Any], on: date,
                       province: Mapping[str, Any] | None = None) -> bool | None:
    """True when the rule is broken, False when met, None when the form lacks what it needs."""
    raw = form.get(rule.field)
    if is_empty(raw):
        return None
    try:
        if rule.kind in ("age_at_least", "age_below", "within_months_of", "within_days_of", "span_at_most_months"):
            # A datetime field (the hour of death) counts by its calendar day.
            first = parse_date(raw) if not isinstance(raw, str) or "T" not in raw and ":" not in raw else parse_datetime(raw).date()
            if rule.kind == "age_at_least":
                return age_on(first, on) < (rule.years or 0)
            if rule.kind == "age_below":
                return age_on(first, on) >= (rule.years or 0)
            if rule.kind == "within_months_of":
                return on > add_months(first, rule.months or 0)
            if rule.kind == "within_days_of":
                return on > first + timedelta(days=rule.days or 0)
            end_raw = form.get(rule.to_field or "")
            if is_empty(end_raw):
                return None
            return parse_date(end_raw) > add_months(first, rule.months or 0)
        if rule.kind == "field_in":
            return not Condition(rule.field, rule.values).holds(form)
        if rule.kind == "includes":
            chosen = set(raw) if isinstance(raw, list | tuple | set | frozenset) else {raw}
            return not set(rule.values) <= chosen
        if rule.kind == "number_at_least":
            return parse_number(raw) < _threshold(rule, province)
    except ValueError:
        return None
    return None


def _threshold(rule: Eligibility, province: Mapping[str, Any] | None) -> float:
    floor = float(rule.value or 0)
    if rule.value_setting and province and province.get(rule.value_setting) is not None:
        floor = max(floor, float(province[rule.value_setting]))
    return floor


def check_eligibility(service: Service, values: Mapping[str, Any], on: date,
                      province: Mapping[str, Any] | None = None) -> list[EligibilityIssue]:
    """Eligibility rules the form breaks on date `on`; rules whose data is missing are not reported.

    `province` holds the per-province settings a rule may raise its threshold to (`value_setting`).
    """
    issues = []
    values = with_defaults(service, values)
    for rule in service.eligibility:
        if not conditions_hold(rule.when, values, on):
            continue
        if _eligibility_fails(rule, values, on, province):
            value = format_number(_threshold(rule, province))
            issues.append(EligibilityIssue(rule.id, rule.severity, rule.message_vi.replace("{value}", value),
                                           rule.message_en.replace("{value}", value)))
    return issues


def quote_fee(service: Service, form: Mapping[str, Any], online: bool = False, on: date | None = None,
              people: int | None = None) -> FeeQuote:
    """The fee lines that apply to this form on the received date `on`, with amounts.

    Each line takes the rate in force on `on`; a `per: person` line is multiplied by its count field,
    else by `people` (the persons on the dossier). An exemption that applies makes the total 0.
    """
    on = on or date.today()
    form = with_defaults(service, form)
    lines = []
    total: int | None = 0
    for item in service.fees.items:
        if not conditions_hold(item.when, form, on):
            continue
        rate = item.rate(on)
        unit = rate.online_amount if online and rate.online_amount is not None else rate.amount
        amount: int | None
        count = 1
        if item.count_field:
            try:
                count = int(parse_number(form.get(item.count_field) or 0))
            except ValueError:
                count = 0
            count = max(0, count - item.free_count)
        elif item.per == "person" and people is not None:
            count = max(1, people)
        amount = None if unit is None else unit * count
        lines.append(FeeLine(item, amount, rate, count))
        total = None if total is None or amount is None else total + amount
    exemption = next((e for e in service.fees.exemptions if e.applies(form, on)), None)
    return FeeQuote(tuple(lines), 0 if exemption else total, exemption is not None, exemption, on)


def _round_dong(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def household_contributions(ladder: ContributionLadder, base_salary: int, members: int) -> list[int]:
    """Monthly contribution of each household member in order (1st pays the full rate, later ones less)."""
    first = Decimal(base_salary) * ladder.first_member_percent / 100
    out = []
    for i in range(members):
        factor = ladder.factors[min(i, len(ladder.factors) - 1)]
        out.append(_round_dong(first * factor))
    return out


def late_surcharge(rule: LatePayment, fine: int, decision_received: date, paid_on: date) -> int:
    """Extra amount for a fine paid after the grace period, counted in calendar days."""
    late_days = (paid_on - (decision_received + timedelta(days=rule.grace_days))).days
    if late_days <= 0:
        return 0
    return _round_dong(Decimal(fine) * rule.percent_per_day / 100 * late_days)


