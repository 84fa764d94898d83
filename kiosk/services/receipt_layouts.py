"""Drawing of Mẫu 01/02/03 (Circular 03/2025/TT-VPCP, Appendix I) and the account confirmation.

Each document is a layout on the engine of `layout_flow`; `render` draws any of the four to a PDF, to page
bitmaps (the system printer) or to a strip for the 80 mm roll (ESC/POS raster).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, overload

from PIL import Image
from reportlab.lib.units import mm

from kiosk.domain.receipt import (
    COPIES,
    COPY_LABELS,
    DOCUMENT_KINDS_VI,
    AccountConfirmationData,
    ReceiptData,
    RefusalData,
    SupplementRequestData,
)
from kiosk.services.layout_flow import PAGES, Build, Flow, flow_pages, flow_pdf, flow_raster
from kiosk.services.layout_surfaces import Surface, qr_matrix

Document = ReceiptData | AccountConfirmationData | SupplementRequestData | RefusalData
#: The sheet each document is printed on when no layout is asked.
DEFAULT_PAGE = {ReceiptData: "a4", AccountConfirmationData: "a5", SupplementRequestData: "a4", RefusalData: "a4"}


def vn_date(moment: datetime) -> str:
    """`ngày 05 tháng 02 năm 2026`: a zero before days below 10 and months 1 and 2 (Decree 30/2020/NĐ-CP, App. I)."""
    month = f"{moment.month:02d}" if moment.month <= 2 else str(moment.month)
    return f"ngày {moment.day:02d} tháng {month} năm {moment.year}"


def vn_datetime(moment: datetime) -> str:
    """`09 giờ 30 phút, ngày 25 tháng 11 năm 2026` (Mẫu 01 items 4 and 5)."""
    return f"{moment.hour:02d} giờ {moment.minute:02d} phút, {vn_date(moment)}"


def _header(flow: Flow, parent: str, unit: str, place: str, day: datetime, compact: bool) -> None:
    size = flow.size
    if compact:
        flow.para(parent.upper(), size=size * 0.9, align="center")
        flow.para(unit.upper(), size=size * 0.9, bold=True, align="center", after=1)
        flow.para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=size * 0.85, bold=True, align="center")
        flow.para("Độc lập - Tự do - Hạnh phúc", size=size * 0.9, bold=True, align="center")
        flow.rule(flow.width * 0.45)
        flow.para(f"{place}, {vn_date(day)}", size=size * 0.9, align="center", after=size * 0.4)
        return
    left_w = flow.width * 0.42
    right_w = flow.width - left_w
    left, right = flow.sub(left_w), flow.sub(right_w)
    left.para(parent.upper(), size=size * 0.95, align="center")
    left.para(unit.upper(), size=size * 0.95, bold=True, align="center", after=1)
    left.rule(left_w * 0.35)
    right.para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=size * 0.95, bold=True, align="center")
    right.para("Độc lập - Tự do - Hạnh phúc", size=size, bold=True, align="center", after=1)
    right.rule(right.s.width("Độc lập - Tự do - Hạnh phúc", True, size))
    flow.columns([(left, left_w), (right, right_w)])
    date_flow = flow.sub(right_w)
    date_flow.para(f"{place}, {vn_date(day)}", size=size * 0.95, align="center")
    spacer = flow.sub(left_w)
    flow.columns([(spacer, left_w), (date_flow, right_w)])
    flow.space(size * 0.8)


def _signatures(flow: Flow, blocks: Sequence[tuple[str, str]], sign_space: float) -> None:
    """Signature blocks side by side: title, "(Ký và ghi rõ họ tên)", room to sign, the printed name."""
    w = flow.width / len(blocks)
    parts = []
    for title, name in blocks:
        col = flow.sub(w)
        col.para(title, bold=True, align="center")
        col.para("(Ký và ghi rõ họ tên)", size=flow.size * 0.9, align="center")
        col.space(sign_space)
        if name:
            col.para(name, bold=True, align="center")
        parts.append((col, w))
    flow.columns(parts)


def _documents(flow: Flow, data: ReceiptData) -> None:
    flow.para("1. Thành phần hồ sơ nộp gồm:")
    if not data.documents:
        flow.para("(không có giấy tờ kèm theo)", indent=flow.size * 1.5)
    for i, doc in enumerate(data.documents):
        kind = DOCUMENT_KINDS_VI.get(doc.kind, doc.kind)
        letter = chr(ord("a") + i) if i < 26 else str(i + 1)
        flow.para(f"{letter}) {doc.name} ({kind}, số lượng: {doc.count:02d})", indent=flow.size * 1.5,
                  hanging=flow.size * 1.2)


def _form_mark(flow: Flow, code: str, source: str) -> None:
    """The form's own mark at the top right ("Mẫu CT04 ban hành kèm theo Thông tư 66/2023/TT-BCA")."""
    if code:
        name = code if code.startswith("Mẫu") else f"Mẫu {code}"
        flow.para(f"{name} ban hành kèm theo {source}" if source else name, size=flow.size * 0.75, align="right")


