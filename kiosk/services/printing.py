"""Printing receipts and other documents as background jobs: every attempt is recorded, audited, and can be retried.

The dossier (or account request) is saved before anything is printed, so a printer that is off, empty
or dies mid-slip loses nothing: the job stays `failed` with its reason, and a retry (or a reprint)
renders the same document with the same QR code again. Each document kind is one row of `DOCUMENTS`:
where its values come from and how it is drawn for each kind of printer; the job itself is one path.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from kiosk.db.engine import Database
from kiosk.db.models_receipts import PrintJob
from kiosk.devices.printers import Printable, Printer, PrinterError, printer_for
from kiosk.domain.receipt import AccountConfirmationData, ReceiptData, RefusalData, SupplementRequestData
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound, ServiceError
from kiosk.services.explain import PRINTER_MESSAGES, printer_message
from kiosk.services.permissions import require
from kiosk.services.receipts import check_layout
from kiosk.support.jobs import Cancelled, CancelToken, Job, Progress, ProgressFn


class PrintFailed(ServiceError):
    """The printer refused or failed; the job is recorded as failed and can be retried."""

    code = "print_failed"

    def __init__(self, reason: str, job_id: str, partial: bool = False) -> None:
        super().__init__(printer_message(reason)[0])
        self.reason = reason
        self.job_id = job_id
        self.partial = partial

    @property
    def message_vi(self) -> str:
        return printer_message(self.reason)[0]

    @property
    def message_en(self) -> str:
        return printer_message(self.reason)[1]


class PrinterLocked(ServiceError):
    """The administrator locked the printer choice on this machine (or its settings file cannot be written)."""

    code = "printer_locked"
    message_vi = "Quản trị viên đã khóa lựa chọn máy in trên máy này."
    message_en = "The administrator has locked the printer choice on this computer."


@dataclass(frozen=True)
class PrintJobInfo:
    id: str
    tracking_code: str
    document: str
    layout: str
    printer_kind: str
    printer_target: str
    status: str
    attempts: int
    error: str | None
    output: str | None
    created_at: str
    updated_at: str
    printed_at: str | None

    @classmethod
    def of(cls, row: PrintJob) -> PrintJobInfo:
        return cls(row.id, row.tracking_code, row.document, row.layout, row.printer_kind, row.printer_target,
                   row.status, row.attempts, row.error, row.output, row.created_at, row.updated_at, row.printed_at)

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["message"] = PRINTER_MESSAGES[self.error][0] if self.error in PRINTER_MESSAGES else None
        return out


class ReceiptSource(Protocol):
    """Where the documents' values come from (ReceiptService: the saved dossier or account request)."""

    def receipt_data(self, principal: Principal, code: str) -> ReceiptData: ...
    def account_confirmation(self, principal: Principal, code: str) -> AccountConfirmationData: ...
    def status_notice(self, principal: Principal, code: str) -> SupplementRequestData | RefusalData: ...


def _layouts() -> Any:
    """The drawing module, imported when something prints (reportlab and the fonts are not cheap)."""
    from kiosk.services import receipt_layouts

    return receipt_layouts


@dataclass(frozen=True)
class DocumentKind:
    """One printable document: its values for a code, and its drawing for each kind of printer."""

    name_vi: str  # for messages: "Đã in {name_vi} …"
    data: Callable[[ReceiptSource, Principal, str], Any]
    code: Callable[[Any], str]  # the tracking code in the data (the job records it, whatever reference was given)
    pdf: Callable[[Any, str], bytes]  # (data, layout): "pdf" printers
    pages: Callable[[Any, str, float], list[Any]]  # (data, layout, dpi): "pages" printers (sheet bitmaps)
    raster: Callable[[Any, int, float], Any]  # (data, dots, dpi): "raster" printers (the 80 mm roll)
    default_layout: str  # on sheet printers when no layout is asked
    file_prefix: str  # before the code in the printed file's name
    audit_target: str  # the audit entry's target kind
    audit_prefix: str  # + "printed", "print_failed", "print_cancelled"
    source: str = "receipts"  # which service's values: the receipts, or one of PrintService.sources
    permission: Permission = Permission.DOSSIER_VIEW  # who may print (and reprint) it


