"""Self-service mode (kiosk tự phục vụ trong sảnh): full screen, touch only, Vietnamese first, English one touch away.

A citizen learns what a service needs (and prints the checklist), takes a queue ticket after preparing
the form — optionally from their own card, read with the six-digit CAN after the consent sentence —
looks a dossier up by its receipt, and rates a received dossier. After a minute without a touch, or
when the card leaves the reader, every trace of the citizen leaves the screen and memory and the start
screen returns. Staff leave the full-screen mode only with the administrator's PIN.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.selfservice_guide import GuidePage
from kiosk.ui.selfservice_status import ExitPage, RatingPage, StatusPage
from kiosk.ui.selfservice_ticket import TakeNumberPage
from kiosk.ui.selfservice_widgets import big_button, hall_label
from kiosk.ui.step_widgets import Retranslating
from kiosk.ui.touch_input import KeyboardDock, TouchKeyboard, touch_min_size, touch_px


class Welcome(Retranslating, QWidget):
    """The four things a citizen can do here, as large targets."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = hall_label(self, "welcomeTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(("guide", "take", "status", "rate")):
            button = big_button(QPushButton(self), 30.0)
            button.setObjectName(f"welcome_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.chosen.emit(k))
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        layout.addLayout(grid)
        layout.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Xin chào! Bạn cần làm gì hôm nay?"))
        self.buttons["guide"].setText(self.tr("Tìm hiểu thủ tục"))
        self.buttons["take"].setText(self.tr("Lấy số thứ tự"))
        self.buttons["status"].setText(self.tr("Tra cứu hồ sơ"))
        self.buttons["rate"].setText(self.tr("Đánh giá dịch vụ"))


class SelfServiceShell(Retranslating, QWidget):
    """The hall's screen: header (language, home), the pages, the on-screen keyboard at the bottom."""

    language_chosen = Signal(str)
    exit_requested = Signal()
    wiped = Signal()

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selfServiceShell")
        self.kiosk = kiosk
        idle = kiosk.settings.selfservice_idle_timeout_s
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.home_button = big_button(QPushButton(self), 14.0)
        self.home_button.setObjectName("selfServiceHome")
        self.unit = hall_label(self, "hallUnit", wrap=False)
        self.vi_button = big_button(QPushButton("Tiếng Việt", self), 14.0)
        self.vi_button.setObjectName("langVi")
        self.en_button = big_button(QPushButton("English", self), 14.0)
        self.en_button.setObjectName("langEn")
        self.staff_button = QPushButton("⚙", self)
        self.staff_button.setObjectName("staffExit")
        touch_min_size(self.staff_button, touch_px(self), touch_px(self))
        top.addWidget(self.home_button)
        top.addWidget(self.unit, 1)
        top.addWidget(self.vi_button)
        top.addWidget(self.en_button)
        top.addWidget(self.staff_button)
        layout.addLayout(top)
        self.stack = QStackedWidget(self)
        # A stack is as tall as its tallest page (the card step with its numpad): with the keyboard below it
        # that is taller than a 1080-pixel screen, and a full-screen window would lose its bottom keys. The
        # pages that show the keyboard (the form in its scroll area, the rating) fit in what is left.
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.stack, 1)
        self.keyboard = TouchKeyboard(self)
        layout.addWidget(self.keyboard)
        self.dock = KeyboardDock(self.keyboard, self)
        self.welcome = Welcome(self)
        self.guide = GuidePage(kiosk, principal_fn, self)
        self.take = TakeNumberPage(kiosk, principal_fn, idle, self.keyboard, self)
        self.status_page = StatusPage(kiosk, principal_fn, self)
        self.rating = RatingPage(kiosk, principal_fn, self)
        self.exit_page = ExitPage(kiosk, f"staff-exit@{principal_fn().username}", self)
        for page in (self.welcome, self.guide, self.take, self.status_page, self.rating, self.exit_page):
            self.stack.addWidget(page)
        self.welcome.chosen.connect(self.open)
        self.guide.take_number.connect(lambda n: self.open("take", n))
        self.status_page.rate.connect(self.open_rating)
        self.rating.finished.connect(self.wipe)
        self.take.ticket.finished.connect(self.wipe)
        self.home_button.clicked.connect(self.wipe)
        self.vi_button.clicked.connect(lambda: self.language_chosen.emit("vi"))
        self.en_button.clicked.connect(lambda: self.language_chosen.emit("en"))
        self.staff_button.clicked.connect(lambda: self._show(self.exit_page))
        self.exit_page.exit_granted.connect(self.exit_requested)
        self.retranslate()
        self.wipe()

    def retranslate(self) -> None:
        self.home_button.setText(self.tr("⟵ Về màn hình chính"))
        self.unit.setText(self.kiosk.settings.unit_name)

    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        self.home_button.setVisible(page is not self.welcome)

    def open(self, what: str, service_no: int | None = None) -> None:
        if what == "guide":
            self.guide.clear()
            self._show(self.guide)
        elif what == "take":
            self.take.start(service_no)
            self._show(self.take)
        elif what in ("status", "rate"):
            self.status_page.clear()
            self.status_page.rating_mode = what == "rate"
            self._show(self.status_page)
            self.status_page.check.input.setFocus()

    def open_rating(self, code: str) -> None:
        self.rating.start(code)
        self._show(self.rating)

    def on_card(self, present: bool) -> None:
        """The card left the reader: whatever it told leaves the screen and the memory at once."""
        self.take.card.on_card(present)
        if not present and self.take.has_citizen():
            self.wipe()

    def wipe(self) -> None:
        """Idle, card removed, or "home": every trace of the last citizen leaves the screen and the clipboard."""
        self.take.clear()
        self.guide.clear()
        self.status_page.clear()
        self.rating.clear()
        self.exit_page.clear()
        self.keyboard.hide()
        focus = QApplication.focusWidget()
        if focus is not None and self.isAncestorOf(focus):
            focus.clearFocus()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self._show(self.welcome)
        self.wiped.emit()
