"""Drawing of the hall's slips: the queue ticket (số thứ tự, with its sealed QR code) and a service's
checklist of documents to bring. Same layout engine as the receipts (kiosk.services.layout_flow): a PDF
for the PDF folder and sheet printers, a 1-bit raster for the 80 mm ESC/POS roll.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno
from PIL import Image

from kiosk.domain.queue import Checklist, ChecklistLine, TicketPrint
from kiosk.services.layout_flow import PAGES, Flow, flow_pages, flow_pdf, flow_raster
from kiosk.services.layout_surfaces import QR_MODULE, QR_QUIET, Surface
from kiosk.services.receipt_layouts import vn_datetime


def ticket_matrix(text: str) -> tuple[bytearray, ...]:
    """The ticket's code at level M (15 % of it may be lost), or L when a long draft needs the room."""
    try:
        return segno.make_qr(text, error="m", boost_error=False).matrix
    except segno.DataOverflowError:
        return segno.make_qr(text, error="l", boost_error=False).matrix


def _module(flow: Flow, matrix: Sequence[Sequence[int]]) -> float:
    """Modules as large as the column allows, at most the receipts' 0.5 mm (a scanner reads 0.4 mm and more)."""
    return min(QR_MODULE * 1.4, flow.width / (len(matrix) + 2 * QR_QUIET))


def ticket_flow(data: TicketPrint, page: str, surface: Surface, matrix: Sequence[Sequence[int]] | None = None) -> Flow:
    spec = PAGES[page]
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    flow.para(data.unit_name.upper(), bold=True, align="center", size=size * 1.05)
    flow.para("PHIẾU SỐ THỨ TỰ — QUEUE TICKET", bold=True, align="center", size=size * 1.1, after=size * 0.3)
    flow.para(data.number, bold=True, align="center", size=size * 5.2, leading=1.1, after=size * 0.2)
    flow.para([("Dịch vụ: ", False), (f"{data.service_no}. {data.service_vi}", True)], size=size * 1.05)
    flow.para(f"Service: {data.service_en}", size=size * 0.85)
    flow.para([("Quầy phục vụ nhóm: ", False), (f"{data.group} — {data.group_vi}", True)])
    flow.para(f"Counter group: {data.group} — {data.group_en}", size=size * 0.85)
    if data.ahead:
        flow.para(f"Số người chờ trước bạn: {data.ahead}. Thời gian chờ dự kiến: khoảng {data.estimated_wait_min} phút.")
        flow.para(f"People ahead of you: {data.ahead}. Estimated wait: about {data.estimated_wait_min} min.",
                  size=size * 0.85)
    else:
        flow.para("Bạn là người tiếp theo của nhóm quầy này. / You are next in this group.")
    flow.para(f"Lấy số lúc / Issued: {vn_datetime(data.issued_at)}", size=size * 0.9, after=size * 0.4)
    matrix = matrix if matrix is not None else ticket_matrix(data.qr_text)
    flow.qr(matrix, module=_module(flow, matrix))
    if data.has_draft:
        flow.para("Đưa phiếu cho cán bộ khi được gọi số: mã QR mang tờ khai bạn đã điền (đã mã hóa, chỉ kiosk của "
                  "trạm mở được).", size=size * 0.9)
        flow.para("Hand this ticket to the officer when called: the QR code carries your form, encrypted for this "
                  "station only.", size=size * 0.8)
    else:
        flow.para("Đưa phiếu cho cán bộ khi được gọi số. / Hand this ticket to the officer when called.",
                  size=size * 0.9)
    flow.para("Phiếu chỉ có giá trị trong ngày. / Valid today only.", bold=True, size=size * 0.9)
    return flow


def ticket_pdf(data: TicketPrint, page: str = "thermal") -> bytes:
    return flow_pdf(lambda s: [ticket_flow(data, page, s)], page, f"Phiếu số thứ tự {data.number}")


def ticket_pages(data: TicketPrint, page: str = "thermal", dpi: float = 300) -> list[Image.Image]:
    return flow_pages(lambda s: [ticket_flow(data, page, s)], page, dpi)


def ticket_raster(data: TicketPrint, dots: int = 576, dpi: float = 203.2) -> Image.Image:
    return flow_raster(lambda s: ticket_flow(data, "thermal", s), dots, dpi)


def _lines(flow: Flow, title_vi: str, title_en: str, lines: Sequence[ChecklistLine], box: bool = False) -> None:
    size = flow.size
    flow.para(f"{title_vi} / {title_en}", bold=True, after=1)
    mark = "☐ " if box else "• "
    for line in lines:
        flow.para(mark + line.text_vi, indent=size * 0.4, hanging=size * 1.2)
        if line.text_en and line.text_en != line.text_vi:
            flow.para(line.text_en, size=size * 0.82, indent=size * 1.6)
    flow.space(size * 0.4)


def checklist_flow(data: Checklist, page: str, surface: Surface) -> Flow:
    spec = PAGES[page]
    flow = Flow(surface, spec.width - 2 * spec.margin_x, spec.size)
    size = spec.size
    flow.para(data.unit_name.upper(), bold=True, align="center")
    flow.para("GIẤY TỜ CẦN MANG — WHAT TO BRING", bold=True, align="center", size=size * 1.1, after=size * 0.3)
    flow.para(f"{data.service_no}. {data.title_vi}", bold=True, size=size * 1.05)
    flow.para(data.title_en, size=size * 0.85, after=size * 0.4)
    _lines(flow, "Để làm gì", "What it is for", [data.purpose])
    _lines(flow, "Ai được yêu cầu", "Who may ask", [data.who])
    _lines(flow, "Giấy tờ mang theo (đánh dấu khi đã có)", "Documents (tick when ready)", data.documents, box=True)
    _lines(flow, "Lệ phí", "Fees", data.fees)
    _lines(flow, "Thời hạn giải quyết", "Processing time", [data.processing, data.ready])
    _lines(flow, "Kết quả", "Result", [*data.result, data.where])
    if data.unconfirmed:
        flow.para("Một số thông tin chưa được xác nhận; hãy hỏi lại cán bộ tại quầy. / Some details are not "
                  "confirmed yet: ask at the counter.", size=size * 0.85)
    flow.para(f"In lúc / Printed: {vn_datetime(data.printed_at)}", size=size * 0.85)
    return flow


def checklist_pdf(data: Checklist, page: str = "thermal") -> bytes:
    return flow_pdf(lambda s: [checklist_flow(data, page, s)], page, f"Giấy tờ cần mang — dịch vụ {data.service_no}")


def checklist_pages(data: Checklist, page: str = "thermal", dpi: float = 300) -> list[Image.Image]:
    return flow_pages(lambda s: [checklist_flow(data, page, s)], page, dpi)


def checklist_raster(data: Checklist, dots: int = 576, dpi: float = 203.2) -> Image.Image:
    return flow_raster(lambda s: checklist_flow(data, "thermal", s), dots, dpi)

