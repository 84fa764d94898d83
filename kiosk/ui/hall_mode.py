"""The main window in the hall: locked down, no staff login, the citizen's screen wiped when left idle."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kiosk.domain.roles import Principal


class HallMode:
    """The hall's part of `MainWindow` (which owns the pages, the card watcher and the idle watcher)."""

    def lock_down(self) -> None:
        """The hall: a frameless window above the others, and an application filter that swallows the keys
        and menus leading out; closing it needs the administrator's PIN (kiosk.ui.lockdown)."""
        from PySide6.QtWidgets import QApplication

        from kiosk.ui.lockdown import LockdownFilter

        self.setWindowFlags(self.windowFlags() | Qt.WindowType.FramelessWindowHint
                            | Qt.WindowType.WindowStaysOnTopHint)
        self.lockdown = LockdownFilter(self)  # kept as an attribute: a filter with no reference is collected
        QApplication.instance().installEventFilter(self.lockdown)
        self.exit_allowed = False

    def _enter_selfservice(self) -> None:
        """No staff login in the hall: the kiosk acts as its self-service role; idle wipes the screen."""
        from PySide6.QtGui import QShortcut
        from PySide6.QtWidgets import QApplication

        from kiosk.domain.roles import Role
        from kiosk.services.identity import identity
        from kiosk.ui.selfservice import SelfServiceShell

        self.principal = Principal(f"selfservice:{identity(self.kiosk.db).kiosk_id}", Role.SELFSERVICE)
        for shortcut in self.shell.findChildren(QShortcut):  # the counter's keys (logout, pages) do nothing here
            shortcut.setEnabled(False)
        self.selfservice = SelfServiceShell(self.kiosk, lambda: self.principal, self)
        self.selfservice.language_chosen.connect(self.set_language)
        self.selfservice.exit_requested.connect(self._leave_selfservice)
        self.pages.addWidget(self.selfservice)
        self.pages.setCurrentWidget(self.selfservice)
        self.status.hide()  # device states are for staff, not for the hall
        self.watcher.card_inserted.connect(lambda _r: self.selfservice.on_card(True))
        self.watcher.card_removed.connect(lambda _r: self.selfservice.on_card(bool(self.watcher.cards)))
        if self.watcher.cards:
            self.selfservice.on_card(True)
        self.idle.timer.setInterval(self.loaded.settings.selfservice_idle_timeout_s * 1000)
        self.idle.idle.disconnect()
        self.idle.idle.connect(self._selfservice_idle)
        QApplication.instance().installEventFilter(self.idle)
        self.idle.timer.start()

    def _selfservice_idle(self) -> None:
        self.selfservice.wipe()
        self.set_language(self.loaded.settings.language)
        self.idle.timer.start()

    def _leave_selfservice(self) -> None:
        """The administrator's PIN was typed: the window closes and the supervisor does not start it again."""
        from PySide6.QtWidgets import QApplication

        self.selfservice.wipe()
        self.exit_allowed = True
        self.close()
        QApplication.exit(0)
