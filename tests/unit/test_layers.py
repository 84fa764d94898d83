"""The folders of `kiosk/` are layers: each imports only from the layers beneath it (the README's layout).

Imports inside functions count as much as those at the top: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KIOSK = Path(__file__).resolve().parents[2] / "kiosk"

#: Layer → the layers it may import (itself always). The hub and the kiosk meet only in `wire`.
ALLOWED: dict[str, set[str]] = {
    "support": set(),
    "domain": {"support"},
    "wire": set(),
    "db": {"support", "domain"},
    "devices": {"support", "domain"},
    "hub": {"support", "domain", "wire", "db"},
    "services": {"support", "domain", "wire", "db", "devices"},
    "app": {"support", "domain", "db", "devices", "services"},
    "ui": {"support", "domain", "devices", "services", "app"},
    "commands": {"support", "domain", "db", "devices", "services", "app"},
    "cli": {"support", "commands", "ui"},
    "__main__": {"cli"},
    "__init__": set(),
}


def _layer(path: Path) -> str:
    parts = path.relative_to(KIOSK).parts
    return parts[0] if len(parts) > 1 else path.stem


def _kiosk_imports(path: Path) -> set[str]:
    return _imports_in(path.read_text(encoding="utf-8"), len(path.relative_to(KIOSK).parts) - 1)


def _imports_in(source: str, depth: int) -> set[str]:
    """The layers a module names in its imports (absolute `kiosk.X…`, or relative ones climbing to kiosk/);
    `depth`: the folders between kiosk/ and the module."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "kiosk":
            names = ["kiosk." + a.name for a in node.names if a.name != "__version__"]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.ImportFrom) and node.level > depth:
            names = ["kiosk." + (node.module or a.name) for a in node.names]
        else:
            continue
        found |= {n.split(".")[1] for n in names if n.startswith("kiosk.") and n.count(".") >= 1}
    return found


MODULES = sorted(p for p in KIOSK.rglob("*.py") if "migrations" not in p.parts)


def test_every_module_belongs_to_a_known_layer() -> None:
    assert {_layer(p) for p in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(KIOSK)))
def test_a_module_imports_only_from_beneath_its_layer(path: Path) -> None:
    layer = _layer(path)
    wrong = _kiosk_imports(path) - ALLOWED[layer] - {layer}
    assert not wrong, f"{path.relative_to(KIOSK)} ({layer}) imports {sorted(wrong)}"


def test_the_check_sees_lazy_and_relative_imports() -> None:
    # The rule would be empty if the walk missed imports inside functions or climbing with dots.
    source = "def f():\n    from kiosk.ui.main import run_gui\nfrom ...support.jobs import Cancelled\n"
    assert _imports_in(source, depth=2) == {"ui", "support"}
    assert _imports_in("from . import crypto\n", depth=2) == set()
    assert _imports_in("from kiosk import __version__, safejson\n", depth=1) == {"safejson"}