def _fee(flow: Flow, data: ReceiptData, hanging: float) -> None:
    fee = data.fee
    if fee is None:
        return
    if fee.exemption:
        flow.para([("Lệ phí: ", False), ("miễn", True), (f" — {fee.exemption}", False)], hanging=hanging)
    elif fee.lines:
        flow.para([("Lệ phí: ", False), (fee.total, True)], hanging=hanging)
        if len(fee.lines) > 1:
            for label, amount in fee.lines:
                flow.para(f"- {label}: {amount}", indent=flow.size * 1.5, size=flow.size * 0.95)
    if fee.unconfirmed:
        flow.para("(Mức lệ phí chưa được đối chiếu văn bản: cán bộ kiểm tra trước khi thu.)", size=flow.size * 0.85)


def _applicant(flow: Flow, data: ReceiptData, matrix: Sequence[Sequence[int]] | None) -> None:
    """Who handed the dossier in and what they ask, with the QR code beside it on sheets (`matrix`)."""
    size = flow.size
    intro = flow.sub(flow.width)
    qr_side = 0.0
    if matrix:
        qr_side = flow.qr_side(matrix)
        intro = flow.sub(flow.width - qr_side - 2 * mm)
    intro.para([(f"Bộ phận tiếp nhận và trả kết quả {data.receiving_unit} tiếp nhận hồ sơ của: ", False),
                (data.applicant_name, True)])
    if data.applicant_id_number:
        intro.para(f"Số định danh cá nhân: {data.applicant_id_number}")
    intro.para(f"Địa chỉ: {data.applicant_address or '—'}")
    intro.para(f"Số điện thoại: {data.applicant_phone or '—'}")
    intro.para(f"Email: {data.applicant_email or '—'}")
    intro.para(f"Nội dung yêu cầu giải quyết: {data.procedure}")
    if qr_side:
        code = flow.sub(qr_side)
        code.qr(matrix)
        code.para("Quét mã để tra cứu hồ sơ", size=size * 0.75, align="center")
        flow.columns([(intro, flow.width - qr_side), (code, qr_side)])
    else:
        flow.ops.extend(intro.ops)


def receipt_flow(data: ReceiptData, copy: str, page: str, surface: Surface,
                 matrix: Sequence[Sequence[int]] | None = None) -> Flow:
    spec = PAGES[page]
    if data.qr_text and matrix is None:
        matrix = qr_matrix(data.qr_text)
    thermal = page == "thermal"
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    _form_mark(flow, data.form_code, data.form_source)
    _header(flow, data.parent_agency, data.receiving_unit, data.place, data.received_at, thermal)
    flow.para(data.form_title, size=size * (0.98 if thermal else 1.25), bold=True, align="center", after=1)
    flow.para([("Mã hồ sơ: ", False), (data.tracking_code, True)], align="center")
    if data.procedure_code:
        flow.para(f"Mã thủ tục hành chính: {data.procedure_code}", size=size * 0.9, align="center")
    flow.para(f"({COPY_LABELS[copy]})", size=size * 0.9, align="center", after=size * 0.5)

    _applicant(flow, data, None if thermal else matrix)
    flow.space(size * 0.3)
    _documents(flow, data)
    item = size * 1.1  # hanging indent of the numbered items
    flow.para(f"2. Số lượng hồ sơ: {data.sets:02d} (bộ)", hanging=item)
    if data.processing_days is not None:
        flow.para(f"3. Thời gian giải quyết hồ sơ theo quy định là: {data.processing_days:02d} ngày làm việc",
                  hanging=item)
    else:
        flow.para(f"3. Thời gian giải quyết hồ sơ theo quy định là: {data.processing_text or 'theo quy định'}",
                  hanging=item)
    flow.para(f"4. Thời gian nhận hồ sơ: {vn_datetime(data.received_at)}", hanging=item)
    due = vn_datetime(data.due_at) if data.due_at else (data.processing_text or "theo thông báo của cơ quan giải quyết")
    flow.para(f"5. Thời gian trả kết quả giải quyết hồ sơ: {due}", hanging=item)
    flow.para(f"6. Đăng ký nhận kết quả tại: {data.result_at or data.receiving_unit}", hanging=item, after=size * 0.3)
    _fee(flow, data, item)
    for note in data.notes:
        flow.para(note, size=size * 0.9, hanging=item)
    flow.para(f"Vào Sổ theo dõi hồ sơ, Quyển số: {data.register_book or '……'}, "
              f"Số thứ tự: {data.register_number or '……'}", after=size * 0.8)
    if thermal:
        flow.para(f"Người tiếp nhận: {data.receiver_name}" if data.receiver_name else "Người tiếp nhận: ……")
        if matrix:
            flow.space(size * 0.5)
            flow.qr(matrix)
            flow.para("Quét mã để tra cứu tình trạng hồ sơ", size=size * 0.85, align="center")
    else:
        _signatures(flow, [("NGƯỜI NỘP HỒ SƠ", data.applicant_name), ("NGƯỜI TIẾP NHẬN HỒ SƠ", data.receiver_name)],
                    sign_space=size * (5.0 if page == "a5" else 5.5))
    return flow


