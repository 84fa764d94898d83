"""Electronic identification account requests at the counter (Decree 69/2024/NĐ-CP), step by step.

The account page (and `kiosk account`) drives: check the person, check the guardian link, check phone and
e-mail, take and match the portrait, record consent, submit. Every refusal is an `Issue` naming the field.
A submitted request is one transaction: the request, its first history line, its encrypted portrait, the
consent and request audit entries and its outbox row. The hub forwards it to the national system, whose
outcome (activated, rejected with a reason) comes back through the sync's pull.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_account import AccountHistoryRow, AccountPortrait, AccountRequestRow
from kiosk.domain import account as acc
from kiosk.domain.account import Issue, Status
from kiosk.domain.dossier import ChipSnapshot, local_received_at, mask_id
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.tracking import TrackingCode, TrackingCodeError, check_unit_id, day_counter_name
from kiosk.services import account_records, audit, outbox
from kiosk.services.account_checks import (
    NOT_A_STILL,
    AccountRequestInput,
    Checked,
    ConsentText,
    Known,
    PersonCheck,
    Portrait,
    Refused,
    check_request,
    chip_snapshot,
    clean_request,
    consent_index,
    consent_text,
    duplicates,
    known_remote,
    make_portrait,
    phone_taken,
)
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound, ServiceError
from kiosk.services.face import FaceMatcher, PortraitError
from kiosk.services.identity import SLOT_META, identity
from kiosk.services.permissions import require
from kiosk.wire.ops import OpKind

REQUESTED_KIND = OpKind.ACCOUNT_REQUESTED
STATUS_KIND = OpKind.ACCOUNT_STATUS
#: Hub → kiosks of a station: a request another kiosk took (for the duplicate and phone checks).
KNOWN_KIND = OpKind.ACCOUNT_KNOWN
#: Decisions come back as the same change kind as dossiers' (dossiers and requests share the code space).
PULLED_STATUS_KIND = OpKind.DOSSIER_STATUS
OUTBOX_SCHEMA = 1
HUB_ACTOR = "hub"


class AccountError(ServiceError):
    """A refusal with a sentence for staff in both languages (`message_vi`, `message_en`)."""

    code = "account_error"

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class Submitted:
    request_id: str
    tracking_code: str
    level: int
    status: str
    received_at: str
    warnings: tuple[Issue, ...] = field(default=())
    face_match: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "tracking_code": self.tracking_code, "level": self.level,
                "status": self.status, "received_at": self.received_at,
                "warnings": [w.as_json() for w in self.warnings], "face_match": self.face_match}


class AccountService:
    """Use cases of the account page and `kiosk account`; every call checks the principal first."""

    def __init__(self, db: Database, unit_id: str, clock: Clock = utc_now, face: FaceMatcher | None = None,
                 portrait_retention_days: int = 0) -> None:
        self.db = db
        self.unit_id = unit_id
        self.clock = clock
        self.face = face or FaceMatcher()
        self.portrait_retention_days = portrait_retention_days

    # Consent text (resources/consent), versioned.

    consent_index = staticmethod(consent_index)

    def consent_text(self, language: str = "vi", version: str | None = None) -> ConsentText:
        return consent_text(language, version)

    # The page's steps: each returns the issues of its step without saving anything.

    def _today(self) -> date:
        return local_received_at(None, self.clock()).date()

    def check_person(self, principal: Principal, citizen: Any, level: int | None = None) -> PersonCheck:
        """After the card is read: age, allowed levels, whether a guardian and whose consent are needed."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = chip_snapshot(citizen, "citizen")
        if snap is None:
            raise Refused(issues)
        elig, more = acc.check_person(snap, level if level is not None else 1, self._today())
        issues += more
        with self.db.sessions() as session:
            issues += duplicates(session, snap, self._known(session))
        return PersonCheck(snap.id_number, snap.full_name, snap.birth_date, elig.age if elig else None,
                           elig.levels if elig else (), bool(elig and elig.needs_guardian),
                           acc.consent_needed_from(elig, bool(elig and elig.needs_guardian)), snap.verdict,
                           tuple(issues))

    def check_guardian(self, principal: Principal, citizen: Any, guardian: Any, relationship: str | None) -> list[Issue]:
        """The parent's or guardian's card read at the same visit, and their link to the child's chip."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = chip_snapshot(citizen, "citizen")
        if snap is None:
            return issues
        g_snap = None
        if guardian is not None:
            g_snap, more = chip_snapshot(guardian, "guardian")
            if g_snap is None:
                return issues + more
        birth = acc.parse_chip_date(snap.birth_date)
        elig = acc.eligibility(birth, self._today()) if birth else None
        return acc.check_guardian(snap, g_snap, relationship, elig, self._today())

    def check_contacts(self, principal: Principal, citizen: Any, phone: str | None, email: str | None = None,
                       guardian: Any = None) -> tuple[str | None, str | None, list[Issue]]:
        """Phone (normalised) and e-mail: well formed, the number not another person's at this kiosk or station."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = chip_snapshot(citizen, "citizen")
        g_snap = chip_snapshot(guardian, "guardian")[0] if guardian is not None else None
        number, more = acc.check_phone(phone)
        issues += more
        address, more = acc.check_email(email)
        issues += more
        if snap is not None and number is not None:
            owner = g_snap.id_number if g_snap is not None else snap.id_number
            with self.db.sessions() as session:
                issues += phone_taken(session, number, owner, snap.id_number, self._known(session))
        return number, address, issues

    def take_portrait(self, principal: Principal, image: bytes, chip_photo: bytes | None = None) -> Portrait:
        """Crop the still to the face and compare it with the chip's DG2 photo; the score is advice."""
        require(principal, Permission.ACCOUNT_REQUEST)
        try:
            return make_portrait(self.face, image, chip_photo)
        except PortraitError as exc:
            raise Refused([Issue("portrait", exc.message_vi, NOT_A_STILL)]) from None

    def consent_needed(self, principal: Principal, citizen: Any, guardian: Any = None) -> tuple[str, ...]:
        require(principal, Permission.ACCOUNT_REQUEST)
        snap = ChipSnapshot.parse(citizen)
        birth = acc.parse_chip_date(snap.birth_date)
        elig = acc.eligibility(birth, self._today()) if birth else None
        return acc.consent_needed_from(elig, guardian is not None)

    def validate(self, principal: Principal, request: AccountRequestInput) -> list[Issue]:
        """Every error and warning of the whole request, without saving anything (the review step)."""
        require(principal, Permission.ACCOUNT_REQUEST)
        with self.db.sessions() as session:
            checked = self._check(session, request, self._today())
        return checked.errors + checked.warnings

    def _check(self, session: Session, r: AccountRequestInput, day: date, portrait: Portrait | None = None) -> Checked:
        return check_request(session, r, day, self.face, self.consent_index()["current"], self._known(session),
                             portrait)

    @staticmethod
    def _known(session: Session) -> Known:
        return lambda: known_remote(session, KNOWN_KIND, PULLED_STATUS_KIND)

    # Submission.

    def submit(self, principal: Principal, request: AccountRequestInput) -> Submitted:
        """Save the request with its code, history, portrait, consents, audit entries and outbox row, or nothing."""
        require(principal, Permission.ACCOUNT_REQUEST)
        request = clean_request(request)
        day = self._today()
        try:
            check_unit_id(self.unit_id)
        except TrackingCodeError:
            raise AccountError(f"Mã đơn vị '{self.unit_id}' (unit_id) không đúng dạng QCVN 102:2016.",
                               f"The unit code '{self.unit_id}' (unit_id) is not in the QCVN 102:2016 form.") from None
        with self.db.sessions() as session:
            first = self._check(session, request, day)
        if first.errors:
            raise Refused(first.errors)
        kiosk = identity(self.db)
        raw_slot = self.db.meta(SLOT_META)
        slot = int(raw_slot) if raw_slot is not None else 0
        now = self.clock()
        at = iso_utc(now)
        received = local_received_at(None, now)
        actor = principal.audit_name
        with self.db.transaction() as session:
            # Checked again under the write lock: another counter may have taken the number meanwhile.
            c = self._check(session, request, day, first.portrait)
            if c.errors:
                raise Refused(c.errors)
            n = account_records.NewRequest(request, c, self._next_code(session, received, slot), kiosk.kiosk_id,
                                           self._consents(c, at), actor, received, at)
            row, portrait = account_records.persist(session, n)
            for consent in n.consents:
                audit.append(session, actor, "account.consent", "account_request", n.code,
                             {"role": consent.role, "version": consent.text_version,
                              "purposes": list(consent.purposes)}, self.clock)
            audit.append(session, actor, "account.request", "account_request", n.code,
                         {"level": int(request.level), "status": Status.SUBMITTED.value, "guardian": c.guardian is not None,
                          "face": n.face_json["outcome"], "warnings": len(c.warnings)}, self.clock)
            op = outbox.enqueue(session, REQUESTED_KIND, account_records.outbox_payload(n, row, portrait, self.unit_id),
                                OUTBOX_SCHEMA, self.clock)
            row.outbox_seq = op.seq
        return Submitted(row.id, n.code, int(request.level), Status.SUBMITTED.value, row.received_at,
                         tuple(c.warnings), n.face_json)

    def _next_code(self, session: Session, received: datetime, slot: int) -> str:
        """The next tracking code of the day (requests share the dossiers' daily sequence)."""
        nth = outbox.next_counter(session, day_counter_name(received.date()))
        try:
            return str(TrackingCode.make(self.unit_id, received.date(), slot, nth))
        except TrackingCodeError:
            raise AccountError(f"Kiosk này đã cấp đủ 999 mã trong ngày {received:%d/%m/%Y}; hãy tiếp nhận ở kiosk "
                               "khác.", f"This kiosk has issued all 999 codes for {received:%d/%m/%Y}; receive "
                               "the request at another kiosk.") from None

    def _consents(self, c: Checked, at: str) -> list[acc.Consent]:
        """The consents given, under the current text version (holder, and guardian for a child)."""
        index = self.consent_index()
        return [acc.Consent(role, (c.citizen if role == "holder" else c.guardian).id_number,
                            (c.citizen if role == "holder" else c.guardian).full_name, at,
                            index["current"], tuple(index["purposes"]))
                for role in c.consent_from]

    # Looking requests up.

    def get(self, principal: Principal, ref: str, full: bool = False) -> dict[str, Any]:
        """One request by id or tracking code; `full` shows unmasked data and the chips (audited)."""
        require(principal, Permission.DOSSIER_VIEW)
        if full:
            require(principal, Permission.CITIZEN_VIEW)
        self.after_sync()
        with self.db.transaction() as session:
            row = account_records.find_request(session, ref)
            out = account_records.record(session, row)
            if full:
                out.update({"id_number": row.id_number, "phone": row.phone,
                            "guardian_id_number": row.guardian_id_number, "chips": json.loads(row.snapshot)})
                audit.append(session, principal.audit_name, "account.view", "account_request", row.tracking_code,
                             {}, self.clock)
            else:
                for c in out["consents"]:
                    c["id_number"] = mask_id(c["id_number"])
            return out

    def list(self, principal: Principal, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        require(principal, Permission.DOSSIER_VIEW)
        if status is not None and status not in {s.value for s in Status}:
            known = ", ".join(s.value for s in Status)
            raise InvalidInput([("status", f"Trạng thái '{status}' không có; dùng: {known}.",
                                 f"There is no status '{status}'; use one of: {known}.")])
        self.after_sync()
        with self.db.sessions() as session:
            query = select(AccountRequestRow).order_by(AccountRequestRow.received_at.desc()).limit(limit)
            if status is not None:
                query = query.where(AccountRequestRow.status == status)
            return [account_records.summary(r) for r in session.scalars(query)]

    def portrait(self, principal: Principal, ref: str) -> bytes:
        """The stored portrait (sensitive; audited); NotFound once it was deleted after the hub took it."""
        require(principal, Permission.CITIZEN_VIEW)
        with self.db.transaction() as session:
            row = account_records.find_request(session, ref)
            pic = session.get(AccountPortrait, row.id)
            if pic is None:
                raise NotFound(f"ảnh chân dung của đề nghị {row.tracking_code} (đã xóa sau khi chuyển lên máy chủ)")
            audit.append(session, principal.audit_name, "account.portrait_view", "account_request", row.tracking_code,
                         {}, self.clock)
            return bytes(pic.data)

    def status_of(self, principal: Principal, code: str) -> dict[str, Any]:
        """What the citizen's status check may show for a code: no personal data."""
        require(principal, Permission.STATUS_CHECK)
        self.after_sync()
        with self.db.sessions() as session:
            row = account_records.find_request(session, code)  # also under a code the hub replaced
            status = Status(row.status)
            last = session.scalar(select(AccountHistoryRow).where(AccountHistoryRow.request_id == row.id)
                                  .order_by(AccountHistoryRow.seq.desc()).limit(1))
            return {"tracking_code": row.tracking_code, "kind": "account", "level": row.level, "status": status.value,
                    "status_label_vi": status.label_vi, "status_label_en": status.label_en,
                    "note": last.note if last is not None and status is Status.REJECTED else "",
                    "updated_at": row.updated_at}

    # The status machine on the kiosk's side.

    def withdraw(self, principal: Principal, ref: str, note: str = "") -> dict[str, Any]:
        """The citizen withdraws a request not yet decided: history, audit entry and outbox row together."""
        require(principal, Permission.ACCOUNT_REQUEST)
        actor = principal.audit_name
        at = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = account_records.find_request(session, ref)
            src = Status(row.status)
            try:
                acc.check_transition(src, Status.WITHDRAWN, "kiosk", note)
            except acc.TransitionError as exc:
                raise AccountError(exc.message_vi, exc.message_en) from exc
            seq = account_records.append_history(session, row, actor, Status.WITHDRAWN, note.strip(), "kiosk", at)
            audit.append(session, actor, "account.status", "account_request", row.tracking_code,
                         {"from": src.value, "to": Status.WITHDRAWN.value}, self.clock)
            outbox.enqueue(session, STATUS_KIND, {
                "tracking_code": row.tracking_code, "request_id": row.id, "kiosk_id": row.kiosk_id,
                "status": Status.WITHDRAWN.value,
                "from": src.value, "note": note.strip(), "at": at, "actor": actor, "history_seq": seq,
            }, OUTBOX_SCHEMA, self.clock)
            return account_records.summary(row)

    # After each sync: decisions pulled from the hub, and the portraits the hub now holds.

    def after_sync(self) -> dict[str, int]:
        """Apply pulled decisions and delete acknowledged portraits; safe to call any number of times."""
        return {"applied": self.apply_pulled(), "portraits_deleted": self.purge_portraits()}

    def apply_pulled(self) -> int:
        """Apply the hub's decisions (activated, rejected with a reason) pulled by the sync, once each."""
        from kiosk.db.models_sync import RemoteChange

        applied = 0
        with self.db.transaction() as session:
            own = session.get(KioskMeta, "kiosk_id")
            echo = f"kiosk:{own.value}" if own else ""
            pending = session.scalars(select(AccountRequestRow).where(
                AccountRequestRow.status.in_([Status.SUBMITTED.value, Status.DRAFT.value]))).all()
            for row in pending:
                changes = session.scalars(select(RemoteChange).where(
                    RemoteChange.kind == PULLED_STATUS_KIND, RemoteChange.target == row.id,
                    RemoteChange.change_id > row.hub_change_id).order_by(RemoteChange.change_id)).all()
                for change in changes:
                    row.hub_change_id = change.change_id
                    data = json.loads(change.payload)
                    if data.get("source") == echo:
                        continue
                    try:
                        dst = Status(str(data.get("status")))
                        acc.check_transition(Status(row.status), dst, "hub", str(data.get("note") or "x"))
                    except (ValueError, acc.TransitionError):
                        continue  # a back-office step the kiosk does not track (e.g. "processing")
                    src = row.status
                    account_records.append_history(session, row, HUB_ACTOR, dst, str(data.get("note") or ""), "hub",
                                 str(data.get("at") or iso_utc(self.clock())))
                    audit.append(session, HUB_ACTOR, "account.status_pulled", "account_request", row.tracking_code,
                                 {"from": src, "to": dst.value}, self.clock)
                    applied += 1
        return applied

    @staticmethod
    def recoded(session: Session, request_id: str, new_code: str) -> str | None:
        """The hub keeps this request under `new_code` (its code clashed with another's), inside the sync's
        transaction. Returns the old code, or None when this kiosk has no such request."""
        row = session.get(AccountRequestRow, request_id)
        if row is None or row.tracking_code == new_code:
            return None
        old, row.tracking_code = row.tracking_code, new_code
        audit.append(session, HUB_ACTOR, "account.recoded", "account_request", new_code, {"previous_code": old})
        return old

    @staticmethod
    def outbox_renumbered(session: Session, position: int, shift: int) -> None:
        """Sync moved the unaccepted ops after `position` by `shift` (a rejoin): follow them."""
        session.execute(update(AccountRequestRow).where(AccountRequestRow.outbox_seq > position)
                        .values(outbox_seq=AccountRequestRow.outbox_seq + shift))

    def purge_portraits(self, dry_run: bool = False) -> int:
        """Delete portraits of requests the hub has acknowledged, after `portrait_retention_days` (0: at once);
        with `dry_run`, only count them."""
        from kiosk.db.models_sync import SyncState

        cutoff = iso_utc(self.clock() - timedelta(days=self.portrait_retention_days))
        deleted = 0
        with self.db.transaction() as session:
            state = session.get(SyncState, 1)
            position = state.hub_position if state is not None else 0
            rows = session.execute(
                select(AccountRequestRow, AccountPortrait).join(AccountPortrait,
                                                                AccountPortrait.request_id == AccountRequestRow.id)
                .where(AccountRequestRow.outbox_seq <= position, AccountPortrait.created_at <= cutoff)).all()
            if dry_run:
                return len(rows)
            for row, pic in rows:
                session.delete(pic)  # secure_delete=ON overwrites the freed pages
                account_records.scrub_outbox_portrait(session, row.outbox_seq)
                row.portrait_purged_at = iso_utc(self.clock())
                audit.append(session, "system:retention", "account.portrait_deleted", "account_request",
                             row.tracking_code, {"retention_days": self.portrait_retention_days}, self.clock)
                deleted += 1
        return deleted
