"""Widgets generated from the catalog's field types; each gives and takes the form's plain values.

Dates are typed dd/mm/yyyy and stored as ISO strings, money as whole đồng, choices as option
values. A field filled from a chip is shown read-only with where it came from.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.catalog import Field
from kiosk.ui.i18n import current_language

#: What a typed field expects, shown greyed in it (Vietnamese, English).
PLACEHOLDERS = {
    "date": ("dd/mm/yyyy", "dd/mm/yyyy"),
    "datetime": ("dd/mm/yyyy hh:mm", "dd/mm/yyyy hh:mm"),
    "phone": ("09xx xxx xxx", "09xx xxx xxx"),
    "id_number": ("12 chữ số", "12 digits"),
    "money": ("đồng", "dong"),
}


def _label(field: Field, language: str) -> str:
    return field.label_en if language == "en" and field.label_en else field.label_vi


def iso_to_display(value: Any, with_time: bool = False) -> str:
    """An ISO date (or datetime) as the counter writes it: dd/mm/yyyy (hh:mm)."""
    if not value:
        return ""
    text = str(value)
    try:
        if with_time:
            return datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
        return date.fromisoformat(text[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return text


def display_to_iso(text: str, with_time: bool = False) -> str:
    """dd/mm/yyyy (hh:mm) → ISO; anything else is passed on as typed, for validation to explain."""
    text = text.strip()
    if with_time:
        m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})", text)
        if m:
            try:
                return datetime(int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5])).isoformat(timespec="minutes")
            except ValueError:
                return text
        return text
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return text
    return text


class FieldEditor(QWidget):
    """One catalog field: its label, its input widget and the line under it for its error."""

    changed = Signal(str)

    def __init__(self, field: Field, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"field_{field.id}")
        self.locked_from = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.input = self._make_input()
        self.input.setObjectName(f"input_{field.id}")
        layout.addWidget(self.input)
        self.help = QLabel(self)
        self.help.setObjectName("fieldHelp")
        self.help.setWordWrap(True)
        layout.addWidget(self.help)
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.label.setBuddy(self.input)
        self.set_language(language)
        if field.default is not None:
            self.set_value(field.default)

    def _make_input(self) -> QWidget:
        f = self.field
        if f.type == "long_text":
            edit = QPlainTextEdit(self)
            edit.setMaximumHeight(80)
            edit.textChanged.connect(lambda: self.changed.emit(f.id))
            return edit
        if f.type == "choice":
            box = QComboBox(self)
            box.addItem("—", None)
            for option in f.options:
                box.addItem(option.label_vi, option.value)
            box.currentIndexChanged.connect(lambda _i: self.changed.emit(f.id))
            return box
        if f.type == "multi_choice":
            items = QListWidget(self)
            for option in f.options:
                item = QListWidgetItem(option.label_vi, items)
                item.setData(Qt.ItemDataRole.UserRole, option.value)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            items.setMaximumHeight(min(160, 26 * max(1, len(f.options)) + 6))
            items.itemChanged.connect(lambda _i: self.changed.emit(f.id))
            return items
        if f.type == "boolean":
            box = QCheckBox(self)
            box.toggled.connect(lambda _b: self.changed.emit(f.id))
            return box
        if f.type == "file":
            row = QWidget(self)
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            self.file_label = QLabel(row)
            self.file_button = QPushButton(row)
            line.addWidget(self.file_label, 1)
            line.addWidget(self.file_button)
            return row
        edit = QLineEdit(self)
        if f.rules.max_length:
            edit.setMaxLength(f.rules.max_length)
        edit.textChanged.connect(lambda _t: self.changed.emit(f.id))
        return edit

    def set_language(self, language: str) -> None:
        f = self.field
        text = _label(f, language) + (" *" if f.required else "")
        if self.locked_from:
            text += "  — " + self.locked_from
        if not f.confirmed:
            text += " (chưa xác nhận)" if language == "vi" else " (unconfirmed)"
        self.label.setText(text)
        help_text = f.help_en if language == "en" and f.help_en else f.help_vi
        self.help.setText(help_text)
        self.help.setVisible(bool(help_text))
        if f.type == "choice":
            for i, option in enumerate(f.options, start=1):
                self.input.setItemText(i, option.label_en if language == "en" else option.label_vi)
        elif f.type == "multi_choice":
            for i, option in enumerate(f.options):
                self.input.item(i).setText(option.label_en if language == "en" else option.label_vi)
        elif isinstance(self.input, QLineEdit):
            vi, en = PLACEHOLDERS.get(f.type, ("", ""))
            self.input.setPlaceholderText(en if language == "en" else vi)

    def lock(self, source: str) -> None:
        """A value from a chip: shown, not editable (the service refuses a changed one too)."""
        self.locked_from = source
        self.input.setEnabled(False)
        self.set_language(current_language())

    def unlock(self) -> None:
        self.locked_from = ""
        self.input.setEnabled(True)
        self.set_language(current_language())

    def value(self) -> Any:
        f, w = self.field, self.input
        if f.type == "long_text":
            return w.toPlainText().strip() or None
        if f.type == "choice":
            return w.currentData()
        if f.type == "multi_choice":
            return [w.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.count())
                    if w.item(i).checkState() == Qt.CheckState.Checked]
        if f.type == "boolean":
            return w.isChecked()
        if f.type == "file":
            return None
        text = w.text().strip()
        if not text:
            return None
        if f.type in ("date", "datetime"):
            return display_to_iso(text, with_time=f.type == "datetime")
        if f.type == "money":
            digits = re.sub(r"[.\s,đ]", "", text)
            return int(digits) if digits.isdigit() else text
        if f.type == "number":
            try:
                return int(text) if re.fullmatch(r"-?\d+", text) else float(text.replace(",", "."))
            except ValueError:
                return text
        return text

    def set_value(self, value: Any) -> None:
        f, w = self.field, self.input
        if f.type == "long_text":
            w.setPlainText("" if value is None else str(value))
        elif f.type == "choice":
            index = w.findData(value)
            w.setCurrentIndex(index if index >= 0 else 0)
        elif f.type == "multi_choice":
            chosen = set(value or [])
            for i in range(w.count()):
                item = w.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in chosen
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        elif f.type == "boolean":
            w.setChecked(bool(value))
        elif f.type == "file":
            return
        elif f.type in ("date", "datetime"):
            w.setText(iso_to_display(value, with_time=f.type == "datetime"))
        elif f.type == "money" and isinstance(value, int):
            w.setText(f"{value:,}".replace(",", "."))
        elif f.type == "address" and isinstance(value, dict):
            w.setText(", ".join(str(value[k]) for k in ("detail", "commune", "province") if value.get(k)))
        else:
            w.setText("" if value is None else str(value))

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
