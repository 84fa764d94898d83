"""Choosing a printer: which ESC/POS addresses `open_escpos` could open, what the service refuses before saving,
and the printer state the home page shows for the printer in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.devices.printers import PrinterError, check_escpos_target
from kiosk.domain.roles import Principal, Role
from kiosk.services.errors import InvalidInput
from kiosk.services.health import printer_state
from kiosk.services.printing import PrintService
from kiosk.support.config import load_settings

OFFICER = Principal("lan", Role.OFFICER)


@pytest.mark.parametrize("target", [
    "tcp://192.168.1.50:9100", "tcp://printer.local", "tcp://[::1]:9100?profile=TM-T88V",
    "usb://04b8:0e15", "usb:04b8:0e15", "serial:///dev/ttyUSB0?baudrate=19200", "serial:/dev/ttyS0",
])
def test_addresses_open_escpos_understands_are_accepted(target):
    check_escpos_target(target)


@pytest.mark.parametrize("target", [
    "", "192.168.1.50:9100", "printer.local:9100", "tcp:printer:9100", "tcp://printer:port", "tcp://printer:70000",
    "usb://04b8", "usb://zz:01", "serial://", "serial:///dev/ttyUSB0?baudrate=fast", "lpt://1",
    "tcp://printer?profile=NO-SUCH-PRINTER",
])
def test_addresses_it_could_never_open_are_bad_targets(target):
    with pytest.raises(PrinterError) as caught:
        check_escpos_target(target)
    assert caught.value.reason == "bad_target"


def test_the_service_refuses_before_saving_and_keeps_the_printer_in_use(db, tmp_path, monkeypatch):
    loaded = load_settings()
    printing = PrintService(db, receipts=None, pdf_folder=tmp_path / "printed")
    with pytest.raises(InvalidInput) as bad:
        printing.choose_printer(OFFICER, loaded, "escpos", "printer.local:9100")
    assert bad.value.errors[0][1].startswith("Địa chỉ máy in nhiệt «printer.local:9100» không hợp lệ.")
    with pytest.raises(InvalidInput) as empty:
        printing.choose_printer(OFFICER, loaded, "escpos", "  ")
    assert empty.value.errors[0][1].startswith("Hãy nhập địa chỉ máy in nhiệt ESC/POS")
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    with pytest.raises(InvalidInput, match="không phải thư mục"):
        printing.choose_printer(OFFICER, loaded, "pdf", str(a_file))
    assert not loaded.user_file.exists()
    assert (printing.kind, printing.target) == ("pdf", "")

    monkeypatch.chdir(tmp_path)  # a folder typed relative to where the command ran is saved as a full path
    printing.choose_printer(OFFICER, loaded, "pdf", "phieu")
    assert (printing.kind, printing.target) == ("pdf", str(tmp_path / "phieu"))
    assert load_settings().settings.printer_target == str(tmp_path / "phieu")


def test_printer_state_names_the_printer_in_use(tmp_path):
    assert printer_state("pdf", "", tmp_path / "printed") == ("ready", str(tmp_path / "printed"))
    assert printer_state("pdf", str(tmp_path / "other"), tmp_path / "printed") == ("ready", str(tmp_path / "other"))
    assert printer_state("escpos", "tcp://10.0.0.9:9100", tmp_path) == ("ready", "tcp://10.0.0.9:9100")
    assert printer_state("escpos", "10.0.0.9:9100", tmp_path) == ("unavailable", "10.0.0.9:9100")
    assert printer_state("system", "", tmp_path) == ("unavailable", "")


def test_in_the_bundle_pyusb_loads_the_libusb_beside_the_program(tmp_path, monkeypatch):
    """PyInstaller's start-up hook for pyusb is left out of the bundle (it cost every start); the first USB printer
    points pyusb at the bundled libusb instead. Here a copy of this machine's libusb stands for the bundled one."""
    import ctypes.util
    import shutil
    import sys

    from kiosk.devices.printers import bundled_usb_backend

    assert bundled_usb_backend() == {}  # from the source tree: pyusb's own search
    system = ctypes.util.find_library("usb-1.0")
    assert system, "libusb-1.0 is missing (pcscd's reader driver installs it)"
    located = next(p for d in ("/lib", "/usr/lib", "/lib64", "/usr/lib64") for p in Path(d).rglob(system) if p.exists())
    bundle = tmp_path / "_internal"
    bundle.mkdir()
    shutil.copy(located, bundle / "libusb-1.0.so.0")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    backend = bundled_usb_backend()["backend"]
    assert backend.lib._name == str(bundle / "libusb-1.0.so.0")
