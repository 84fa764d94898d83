"""Where the read-only resources are: the repository's `resources/`, or the PyInstaller bundle's."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a resource file or folder (catalog, translations, fonts, icons)."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    root = Path(frozen_root) / "resources" if frozen_root else Path(__file__).resolve().parents[2] / "resources"
    return root.joinpath(*parts)
