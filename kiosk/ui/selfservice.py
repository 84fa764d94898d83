"""Self-service mode (kiosk tự phục vụ): full screen, touch, Vietnamese first; after a minute with
no touch everything about the last citizen is wiped and the welcome screen comes back.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.ui.status_check import StatusCheckPage


class Welcome(QWidget):
    """Large targets: what a citizen can do here, and the language."""

    status_chosen = Signal()
    language_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = QLabel(self)
        self.title.setObjectName("welcomeTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.status_button = QPushButton(self)
        self.status_button.setObjectName("welcomeStatus")
        self.status_button.setMinimumHeight(120)
        layout.addWidget(self.status_button)
        languages = QHBoxLayout()
        self.vi_button = QPushButton("Tiếng Việt", self)
        self.vi_button.setObjectName("langVi")
        self.en_button = QPushButton("English", self)
        self.en_button.setObjectName("langEn")
        languages.addStretch(1)
        languages.addWidget(self.vi_button)
        languages.addWidget(self.en_button)
        languages.addStretch(1)
        layout.addLayout(languages)
        layout.addStretch(2)
        self.status_button.clicked.connect(self.status_chosen)
        self.vi_button.clicked.connect(lambda: self.language_chosen.emit("vi"))
        self.en_button.clicked.connect(lambda: self.language_chosen.emit("en"))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Xin chào! Kiosk tự phục vụ của Công an phường"))
        self.status_button.setText(self.tr("Tra cứu hồ sơ bằng phiếu hẹn"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class SelfServiceShell(QWidget):
    """Welcome → status check, with a way home on every screen."""

    language_chosen = Signal(str)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selfServiceShell")
        layout = QVBoxLayout(self)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        self.home_button = QPushButton(self)
        self.home_button.setObjectName("selfServiceHome")
        layout.addWidget(self.home_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.welcome = Welcome(self)
        self.status_page = StatusCheckPage(kiosk, principal_fn, self)
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.status_page)
        self.welcome.status_chosen.connect(self.show_status)
        self.welcome.language_chosen.connect(self.language_chosen)
        self.home_button.clicked.connect(self.wipe)
        self.retranslate()
        self.wipe()

    def retranslate(self) -> None:
        self.home_button.setText(self.tr("⟵ Về màn hình chính"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_status(self) -> None:
        self.stack.setCurrentWidget(self.status_page)
        self.home_button.show()
        self.status_page.input.setFocus()

    def wipe(self) -> None:
        """Idle or "home": every trace of the last citizen leaves the screen and the clipboard."""
        self.status_page.clear()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self.stack.setCurrentWidget(self.welcome)
        self.home_button.hide()
