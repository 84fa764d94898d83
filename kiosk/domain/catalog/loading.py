"""A service described in JSON turned into typed values (the JSON schema has already checked its shape)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any

from kiosk.domain.calendar import CountingRule
from kiosk.domain.catalog import model
from kiosk.domain.catalog.checks import check_service
from kiosk.domain.catalog.conditions import AgeRule, Condition
from kiosk.domain.catalog.rules import (
    ContributionLadder,
    Eligibility,
    Exemption,
    Fee,
    FeeItem,
    FeeRate,
    LatePayment,
)


def _conditions(raw: Any) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for c in items:
        if "age_below" in c or "age_at_least" in c:
            out.append(Condition(c["field"], (), age_below=c.get("age_below"), age_at_least=c.get("age_at_least")))
            continue
        negate = "not_in" in c
        values = tuple(c["not_in"]) if negate else tuple(c["in"]) if "in" in c else (c["equals"],)
        out.append(Condition(c["field"], values, negate))
    return tuple(out)


def _date(raw: Any) -> date | None:
    return date.fromisoformat(raw) if raw else None


def _age_rule(d: Mapping[str, Any] | None) -> AgeRule | None:
    if not d:
        return None
    return AgeRule(d["field"], d.get("below"), d.get("at_least"))


def _person(p: Mapping[str, Any]) -> model.Person:
    return model.Person(
        p["role"], p["label_vi"], p["label_en"], p.get("reads_card", True), p.get("required", True),
        represents=p.get("represents"), required_age=_age_rule(p.get("required_age")),
        required_when=_conditions(p.get("required_when")), min_age=p.get("min_age"), source=p.get("source", ""),
        confirmed=p.get("confirmed", True),
    )


def _notice_forms(d: Mapping[str, Any]) -> dict[str, model.NoticeForm]:
    return {
        kind: model.NoticeForm(kind, x["code"], x["title_vi"], x.get("source", ""), True, x.get("confirmed", True))
        for kind, x in d.items()
    }


def _agency(d: Mapping[str, Any]) -> model.Agency:
    return model.Agency(d["level"], d["name_vi"], d["name_en"], d.get("confirmed", True))


def _processing(d: Mapping[str, Any]) -> model.Processing:
    c = d.get("counting", {})
    cutoff = time.fromisoformat(c["cutoff"]) if c.get("cutoff") else None
    counting = CountingRule(starts=c.get("starts", "next_working_day"), cutoff=cutoff)
    return model.Processing(
        kind=d["kind"],
        days=d.get("days"),
        extended_days=d.get("extended_days"),
        extended_when_vi=d.get("extended_when_vi", ""),
        extended_when_en=d.get("extended_when_en", ""),
        counting=counting,
        variants=tuple(model.ProcessingVariant(_conditions(v["when"]), v["days"]) for v in d.get("variants", [])),
        windows=tuple(
            model.Window(w["year"], date.fromisoformat(w["from"]), date.fromisoformat(w["to"]), w.get("confirmed", True))
            for w in d.get("windows", [])
        ),
        supplement_days=d.get("supplement_days"),
        note_vi=d.get("note_vi", ""),
        confirmed=d.get("confirmed", True),
    )


def _field(d: Mapping[str, Any]) -> model.Field:
    v = d.get("validation", {})
    rules = model.FieldRules(
        min=v.get("min"), max=v.get("max"), integer=v.get("integer", False), pattern=v.get("pattern"),
        min_length=v.get("min_length"), max_length=v.get("max_length"),
        not_in_future=v.get("not_in_future", False), not_in_past=v.get("not_in_past", False),
        not_before_field=v.get("not_before_field"), must_be_true=v.get("must_be_true", False),
        min_items=v.get("min_items"), max_items=v.get("max_items"),
        accept=tuple(a.lower() for a in v.get("accept", ())), birth_date_field=v.get("birth_date_field"),
    )
    return model.Field(
        id=d["id"], type=d["type"], label_vi=d["label_vi"], label_en=d["label_en"],
        required=d.get("required", True), person=d.get("person", "applicant"), prefill=d.get("prefill"),
        options=tuple(model.FieldOption(o["value"], o["label_vi"], o["label_en"]) for o in d.get("options", [])),
        rules=rules, when=_conditions(d.get("when")), default=d.get("default"),
        help_vi=d.get("help_vi", ""), help_en=d.get("help_en", ""), confirmed=d.get("confirmed", True),
        setting=d.get("setting"),
    )


def _fees(d: Mapping[str, Any]) -> Fee:
    ladder = None
    if "contribution_ladder" in d:
        cl = d["contribution_ladder"]
        ladder = ContributionLadder(
            Decimal(str(cl["first_member_percent"])), tuple(Decimal(str(x)) for x in cl["factors"]),
            cl["base_setting"], cl.get("confirmed", True),
        )
    late = None
    if "late_payment" in d:
        lp = d["late_payment"]
        late = LatePayment(lp["grace_days"], Decimal(str(lp["percent_per_day"])), lp["date_field"],
                           lp["amount_field"], lp.get("confirmed", True))
    return Fee(
        items=tuple(
            FeeItem(
                id=i["id"], label_vi=i["label_vi"], label_en=i["label_en"], amount=i.get("amount"),
                online_amount=i.get("online_amount"), set_by=i.get("set_by", "law"), per=i.get("per", "request"),
                count_field=i.get("count_field"), free_count=i.get("free_count", 0),
                when=_conditions(i.get("when")), confirmed=i.get("confirmed", True),
                schedule=tuple(
                    FeeRate(_date(r.get("from")), _date(r.get("to")), r.get("amount"), r.get("online_amount"),
                            r.get("source", ""), r.get("confirmed", True))
                    for r in i.get("schedule", [])
                ),
                source=i.get("source", ""),
            )
            for i in d["items"]
        ),
        exemptions=tuple(
            Exemption(e["who_vi"], e["who_en"], _conditions(e.get("when")), e.get("confirmed", True),
                      id=e.get("id", ""), evidence_vi=e.get("evidence_vi", ""), evidence_en=e.get("evidence_en", ""),
                      law=e.get("law", ""), age=_age_rule(e.get("age")), effective_from=_date(e.get("from")),
                      effective_to=_date(e.get("to")))
            for e in d.get("exemptions", [])
        ),
        legal_basis=d.get("legal_basis", ""), note_vi=d.get("note_vi", ""), note_en=d.get("note_en", ""),
        contribution_ladder=ladder, late_payment=late,
    )


def service_from_dict(d: Mapping[str, Any]) -> model.Service:
    """Build a model.Service from its (schema-valid) JSON form and check its internal references."""
    service = model.Service(
        number=d["number"], popularity=d["popularity"], name_vi=d["name_vi"], name_en=d["name_en"],
        applicant_kind=d["applicant_kind"], handling=d["handling"],
        receiving=tuple(_agency(a) for a in d["receiving"]), responsible=_agency(d["responsible"]),
        channels=tuple(d["channels"]),
        legal_basis=tuple(model.LegalRef(x["ref"], x.get("confirmed", True)) for x in d["legal_basis"]),
        forms=tuple(model.FormRef(x.get("code"), x["title_vi"], x.get("source", ""), x.get("confirmed", True)) for x in d["forms"]),
        persons=tuple(_person(p) for p in d["persons"]),
        fields=tuple(_field(f) for f in d["fields"]),
        steps=tuple(model.Step(s["id"], s["title_vi"], s["title_en"], tuple(s["fields"])) for s in d["steps"]),
        documents=tuple(
            model.Document(
                id=x["id"], what_vi=x["what_vi"], what_en=x["what_en"], kind=x["kind"], count=x.get("count", 1),
                scan=x.get("scan", "allowed"), required=x.get("required", True),
                condition_vi=x.get("condition_vi", ""), condition_en=x.get("condition_en", ""),
                when=_conditions(x.get("when")), confirmed=x.get("confirmed", True),
            )
            for x in d["documents"]
        ),
        fees=_fees(d["fees"]),
        processing=_processing(d["processing"]),
        result=tuple(model.ResultDoc(r["vi"], r["en"], r.get("electronic", False), r.get("confirmed", True)) for r in d["result"]),
        eligibility=tuple(
            Eligibility(
                id=e["id"], kind=e["kind"], field=e["field"], message_vi=e["message_vi"], message_en=e["message_en"],
                years=e.get("years"), months=e.get("months"), days=e.get("days"), value=e.get("value"),
                values=tuple(e.get("values", ())), to_field=e.get("to_field"), severity=e.get("severity", "block"),
                when=_conditions(e.get("when")), confirmed=e.get("confirmed", True),
                value_setting=e.get("value_setting"), source=e.get("source", ""),
            )
            for e in d.get("eligibility", [])
        ),
        sub_procedures=tuple(
            model.SubProcedure(
                id=s["id"], name_vi=s["name_vi"], name_en=s["name_en"], agency=_agency(s["agency"]),
                processing=_processing(s["processing"]), optional=s.get("optional", False),
                when=_conditions(s.get("when")), note_vi=s.get("note_vi", ""), confirmed=s.get("confirmed", True),
            )
            for s in d.get("sub_procedures", [])
        ),
        notes_vi=tuple(d.get("notes_vi", [])),
        procedure_codes=tuple(
            model.ProcedureCode(pc.get("code"), pc.get("name_vi", ""), _conditions(pc.get("when")), pc.get("source", ""),
                          pc.get("confirmed", True))
            for pc in d.get("procedure_codes", [])
        ),
        notice_forms=_notice_forms(d.get("notice_forms", {})),
    )
    check_service(service)
    return service


