"""Checking a dossier before it is accepted: the chips, the form, the legal representative and the scans.

Values read from a chip are locked: a form that contradicts its chip is refused, so the hub receives what the
chip proved. Nothing here writes to the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from kiosk.domain import text
from kiosk.domain.catalog import (
    Field,
    Service,
    age_on,
    check_eligibility,
    parse_date,
    parse_datetime,
    validate_form,
    with_defaults,
)
from kiosk.domain.dossier import ChipSnapshot, SnapshotError
from kiosk.domain.issue import Issue
from kiosk.services.errors import InvalidInput

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class AttachmentIn:
    """A scan handed in: `document_id` is a catalog document (or a file field) of the service."""

    document_id: str
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Checked:
    """A form after every check: values with defaults and chip values merged in, and what is wrong."""

    service: Service
    form: dict[str, Any]
    citizen: ChipSnapshot | None
    persons: dict[str, ChipSnapshot]
    locked: dict[str, str]
    errors: list[Issue]
    warnings: list[Issue]


def clean_input(service: Service, form: Mapping[str, Any], citizen: Any,
                persons: Mapping[str, Any] | None) -> tuple[dict[str, Any], Any, Any]:
    """NFC for every string; a control or text-direction character is refused by the field it is in."""
    long_fields = frozenset(f.id for f in service.fields if f.type == "long_text")
    bad = [*text.unsafe_paths(dict(form), "", long_fields), *text.unsafe_paths(citizen, "citizen"),
           *text.unsafe_paths(persons, "persons")]
    if bad:
        raise InvalidInput([(path, f"{_label(service, path)} {text.MESSAGE_VI}.",
                             f"{_label(service, path, english=True)} {text.MESSAGE_EN}.") for path in bad])
    return text.nfc_tree(dict(form)), text.nfc_tree(citizen), text.nfc_tree(persons)


def _label(service: Service, path: str, english: bool = False) -> str:
    head = path.split(".", 1)[0].split("[", 1)[0]
    if not service.has_field(head):
        return path
    return service.field(head).label_en if english else service.field(head).label_vi


def _same(f: Field, submitted: Any, chip: Any) -> bool:
    """Whether a submitted value says what the chip says (dates in any accepted form, spacing ignored)."""
    try:
        if f.type == "date":
            return parse_date(submitted) == parse_date(chip)
        if f.type == "datetime":
            return parse_datetime(submitted) == parse_datetime(chip)
    except ValueError:
        return False
    if isinstance(submitted, str) and isinstance(chip, str):
        return " ".join(submitted.split()) == " ".join(chip.split())
    return submitted == chip


def chip_snapshots(
    service: Service, citizen: Any, persons: Mapping[str, Any] | None, errors: list[Issue]
) -> dict[str, ChipSnapshot]:
    """The chip read results handed in, by role; what is wrong with one goes to `errors`."""
    snaps: dict[str, ChipSnapshot] = {}
    roles = {p.role: p for p in service.persons}
    if citizen is not None:
        try:
            snaps["applicant"] = ChipSnapshot.parse(citizen)
        except SnapshotError as exc:
            errors.append(Issue("citizen", exc.message_vi, "This is not the result of reading a chip."))
    for role, data in (persons or {}).items():
        if data is None:
            continue
        where = f"persons.{role}"
        person = roles.get(role)
        if person is None or role == "applicant":
            errors.append(Issue(where, f"Dịch vụ này không có người '{role}' "
                                       f"(có: {', '.join(r for r in roles if r != 'applicant')}).",
                                f"This service has no person '{role}'."))
            continue
        if not person.reads_card:
            errors.append(Issue(where, f"{person.label_vi} không có thẻ để đọc chip; hãy nhập tay.",
                                f"The {person.label_en.lower()} has no card to read; type their details in."))
            continue
        try:
            snaps[role] = ChipSnapshot.parse(data)
        except SnapshotError as exc:
            errors.append(Issue(where, exc.message_vi, "This is not the result of reading a chip."))
    for role, snap in snaps.items():
        if snap.verdict == "failed":
            label = roles[role].label_vi if role in roles else role
            errors.append(Issue(
                "citizen" if role == "applicant" else f"persons.{role}",
                f"Chip của {label.lower()} không qua kiểm tra xác thực (có thể là thẻ giả hoặc dữ liệu bị sửa): "
                "không dùng dữ liệu chip này; đối chiếu giấy tờ gốc và nhập tay.",
                "The chip failed verification: do not use its data; check the original papers and type them in.",
                "error",
            ))
    return snaps


def check_form(
    service: Service,
    form: Mapping[str, Any],
    citizen: Any,
    persons: Mapping[str, Any] | None,
    today: date,
    received_on: date | None = None,
    province: Mapping[str, Any] | None = None,
) -> Checked:
    """Every error and warning of a form as the dossier would be received on `received_on` (today when none),
    with the chips' values merged in and locked; `province` holds the per-province settings fields read."""
    province = province or {}
    errors: list[Issue] = []
    warnings: list[Issue] = []
    if not isinstance(form, Mapping):
        raise InvalidInput([("form", "Dữ liệu tờ khai phải là một đối tượng JSON {trường: giá trị}.",
                             "The form data must be a JSON object of {field: value}.")])
    form, citizen, persons = clean_input(service, form, citizen, persons)
    snaps = chip_snapshots(service, citizen, persons, errors)
    merged: dict[str, Any] = with_defaults(service, {k: v for k, v in form.items() if service.has_field(k)})
    for k in form:
        if not service.has_field(k):
            errors.append(Issue(k, f"Trường '{k}' không có trong tờ khai của dịch vụ này.",
                                f"The form of this service has no field '{k}'."))
    for f in service.fields:
        if f.setting and province.get(f.setting) is not None:
            fixed = province[f.setting]
            if form.get(f.id) not in (None, "", fixed):
                errors.append(Issue(f.id, f"{f.label_vi}: theo cấu hình của tỉnh là '{fixed}', không sửa tại quầy.",
                                    f"{f.label_en} is set by the province ({fixed}).", "error"))
            merged[f.id] = fixed
    locked: dict[str, str] = {}
    for role, snap in snaps.items():
        if snap.verdict == "failed":
            continue
        for fid, chip_value in service.prefill(role, snap.chip_fields()).items():
            f = service.field(fid)
            given = form.get(fid)
            if given not in (None, "") and not _same(f, given, chip_value):
                errors.append(Issue(fid, f"{f.label_vi}: khác với dữ liệu đọc từ chip; giá trị lấy từ chip "
                                         "không được sửa.", f"{f.label_en} differs from the chip.", "error"))
            merged[fid] = chip_value
            locked[fid] = role
    for e in validate_form(service, merged, today):
        if not any(x.field == e.field for x in errors):
            errors.append(Issue(e.field, e.message_vi, e.message_en))
    on = received_on or today
    errors.extend(representative_issues(service, merged, snaps, on))
    for issue in check_eligibility(service, merged, on, province):
        rule = next(r for r in service.eligibility if r.id == issue.rule)
        target = Issue(rule.field, issue.message_vi, issue.message_en,
                       "error" if issue.severity == "block" else "warning")
        (errors if issue.severity == "block" else warnings).append(target)
    return Checked(service, merged, snaps.get("applicant"), {r: s for r, s in snaps.items() if r != "applicant"},
                   locked, errors, warnings)


