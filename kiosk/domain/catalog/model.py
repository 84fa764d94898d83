"""The 25 essential services of Đề án 06 as typed values: what a service asks, needs and gives (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any

from kiosk.domain.calendar import CountingRule, WorkingCalendar
from kiosk.domain.catalog.conditions import AgeRule, Condition, conditions_hold
from kiosk.domain.catalog.parsing import fold
from kiosk.domain.catalog.rules import Eligibility, Fee, FeeQuote, quote_fee

FIELD_TYPES = (
    "text", "long_text", "date", "datetime", "number", "money", "phone", "email", "id_number",
    "choice", "multi_choice", "boolean", "address", "file",
)
CHIP_FIELDS = (
    "id_number", "full_name", "birth_date", "sex", "nationality", "ethnicity", "religion",
    "place_of_origin", "place_of_residence", "father_name", "mother_name", "spouse_name",
    "old_id_number", "issue_date", "expiry_date",
)
APPLICANT_KINDS = ("citizen", "organisation")
HANDLING = ("receive", "forward", "lookup")
AGENCY_LEVELS = ("commune", "province", "central", "public_service", "enterprise", "school")
CHANNELS = ("counter", "online", "post")
DOCUMENT_KINDS = (
    "original", "copy", "certified_copy", "original_or_certified_copy", "show_original", "present",
    "copy_or_photo_with_original",
)
SCAN_MODES = ("none", "allowed", "required")
FEE_SET_BY = ("law", "province", "provider")
FEE_PER = ("request", "person", "copy", "item", "wish")
PROCESSING_KINDS = ("working_days", "same_day", "immediate", "annual_window", "on_payment")
ELIGIBILITY_KINDS = (
    "age_at_least", "age_below", "field_in", "includes", "number_at_least",
    "within_months_of", "within_days_of", "span_at_most_months",
)
SEVERITIES = ("block", "warn")
NOTICE_KINDS = ("receipt", "supplement", "refusal")
#: The one-stop forms of Circular 03/2025/TT-VPCP (Appendix I), used where a sector has none of its own.
ONE_STOP_FORMS = {
    "receipt": ("Mẫu 01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement": ("Mẫu 02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": ("Mẫu 03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
}
ONE_STOP_SOURCE = "Thông tư 03/2025/TT-VPCP, Phụ lục I"


class ServiceDataError(ValueError):
    """A service description contradicts itself; `path` is where (e.g. `steps[1].fields[2]`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message



@dataclass(frozen=True)
class FieldOption:
    value: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class FieldRules:
    min: float | None = None
    max: float | None = None
    integer: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    not_in_future: bool = False
    not_in_past: bool = False
    not_before_field: str | None = None
    must_be_true: bool = False
    min_items: int | None = None
    max_items: int | None = None
    accept: tuple[str, ...] = ()
    birth_date_field: str | None = None


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label_vi: str
    label_en: str
    required: bool = True
    person: str = "applicant"
    prefill: str | None = None
    options: tuple[FieldOption, ...] = ()
    rules: FieldRules = FieldRules()
    when: tuple[Condition, ...] = ()
    default: Any = None
    help_vi: str = ""
    help_en: str = ""
    confirmed: bool = True
    setting: str | None = None

    def option(self, value: Any) -> FieldOption | None:
        return next((o for o in self.options if o.value == value), None)



@dataclass(frozen=True)
class Step:
    id: str
    title_vi: str
    title_en: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Person:
    """Someone the dossier is about; `reads_card` means their chip can prefill their fields.

    A legal representative (`represents` names whom) is required when `required_age` holds for the
    person represented (e.g. under 14) or when `required_when` holds (e.g. under guardianship).
    """

    role: str
    label_vi: str
    label_en: str
    reads_card: bool = True
    required: bool = True
    represents: str | None = None
    required_age: AgeRule | None = None
    required_when: tuple[Condition, ...] = ()
    min_age: int | None = None
    source: str = ""
    confirmed: bool = True

    def needed(self, form: Mapping[str, Any], on: date) -> bool:
        """Whether this person must take part in this dossier (always, or by the representative rule)."""
        if self.required:
            return True
        if self.required_when and conditions_hold(self.required_when, form, on):
            return True
        return bool(self.required_age and self.required_age.holds(form, on))


@dataclass(frozen=True)
class Agency:
    level: str
    name_vi: str
    name_en: str
    confirmed: bool = True


@dataclass(frozen=True)
class LegalRef:
    ref: str
    confirmed: bool = True


@dataclass(frozen=True)
class FormRef:
    code: str | None
    title_vi: str
    source: str
    confirmed: bool = True


@dataclass(frozen=True)
class NoticeForm:
    """Which paper the counter hands over: the receipt, the request to supplement or the refusal."""

    kind: str
    code: str
    title_vi: str
    source: str
    sector: bool = False
    confirmed: bool = True


@dataclass(frozen=True)
class ProcedureCode:
    """The national procedure code (mã thủ tục hành chính) the back office files the dossier under."""

    code: str | None
    name_vi: str = ""
    when: tuple[Condition, ...] = ()
    source: str = ""
    confirmed: bool = True



@dataclass(frozen=True)
class Document:
    id: str
    what_vi: str
    what_en: str
    kind: str
    count: int = 1
    scan: str = "allowed"
    required: bool = True
    condition_vi: str = ""
    condition_en: str = ""
    when: tuple[Condition, ...] = ()
    confirmed: bool = True



@dataclass(frozen=True)
class ProcessingVariant:
    when: tuple[Condition, ...]
    days: int


@dataclass(frozen=True)
class Window:
    year: int
    start: date
    end: date
    confirmed: bool = True


@dataclass(frozen=True)
class Processing:
    kind: str
    days: int | None = None
    extended_days: int | None = None
    extended_when_vi: str = ""
    extended_when_en: str = ""
    counting: CountingRule = CountingRule()
    variants: tuple[ProcessingVariant, ...] = ()
    windows: tuple[Window, ...] = ()
    supplement_days: int | None = None
    note_vi: str = ""
    confirmed: bool = True

    def days_for(self, form: Mapping[str, Any] | None = None, on: date | None = None) -> int | None:
        """Working days for this dossier: 0 for same-day, None where no working-day deadline applies."""
        if self.kind == "same_day":
            return 0
        if self.kind != "working_days":
            return None
        for v in self.variants:
            if form is not None and conditions_hold(v.when, form, on):
                return v.days
        return self.days


@dataclass(frozen=True)
class ResultDoc:
    vi: str
    en: str
    electronic: bool = False
    confirmed: bool = True



@dataclass(frozen=True)
class SubProcedure:
    id: str
    name_vi: str
    name_en: str
    agency: Agency
    processing: Processing
    optional: bool = False
    when: tuple[Condition, ...] = ()
    note_vi: str = ""
    confirmed: bool = True



@dataclass(frozen=True)
class Service:
    """One essential public service (dịch vụ công thiết yếu), described once for wizard, CLI and receipt."""

    number: int
    popularity: int
    name_vi: str
    name_en: str
    applicant_kind: str
    handling: str
    receiving: tuple[Agency, ...]
    responsible: Agency
    channels: tuple[str, ...]
    legal_basis: tuple[LegalRef, ...]
    forms: tuple[FormRef, ...]
    persons: tuple[Person, ...]
    fields: tuple[Field, ...]
    steps: tuple[Step, ...]
    documents: tuple[Document, ...]
    fees: Fee
    processing: Processing
    result: tuple[ResultDoc, ...]
    eligibility: tuple[Eligibility, ...] = ()
    sub_procedures: tuple[SubProcedure, ...] = ()
    notes_vi: tuple[str, ...] = ()
    procedure_codes: tuple[ProcedureCode, ...] = ()
    notice_forms: Mapping[str, NoticeForm] = dc_field(default_factory=dict, compare=False)
    _by_id: Mapping[str, Field] = dc_field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {f.id: f for f in self.fields})

    def field(self, field_id: str) -> Field:
        return self._by_id[field_id]

    def has_field(self, field_id: str) -> bool:
        return field_id in self._by_id

    def person(self, role: str) -> Person:
        return next(p for p in self.persons if p.role == role)

    def prefill_map(self, role: str = "applicant") -> dict[str, str]:
        """Form field id -> chip field name, for the card of the person in `role`."""
        return {f.id: f.prefill for f in self.fields if f.person == role and f.prefill}

    def prefill(self, role: str, chip: Mapping[str, Any]) -> dict[str, Any]:
        """Form values taken from one person's chip data (keys are CHIP_FIELDS); absent chip values are skipped."""
        out: dict[str, Any] = {}
        for fid, name in self.prefill_map(role).items():
            value = chip.get(name)
            if value in (None, ""):
                continue
            f = self._by_id[fid]
            if f.type == "choice" and f.option(value) is None:
                # The chip holds labels ("Nam", "Nữ"); the form holds option values ("male", "female").
                key = fold(str(value))
                match = next((o for o in f.options if key in (fold(o.label_vi), fold(o.label_en), fold(o.value))), None)
                if match is None:
                    continue
                value = match.value
            out[fid] = value
        return out

    def visible_fields(self, form: Mapping[str, Any], on: date | None = None) -> list[Field]:
        return [f for f in self.fields if conditions_hold(f.when, form, on)]

    def documents_for(self, form: Mapping[str, Any], on: date | None = None) -> list[Document]:
        return [d for d in self.documents if conditions_hold(d.when, form, on)]

    def sub_procedures_for(self, form: Mapping[str, Any]) -> list[SubProcedure]:
        return [s for s in self.sub_procedures if conditions_hold(s.when, form)]

    def fee_quote(self, form: Mapping[str, Any], online: bool = False, on: date | None = None,
                  people: int | None = None) -> FeeQuote:
        return quote_fee(self, form, online, on, people)

    def procedure_code(self, form: Mapping[str, Any] | None = None, on: date | None = None) -> ProcedureCode | None:
        """The national procedure code of this dossier: the first whose conditions the form meets."""
        for pc in self.procedure_codes:
            if not pc.when or (form is not None and conditions_hold(pc.when, form, on)):
                return pc
        return self.procedure_codes[0] if self.procedure_codes else None

    def notice_form(self, kind: str) -> NoticeForm:
        """The sector's own receipt/supplement/refusal form where it has one, else Mẫu 01/02/03."""
        if kind in self.notice_forms:
            return self.notice_forms[kind]
        code, title = ONE_STOP_FORMS[kind]
        return NoticeForm(kind, code, title, ONE_STOP_SOURCE)

    def representatives(self) -> list[Person]:
        return [p for p in self.persons if p.represents]

    def due_date(self, calendar: WorkingCalendar, received_at: datetime, form: Mapping[str, Any] | None = None) -> date | None:
        """The appointment date for the receipt, or None when this service has no working-day deadline."""
        days = self.processing.days_for(form, received_at.date())
        if days is None:
            return None
        return calendar.appointment_date(received_at, days, self.processing.counting)