DOCUMENTS: dict[str, DocumentKind] = {
    "receipt": DocumentKind(
        "giấy tiếp nhận hồ sơ",
        data=lambda source, principal, code: source.receipt_data(principal, code),
        code=lambda data: data.tracking_code,
        pdf=lambda data, layout: _layouts().render(data, "pdf", layout),
        pages=lambda data, layout, dpi: _layouts().render(data, "pages", layout, dpi=dpi),
        raster=lambda data, dots, dpi: _layouts().render(data, "raster", dots=dots, dpi=dpi),
        default_layout="a4", file_prefix="", audit_target="dossier", audit_prefix="receipt.",
    ),
    "account_confirmation": DocumentKind(
        "giấy xác nhận đề nghị cấp tài khoản định danh điện tử",
        data=lambda source, principal, code: source.account_confirmation(principal, code),
        code=lambda data: data.reference_code,
        pdf=lambda data, layout: _layouts().render(data, "pdf", layout),
        pages=lambda data, layout, dpi: _layouts().render(data, "pages", layout, dpi=dpi),
        raster=lambda data, dots, dpi: _layouts().render(data, "raster", dots=dots, dpi=dpi),
        default_layout="a5", file_prefix="xac-nhan-", audit_target="account_request",
        audit_prefix="account.confirmation_",
    ),
    # Mẫu 02 for a dossier waiting for a supplement, Mẫu 03 for a refused one (the status decides).
    "status_notice": DocumentKind(
        "phiếu yêu cầu bổ sung hoặc phiếu từ chối (Mẫu 02/03)",
        data=lambda source, principal, code: source.status_notice(principal, code),
        code=lambda data: data.tracking_code,
        pdf=lambda data, layout: _layouts().render(data, "pdf", layout),
        pages=lambda data, layout, dpi: _layouts().render(data, "pages", layout, dpi=dpi),
        raster=lambda data, dots, dpi: _layouts().render(data, "raster", dots=dots, dpi=dpi),
        default_layout="a4", file_prefix="thong-bao-", audit_target="dossier", audit_prefix="notice.",
    ),
    # The hall: a queue ticket (its code is the ticket id) and a service's checklist (its code is the number).
    "queue_ticket": DocumentKind(
        "phiếu số thứ tự",
        data=lambda source, principal, code: source.ticket_print(principal, code),
        code=lambda data: data.number,
        pdf=lambda data, layout: _hall().ticket_pdf(data, layout),
        pages=lambda data, layout, dpi: _hall().ticket_pages(data, layout, dpi),
        raster=lambda data, dots, dpi: _hall().ticket_raster(data, dots, dpi),
        default_layout="thermal", file_prefix="so-thu-tu-", audit_target="queue_ticket", audit_prefix="queue.ticket_",
        source="queue", permission=Permission.QUEUE_TAKE,
    ),
    "service_checklist": DocumentKind(
        "danh sách giấy tờ cần mang",
        data=lambda source, principal, code: source.checklist(principal, code),
        code=lambda data: str(data.service_no),
        pdf=lambda data, layout: _hall().checklist_pdf(data, layout),
        pages=lambda data, layout, dpi: _hall().checklist_pages(data, layout, dpi),
        raster=lambda data, dots, dpi: _hall().checklist_raster(data, dots, dpi),
        default_layout="thermal", file_prefix="giay-to-dich-vu-", audit_target="service", audit_prefix="checklist.",
        source="guide", permission=Permission.STATUS_CHECK,
    ),
}


def _hall() -> Any:
    from kiosk.services import hall_layouts

    return hall_layouts


def document_kind(document: str) -> DocumentKind:
    """The row of DOCUMENTS; an unknown name is refused as input."""
    try:
        return DOCUMENTS[document]
    except KeyError:
        raise InvalidInput([("document", f"Loại giấy tờ in phải là một trong: {', '.join(DOCUMENTS)}.",
                             f"The document to print must be one of: {', '.join(DOCUMENTS)}.")]) from None


ESCPOS_FORMS = ("tcp://192.168.1.50:9100 (máy in mạng), usb://04b8:0e15 (USB: mã hãng:mã máy, hệ 16) "
                "hoặc serial:///dev/ttyUSB0 (cổng nối tiếp)")
ESCPOS_FORMS_EN = ("tcp://192.168.1.50:9100 (network printer), usb://04b8:0e15 (USB: vendor:product, hexadecimal) "
                   "or serial:///dev/ttyUSB0 (serial port)")


