"""Dossiers (hồ sơ): validate a wizard step, keep drafts, submit, look up, search and move the status.

Submitting is three steps: prepare (every check, in `dossier_checks`, and what the dossier will hold),
persist (one transaction: dossier, persons, first history line, scans, index row, audit entry and outbox
row commit together or not at all) and the outbox payload; `dossier_records` writes and reads the rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_dossier import DossierAttachment, DossierHistoryRow, DossierRow
from kiosk.domain import text
from kiosk.domain.catalog import Service
from kiosk.domain.dossier import (
    HistoryEntry,
    Status,
    TransitionError,
    check_transition,
    legal_basis,
    local_received_at,
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
from kiosk.services import audit, dossier_records, outbox
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import Catalog
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.dossier_checks import AttachmentIn, check_attachments, check_form, chip_snapshots
from kiosk.services.dossier_drafts import DossierDrafts
from kiosk.services.dossier_records import apply_recode as apply_recode  # the sync imports it from here
from kiosk.services.dossier_records import apply_remote_status as apply_remote_status  # likewise
from kiosk.services.dossier_records import find_dossier
from kiosk.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from kiosk.services.identity import SLOT_META, SLOT_SOURCE_META, identity
from kiosk.services.permissions import require, require_any
from kiosk.services.search import SearchQuery, find_ids
from kiosk.wire.ops import OpKind

OUTBOX_SCHEMA = 1
CREATED_KIND = OpKind.DOSSIER_CREATED
STATUS_KIND = OpKind.DOSSIER_STATUS


class DossierError(ServiceError):
    """A refusal with a sentence for staff in both languages (`message_vi`, `message_en`)."""

    code = "dossier_error"

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class Prefill:
    """Form values taken from the chips, and which fields are locked (field id -> person role)."""

    values: dict[str, Any]
    locked: dict[str, str]


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


class DossierService(DossierDrafts):
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
                                         "máy chủ quản lý để các kiosk của trạm không trùng nhau.",
                                 f"The central server gave this kiosk block {self.slot()}; the server manages the "
                                 "blocks so that the kiosks of a station never share one.")])
        if slot not in SLOTS:
            raise InvalidInput([("slot", "Số khối của kiosk phải từ 0 đến 9.", "The kiosk's block must be from 0 to 9.")])
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
            raise InvalidInput([("service", f"Không có dịch vụ số {number} (chỉ có 1–25).",
                                 f"There is no service number {number} (only 1–25).")]) from None

    def prefill(
        self, principal: Principal, service_no: int, citizen: Any = None, persons: Mapping[str, Any] | None = None
    ) -> Prefill:
        """The form values the chips give (applicant and other persons); these fields are locked."""
        require_any(principal, Permission.DOSSIER_CREATE, Permission.QUEUE_TAKE)
        service = self.service(service_no)
        errors: list[Issue] = []
        snaps = chip_snapshots(service, citizen, persons, errors)
        if errors:
            raise InvalidInput(errors)
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
        checked = check_form(self.service(service_no), form, citizen, persons, self._now_local().date(),
                             province=self.province)
        issues = checked.errors + checked.warnings
        if step is not None:
            try:
                wanted = set(next(s.fields for s in checked.service.steps if s.id == step))
            except StopIteration:
                raise InvalidInput([("step", f"Dịch vụ này không có bước '{step}'.",
                                     f"This service has no step '{step}'.")]) from None
            # Problems with the chips themselves belong to every step: the wizard shows them at once.
            issues = [i for i in issues if i.field in wanted or i.field == "citizen" or i.field.startswith("persons.")]
        return issues

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
        p = self._prepare(principal, service_no, citizen, persons, form or {}, attachments, received_at)
        slot = self.slot()
        with self.db.transaction() as session:
            code = self._next_code(session, p.received, slot)
            row, stored = dossier_records.persist(session, p, code, attachments)
            audit.append(session, p.actor, "dossier.create", "dossier", row.tracking_code,
                         {"service": p.service.number, "status": Status.RECEIVED.value,
                          "attachments": len(stored), "identity": row.identity_source}, self.clock)
            outbox.enqueue(session, CREATED_KIND, dossier_records.outbox_payload(p, row, stored, self.unit_id),
                           OUTBOX_SCHEMA, self.clock)
            if draft_id:
                draft = self._own_draft(session, principal, draft_id)
                if draft is not None:
                    session.delete(draft)
        return Submitted(row.tracking_code, p.service.number, Status.RECEIVED.value, row.received_at,
                         row.appointment_date, tuple(p.checked.warnings))

    def _prepare(
        self, principal: Principal, service_no: int, citizen: Any, persons: Mapping[str, Any] | None,
        form: Mapping[str, Any], attachments: Sequence[AttachmentIn], received_at: datetime | None,
    ) -> dossier_records.Prepared:
        """Check everything and work out what the dossier will hold; refuses before anything is written."""
        service = self.service(service_no)
        now_local = self._now_local()
        received = local_received_at(received_at, self.clock())
        if received > now_local.replace(second=59, microsecond=999999):
            raise InvalidInput([("received_at", "Thời điểm tiếp nhận không được ở tương lai.",
                                 "The time of receipt cannot be in the future.")])
        checked = check_form(service, form, citizen, persons, now_local.date(), received.date(), self.province)
        errors = list(checked.errors) + check_attachments(service, checked.form, attachments)
        if errors:
            raise InvalidInput(errors)
        try:
            check_unit_id(self.unit_id)
        except TrackingCodeError:
            raise DossierError(
                f"Mã đơn vị '{self.unit_id}' (unit_id) không đúng dạng QCVN 102:2016, ví dụ 000.00.24.H57.",
                f"The unit code '{self.unit_id}' (unit_id) is not in the QCVN 102:2016 form, e.g. 000.00.24.H57.",
            ) from None
        due = service.due_date(self.calendar.calendar, received.replace(tzinfo=None), checked.form)
        persons_rows = dossier_records.person_records(service, checked)
        return dossier_records.Prepared(
            service=service, checked=checked, received=received, due=due, kiosk_id=identity(self.db).kiosk_id,
            persons=persons_rows, subject=dossier_records.subject_name(service, checked.form, persons_rows),
            fees=dossier_records.fees_record(
                service.fee_quote(checked.form, on=received.date(), people=len(persons_rows))),
            procedure=service.procedure_code(checked.form, received.date()), basis=legal_basis(service),
            form=dossier_records.jsonable(checked.form), actor=principal.audit_name, at=iso_utc(self.clock()),
        )

    def _next_code(self, session: Session, received: datetime, slot: int) -> str:
        """The next tracking code of the day in this kiosk's block (QCVN 102:2016)."""
        nth = outbox.next_counter(session, day_counter_name(received.date()))
        try:
            return str(TrackingCode.make(self.unit_id, received.date(), slot, nth))
        except TrackingCodeError:
            raise DossierError(
                f"Kiosk này đã cấp đủ 999 mã hồ sơ trong ngày {received:%d/%m/%Y} (khối số {slot}); "
                "hãy tiếp nhận ở kiosk khác.",
                f"This kiosk has issued all 999 dossier codes for {received:%d/%m/%Y} (block {slot}); "
                "receive the dossier at another kiosk.",
            ) from None

    # Looking dossiers up.

    def get(self, principal: Principal, code: str, full: bool = False) -> dict[str, Any]:
        """One dossier; `full` gives unmasked ID numbers, the form and the chip snapshots (audited)."""
        require(principal, Permission.DOSSIER_VIEW)
        if full:
            require(principal, Permission.CITIZEN_VIEW)
            with self.db.transaction() as session:
                row = self._row(session, code)
                record = dossier_records.record(session, row, self._summary(row), full=True)
                audit.append(session, principal.audit_name, "dossier.view", "dossier", row.tracking_code, {}, self.clock)
                return record
        with self.db.sessions() as session:
            row = self._row(session, code)
            return dossier_records.record(session, row, self._summary(row), full=False)

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
            known = ", ".join(s.value for s in Status)
            raise InvalidInput([("status", f"Trạng thái '{bad[0]}' không có; dùng: {known}.",
                                 f"There is no status '{bad[0]}'; use one of: {known}.")])
        if date_from and date_to and date_from > date_to:
            raise InvalidInput([("to", "Ngày kết thúc phải sau ngày bắt đầu.", "The end date must be after the start date.")])
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
            return dossier_records.attachment_meta(att), bytes(att.data)

    # The status machine.

    def change_status(self, principal: Principal, code: str, new_status: str, note: str = "") -> dict[str, Any]:
        """Move a dossier along the machine (role-checked), with history, audit entry and outbox row."""
        require(principal, Permission.DOSSIER_UPDATE)
        if text.has_unsafe(note, multiline=True):
            raise InvalidInput([("note", f"Ghi chú {text.MESSAGE_VI}.", f"The note {text.MESSAGE_EN}.")])
        note = text.nfc(note)
        try:
            dst = Status(new_status)
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise InvalidInput([("status", f"Trạng thái '{new_status}' không có; dùng: {known}.",
                                 f"There is no status '{new_status}'; use one of: {known}.")]) from None
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
                raise DossierError(exc.message_vi, exc.message_en) from exc
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
            return dossier_records.record(session, row, self._summary(row), full=False)

    # Internals.

    def _now_local(self) -> datetime:
        return local_received_at(None, self.clock())

    def _row(self, session: Session, code: str) -> DossierRow:
        row = find_dossier(session, code.strip().upper())
        if row is None:
            raise NotFound(f"hồ sơ {code}")
        return row

    def _summary(self, row: DossierRow) -> dict[str, Any]:
        try:
            name_vi = self.catalog.get(row.service_no).name_vi
        except KeyError:
            name_vi = ""
        return dossier_records.summary(row, name_vi)
