"""The navigation frame after login: pages on the right, the list of them on the left.

Later capabilities plug their pages in with `add_page`; there is no page for what does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.roles import Principal
from kiosk.ui.home import HomePage
from kiosk.ui.login import LanguageBox


@dataclass
class PageEntry:
    key: str
    title: Callable[[], str]
    widget: QWidget
    item: QListWidgetItem


class Shell(QWidget):
    """Navigation list on the left, pages on the right, the user and logout at the top."""

    logout_requested = Signal()
    language_chosen = Signal(str)

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[PageEntry] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.user_label = QLabel(self)
        self.user_label.setObjectName("userLabel")
        self.language = LanguageBox(language, self)
        self.language.language_chosen.connect(self.language_chosen)
        self.logout_button = QPushButton(self)
        self.logout_button.setObjectName("logoutButton")
        self.logout_button.clicked.connect(self.logout_requested)
        top.addWidget(self.user_label, 1)
        top.addWidget(self.language)
        top.addWidget(self.logout_button)
        layout.addLayout(top)
        body = QHBoxLayout()
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setMaximumWidth(240)
        self.stack = QStackedWidget(self)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        self.previous_key: str | None = None
        self.nav.currentRowChanged.connect(self._row_changed)
        self.home = HomePage(self)
        self.add_page("home", lambda: self.tr("Trang chủ"), self.home)
        QShortcut(QKeySequence("Ctrl+L"), self).activated.connect(self.logout_requested.emit)
        QShortcut(QKeySequence("Ctrl+H"), self).activated.connect(lambda: self.show_page("home"))
        self.retranslate()

    def _row_changed(self, row: int) -> None:
        current = self.stack.currentIndex()
        if 0 <= current < len(self.entries) and current != row:
            self.previous_key = self.entries[current].key
        self.stack.setCurrentIndex(row)

    def add_page(self, key: str, title: Callable[[], str], widget: QWidget, shortcut: str = "") -> None:
        if shortcut:
            QShortcut(QKeySequence(shortcut), self).activated.connect(lambda: self.show_page(key))
        item = QListWidgetItem(title())
        self.nav.addItem(item)
        self.stack.addWidget(widget)
        self.entries.append(PageEntry(key, title, widget, item))
        if len(self.entries) == 1:
            self.nav.setCurrentRow(0)

    def show_page(self, key: str) -> None:
        for row, entry in enumerate(self.entries):
            if entry.key == key and not entry.item.isHidden():
                self.nav.setCurrentRow(row)
                return

    def set_page_visible(self, key: str, visible: bool) -> None:
        """Show or hide a page for the person logged in (its entry, its shortcut): a page stays built."""
        for entry in self.entries:
            if entry.key == key:
                entry.item.setHidden(not visible)
                if not visible and self.stack.currentWidget() is entry.widget:
                    self.show_page("home")

    def set_user(self, principal: Principal, full_name: str) -> None:
        self._user = (principal, full_name)
        self.home.set_user(full_name)
        self.retranslate()

    def retranslate(self) -> None:
        user = getattr(self, "_user", None)
        if user:
            roles = {
                "officer": self.tr("cán bộ tiếp dân"),
                "supervisor": self.tr("chỉ huy"),
                "admin": self.tr("quản trị"),
                "selfservice": self.tr("kiosk tự phục vụ"),
            }
            role = roles.get(user[0].role.value, user[0].role.value)
            self.user_label.setText(self.tr("%1 — vai trò: %2").replace("%1", user[1]).replace("%2", role))
        self.logout_button.setText(self.tr("Đăng xuất (Ctrl+L)"))
        for entry in self.entries:
            entry.item.setText(entry.title())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
