"""Checking one filled-in form: a check per field type, looked up in a table (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from kiosk.domain.catalog.conditions import conditions_hold
from kiosk.domain.catalog.parsing import (
    format_number,
    id_number_problem,
    is_empty,
    normalize_phone,
    parse_date,
    parse_datetime,
    parse_money,
    parse_number,
)
from kiosk.domain.id_number import IdNumber

if TYPE_CHECKING:
    from kiosk.domain.catalog.model import Field, Service

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message_vi: str
    message_en: str


Reason = tuple[str, str] | None
"""Why a value is wrong, in Vietnamese and English; None when it is right."""


def _check_text(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    r = f.rules
    if not isinstance(raw, str):
        if f.type == "address" and isinstance(raw, Mapping):
            missing = [k for k in ("detail", "commune", "province") if is_empty(raw.get(k))]
            if missing:
                return (f"{f.label_vi}: cần ghi đủ số nhà/đường, xã/phường và tỉnh/thành phố.",
                        f"{f.label_en}: give the street, the commune/ward and the province.")
            return None
        return (f"{f.label_vi} phải là chữ.", f"{f.label_en} must be text.")
    text = raw.strip()
    if r.min_length is not None and len(text) < r.min_length:
        return (f"{f.label_vi} quá ngắn (ít nhất {r.min_length} ký tự).",
                f"{f.label_en} is too short (at least {r.min_length} characters).")
    if r.max_length is not None and len(text) > r.max_length:
        return (f"{f.label_vi} quá dài (tối đa {r.max_length} ký tự).",
                f"{f.label_en} is too long (at most {r.max_length} characters).")
    if r.pattern and not re.fullmatch(r.pattern, text):
        hint = f" {f.help_vi}" if f.help_vi else ""
        hint_en = f" {f.help_en}" if f.help_en else ""
        return (f"{f.label_vi} không đúng định dạng.{hint}", f"{f.label_en} is not in the expected format.{hint_en}")
    return None


def _check_moment(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    r = f.rules
    t = f.type
    try:
        moment = parse_date(raw) if t == "date" else parse_datetime(raw)
    except ValueError:
        expected = "ngày/tháng/năm" if t == "date" else "giờ:phút ngày/tháng/năm"
        return (f"{f.label_vi} không phải là {'ngày' if t == 'date' else 'thời điểm'} có thật ({expected}).",
                f"{f.label_en} is not a real {'date' if t == 'date' else 'date and time'}.")
    day = moment if t == "date" else moment.date()
    if r.not_in_future and day > today:
        return (f"{f.label_vi} không được sau ngày hôm nay.", f"{f.label_en} cannot be after today.")
    if r.not_in_past and day < today:
        return (f"{f.label_vi} không được trước ngày hôm nay.", f"{f.label_en} cannot be before today.")
    if r.not_before_field:
        other = form.get(r.not_before_field)
        try:
            other_day = parse_date(other) if other is not None else None
        except ValueError:
            other_day = None
        if other_day is not None and day < other_day:
            return (f"{f.label_vi} không được trước {other_day:%d/%m/%Y}.",
                    f"{f.label_en} cannot be before {other_day:%d/%m/%Y}.")
    return None


def _check_number(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    r = f.rules
    try:
        n = parse_number(raw)
    except ValueError:
        return (f"{f.label_vi} phải là một số.", f"{f.label_en} must be a number.")
    if r.integer and not n.is_integer():
        return (f"{f.label_vi} phải là số nguyên.", f"{f.label_en} must be a whole number.")
    if r.min is not None and n < r.min:
        return (f"{f.label_vi} phải từ {format_number(r.min)} trở lên.",
                f"{f.label_en} must be at least {format_number(r.min)}.")
    if r.max is not None and n > r.max:
        return (f"{f.label_vi} không được quá {format_number(r.max)}.",
                f"{f.label_en} must be at most {format_number(r.max)}.")
    return None


def _check_money(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    r = f.rules
    try:
        amount = parse_money(raw)
    except ValueError:
        return (f"{f.label_vi} phải là số tiền bằng đồng, không có số lẻ.", f"{f.label_en} must be a whole amount in VND.")
    if amount < 0:
        return (f"{f.label_vi} không được là số âm.", f"{f.label_en} cannot be negative.")
    if r.max is not None and amount > r.max:
        return (f"{f.label_vi} không được quá {format_number(r.max)} đồng.",
                f"{f.label_en} must be at most {format_number(r.max)} VND.")
    return None


def _check_phone(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    if not isinstance(raw, str) or normalize_phone(raw) is None:
        return (f"{f.label_vi} phải là số di động Việt Nam gồm 10 chữ số, bắt đầu bằng đầu số đang dùng "
                "(ví dụ 09x, 08x, 03x, 07x, 05x).",
                f"{f.label_en} must be a 10-digit Vietnamese mobile number with a current prefix.")
    return None


def _check_email(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    if not isinstance(raw, str) or len(raw.strip()) > 254 or not _EMAIL_RE.match(raw.strip()):
        return (f"{f.label_vi} không phải địa chỉ thư điện tử hợp lệ (ví dụ ten@example.vn).",
                f"{f.label_en} is not a valid e-mail address.")
    return None


def _check_id_number(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    text = raw.strip() if isinstance(raw, str) else ""
    problem = id_number_problem(text, today)
    if problem:
        return (f"{f.label_vi} {problem[0]}.", f"{f.label_en}: {problem[1]}.")
    birth_field = f.rules.birth_date_field
    if birth_field and not is_empty(form.get(birth_field)):
        try:
            born = parse_date(form[birth_field])
        except ValueError:
            return None
        if IdNumber.parse(text).birth_year != born.year:
            return (f"{f.label_vi} không khớp với năm sinh {born.year}.",
                    f"{f.label_en} does not match the birth year {born.year}.")
    return None


def _check_choice(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    if f.option(raw) is None:
        return (f"{f.label_vi}: hãy chọn một trong các lựa chọn có sẵn.", f"{f.label_en}: pick one of the listed options.")
    return None


def _check_multi_choice(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    r = f.rules
    if not isinstance(raw, list | tuple | set | frozenset):
        return (f"{f.label_vi}: hãy chọn trong danh sách.", f"{f.label_en}: pick from the list.")
    values = list(raw)
    if any(f.option(v) is None for v in values):
        return (f"{f.label_vi}: có lựa chọn không nằm trong danh sách.", f"{f.label_en}: a choice is not in the list.")
    if len(set(values)) != len(values):
        return (f"{f.label_vi}: một lựa chọn bị chọn hai lần.", f"{f.label_en}: a choice is repeated.")
    if r.min_items is not None and len(values) < r.min_items:
        return (f"{f.label_vi}: cần chọn ít nhất {r.min_items}.", f"{f.label_en}: choose at least {r.min_items}.")
    if r.max_items is not None and len(values) > r.max_items:
        return (f"{f.label_vi}: chỉ được chọn tối đa {r.max_items}.", f"{f.label_en}: choose at most {r.max_items}.")
    return None


def _check_boolean(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    if not isinstance(raw, bool):
        return (f"{f.label_vi}: hãy chọn Có hoặc Không.", f"{f.label_en}: answer yes or no.")
    if f.rules.must_be_true and raw is not True:
        return (f"{f.label_vi}: cần có xác nhận này để tiếp nhận hồ sơ.", f"{f.label_en}: this confirmation is required.")
    return None


def _check_file(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    name = raw.get("name") if isinstance(raw, Mapping) else raw
    if not isinstance(name, str) or not name.strip():
        return (f"{f.label_vi}: chưa có tệp quét.", f"{f.label_en}: no scanned file.")
    if f.rules.accept and name.rsplit(".", 1)[-1].lower() not in f.rules.accept:
        kinds = ", ".join(f.rules.accept)
        return (f"{f.label_vi}: tệp phải có dạng {kinds}.", f"{f.label_en}: the file must be {kinds}.")
    return None


#: The check for each field type (FIELD_TYPES); each gets a non-empty value.
CHECKS: dict[str, Callable[[Field, Any, Mapping[str, Any], date], Reason]] = {
    "text": _check_text, "long_text": _check_text, "address": _check_text,
    "date": _check_moment, "datetime": _check_moment,
    "number": _check_number, "money": _check_money, "phone": _check_phone, "email": _check_email,
    "id_number": _check_id_number, "choice": _check_choice, "multi_choice": _check_multi_choice,
    "boolean": _check_boolean, "file": _check_file,
}


def check_value(f: Field, raw: Any, form: Mapping[str, Any], today: date) -> Reason:
    """The (vi, en) reason a non-empty value is wrong for its field, or None."""
    check = CHECKS.get(f.type)
    if check is None:
        return (f"{f.label_vi}: kiểu dữ liệu không được hỗ trợ.", f"{f.label_en}: unsupported type.")
    return check(f, raw, form, today)


def with_defaults(service: Service, values: Mapping[str, Any]) -> dict[str, Any]:
    """The form with each missing field that has a catalog default filled in (as the wizard shows it)."""
    out = dict(values)
    for f in service.fields:
        if f.default is not None and is_empty(out.get(f.id)):
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
        if is_empty(raw):
            if f.required:
                verb = "Chưa chọn" if f.type in ("choice", "multi_choice", "boolean") else "Chưa nhập"
                errors.append(FieldError(f.id, f"{verb} {f.label_vi}.", f"{f.label_en} is required."))
            continue
        problem = check_value(f, raw, values, today)
        if problem:
            errors.append(FieldError(f.id, problem[0], problem[1]))
    return errors


