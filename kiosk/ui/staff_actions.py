"""What an administrator does to the person selected on the staff page (Người được chọn): lock or unlock
the account, end a lock that failed logins put on it, give a new one-time password.

Each change is confirmed first. A one-time password is shown once, here, until the administrator hides it.
An administrator cannot lock the account they are using.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from shiboken6 import isValid

from kiosk.services.staff import StaffInfo
from kiosk.ui.labels import wrapped_label
from kiosk.ui.messages import MessageLabel, TextFn, set_state
from kiosk.ui.role_labels import role_label
from kiosk.ui.worker import run_call


def _framed(parent: QWidget, object_name: str) -> tuple[QFrame, QVBoxLayout]:
    """A panel drawn around a few lines (the confirmation, the one-time password)."""
    frame = QFrame(parent)
    frame.setObjectName(object_name)
    frame.setFrameShape(QFrame.Shape.StyledPanel)
    return frame, QVBoxLayout(frame)


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row


class StaffActions(QGroupBox):
    """The selected person, the buttons for what may be done to them, the confirmation, the message, and a
    one-time password just given."""

    account_changed = Signal(str, bool)  # username, active now
    password_issued = Signal(str)  # username (the password itself is only on screen)
    action_refused = Signal(str)  # the sentence shown under the actions
    done = Signal(str)  # username: the list should be read again (after a change, or a refused one)
    cancelled = Signal()  # the confirmation was declined: the keyboard goes back to the list

    def __init__(self, kiosk, principal_fn: Callable[[], Any], full_name_of: Callable[[str], str],
                 error_text: Callable[[Exception], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffSelectedBox")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.full_name_of = full_name_of  # the name in the list now (the username if it is not listed)
        self.error_text = error_text  # the page's sentence for a refusal
        self.info: StaffInfo | None = None  # the person selected in the list
        self._generation = 0  # bumped by reset(): answers of an earlier generation are dropped
        self._acting = False  # a lock, unlock or reset is running
        self._pending: tuple[str, str] | None = None  # (action, username) waiting for confirmation
        self._issued: tuple[str, str] | None = None  # (username, one-time password) on screen
        column = QVBoxLayout(self)
        column.addLayout(self._build_person_row())
        self.self_note = wrapped_label(self, "staffSelfNote")
        self._build_confirm()
        self.message = MessageLabel(self, "staffActionMessage", hide_when_empty=True)
        self._build_password()
        for widget in (self.self_note, self.confirm_frame, self.message, self.password_frame):
            column.addWidget(widget)
        self.toggle_button.clicked.connect(self.ask_toggle)
        self.reset_button.clicked.connect(self.ask_reset_password)
        self.unlock_button.clicked.connect(self.ask_unlock)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.cancel)
        self.hide_password_button.clicked.connect(self.hide_password)
        self.retranslate()

    def _build_person_row(self) -> QHBoxLayout:
        self.selected_label = wrapped_label(self, "staffSelected")
        self.selected_label.setTextFormat(Qt.TextFormat.RichText)
        self.toggle_button = QPushButton(self)
        self.toggle_button.setObjectName("staffToggleActive")
        self.reset_button = QPushButton(self)
        self.reset_button.setObjectName("staffResetPassword")
        self.unlock_button = QPushButton(self)
        self.unlock_button.setObjectName("staffUnlockLogin")
        buttons = QHBoxLayout()  # who, then what can be done to them, on one line
        buttons.addWidget(self.selected_label, 1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.reset_button)
        return buttons

    def _build_confirm(self) -> None:
        self.confirm_frame, confirm = _framed(self, "staffConfirm")
        self.confirm_label = wrapped_label(self.confirm_frame, "staffConfirmText")
        self.confirm_button = QPushButton(self.confirm_frame)
        self.confirm_button.setObjectName("staffConfirmYes")
        self.confirm_button.setDefault(True)
        self.cancel_button = QPushButton(self.confirm_frame)
        self.cancel_button.setObjectName("staffConfirmNo")
        confirm.addWidget(self.confirm_label)
        confirm.addLayout(_button_row(self.confirm_button, self.cancel_button))

    def _build_password(self) -> None:
        self.password_frame, issued = _framed(self, "staffOneTime")
        self.password_title = wrapped_label(self.password_frame)
        self.password_value = QLabel(self.password_frame)
        self.password_value.setObjectName("staffOneTimePassword")
        self.password_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")  # its size is the style sheet's (#staffOneTimePassword)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.password_value.setFont(font)
        self.password_note = wrapped_label(self.password_frame, "staffOneTimeNote")
        self.hide_password_button = QPushButton(self.password_frame)
        self.hide_password_button.setObjectName("staffOneTimeHide")
        for widget in (self.password_title, self.password_value, self.password_note):
            issued.addWidget(widget)
        issued.addLayout(_button_row(self.hide_password_button))

    def tab_order(self) -> tuple[QWidget, ...]:
        """Its controls in the order the Tab key visits them."""
        return (self.unlock_button, self.toggle_button, self.reset_button, self.confirm_button, self.cancel_button,
                self.hide_password_button)

    def retranslate(self) -> None:
        self.setTitle(self.tr("Người được chọn"))
        self.reset_button.setText(self.tr("Cấp lại mật khẩu"))
        self.unlock_button.setText(self.tr("Mở khóa đăng nhập"))
        self.cancel_button.setText(self.tr("Hủy"))
        self.hide_password_button.setText(self.tr("Đã ghi lại, ẩn mật khẩu"))
        self._show_selected()
        self.message.rerender()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_person(self, info: StaffInfo | None) -> None:
        """Show `info` (the row selected in the list, None when there is none) and what may be done to it."""
        self.info = info
        self._show_selected()

    def forget_pending(self) -> None:
        """Another person was selected: a confirmation asked about the earlier one goes."""
        self._pending = None

    def _is_own(self, info: StaffInfo | None) -> bool:
        return info is not None and self._is_own_username(info.username)

    def _is_own_username(self, username: str) -> bool:
        principal = self.principal_fn()
        return principal is not None and principal.username == username

    def _show_selected(self) -> None:
        info = self.info
        if info is None:
            self.selected_label.setText(self.tr("Chọn một người trong danh sách để khóa, mở khóa tài khoản "
                                                "hoặc cấp lại mật khẩu."))
            self.toggle_button.setText(self.tr("Khóa tài khoản"))
        else:
            self.selected_label.setText(self.tr("<b>%1</b> (%2) · %3 · %4").replace(
                "%1", _escape(info.full_name)).replace("%2", _escape(info.username)).replace(
                "%3", _escape(role_label(info.role))).replace("%4", _escape(self.status_text(info))))
            self.toggle_button.setText(self.tr("Khóa tài khoản") if info.active else self.tr("Mở khóa"))
        own_active = info is not None and info.active and self._is_own(info)
        self.self_note.setText(self.own_account_text() if own_active else "")
        self.self_note.setVisible(own_active)
        set_state(self.self_note, "warn")
        idle = not self._acting
        self.toggle_button.setEnabled(info is not None and idle and not own_active)
        self.reset_button.setEnabled(info is not None and idle)
        locked_out = info is not None and info.active and info.locked
        self.unlock_button.setVisible(locked_out)
        self.unlock_button.setEnabled(locked_out and idle)
        self._render_pending()
        self._render_issued()

    def status_text(self, info: StaffInfo) -> str:
        """The account's state in words: in use or locked, and why it cannot log in now."""
        parts = [self.tr("Đang dùng") if info.active else self.tr("Đã khóa")]
        if info.active and info.locked:
            parts.append(self.tr("tạm khóa vì nhập sai mật khẩu nhiều lần"))
        if info.active and info.must_change_password:
            parts.append(self.tr("chờ đổi mật khẩu"))
        return ", ".join(parts)

    def own_account_text(self) -> str:
        return self.tr("Đây là tài khoản bạn đang dùng: bạn không tự khóa được. Nếu cần khóa, hãy nhờ một "
                       "quản trị viên khác.")

    def ask_toggle(self) -> None:
        """Lock (or unlock) the selected account, once confirmed; never the administrator's own."""
        info = self.info
        if info is None or self._acting:
            return
        if info.active and self._is_own(info):
            self.message.say(None)  # the sentence under the person already says why (self_note)
            self._show_selected()
            self.action_refused.emit(self.own_account_text())
            return
        self._ask("deactivate" if info.active else "activate", info.username)

    def ask_unlock(self) -> None:
        """End the lock that failed logins put on the selected account, once confirmed."""
        info = self.info
        if info is None or self._acting or not info.locked:
            return
        self._ask("unlock", info.username)

    def ask_reset_password(self) -> None:
        info = self.info
        if info is None or self._acting:
            return
        self._ask("reset", info.username)

    def _ask(self, action: str, username: str) -> None:
        self._pending = (action, username)
        self.message.say(None)
        self._render_pending()
        self.confirm_button.setFocus()

    def _render_pending(self) -> None:
        pending = self._pending
        self.confirm_frame.setVisible(pending is not None)
        if pending is None:
            return
        action, username = pending
        texts = {
            "deactivate": (self.tr("Khóa tài khoản %1 (%2)? Người này sẽ không đăng nhập được nữa; phiên đang mở "
                                   "của họ kết thúc ngay. Có thể mở khóa lại sau."), self.tr("Khóa tài khoản")),
            "activate": (self.tr("Mở khóa tài khoản %1 (%2)? Người này sẽ đăng nhập lại được bằng mật khẩu "
                                 "của họ."), self.tr("Mở khóa")),
            "unlock": (self.tr("Mở khóa đăng nhập cho %1 (%2) ngay? Tài khoản đang tạm khóa vì nhập sai mật khẩu "
                               "nhiều lần; nếu lại sai nhiều lần, lần khóa sau bắt đầu lại từ 5 phút."),
                       self.tr("Mở khóa đăng nhập")),
            "reset": (self.tr("Cấp mật khẩu dùng một lần mới cho %1 (%2)? Mật khẩu hiện tại của họ sẽ không dùng "
                              "được nữa; khi đăng nhập họ phải đổi sang mật khẩu của riêng mình."),
                      self.tr("Cấp mật khẩu mới")),
        }
        question, button = texts[action]
        self.confirm_label.setText(question.replace("%1", self.full_name_of(username)).replace("%2", username))
        self.confirm_button.setText(button)
        self.confirm_button.setEnabled(not self._acting)

    def cancel(self) -> None:
        self._pending = None
        self._render_pending()
        self.cancelled.emit()

    def confirm(self) -> None:
        """Do what the confirmation asked about."""
        if self._pending is None or self._acting:
            return
        action, username = self._pending
        self._pending = None
        self._render_pending()
        if action == "deactivate" and self._is_own_username(username):
            self._refuse(self.own_account_text)
            return
        if action == "reset":
            self._reset_password(username)
        elif action == "unlock":
            self._unlock(username)
        else:
            self._set_active(username, action == "activate")

    def _refuse(self, text_fn: TextFn) -> None:
        self.message.say(text_fn, "error")
        self.action_refused.emit(text_fn())

    def _set_busy(self, busy: bool) -> None:
        self._acting = busy
        self._show_selected()

    def _set_active(self, username: str, active: bool) -> None:
        if active:
            busy = lambda: self.tr("Đang mở khóa tài khoản…")  # noqa: E731
            done = lambda: self.tr("Đã mở khóa tài khoản %1: người này đăng nhập lại được.").replace(  # noqa: E731
                "%1", username)
        else:
            busy = lambda: self.tr("Đang khóa tài khoản…")  # noqa: E731
            done = lambda: self.tr(  # noqa: E731
                "Đã khóa tài khoản %1: người này không đăng nhập được nữa, phiên đang mở của họ đã kết thúc."
            ).replace("%1", username)
        self._act(username, lambda staff, principal: staff.set_active(principal, username, active), busy, done,
                  lambda: self.account_changed.emit(username, active))

    def _unlock(self, username: str) -> None:
        self._act(username, lambda staff, principal: staff.unlock(principal, username),
                  lambda: self.tr("Đang mở khóa đăng nhập…"),
                  lambda: self.tr("Đã mở khóa đăng nhập cho %1: người này đăng nhập được ngay.").replace(
                      "%1", username),
                  lambda: self.account_changed.emit(username, True))

    def _run(self, call: Callable[[Any, Any], Any], busy: TextFn, on_result: Callable[[Any], None],
             on_error: Callable[[Exception], None]) -> None:
        """Run `call(staff, principal)` off the GUI thread; its answer is dropped after reset() (logout)."""
        principal = self.principal_fn()
        generation = self._generation
        staff = self.kiosk.staff
        self._set_busy(True)
        self.message.say(busy)

        def answered(handler: Callable[[Any], None], value: Any) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            handler(value)

        run_call(lambda: call(staff, principal), on_result=lambda value: answered(on_result, value),
                 on_error=lambda exc: answered(on_error, exc))

    def _act(self, username: str, call: Callable[[Any, Any], None], busy: TextFn, done_text: TextFn,
             after: Callable[[], None]) -> None:
        """Change `username`'s account, then say so and have the list read again."""
        def changed(_none) -> None:
            self.message.say(done_text, "ok")
            after()
            self.done.emit(username)

        def failed(exc: Exception) -> None:
            self._refuse(lambda: self.error_text(exc))
            self.done.emit(username)

        self._run(call, busy, changed, failed)

    def _reset_password(self, username: str) -> None:
        self.hide_password()  # one one-time password on screen at a time

        def issued(password: str) -> None:
            self.message.say(None)
            self._issued = (username, password)
            self._render_issued()
            self.hide_password_button.setFocus()
            self.password_issued.emit(username)
            self.done.emit(username)

        self._run(lambda staff, principal: staff.reset_password(principal, username),
                  lambda: self.tr("Đang tạo mật khẩu mới…"), issued,
                  lambda exc: self._refuse(lambda: self.error_text(exc)))

    def _render_issued(self) -> None:
        issued = self._issued
        self.password_frame.setVisible(issued is not None)
        if issued is None:
            self.password_value.clear()
            return
        username, password = issued
        self.password_title.setText(self.tr("Mật khẩu dùng một lần mới của %1 (%2):").replace(
            "%1", self.full_name_of(username)).replace("%2", username))
        self.password_value.setText(password)
        self.password_note.setText(self.tr(
            "Mật khẩu chỉ hiển thị lần này. Hãy đọc hoặc đưa riêng cho người đó; khi đăng nhập họ sẽ phải đổi "
            "sang mật khẩu của riêng mình. Mật khẩu cũ không còn dùng được."))

    def shown_password(self) -> str:
        """The one-time password on screen ("" if none)."""
        return self.password_value.text() if self._issued is not None else ""

    def hide_password(self) -> None:
        self._issued = None
        self._render_issued()

    def reset(self) -> None:
        """Nothing stays (logout): no confirmation, no one-time password, no message; late answers are dropped."""
        self._generation += 1
        self._acting = False
        self._pending = None
        self._issued = None
        self.message.say(None)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
