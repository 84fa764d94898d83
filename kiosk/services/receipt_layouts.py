"""Drawing of Mẫu 01/02/03 (Circular 03/2025/TT-VPCP, Appendix I) and the account confirmation.

One layout description feeds two surfaces: a reportlab PDF canvas (A4, A5, 80 mm roll) and a Pillow
bitmap at the thermal printer's resolution (ESC/POS raster). Text is laid out by our own greedy
word wrap in the surface's own metrics; the QR code is one vector path built from segno's matrix.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.domain.receipt import (
    COPIES,
    COPY_LABELS,
    DOCUMENT_KINDS_VI,
    AccountConfirmationData,
    ReceiptData,
    RefusalData,
    SupplementRequestData,
)
from kiosk.domain.text import scrub
from kiosk.resources import resource_path

FONT_REGULAR = "KioskSans"
FONT_BOLD = "KioskSans-Bold"
THERMAL_WIDTH = 80 * mm
THERMAL_PRINTABLE = 72 * mm  # 576 dots at 8 dots/mm on 80 mm printers
QR_MODULE = 0.5 * mm
QR_QUIET = 4  # modules of white around the code (ISO/IEC 18004 §6.3.8)

_SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("C:/Windows/Fonts"),
)


class FontMissing(RuntimeError):
    """No TrueType font with Vietnamese glyphs was found; the message says what to install."""


@lru_cache(maxsize=1)
def font_files() -> tuple[Path, Path]:
    """DejaVu Sans regular and bold: the bundled copies first, else the system's."""
    for folder in (resource_path("fonts"), *_SYSTEM_FONT_DIRS):
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise FontMissing(
        "Không tìm thấy phông chữ DejaVu Sans để in tiếng Việt (resources/fonts hoặc gói fonts-dejavu-core). "
        "No DejaVu Sans font: install fonts-dejavu-core."
    )


_font_lock = threading.Lock()


def register_fonts() -> None:
    """Register the two TTFs with reportlab once per process (parsing them costs more than a page)."""
    with _font_lock:
        if FONT_REGULAR in pdfmetrics.getRegisteredFontNames():
            return
        regular, bold = font_files()
        pdfmetrics.registerFont(TTFont(FONT_REGULAR, str(regular)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))


def qr_matrix(text: str) -> tuple[bytearray, ...]:
    """The module matrix at error correction level Q (no quiet zone)."""
    return segno.make_qr(text, error="q", boost_error=False).matrix


