"""Citizens and form data for the dossier, receipt and GUI tests, built from the virtual chip and the catalog.

The chip snapshot goes through the real LDS encoders and parsers (DG1 MRZ, DG13) into a
`ChipReadResult`, so it has exactly the shape `kiosk card read --json` prints. Form samples are
derived from each field's type, options and rules, then adjusted to each service's eligibility rules.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from hypothesis import find
from hypothesis import strategies as st

from kiosk.devices.icao.document import ChipReadResult, MrzData, Verification, personal_fields
from kiosk.devices.icao.lds.dg1 import parse_dg1
from kiosk.devices.icao.lds.dg13 import parse_dg13
from kiosk.devices.vchip import lds
from kiosk.devices.vchip.citizen import Citizen, generate_citizen
from kiosk.domain.catalog import Field, Service, add_months, check_eligibility, conditions_hold
from kiosk.domain.dossier import ChipSnapshot
from kiosk.services.dossiers import AttachmentIn

TODAY = date(2026, 11, 25)

# A tiny valid PDF: enough for a scan attachment of a required document.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def snapshot(citizen: Citizen, passive: str = "chain_verified") -> dict[str, Any]:
    """The `ChipReadResult.to_json()` object for this citizen's chip, through the real parsers."""
    dg1_bytes = lds.dg1(lds.td1_mrz(citizen))
    named, unknown = personal_fields(parse_dg13(lds.dg13(lds.dg13_fields(citizen))))
    result = ChipReadResult(
        mrz=MrzData.from_mrz(parse_dg1(dg1_bytes)),
        personal=MappingProxyType(named),
        unknown_fields=MappingProxyType(unknown),
        photo=None,
        photo_mime=None,
        verification=Verification("BAC", passive, () if passive != "failed" else ("dg_hash_mismatch:DG13",),
                                  "verified", "verified"),
        apdu_count=42,
        seconds=0.8,
        dg1_sha256=hashlib.sha256(dg1_bytes).hexdigest(),
        document_number=citizen.document_number,
    )
    return result.to_json()


def person(seed: int, **kwargs: Any) -> Citizen:
    return generate_citizen(seed, today=TODAY, **kwargs)


# Who reads which card, with what must hold for the service's rules (marriage ages, sexes).
ROLE_PEOPLE = {
    "bride": {"sex": "F", "age": 27},
    "groom": {"sex": "M", "age": 29},
    "mother": {"sex": "F", "age": 28},
    "father": {"sex": "M", "age": 31},
    "deceased": {"age": 80},
    "representative": {"age": 40},
    "guardian": {"age": 40},
}


def _regex_sample(pattern: str, max_length: int | None) -> str:
    return find(st.from_regex(pattern, fullmatch=True),
                lambda s: (max_length is None or len(s) <= max_length) and s.strip() == s and s != "")


def sample_value(f: Field, today: date = TODAY) -> Any:
    """A valid value for one field, read off its type, options and rules (its catalog default first)."""
    if f.default is not None:
        return f.default
    r = f.rules
    if f.type in ("text", "long_text"):
        if r.pattern:
            return _regex_sample(r.pattern, r.max_length)
        text = f"Mẫu {f.label_vi}"
        return text[: r.max_length] if r.max_length else text
    if f.type == "address":
        return "Số 12, đường Lê Lợi, phường Bến Nghé, thành phố Hồ Chí Minh"
    if f.type == "date":
        day = today + timedelta(days=10) if r.not_in_past else today - timedelta(days=20)
        return day.isoformat()
    if f.type == "datetime":
        return (datetime.combine(today, datetime.min.time()) - timedelta(days=2, hours=-9)).isoformat(timespec="minutes")
    if f.type == "number":
        low = r.min if r.min is not None else 1
        return int(max(low, 1 if r.max is None or r.max >= 1 else low))
    if f.type == "money":
        return 1_500_000
    if f.type == "phone":
        return "0912345678"
    if f.type == "email":
        return "congdan@example.vn"
    if f.type == "id_number":
        return person(900 + len(f.id)).id_number
    if f.type == "choice":
        return f.options[0].value
    if f.type == "multi_choice":
        n = max(r.min_items or 1, 1)
        return [o.value for o in f.options[:n]]
    if f.type == "boolean":
        return True
    if f.type == "file":
        return {"name": "anh-chan-dung.jpg"}
    raise AssertionError(f"no sample for type {f.type}")


