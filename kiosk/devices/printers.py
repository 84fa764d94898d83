"""Printers: a protocol and its back ends — a PDF folder (demo default), ESC/POS thermal printers.

A printer takes a `Printable` (a PDF, or a 1-bit bitmap for raster heads) and either prints it or
raises `PrinterError` with a reason code the services turn into a Vietnamese sentence. The system
printer (QPrinter) lives in `kiosk/devices/qt_printer.py`; the composition root (`kiosk.app`) registers
it here, so nothing below the UI imports Qt.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from kiosk.support.jobs import CancelToken, Progress, ProgressFn
from kiosk.support.safefiles import private_folder

log = logging.getLogger(__name__)

REASONS = ("offline", "out_of_paper", "cover_open", "not_found", "driver_missing", "bad_target", "io_error",
           "interrupted")


class PrinterError(Exception):
    """The printer could not print; `reason` is one of REASONS, `partial` when some output may have come out."""

    def __init__(self, reason: str, detail: str = "", partial: bool = False) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.partial = partial


@dataclass(frozen=True)
class Printable:
    """One document to print: a file-safe name, and what the printer asked for (`Printer.accepts`)."""

    name: str
    pdf: bytes | None = None
    image: Any = None  # "raster": one PIL image in mode "1", as wide as the head
    pages: tuple[Any, ...] = ()  # "pages": PIL grayscale images, one per sheet, at the printer's dpi


@dataclass(frozen=True)
class PrintOutcome:
    """Where the document went (a file path, a device address) for the print-job record."""

    where: str


class Printer(Protocol):
    kind: str
    target: str
    accepts: str  # "pdf", "raster" (a roll: one long bitmap) or "pages" (page bitmaps)
    dots: int  # raster width in dots ("raster" printers)
    dpi: float  # resolution of the bitmaps ("raster" and "pages" printers)

    def print(self, doc: Printable, report: ProgressFn, cancel: CancelToken) -> PrintOutcome: ...


_SAFE_NAME = re.compile(r"[^0-9A-Za-z._-]+")


class PdfFolderPrinter:
    """Writes each document as a PDF file in a folder; the demo's printer. Files appear whole or not at all."""

    kind = "pdf"
    accepts = "pdf"
    dots = 0
    dpi = 0.0

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.target = str(self.folder)

    def print(self, doc: Printable, report: ProgressFn, cancel: CancelToken) -> PrintOutcome:
        if doc.pdf is None:
            raise ValueError("the PDF folder printer needs a PDF")
        try:
            private_folder(self.folder, tighten=False)  # made 0700 when we make it; a chosen folder stays as it is
        except OSError as exc:
            raise PrinterError("not_found", str(exc)) from exc
        cancel.raise_if_cancelled()
        path = self._free_path(_SAFE_NAME.sub("_", doc.name) or "document")
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".printing-", suffix=".pdf")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(doc.pdf)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise PrinterError("io_error", str(exc)) from exc
        report(Progress("print", 1.0, path.name))
        return PrintOutcome(str(path))

    def _free_path(self, stem: str) -> Path:
        path = self.folder / f"{stem}.pdf"
        n = 2
        while path.exists():
            path = self.folder / f"{stem}-{n}.pdf"
            n += 1
        return path


# DLE EOT n real-time status (Epson ESC/POS reference, "DLE EOT"): n=1 printer, n=2 off-line cause, n=4 paper.
STATUS_PRINTER = b"\x10\x04\x01"
STATUS_OFFLINE = b"\x10\x04\x02"
STATUS_PAPER = b"\x10\x04\x04"
DEFAULT_PROFILE = "TM-T20II"  # 576 dots (72 mm at 8 dots/mm): the common 80 mm head
FRAGMENT_ROWS = 256


def _status_verdict(printer: int | None, offline: int | None, paper: int | None) -> str | None:
    """The reason not to print, from the three status bytes (None: no answer), or None when ready."""
    if paper is not None and paper & 0x60:  # bits 5-6: roll paper end
        return "out_of_paper"
    if offline is not None and offline & 0x04:  # bit 2: cover open
        return "cover_open"
    if offline is not None and offline & 0x20:  # bit 5: stopped by paper end
        return "out_of_paper"
    if printer is not None and printer & 0x08:  # bit 3: off-line
        return "offline"
    return None