def _choice_message(kind: str, target: str, reason: str) -> tuple[str, str]:
    """Why a printer cannot be chosen, in Vietnamese and English (nothing is printed yet: no word of a
    saved dossier)."""
    if kind == "escpos" and reason == "bad_target":
        if not target.strip():
            return (f"Hãy nhập địa chỉ máy in nhiệt ESC/POS, dạng {ESCPOS_FORMS}.",
                    f"Type the address of the ESC/POS thermal printer, as {ESCPOS_FORMS_EN}.")
        return (f"Địa chỉ máy in nhiệt «{target}» không hợp lệ. Hãy nhập dạng {ESCPOS_FORMS}.",
                f"The thermal printer address «{target}» is invalid. Type it as {ESCPOS_FORMS_EN}.")
    if reason == "driver_missing":
        return ("Máy tính này thiếu trình điều khiển cho loại máy in đã chọn.",
                "This computer lacks the driver for the chosen printer kind.")
    return printer_message(reason, "bad_target")


def _check_pdf_folder(folder: Path) -> None:
    """A PDF folder must be a folder this user can write into (a missing one is created at the first print)."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput([("printer_target", f"«{folder}» là một tệp, không phải thư mục.",
                             f"«{folder}» is a file, not a folder.")])
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise InvalidInput([("printer_target", f"Tài khoản máy tính này không ghi được vào thư mục «{folder}».",
                             f"This computer account cannot write into the folder «{folder}».")])


class PrintService:
    """Print, reprint and retry documents (DOCUMENTS) on the chosen printer (setting `printer_kind`/`printer_target`)."""

    def __init__(self, db: Database, receipts: ReceiptSource, kind: str = "pdf", target: str = "",
                 pdf_folder: Path | None = None, printer: Callable[[], Printer] | None = None,
                 clock: Clock = utc_now, sources: dict[str, Callable[[], Any]] | None = None) -> None:
        self.db = db
        self.receipts = receipts
        self.sources = dict(sources or {})  # name -> the service giving a DocumentKind's values (lazily built)
        self.kind = kind
        self.target = target
        self.pdf_folder = pdf_folder or Path("printed")
        self._printer = printer
        self.clock = clock

    def printer(self) -> Printer:
        if self._printer is not None:
            return self._printer()
        return printer_for(self.kind, self.target, self.pdf_folder)

    def choose_printer(self, principal: Principal, loaded: Any, kind: str, target: str = "") -> None:
        """Remember the printer in the user settings (refused when the administrator locked it)."""
        require(principal, Permission.PRINTER_CHOOSE)
        from kiosk.support.config import PRINTER_KINDS, SettingsError, save_user_setting

        if kind not in PRINTER_KINDS:
            raise InvalidInput([("printer_kind", f"Loại máy in phải là một trong: {', '.join(PRINTER_KINDS)}.",
                                 f"The printer kind must be one of: {', '.join(PRINTER_KINDS)}.")])
        locked = {"printer_kind", "printer_target"} & set(loaded.locked)
        if locked:
            raise PrinterLocked("Quản trị viên đã khóa lựa chọn máy in trên máy này.")
        if kind == "pdf" and target:
            target = str(Path(target).expanduser().absolute())  # not relative to whichever folder the CLI ran in
            _check_pdf_folder(Path(target))
        try:
            printer_for(kind, target, self.pdf_folder)
        except PrinterError as exc:
            raise InvalidInput([("printer_target", *_choice_message(kind, target, exc.reason))]) from None
        try:
            save_user_setting("printer_kind", kind, loaded)
            save_user_setting("printer_target", target, loaded)
        except SettingsError as exc:
            raise PrinterLocked(str(exc)) from None
        self.kind, self.target, self._printer = kind, target, None
        with self.db.transaction() as session:
            audit.append(session, principal.audit_name, "printer.chosen", "printer", kind, {"target": target},
                         clock=self.clock)

    def print(self, principal: Principal, code: str, layout: str | None = None,
              document: str = "receipt") -> Job[PrintJobInfo]:
        """A background job printing `document` (a key of DOCUMENTS) of `code`: the receipt of a dossier, the
        confirmation of an account request. The job raises PrintFailed, Cancelled or NotFound."""
        require(principal, document_kind(document).permission)
        if layout is not None:
            check_layout(layout)

        def job(report: ProgressFn, cancel: CancelToken) -> PrintJobInfo:
            return self._run(principal, code, document, layout, None, report, cancel)

        return job

    def retry(self, principal: Principal, job_id: str) -> Job[PrintJobInfo]:
        """Print a failed or cancelled job again: the same document, re-rendered from its record (the same QR)."""
        with self.db.sessions() as session:
            row = session.get(PrintJob, job_id)
            if row is None:
                raise NotFound(f"lệnh in {job_id}")
            code, layout, document = row.tracking_code, row.layout, row.document
        require(principal, document_kind(document).permission)

        def job(report: ProgressFn, cancel: CancelToken) -> PrintJobInfo:
            return self._run(principal, code, document, layout, job_id, report, cancel)

        return job

    def jobs(self, principal: Principal, code: str | None = None, status: str | None = None) -> list[PrintJobInfo]:
        require(principal, Permission.DOSSIER_VIEW)
        query = select(PrintJob).order_by(PrintJob.created_at.desc(), PrintJob.id)
        if code:
            query = query.where(PrintJob.tracking_code == code)
        if status:
            query = query.where(PrintJob.status == status)
        with self.db.sessions() as session:
            return [PrintJobInfo.of(r) for r in session.scalars(query)]

    def _run(self, principal: Principal, code: str, document: str, layout: str | None, job_id: str | None,
             report: ProgressFn, cancel: CancelToken) -> PrintJobInfo:
        kind = document_kind(document)
        report(Progress("prepare", 0.0, code))
        source = self.receipts if kind.source == "receipts" else self.sources[kind.source]()
        data = kind.data(source, principal, code)
        if kind.source == "receipts":
            code = kind.code(data)  # the tracking code in the data, whatever reference was given
        try:
            printer = self.printer()
        except PrinterError as exc:
            printer, failure = None, exc
        else:
            failure = None
        raster = printer is not None and printer.accepts == "raster"
        layout = layout or ("thermal" if raster or self.kind == "escpos" else kind.default_layout)
        if raster and layout != "thermal":
            raise InvalidInput([("layout", "Máy in nhiệt chỉ in được khổ thermal (80 mm).",
                                 "A thermal printer prints the thermal layout (80 mm) only.")])
        job_id = self._record_start(principal, code, document, layout, printer, job_id)
        try:
            if failure is not None:
                raise failure
            assert printer is not None
            cancel.raise_if_cancelled()
            report(Progress("render", 0.2, layout))
            name = f"{kind.file_prefix}{code}-{layout}"
            if raster:
                doc = Printable(name, image=kind.raster(data, printer.dots, printer.dpi))
            elif printer.accepts == "pages":
                doc = Printable(name, pages=tuple(kind.pages(data, layout, printer.dpi)))
            else:
                doc = Printable(name, pdf=kind.pdf(data, layout))
            cancel.raise_if_cancelled()
            report(Progress("print", 0.4, printer.kind))
            outcome = printer.print(doc, lambda p: report(Progress("print", 0.4 + 0.6 * (p.fraction or 0))), cancel)
        except PrinterError as exc:
            self._record_end(principal, job_id, "failed", exc.reason, None, {"partial": exc.partial})
            raise PrintFailed(exc.reason, job_id, exc.partial) from exc
        except Cancelled:
            self._record_end(principal, job_id, "cancelled", None, None, {})
            raise
        except BaseException:
            self._record_end(principal, job_id, "failed", "internal", None, {})
            raise
        info = self._record_end(principal, job_id, "printed", None, outcome.where, {})
        report(Progress("done", 1.0))
        return info

    def _record_start(self, principal: Principal, code: str, document: str, layout: str, printer: Printer | None,
                      job_id: str | None) -> str:
        now = iso_utc(self.clock())
        kind = printer.kind if printer else self.kind
        target = printer.target if printer else self.target
        with self.db.transaction() as session:
            row = session.get(PrintJob, job_id) if job_id else None
            if row is None:
                row = PrintJob(id=job_id or str(uuid.uuid4()), tracking_code=code, document=document, layout=layout,
                               attempts=0, requested_by=principal.audit_name, created_at=now)
                session.add(row)
            row.printer_kind, row.printer_target = kind, target
            row.status, row.error, row.updated_at = "pending", None, now
            row.attempts += 1
            return row.id

    def _record_end(self, principal: Principal, job_id: str, status: str, error: str | None, output: str | None,
                    detail: dict[str, Any]) -> PrintJobInfo:
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = session.get(PrintJob, job_id)
            assert row is not None
            row.status, row.error, row.updated_at = status, error, now
            if output is not None:
                row.output = output
            if status == "printed":
                row.printed_at = now
            kind = document_kind(row.document)
            action = kind.audit_prefix + {"printed": "printed", "failed": "print_failed",
                                          "cancelled": "print_cancelled"}[status]
            audit.append(session, principal.audit_name, action, kind.audit_target, row.tracking_code,
                         {"job": job_id, "document": row.document, "layout": row.layout, "printer": row.printer_kind,
                          "attempt": row.attempts, **({"reason": error} if error else {}), **detail},
                         clock=self.clock)
            return PrintJobInfo.of(row)
