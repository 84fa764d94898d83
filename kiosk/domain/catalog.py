"""The 25 essential services of Đề án 06 as typed values, and the rules that read them (no I/O)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kiosk.domain.calendar import CountingRule, WorkingCalendar
from kiosk.domain.id_number import IdNumber, IdNumberError

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

# Mobile prefixes in use since the 2018 move from 11 to 10 digits (Viettel, VinaPhone, MobiFone,
# Vietnamobile, Gmobile, iTel, Reddi); landline area codes (02x) are not accepted.
MOBILE_PREFIXES = frozenset({
    "032", "033", "034", "035", "036", "037", "038", "039",
    "052", "055", "056", "058", "059",
    "070", "076", "077", "078", "079",
    "081", "082", "083", "084", "085", "086", "087", "088", "089",
    "090", "091", "092", "093", "094", "096", "097", "098", "099",
})

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_DMY_RE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class ServiceDataError(ValueError):
    """A service description contradicts itself; `path` is where (e.g. `steps[1].fields[2]`)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


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
class FieldError:
    field: str
    message_vi: str
    message_en: str


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


def fold(text: str) -> str:
    """Accent-insensitive search key: đ→d, drop diacritics, lower case, single spaces."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def normalize_phone(raw: str) -> str | None:
    """A Vietnamese mobile number as 10 digits `0xxxxxxxxx`, or None; accepts +84/84, spaces, dots, dashes."""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not re.fullmatch(r"0\d{9}", digits) or digits[:3] not in MOBILE_PREFIXES:
        return None
    return digits


def id_number_problem(value: str, today: date) -> tuple[str, str] | None:
    """Why a 12-digit personal ID number is impossible (vi, en), or None (Circular 07/2016/TT-BCA Art. 7)."""
    try:
        number = IdNumber.parse(value)
    except IdNumberError as exc:
        if exc.reason == "unknown_province":
            return (f"3 chữ số đầu ({value.strip()[:3]}) không phải mã tỉnh, thành phố nơi đăng ký khai sinh",
                    f"the first three digits ({value.strip()[:3]}) are not a province code")
        return ("phải gồm đúng 12 chữ số", "must be exactly 12 digits")
    if number.birth_year > today.year:
        return ("chữ số thứ 4 và năm sinh (chữ số 5–6) cho ra năm sinh trong tương lai",
                "the century digit and birth year give a year in the future")
    return None


def parse_date(value: Any) -> date:
    """A date from a `date`, an ISO string or `dd/mm/yyyy`; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = _DMY_RE.match(text)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    raise ValueError(value)


def parse_datetime(value: Any) -> datetime:
    """A datetime from a `datetime`, an ISO string or `dd/mm/yyyy hh:mm`; raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        text = value.strip()
        m = re.fullmatch(r"(\d{1,2}/\d{1,2}/\d{4})\s+(\d{1,2}):(\d{2})", text)
        if m:
            return datetime.combine(parse_date(m.group(1)), time(int(m.group(2)), int(m.group(3))))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?", text):
            return datetime.fromisoformat(text)
    raise ValueError(value)


def parse_money(value: Any) -> int:
    """Whole đồng from an int or a string such as `1.000.000`; raises ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = re.sub(r"[\s.,]", "", value.strip().removesuffix("đ").removesuffix("VND").strip())
        if re.fullmatch(r"-?\d+", text):
            return int(text)
    raise ValueError(value)


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return float(value.strip().replace(",", "."))
    raise ValueError(value)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | frozenset | dict):
        return len(value) == 0
    return False


def _num(x: float) -> str:
    return f"{int(x):,}".replace(",", ".") if float(x).is_integer() else str(x)


