"""Moving a dossier's status (chuyển trạng thái) from the officer's dossier list.

The box offers the moves of the status machine (`TRANSITIONS`) that this principal's role may make; a move
to "supplement requested" or "rejected" needs a note (`NOTE_REQUIRED`), checked here before the call. The
dossier service checks the same again when the move is made.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.dossier import NOTE_REQUIRED, TRANSITIONS, Status
from kiosk.domain.roles import Permission
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import MessageLabel
from kiosk.ui.worker import run_call


def status_label(value: str) -> str:
    """A status in the window's language (the machine's own labels, not Qt Linguist's)."""
    try:
        status = Status(value)
    except ValueError:
        return value
    return status.label_en if current_language() == "en" else status.label_vi


def allowed_moves(principal: Any, current: str) -> list[Status]:
    """The statuses this principal's role may move a dossier to from `current` (TRANSITIONS and their
    permission); the dossier service checks the same again when the move is made."""
    if principal is None or not principal.can(Permission.DOSSIER_UPDATE):
        return []
    try:
        src = Status(current)
    except ValueError:
        return []
    return [dst for (s, dst), needed in TRANSITIONS.items() if s is src and principal.can(needed)]


class StatusMoveBox(QGroupBox):
    """The new status, the note, "Áp dụng" and what came of it. The page says which dossier it is for
    (`show_moves`) and answers `moved` / `refused`, since it knows whether that dossier is still shown."""

    moved = Signal(str, object)  # tracking code, the record after the move
    refused = Signal(str, object)  # tracking code, the exception

    def __init__(self, kiosk, principal_fn: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("moveBox")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.code: str | None = None  # the dossier the moves are for
        self._generation = 0  # bumped by reset(): answers of an earlier generation are dropped
        layout = QVBoxLayout(self)
        self.move_combo = QComboBox(self)
        self.move_combo.setObjectName("moveStatus")
        self.note_label = QLabel(self)
        self.note_label.setObjectName("moveNoteLabel")
        self.note = QPlainTextEdit(self)
        self.note.setObjectName("moveNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(70)
        self.note_label.setBuddy(self.note)
        self.apply_button = QPushButton(self)
        self.apply_button.setObjectName("applyMove")
        self.apply_button.setDefault(True)
        self.message = MessageLabel(self, "moveMessage")
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_button)
        apply_row.addStretch(1)
        for widget in (self.move_combo, self.note_label, self.note):
            layout.addWidget(widget)
        layout.addLayout(apply_row)
        layout.addWidget(self.message)
        self.move_combo.currentIndexChanged.connect(lambda _i: self._move_chosen())
        self.apply_button.clicked.connect(self.apply_move)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Chuyển trạng thái"))
        self.apply_button.setText(self.tr("Áp dụng"))
        for i in range(self.move_combo.count()):
            self.move_combo.setItemText(i, status_label(self.move_combo.itemData(i)))
        self._move_chosen()
        self.message.rerender()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_moves(self, record: dict[str, Any] | None, keep_messages: bool = False) -> None:
        """The moves this principal may make from `record`'s status (none, greyed, without a record)."""
        self.code = record["tracking_code"] if record is not None else None
        moves = allowed_moves(self.principal_fn(), record["status"]) if record is not None else []
        self._fill_moves(moves)
        self.setEnabled(record is not None)
        if record is not None and not moves and not keep_messages:
            self.message.say(lambda: self.tr("Không có bước chuyển nào bạn được làm từ trạng thái này."))

    def _fill_moves(self, moves: list[Status]) -> None:
        chosen = self.move_combo.currentData()
        self.move_combo.blockSignals(True)
        self.move_combo.clear()
        for status in moves:
            self.move_combo.addItem(status_label(status.value), status.value)
        index = self.move_combo.findData(chosen) if chosen else -1
        self.move_combo.setCurrentIndex(index if index >= 0 else (0 if moves else -1))
        self.move_combo.blockSignals(False)
        self.move_combo.setEnabled(bool(moves))
        self.note.setEnabled(bool(moves))
        self.apply_button.setEnabled(bool(moves))
        self._move_chosen()

    def offered_moves(self) -> list[str]:
        return [self.move_combo.itemData(i) for i in range(self.move_combo.count())]

    def _move_chosen(self) -> None:
        value = self.move_combo.currentData()
        dst = Status(value) if value else None
        required = dst in NOTE_REQUIRED
        self.note_label.setText(self.tr("Ghi chú (bắt buộc)") if required else self.tr("Ghi chú (không bắt buộc)"))
        if dst is Status.SUPPLEMENT_REQUESTED:
            self.note.setPlaceholderText(self.tr("Ghi rõ giấy tờ hoặc nội dung công dân cần bổ sung."))
        elif dst is Status.REJECTED:
            self.note.setPlaceholderText(self.tr("Ghi rõ lý do từ chối giải quyết."))
        else:
            self.note.setPlaceholderText("")

    def apply_move(self) -> None:
        """Make the chosen move, with the note; a move that needs a note is refused here without one."""
        code = self.code
        value = self.move_combo.currentData()
        if code is None or not value:
            return
        dst = Status(value)
        note = self.note.toPlainText().strip()
        if dst in NOTE_REQUIRED and not note:
            self.message.say(lambda: self.tr("Chuyển sang '%1' cần ghi rõ lý do hoặc nội dung cần bổ sung.").replace(
                "%1", status_label(dst.value)), "error")
            self.note.setFocus()
            return
        principal = self.principal_fn()
        generation = self._generation
        self.apply_button.setEnabled(False)
        self.message.say(lambda: self.tr("Đang chuyển trạng thái…"))

        def answered(signal, value) -> None:
            if generation != self._generation:
                return
            self.apply_button.setEnabled(True)
            signal.emit(code, value)

        run_call(lambda: self.kiosk.dossiers.change_status(principal, code, dst.value, note),
                 on_result=lambda record: answered(self.moved, record),
                 on_error=lambda exc: answered(self.refused, exc))

    def say_moved(self, record: dict[str, Any]) -> None:
        """The move is made: the note is done with, and the new status said."""
        self.note.clear()
        self.message.say(lambda: self.tr("Đã chuyển hồ sơ sang '%1'.").replace(
            "%1", status_label(record["status"])), "ok")

    def reset(self) -> None:
        """Nothing typed or said stays (logout); a move still on its way is not reported."""
        self._generation += 1
        self.note.clear()
        self.message.say(None)
