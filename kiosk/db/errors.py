"""Database errors, importable without loading SQLAlchemy (the CLI and GUI start fast)."""

from __future__ import annotations

from pathlib import Path


class DatabaseOpenError(Exception):
    """The database cannot be opened: wrong key, damaged file or unwritable folder. Nothing was created."""

    def __init__(self, reason: str, path: Path, detail: str = "") -> None:
        super().__init__(f"{reason}: {path} {detail}".strip())
        self.reason = reason  # "wrong_key_or_damaged", "not_encrypted", "key_missing", "unwritable"
        self.path = path


#: What each reason means for the person at the kiosk (the CLI and the window say the same).
MESSAGES_VI = {
    "wrong_key_or_damaged": "Không mở được cơ sở dữ liệu: khóa không đúng hoặc tệp bị hỏng. Không tạo cơ sở dữ liệu mới.",
    "not_encrypted": "Tệp cơ sở dữ liệu không được mã hóa; kiosk từ chối dùng nó.",
    "key_missing": "Cơ sở dữ liệu đã có nhưng không tìm thấy khóa của nó. Không tạo cơ sở dữ liệu mới.",
    "unwritable": "Không ghi được vào thư mục dữ liệu.",
}