def representative_issues(service: Service, form: Mapping[str, Any], snaps: Mapping[str, ChipSnapshot],
                          on: date) -> list[Issue]:
    """A legal representative the law asks for (under 14, a minor, under guardianship) must take part,
    read from their own card or typed in, and be of age."""
    issues: list[Issue] = []
    for person in service.representatives():
        # The issue sits on the representative's own name field, so the wizard shows it on the step
        # where the officer can still type a representative who has no card.
        where = next((f.id for f in service.fields if f.person == person.role), f"persons.{person.role}")
        snap = snaps.get(person.role)
        typed = any(form.get(f.id) not in (None, "") for f in service.fields
                    if f.person == person.role and (f.prefill == "full_name" or f.id.endswith("full_name")))
        if person.needed(form, on) and snap is None and not typed:
            issues.append(Issue(where, f"Cần {person.label_vi.lower()}: đọc thẻ căn cước của người đại diện "
                                       "(hoặc nhập tay khi không có thẻ).",
                                f"The {person.label_en.lower()} must take part (read their card).", "error"))
            continue
        birth = snap.birth_date if snap is not None else None
        if birth is None and typed:
            raw = next((form.get(f.id) for f in service.fields
                        if f.person == person.role and f.prefill == "birth_date"), None)
            birth = raw
        if person.min_age and birth:
            try:
                age = age_on(parse_date(birth[:10] if isinstance(birth, str) else birth), on)
            except ValueError:
                continue
            if age < person.min_age:
                issues.append(Issue(where, f"{person.label_vi}: phải từ đủ {person.min_age} tuổi (hiện {age} tuổi).",
                                    f"The representative must be {person.min_age} or older.", "error"))
        applicant = snaps.get(person.represents or "applicant")
        if snap is not None and applicant is not None and snap.id_number == applicant.id_number:
            issues.append(Issue(where, "Người đại diện không thể là chính người được đại diện.",
                                "The representative cannot be the person represented.", "error"))
    return issues


def check_attachments(service: Service, form: Mapping[str, Any], attachments: Sequence[AttachmentIn]) -> list[Issue]:
    errors: list[Issue] = []
    documents = {d.id: d for d in service.documents_for(form)}
    file_fields = {f.id for f in service.visible_fields(form) if f.type == "file"}
    for i, a in enumerate(attachments):
        where = f"attachments[{i}]"
        doc = documents.get(a.document_id)
        if doc is None and a.document_id not in file_fields:
            errors.append(Issue(where, f"Giấy tờ '{a.document_id}' không thuộc thành phần hồ sơ của dịch vụ này.",
                                f"The document '{a.document_id}' is not part of this service's dossier."))
        elif doc is not None and doc.scan == "none":
            # Data minimisation (Law 91/2025): the card is shown, its image is not kept.
            errors.append(Issue(where, f"{doc.what_vi}: chỉ xuất trình, không lưu bản quét.",
                                f"{doc.what_en}: shown only; no scan of it is kept."))
        if a.media_type not in MEDIA_TYPES:
            errors.append(Issue(where, "Bản quét phải là PDF, JPEG hoặc PNG.", "A scan must be a PDF, JPEG or PNG file."))
        if not a.data:
            errors.append(Issue(where, "Tệp quét rỗng.", "The scanned file is empty."))
        elif len(a.data) > MAX_ATTACHMENT_BYTES:
            errors.append(Issue(where, "Tệp quét lớn hơn 10 MB; hãy quét ở độ phân giải thấp hơn.",
                                "The scan is larger than 10 MB; scan it at a lower resolution."))
    given = {a.document_id for a in attachments}
    for doc in documents.values():
        if doc.scan == "required" and doc.required and doc.id not in given:
            errors.append(Issue(f"documents.{doc.id}", f"Cần bản quét: {doc.what_vi}.", f"Scan needed: {doc.what_en}."))
    return errors