def account_flow(data: AccountConfirmationData, page: str, surface: Surface) -> Flow:
    spec = PAGES[page]
    thermal = page == "thermal"
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    _header(flow, data.parent_agency, data.receiving_unit, data.place, data.received_at, thermal)
    flow.para(data.title, size=size * (1.05 if thermal else 1.2), bold=True, align="center", after=1)
    flow.para([("Mã yêu cầu: ", False), (data.reference_code, True)], align="center", after=size * 0.5)
    flow.para([(f"{data.receiving_unit} đã tiếp nhận đề nghị của: ", False), (data.applicant_name, True)])
    for label, value in data.rows:
        flow.para([(f"{label}: ", False), (value, False)], indent=size)
    flow.para(f"Thời gian tiếp nhận: {vn_datetime(data.received_at)}")
    for note in data.notes:
        flow.para(note, size=size * 0.9, indent=size)
    flow.space(size * 0.6)
    if data.qr_text:
        flow.qr(qr_matrix(data.qr_text))
        flow.para("Quét mã để tra cứu tình trạng yêu cầu", size=size * 0.8, align="center", after=size * 0.4)
    if thermal:
        flow.para(f"Người tiếp nhận: {data.receiver_name or '……'}")
    else:
        _signatures(flow, [("NGƯỜI ĐỀ NGHỊ", data.applicant_name), ("NGƯỜI TIẾP NHẬN", data.receiver_name)],
                    sign_space=size * 3.5)
    return flow


def supplement_flow(data: SupplementRequestData, page: str, surface: Surface) -> Flow:
    spec = PAGES[page]
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    _form_mark(flow, data.form_code, data.form_source)
    _header(flow, data.parent_agency, data.receiving_unit, data.place, data.issued_at, page == "thermal")
    flow.para(data.form_title or "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", size=size * 1.2, bold=True, align="center",
              after=1)
    flow.para([("Mã hồ sơ: ", False), (data.tracking_code, True)], align="center", after=size * 0.5)
    flow.para([("Hồ sơ của: ", False), (data.applicant_name, True)])
    flow.para(f"Nội dung yêu cầu giải quyết: {data.procedure}")
    flow.para(f"Ngày {data.received_at.day:02d}/{data.received_at.month:02d}/{data.received_at.year}, "
              f"Bộ phận tiếp nhận và trả kết quả {data.receiving_unit} đã tiếp nhận hồ sơ của Ông/Bà "
              f"{data.applicant_name}. Sau khi xem xét, đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm "
              "những nội dung sau:")
    for i, item in enumerate(data.items, 1):
        flow.para(f"{i}. {item.what}", indent=size, hanging=size)
        if item.why:
            flow.para(f"Lý do: {item.why}", size=size * 0.95, indent=size * 2)
    if data.reason:
        flow.para(f"Lý do chung: {data.reason}")
    contact = data.contact or data.receiving_unit
    flow.para(f"Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ {contact} để được hướng dẫn.",
              after=size)
    _signatures(flow, [("NGƯỜI HƯỚNG DẪN", data.officer_name)], sign_space=size * 3.5)
    return flow