class EscPosPrinter:
    """An ESC/POS thermal printer (python-escpos) over USB, serial or TCP; prints the slip as a raster image.

    Targets: `tcp://HOST[:9100]`, `usb://VID:PID`, `serial:///dev/ttyUSB0?baudrate=19200`; add
    `?profile=TM-T88V` (a python-escpos profile) when the head is not 576 dots wide.
    """

    kind = "escpos"
    accepts = "raster"
    dpi = 203.2  # 8 dots/mm

    def __init__(self, target: str, connect: Callable[[], Any] | None = None, timeout: float = 5.0,
                 profile: str | None = None) -> None:
        self.target = target
        self.timeout = timeout
        self._connect = connect
        query = parse_qs(urlsplit(target).query) if "://" in target else {}
        self.profile = profile or query.get("profile", [DEFAULT_PROFILE])[0]
        self.dots = _profile_dots(self.profile)

    def _open(self) -> Any:
        if self._connect is not None:
            return self._connect()
        return open_escpos(self.target, self.profile, self.timeout)

    def print(self, doc: Printable, report: ProgressFn, cancel: CancelToken) -> PrintOutcome:
        if doc.image is None:
            raise ValueError("an ESC/POS printer needs the raster image")
        cancel.raise_if_cancelled()
        device = self._open()
        started = False
        try:
            verdict = self._status(device, after=False)
            if verdict:
                raise PrinterError(verdict)
            cancel.raise_if_cancelled()
            image = doc.image
            rows = image.height
            device.hw("INIT")
            for top in range(0, rows, FRAGMENT_ROWS):
                if top:
                    # Between fragments a cancel is still clean: the paper shows a truncated slip, which
                    # the service records; a fragment once sent cannot be taken back.
                    cancel.raise_if_cancelled()
                fragment = image.crop((0, top, image.width, min(rows, top + FRAGMENT_ROWS)))
                device.image(fragment, impl="bitImageRaster", fragment_height=FRAGMENT_ROWS + 1)
                started = True
                report(Progress("print", min(rows, top + FRAGMENT_ROWS) / rows))
            device.cut()
            verdict = self._status(device, after=True)
            if verdict:
                # The head ran out while printing: the slip is incomplete.
                raise PrinterError(verdict, partial=True)
        except PrinterError:
            raise
        except (OSError, _escpos_errors()) as exc:
            raise PrinterError("interrupted" if started else "offline", str(exc), partial=started) from exc
        finally:
            try:
                device.close()
            except Exception:  # closing a dead connection must not hide the real error
                log.debug("closing the ESC/POS device failed", exc_info=True)
        return PrintOutcome(self.target)

    def _status(self, device: Any, after: bool) -> str | None:
        """Ask DLE EOT 1, 2, 4; a printer or transport that cannot answer is trusted to be ready."""
        network = type(device).__name__ == "Network"
        answers = []
        for query in (STATUS_PRINTER, STATUS_OFFLINE, STATUS_PAPER):
            try:
                device._raw(query)
                reply = device._read()
            except NotImplementedError:
                return None
            except TimeoutError:
                answers.append(None)
                continue
            except OSError as exc:
                raise PrinterError("interrupted" if after else "offline", str(exc), partial=after) from exc
            if network and not reply:
                # An empty read on TCP is the printer closing the connection, not a silent printer.
                raise PrinterError("interrupted" if after else "offline", "connection closed", partial=after)
            answers.append(reply[0] if reply else None)
        return _status_verdict(*answers)


def _escpos_errors() -> type[Exception] | tuple[type[Exception], ...]:
    from escpos.exceptions import Error

    return Error


def _profile_dots(profile: str) -> int:
    from escpos.capabilities import get_profile

    try:
        pixels = get_profile(profile).profile_data["media"]["width"]["pixels"]
        return int(pixels)
    except Exception:
        raise PrinterError("bad_target", f"unknown printer profile {profile}") from None


_HEX_ID = re.compile(r"[0-9A-Fa-f]{1,4}")


