"""The main window: opening → login → (password change) → the navigation frame with its pages.

Only the login page is built before the window is first shown; the rest follows right after, so the
counter sees the login screen as fast as a bare Qt window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget

from kiosk.domain.roles import Permission, Principal
from kiosk.services.explain import explain
from kiosk.support.config import LoadedSettings
from kiosk.ui import i18n
from kiosk.ui.hall_mode import HallMode
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.login import LoginPage
from kiosk.ui.worker import run_call

if TYPE_CHECKING:
    from kiosk.ui.shell import Shell

log = logging.getLogger(__name__)

HEALTH_INTERVAL_MS = 15_000


class MainWindow(HallMode, QMainWindow):
    """Owns the flow between pages; every slow call goes through `run_call`."""

    ready = Signal()
    logged_in = Signal(object)
    citizen_chosen = Signal(object)

    def __init__(self, loaded: LoadedSettings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.loaded = loaded
        self.kiosk = None
        self.principal: Principal | None = None
        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        self.login = LoginPage(self)
        self.pages.addWidget(self.login)
        self.login.submitted.connect(self._login)
        self.shell: Shell | None = None
        self.card_page = None
        self.dossier_page = None
        self.records_page = None
        self.staff_page = None
        self.current_citizen: dict | None = None
        self.current_photo: bytes | None = None
        self.watcher = None
        self.sync_worker = None
        self.daily_worker = None
        self._reprint_runner = None
        self.printer_dialog = None
        self._health_asked = self._health_shown = 0  # a snapshot older than the one on screen is dropped
        self.health_timer = QTimer(self)
        self.health_timer.setInterval(HEALTH_INTERVAL_MS)
        self.health_timer.timeout.connect(self.refresh_health)
        timeout_ms = loaded.settings.staff_idle_timeout_s * 1000
        self.idle = IdleWatcher(timeout_ms, self)
        self.idle.idle.connect(lambda: self.logout("idle"))
        self.retranslate()
        self.resize(1100, 720)

    def build_pages(self) -> None:
        """The pages the login screen does not need; built once, right after the first show."""
        if self.shell is not None:
            return
        from kiosk.ui.home import HealthStatusBar
        from kiosk.ui.login import ChangePasswordPage
        from kiosk.ui.shell import Shell

        self.change_password = ChangePasswordPage(self)
        self.shell = Shell(self.loaded.settings.language, self)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("fatalError")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        for page in (self.change_password, self.shell, self.error_label):
            self.pages.addWidget(page)
        self.status = HealthStatusBar(self)
        self.setStatusBar(self.status)
        self.change_password.submitted.connect(self._change_password)
        self.shell.logout_requested.connect(lambda: self.logout("logout"))
        self.shell.language_chosen.connect(self.set_language)
        self.shell.home.printer_button.clicked.connect(self.choose_printer)

    def reprint_recoded(self, code: str, document: str) -> None:
        """The home page's alarm: print again, with the hub's new code, the receipt of a dossier whose code
        clashed; once it has printed, the alarm goes (the sync state is read again)."""
        from kiosk.ui.print_job import PrintRunner, PrintTexts

        if self.principal is None:
            return
        if self._reprint_runner is None:
            self._reprint_runner = PrintRunner(self.kiosk, self.shell.home.reprint_button,
                                               self.shell.home.reprint_status)
        task = self._reprint_runner.start(self.principal, code, document, PrintTexts(
            busy=self.tr("Đang in lại phiếu hẹn mã mới…"),
            progress=self.tr("Đang in lại phiếu hẹn mã mới… %1 %"),
            done=self.tr("Đã in lại phiếu hẹn mã mới; hãy đưa cho công dân và thu lại phiếu cũ."),
            failed=self.tr("Chưa in được: %1 Bấm nút in lại để thử lại."),
        ))
        if task is not None and self.sync_worker is not None:
            task.signals.finished.connect(self.sync_worker.refresh_state)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Kiosk tiếp dân — Công an phường"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, language: str) -> None:
        i18n.set_language(language)

    def open_data(self, build: Callable[[], object]) -> None:
        """Open the database in the background; the login form waits for it."""
        self.build_pages()
        self.pages.setCurrentWidget(self.login)
        run_call(build, on_result=self._data_open, on_error=self._data_failed)

    def _data_open(self, kiosk) -> None:
        from kiosk.ui.card_page import ReaderWatcher

        self.kiosk = kiosk
        self.watcher = ReaderWatcher(kiosk.device, self)
        self.watcher.service_changed.connect(lambda _up: self.refresh_health())
        self.watcher.readers_changed.connect(self.refresh_health)
        self.watcher.start()
        from kiosk.ui.sync_worker import SyncWorker

        self.sync_worker = SyncWorker(kiosk, self)
        self.sync_worker.state_changed.connect(self.shell.home.set_sync_state)
        self.sync_worker.state_changed.connect(lambda _s: self.refresh_health())
        self.sync_worker.running_changed.connect(lambda running: self.shell.home.sync_button.setDisabled(running))
        self.shell.home.sync_button.clicked.connect(self.sync_worker.sync_now)
        self.shell.home.reprint_requested.connect(self.reprint_recoded)
        self.sync_worker.start()
        from kiosk.ui.daily_worker import DailyWorker

        self.daily_worker = DailyWorker(kiosk, self)
        self.daily_worker.finished.connect(lambda _r: self.refresh_health())
        self.daily_worker.start()
        if kiosk.settings.mode == "selfservice":
            self._enter_selfservice()
            self.ready.emit()
            return
        self.login.set_ready(True)
        if kiosk.settings.demo:
            self.login.show_demo_hint(
                self.tr("Chế độ trình diễn: đăng nhập bằng tài khoản 'canbo', mật khẩu 'TiepDan@2025'.")
            )
        self.refresh_health()
        self.health_timer.start()
        if kiosk.first_admin_password:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Tài khoản quản trị ban đầu"),
                self.tr(
                    "Đây là lần khởi động đầu tiên. Đã tạo tài khoản quản trị 'admin' với mật khẩu dùng một lần:\n\n%1\n\n"
                    "Mật khẩu chỉ hiển thị lần này. Hãy ghi lại; khi đăng nhập bạn sẽ phải đổi mật khẩu."
                ).replace("%1", kiosk.first_admin_password),
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setObjectName("firstAdminBox")
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
        self.ready.emit()

    def _data_failed(self, exc: Exception) -> None:
        said = explain(exc)
        if said.expected:
            path = getattr(exc, "path", None)  # a DatabaseOpenError names the file it refused
            text = self.tr("Không mở được dữ liệu của kiosk.") + "\n\n" + said.text(i18n.current_language()) + (
                f"\n{path}" if path else "")
        else:
            text = said.text(i18n.current_language(), self.tr("Không mở được dữ liệu của kiosk: %1"))
        self.error_label.setText(text + "\n\n" + self.tr("Hãy báo quản trị viên. Kiosk không tạo dữ liệu mới đè lên dữ liệu cũ."))
        self.pages.setCurrentWidget(self.error_label)

    def _login(self, username: str, password: str) -> None:
        self.login.set_busy(True)
        run_call(lambda: self.kiosk.staff.login(username, password), on_result=self._login_ok, on_error=self._login_failed)

    def _login_ok(self, result) -> None:
        self.login.set_busy(False)
        self.login.clear()
        self.principal = result.principal
        self.shell.set_user(result.principal, result.full_name)
        if result.must_change_password:
            self.change_password.reset()
            self.pages.setCurrentWidget(self.change_password)
        else:
            self._enter_shell()

    def _add_capability_pages(self) -> None:
        """The pages of each capability, once, after the first login."""
        if self.card_page is not None:
            return
        from kiosk.ui.card_page import CardPage

        self.card_page = CardPage(self.kiosk, lambda: self.principal, self)
        self.card_page.attach(self.watcher)
        demo = self.kiosk.demo_card
        if demo is not None:
            self.card_page.set_demo_key(demo.can or demo.id_number[-6:])
        self.card_page.citizen_chosen.connect(self.citizen_chosen)
        self.card_page.citizen_chosen.connect(self._use_citizen)
        self.card_page.citizen_cleared.connect(lambda: self._use_citizen(None))
        self.shell.add_page("card", lambda: self.tr("Đọc thẻ (F2)"), self.card_page, "F2")
        self.card_page.catch_up(self.watcher)
        self.watcher.card_inserted.connect(self._card_laid)
        from kiosk.ui.dossier_page import DossierPage

        self.dossier_page = DossierPage(self.kiosk, lambda: self.principal, lambda: self.current_citizen, self)
        self.shell.add_page("dossier", lambda: self.tr("Tiếp nhận hồ sơ (F3)"), self.dossier_page, "F3")
        from kiosk.ui.status_check import StatusCheckPage

        self.status_page = StatusCheckPage(self.kiosk, lambda: self.principal, self)
        self.shell.add_page("status", lambda: self.tr("Tra cứu hồ sơ (F4)"), self.status_page, "F4")
        from kiosk.ui.account_page import AccountPage

        self.account_page = AccountPage(self.kiosk, lambda: self.principal, lambda: self.current_citizen,
                                        lambda: self.current_photo, self)
        self.shell.add_page("account", lambda: self.tr("Tài khoản định danh (F5)"), self.account_page, "F5")
        from kiosk.ui.dossier_list import DossierListPage

        self.records_page = DossierListPage(self.kiosk, lambda: self.principal, self)
        self.shell.add_page("records", lambda: self.tr("Hồ sơ đã nhận (F6)"), self.records_page, "F6")
        from kiosk.ui.staff_page import StaffPage

        self.staff_page = StaffPage(self.kiosk, lambda: self.principal, self)
        self.shell.add_page("staff", lambda: self.tr("Nhân sự (F7)"), self.staff_page, "F7")
        self._add_queue_panel()

    def _add_queue_panel(self) -> None:
        """The hall's queue on the home page; F8 calls the next ticket and opens its draft in the wizard."""
        from PySide6.QtGui import QKeySequence, QShortcut

        from kiosk.ui.queue_panel import QueuePanel

        self.queue_panel = QueuePanel(self.kiosk, lambda: self.principal, self.shell.home)
        home = self.shell.home.layout()
        home.insertWidget(home.count() - 1, self.queue_panel)  # above the home page's closing stretch
        QShortcut(QKeySequence("F8"), self.shell).activated.connect(self.queue_panel.call_next)
        self.queue_panel.opened.connect(self._open_ticket)
        self.dossier_page.received.connect(self.queue_panel.received)

    def _open_ticket(self, called) -> None:
        """The wizard at the ticket's service with the citizen's draft and the hall's chip verdict."""
        from kiosk.ui.queue_panel import origin_text

        text, state = origin_text(self.queue_panel, called)
        self.dossier_page.open_draft(called.service_no, dict(called.citizen) if called.citizen else None,
                                     dict(called.form or {}), text, state)
        self.shell.show_page("dossier")

    def _card_laid(self, _reader: str) -> None:
        """A card laid on the reader brings the card page forward: the officer is about to read it (a
        wizard left open stays as it is, and "use this citizen" goes back to it)."""
        from PySide6.QtWidgets import QApplication

        if self.principal is not None and self.pages.currentWidget() is self.shell and (
                QApplication.activeModalWidget() is None):
            self.shell.show_page("card")

    def _use_citizen(self, result) -> None:
        """The citizen the officer serves now (a chip read); the wizard takes it as the applicant."""
        self.current_citizen = result.to_json() if result is not None else None
        self.current_photo = result.photo if result is not None else None  # in memory only
        if result is not None:
            # Back to the procedure the officer came from (a dossier, or an account request).
            came_from = self.shell.previous_key
            self.shell.show_page(came_from if came_from in ("dossier", "account") else "dossier")

    def _enter_shell(self) -> None:
        self._add_capability_pages()
        # Officers never see the staff page; a supervisor sees it read-only, an administrator in full.
        self.shell.set_page_visible("staff", self.principal is not None and self.principal.can(Permission.STAFF_LIST))
        self.shell.show_page("home")
        self.pages.setCurrentWidget(self.shell)
        self.shell.nav.setFocus()
        from PySide6.QtWidgets import QApplication

        QApplication.instance().installEventFilter(self.idle)
        self.idle.timer.start()
        self.logged_in.emit(self.principal)
        self.refresh_health()

    def _login_failed(self, exc: Exception) -> None:
        self.login.set_busy(False)
        self.login.show_message(explain(exc).text(i18n.current_language(), self.tr("Không đăng nhập được: %1")))

    def _change_password(self, old: str, new: str) -> None:
        def done(_):
            self._enter_shell()

        def failed(exc: Exception) -> None:
            said = explain(exc)
            if said.code == "session_expired":
                self.logout("idle")
            else:
                self.change_password.message.setText(said.text(i18n.current_language(), sep="\n"))

        run_call(lambda: self.kiosk.staff.change_own_password(self.principal, old, new), on_result=done, on_error=failed)

    def choose_printer(self) -> None:
        """The printer dialog ("Chọn máy in…" on the home page); after a choice the device states are probed again."""
        if self.kiosk is None or self.principal is None:
            return
        from kiosk.ui.printer_dialog import PrinterDialog

        if self.printer_dialog is not None:
            self.printer_dialog.deleteLater()
        self.printer_dialog = PrinterDialog(self.kiosk, self.principal, self)
        self.printer_dialog.chosen.connect(lambda _kind, _target: self.refresh_health())
        self.printer_dialog.open()

    def logout(self, reason: str) -> None:
        """End the session (by the user or after inactivity) and go back to the login page."""
        from PySide6.QtWidgets import QApplication

        QApplication.instance().removeEventFilter(self.idle)
        self.idle.timer.stop()
        if self.printer_dialog is not None:
            self.printer_dialog.reject()  # the next user opens their own
        if self.dossier_page is not None:
            self.dossier_page.keep_and_reset()  # a half-filled dossier is kept as a draft, not on screen
        principal, self.principal = self.principal, None
        if self.card_page is not None:
            self.card_page.discard()  # nothing of the last citizen stays on screen
            self.card_page.forget_keys()  # nor the key that opened their card
            self.status_page.clear()
            self.account_page.reset()
            self.records_page.reset()  # no citizen's dossier stays on screen
            self.staff_page.reset()  # no one-time password or half-typed account stays on screen
            self.queue_panel.reset()
        self.current_citizen = self.current_photo = None
        if principal is not None and self.kiosk is not None:
            run_call(lambda: self.kiosk.staff.logout(principal, reason))
        self.pages.setCurrentWidget(self.login)
        self.login.clear()
        if reason == "idle":
            self.login.show_message(self.tr("Phiên làm việc đã kết thúc vì không có thao tác. Hãy đăng nhập lại."))

    def refresh_health(self) -> None:
        if self.kiosk is None:
            return
        from kiosk.services import health

        settings, db, device = self.kiosk.settings, self.kiosk.db, self.kiosk.device
        printing = self.kiosk.printing  # the printer in use now, which may differ from the start-up settings
        printer = (printing.kind, printing.target, printing.pdf_folder)
        self._health_asked += 1
        seq = self._health_asked
        run_call(lambda: health.snapshot(settings, db, device, printer),
                 on_result=lambda snap: self._show_health(snap, seq))

    def _show_health(self, snapshot, seq: int = 0) -> None:
        if seq and seq < self._health_shown:
            return  # asked before the one on screen (which may already name a newly chosen printer)
        self._health_shown = max(seq, self._health_shown)
        self.shell.home.set_health(snapshot)
        self.status.set_health(snapshot)

    def closeEvent(self, event) -> None:
        if getattr(self, "lockdown", None) is not None and not self.exit_allowed:
            event.ignore()  # Alt+F4 or the window manager's close: only the PIN leaves the hall's kiosk
            return
        if self.watcher is not None:
            self.watcher.stop()
        if self.sync_worker is not None:
            self.sync_worker.stop()
        if self.daily_worker is not None:
            self.daily_worker.stop()  # a backup half written is deleted, never left as a file
        super().closeEvent(event)

    def recover(self) -> None:
        """After an unexpected error: back to home if logged in, else to login."""
        self.pages.setCurrentWidget(self.shell if self.principal else self.login)
        if self.principal:
            self.shell.show_page("home")
