"""The system printer back end (QPrinter): prints the receipt's page bitmaps through Qt's print system.

The composition root (`kiosk.app`) registers it as the printer kind "system" with
`kiosk.devices.printers`, importing this module only when such a printer is made, so the services
choose it from the settings without importing Qt. A target `file:PATH.pdf` prints through
Qt's PDF writer instead of a device (for tests and for "print to file").
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSizeF
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.devices.printers import Printable, PrinterError, PrintOutcome
from kiosk.support.jobs import Cancelled, CancelToken, Progress, ProgressFn

# Pages come as 300 dpi bitmaps: sharp text and QR modules of 6 dots, ~9 MB per A4 page in gray.
# (This PySide6 build has no QtPdf to print the PDF itself.)
PAGE_DPI = 300.0
_app: QGuiApplication | None = None


def ensure_application() -> None:
    """Headless commands have no QApplication; QPrinter needs one."""
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication([])


def system_printers() -> list[str]:
    """Names of the printers the operating system offers (CUPS, Windows spooler)."""
    return [p.printerName() for p in QPrinterInfo.availablePrinters()]


def default_printer() -> str:
    return QPrinterInfo.defaultPrinter().printerName()


class QtSystemPrinter:
    """A printer of the operating system, by name ("" = the default printer)."""

    kind = "system"
    accepts = "pages"
    dots = 0
    dpi = PAGE_DPI

    def __init__(self, target: str = "") -> None:
        self.target = target

    def _printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.target.startswith("file:"):
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(self.target.removeprefix("file:"))
            return printer
        info = QPrinterInfo.printerInfo(self.target) if self.target else QPrinterInfo.defaultPrinter()
        if info.isNull():
            raise PrinterError("not_found", self.target or "no default printer")
        if info.state() == QPrinter.PrinterState.Error:
            raise PrinterError("offline", info.printerName())
        printer.setPrinterName(info.printerName())
        return printer

    def print(self, doc: Printable, report: ProgressFn, cancel: CancelToken) -> PrintOutcome:
        if not doc.pages:
            raise ValueError("the system printer needs page bitmaps")
        ensure_application()
        printer = self._printer()
        printer.setDocName(doc.name)
        first = doc.pages[0]
        size = QSizeF(first.width / self.dpi * 72, first.height / self.dpi * 72)
        printer.setFullPage(True)
        printer.setPageLayout(QPageLayout(QPageSize(size, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch),
                                          QPageLayout.Orientation.Portrait, printer.pageLayout().margins()))
        painter = QPainter()
        if not painter.begin(printer):
            raise PrinterError("offline", printer.printerName())
        try:
            for i, page in enumerate(doc.pages):
                if cancel.cancelled:
                    printer.abort()
                    raise Cancelled()
                if i:
                    printer.newPage()
                gray = page.convert("L")
                data = gray.tobytes()
                image = QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8)
                area = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
                painter.drawImage(QRect(0, 0, area.width(), area.height()), image)
                report(Progress("print", (i + 1) / len(doc.pages)))
        finally:
            if painter.isActive():
                painter.end()
        return PrintOutcome(self.target.removeprefix("file:") or printer.printerName())
