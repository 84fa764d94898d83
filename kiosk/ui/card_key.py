"""The key that opens a card's chip (khóa mở chip), typed or scanned into one field.

Six digits (CAN), an ID number with its dates, an MRZ, or the card's QR code as a scanner types it:
`kiosk.domain.key_entry` says which, and the line under the field says what the kiosk will do with it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

from kiosk.domain.key_entry import KeyEntryError, interpret, mrz_in_progress
from kiosk.domain.key_entry import message as key_entry_message
from kiosk.ui.card_result import display_date
from kiosk.ui.i18n import current_language
from kiosk.ui.labels import wrapped_label


class KeyField(QWidget):
    """The one key field: six digits (CAN), an ID number with its dates, an MRZ, or the card's QR code
    as a scanner types it; the line under it says what the kiosk will do with it."""

    changed = Signal()
    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyForm")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("keyField")
        self.edit.setMaxLength(400)
        self.label.setBuddy(self.edit)
        self.hint = wrapped_label(self, "keyHint")
        for w in (self.label, self.edit, self.hint):
            layout.addWidget(w)
        self.error = wrapped_label(self, "keyError")
        self.remembered = False  # a key that opened this card before waits (the hint says so)
        self.edit.textChanged.connect(self._changed)
        self.edit.returnPressed.connect(self._return)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(self.tr("Khóa mở chip"))
        self.edit.setPlaceholderText(self.tr(
            "Số CAN 6 số — hoặc số định danh, ngày sinh, ngày hết hạn — hoặc MRZ — hoặc quét mã QR"))
        self._changed()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _changed(self) -> None:
        self.error.clear()
        self.hint.setText(self._describe())
        self.changed.emit()

    def _return(self) -> None:
        # An MRZ scanner ends each of the three lines with Enter: go on until the third.
        if not mrz_in_progress(self.edit.text()):
            self.submitted.emit()

    def _describe(self) -> str:
        """What the kiosk will do with the text so far, in plain words."""
        text = self.edit.text()
        if not text.strip():
            return self.tr("Sẽ thử khóa đã mở thẻ này lần trước.") if self.remembered else ""
        try:
            entry = interpret(text)
        except KeyEntryError:
            return ""
        if entry.kind == "can":
            return self.tr("Số CAN: mở chip bằng PACE.")
        if entry.kind == "id":
            return self.tr("Số định danh: thử 6 số cuối làm số CAN (thêm ngày sinh và ngày hết hạn nếu thẻ từ chối).")
        if entry.kind == "numbers":
            return self.tr("Số định danh, ngày sinh và ngày hết hạn.")
        if entry.kind == "mrz":
            return self.tr("MRZ (3 dòng ở mặt sau thẻ).")
        qr = entry.qr
        assert qr is not None
        known, expiry = qr.expiry()
        when = (expiry.strftime("%d/%m/%Y") if expiry else self.tr("không thời hạn")) if known else "?"
        return self.tr("Mã QR của thẻ: số định danh %1, ngày sinh %2, hạn thẻ theo luật %3.").replace(
            "%1", qr.id_number).replace("%2", display_date(qr.birth.iso())).replace("%3", when)

    def clear(self) -> None:
        self.edit.clear()
        self.error.clear()

    def fill(self, text: str) -> None:
        self.edit.setText(text)

    def is_empty(self) -> bool:
        return not self.edit.text().strip()

    def key(self):
        """The CardKey, or None with the reason shown in plain words."""
        from kiosk.devices.icao.access import CardKey

        try:
            entry = interpret(self.edit.text())
            key = CardKey.from_entry(entry)
        except KeyEntryError as exc:
            self.error.setText(_key_message(exc.reason, exc.count))
            return None
        except ValueError:
            self.error.setText(_key_message("mrz_invalid"))
            return None
        self.error.clear()
        return key


def _key_message(reason: str, count: int = 0) -> str:
    return key_entry_message(reason, current_language(), count)
