"""The kiosk and its hub meet only through `kiosk.wire`: read from the source, without importing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kiosk"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module (or module attribute) an import statement of `source` names, lazy ones inside functions too."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            parent = ".".join([*base, node.module] if node.module else base)
            found.update(f"{parent}.{alias.name}" for alias in node.names)
    return found


def _imports_of(path: Path) -> set[str]:
    return _imports(path.read_text(encoding="utf-8"), _module_name(path), path.name == "__init__.py")


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_the_walk_sees_the_package_and_every_form_of_import():
    names = {_module_name(p) for p in SOURCES}
    assert {"kiosk.wire.protocol", "kiosk.hub.core", "kiosk.services.sync.service"} <= names
    source = "import kiosk.hub.db\nfrom kiosk import hub\nfrom ..hub import core\ndef f():\n    from .x import y\n"
    assert _imports(source, "kiosk.services.sync") == {"kiosk.hub.db", "kiosk.hub", "kiosk.hub.core",
                                                        "kiosk.services.x.y"}


@pytest.mark.parametrize("path", [p for p in SOURCES if not _within(_module_name(p), "kiosk.hub")],
                         ids=lambda p: _module_name(p))
def test_nothing_outside_the_hub_imports_the_hub(path: Path):
    assert not {name for name in _imports_of(path) if _within(name, "kiosk.hub")}


@pytest.mark.parametrize("path", [p for p in SOURCES if _within(_module_name(p), "kiosk.wire")],
                         ids=lambda p: _module_name(p))
def test_the_wire_contract_imports_no_other_kiosk_package(path: Path):
    assert not {name for name in _imports_of(path) if _within(name, "kiosk") and not _within(name, "kiosk.wire")}
