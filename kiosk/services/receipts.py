"""Receipts (phiếu hẹn) and their signed QR codes: what Mẫu 01/02/03 print, signing, offline verification.

The renderer (`kiosk.services.receipt_layouts`) draws only the plain values of `kiosk.domain.receipt`,
which this service fills, so any source — a dossier, an identity-account request, a test — can print. Verification needs nothing but
the public keys of trusted stations: this kiosk's own key always, others imported or sent by the hub.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import StaffMember
from kiosk.db.models_receipts import StationKey
from kiosk.domain import qr_payload
from kiosk.domain.qr_payload import QrClaims, QrVerification
from kiosk.domain.receipt import (
    DEFAULT_RESULT_TIME,
    LAYOUTS,
    NOTICE_FORMS,
    QR_VALIDITY,
    VN_TZ,
    AccountConfirmationData,
    FeeText,
    ReceiptData,
    ReceivedDocument,
    RefusalData,
    SupplementItem,
    SupplementRequestData,
    money_vi,
    place_of,
    station_time,
)
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit, identity
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.permissions import require


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    kiosk_id: str
    public_key: str  # base64url, no padding (as `kiosk qr key` prints it)
    source: str  # "own", "manual", "hub"
    added_at: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kid": self.kid, "kiosk_id": self.kiosk_id, "public_key": self.public_key, "source": self.source,
                "added_at": self.added_at}


@dataclass(frozen=True)
class StoredKeys:
    added: int
    updated: int
    removed: int


def decode_public_key(value: str | bytes) -> bytes:
    """A raw Ed25519 public key from bytes, base64 (standard or url-safe, padding optional) or hex."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = value.strip()
        try:
            raw = bytes.fromhex(text) if len(text) == 64 else base64.urlsafe_b64decode(
                text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
        except (ValueError, binascii.Error):
            raise InvalidInput([("public_key", "Khóa công khai không đúng định dạng (base64 hoặc hex).")]) from None
    if len(raw) != 32:
        raise InvalidInput([("public_key", "Khóa công khai Ed25519 phải dài đúng 32 byte.")])
    return raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _check_kiosk_id(kiosk_id: str) -> str:
    if not qr_payload.KIOSK_ID_RE.fullmatch(kiosk_id or ""):
        raise InvalidInput([("kiosk_id", "Mã kiosk gồm 1–24 chữ cái, chữ số hoặc . - _.")])
    return kiosk_id


#: kid (hex) -> the id a station's kiosk had made itself before it enrolled, from the hub's key list: its
#: receipts printed then name that id (kiosk.services.sync keeps this beside the station keys).
KEY_ALIASES_META = "station_key_aliases"


def station_key_aliases(entries: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """kid (hex) -> local id, for the hub's (public key, local id) entries whose local id is well-formed."""
    out = {}
    for key, local_id in entries:
        if isinstance(local_id, str) and qr_payload.KIOSK_ID_RE.fullmatch(local_id):
            out[qr_payload.key_id(decode_public_key(key)).hex()] = local_id
    return out


def store_station_keys(
    db: Database,
    keys: Iterable[tuple[str, str | bytes]],
    source: str = "hub",
    complete: bool = True,
    actor: str = "hub",
    session: Session | None = None,
    clock: Clock = utc_now,
) -> StoredKeys:
    """Save trusted stations' keys: (kiosk id, public key) pairs; with `complete`, drop this source's others.

    For the sync: the hub's list replaces the previous hub list (a revoked station disappears);
    keys added by hand are never touched. Pass `session` to join the caller's transaction.
    """
    if session is None:
        with db.transaction() as own:
            return store_station_keys(db, keys, source, complete, actor, own, clock)
    wanted: dict[str, tuple[str, bytes]] = {}
    for kiosk_id, key in keys:
        raw = decode_public_key(key)
        wanted[qr_payload.key_id(raw).hex()] = (_check_kiosk_id(kiosk_id), raw)
    existing = {row.kid: row for row in session.scalars(select(StationKey))}
    added = updated = removed = 0
    now = iso_utc(clock())
    for kid, (kiosk_id, raw) in wanted.items():
        row = existing.get(kid)
        if row is None:
            session.add(StationKey(kid=kid, kiosk_id=kiosk_id, public_key=raw.hex(), source=source, added_at=now,
                                   added_by=actor))
            added += 1
        elif row.kiosk_id != kiosk_id or row.source != source:
            row.kiosk_id, row.source = kiosk_id, source
            updated += 1
    if complete:
        stale = [kid for kid, row in existing.items() if row.source == source and kid not in wanted]
        if stale:
            session.execute(delete(StationKey).where(StationKey.kid.in_(stale)))
            removed = len(stale)
    if added or updated or removed:
        audit.append(session, actor, "qr.keys_stored", "station_key", source,
                     {"added": added, "updated": updated, "removed": removed}, clock=clock)
    return StoredKeys(added, updated, removed)


@dataclass
class ReceiptService:
    """Signs and verifies QR codes, builds receipt data from dossiers (and account confirmations from
    identity-account requests) and renders PDFs."""

    db: Database
    settings: Any
    dossiers: Callable[[], Any] | None = None
    catalog: Callable[[], Any] | None = None
    clock: Clock = utc_now
    accounts: Callable[[], Any] | None = None

    def own_key(self) -> TrustedKey:
        raw = identity.public_key_bytes(self.db)
        return TrustedKey(qr_payload.key_id(raw).hex(), identity.identity(self.db).kiosk_id, _b64(raw), "own")

    def sign(self, tracking_code: str, service_number: int, issued_at: datetime, appointment: date | None = None,
             expires_at: datetime | None = None) -> str:
        """The QR text for a dossier; `issued_at` is naive UTC. Same inputs, same text (Ed25519 is deterministic)."""
        issued = issued_at.replace(microsecond=0)
        if expires_at is None:
            start = datetime.combine(appointment, time()) if appointment else issued
            expires_at = start + QR_VALIDITY
        try:
            claims = QrClaims(tracking_code, service_number, identity.identity(self.db).kiosk_id, issued,
                              expires_at.replace(microsecond=0), appointment)
        except ValueError as exc:
            raise InvalidInput([("tracking_code", f"Không tạo được mã QR: {exc}")]) from None
        return qr_payload.encode(claims, identity.signing_key(self.db))

    def trusted_keys(self) -> dict[bytes, tuple[str | tuple[str, ...], bytes]]:
        """kid -> (kiosk id(s), raw public key): this kiosk's own key (under the id its hub gave it and the one it
        made itself before, which its earlier receipts carry) plus the stored stations' keys."""
        own = identity.public_key_bytes(self.db)
        ids = tuple(dict.fromkeys(
            i for i in (identity.identity(self.db).kiosk_id, self.db.meta(identity.LOCAL_ID_META)) if i))
        out: dict[bytes, tuple[str | tuple[str, ...], bytes]] = {qr_payload.key_id(own): (ids, own)}
        try:
            aliases = json.loads(self.db.meta(KEY_ALIASES_META) or "{}")
        except ValueError:
            aliases = {}
        with self.db.sessions() as session:
            for row in session.scalars(select(StationKey)):
                alias = aliases.get(row.kid) if row.source == "hub" else None
                names = (row.kiosk_id, alias) if isinstance(alias, str) and alias != row.kiosk_id else row.kiosk_id
                out.setdefault(bytes.fromhex(row.kid), (names, bytes.fromhex(row.public_key)))
        return out

    def verify(self, principal: Principal, text: str, now: datetime | None = None) -> QrVerification:
        """Check a scanned QR text offline (the citizen's status check starts here)."""
        require(principal, Permission.STATUS_CHECK)
        return qr_payload.verify(text, self.trusted_keys(), now or self.clock())

    def list_trust(self, principal: Principal) -> list[TrustedKey]:
        require(principal, Permission.STATUS_CHECK)
        out = [self.own_key()]
        with self.db.sessions() as session:
            for row in session.scalars(select(StationKey).order_by(StationKey.kiosk_id)):
                out.append(TrustedKey(row.kid, row.kiosk_id, _b64(bytes.fromhex(row.public_key)), row.source,
                                      row.added_at))
        return out

    def trust_add(self, principal: Principal, kiosk_id: str, public_key: str) -> TrustedKey:
        """Trust another kiosk's QR codes (its key as `kiosk qr key` prints it there)."""
        require(principal, Permission.SETTINGS_CHANGE)
        raw = decode_public_key(public_key)
        _check_kiosk_id(kiosk_id)
        kid = qr_payload.key_id(raw).hex()
        if kid == self.own_key().kid:
            raise InvalidInput([("public_key", "Đây là khóa của chính kiosk này; nó luôn được tin cậy.")])
        with self.db.transaction() as session:
            row = session.get(StationKey, kid)
            now = iso_utc(self.clock())
            if row is None:
                row = StationKey(kid=kid, kiosk_id=kiosk_id, public_key=raw.hex(), source="manual", added_at=now,
                                 added_by=principal.audit_name)
                session.add(row)
            else:
                row.kiosk_id, row.source = kiosk_id, "manual"
            audit.append(session, principal.audit_name, "qr.key_trusted", "station_key", kid, {"kiosk_id": kiosk_id},
                         clock=self.clock)
        return TrustedKey(kid, kiosk_id, _b64(raw), "manual", now)

    def trust_remove(self, principal: Principal, kid_or_kiosk: str) -> int:
        require(principal, Permission.SETTINGS_CHANGE)
        with self.db.transaction() as session:
            rows = list(session.scalars(select(StationKey).where(
                (StationKey.kid == kid_or_kiosk.lower()) | (StationKey.kiosk_id == kid_or_kiosk))))
            if not rows:
                raise NotFound(f"khóa {kid_or_kiosk}")
            for row in rows:
                session.delete(row)
                audit.append(session, principal.audit_name, "qr.key_removed", "station_key", row.kid,
                             {"kiosk_id": row.kiosk_id}, clock=self.clock)
        return len(rows)

    def receipt_data(self, principal: Principal, code: str) -> ReceiptData:
        """The receipt of a saved dossier (reprints give the same text and the same QR code)."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.dossiers is None:
            raise NotFound("dịch vụ hồ sơ chưa có trên kiosk này")
        service = self.dossiers()
        dossier = service.get(principal, code, full=True)
        catalog = self.catalog() if self.catalog else None
        calendar = getattr(getattr(service, "calendar", None), "calendar", None)
        return receipt_data_from_dossier(dossier, self.settings, self, catalog, self._staff_name(dossier.get("created_by")),
                                         calendar=calendar)

    def account_confirmation(self, principal: Principal, code: str) -> AccountConfirmationData:
        """The confirmation of an identity-account request (reprints give the same text and the same QR code)."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.accounts is None:
            raise NotFound("dịch vụ tài khoản định danh điện tử chưa có trên kiosk này")
        request = self.accounts().get(principal, code)
        return account_confirmation_data(request, self.settings, signer=self, receiver_name=self._staff_name(request.get("created_by")))

    def status_notice(self, principal: Principal, code: str) -> SupplementRequestData | RefusalData:
        """Mẫu 02 for a dossier waiting for a supplement, Mẫu 03 for a refused one, from its history."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.dossiers is None:
            raise NotFound("dịch vụ hồ sơ chưa có trên kiosk này")
        dossier = self.dossiers().get(principal, code)
        catalog = self.catalog() if self.catalog else None
        entry = _notice_entry(dossier)
        return status_notice_data(dossier, self.settings, catalog, self._staff_name(entry and entry.get("actor")))

    def _staff_name(self, username: str | None) -> str:
        """A staff member's full name; the operator (headless commands) and the hub have none."""
        username = str(username or "")
        if not username or username.startswith(("operator:", "hub")):
            return ""
        with self.db.sessions() as session:
            return session.scalar(select(StaffMember.full_name).where(StaffMember.username == username)) or ""

    def render(self, principal: Principal, code: str, layout: str = "a4", copies: tuple[str, ...] | None = None) -> bytes:
        data = self.receipt_data(principal, code)
        return render_receipt(data, layout, copies)


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise InvalidInput([("layout", f"Khổ giấy phải là một trong: {', '.join(LAYOUTS)}.")])
    return layout


def render_receipt(data: ReceiptData, layout: str = "a4", copies: tuple[str, ...] | None = None) -> bytes:
    """Mẫu 01 as PDF bytes; A4/A5 print both copies by default, the thermal slip the applicant's."""
    from kiosk.services import receipt_layouts

    check_layout(layout)
    return receipt_layouts.render(data, "pdf", layout, copies=copies)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _address_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ", ".join(str(value[k]).strip() for k in ("detail", "commune", "province") if value.get(k))
    return str(value).strip() if value else ""


def _first_value(service: Any, form: Mapping[str, Any], kind: str) -> str:
    """The applicant's first filled field of a catalog type (phone, email, address)."""
    for f in service.fields if service is not None else ():
        if f.type == kind and f.person == "applicant" and form.get(f.id):
            return _address_text(form[f.id]) if kind == "address" else str(form[f.id]).strip()
    return ""


PROCESSING_TEXT = {
    "same_day": "Trong ngày làm việc",
    "immediate": "Giải quyết ngay khi nhận đủ hồ sơ",
    "annual_window": "Theo lịch chung của năm",
    "on_payment": "Ngay khi nộp tiền",
}


def fee_text(fees: Mapping[str, Any] | None) -> FeeText | None:
    """The stored fee of a dossier as the receipt prints it (amounts in đồng, the exemption with its ground)."""
    if not fees or not fees.get("lines"):
        return None
    lines = tuple(
        (str(ln.get("label_vi", "")), money_vi(ln["amount"]) if ln.get("amount") is not None else "theo mức của tỉnh")
        for ln in fees["lines"]
    )
    total = fees.get("total")
    ex = fees.get("exemption")
    exemption = ""
    if fees.get("exempt"):
        exemption = "thuộc diện miễn lệ phí"
        if ex:
            exemption = ex.get("who_vi", "")
            if ex.get("law"):
                exemption += f" (căn cứ {ex['law']})"
            if ex.get("evidence_vi"):
                exemption += f"; đã xem: {ex['evidence_vi']}"
    unconfirmed = not all(ln.get("confirmed", True) for ln in fees["lines"]) or bool(ex and not ex.get("confirmed", True))
    return FeeText(lines, money_vi(total) if total is not None else "chưa xác định (có khoản do tỉnh quy định)",
                   exemption, unconfirmed)


def saturday_note(received_local: datetime, calendar: Any) -> str:
    """A dossier taken on a Saturday morning says from which day its time counts (docs/decisions.md)."""
    if calendar is None or not calendar.is_saturday_intake(received_local.date()):
        return ""
    counted = calendar.received_on(received_local)
    if counted == received_local.date():
        start = calendar.next_working_day(counted)
        return (f"Hồ sơ tiếp nhận sáng thứ Bảy; thời hạn giải quyết tính từ ngày làm việc tiếp theo "
                f"({start:%d/%m/%Y}) là ngày thứ nhất.")
    return (f"Hồ sơ tiếp nhận sáng thứ Bảy, được tính là tiếp nhận vào ngày làm việc tiếp theo "
            f"({counted:%d/%m/%Y}); thời hạn giải quyết tính từ ngày làm việc sau ngày đó.")


def receipt_data_from_dossier(dossier: Mapping[str, Any], settings: Any, signer: ReceiptService | None = None,
                              catalog: Any = None, receiver_name: str = "",
                              result_time: time = DEFAULT_RESULT_TIME, calendar: Any = None) -> ReceiptData:
    """Map a dossier (`DossierService.get(principal, code, full=True)`) to the values of Mẫu 01.

    The QR code is signed when `signer` is given; its issue time is the dossier's reception, so a
    reprint carries the very same code.
    """
    code = dossier["tracking_code"]
    service_no = int(dossier["service_no"])
    service = None
    if catalog is not None:
        try:
            service = catalog.get(service_no)
        except KeyError:
            service = None
    form = dossier.get("form") or {}
    received = datetime.fromisoformat(dossier["received_at"])
    received_local = station_time(received) if received.tzinfo else received
    received_utc = (received if received.tzinfo else received.replace(tzinfo=VN_TZ)).astimezone(UTC)
    appointment = date.fromisoformat(dossier["appointment_date"]) if dossier.get("appointment_date") else None
    persons = dossier.get("persons") or []
    applicant = next((p for p in persons if p.get("role") == "applicant"), None)
    name = (applicant or {}).get("full_name") or dossier.get("subject_name", "")
    address = _first_value(service, form, "address")
    if not address and applicant and applicant.get("chip"):
        address = str(applicant["chip"].get("personal", {}).get("place_of_residence") or "")
    documents: tuple[ReceivedDocument, ...] = ()
    days: int | None = None
    processing_text = ""
    if service is not None:
        scanned = {a.get("document_id") for a in dossier.get("attachments") or ()}
        documents = tuple(
            ReceivedDocument(d.what_vi, d.kind, d.count)
            for d in service.documents_for(form) if d.required or d.id in scanned
        )
        days = service.processing.days_for(form)
        if service.processing.kind != "working_days":
            days = None
            processing_text = PROCESSING_TEXT.get(service.processing.kind, "")
        elif days is None:
            processing_text = "Theo từng thủ tục liên thông"
    unit = settings.unit_name
    qr_text = signer.sign(code, service_no, received_utc.replace(tzinfo=None), appointment) if signer else ""
    form_kw: dict[str, Any] = {}
    if service is not None:
        notice = service.notice_form("receipt")
        form_kw = {"form_code": notice.code, "form_source": notice.source,
                   "form_title": notice.title_vi.upper() if notice.sector else "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"}
        pc = service.procedure_code(form, received_local.date())
        if pc is not None and pc.code:
            form_kw["procedure_code"] = pc.code
    note = saturday_note(received_local, calendar)
    return ReceiptData(
        tracking_code=code,
        service_number=service_no,
        procedure=dossier.get("service_name_vi") or (service.name_vi if service else f"Dịch vụ số {service_no}"),
        parent_agency=settings.parent_agency,
        receiving_unit=unit,
        place=place_of(settings.parent_agency),
        applicant_name=name,
        received_at=received_local,
        applicant_address=address,
        applicant_phone=_first_value(service, form, "phone"),
        applicant_email=_first_value(service, form, "email"),
        documents=documents,
        processing_days=days,
        processing_text=processing_text,
        due_at=datetime.combine(appointment, result_time) if appointment else None,
        result_at=f"Bộ phận tiếp nhận và trả kết quả, {unit}",
        # The station's register: one book a year, numbered by the dossier's daily sequence.
        register_book=str(received_local.year),
        register_number=code.rsplit("-", 1)[-1],
        receiver_name=receiver_name,
        qr_text=qr_text,
        applicant_id_number=str((applicant or {}).get("id_number") or ""),
        fee=fee_text(dossier.get("fees")),
        notes=(note,) if note else (),
        **form_kw,
    )


def specimen(signer: ReceiptService, settings: Any) -> ReceiptData:
    """A made-up receipt (sequence 0000, never issued) for checking fonts, layout and the printer."""
    now = signer.clock().replace(microsecond=0)
    local = station_time(now)
    code = f"{settings.unit_id}-{local:%y%m%d}-0000"
    appointment = (local + timedelta(days=7)).date()
    return ReceiptData(
        tracking_code=code, service_number=3, procedure="Đăng ký thường trú (phiếu mẫu, không có giá trị)",
        parent_agency=settings.parent_agency, receiving_unit=settings.unit_name, place=place_of(settings.parent_agency),
        applicant_name="Nguyễn Văn A", received_at=local,
        applicant_address="Số 1 đường Mẫu, phường Mẫu, thành phố Hà Nội", applicant_phone="0912345678",
        documents=(ReceivedDocument("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", "original", 1),
                   ReceivedDocument("Giấy tờ chứng minh chỗ ở hợp pháp", "copy", 1)),
        processing_days=7, due_at=datetime.combine(appointment, DEFAULT_RESULT_TIME),
        result_at=f"Bộ phận tiếp nhận và trả kết quả, {settings.unit_name}", register_book=str(local.year),
        register_number="0000", qr_text=signer.sign(code, 3, now, appointment),
    )


INTEGRATION_LABELS_VI = {
    "health_insurance": "Thẻ bảo hiểm y tế", "driving_licence": "Giấy phép lái xe",
    "vehicle_registration": "Giấy chứng nhận đăng ký xe", "tax_code": "Mã số thuế",
    "social_insurance": "Sổ bảo hiểm xã hội", "birth_certificate": "Giấy khai sinh",
    "marriage_certificate": "Giấy chứng nhận kết hôn",
}


def account_confirmation_data(request: Mapping[str, Any], settings: Any, signer: ReceiptService | None = None,
                              receiver_name: str = "") -> AccountConfirmationData:
    """Map an account request (`AccountService.get(principal, ref)`, masked) to the confirmation's values.

    The QR carries the request's code with service number 0 (not one of the 25); its issue time is the
    reception, so a reprint carries the same code.
    """
    received = datetime.fromisoformat(request["received_at"])
    local = received.astimezone(VN_TZ).replace(tzinfo=None) if received.tzinfo else received
    rows: list[tuple[str, str]] = [
        ("Mức tài khoản", f"Mức {request['level']}"),
        ("Số định danh cá nhân", str(request["id_number"])),
        ("Số điện thoại", str(request["phone"])),
    ]
    if request.get("email"):
        rows.append(("Thư điện tử", str(request["email"])))
    if request.get("guardian"):
        relation = {"father": "cha", "mother": "mẹ", "guardian": "người giám hộ"}.get(request.get("relationship") or "",
                                                                                        "người đại diện")
        rows.append(("Người đại diện", f"{request['guardian']} ({relation})"))
    if request.get("integrations"):
        rows.append(("Thông tin tích hợp", ", ".join(INTEGRATION_LABELS_VI.get(i, i) for i in request["integrations"])))
    notes = ("Kết quả được thông báo qua ứng dụng VNeID, tin nhắn hoặc thư điện tử; mật khẩu ban đầu gửi bằng tin "
             "nhắn tới số điện thoại đã đăng ký. Cán bộ không hỏi mật khẩu của công dân.",
             "Tra cứu tình trạng đề nghị bằng mã yêu cầu hoặc mã QR dưới đây.")
    qr = ""
    if signer is not None:
        issued = received.astimezone(UTC).replace(tzinfo=None) if received.tzinfo else received
        qr = signer.sign(request["tracking_code"], 0, issued)
    return AccountConfirmationData(
        request["tracking_code"], settings.parent_agency, settings.unit_name, place_of(settings.parent_agency),
        request["full_name"], local, rows=tuple(rows), notes=notes, receiver_name=receiver_name, qr_text=qr)



def _notice_entry(dossier: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The history line that moved the dossier to its current status (the one with the notice's note)."""
    status = dossier.get("status")
    return next((h for h in reversed(dossier.get("history") or []) if h.get("to") == status), None)


def status_notice_data(dossier: Mapping[str, Any], settings: Any, catalog: Any = None,
                       officer_name: str = "") -> SupplementRequestData | RefusalData:
    """Map a dossier waiting for a supplement to Mẫu 02 and a refused one to Mẫu 03.

    The note written with the move is the content: one item (or reason) per line. Any other status
    has no notice to print.
    """
    status = dossier.get("status")
    entry = _notice_entry(dossier)
    if status not in NOTICE_FORMS or entry is None:
        raise InvalidInput([("status", "Phiếu yêu cầu bổ sung (Mẫu 02) chỉ in khi hồ sơ đang chờ bổ sung, phiếu từ "
                                       "chối (Mẫu 03) khi hồ sơ bị từ chối.")])
    note = str(entry.get("note") or "").strip()
    lines = tuple(line.strip().lstrip("-•*").strip() for line in note.splitlines() if line.strip().lstrip("-•*").strip())
    procedure = str(dossier.get("service_name_vi") or "")
    form_kw: dict[str, Any] = {}
    if catalog is not None and int(dossier["service_no"]) in catalog:
        service = catalog.get(int(dossier["service_no"]))
        procedure = service.name_vi
        notice = service.notice_form("supplement" if status == "supplement_requested" else "refusal")
        form_kw = {"form_code": notice.code, "form_source": notice.source,
                   "form_title": notice.title_vi.upper() if notice.sector else ""}
    persons = dossier.get("persons") or []
    applicant = next((p for p in persons if p.get("role") == "applicant"), None)
    common = {
        "tracking_code": dossier["tracking_code"], "parent_agency": settings.parent_agency,
        "receiving_unit": settings.unit_name, "place": place_of(settings.parent_agency),
        "applicant_name": (applicant or {}).get("full_name") or dossier.get("subject_name", ""),
        "procedure": procedure, "issued_at": station_time(datetime.fromisoformat(entry["at"])),
        "officer_name": officer_name,
        **form_kw,
    }
    if status == "supplement_requested":
        return SupplementRequestData(
            **common, received_at=station_time(datetime.fromisoformat(dossier["received_at"])),
            items=tuple(SupplementItem(line) for line in lines))
    return RefusalData(**common, reasons=lines)