def _satisfy(service: Service, form: dict[str, Any], on: date) -> None:
    """Change the form until every blocking eligibility rule is met (derived from each rule's kind)."""
    for rule in service.eligibility:
        if rule.severity != "block" or not conditions_hold(rule.when, form):
            continue
        f = rule.field
        if rule.kind == "age_at_least":
            form[f] = date(on.year - (rule.years or 0) - 5, 3, 1).isoformat()
        elif rule.kind == "age_below":
            form[f] = (on - timedelta(days=200)).isoformat()
        elif rule.kind == "within_months_of":
            form[f] = (add_months(on, -(rule.months or 0)) + timedelta(days=15)).isoformat()
        elif rule.kind == "within_days_of":
            form[f] = (on - timedelta(days=max(0, (rule.days or 0) - 5))).isoformat()
        elif rule.kind == "field_in":
            form[f] = rule.values[0]
        elif rule.kind == "includes":
            form[f] = list(dict.fromkeys([*rule.values, *(form.get(f) or [])]))[: service.field(f).rules.max_items or None]
        elif rule.kind == "number_at_least":
            form[f] = int(rule.value or 0)


def sample_dossier(service: Service, seed: int = 1, today: date = TODAY) -> dict[str, Any]:
    """citizen, persons, form and attachments for a dossier valid for `service` on `today`."""
    form: dict[str, Any] = {}
    citizen = person(seed, age=35)
    # Conditions may test the applicant's age, which the chip gives: evaluate them with the chip's values.
    applicant_chip = (service.prefill("applicant", ChipSnapshot.parse(snapshot(citizen)).chip_fields())
                      if service.person("applicant").reads_card else {})
    for _ in range(3):  # conditions open fields that open others; three passes reach every depth here
        for f in service.fields:
            if f.id not in form and conditions_hold(f.when, form | applicant_chip, today):
                form[f.id] = sample_value(f, today)
        form = {k: v for k, v in form.items() if conditions_hold(service.field(k).when, form | applicant_chip, today)}
    _satisfy(service, form, today)
    persons: dict[str, Any] = {}
    chips: dict[str, Citizen] = {}
    applicant = service.person("applicant")
    if applicant.reads_card:
        chips["applicant"] = citizen
    for p in service.persons:
        if p.role == "applicant" or not p.reads_card:
            continue
        if any(f.person == p.role and f.prefill and f.id in form for f in service.fields):
            c = person(seed * 31 + len(p.role), **ROLE_PEOPLE.get(p.role, {}))
            chips[p.role] = c
            persons[p.role] = snapshot(c)
    for role, c in chips.items():
        for fid in service.prefill(role, ChipSnapshot.parse(snapshot(c)).chip_fields()):
            form.pop(fid, None)  # the chip fills these; what it lacks stays typed
    # Rules on chip-filled dates (e.g. marriage ages) hold by construction of ROLE_PEOPLE.
    attachments = [
        AttachmentIn(d.id, f"{d.id}.pdf", "application/pdf", PDF_BYTES)
        for d in service.documents_for(form) if d.scan == "required"
    ]
    return {"citizen": snapshot(citizen), "persons": persons, "form": form, "attachments": attachments,
            "chips": chips}


def write_json(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def cli_files(folder: Path, service: Service, seed: int = 1, today: date = TODAY) -> tuple[list[str], dict[str, Any]]:
    """`kiosk dossier create` arguments for a valid dossier of `service`, its files written to `folder`."""
    sample = sample_dossier(service, seed, today=today)
    n = service.number
    args = ["--service", str(n), "--citizen", write_json(folder / f"citizen-{seed}.json", sample["citizen"]),
            "--data", write_json(folder / f"form-{n}-{seed}.json", sample["form"])]
    for role, chip in sample["persons"].items():
        args += ["--person", f"{role}={write_json(folder / f'{role}-{seed}.json', chip)}"]
    for a in sample["attachments"]:
        scan = folder / a.filename
        scan.write_bytes(a.data)
        args += ["--attach", f"{a.document_id}={scan}"]
    return args, sample


def blocking(service: Service, form: Mapping[str, Any], on: date) -> list[str]:
    return [i.rule for i in check_eligibility(service, form, on) if i.severity == "block"]


class StationClock:
    """A UTC clock the test sets by station time (ICT, UTC+7), so receipt hours read naturally."""

    def __init__(self, local: datetime) -> None:
        self.set(local)

    def set(self, local: datetime) -> None:
        self.now = local - timedelta(hours=7)

    def __call__(self) -> datetime:
        return self.now