def qr_runs(matrix: Sequence[Sequence[int]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    runs = []
    for r, row in enumerate(matrix):
        start = -1
        for c, dark in enumerate(row):
            if dark and start < 0:
                start = c
            elif not dark and start >= 0:
                runs.append((r, start, c - start))
                start = -1
        if start >= 0:
            runs.append((r, start, len(row) - start))
    return runs


class Surface(Protocol):
    """Where a layout is drawn; coordinates in points, y growing downwards from the page top."""

    def width(self, text: str, bold: bool, size: float) -> float: ...
    def text(self, x: float, baseline: float, text: str, bold: bool, size: float) -> None: ...
    def rule(self, x1: float, x2: float, y: float, weight: float) -> None: ...
    def qr(self, x: float, y: float, matrix: Sequence[Sequence[int]], module: float) -> None: ...
    def snap_module(self, module: float) -> float: ...


class PdfSurface:
    def __init__(self, canvas: Canvas, page_height: float) -> None:
        self.canvas = canvas
        self.h = page_height
        self._font: tuple[str, float] | None = None

    def width(self, text: str, bold: bool, size: float) -> float:
        return pdfmetrics.stringWidth(text, FONT_BOLD if bold else FONT_REGULAR, size)

    def text(self, x: float, baseline: float, text: str, bold: bool, size: float) -> None:
        font = (FONT_BOLD if bold else FONT_REGULAR, size)
        if font != self._font:
            self.canvas.setFont(*font)
            self._font = font
        self.canvas.drawString(x, self.h - baseline, text)

    def rule(self, x1: float, x2: float, y: float, weight: float) -> None:
        self.canvas.setLineWidth(weight)
        self.canvas.line(x1, self.h - y, x2, self.h - y)

    def qr(self, x: float, y: float, matrix: Sequence[Sequence[int]], module: float) -> None:
        path = self.canvas.beginPath()
        for r, c, n in qr_runs(matrix):
            path.rect(x + c * module, self.h - y - (r + 1) * module, n * module, module)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def snap_module(self, module: float) -> float:
        return module

    def new_page(self) -> None:
        self.canvas.showPage()
        self._font = None


@lru_cache(maxsize=32)
def _pil_font(bold: bool, pixels: int) -> ImageFont.FreeTypeFont:
    regular, bold_file = font_files()
    return ImageFont.truetype(str(bold_file if bold else regular), pixels)


class RasterSurface:
    """A 1-bit-ready grayscale bitmap at `dpi` (203 for 8 dots/mm thermal heads)."""

    def __init__(self, image: Image.Image, dpi: float) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.scale = dpi / 72.0

    def _font(self, bold: bool, size: float) -> ImageFont.FreeTypeFont:
        return _pil_font(bold, max(6, round(size * self.scale)))

    def width(self, text: str, bold: bool, size: float) -> float:
        return self._font(bold, size).getlength(text) / self.scale

    def text(self, x: float, baseline: float, text: str, bold: bool, size: float) -> None:
        self.draw.text((round(x * self.scale), round(baseline * self.scale)), text, font=self._font(bold, size),
                       fill=0, anchor="ls")

    def rule(self, x1: float, x2: float, y: float, weight: float) -> None:
        px = max(1, round(weight * self.scale))
        top = round(y * self.scale)
        self.draw.rectangle((round(x1 * self.scale), top, round(x2 * self.scale) - 1, top + px - 1), fill=0)

    def qr(self, x: float, y: float, matrix: Sequence[Sequence[int]], module: float) -> None:
        m = round(module * self.scale)
        left, top = round(x * self.scale), round(y * self.scale)
        for r, c, n in qr_runs(matrix):
            self.draw.rectangle((left + c * m, top + r * m, left + (c + n) * m - 1, top + (r + 1) * m - 1), fill=0)

    def snap_module(self, module: float) -> float:
        # Whole dots per module, or the code blurs on the print head.
        return max(1, round(module * self.scale)) / self.scale


Draw = Callable[[Surface, float, float], None]


@dataclass
class Op:
    """A block of fixed height; `draw(surface, x, y_top)`."""

    height: float
    draw: Draw


Run = tuple[str, bool]


def _nfc(text: str) -> str:
    # Chip data and keyboards may give decomposed Vietnamese; the fonts' precomposed glyphs look right.
    # Control and text-direction characters (refused at input; older rows may hold them) never print.
    return scrub(text)


class Flow:
    """A column of blocks `width` points wide, measured on `surface`."""

    def __init__(self, surface: Surface, width: float, size: float) -> None:
        self.s = surface
        self.width = width
        self.size = size
        self.ops: list[Op] = []

    @property
    def height(self) -> float:
        return sum(op.height for op in self.ops)

    def space(self, points: float) -> None:
        self.ops.append(Op(points, lambda s, x, y: None))

    def para(self, runs: str | Sequence[Run], size: float | None = None, bold: bool = False, align: str = "left",
             indent: float = 0.0, hanging: float = 0.0, after: float = 0.0, leading: float = 1.3) -> None:
        """A wrapped paragraph of styled runs; `hanging` indents every line after the first."""
        size = size or self.size
        if isinstance(runs, str):
            runs = [(runs, bold)]
        lines = self._wrap(runs, size, indent, hanging)
        line_h = size * leading
        measure = self.s.width
        width = self.width

        def draw(s: Surface, x: float, y: float) -> None:
            for i, (offset, words) in enumerate(lines):
                baseline = y + line_h * i + size
                if align != "left":
                    total = sum(measure(t, b, size) for t, b in words)
                    offset = (width - total) / 2 if align == "center" else width - total
                cursor = x + offset
                for text, b in words:
                    s.text(cursor, baseline, text, b, size)
                    cursor += measure(text, b, size)

        self.ops.append(Op(line_h * len(lines) + size * (leading - 1.0) * 0.5 + after, draw))

    def _wrap(self, runs: Sequence[Run], size: float, indent: float, hanging: float) -> list[tuple[float, list[Run]]]:
        words: list[tuple[str, bool, bool]] = []  # (word, bold, preceded by a space)
        spaced = False
        for text, bold in runs:
            for part in _nfc(text).split(" "):
                if part:
                    words.append((part, bold, spaced))
                spaced = True
            spaced = text.endswith(" ")
        lines: list[tuple[float, list[Run]]] = []
        current: list[Run] = []
        used = 0.0
        offset = indent
        space = self.s.width(" ", False, size)
        for word, bold, spaced in words:
            w = self.s.width(word, bold, size)
            gap = space if spaced and current else 0.0
            if current and used + gap + w > self.width - offset:
                lines.append((offset, current))
                current, used, offset, gap = [], 0.0, indent + hanging, 0.0
            while w > self.width - offset and len(word) > 1:
                # A word wider than the column (a long e-mail address): cut it where it overflows.
                cut = len(word)
                while cut > 1 and self.s.width(word[:cut], bold, size) > self.width - offset - used - gap:
                    cut -= 1
                if current and cut <= 1:
                    lines.append((offset, current))
                    current, used, offset, gap = [], 0.0, indent + hanging, 0.0
                    continue
                current.append(((" " if gap else "") + word[:cut], bold))
                lines.append((offset, current))
                current, used, offset, gap = [], 0.0, indent + hanging, 0.0
                word = word[cut:]
                w = self.s.width(word, bold, size)
            if current and current[-1][1] == bold:
                current[-1] = (current[-1][0] + (" " if gap else "") + word, bold)
            else:
                current.append(((" " if gap else "") + word, bold))
            used += gap + w
        if current or not lines:
            lines.append((offset, current))
        return lines

    def rule(self, length: float, weight: float = 0.6, align: str = "center", after: float = 2.0) -> None:
        width = self.width

        def draw(s: Surface, x: float, y: float) -> None:
            start = x + (width - length) / 2 if align == "center" else x
            s.rule(start, start + length, y + weight, weight)

        self.ops.append(Op(weight + after, draw))

    def qr_side(self, matrix: Sequence[Sequence[int]], module: float = QR_MODULE) -> float:
        return (len(matrix) + 2 * QR_QUIET) * self.s.snap_module(module)

    def qr(self, matrix: Sequence[Sequence[int]], module: float = QR_MODULE, align: str = "center") -> float:
        """The QR code with its quiet zone; returns its side in points."""
        m = self.s.snap_module(module)
        side = self.qr_side(matrix, module)
        width = self.width

        def draw(s: Surface, x: float, y: float) -> None:
            left = x + (width - side) / 2 if align == "center" else (x + width - side if align == "right" else x)
            s.qr(left + QR_QUIET * m, y + QR_QUIET * m, matrix, m)

        self.ops.append(Op(side, draw))
        return side

    def columns(self, parts: Sequence[tuple[Flow, float]], gap: float = 0.0) -> None:
        """Sub-flows side by side (each with its own width); the block is as tall as the tallest."""
        height = max(f.height for f, _ in parts)

        def draw(s: Surface, x: float, y: float) -> None:
            left = x
            for f, w in parts:
                f.draw_at(s, left, y)
                left += w + gap

        self.ops.append(Op(height, draw))

    def sub(self, width: float) -> Flow:
        return Flow(self.s, width, self.size)

    def draw_at(self, s: Surface, x: float, y: float) -> float:
        for op in self.ops:
            op.draw(s, x, y)
            y += op.height
        return y


@dataclass(frozen=True)
class PageSpec:
    width: float
    height: float | None  # None: a roll, as long as the content
    margin_x: float
    margin_top: float
    margin_bottom: float
    size: float


PAGES = {
    "a4": PageSpec(A4[0], A4[1], 20 * mm, 15 * mm, 15 * mm, 12.5),
    "a5": PageSpec(A5[0], A5[1], 11 * mm, 10 * mm, 9 * mm, 9.4),
    "thermal": PageSpec(THERMAL_WIDTH, None, (THERMAL_WIDTH - THERMAL_PRINTABLE) / 2 + 1.5 * mm, 3 * mm, 8 * mm, 8.2),
}


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

    intro = flow.sub(flow.width)
    qr_side = 0.0
    if matrix and not thermal:
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


Build = Callable[[Surface], list[Flow]]  # a layout: its flows, measured on the surface it will be drawn on


def _paginate(flows: Sequence[Flow], spec: PageSpec) -> list[list[tuple[Op, float]]]:
    """Each op with its page and top: a new page per flow, and whenever an op would cross the bottom margin."""
    pages: list[list[tuple[Op, float]]] = []
    for flow in flows:
        pages.append([])
        y = spec.margin_top
        for op in flow.ops:
            if spec.height is not None and y + op.height > spec.height - spec.margin_bottom and y > spec.margin_top:
                pages.append([])
                y = spec.margin_top
            pages[-1].append((op, y))
            y += op.height
    return pages


def _pdf(build: Build, page: str, title: str) -> bytes:
    register_fonts()
    spec = PAGES[page]
    # Layout needs only font metrics; the flows are then drawn on the real canvas.
    flows = build(PdfSurface(None, 0))  # type: ignore[arg-type]
    if spec.height is None:
        size = (spec.width, max(f.height for f in flows) + spec.margin_top + spec.margin_bottom)
    else:
        size = (spec.width, spec.height)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=size, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setCreator("kiosk")
    surface = PdfSurface(canvas, size[1])
    for n, ops in enumerate(_paginate(flows, spec)):
        if n:
            surface.new_page()
        for op, y in ops:
            op.draw(surface, spec.margin_x, y)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _receipt_copies(page: str, copies: Sequence[str] | None) -> tuple[str, ...]:
    """The copies (liên) to draw: both on sheets, the applicant's on the roll, unless told."""
    return tuple(copies) if copies else (("applicant",) if page == "thermal" else COPIES)


def receipt_pdf(data: ReceiptData, page: str = "a4", copies: Sequence[str] | None = None) -> bytes:
    """Mẫu 01 as PDF; one page (or more) per copy."""
    copies = _receipt_copies(page, copies)
    matrix = qr_matrix(data.qr_text) if data.qr_text else None
    return _pdf(lambda s: [receipt_flow(data, c, page, s, matrix) for c in copies], page,
                f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả {data.tracking_code}")


def account_confirmation_pdf(data: AccountConfirmationData, page: str = "a5") -> bytes:
    """The identity-account confirmation as PDF (one page, or one strip on the 80 mm roll)."""
    return _pdf(lambda s: [account_flow(data, page, s)], page, data.title)


def supplement_request_pdf(data: SupplementRequestData, page: str = "a4") -> bytes:
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""
    return _pdf(lambda s: [supplement_flow(data, page, s)], page, f"Phiếu yêu cầu bổ sung {data.tracking_code}")


def refusal_pdf(data: RefusalData, page: str = "a4") -> bytes:
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    return _pdf(lambda s: [refusal_flow(data, page, s)], page, f"Phiếu từ chối tiếp nhận {data.tracking_code}")


def _probe(dpi: float) -> RasterSurface:
    """A surface for measuring at `dpi` (bitmap metrics differ slightly from the PDF's)."""
    return RasterSurface(Image.new("L", (1, 1), 255), dpi)


def _roll(flow: Flow, dots: int, dpi: float) -> Image.Image:
    """A flow measured at `dpi` as one 1-bit strip `dots` wide, the column centred, the roll's margins kept."""
    spec = PAGES["thermal"]
    scale = dpi / 72.0
    width_pt = dots / scale
    # The bitmap is the printable width (the head adds the paper's margins); keep the slip's inner margin.
    margin = (width_pt - flow.width) / 2
    height = round((flow.height + spec.margin_top + spec.margin_bottom) * scale)
    image = Image.new("L", (dots, height), 255)
    flow.draw_at(RasterSurface(image, dpi), margin, spec.margin_top)
    return image.point(lambda v: 0 if v < 150 else 255, mode="1")


def flow_pages(build: Build, page: str = "a4", dpi: float = 300) -> list[Image.Image]:
    """Any layout (`build(surface) -> flows`) as page bitmaps at `dpi`, for printers that take images.

    Sheets are grayscale, a new one per flow and wherever a block would cross the bottom margin; on
    the 80 mm roll each flow is one 1-bit strip as wide as the paper.
    """
    spec = PAGES[page]
    flows = build(_probe(dpi))
    scale = dpi / 72.0
    if spec.height is None:
        return [_roll(flow, round(spec.width * scale), dpi) for flow in flows]
    out = []
    for ops in _paginate(flows, spec):
        image = Image.new("L", (round(spec.width * scale), round(spec.height * scale)), 255)
        surface = RasterSurface(image, dpi)
        for op, y in ops:
            op.draw(surface, spec.margin_x, y)
        out.append(image)
    return out


def flow_raster(build: Callable[[Surface], Flow], dots: int = 576, dpi: float = 203.2) -> Image.Image:
    """One thermal layout (`build(surface) -> flow`) as a 1-bit image `dots` wide, for ESC/POS raster printing."""
    if dots / (dpi / 72.0) < THERMAL_PRINTABLE - 0.5:
        raise ValueError(f"{dots} dots at {dpi} dpi is narrower than the 72 mm slip")
    return _roll(build(_probe(dpi)), dots, dpi)


def receipt_pages(data: ReceiptData, page: str = "a4", dpi: float = 300, copies: Sequence[str] | None = None
                  ) -> list[Image.Image]:
    """Mẫu 01 as grayscale page bitmaps at `dpi`, for printers that take images (the system printer)."""
    copies = _receipt_copies(page, copies)
    matrix = qr_matrix(data.qr_text) if data.qr_text else None
    return flow_pages(lambda s: [receipt_flow(data, c, page, s, matrix) for c in copies], page, dpi)


def receipt_raster(data: ReceiptData, dots: int = 576, dpi: float = 203.2) -> Image.Image:
    """The thermal slip (applicant's copy) as a 1-bit image `dots` wide, for ESC/POS raster printing."""
    return flow_raster(lambda s: receipt_flow(data, "applicant", "thermal", s), dots, dpi)


def account_confirmation_pages(data: AccountConfirmationData, page: str = "a5", dpi: float = 300
                               ) -> list[Image.Image]:
    """The account confirmation as page bitmaps at `dpi` (the system printer)."""
    return flow_pages(lambda s: [account_flow(data, page, s)], page, dpi)


def account_confirmation_raster(data: AccountConfirmationData, dots: int = 576, dpi: float = 203.2) -> Image.Image:
    """The account confirmation on the 80 mm roll as a 1-bit image `dots` wide (ESC/POS raster)."""
    return flow_raster(lambda s: account_flow(data, "thermal", s), dots, dpi)


def _notice_flow(data: SupplementRequestData | RefusalData, page: str, surface: Surface) -> Flow:
    if isinstance(data, SupplementRequestData):
        return supplement_flow(data, page, surface)
    return refusal_flow(data, page, surface)


def status_notice_pdf(data: SupplementRequestData | RefusalData, page: str = "a4") -> bytes:
    """Mẫu 02 or Mẫu 03, whichever `data` is."""
    if isinstance(data, SupplementRequestData):
        return supplement_request_pdf(data, page)
    return refusal_pdf(data, page)


def status_notice_pages(data: SupplementRequestData | RefusalData, page: str = "a4", dpi: float = 300
                        ) -> list[Image.Image]:
    """Mẫu 02 or 03 as page bitmaps at `dpi` (the system printer)."""
    return flow_pages(lambda s: [_notice_flow(data, page, s)], page, dpi)


def status_notice_raster(data: SupplementRequestData | RefusalData, dots: int = 576, dpi: float = 203.2
                         ) -> Image.Image:
    """Mẫu 02 or 03 on the 80 mm roll as a 1-bit image `dots` wide (ESC/POS raster)."""
    return flow_raster(lambda s: _notice_flow(data, "thermal", s), dots, dpi)
