"""The values Mẫu 01/02/03 and the account confirmation print, taken from a dossier or an account request.

Only plain values of `kiosk.domain.receipt` come out, so the renderer never reads a dossier.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from kiosk.domain.receipt import (
    DEFAULT_RESULT_TIME,
    NOTICE_FORMS,
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
from kiosk.services.errors import InvalidInput


class ReceiptSigner(Protocol):
    """What a receipt needs of its signer (the receipt service): the QR code's signature and the time."""

    def sign(self, tracking_code: str, service_number: int, issued_at: datetime,
             appointment: date | None = None) -> str: ...

    def clock(self) -> datetime: ...


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


def _service_terms(service: Any, form: Mapping[str, Any], dossier: Mapping[str, Any]
                   ) -> tuple[tuple[ReceivedDocument, ...], int | None, str]:
    """The documents received (required ones and those scanned), the working days, or the time in words."""
    documents: tuple[ReceivedDocument, ...] = ()
    days: int | None = None
    processing_text = ""
    if service is None:
        return documents, days, processing_text
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
    return documents, days, processing_text


def _receipt_form(service: Any, form: Mapping[str, Any], received_local: datetime) -> dict[str, Any]:
    """The sector's own receipt form (code, source, title) and the national procedure code, when known."""
    form_kw: dict[str, Any] = {}
    if service is None:
        return form_kw
    notice = service.notice_form("receipt")
    form_kw = {"form_code": notice.code, "form_source": notice.source,
               "form_title": notice.title_vi.upper() if notice.sector else "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"}
    pc = service.procedure_code(form, received_local.date())
    if pc is not None and pc.code:
        form_kw["procedure_code"] = pc.code
    return form_kw


def receipt_data_from_dossier(dossier: Mapping[str, Any], settings: Any, signer: ReceiptSigner | None = None,
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
    documents, days, processing_text = _service_terms(service, form, dossier)
    unit = settings.unit_name
    qr_text = signer.sign(code, service_no, received_utc.replace(tzinfo=None), appointment) if signer else ""
    form_kw = _receipt_form(service, form, received_local)
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


def specimen(signer: ReceiptSigner, settings: Any) -> ReceiptData:
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


def account_confirmation_data(request: Mapping[str, Any], settings: Any, signer: ReceiptSigner | None = None,
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



def notice_entry(dossier: Mapping[str, Any]) -> Mapping[str, Any] | None:
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
    entry = notice_entry(dossier)
    if status not in NOTICE_FORMS or entry is None:
        raise InvalidInput([("status", "Phiếu yêu cầu bổ sung (Mẫu 02) chỉ in khi hồ sơ đang chờ bổ sung, phiếu từ "
                                       "chối (Mẫu 03) khi hồ sơ bị từ chối.",
                             "The request to supplement (Mẫu 02) prints only for a dossier waiting for a "
                             "supplement, the refusal (Mẫu 03) only for a refused one.")])
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
