"""Electronic identification account requests at the counter (Decree 69/2024/NĐ-CP), step by step.

The account page (and `kiosk account`) drives: check the person, check the guardian link, check phone and
e-mail, take and match the portrait, record consent, submit. Every refusal is an `Issue` naming the field.
A submitted request is one transaction: the request, its first history line, its encrypted portrait, the
consent and request audit entries and its outbox row. The hub forwards it to the national system, whose
outcome (activated, rejected with a reason) comes back through the sync's pull.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta, OutboxOp
from kiosk.db.models_account import AccountHistoryRow, AccountPortrait, AccountRequestRow
from kiosk.domain import account as acc
from kiosk.domain import text
from kiosk.domain.account import Issue, Status
from kiosk.domain.dossier import ChipSnapshot, SnapshotError, local_received_at, mask_id
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.tracking import TrackingCode, TrackingCodeError, check_unit_id, day_counter_name
from kiosk.resources import resource_path
from kiosk.services import audit, outbox
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound, ServiceError
from kiosk.services.face import FaceMatch, FaceMatcher, PortraitError, encode_jpeg, load_image
from kiosk.services.identity import SLOT_META, identity
from kiosk.services.outbox import canonical_json
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
CONSENT_DOCUMENT = "vneid_account"


class AccountError(ServiceError):
    code = "account_error"

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


class Refused(InvalidInput):
    """Input the law or the kiosk's checks do not allow; `issues` keeps the English texts too."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        super().__init__([(i.field, i.message_vi) for i in issues])
        self.issues = tuple(issues)


def _clean_request(request: AccountRequestInput) -> AccountRequestInput:
    """NFC for the chips and contact details; a control or text-direction character is refused."""
    given = {"citizen": request.citizen, "guardian": request.guardian, "phone": request.phone, "email": request.email}
    bad = [path for name, value in given.items() for path in text.unsafe_paths(value, name)]
    if bad:
        raise InvalidInput([(path, f"{path} {text.MESSAGE_VI}.") for path in bad])
    return dataclasses.replace(request, **{name: text.nfc_tree(value) for name, value in given.items()})


@dataclass(frozen=True)
class ConsentText:
    document: str
    version: str
    language: str
    text: str
    purposes: tuple[str, ...]


@dataclass(frozen=True)
class PersonCheck:
    """The chip's person as the page shows it after the card is read."""

    id_number: str
    full_name: str
    birth_date: str | None
    age: int | None
    levels: tuple[int, ...]
    needs_guardian: bool
    consent_from: tuple[str, ...]
    chip_verdict: str
    issues: tuple[Issue, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id_number": self.id_number, "full_name": self.full_name, "birth_date": self.birth_date,
                "age": self.age, "levels": list(self.levels), "needs_guardian": self.needs_guardian,
                "consent_from": list(self.consent_from), "chip_verdict": self.chip_verdict,
                "issues": [i.as_json() for i in self.issues]}


@dataclass(frozen=True)
class Portrait:
    """The counter portrait cropped to the face (JPEG) and the advice of the face match."""

    jpeg: bytes
    face_found: bool
    match: FaceMatch

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.jpeg).hexdigest()


@dataclass(frozen=True)
class AccountRequestInput:
    """Everything the page or the CLI collected; chips are `kiosk card read --json` objects."""

    citizen: Any
    level: int
    phone: str | None
    email: str | None = None
    integrations: Sequence[str] = ()
    guardian: Any = None
    relationship: str | None = None
    portrait: bytes | None = None
    chip_photo: bytes | None = None
    fingerprint_checked: bool = False
    consent_by: Sequence[str] = ()
    consent_version: str | None = None


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


@dataclass(frozen=True)
class _Checked:
    citizen: ChipSnapshot
    guardian: ChipSnapshot | None
    elig: acc.Eligibility | None
    phone: str | None
    email: str | None
    integrations: tuple[str, ...]
    consent_from: tuple[str, ...]
    portrait: Portrait | None
    errors: list[Issue]
    warnings: list[Issue]


