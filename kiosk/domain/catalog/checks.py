"""Cross-reference checks on a service that a JSON schema cannot express (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from kiosk.domain.catalog.conditions import Condition
from kiosk.domain.catalog.model import CHIP_FIELDS, Processing, Service, ServiceDataError


def _check_conditions(service: Service, conds: Sequence[Condition], path: str) -> None:
    for i, c in enumerate(conds):
        where = f"{path}[{i}]" if len(conds) > 1 else path
        if not service.has_field(c.field):
            raise ServiceDataError(f"{where}.field", f"no field {c.field!r} in this service")
        target = service.field(c.field)
        if c.is_age:
            if target.type != "date":
                raise ServiceDataError(where, f"an age condition needs a date field, not {c.field!r}")
            continue
        if target.type in ("choice", "multi_choice"):
            for v in c.values:
                if target.option(v) is None:
                    raise ServiceDataError(where, f"{v!r} is not an option of {c.field!r}")
        elif target.type == "boolean" and not all(isinstance(v, bool) for v in c.values):
            raise ServiceDataError(where, f"{c.field!r} is a yes/no field; compare with true or false")


def check_service(s: Service) -> None:
    """Cross-reference checks a JSON schema cannot express; raises ServiceDataError with the path."""
    roles = _check_roles(s)
    _check_fields(s, roles)
    _check_steps(s)
    for i, doc in enumerate(s.documents):
        _check_conditions(s, doc.when, f"documents[{i}].when")
    _check_fees(s)
    _check_persons(s, roles)
    _check_procedure_codes(s)
    _check_late_payment(s)
    _check_processing(s, s.processing, "processing")
    _check_eligibility(s)
    for i, sub in enumerate(s.sub_procedures):
        _check_conditions(s, sub.when, f"sub_procedures[{i}].when")
        _check_processing(s, sub.processing, f"sub_procedures[{i}].processing")


def _check_roles(s: Service) -> list[str]:
    roles = [p.role for p in s.persons]
    if len(set(roles)) != len(roles):
        raise ServiceDataError("persons", "a role is listed twice")
    if "applicant" not in roles:
        raise ServiceDataError("persons", "a person with role 'applicant' is required")
    return roles


def _check_fields(s: Service, roles: list[str]) -> None:
    seen: set[str] = set()
    for i, f in enumerate(s.fields):
        here = f"fields[{i}]"
        if f.id in seen:
            raise ServiceDataError(f"{here}.id", f"{f.id!r} is used twice")
        seen.add(f.id)
        if f.person not in roles:
            raise ServiceDataError(f"{here}.person", f"{f.person!r} is not one of the persons {roles}")
        if f.prefill is not None:
            if f.prefill not in CHIP_FIELDS:
                raise ServiceDataError(f"{here}.prefill", f"{f.prefill!r} is not a chip field")
            if not s.person(f.person).reads_card:
                raise ServiceDataError(f"{here}.prefill", f"person {f.person!r} has no card to read")
        if f.type in ("choice", "multi_choice"):
            if not f.options:
                raise ServiceDataError(f"{here}.options", "a choice field needs options")
            values = [o.value for o in f.options]
            if len(set(values)) != len(values):
                raise ServiceDataError(f"{here}.options", "an option value is listed twice")
        elif f.options:
            raise ServiceDataError(f"{here}.options", f"only choice fields have options, not {f.type!r}")
        if f.rules.pattern is not None:
            try:
                re.compile(f.rules.pattern)
            except re.error as exc:
                raise ServiceDataError(f"{here}.validation.pattern", f"not a valid regular expression: {exc}") from exc
    for i, f in enumerate(s.fields):
        here = f"fields[{i}]"
        _check_conditions(s, f.when, f"{here}.when")
        for key, ref in (("not_before_field", f.rules.not_before_field), ("birth_date_field", f.rules.birth_date_field)):
            if ref is not None and (not s.has_field(ref) or s.field(ref).type != "date"):
                raise ServiceDataError(f"{here}.validation.{key}", f"{ref!r} is not a date field of this service")


def _check_steps(s: Service) -> None:
    placed: dict[str, str] = {}
    for i, step in enumerate(s.steps):
        for j, fid in enumerate(step.fields):
            here = f"steps[{i}].fields[{j}]"
            if not s.has_field(fid):
                raise ServiceDataError(here, f"no field {fid!r}")
            if fid in placed:
                raise ServiceDataError(here, f"{fid!r} is already in step {placed[fid]!r}")
            placed[fid] = step.id
    missing = [f.id for f in s.fields if f.id not in placed]
    if missing:
        raise ServiceDataError("steps", f"fields not in any step: {', '.join(missing)}")


def _check_fees(s: Service) -> None:
    for i, item in enumerate(s.fees.items):
        here = f"fees.items[{i}]"
        if (item.amount is None) == (item.set_by == "law"):
            raise ServiceDataError(here, "give an amount, or set_by 'province'/'provider' without one")
        _check_conditions(s, item.when, f"{here}.when")
        if item.count_field and (not s.has_field(item.count_field) or s.field(item.count_field).type != "number"):
            raise ServiceDataError(f"{here}.count_field", f"{item.count_field!r} is not a number field")
        for j, r in enumerate(item.schedule):
            if r.start and r.end and r.end < r.start:
                raise ServiceDataError(f"{here}.schedule[{j}]", "ends before it starts")
            if (r.amount is None) != (item.set_by != "law"):
                raise ServiceDataError(f"{here}.schedule[{j}]", "give an amount, as the item does")
            for k, other in enumerate(item.schedule[:j]):
                if (other.start or date.min) <= (r.end or date.max) and (r.start or date.min) <= (other.end or date.max):
                    raise ServiceDataError(f"{here}.schedule[{j}]", f"overlaps schedule[{k}]")
    ids = [e.id for e in s.fees.exemptions if e.id]
    if len(set(ids)) != len(ids):
        raise ServiceDataError("fees.exemptions", "an exemption id is listed twice")
    for i, ex in enumerate(s.fees.exemptions):
        _check_conditions(s, ex.when, f"fees.exemptions[{i}].when")
        if ex.age is not None:
            _check_date_field(s, ex.age.field, f"fees.exemptions[{i}].age.field")


def _check_persons(s: Service, roles: list[str]) -> None:
    for i, p in enumerate(s.persons):
        here = f"persons[{i}]"
        if p.represents is not None and p.represents not in roles:
            raise ServiceDataError(f"{here}.represents", f"{p.represents!r} is not one of the persons {roles}")
        _check_conditions(s, p.required_when, f"{here}.required_when")
        if p.required_age is not None:
            _check_date_field(s, p.required_age.field, f"{here}.required_age.field")


def _check_procedure_codes(s: Service) -> None:
    for i, pc in enumerate(s.procedure_codes):
        _check_conditions(s, pc.when, f"procedure_codes[{i}].when")
        if pc.code is None and pc.confirmed:
            raise ServiceDataError(f"procedure_codes[{i}].code", "a missing code must be marked confirmed: false")


def _check_late_payment(s: Service) -> None:
    lp = s.fees.late_payment
    if lp is not None:
        for key, ref, kind in (("date_field", lp.date_field, "date"), ("amount_field", lp.amount_field, "money")):
            if not s.has_field(ref) or s.field(ref).type != kind:
                raise ServiceDataError(f"fees.late_payment.{key}", f"{ref!r} is not a {kind} field")


def _check_eligibility(s: Service) -> None:
    for i, rule in enumerate(s.eligibility):
        here = f"eligibility[{i}]"
        if not s.has_field(rule.field):
            raise ServiceDataError(f"{here}.field", f"no field {rule.field!r}")
        date_kinds = ("age_at_least", "age_below", "within_months_of", "within_days_of", "span_at_most_months")
        if rule.kind in date_kinds and s.field(rule.field).type not in (
                ("date", "datetime") if rule.kind == "within_days_of" else ("date",)):
            raise ServiceDataError(f"{here}.field", f"{rule.kind} needs a date field")
        needed = {"age_at_least": "years", "age_below": "years", "within_months_of": "months",
                  "within_days_of": "days", "span_at_most_months": "months", "number_at_least": "value"}.get(rule.kind)
        if needed and getattr(rule, needed) is None:
            raise ServiceDataError(here, f"{rule.kind} needs {needed!r}")
        if rule.kind in ("field_in", "includes"):
            if not rule.values:
                raise ServiceDataError(f"{here}.values", "needs at least one value")
            _check_conditions(s, (Condition(rule.field, rule.values),), f"{here}.values")
        if rule.kind == "span_at_most_months" and (not rule.to_field or not s.has_field(rule.to_field)):
            raise ServiceDataError(f"{here}.to_field", "needs the end-date field")
        _check_conditions(s, rule.when, f"{here}.when")


def _check_date_field(s: Service, field_id: str, path: str) -> None:
    if not s.has_field(field_id) or s.field(field_id).type != "date":
        raise ServiceDataError(path, f"{field_id!r} is not a date field of this service")


def _check_processing(s: Service, p: Processing, path: str) -> None:
    if p.kind == "working_days" and p.days is None and p.confirmed:
        raise ServiceDataError(f"{path}.days", "a working-day deadline needs its days (or confirmed: false)")
    if p.kind == "annual_window" and not p.windows:
        raise ServiceDataError(f"{path}.windows", "an annual window needs at least one year's dates")
    for i, w in enumerate(p.windows):
        if w.end < w.start:
            raise ServiceDataError(f"{path}.windows[{i}]", "ends before it starts")
    for i, v in enumerate(p.variants):
        _check_conditions(s, v.when, f"{path}.variants[{i}].when")