def check_escpos_target(target: str) -> None:
    """Refuse (PrinterError "bad_target") a target `open_escpos` could never open, without opening anything:
    `tcp://HOST[:PORT]`, `usb://VID:PID` (hex), `serial:///dev/…`, an optional `?baudrate=` and `?profile=`."""
    if not target.strip():
        raise PrinterError("bad_target", "printer_target is empty")
    parts = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    try:
        if parts.scheme == "tcp":
            if not parts.hostname or parts.port == 0:
                raise ValueError("tcp needs a host: tcp://HOST[:PORT]")
        elif parts.scheme == "usb":
            vid, sep, pid = (parts.netloc or parts.path.strip("/")).partition(":")
            if not (sep and _HEX_ID.fullmatch(vid) and _HEX_ID.fullmatch(pid)):
                raise ValueError("usb needs hexadecimal ids: usb://VID:PID")
        elif parts.scheme == "serial":
            if not parts.path.strip("/"):
                raise ValueError("serial needs a port: serial:///dev/ttyUSB0")
            if int(query.get("baudrate", 19200)) <= 0:
                raise ValueError("baudrate must be positive")
        else:
            raise ValueError(f"unknown scheme {parts.scheme!r}: tcp://, usb:// or serial://")
    except ValueError as exc:  # also urlsplit's bad port, int()'s bad baudrate
        raise PrinterError("bad_target", str(exc)) from None
    if "profile" in query:
        _profile_dots(query["profile"])


def bundled_usb_backend() -> dict[str, Any]:
    """In the bundle, pyusb is pointed at the libusb that ships beside the program. Done here, for the first USB
    printer, instead of by PyInstaller's start-up hook for pyusb, which imported pyusb at every start of the
    kiosk (about 12 ms) whether or not a USB printer was ever used. From the source tree: pyusb's own search."""
    folder = getattr(sys, "_MEIPASS", None)
    if not folder:
        return {}
    import usb.backend.libusb1 as libusb1

    def find(candidate: str) -> str | None:  # pyusb asks for "usb-1.0", "libusb-1.0", "usb"
        for pattern in (f"lib{candidate}.so*", f"{candidate}.so*", f"{candidate}*.dll", f"lib{candidate}*.dll",
                        f"lib{candidate}*.dylib"):
            found = sorted(Path(folder).glob(pattern))
            if found:
                return str(found[0])
        return None

    backend = libusb1.get_backend(find_library=find)
    return {"backend": backend} if backend is not None else {}


def open_escpos(target: str, profile: str = DEFAULT_PROFILE, timeout: float = 5.0) -> Any:
    """Open a python-escpos device from a target URL; raises PrinterError (bad_target, driver_missing, offline)."""
    parts = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    try:
        if parts.scheme == "tcp":
            import socket

            from escpos.printer import Network

            device = Network(parts.hostname or "", parts.port or 9100, timeout=timeout, profile=profile)
            # Connect ourselves: python-escpos 3.1 leaks the socket when the connection is refused.
            device.device = socket.create_connection((device.host, device.port), timeout=timeout)
            return device
        elif parts.scheme == "usb":
            from escpos.printer import Usb

            if not Usb.is_usable():
                raise PrinterError("driver_missing", "pyusb")
            vid, _, pid = (parts.netloc or parts.path.strip("/")).partition(":")
            device = Usb(int(vid, 16), int(pid, 16), usb_args=bundled_usb_backend(), timeout=int(timeout * 1000),
                         profile=profile)
        elif parts.scheme == "serial":
            from escpos.printer import Serial

            if not Serial.is_usable():
                raise PrinterError("driver_missing", "pyserial")
            device = Serial(parts.path, baudrate=int(query.get("baudrate", 19200)), timeout=timeout, profile=profile)
        else:
            raise PrinterError("bad_target", target)
        device.open()
    except PrinterError:
        raise
    except ValueError as exc:
        raise PrinterError("bad_target", str(exc)) from exc
    except (OSError, _escpos_errors()) as exc:
        raise PrinterError("offline", str(exc)) from exc
    return device


PrinterFactory = Callable[[str], Printer]
_factories: dict[str, PrinterFactory] = {}


def register_printer_kind(kind: str, factory: PrinterFactory) -> None:
    """Let a front end add a printer kind (the GUI registers "system", its QPrinter back end)."""
    _factories[kind] = factory


def printer_for(kind: str, target: str, pdf_folder: Path) -> Printer:
    """The printer a `printer_kind`/`printer_target` setting names."""
    if kind == "pdf":
        return PdfFolderPrinter(Path(target) if target else pdf_folder)
    if kind == "escpos":
        check_escpos_target(target)
        return EscPosPrinter(target)
    factory = _factories.get(kind)
    if factory is None:
        raise PrinterError("driver_missing", f"printer kind {kind} is not available here")
    return factory(target)