def _snapshot(data: Any, where: str) -> tuple[ChipSnapshot | None, list[Issue]]:
    try:
        return ChipSnapshot.parse(data), []
    except SnapshotError as exc:
        return None, [Issue(where, exc.message_vi, "not a chip read result (kiosk card read --json)")]


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

    @staticmethod
    def consent_index() -> dict[str, Any]:
        return json.loads(resource_path("consent", "index.json").read_text(encoding="utf-8"))[CONSENT_DOCUMENT]

    def consent_text(self, language: str = "vi", version: str | None = None) -> ConsentText:
        index = self.consent_index()
        version = version or index["current"]
        files = index["versions"].get(version)
        if files is None or language not in files:
            raise InvalidInput([("consent", f"Không có văn bản đồng ý phiên bản {version} ({language}).")])
        body = resource_path("consent", files[language]).read_text(encoding="utf-8")
        return ConsentText(CONSENT_DOCUMENT, version, language, body, tuple(index["purposes"]))

    # The page's steps: each returns the issues of its step without saving anything.

    def _today(self) -> date:
        return local_received_at(None, self.clock()).date()

    def check_person(self, principal: Principal, citizen: Any, level: int | None = None) -> PersonCheck:
        """After the card is read: age, allowed levels, whether a guardian and whose consent are needed."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = _snapshot(citizen, "citizen")
        if snap is None:
            raise Refused(issues)
        elig, more = acc.check_person(snap, level if level is not None else 1, self._today())
        issues += more
        with self.db.sessions() as session:
            issues += self._duplicates(session, snap)
        return PersonCheck(snap.id_number, snap.full_name, snap.birth_date, elig.age if elig else None,
                           elig.levels if elig else (), bool(elig and elig.needs_guardian),
                           acc.consent_needed_from(elig, bool(elig and elig.needs_guardian)), snap.verdict,
                           tuple(issues))

    def check_guardian(self, principal: Principal, citizen: Any, guardian: Any, relationship: str | None) -> list[Issue]:
        """The parent's or guardian's card read at the same visit, and their link to the child's chip."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = _snapshot(citizen, "citizen")
        if snap is None:
            return issues
        g_snap = None
        if guardian is not None:
            g_snap, more = _snapshot(guardian, "guardian")
            if g_snap is None:
                return issues + more
        birth = acc.parse_chip_date(snap.birth_date)
        elig = acc.eligibility(birth, self._today()) if birth else None
        return acc.check_guardian(snap, g_snap, relationship, elig, self._today())

    def check_contacts(self, principal: Principal, citizen: Any, phone: str | None, email: str | None = None,
                       guardian: Any = None) -> tuple[str | None, str | None, list[Issue]]:
        """Phone (normalised) and e-mail: well formed, the number not another person's at this kiosk or station."""
        require(principal, Permission.ACCOUNT_REQUEST)
        snap, issues = _snapshot(citizen, "citizen")
        g_snap = _snapshot(guardian, "guardian")[0] if guardian is not None else None
        number, more = acc.check_phone(phone)
        issues += more
        address, more = acc.check_email(email)
        issues += more
        if snap is not None and number is not None:
            owner = g_snap.id_number if g_snap is not None else snap.id_number
            with self.db.sessions() as session:
                issues += self._phone_taken(session, number, owner, snap.id_number)
        return number, address, issues

    def take_portrait(self, principal: Principal, image: bytes, chip_photo: bytes | None = None) -> Portrait:
        """Crop the still to the face and compare it with the chip's DG2 photo; the score is advice."""
        require(principal, Permission.ACCOUNT_REQUEST)
        try:
            img = load_image(image)
        except PortraitError as exc:
            raise Refused([Issue("portrait", exc.message_vi, "not a usable still image")]) from None
        cropped, found = self.face.crop(img)
        jpeg = encode_jpeg(cropped)
        if self.face.available and not found:
            match = FaceMatch("no_face_portrait", engine=FaceMatcher.ENGINE)
        else:
            match = self.face.compare(jpeg, chip_photo)
        return Portrait(jpeg, found, match)

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

    def _check(self, session: Session, r: AccountRequestInput, day: date,
               portrait: Portrait | None = None) -> _Checked:
        errors: list[Issue] = []
        warnings: list[Issue] = []
        snap, more = _snapshot(r.citizen, "citizen")
        errors += more
        g_snap = None
        if r.guardian is not None:
            g_snap, more = _snapshot(r.guardian, "guardian")
            errors += more
        if snap is None:
            raise Refused(errors)
        try:
            level = int(r.level)
        except (TypeError, ValueError):
            level = 0
        elig, more = acc.check_person(snap, level, day)
        errors += more
        for issue in acc.check_guardian(snap, g_snap, r.relationship, elig, day) if (
                r.guardian is None or g_snap is not None) else ():
            (warnings if issue.severity == "warning" else errors).append(issue)
        phone, more = acc.check_phone(r.phone)
        errors += more
        email, more = acc.check_email(r.email)
        errors += more
        integrations, more = acc.check_integrations(list(r.integrations))
        errors += more
        errors += self._duplicates(session, snap)
        if phone is not None:
            owner = g_snap.id_number if g_snap is not None else snap.id_number
            errors += self._phone_taken(session, phone, owner, snap.id_number)
        consent_from = acc.consent_needed_from(elig, g_snap is not None)
        errors += acc.check_consent(list(r.consent_by), consent_from, r.consent_version or "",
                                    self.consent_index()["current"])
        if r.portrait is None:
            if level == 2:
                errors.append(Issue("portrait", "Tài khoản mức 2 cần ảnh chân dung chụp tại quầy.",
                                    "A level-2 account needs a portrait taken at the counter."))
        elif portrait is None:
            try:
                img = load_image(r.portrait)
            except PortraitError as exc:
                errors.append(Issue("portrait", exc.message_vi, "not a usable still image"))
            else:
                cropped, found = self.face.crop(img)
                jpeg = encode_jpeg(cropped)
                match = (FaceMatch("no_face_portrait", engine=FaceMatcher.ENGINE)
                         if self.face.available and not found else self.face.compare(jpeg, r.chip_photo))
                portrait = Portrait(jpeg, found, match)
        if portrait is not None and portrait.match.warning:
            warnings.append(Issue("portrait", portrait.match.message_vi, portrait.match.message_en, "warning"))
        if level == 2 and not r.fingerprint_checked:
            warnings.append(Issue("fingerprint", "Chưa xác nhận đã đối chiếu vân tay: tài khoản mức 2 chỉ được kích hoạt "
                                                 "sau khi đối chiếu vân tay với Cơ sở dữ liệu quốc gia về dân cư.",
                                  "Fingerprint check not confirmed: level 2 is activated only after it.", "warning"))
        return _Checked(snap, g_snap, elig, phone, email, integrations, consent_from, portrait, errors, warnings)

    def _known_remote(self, session: Session) -> list[dict[str, Any]]:
        """Requests other kiosks of the station took, as the hub announced them, with their latest status."""
        from kiosk.db.models_sync import RemoteChange

        own = session.get(KioskMeta, "kiosk_id")
        own_id = own.value if own else ""
        out = []
        for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == KNOWN_KIND)):
            data = json.loads(row.payload)
            if data.get("kiosk_id") == own_id:
                continue
            latest = session.scalars(
                select(RemoteChange.payload).where(RemoteChange.kind == PULLED_STATUS_KIND,
                                                   RemoteChange.target == str(data.get("dossier_uid", "")))
                .order_by(RemoteChange.change_id.desc()).limit(1)).first()
            if latest:
                data["status"] = json.loads(latest).get("status", data.get("status"))
            out.append(data)
        return out

    def _duplicates(self, session: Session, snap: ChipSnapshot) -> list[Issue]:
        open_states = [s.value for s in Status if s.open]
        mine = session.scalar(select(AccountRequestRow).where(AccountRequestRow.id_number == snap.id_number,
                                                              AccountRequestRow.status.in_(open_states)))
        code = mine.tracking_code if mine is not None else next(
            (k["tracking_code"] for k in self._known_remote(session)
             if k.get("id_number") == snap.id_number and k.get("status", "submitted") in open_states), None)
        if code is None:
            return []
        return [Issue("citizen", f"Công dân này đã có đề nghị cấp tài khoản đang xử lý hoặc đã được cấp (mã {code}): "
                                 "mỗi người chỉ một đề nghị.",
                      f"This person already has an open request or an account ({code}).")]

    def _phone_taken(self, session: Session, phone: str, owner: str, holder: str) -> list[Issue]:
        """A number belongs to one person: their own request and the children in their care may share it."""
        open_states = [s.value for s in Status if s.open]
        rows = session.scalars(select(AccountRequestRow).where(AccountRequestRow.phone == phone,
                                                               AccountRequestRow.status.in_(open_states)))
        taken = next((r.tracking_code for r in rows if r.phone_owner != owner and r.id_number != holder), None)
        if taken is None:
            taken = next((k["tracking_code"] for k in self._known_remote(session)
                          if k.get("phone") == phone and k.get("phone_owner") != owner
                          and k.get("status", "submitted") in open_states), None)
        if taken is None:
            return []
        return [Issue("phone", f"Số điện thoại này đã được dùng cho tài khoản của người khác (đề nghị {taken}): cần số "
                               "chính chủ của người đề nghị (hoặc của cha, mẹ, người giám hộ với tài khoản của trẻ).",
                      f"This number is already on another person's request or account ({taken}).")]

    # Submission.

    def submit(self, principal: Principal, request: AccountRequestInput) -> Submitted:
        """Save the request with its code, history, portrait, consents, audit entries and outbox row, or nothing."""
        require(principal, Permission.ACCOUNT_REQUEST)
        request = _clean_request(request)
        day = self._today()
        try:
            check_unit_id(self.unit_id)
        except TrackingCodeError:
            raise AccountError(f"Mã đơn vị '{self.unit_id}' (unit_id) không đúng dạng QCVN 102:2016.") from None
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
            nth = outbox.next_counter(session, day_counter_name(received.date()))
            try:
                code = str(TrackingCode.make(self.unit_id, received.date(), slot, nth))
            except TrackingCodeError:
                raise AccountError(f"Kiosk này đã cấp đủ 999 mã trong ngày {received:%d/%m/%Y}; hãy tiếp nhận ở kiosk "
                                   "khác.") from None
            request_id = str(uuid.uuid4())
            snap, g = c.citizen, c.guardian
            consents = [acc.Consent(role, (snap if role == "holder" else g).id_number,
                                    (snap if role == "holder" else g).full_name, at,
                                    self.consent_index()["current"], tuple(self.consent_index()["purposes"]))
                        for role in c.consent_from]
            face_json = c.portrait.match.as_json() if c.portrait else FaceMatch("no_portrait").as_json()
            snapshot = {"citizen": snap.stored(), "guardian": g.stored() if g else None}
            phone_owner = g.id_number if g is not None else snap.id_number
            row = AccountRequestRow(
                id=request_id, tracking_code=code, status=Status.SUBMITTED.value, level=int(request.level),
                id_number=snap.id_number, full_name=snap.full_name[:250], birth_date=str(snap.birth_date or ""),
                chip_verdict=snap.verdict, phone=c.phone, phone_owner=phone_owner, email=c.email,
                integrations=json.dumps(list(c.integrations)), guardian_id_number=g.id_number if g else None,
                guardian_name=g.full_name[:250] if g else None, relationship=request.relationship if g else None,
                snapshot=json.dumps(snapshot, ensure_ascii=False),
                consents=json.dumps([x.as_json() for x in consents], ensure_ascii=False),
                legal_basis=json.dumps(acc.LEGAL_BASIS, ensure_ascii=False), face_match=json.dumps(face_json,
                                                                                                   ensure_ascii=False),
                fingerprint_checked=bool(request.fingerprint_checked),
                warnings=json.dumps([w.as_json() for w in c.warnings], ensure_ascii=False),
                received_at=received.isoformat(timespec="seconds"), received_on=received.date().isoformat(),
                kiosk_id=kiosk.kiosk_id, created_by=actor, updated_at=at, outbox_seq=0, hub_change_id=0,
            )
            session.add(row)
            session.flush()
            session.add(AccountHistoryRow(request_id=request_id, seq=1, at=at, actor=actor, from_status=None,
                                          to_status=Status.SUBMITTED.value, note="", origin="kiosk"))
            portrait_json = None
            if c.portrait is not None:
                session.add(AccountPortrait(request_id=request_id, media_type="image/jpeg", size=len(c.portrait.jpeg),
                                            sha256=c.portrait.sha256, face_found=c.portrait.face_found,
                                            data=c.portrait.jpeg, created_at=at))
                portrait_json = {"media_type": "image/jpeg", "sha256": c.portrait.sha256,
                                 "data_b64": base64.b64encode(c.portrait.jpeg).decode()}
            for consent in consents:
                audit.append(session, actor, "account.consent", "account_request", code,
                             {"role": consent.role, "version": consent.text_version,
                              "purposes": list(consent.purposes)}, self.clock)
            audit.append(session, actor, "account.request", "account_request", code,
                         {"level": int(request.level), "status": Status.SUBMITTED.value, "guardian": g is not None,
                          "face": face_json["outcome"], "warnings": len(c.warnings)}, self.clock)
            op = outbox.enqueue(session, REQUESTED_KIND, {
                "tracking_code": code, "request_id": request_id, "procedure_code": acc.PROCEDURE_CODE,
                "kiosk_id": kiosk.kiosk_id, "unit_id": self.unit_id, "level": int(request.level),
                "status": Status.SUBMITTED.value, "received_at": row.received_at, "created_by": actor,
                "citizen": snapshot["citizen"], "guardian": snapshot["guardian"], "relationship": row.relationship,
                "phone": c.phone, "phone_owner": phone_owner, "email": c.email, "integrations": list(c.integrations),
                "consents": [x.as_json() for x in consents], "legal_basis": acc.LEGAL_BASIS, "face_match": face_json,
                "fingerprint_checked": bool(request.fingerprint_checked), "portrait": portrait_json,
                "history": [acc.HistoryEntry(1, at, actor, None, Status.SUBMITTED).as_json()],
            }, OUTBOX_SCHEMA, self.clock)
            row.outbox_seq = op.seq
        return Submitted(request_id, code, int(request.level), Status.SUBMITTED.value, row.received_at,
                         tuple(c.warnings), face_json)

    # Looking requests up.

    def _row(self, session: Session, ref: str) -> AccountRequestRow:
        from kiosk.db.models_sync import RecodedRecord

        ref = ref.strip()
        row = session.get(AccountRequestRow, ref) or session.scalar(
            select(AccountRequestRow).where(AccountRequestRow.tracking_code == ref.upper()))
        if row is None:  # a code the hub replaced (it clashed with another dossier's)
            uid = session.scalar(select(RecodedRecord.record_uid).where(
                RecodedRecord.previous_code == ref.upper(), RecodedRecord.record_kind == "account")
                .order_by(RecodedRecord.id.desc()))
            row = session.get(AccountRequestRow, uid) if uid else None
        if row is None:
            raise NotFound(f"đề nghị cấp tài khoản {ref}")
        return row

    @staticmethod
    def _summary(row: AccountRequestRow) -> dict[str, Any]:
        status = Status(row.status)
        return {"request_id": row.id, "tracking_code": row.tracking_code, "level": row.level, "status": status.value,
                "status_label_vi": status.label_vi, "status_label_en": status.label_en, "full_name": row.full_name,
                "id_number": mask_id(row.id_number), "phone": row.phone[:3] + "****" + row.phone[-3:],
                "guardian": row.guardian_name, "relationship": row.relationship, "received_at": row.received_at}

    def get(self, principal: Principal, ref: str, full: bool = False) -> dict[str, Any]:
        """One request by id or tracking code; `full` shows unmasked data and the chips (audited)."""
        require(principal, Permission.DOSSIER_VIEW)
        if full:
            require(principal, Permission.CITIZEN_VIEW)
        self.after_sync()
        with self.db.transaction() as session:
            row = self._row(session, ref)
            out = self._summary(row)
            history = session.scalars(select(AccountHistoryRow).where(AccountHistoryRow.request_id == row.id)
                                      .order_by(AccountHistoryRow.seq))
            portrait = session.execute(select(AccountPortrait.size, AccountPortrait.sha256, AccountPortrait.face_found)
                                       .where(AccountPortrait.request_id == row.id)).first()
            out.update({
                "email": row.email, "integrations": json.loads(row.integrations), "chip_verdict": row.chip_verdict,
                "birth_date": row.birth_date, "consents": json.loads(row.consents),
                "legal_basis": json.loads(row.legal_basis), "face_match": json.loads(row.face_match),
                "fingerprint_checked": row.fingerprint_checked, "warnings": json.loads(row.warnings),
                "kiosk_id": row.kiosk_id, "created_by": row.created_by,
                "portrait": ({"size": portrait[0], "sha256": portrait[1], "face_found": portrait[2]} if portrait
                             else {"purged_at": row.portrait_purged_at}),
                "history": [{"seq": h.seq, "at": h.at, "actor": h.actor, "from": h.from_status, "to": h.to_status,
                             "note": h.note, "origin": h.origin} for h in history],
            })
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
            raise InvalidInput([("status", f"Trạng thái '{status}' không có; dùng: {', '.join(s.value for s in Status)}.")])
        self.after_sync()
        with self.db.sessions() as session:
            query = select(AccountRequestRow).order_by(AccountRequestRow.received_at.desc()).limit(limit)
            if status is not None:
                query = query.where(AccountRequestRow.status == status)
            return [self._summary(r) for r in session.scalars(query)]

    def portrait(self, principal: Principal, ref: str) -> bytes:
        """The stored portrait (sensitive; audited); NotFound once it was deleted after the hub took it."""
        require(principal, Permission.CITIZEN_VIEW)
        with self.db.transaction() as session:
            row = self._row(session, ref)
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
            row = self._row(session, code)  # also under a code the hub replaced
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
            row = self._row(session, ref)
            src = Status(row.status)
            try:
                acc.check_transition(src, Status.WITHDRAWN, "kiosk", note)
            except acc.TransitionError as exc:
                raise AccountError(exc.message_vi) from exc
            seq = self._append(session, row, actor, Status.WITHDRAWN, note.strip(), "kiosk", at)
            audit.append(session, actor, "account.status", "account_request", row.tracking_code,
                         {"from": src.value, "to": Status.WITHDRAWN.value}, self.clock)
            outbox.enqueue(session, STATUS_KIND, {
                "tracking_code": row.tracking_code, "request_id": row.id, "kiosk_id": row.kiosk_id,
                "status": Status.WITHDRAWN.value,
                "from": src.value, "note": note.strip(), "at": at, "actor": actor, "history_seq": seq,
            }, OUTBOX_SCHEMA, self.clock)
            return self._summary(row)

    @staticmethod
    def _append(session: Session, row: AccountRequestRow, actor: str, dst: Status, note: str, origin: str,
                at: str) -> int:
        seq = (session.scalar(select(func.max(AccountHistoryRow.seq)).where(AccountHistoryRow.request_id == row.id))
               or 0) + 1
        session.add(AccountHistoryRow(request_id=row.id, seq=seq, at=at, actor=actor, from_status=row.status,
                                      to_status=dst.value, note=note, origin=origin))
        row.status, row.updated_at = dst.value, at
        return seq

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
                    self._append(session, row, HUB_ACTOR, dst, str(data.get("note") or ""), "hub",
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
                _scrub_outbox_portrait(session, row.outbox_seq)
                row.portrait_purged_at = iso_utc(self.clock())
                audit.append(session, "system:retention", "account.portrait_deleted", "account_request",
                             row.tracking_code, {"retention_days": self.portrait_retention_days}, self.clock)
                deleted += 1
        return deleted



def _scrub_outbox_portrait(session: Session, seq: int | None) -> None:
    """Take the portrait out of the acknowledged outbox copy of the request, keeping its digest.

    Safe for the sync protocol: an op is only ever sent again when the hub does not hold it (a
    hub restored to before it); an op the hub holds is never resent, so its stored hash is never
    compared with the scrubbed copy.
    """
    op = session.get(OutboxOp, seq) if seq else None
    if op is None:
        return
    data = json.loads(op.payload)
    picture = data.get("portrait")
    if isinstance(picture, dict) and "data_b64" in picture:
        data["portrait"] = {"media_type": picture.get("media_type"), "sha256": picture.get("sha256"),
                            "deleted_on_kiosk": True}
        op.payload = canonical_json(data)
