"""The two surfaces a layout is drawn on: a reportlab PDF canvas and a Pillow bitmap at a printer's resolution.

Both measure text in their own metrics with the same embedded font (Be Vietnam Pro, or a system DejaVu); the
QR code is one vector path built from segno's matrix.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from kiosk.support.resources import resource_path

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