def _check(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> tuple[str, str] | None:
    """The (vi, en) reason a non-empty value is wrong for its field, or None."""
    label_vi, label_en = f.label_vi, f.label_en
    r = f.rules
    t = f.type
    if t in ("text", "long_text", "address") and not isinstance(raw, str):
        if t == "address" and isinstance(raw, Mapping):
            missing = [k for k in ("detail", "commune", "province") if _empty(raw.get(k))]
            if missing:
                return (f"{label_vi}: cần ghi đủ số nhà/đường, xã/phường và tỉnh/thành phố.",
                        f"{label_en}: give the street, the commune/ward and the province.")
            return None
        return (f"{label_vi} phải là chữ.", f"{label_en} must be text.")
    if t in ("text", "long_text", "address"):
        text = raw.strip()
        if r.min_length is not None and len(text) < r.min_length:
            return (f"{label_vi} quá ngắn (ít nhất {r.min_length} ký tự).",
                    f"{label_en} is too short (at least {r.min_length} characters).")
        if r.max_length is not None and len(text) > r.max_length:
            return (f"{label_vi} quá dài (tối đa {r.max_length} ký tự).",
                    f"{label_en} is too long (at most {r.max_length} characters).")
        if r.pattern and not re.fullmatch(r.pattern, text):
            hint = f" {f.help_vi}" if f.help_vi else ""
            hint_en = f" {f.help_en}" if f.help_en else ""
            return (f"{label_vi} không đúng định dạng.{hint}", f"{label_en} is not in the expected format.{hint_en}")
        return None
    if t in ("date", "datetime"):
        try:
            moment = parse_date(raw) if t == "date" else parse_datetime(raw)
        except ValueError:
            expected = "ngày/tháng/năm" if t == "date" else "giờ:phút ngày/tháng/năm"
            return (f"{label_vi} không phải là {'ngày' if t == 'date' else 'thời điểm'} có thật ({expected}).",
                    f"{label_en} is not a real {'date' if t == 'date' else 'date and time'}.")
        day = moment if t == "date" else moment.date()
        if r.not_in_future and day > today:
            return (f"{label_vi} không được sau ngày hôm nay.", f"{label_en} cannot be after today.")
        if r.not_in_past and day < today:
            return (f"{label_vi} không được trước ngày hôm nay.", f"{label_en} cannot be before today.")
        if r.not_before_field:
            other = form.get(r.not_before_field)
            try:
                other_day = parse_date(other) if other is not None else None
            except ValueError:
                other_day = None
            if other_day is not None and day < other_day:
                return (f"{label_vi} không được trước {other_day:%d/%m/%Y}.",
                        f"{label_en} cannot be before {other_day:%d/%m/%Y}.")
        return None
    if t == "number":
        try:
            n = parse_number(raw)
        except ValueError:
            return (f"{label_vi} phải là một số.", f"{label_en} must be a number.")
        if r.integer and not n.is_integer():
            return (f"{label_vi} phải là số nguyên.", f"{label_en} must be a whole number.")
        if r.min is not None and n < r.min:
            return (f"{label_vi} phải từ {_num(r.min)} trở lên.", f"{label_en} must be at least {_num(r.min)}.")
        if r.max is not None and n > r.max:
            return (f"{label_vi} không được quá {_num(r.max)}.", f"{label_en} must be at most {_num(r.max)}.")
        return None
    if t == "money":
        try:
            amount = parse_money(raw)
        except ValueError:
            return (f"{label_vi} phải là số tiền bằng đồng, không có số lẻ.", f"{label_en} must be a whole amount in VND.")
        if amount < 0:
            return (f"{label_vi} không được là số âm.", f"{label_en} cannot be negative.")
        if r.max is not None and amount > r.max:
            return (f"{label_vi} không được quá {_num(r.max)} đồng.", f"{label_en} must be at most {_num(r.max)} VND.")
        return None
    if t == "phone":
        if not isinstance(raw, str) or normalize_phone(raw) is None:
            return (f"{label_vi} phải là số di động Việt Nam gồm 10 chữ số, bắt đầu bằng đầu số đang dùng "
                    "(ví dụ 09x, 08x, 03x, 07x, 05x).",
                    f"{label_en} must be a 10-digit Vietnamese mobile number with a current prefix.")
        return None
    if t == "email":
        if not isinstance(raw, str) or len(raw.strip()) > 254 or not _EMAIL_RE.match(raw.strip()):
            return (f"{label_vi} không phải địa chỉ thư điện tử hợp lệ (ví dụ ten@example.vn).",
                    f"{label_en} is not a valid e-mail address.")
        return None
    if t == "id_number":
        text = raw.strip() if isinstance(raw, str) else ""
        problem = id_number_problem(text, today)
        if problem:
            return (f"{label_vi} {problem[0]}.", f"{label_en}: {problem[1]}.")
        if r.birth_date_field and not _empty(form.get(r.birth_date_field)):
            try:
                born = parse_date(form[r.birth_date_field])
            except ValueError:
                return None
            if IdNumber.parse(text).birth_year != born.year:
                return (f"{label_vi} không khớp với năm sinh {born.year}.",
                        f"{label_en} does not match the birth year {born.year}.")
        return None
    if t == "choice":
        if f.option(raw) is None:
            return (f"{label_vi}: hãy chọn một trong các lựa chọn có sẵn.", f"{label_en}: pick one of the listed options.")
        return None
    if t == "multi_choice":
        if not isinstance(raw, list | tuple | set | frozenset):
            return (f"{label_vi}: hãy chọn trong danh sách.", f"{label_en}: pick from the list.")
        values = list(raw)
        if any(f.option(v) is None for v in values):
            return (f"{label_vi}: có lựa chọn không nằm trong danh sách.", f"{label_en}: a choice is not in the list.")
        if len(set(values)) != len(values):
            return (f"{label_vi}: một lựa chọn bị chọn hai lần.", f"{label_en}: a choice is repeated.")
        if r.min_items is not None and len(values) < r.min_items:
            return (f"{label_vi}: cần chọn ít nhất {r.min_items}.", f"{label_en}: choose at least {r.min_items}.")
        if r.max_items is not None and len(values) > r.max_items:
            return (f"{label_vi}: chỉ được chọn tối đa {r.max_items}.", f"{label_en}: choose at most {r.max_items}.")
        return None
    if t == "boolean":
        if not isinstance(raw, bool):
            return (f"{label_vi}: hãy chọn Có hoặc Không.", f"{label_en}: answer yes or no.")
        if r.must_be_true and raw is not True:
            return (f"{label_vi}: cần có xác nhận này để tiếp nhận hồ sơ.", f"{label_en}: this confirmation is required.")
        return None
    if t == "file":
        name = raw.get("name") if isinstance(raw, Mapping) else raw
        if not isinstance(name, str) or not name.strip():
            return (f"{label_vi}: chưa có tệp quét.", f"{label_en}: no scanned file.")
        if r.accept and name.rsplit(".", 1)[-1].lower() not in r.accept:
            kinds = ", ".join(r.accept)
            return (f"{label_vi}: tệp phải có dạng {kinds}.", f"{label_en}: the file must be {kinds}.")
        return None
    return (f"{label_vi}: kiểu dữ liệu không được hỗ trợ.", f"{label_en}: unsupported type.")


def with_defaults(service: Service, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form with each missing field that has a catalog default filled in (as the wizard shows it)."""
    out = dict(values)
    for f in service.fields:
        if f.default is not None and _empty(out.get(f.id)):
            out[f.id] = f.default
    return out


def validate_form(service: Service, values: Mapping[str, Any], today: date | None = None) -> list[FieldError]:
    """Every problem with a filled-in form, in field order; fields hidden by their `when` are skipped."""
    today = today or date.today()
    values = with_defaults(service, values)
    errors: list[FieldError] = []
    for f in service.fields:
        if not conditions_hold(f.when, values, today):
            continue
        raw = values.get(f.id)
        if _empty(raw):
            if f.required:
                verb = "Chưa chọn" if f.type in ("choice", "multi_choice", "boolean") else "Chưa nhập"
                errors.append(FieldError(f.id, f"{verb} {f.label_vi}.", f"{f.label_en} is required."))
            continue
        problem = _check(f, raw, values, today)
        if problem:
            errors.append(FieldError(f.id, problem[0], problem[1]))
    return errors


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


def _eligibility_fails(rule: Eligibility, form: Mapping[str, Any], on: date,
                       province: Mapping[str, Any] | None = None) -> bool | None:
    """True when the rule is broken, False when met, None when the form lacks what it needs."""
    raw = form.get(rule.field)
    if _empty(raw):
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
            if _empty(end_raw):
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
            value = _num(_threshold(rule, province))
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


def _person(p: Mapping[str, Any]) -> Person:
    return Person(
        p["role"], p["label_vi"], p["label_en"], p.get("reads_card", True), p.get("required", True),
        represents=p.get("represents"), required_age=_age_rule(p.get("required_age")),
        required_when=_conditions(p.get("required_when")), min_age=p.get("min_age"), source=p.get("source", ""),
        confirmed=p.get("confirmed", True),
    )


def _notice_forms(d: Mapping[str, Any]) -> dict[str, NoticeForm]:
    return {
        kind: NoticeForm(kind, x["code"], x["title_vi"], x.get("source", ""), True, x.get("confirmed", True))
        for kind, x in d.items()
    }


def _agency(d: Mapping[str, Any]) -> Agency:
    return Agency(d["level"], d["name_vi"], d["name_en"], d.get("confirmed", True))


def _processing(d: Mapping[str, Any]) -> Processing:
    c = d.get("counting", {})
    cutoff = time.fromisoformat(c["cutoff"]) if c.get("cutoff") else None
    counting = CountingRule(starts=c.get("starts", "next_working_day"), cutoff=cutoff)
    return Processing(
        kind=d["kind"],
        days=d.get("days"),
        extended_days=d.get("extended_days"),
        extended_when_vi=d.get("extended_when_vi", ""),
        extended_when_en=d.get("extended_when_en", ""),
        counting=counting,
        variants=tuple(ProcessingVariant(_conditions(v["when"]), v["days"]) for v in d.get("variants", [])),
        windows=tuple(
            Window(w["year"], date.fromisoformat(w["from"]), date.fromisoformat(w["to"]), w.get("confirmed", True))
            for w in d.get("windows", [])
        ),
        supplement_days=d.get("supplement_days"),
        note_vi=d.get("note_vi", ""),
        confirmed=d.get("confirmed", True),
    )


def _field(d: Mapping[str, Any]) -> Field:
    v = d.get("validation", {})
    rules = FieldRules(
        min=v.get("min"), max=v.get("max"), integer=v.get("integer", False), pattern=v.get("pattern"),
        min_length=v.get("min_length"), max_length=v.get("max_length"),
        not_in_future=v.get("not_in_future", False), not_in_past=v.get("not_in_past", False),
        not_before_field=v.get("not_before_field"), must_be_true=v.get("must_be_true", False),
        min_items=v.get("min_items"), max_items=v.get("max_items"),
        accept=tuple(a.lower() for a in v.get("accept", ())), birth_date_field=v.get("birth_date_field"),
    )
    return Field(
        id=d["id"], type=d["type"], label_vi=d["label_vi"], label_en=d["label_en"],
        required=d.get("required", True), person=d.get("person", "applicant"), prefill=d.get("prefill"),
        options=tuple(FieldOption(o["value"], o["label_vi"], o["label_en"]) for o in d.get("options", [])),
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


def service_from_dict(d: Mapping[str, Any]) -> Service:
    """Build a Service from its (schema-valid) JSON form and check its internal references."""
    service = Service(
        number=d["number"], popularity=d["popularity"], name_vi=d["name_vi"], name_en=d["name_en"],
        applicant_kind=d["applicant_kind"], handling=d["handling"],
        receiving=tuple(_agency(a) for a in d["receiving"]), responsible=_agency(d["responsible"]),
        channels=tuple(d["channels"]),
        legal_basis=tuple(LegalRef(x["ref"], x.get("confirmed", True)) for x in d["legal_basis"]),
        forms=tuple(FormRef(x.get("code"), x["title_vi"], x.get("source", ""), x.get("confirmed", True)) for x in d["forms"]),
        persons=tuple(_person(p) for p in d["persons"]),
        fields=tuple(_field(f) for f in d["fields"]),
        steps=tuple(Step(s["id"], s["title_vi"], s["title_en"], tuple(s["fields"])) for s in d["steps"]),
        documents=tuple(
            Document(
                id=x["id"], what_vi=x["what_vi"], what_en=x["what_en"], kind=x["kind"], count=x.get("count", 1),
                scan=x.get("scan", "allowed"), required=x.get("required", True),
                condition_vi=x.get("condition_vi", ""), condition_en=x.get("condition_en", ""),
                when=_conditions(x.get("when")), confirmed=x.get("confirmed", True),
            )
            for x in d["documents"]
        ),
        fees=_fees(d["fees"]),
        processing=_processing(d["processing"]),
        result=tuple(ResultDoc(r["vi"], r["en"], r.get("electronic", False), r.get("confirmed", True)) for r in d["result"]),
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
            SubProcedure(
                id=s["id"], name_vi=s["name_vi"], name_en=s["name_en"], agency=_agency(s["agency"]),
                processing=_processing(s["processing"]), optional=s.get("optional", False),
                when=_conditions(s.get("when")), note_vi=s.get("note_vi", ""), confirmed=s.get("confirmed", True),
            )
            for s in d.get("sub_procedures", [])
        ),
        notes_vi=tuple(d.get("notes_vi", [])),
        procedure_codes=tuple(
            ProcedureCode(pc.get("code"), pc.get("name_vi", ""), _conditions(pc.get("when")), pc.get("source", ""),
                          pc.get("confirmed", True))
            for pc in d.get("procedure_codes", [])
        ),
        notice_forms=_notice_forms(d.get("notice_forms", {})),
    )
    check_service(service)
    return service


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
    roles = [p.role for p in s.persons]
    if len(set(roles)) != len(roles):
        raise ServiceDataError("persons", "a role is listed twice")
    if "applicant" not in roles:
        raise ServiceDataError("persons", "a person with role 'applicant' is required")
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
    for i, doc in enumerate(s.documents):
        _check_conditions(s, doc.when, f"documents[{i}].when")
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
    for i, p in enumerate(s.persons):
        here = f"persons[{i}]"
        if p.represents is not None and p.represents not in roles:
            raise ServiceDataError(f"{here}.represents", f"{p.represents!r} is not one of the persons {roles}")
        _check_conditions(s, p.required_when, f"{here}.required_when")
        if p.required_age is not None:
            _check_date_field(s, p.required_age.field, f"{here}.required_age.field")
    for i, pc in enumerate(s.procedure_codes):
        _check_conditions(s, pc.when, f"procedure_codes[{i}].when")
        if pc.code is None and pc.confirmed:
            raise ServiceDataError(f"procedure_codes[{i}].code", "a missing code must be marked confirmed: false")
    lp = s.fees.late_payment
    if lp is not None:
        for key, ref, kind in (("date_field", lp.date_field, "date"), ("amount_field", lp.amount_field, "money")):
            if not s.has_field(ref) or s.field(ref).type != kind:
                raise ServiceDataError(f"fees.late_payment.{key}", f"{ref!r} is not a {kind} field")
    _check_processing(s, s.processing, "processing")
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
    for i, sub in enumerate(s.sub_procedures):
        _check_conditions(s, sub.when, f"sub_procedures[{i}].when")
        _check_processing(s, sub.processing, f"sub_procedures[{i}].processing")


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
