"""Vietnamese is the source language of every string; English comes from Qt Linguist files.

`resources/i18n/kiosk_en.ts` is compiled to `.qm` by the set-up (pyside6-lrelease); if the `.qm` is
missing (a fresh checkout run without the set-up) it is compiled on first use.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTranslator

from kiosk.support.resources import resource_path

log = logging.getLogger(__name__)

_installed: QTranslator | None = None
_language = "vi"


def current_language() -> str:
    """The language the window shows now (catalog texts pick their vi/en variant from it)."""
    return _language


def qm_path(language: str) -> Path:
    return resource_path("i18n", f"kiosk_{language}.qm")


def compile_translation(ts: Path, qm: Path) -> None:
    """Compile one Qt Linguist .ts to .qm with pyside6-lrelease (or the lrelease PySide6 ships)."""
    import shutil
    import subprocess

    lrelease = shutil.which("pyside6-lrelease")
    if lrelease is None:
        import PySide6

        candidate = Path(PySide6.__file__).parent / "lrelease"
        lrelease = str(candidate) if candidate.exists() else None
    if lrelease is None:
        raise RuntimeError("pyside6-lrelease not found: install PySide6 (the set-up script does)")
    subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)


def compile_translations() -> None:
    """Compile every .ts of the resources to its .qm (the set-up calls this too)."""
    for ts in sorted(resource_path("i18n").glob("*.ts")):
        compile_translation(ts, ts.with_suffix(".qm"))


def set_language(language: str) -> bool:
    """Switch the running application's language; widgets retranslate on QEvent.LanguageChange."""
    global _installed, _language
    app = QCoreApplication.instance()
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if language == "vi":
        _language = "vi"
        return True
    path = qm_path(language)
    if not path.exists():
        try:
            compile_translations()
        except Exception as exc:  # a missing tool or a broken .ts: keep Vietnamese, say why in the log
            log.warning("translations could not be compiled: %s", exc)
            return False
    translator = QTranslator(app)
    if not translator.load(str(path)):
        log.warning("translation file %s could not be loaded", path)
        return False
    app.installTranslator(translator)
    _installed = translator
    _language = language
    return True
