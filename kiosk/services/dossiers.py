"""Dossiers (hồ sơ): validate a wizard step, keep drafts, submit, look up, search and move the status.

A submitted dossier is one transaction: the dossier with its persons, first history line, scans, index
row, audit entry and outbox row commit together or not at all. Values read from a chip are locked: a
form that contradicts its chip is refused, so the hub receives what the chip proved.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_dossier import (
    DossierAttachment,
    DossierDraft,
    DossierHistoryRow,
    DossierPerson,
    DossierRow,
)
from kiosk.domain import text
from kiosk.domain.catalog import (
    FeeQuote,
    Field,
    Service,
    age_on,
    check_eligibility,
    parse_date,
    parse_datetime,
    validate_form,
    with_defaults,
)
from kiosk.domain.dossier import (
    ChipSnapshot,
    HistoryEntry,
    SnapshotError,
    Status,
    TransitionError,
    check_transition,
    legal_basis,
    local_received_at,
    mask_id,
    next_statuses,
)
from kiosk.domain.issue import Issue
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.tracking import (
    SLOTS,
    UNENROLLED_BLOCK,
    TrackingCode,
    TrackingCodeError,
    check_unit_id,
    day_counter_name,
)
from kiosk.services import audit, outbox
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import Catalog
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from kiosk.services.identity import SLOT_META, SLOT_SOURCE_META, identity
from kiosk.services.permissions import require, require_any
from kiosk.services.search import SearchQuery, find_ids, index_dossier
from kiosk.wire.ops import OpKind

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MEDIA_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
OUTBOX_SCHEMA = 1
CREATED_KIND = OpKind.DOSSIER_CREATED
STATUS_KIND = OpKind.DOSSIER_STATUS
HUB_ACTOR = "hub"


class DossierError(ServiceError):
    """A refusal with a Vietnamese sentence for staff (`message_vi`)."""

    code = "dossier_error"

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


@dataclass(frozen=True)
class AttachmentIn:
    """A scan handed in: `document_id` is a catalog document (or a file field) of the service."""

    document_id: str
    filename: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Prefill:
    """Form values taken from the chips, and which fields are locked (field id -> person role)."""

    values: dict[str, Any]
    locked: dict[str, str]


@dataclass(frozen=True)
class DraftInfo:
    id: str
    service_no: int
    step: str | None
    created_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "service_no": self.service_no, "step": self.step,
                "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass(frozen=True)
class Draft:
    info: DraftInfo
    citizen: dict[str, Any] | None
    persons: dict[str, Any]
    form: dict[str, Any]


@dataclass(frozen=True)
class Submitted:
    """What the receipt (Mẫu 01) needs first: the code, the appointment date, the status."""

    tracking_code: str
    service_no: int
    status: str
    received_at: str
    appointment_date: str | None
    warnings: tuple[Issue, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "tracking_code": self.tracking_code, "service_no": self.service_no, "status": self.status,
            "received_at": self.received_at, "appointment_date": self.appointment_date,
            "warnings": [w.as_json() for w in self.warnings],
        }


@dataclass(frozen=True)
class _Checked:
    service: Service
    form: dict[str, Any]
    citizen: ChipSnapshot | None
    persons: dict[str, ChipSnapshot]
    locked: dict[str, str]
    errors: list[Issue]
    warnings: list[Issue]


def _clean_input(service: Service, form: Mapping[str, Any], citizen: Any,
                 persons: Mapping[str, Any] | None) -> tuple[dict[str, Any], Any, Any]:
    """NFC for every string; a control or text-direction character is refused by the field it is in."""
    long_fields = frozenset(f.id for f in service.fields if f.type == "long_text")
    bad = [*text.unsafe_paths(dict(form), "", long_fields), *text.unsafe_paths(citizen, "citizen"),
           *text.unsafe_paths(persons, "persons")]
    if bad:
        raise InvalidInput([(path, f"{_label(service, path)} {text.MESSAGE_VI}.") for path in bad])
    return text.nfc_tree(dict(form)), text.nfc_tree(citizen), text.nfc_tree(persons)


def _label(service: Service, path: str) -> str:
    head = path.split(".", 1)[0].split("[", 1)[0]
    return service.field(head).label_vi if service.has_field(head) else path


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


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


def _clean_filename(name: str) -> str:
    base = PurePath(str(name).replace("\\", "/")).name.strip()
    return base[:200] or "scan"


class DossierService:
    """Use cases of the dossier wizard and the dossier list, for the GUI, the CLI and the hub sync."""

    def __init__(
        self, db: Database, catalog: Catalog, calendar: CalendarService, unit_id: str, clock: Clock = utc_now,
        province: Mapping[str, Any] | None = None,
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.calendar = calendar
        self.unit_id = unit_id
        self.clock = clock
        # Per-province settings (minimum floor area, vehicle-fee area) that catalog fields and rules read.
        self.province = dict(province or {})

    # The kiosk's block of the daily sequence (see kiosk.domain.tracking).

    def slot(self) -> int:
        raw = self.db.meta(SLOT_META)
        return int(raw) if raw is not None else UNENROLLED_BLOCK

    def slot_source(self) -> str:
        """"hub" once the hub gave this kiosk its block (at enrolment), else "local"."""
        return self.db.meta(SLOT_SOURCE_META) or "local"

    def set_slot(self, principal: Principal, slot: int) -> None:
        """Give a kiosk with no hub its block of the day's numbers; each kiosk of a station needs its own.
        Once enrolled, the hub owns the blocks (unique in the station) and this is refused."""
        require(principal, Permission.SETTINGS_CHANGE)
        if self.slot_source() == "hub":
            raise InvalidInput([("slot", f"Máy chủ trung tâm đã cấp cho kiosk này khối số {self.slot()}; khối số do "
                                         "máy chủ quản lý để các kiosk của trạm không trùng nhau.")])
        if slot not in SLOTS:
            raise InvalidInput([("slot", "Số khối của kiosk phải từ 0 đến 9.")])
        with self.db.transaction() as session:
            row = session.get(KioskMeta, SLOT_META)
            old = row.value if row else None
            if row is None:
                session.add(KioskMeta(key=SLOT_META, value=str(slot)))
            else:
                row.value = str(slot)
            audit.append(session, principal.audit_name, "dossier.slot", "kiosk", "", {"from": old, "to": slot}, self.clock)

    # The wizard: prefill, validate a step, drafts.

    def service(self, number: int) -> Service:
        try:
            return self.catalog.get(int(number))
        except (KeyError, ValueError):
            raise InvalidInput([("service", f"Không có dịch vụ số {number} (chỉ có 1–25).")]) from None

    def prefill(
        self, principal: Principal, service_no: int, citizen: Any = None, persons: Mapping[str, Any] | None = None
    ) -> Prefill:
        """The form values the chips give (applicant and other persons); these fields are locked."""
        require_any(principal, Permission.DOSSIER_CREATE, Permission.QUEUE_TAKE)
        service = self.service(service_no)
        errors: list[Issue] = []
        snaps = self._snapshots(service, citizen, persons, errors)
        if errors:
            raise InvalidInput([(e.field, e.message_vi) for e in errors])
        values: dict[str, Any] = {}
        locked: dict[str, str] = {}
        for role, snap in snaps.items():
            for fid, value in service.prefill(role, snap.chip_fields()).items():
                values[fid] = value
                locked[fid] = role
        return Prefill(values, locked)

    def validate(
        self,
        principal: Principal,
        service_no: int,
        form: Mapping[str, Any],
        citizen: Any = None,
        persons: Mapping[str, Any] | None = None,
        step: str | None = None,
    ) -> list[Issue]:
        """Every error and warning of the form (or of one wizard step), without saving anything; the hall's
        citizen (QUEUE_TAKE) gets the same checks for the draft of a queue ticket."""
        require_any(principal, Permission.DOSSIER_CREATE, Permission.QUEUE_TAKE)
        checked = self._check(self.service(service_no), form, citizen, persons, self._now_local().date())
        issues = checked.errors + checked.warnings
        if step is not None:
            try:
                wanted = set(next(s.fields for s in checked.service.steps if s.id == step))
            except StopIteration:
                raise InvalidInput([("step", f"Dịch vụ này không có bước '{step}'.")]) from None
            # Problems with the chips themselves belong to every step: the wizard shows them at once.
            issues = [i for i in issues if i.field in wanted or i.field == "citizen" or i.field.startswith("persons.")]
        return issues

    def save_draft(
        self,
        principal: Principal,
        service_no: int,
        form: Mapping[str, Any],
        citizen: Any = None,
        persons: Mapping[str, Any] | None = None,
        step: str | None = None,
        draft_id: str | None = None,
    ) -> DraftInfo:
        """Keep the wizard's state (inside the encrypted database); only its author sees it again."""
        require(principal, Permission.DOSSIER_CREATE)
        self.service(service_no)
        data = json.dumps(_jsonable({"citizen": citizen, "persons": dict(persons or {}), "form": dict(form)}),
                          ensure_ascii=False)
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = self._own_draft(session, principal, draft_id) if draft_id else None
            if row is None:
                row = DossierDraft(id=str(uuid.uuid4()), owner=principal.audit_name, service_no=int(service_no),
                                   step=step, data=data, created_at=now, updated_at=now)
                session.add(row)
                audit.append(session, principal.audit_name, "dossier.draft_save", "draft", row.id,
                             {"service": int(service_no)}, self.clock)
            else:
                row.service_no, row.step, row.data, row.updated_at = int(service_no), step, data, now
            return self._draft_info(row)

    def list_drafts(self, principal: Principal) -> list[DraftInfo]:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.sessions() as session:
            rows = session.scalars(
                select(DossierDraft).where(DossierDraft.owner == principal.audit_name).order_by(DossierDraft.updated_at.desc())
            )
            return [self._draft_info(r) for r in rows]

    def load_draft(self, principal: Principal, draft_id: str) -> Draft:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.sessions() as session:
            row = self._own_draft(session, principal, draft_id)
            if row is None:
                raise NotFound(f"bản nháp {draft_id}")
            data = json.loads(row.data)
            return Draft(self._draft_info(row), data.get("citizen"), data.get("persons") or {}, data.get("form") or {})

    def discard_draft(self, principal: Principal, draft_id: str) -> None:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.transaction() as session:
            row = self._own_draft(session, principal, draft_id)
            if row is None:
                raise NotFound(f"bản nháp {draft_id}")
            session.delete(row)
            audit.append(session, principal.audit_name, "dossier.draft_discard", "draft", draft_id, {}, self.clock)

    @staticmethod
    def _own_draft(session: Session, principal: Principal, draft_id: str) -> DossierDraft | None:
        row = session.get(DossierDraft, draft_id)
        # Another person's draft is reported as missing: its existence is not theirs to know.
        return row if row is not None and row.owner == principal.audit_name else None

    @staticmethod
    def _draft_info(row: DossierDraft) -> DraftInfo:
        return DraftInfo(row.id, row.service_no, row.step, row.created_at, row.updated_at)

    # Submission.

    def submit(
        self,
        principal: Principal,
        service_no: int,
        citizen: Any = None,
        persons: Mapping[str, Any] | None = None,
        form: Mapping[str, Any] | None = None,
        attachments: Sequence[AttachmentIn] = (),
        received_at: datetime | None = None,
        draft_id: str | None = None,
    ) -> Submitted:
        """Accept the dossier: code, appointment date, history, scans, audit and outbox in one transaction."""
        require(principal, Permission.DOSSIER_CREATE)
        service = self.service(service_no)
        now_local = self._now_local()
        received = local_received_at(received_at, self.clock())
        if received > now_local.replace(second=59, microsecond=999999):
            raise InvalidInput([("received_at", "Thời điểm tiếp nhận không được ở tương lai.")])
        checked = self._check(service, form or {}, citizen, persons, now_local.date(), received.date())
        errors = list(checked.errors) + self._check_attachments(service, checked.form, attachments)
        if errors:
            raise InvalidInput([(e.field, e.message_vi) for e in errors])
        try:
            check_unit_id(self.unit_id)
        except TrackingCodeError:
            raise DossierError(f"Mã đơn vị '{self.unit_id}' (unit_id) không đúng dạng QCVN 102:2016, ví dụ 000.00.24.H57.") from None

        received_naive = received.replace(tzinfo=None)
        due = service.due_date(self.calendar.calendar, received_naive, checked.form)
        kiosk = identity(self.db)
        slot = self.slot()
        persons_rows = self._person_records(service, checked)
        subject = self._subject_name(service, checked.form, persons_rows)
        applicant = next((p for p in persons_rows if p["role"] == "applicant"), None)
        fees = service.fee_quote(checked.form, on=received.date(), people=len(persons_rows))
        fees_json = fees_record(fees)
        procedure = service.procedure_code(checked.form, received.date())
        basis = legal_basis(service)
        form_json = _jsonable(checked.form)
        actor = principal.audit_name
        at = iso_utc(self.clock())

        with self.db.transaction() as session:
            nth = outbox.next_counter(session, day_counter_name(received.date()))
            try:
                code = str(TrackingCode.make(self.unit_id, received.date(), slot, nth))
            except TrackingCodeError:
                raise DossierError(
                    f"Kiosk này đã cấp đủ 999 mã hồ sơ trong ngày {received:%d/%m/%Y} (khối số {slot}); "
                    "hãy tiếp nhận ở kiosk khác."
                ) from None
            row = DossierRow(
                tracking_code=code, uid=str(uuid.uuid4()), service_no=service.number, status=Status.RECEIVED.value,
                applicant_kind=service.applicant_kind, subject_name=subject[:250],
                applicant_id_number=applicant["id_number"] if applicant else None,
                received_at=received.isoformat(timespec="seconds"), received_on=received.date().isoformat(),
                appointment_date=due.isoformat() if due else None, kiosk_id=kiosk.kiosk_id, created_by=actor,
                identity_source="chip" if checked.citizen else "typed",
                chip_verdict=checked.citizen.verdict if checked.citizen else None,
                legal_basis=json.dumps(basis, ensure_ascii=False), form=json.dumps(form_json, ensure_ascii=False),
                fees=json.dumps(fees_json, ensure_ascii=False), updated_at=at,
            )
            session.add(row)
            session.flush()
            for p in persons_rows:
                session.add(DossierPerson(
                    dossier_id=row.id, role=p["role"], source=p["source"], id_number=p["id_number"],
                    full_name=p["full_name"], birth_date=p["birth_date"],
                    snapshot=json.dumps(p["chip"], ensure_ascii=False) if p["chip"] else None,
                ))
            first = HistoryEntry(1, at, actor, None, Status.RECEIVED, "")
            session.add(DossierHistoryRow(dossier_id=row.id, seq=1, at=at, actor=actor, from_status=None,
                                          to_status=Status.RECEIVED.value, note="", origin="kiosk"))
            stored_attachments = []
            for a in attachments:
                digest = hashlib.sha256(a.data).hexdigest()
                meta = {"document_id": a.document_id, "filename": _clean_filename(a.filename),
                        "media_type": a.media_type, "size": len(a.data), "sha256": digest}
                session.add(DossierAttachment(dossier_id=row.id, data=bytes(a.data), created_at=at, **meta))
                stored_attachments.append(meta)
            ids, names, places = self._index_values(service, checked.form, persons_rows)
            index_dossier(session, row.id, code, ids, [subject, *names], places)
            audit.append(session, actor, "dossier.create", "dossier", code,
                         {"service": service.number, "status": Status.RECEIVED.value,
                          "attachments": len(stored_attachments), "identity": row.identity_source}, self.clock)
            outbox.enqueue(session, CREATED_KIND, {
                "tracking_code": code, "dossier_uid": row.uid, "service_no": service.number,
                # The hub files the dossier under the national procedure code (the number when none is known).
                "service_code": (procedure.code if procedure and procedure.code else str(service.number)),
                "procedure_code": procedure.code if procedure else None,
                "procedure_code_confirmed": bool(procedure and procedure.confirmed),
                "status": Status.RECEIVED.value,
                "received_at": row.received_at, "received_on": row.received_on,
                "appointment_date": row.appointment_date, "kiosk_id": kiosk.kiosk_id, "unit_id": self.unit_id,
                "applicant_kind": service.applicant_kind, "subject_name": row.subject_name, "created_by": actor,
                "identity_source": row.identity_source, "chip_verdict": row.chip_verdict, "legal_basis": basis,
                "persons": persons_rows, "form": form_json, "fees": fees_json, "attachments": stored_attachments,
                "history": [first.as_json()],
            }, OUTBOX_SCHEMA, self.clock)
            if draft_id:
                draft = self._own_draft(session, principal, draft_id)
                if draft is not None:
                    session.delete(draft)
        return Submitted(code, service.number, Status.RECEIVED.value, row.received_at, row.appointment_date,
                         tuple(checked.warnings))

    # Looking dossiers up.

    def get(self, principal: Principal, code: str, full: bool = False) -> dict[str, Any]:
        """One dossier; `full` gives unmasked ID numbers, the form and the chip snapshots (audited)."""
        require(principal, Permission.DOSSIER_VIEW)
        if full:
            require(principal, Permission.CITIZEN_VIEW)
            with self.db.transaction() as session:
                row = self._row(session, code)
                record = self._record(session, row, full=True)
                audit.append(session, principal.audit_name, "dossier.view", "dossier", row.tracking_code, {}, self.clock)
                return record
        with self.db.sessions() as session:
            return self._record(session, self._row(session, code), full=False)

    def status_of(self, principal: Principal, code: str, issuer: str = "") -> dict[str, Any]:
        """What a citizen at a self-service kiosk may see for a receipt's code: no personal data. With the kiosk
        that signed the receipt (`issuer`), a dossier this kiosk took under that code is not the one asked
        about unless it was taken there (another kiosk's dossier may have had the code too)."""
        require(principal, Permission.STATUS_CHECK)
        with self.db.sessions() as session:
            row = self._row(session, code)
            if issuer and row.kiosk_id != issuer:
                raise NotFound(f"hồ sơ {code} của kiosk {issuer}")
            status = Status(row.status)
            return {"tracking_code": row.tracking_code, "service_no": row.service_no, "status": status.value,
                    "status_label_vi": status.label_vi, "status_label_en": status.label_en,
                    "appointment_date": row.appointment_date, "updated_at": row.updated_at}

    def search(
        self,
        principal: Principal,
        text_query: str = "",
        statuses: Sequence[str] = (),
        date_from: date | None = None,
        date_to: date | None = None,
        limit: int = 50,
    ) -> list[dict[str, Any]]:
        """Dossiers by code, ID number, name or address (accents optional), newest first; IDs masked."""
        require(principal, Permission.DOSSIER_VIEW)
        bad = [s for s in statuses if s not in {x.value for x in Status}]
        if bad:
            raise InvalidInput([("status", f"Trạng thái '{bad[0]}' không có; dùng: {', '.join(s.value for s in Status)}.")])
        if date_from and date_to and date_from > date_to:
            raise InvalidInput([("to", "Ngày kết thúc phải sau ngày bắt đầu.")])
        query = SearchQuery(text.scrub(text_query), tuple(statuses), date_from, date_to, limit)
        with self.db.sessions() as session:
            ids = find_ids(session, query)
            if not ids:
                return []
            rows = {r.id: r for r in session.scalars(select(DossierRow).where(DossierRow.id.in_(ids)))}
            return [self._summary(rows[i]) for i in ids if i in rows]

    def attachment(self, principal: Principal, code: str, attachment_id: int) -> tuple[dict[str, Any], bytes]:
        require(principal, Permission.CITIZEN_VIEW)
        with self.db.transaction() as session:
            row = self._row(session, code)
            att = session.get(DossierAttachment, attachment_id)
            if att is None or att.dossier_id != row.id:
                raise NotFound(f"tệp {attachment_id} của hồ sơ {code}")
            if att.purged_at is not None:
                raise NotFound(f"tệp {attachment_id} của hồ sơ {code} (đã xóa ngày {att.purged_at[:10]} khi hết thời "
                               "hạn lưu giữ)")
            audit.append(session, principal.audit_name, "dossier.attachment_view", "dossier", row.tracking_code,
                         {"attachment": attachment_id}, self.clock)
            return self._attachment_meta(att), bytes(att.data)

    # The status machine.

    def change_status(self, principal: Principal, code: str, new_status: str, note: str = "") -> dict[str, Any]:
        """Move a dossier along the machine (role-checked), with history, audit entry and outbox row."""
        require(principal, Permission.DOSSIER_UPDATE)
        if text.has_unsafe(note, multiline=True):
            raise InvalidInput([("note", f"Ghi chú {text.MESSAGE_VI}.")])
        note = text.nfc(note)
        try:
            dst = Status(new_status)
        except ValueError:
            raise InvalidInput([("status", f"Trạng thái '{new_status}' không có; dùng: "
                                           f"{', '.join(s.value for s in Status)}.")]) from None
        actor = principal.audit_name
        at = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = self._row(session, code)
            src = Status(row.status)
            try:
                check_transition(src, dst, {p for p in Permission if principal.can(p)}, note)
            except TransitionError as exc:
                if exc.reason == "permission":
                    raise PermissionDenied(principal.audit_name, exc.permission.value if exc.permission else "") from exc
                raise DossierError(exc.message_vi) from exc
            seq = (session.scalar(select(func.max(DossierHistoryRow.seq)).where(DossierHistoryRow.dossier_id == row.id))
                   or 0) + 1
            entry = HistoryEntry(seq, at, actor, src, dst, note.strip())
            session.add(DossierHistoryRow(dossier_id=row.id, seq=seq, at=at, actor=actor, from_status=src.value,
                                          to_status=dst.value, note=entry.note, origin="kiosk"))
            row.status = dst.value
            row.updated_at = at
            audit.append(session, actor, "dossier.status", "dossier", row.tracking_code,
                         {"from": src.value, "to": dst.value}, self.clock)
            outbox.enqueue(session, STATUS_KIND, {
                "tracking_code": row.tracking_code, "dossier_uid": row.uid, "kiosk_id": row.kiosk_id, "status": dst.value,
                "from": src.value, "note": entry.note, "at": at, "actor": actor, "history_seq": seq,
            }, OUTBOX_SCHEMA, self.clock)
            session.flush()
            return self._record(session, row, full=False)

    # Internals.

    def _now_local(self) -> datetime:
        return local_received_at(None, self.clock())

    def _row(self, session: Session, code: str) -> DossierRow:
        row = find_dossier(session, code.strip().upper())
        if row is None:
            raise NotFound(f"hồ sơ {code}")
        return row

    def _summary(self, row: DossierRow) -> dict[str, Any]:
        status = Status(row.status)
        try:
            name_vi = self.catalog.get(row.service_no).name_vi
        except KeyError:
            name_vi = ""
        return {
            "tracking_code": row.tracking_code, "service_no": row.service_no, "service_name_vi": name_vi,
            "status": status.value, "status_label_vi": status.label_vi, "subject_name": row.subject_name,
            "applicant_id_number": mask_id(row.applicant_id_number), "received_at": row.received_at,
            "appointment_date": row.appointment_date,
        }

    @staticmethod
    def _attachment_meta(att: DossierAttachment) -> dict[str, Any]:
        return {"id": att.id, "document_id": att.document_id, "filename": att.filename, "media_type": att.media_type,
                "size": att.size, "sha256": att.sha256, "purged_at": att.purged_at}

    def _record(self, session: Session, row: DossierRow, full: bool) -> dict[str, Any]:
        out = self._summary(row)
        if full:
            out["applicant_id_number"] = row.applicant_id_number
        history = session.scalars(
            select(DossierHistoryRow).where(DossierHistoryRow.dossier_id == row.id).order_by(DossierHistoryRow.seq)
        )
        persons = session.scalars(select(DossierPerson).where(DossierPerson.dossier_id == row.id).order_by(DossierPerson.id))
        atts = session.execute(
            select(DossierAttachment.id, DossierAttachment.document_id, DossierAttachment.filename,
                   DossierAttachment.media_type, DossierAttachment.size, DossierAttachment.sha256,
                   DossierAttachment.purged_at)
            .where(DossierAttachment.dossier_id == row.id).order_by(DossierAttachment.id)
        )
        from kiosk.db.models_sync import RecodedRecord

        recoded = session.scalars(select(RecodedRecord.previous_code).where(
            RecodedRecord.record_uid == row.uid, RecodedRecord.record_kind == "dossier").order_by(RecodedRecord.id)).all()
        out.update({
            "uid": row.uid, "previous_codes": list(recoded),
            "received_on": row.received_on, "applicant_kind": row.applicant_kind, "kiosk_id": row.kiosk_id,
            "created_by": row.created_by, "identity_source": row.identity_source, "chip_verdict": row.chip_verdict,
            "legal_basis": json.loads(row.legal_basis), "fees": json.loads(row.fees),
            "next_statuses": [s.value for s in next_statuses(Status(row.status))],
            "history": [
                {"seq": h.seq, "at": h.at, "actor": h.actor, "from": h.from_status, "to": h.to_status,
                 "note": h.note, "origin": h.origin}
                for h in history
            ],
            "persons": [
                {"role": p.role, "source": p.source, "full_name": p.full_name, "birth_date": p.birth_date,
                 "id_number": p.id_number if full else mask_id(p.id_number),
                 **({"chip": json.loads(p.snapshot) if p.snapshot else None} if full else {})}
                for p in persons
            ],
            "attachments": [dict(zip(("id", "document_id", "filename", "media_type", "size", "sha256", "purged_at"), a,
                                     strict=True)) for a in atts],
        })
        if full:
            out["form"] = json.loads(row.form)
        return out

    def _snapshots(
        self, service: Service, citizen: Any, persons: Mapping[str, Any] | None, errors: list[Issue]
    ) -> dict[str, ChipSnapshot]:
        snaps: dict[str, ChipSnapshot] = {}
        roles = {p.role: p for p in service.persons}
        if citizen is not None:
            try:
                snaps["applicant"] = ChipSnapshot.parse(citizen)
            except SnapshotError as exc:
                errors.append(Issue("citizen", exc.message_vi, "not a chip read result"))
        for role, data in (persons or {}).items():
            if data is None:
                continue
            where = f"persons.{role}"
            person = roles.get(role)
            if person is None or role == "applicant":
                errors.append(Issue(where, f"Dịch vụ này không có người '{role}' "
                                           f"(có: {', '.join(r for r in roles if r != 'applicant')}).", "unknown role"))
                continue
            if not person.reads_card:
                errors.append(Issue(where, f"{person.label_vi} không có thẻ để đọc chip; hãy nhập tay.", "no card"))
                continue
            try:
                snaps[role] = ChipSnapshot.parse(data)
            except SnapshotError as exc:
                errors.append(Issue(where, exc.message_vi, "not a chip read result"))
        for role, snap in snaps.items():
            if snap.verdict == "failed":
                label = roles[role].label_vi if role in roles else role
                errors.append(Issue(
                    "citizen" if role == "applicant" else f"persons.{role}",
                    f"Chip của {label.lower()} không qua kiểm tra xác thực (có thể là thẻ giả hoặc dữ liệu bị sửa): "
                    "không dùng dữ liệu chip này; đối chiếu giấy tờ gốc và nhập tay.",
                    "the chip failed verification", "error",
                ))
        return snaps

    def _check(
        self,
        service: Service,
        form: Mapping[str, Any],
        citizen: Any,
        persons: Mapping[str, Any] | None,
        today: date,
        received_on: date | None = None,
    ) -> _Checked:
        errors: list[Issue] = []
        warnings: list[Issue] = []
        if not isinstance(form, Mapping):
            raise InvalidInput([("form", "Dữ liệu tờ khai phải là một đối tượng JSON {trường: giá trị}.")])
        form, citizen, persons = _clean_input(service, form, citizen, persons)
        snaps = self._snapshots(service, citizen, persons, errors)
        merged: dict[str, Any] = with_defaults(service, {k: v for k, v in form.items() if service.has_field(k)})
        for k in form:
            if not service.has_field(k):
                errors.append(Issue(k, f"Trường '{k}' không có trong tờ khai của dịch vụ này.", "unknown field"))
        for f in service.fields:
            if f.setting and self.province.get(f.setting) is not None:
                fixed = self.province[f.setting]
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
        errors.extend(self._representative_issues(service, merged, snaps, on))
        for issue in check_eligibility(service, merged, on, self.province):
            rule = next(r for r in service.eligibility if r.id == issue.rule)
            target = Issue(rule.field, issue.message_vi, issue.message_en,
                           "error" if issue.severity == "block" else "warning")
            (errors if issue.severity == "block" else warnings).append(target)
        return _Checked(service, merged, snaps.get("applicant"), {r: s for r, s in snaps.items() if r != "applicant"},
                        locked, errors, warnings)

    @staticmethod
    def _representative_issues(service: Service, form: Mapping[str, Any], snaps: Mapping[str, ChipSnapshot],
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

    @staticmethod
    def _check_attachments(service: Service, form: Mapping[str, Any], attachments: Sequence[AttachmentIn]) -> list[Issue]:
        errors: list[Issue] = []
        documents = {d.id: d for d in service.documents_for(form)}
        file_fields = {f.id for f in service.visible_fields(form) if f.type == "file"}
        for i, a in enumerate(attachments):
            where = f"attachments[{i}]"
            doc = documents.get(a.document_id)
            if doc is None and a.document_id not in file_fields:
                errors.append(Issue(where, f"Giấy tờ '{a.document_id}' không thuộc thành phần hồ sơ của dịch vụ này.",
                                    "unknown document"))
            elif doc is not None and doc.scan == "none":
                # Data minimisation (Law 91/2025): the card is shown, its image is not kept.
                errors.append(Issue(where, f"{doc.what_vi}: chỉ xuất trình, không lưu bản quét.", "not to be scanned"))
            if a.media_type not in MEDIA_TYPES:
                errors.append(Issue(where, "Bản quét phải là PDF, JPEG hoặc PNG.", "PDF, JPEG or PNG only"))
            if not a.data:
                errors.append(Issue(where, "Tệp quét rỗng.", "empty file"))
            elif len(a.data) > MAX_ATTACHMENT_BYTES:
                errors.append(Issue(where, "Tệp quét lớn hơn 10 MB; hãy quét ở độ phân giải thấp hơn.", "over 10 MB"))
        given = {a.document_id for a in attachments}
        for doc in documents.values():
            if doc.scan == "required" and doc.required and doc.id not in given:
                errors.append(Issue(f"documents.{doc.id}", f"Cần bản quét: {doc.what_vi}.", f"Scan needed: {doc.what_en}."))
        return errors

    @staticmethod
    def _person_records(service: Service, checked: _Checked) -> list[dict[str, Any]]:
        """One record per person of the dossier: from the chip, or from the typed fields of that role."""
        form = checked.form
        snaps = dict(checked.persons)
        if checked.citizen is not None:
            snaps["applicant"] = checked.citizen
        visible = service.visible_fields(form)
        out = []
        for person in service.persons:
            snap = snaps.get(person.role)
            if snap is not None:
                birth = snap.birth_date
                out.append({"role": person.role, "source": "chip", "id_number": snap.id_number,
                            "full_name": snap.full_name, "birth_date": birth if birth and len(birth) == 10 else None,
                            "chip": snap.stored()})
                continue
            mine = [f for f in visible if f.person == person.role and form.get(f.id) not in (None, "")]
            name = next((form[f.id] for f in mine if f.prefill == "full_name" or f.id.endswith("full_name")), None)
            if not isinstance(name, str):
                continue
            id_number = next((form[f.id] for f in mine if f.type == "id_number"), None)
            birth = next((form[f.id] for f in mine if f.prefill == "birth_date"
                          or (f.type == "date" and f.id.endswith("birth_date"))), None)
            try:
                birth_iso = parse_date(birth).isoformat() if birth else None
            except ValueError:
                birth_iso = None
            out.append({"role": person.role, "source": "typed",
                        "id_number": id_number.strip() if isinstance(id_number, str) else None,
                        "full_name": " ".join(name.split()), "birth_date": birth_iso, "chip": None})
        return out

    @staticmethod
    def _subject_name(service: Service, form: Mapping[str, Any], persons: list[dict[str, Any]]) -> str:
        if service.applicant_kind == "organisation" and isinstance(form.get("org_name"), str):
            return " ".join(form["org_name"].split())
        applicant = next((p for p in persons if p["role"] == "applicant"), None)
        if applicant is not None:
            return applicant["full_name"]
        return " và ".join(p["full_name"] for p in persons) or "—"

    @staticmethod
    def _index_values(
        service: Service, form: Mapping[str, Any], persons: list[dict[str, Any]]
    ) -> tuple[list[str], list[Any], list[Any]]:
        ids = [p["id_number"] for p in persons if p["id_number"]]
        names: list[Any] = [p["full_name"] for p in persons]
        places: list[Any] = []
        for f in service.visible_fields(form):
            value = form.get(f.id)
            if value in (None, ""):
                continue
            if f.type == "id_number" and isinstance(value, str):
                ids.append(value.strip())
            elif f.type == "text" and f.id.endswith("_name"):
                names.append(value)
            elif f.type == "address":
                places.append(value)
        return list(dict.fromkeys(ids)), names, places



def fees_record(fees: FeeQuote) -> dict[str, Any]:
    """The fee as the dossier keeps it: each line with the rate in force and its source, and the
    exemption with its evidence and article (the receipt prints them)."""
    ex = fees.exemption
    return {
        "on": fees.on.isoformat() if fees.on else None,
        "lines": [{"id": ln.item.id, "label_vi": ln.item.label_vi, "amount": ln.amount, "set_by": ln.item.set_by,
                   "count": ln.count, "per": ln.item.per,
                   "source": (ln.rate.source if ln.rate else "") or ln.item.source,
                   "confirmed": ln.item.confirmed and (ln.rate is None or ln.rate.confirmed)}
                  for ln in fees.lines],
        "total": fees.total,
        "exempt": fees.exempt,
        "exemption": None if ex is None else {
            "id": ex.id, "who_vi": ex.who_vi, "evidence_vi": ex.evidence_vi, "law": ex.law, "confirmed": ex.confirmed},
    }


def find_dossier(session: Session, code: str) -> DossierRow | None:
    """The dossier under `code`, or the one whose code the hub replaced with another (it clashed)."""
    from kiosk.db.models_sync import RecodedRecord

    row = session.scalar(select(DossierRow).where(DossierRow.tracking_code == code))
    if row is not None:
        return row
    uid = session.scalar(select(RecodedRecord.record_uid).where(
        RecodedRecord.previous_code == code, RecodedRecord.record_kind == "dossier").order_by(RecodedRecord.id.desc()))
    return session.scalar(select(DossierRow).where(DossierRow.uid == uid)) if uid else None


def apply_remote_status(
    session: Session, dossier_uid: str, status: str, note: str = "", at: str = "", source: str = ""
) -> bool:
    """Apply a status the hub decided to the dossier it was decided on (by identity, never by the printed
    code), inside the sync's transaction; True when the dossier has it now.

    The hub owns the workflow once a dossier is pushed (each field has one writer: the hub after the push), so
    its move is recorded as it comes, with origin "hub". An echo of this kiosk's own push
    (`source` = "kiosk:<this kiosk id>") and a status the dossier already has change nothing.
    """
    try:
        dst = Status(status)
    except ValueError:
        return False
    row = session.scalar(select(DossierRow).where(DossierRow.uid == dossier_uid))
    if row is None:
        return False
    kiosk_id = session.get(KioskMeta, "kiosk_id")
    if row.status == dst.value or (source and kiosk_id is not None and source == f"kiosk:{kiosk_id.value}"):
        return True
    seq = (session.scalar(select(func.max(DossierHistoryRow.seq)).where(DossierHistoryRow.dossier_id == row.id)) or 0) + 1
    when = at or iso_utc(utc_now())
    session.add(DossierHistoryRow(dossier_id=row.id, seq=seq, at=when, actor=HUB_ACTOR, from_status=row.status,
                                  to_status=dst.value, note=note or "", origin="hub"))
    audit.append(session, HUB_ACTOR, "dossier.status_pulled", "dossier", row.tracking_code,
                 {"from": row.status, "to": dst.value})
    row.status, row.updated_at = dst.value, when
    return True


def apply_recode(session: Session, dossier_uid: str, new_code: str) -> str | None:
    """The hub keeps this dossier under `new_code` (its code clashed with another dossier's): the dossier takes
    it, inside the sync's transaction, and stays findable under the old one. Returns the old code, or None
    when this kiosk has no such dossier (or it has the new code already)."""
    from kiosk.services.search import reindex_code

    row = session.scalar(select(DossierRow).where(DossierRow.uid == dossier_uid))
    if row is None or row.tracking_code == new_code:
        return None
    old = row.tracking_code
    row.tracking_code = new_code
    reindex_code(session, row.id, [new_code, old])
    audit.append(session, HUB_ACTOR, "dossier.recoded", "dossier", new_code, {"previous_code": old})
    return old
