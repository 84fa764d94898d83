"""Headless subcommands of `kiosk`: every `kiosk/commands/<group>_cmd.py` has `register(subparsers)`.

Modules are found by name, so a capability adds its commands without editing a shared list. Each
module imports its services inside the handlers: `kiosk` with no argument opens the GUI and must
not pay for them.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
