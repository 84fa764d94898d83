"""The hall's dossier pages: a status look-up by receipt code, the rating of a received dossier, and
the PIN that lets staff leave the full-screen mode."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.explain import explain
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.selfservice_widgets import big_button, hall_label
from kiosk.ui.status_check import StatusCheckPage
from kiosk.ui.step_widgets import Retranslating
from kiosk.ui.touch_input import NumPad
from kiosk.ui.worker import run_call


class CodePad(Retranslating, QWidget):
    """A dossier code typed on a numpad: the station's unit is known, the citizen types the date and number."""

    code_entered = Signal(str)

    def __init__(self, unit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit_id = unit_id
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.hint = hall_label(self, "codePadHint")
        left.addWidget(self.hint)
        self.digits = QLineEdit(self)
        self.digits.setObjectName("codeDigits")
        self.digits.setMaxLength(10)
        self.digits.setReadOnly(True)
        self.digits.setProperty("numpad", True)
        left.addWidget(self.digits)
        self.preview = hall_label(self, "codePreview")
        left.addWidget(self.preview)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.pad = NumPad(self.digits, self, ok_text=lambda: self.tr("Tra cứu"))
        layout.addWidget(self.pad)
        self.digits.textChanged.connect(self._preview)
        self.pad.entered.connect(self._entered)
        self.retranslate()

    def retranslate(self) -> None:
        self.hint.setText(self.tr("Nhập 10 số cuối của mã hồ sơ in trên phiếu hẹn (ngày nhận và số thứ tự), "
                                  "ví dụ 261125 0001."))
        self._preview()

    def code(self) -> str:
        d = self.digits.text()
        return f"{self.unit_id}-{d[:6]}-{d[6:]}"

    def _preview(self) -> None:
        self.preview.setText(self.code() if self.digits.text() else "")

    def _entered(self, digits: str) -> None:
        if len(digits) == 10:
            self.code_entered.emit(self.code())

    def clear(self) -> None:
        self.digits.clear()


class StatusPage(Retranslating, QWidget):
    """"Tra cứu hồ sơ": the receipt's QR (scanner or camera) or the code on a numpad; then rate it."""

    rate = Signal(str)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rating_mode = False
        layout = QVBoxLayout(self)
        self.check = StatusCheckPage(kiosk, principal_fn, self)
        self.check.input.setProperty("numpad", True)  # a scanner types the QR here; citizens use the numpad
        layout.addWidget(self.check, 1)
        self.codepad = CodePad(kiosk.settings.unit_id, self)
        layout.addWidget(self.codepad)
        self.rate_button = big_button(QPushButton(self))
        self.rate_button.setObjectName("rateThisDossier")
        self.rate_button.hide()
        layout.addWidget(self.rate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.codepad.code_entered.connect(self._typed)
        self.check.answered.connect(self._answered)
        self.rate_button.clicked.connect(self._rate)
        self.retranslate()

    def retranslate(self) -> None:
        self.rate_button.setText(self.tr("Đánh giá dịch vụ cho hồ sơ này"))

    def _typed(self, code: str) -> None:
        self.check.input.setText(code)
        self.check.check()
        self.codepad.clear()

    def _answered(self, answer) -> None:
        found = bool(answer.found and answer.tracking_code)
        self.rate_button.setVisible(found)
        if found and self.rating_mode:
            self._rate()

    def _rate(self) -> None:
        answer = self.check.answer
        if answer is not None and answer.found:
            self.rate.emit(answer.tracking_code)

    def clear(self) -> None:
        self.rating_mode = False
        self.check.clear()
        self.codepad.clear()
        self.rate_button.hide()


class RatingPage(Retranslating, QWidget):
    """Three levels as three large buttons, an optional reason, then thanks."""

    finished = Signal()

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.code = ""
        self.level: int | None = None
        layout = QVBoxLayout(self)
        self.title = hall_label(self, "pageTitle")
        layout.addWidget(self.title)
        row = QHBoxLayout()
        self.levels: dict[int, QPushButton] = {}
        for level in (3, 2, 1):
            button = big_button(QPushButton(self), 24.0)
            button.setObjectName(f"rate_{level}")
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, n=level: self.choose(n))
            row.addWidget(button)
            self.levels[level] = button
        layout.addLayout(row)
        self.reason_label = hall_label(self, "reasonLabel")
        layout.addWidget(self.reason_label)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("ratingReason")
        self.reason.setMaxLength(500)
        layout.addWidget(self.reason)
        self.message = hall_label(self, "ratingMessage")
        layout.addWidget(self.message)
        self.send = big_button(QPushButton(self))
        self.send.setObjectName("sendRating")
        self.send.setEnabled(False)
        layout.addWidget(self.send, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.send.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Bạn đánh giá thế nào về việc giải quyết hồ sơ %1?").replace("%1", self.code))
        self.levels[3].setText(self.tr("Rất hài lòng"))
        self.levels[2].setText(self.tr("Hài lòng"))
        self.levels[1].setText(self.tr("Không hài lòng"))
        self.reason_label.setText(self.tr("Lý do (không bắt buộc):"))
        self.send.setText(self.tr("Gửi đánh giá"))

    def start(self, code: str) -> None:
        self.clear()
        self.code = code
        self.retranslate()

    def choose(self, level: int) -> None:
        self.level = level
        for n, button in self.levels.items():
            button.setChecked(n == level)
        self.send.setEnabled(True)

    def submit(self) -> None:
        if self.level is None:
            return
        principal, code, level, reason = self.principal_fn(), self.code, self.level, self.reason.text()
        self.send.setEnabled(False)

        def done(_result) -> None:
            self.reason.clear()
            self.message.setText(self.tr("Cảm ơn bạn đã đánh giá!"))
            set_state(self.message, "ok")
            QTimer.singleShot(4000, self._thanked)

        def failed(exc: Exception) -> None:
            self.send.setEnabled(True)
            self.message.setText(explain(exc).text(current_language()))
            set_state(self.message, "error")

        run_call(lambda: self.kiosk.ratings.add(principal, code, level, reason), on_result=done, on_error=failed)

    def _thanked(self) -> None:
        if self.isVisible() and self.code:
            self.finished.emit()

    def clear(self) -> None:
        self.code = ""
        self.level = None
        for button in self.levels.values():
            button.setChecked(False)
        self.reason.clear()
        self.message.clear()
        self.send.setEnabled(False)


class ExitPage(Retranslating, QWidget):
    """Staff only: the administrator's PIN on the numpad leaves the full-screen mode."""

    exit_granted = Signal()

    def __init__(self, kiosk, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.actor = actor
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.title = hall_label(self, "pageTitle")
        left.addWidget(self.title)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("exitPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setReadOnly(True)
        self.pin.setProperty("numpad", True)
        left.addWidget(self.pin)
        self.message = hall_label(self, "exitMessage")
        left.addWidget(self.message)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.pad = NumPad(self.pin, self, ok_text=lambda: self.tr("Thoát"))
        self.pad.entered.connect(self.check)
        layout.addWidget(self.pad)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Dành cho cán bộ: nhập mã PIN quản trị để thoát chế độ kiosk."))

    def check(self, pin: str) -> None:
        self.pin.clear()
        self.pad.setEnabled(False)

        def done(ok: bool) -> None:
            self.pad.setEnabled(True)
            if ok:
                self.exit_granted.emit()
            else:
                self.message.setText(self.tr("Mã PIN không đúng."))
                set_state(self.message, "error")

        def failed(exc: Exception) -> None:
            self.pad.setEnabled(True)
            self.message.setText(explain(exc).text(current_language()))
            set_state(self.message, "error")

        run_call(lambda: self.kiosk.exit_pin.check(self.actor, pin), on_result=done, on_error=failed)

    def clear(self) -> None:
        self.pin.clear()
        self.message.clear()
