"""The headless commands never load Qt or the UI package: a command on a server (or in a backup job)
must not need a display, and the printer and camera back ends are given by the composition root."""

from __future__ import annotations

import json
import os
import subprocess
import sys

_PROBE = """
import importlib, json, pkgutil, sys
import kiosk.app, kiosk.cli, kiosk.commands
for module in pkgutil.iter_modules(kiosk.commands.__path__):
    importlib.import_module("kiosk.commands." + module.name)
kiosk.cli.build_parser()
from kiosk.devices.printers import register_printer_kind
print(json.dumps(sorted(n for n in sys.modules if n == "PySide6" or n.startswith(("PySide6.", "kiosk.ui")))))
"""


def test_cli_and_commands_import_neither_the_ui_nor_qt() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_importing_the_qt_printer_registers_nothing() -> None:
    probe = """
import kiosk.devices.qt_printer
from kiosk.devices.printers import PrinterError, printer_for
try:
    printer_for("system", "", None)
except PrinterError as exc:
    print(exc.reason)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120,
                         env=env)
    assert out.stdout.strip() == "driver_missing"