def refusal_flow(data: RefusalData, page: str, surface: Surface) -> Flow:
    spec = PAGES[page]
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    _form_mark(flow, data.form_code, data.form_source)
    _header(flow, data.parent_agency, data.receiving_unit, data.place, data.issued_at, page == "thermal")
    flow.para(data.form_title or "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", size=size * 1.2, bold=True, align="center",
              after=1)
    flow.para([("Mã hồ sơ: ", False), (data.tracking_code, True)], align="center", after=size * 0.5)
    flow.para([(f"Bộ phận tiếp nhận và trả kết quả {data.receiving_unit} tiếp nhận hồ sơ của: ", False),
               (data.applicant_name, True)])
    flow.para(f"Nội dung yêu cầu giải quyết: {data.procedure}")
    flow.para("Qua xem xét, Bộ phận tiếp nhận và trả kết quả thông báo không tiếp nhận, giải quyết hồ sơ này "
              "với lý do cụ thể như sau:")
    for reason in data.reasons:
        flow.para(f"- {reason}", indent=size, hanging=size * 0.8)
    flow.para("Xin thông báo để Ông/Bà biết và thực hiện./.", after=size)
    _signatures(flow, [("NGƯỜI TIẾP NHẬN HỒ SƠ", data.officer_name)], sign_space=size * 3.5)
    return flow


def _receipt_copies(page: str, copies: Sequence[str] | None) -> tuple[str, ...]:
    """The copies (liên) to draw: both on sheets, the applicant's on the roll, unless told."""
    return tuple(copies) if copies else (("applicant",) if page == "thermal" else COPIES)


def layout(data: Document, page: str, copies: Sequence[str] | None = None) -> Build:
    """The flows of a document on `page`, as a function of the surface that measures them; a receipt has one
    flow per copy (liên)."""
    if isinstance(data, ReceiptData):
        chosen = _receipt_copies(page, copies)
        matrix = qr_matrix(data.qr_text) if data.qr_text else None
        return lambda s: [receipt_flow(data, c, page, s, matrix) for c in chosen]
    if isinstance(data, AccountConfirmationData):
        return lambda s: [account_flow(data, page, s)]
    if isinstance(data, SupplementRequestData):
        return lambda s: [supplement_flow(data, page, s)]
    return lambda s: [refusal_flow(data, page, s)]


def title(data: Document) -> str:
    """The PDF's title."""
    if isinstance(data, ReceiptData):
        return f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {data.tracking_code}"
    if isinstance(data, AccountConfirmationData):
        return data.title
    if isinstance(data, SupplementRequestData):
        return f"Phiếu yêu cầu bổ sung {data.tracking_code}"
    return f"Phiếu từ chối tiếp nhận {data.tracking_code}"


@overload
def render(data: Document, output: Literal["pdf"], page: str | None = None, *,
           copies: Sequence[str] | None = None) -> bytes: ...
@overload
def render(data: Document, output: Literal["pages"], page: str | None = None, *,
           copies: Sequence[str] | None = None, dpi: float = 300) -> list[Image.Image]: ...
@overload
def render(data: Document, output: Literal["raster"], *, dots: int = 576, dpi: float = 203.2) -> Image.Image: ...


def render(data: Document, output: str, page: str | None = None, *, copies: Sequence[str] | None = None,
           dpi: float | None = None, dots: int = 576) -> bytes | list[Image.Image] | Image.Image:
    """Draw one of the four documents: a PDF, page bitmaps at `dpi` for printers that take images, or the
    80 mm slip as a 1-bit image `dots` wide (ESC/POS raster). `page` is a4, a5 or thermal (each document
    has its usual sheet); a receipt draws both copies on sheets and the applicant's on the roll."""
    if output == "raster":
        build = layout(data, "thermal", copies)
        return flow_raster(lambda s: _one(build(s)), dots, 203.2 if dpi is None else dpi)
    page = page or DEFAULT_PAGE[type(data)]
    if output == "pdf":
        return flow_pdf(layout(data, page, copies), page, title(data))
    if output == "pages":
        return flow_pages(layout(data, page, copies), page, 300 if dpi is None else dpi)
    raise ValueError(f"no output {output!r}: pdf, pages or raster")


def _one(flows: list[Flow]) -> Flow:
    (flow,) = flows  # a thermal strip is one flow: one copy
    return flow
