"""Database errors, importable without loading SQLAlchemy (the CLI and GUI start fast)."""

from __future__ import annotations

from pathlib import Path


class DatabaseOpenError(Exception):
    """The database cannot be opened: wrong key, damaged file or unwritable folder. Nothing was created."""

    def __init__(self, reason: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{reason}: {path} {detail}".strip())
        self.reason = reason  # "wrong_key_or_damaged", "not_encrypted", "key_missing", "unwritable"
        self.path = path
