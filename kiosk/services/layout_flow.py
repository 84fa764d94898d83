"""The layout engine: a column of measured blocks (`Flow`), paper sizes, and a layout drawn to a PDF, to page
bitmaps or to a thermal strip. Text is laid out by our own greedy word wrap in the surface's own metrics.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PIL import Image
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.domain.text import scrub
from kiosk.services.layout_surfaces import (
    QR_MODULE,
    QR_QUIET,
    THERMAL_PRINTABLE,
    THERMAL_WIDTH,
    PdfSurface,
    RasterSurface,
    Surface,
    register_fonts,
)

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


def flow_pdf(build: Build, page: str, title: str) -> bytes:
    """Any layout (`build(surface) -> flows`) as a PDF: a new page per flow and wherever a block would cross the
    bottom margin; on the 80 mm roll one page as long as the longest flow."""
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
