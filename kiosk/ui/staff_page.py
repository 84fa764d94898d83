"""The administrator's staff page (Nhân sự): who may log in to this kiosk and in which role.

The list comes from `StaffService.list` (STAFF_LIST: an administrator or a supervisor); adding a person,
locking or unlocking an account and giving a new one-time password need STAFF_MANAGE (an administrator).
The page offers only what the principal may do, and the service checks the same again. Every call runs
off the GUI thread (argon2 hashing takes ~100 ms); an answer that arrives after `reset()` (logout) is dropped.

A new account gets the password the administrator typed twice: `StaffService.add` does not mark it
one-time. "Cấp lại mật khẩu" gives a one-time password (`reset_password`), shown once on this page; the
person must change it at their next login. An administrator cannot lock the account they are using.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kiosk.domain.receipt import station_time
from kiosk.domain.roles import STAFF_ROLES, Permission, Role
from kiosk.services.staff import MIN_PASSWORD_LENGTH, StaffInfo
from kiosk.ui.messages import MessageLabel, TextFn, set_state
from kiosk.ui.role_labels import role_label
from kiosk.ui.tables import record_table
from kiosk.ui.worker import run_call

COLUMNS = ("username", "full_name", "role", "status", "last_login")
FORM_FIELDS = ("username", "full_name", "role", "password", "password_again")


def login_time(value: str | None) -> str:
    """A last login (UTC, `…Z`) in station time, as the counter writes it; "" if never."""
    if not value:
        return ""
    try:
        return station_time(datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return value


class StaffPage(QWidget):
    """The staff table; for an administrator also the selected person's actions and the form to add one."""

    refreshed = Signal(object)  # the list[StaffInfo] shown
    staff_added = Signal(object)  # the new person's StaffInfo
    add_refused = Signal(object)  # [(field, message)]: the form's errors
    account_changed = Signal(str, bool)  # username, active now
    password_issued = Signal(str)  # username (the password itself is only on screen)
    action_refused = Signal(str)  # the sentence shown under the actions

    def __init__(self, kiosk, principal_fn: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffPage")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.people: list[StaffInfo] = []
        self.selected: str | None = None  # the username whose row is selected
        self.access: str | None = None  # "manage", "read", "none"; None after reset() until the next refresh()
        self._generation = 0  # bumped by reset(): answers of an earlier generation are dropped
        self._list_seq = 0
        self._acting = False  # a lock, unlock or reset is running
        self._adding = False
        self._pending: tuple[str, str] | None = None  # (action, username) waiting for confirmation
        self._issued: tuple[str, str] | None = None  # (username, one-time password) on screen
        self._field_errors: dict[str, TextFn] = {}

        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.notice = QLabel(self)
        self.notice.setObjectName("staffAccess")
        self.notice.setWordWrap(True)
        layout.addWidget(self.notice)

        self.table = record_table(self, "staffTable", len(COLUMNS))
        header = self.table.horizontalHeader()
        for column, key in enumerate(COLUMNS):
            mode = QHeaderView.ResizeMode.Stretch if key in ("full_name", "status") else \
                QHeaderView.ResizeMode.ResizeToContents
            header.setSectionResizeMode(column, mode)
        layout.addWidget(self.table, 1)
        self.list_message = MessageLabel(self, "staffListMessage", hide_when_empty=True)
        layout.addWidget(self.list_message)

        self.bottom = QWidget(self)
        bottom = QVBoxLayout(self.bottom)
        bottom.setContentsMargins(0, 0, 0, 0)
        self._build_selected_box()
        self._build_add_box()
        bottom.addWidget(self.selected_box)
        bottom.addWidget(self.add_box)
        layout.addWidget(self.bottom)

        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_chosen(current.row()))
        self.toggle_button.clicked.connect(self.ask_toggle)
        self.reset_button.clicked.connect(self.ask_reset_password)
        self.unlock_button.clicked.connect(self.ask_unlock)
        self.confirm_button.clicked.connect(self.confirm)
        self.cancel_button.clicked.connect(self.cancel)
        self.hide_password_button.clicked.connect(self.hide_password)
        self.add_button.clicked.connect(self.submit_add)
        for edit in (self.username_edit, self.full_name_edit, self.password_edit, self.again_edit):
            edit.returnPressed.connect(self.submit_add)
        order = (self.table, self.unlock_button, self.toggle_button, self.reset_button, self.confirm_button, self.cancel_button,
                 self.hide_password_button, self.username_edit, self.full_name_edit, self.role_combo,
                 self.password_edit, self.again_edit, self.add_button)
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)
        self.retranslate()
        self._apply_access(None)

    # --- building ---------------------------------------------------------------------------------------------

    def _build_selected_box(self) -> None:
        box = self.selected_box = QGroupBox(self)
        box.setObjectName("staffSelectedBox")
        column = QVBoxLayout(box)
        self.selected_label = QLabel(box)
        self.selected_label.setObjectName("staffSelected")
        self.selected_label.setWordWrap(True)
        self.selected_label.setTextFormat(Qt.TextFormat.RichText)
        self.self_note = QLabel(box)
        self.self_note.setObjectName("staffSelfNote")
        self.self_note.setWordWrap(True)
        self.toggle_button = QPushButton(box)
        self.toggle_button.setObjectName("staffToggleActive")
        self.reset_button = QPushButton(box)
        self.reset_button.setObjectName("staffResetPassword")
        self.unlock_button = QPushButton(box)
        self.unlock_button.setObjectName("staffUnlockLogin")
        buttons = QHBoxLayout()  # who, then what can be done to them, on one line
        buttons.addWidget(self.selected_label, 1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.reset_button)

        self.confirm_frame = QFrame(box)
        self.confirm_frame.setObjectName("staffConfirm")
        self.confirm_frame.setFrameShape(QFrame.Shape.StyledPanel)
        confirm = QVBoxLayout(self.confirm_frame)
        self.confirm_label = QLabel(self.confirm_frame)
        self.confirm_label.setObjectName("staffConfirmText")
        self.confirm_label.setWordWrap(True)
        self.confirm_button = QPushButton(self.confirm_frame)
        self.confirm_button.setObjectName("staffConfirmYes")
        self.confirm_button.setDefault(True)
        self.cancel_button = QPushButton(self.confirm_frame)
        self.cancel_button.setObjectName("staffConfirmNo")
        confirm_row = QHBoxLayout()
        confirm_row.addWidget(self.confirm_button)
        confirm_row.addWidget(self.cancel_button)
        confirm_row.addStretch(1)
        confirm.addWidget(self.confirm_label)
        confirm.addLayout(confirm_row)

        self.action_message = MessageLabel(box, "staffActionMessage", hide_when_empty=True)

        self.password_frame = QFrame(box)
        self.password_frame.setObjectName("staffOneTime")
        self.password_frame.setFrameShape(QFrame.Shape.StyledPanel)
        issued = QVBoxLayout(self.password_frame)
        self.password_title = QLabel(self.password_frame)
        self.password_title.setWordWrap(True)
        self.password_value = QLabel(self.password_frame)
        self.password_value.setObjectName("staffOneTimePassword")
        self.password_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")  # its size is the style sheet's (#staffOneTimePassword)
        font.setStyleHint(QFont.StyleHint.Monospace)
        self.password_value.setFont(font)
        self.password_note = QLabel(self.password_frame)
        self.password_note.setObjectName("staffOneTimeNote")
        self.password_note.setWordWrap(True)
        self.hide_password_button = QPushButton(self.password_frame)
        self.hide_password_button.setObjectName("staffOneTimeHide")
        hide_row = QHBoxLayout()
        hide_row.addWidget(self.hide_password_button)
        hide_row.addStretch(1)
        for widget in (self.password_title, self.password_value, self.password_note):
            issued.addWidget(widget)
        issued.addLayout(hide_row)

        column.addLayout(buttons)
        for widget in (self.self_note, self.confirm_frame, self.action_message, self.password_frame):
            column.addWidget(widget)

    def _build_add_box(self) -> None:
        box = self.add_box = QGroupBox(self)
        box.setObjectName("staffAddBox")
        column = QVBoxLayout(box)
        self.username_edit = QLineEdit(box)
        self.username_edit.setObjectName("staffUsername")
        self.username_edit.setMaxLength(32)
        self.full_name_edit = QLineEdit(box)
        self.full_name_edit.setObjectName("staffFullName")
        self.role_combo = QComboBox(box)
        self.role_combo.setObjectName("staffRole")
        for role in STAFF_ROLES:
            self.role_combo.addItem(role_label(role), role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
        self.password_edit = QLineEdit(box)
        self.password_edit.setObjectName("staffPassword")
        self.again_edit = QLineEdit(box)
        self.again_edit.setObjectName("staffPasswordAgain")
        for edit in (self.password_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.inputs: dict[str, QWidget] = {
            "username": self.username_edit, "full_name": self.full_name_edit, "role": self.role_combo,
            "password": self.password_edit, "password_again": self.again_edit,
        }
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        self.username_help = QLabel(box)
        self.password_help = QLabel(box)
        for help_label in (self.username_help, self.password_help):
            help_label.setObjectName("fieldHelp")
            help_label.setWordWrap(True)
        helps = {"username": self.username_help, "password": self.password_help}
        # Two fields a line (label, field, label, field), each field's help and error on the line under it:
        # the form stays short, so the list above keeps its height.
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        places = {"username": (0, 0), "full_name": (0, 2), "password": (2, 0), "password_again": (2, 2),
                  "role": (4, 0)}
        for field in FORM_FIELDS:
            row, col = places[field]
            label = QLabel(box)
            label.setBuddy(self.inputs[field])
            error = QLabel(box)
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.hide()
            notes = QWidget(box)
            notes_layout = QVBoxLayout(notes)
            notes_layout.setContentsMargins(0, 0, 0, 4)
            notes_layout.setSpacing(0)
            if field in helps:
                notes_layout.addWidget(helps[field])
            notes_layout.addWidget(error)
            grid.addWidget(label, row, col)
            grid.addWidget(self.inputs[field], row, col + 1)
            grid.addWidget(notes, row + 1, col + 1)
            self.labels[field], self.errors[field] = label, error
        self.add_button = QPushButton(box)
        self.add_button.setObjectName("staffAddButton")
        self.add_button.setDefault(True)
        grid.addWidget(self.add_button, 4, 3, Qt.AlignmentFlag.AlignRight)
        self.add_message = MessageLabel(box, "staffAddMessage", hide_when_empty=True)
        column.addLayout(grid)
        column.addWidget(self.add_message)

    # --- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("Nhân sự"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Tên đăng nhập"), self.tr("Họ và tên"), self.tr("Vai trò"), self.tr("Trạng thái"),
            self.tr("Đăng nhập lần cuối"),
        ])
        self.selected_box.setTitle(self.tr("Người được chọn"))
        self.reset_button.setText(self.tr("Cấp lại mật khẩu"))
        self.unlock_button.setText(self.tr("Mở khóa đăng nhập"))
        self.cancel_button.setText(self.tr("Hủy"))
        self.hide_password_button.setText(self.tr("Đã ghi lại, ẩn mật khẩu"))
        self.add_box.setTitle(self.tr("Thêm người"))
        self.labels["username"].setText(self.tr("Tên đăng nhập"))
        self.labels["full_name"].setText(self.tr("Họ và tên"))
        self.labels["role"].setText(self.tr("Vai trò"))
        self.labels["password"].setText(self.tr("Mật khẩu"))
        self.labels["password_again"].setText(self.tr("Nhập lại mật khẩu"))
        self.username_edit.setPlaceholderText(self.tr("vd. nguyenvana"))
        self.username_help.setText(self.tr("Chữ thường không dấu, chữ số và . _ -"))
        self.full_name_edit.setPlaceholderText(self.tr("vd. Nguyễn Văn A"))
        self.password_help.setText(self.tr("Ít nhất %1 ký tự, trộn hai loại ký tự; không dùng mật khẩu phổ biến, "
                                           "tên đăng nhập hay tên trạm. Báo riêng cho người đó.").replace(
            "%1", str(MIN_PASSWORD_LENGTH)))
        self.add_button.setText(self.tr("Thêm người"))
        for i in range(self.role_combo.count()):
            self.role_combo.setItemText(i, role_label(self.role_combo.itemData(i)))
        self._render_notice()
        for row, info in enumerate(self.people):
            self._fill_row(row, info)
        self._show_selected()
        for label in (self.list_message, self.action_message, self.add_message):
            label.rerender()
        for field in FORM_FIELDS:
            self._render_field_error(field)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Opening the page shows the list as it is now, for whoever is logged in now."""
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    # --- messages that follow the language --------------------------------------------------------------------

    def _render_field_error(self, field: str) -> None:
        text_fn = self._field_errors.get(field)
        self.errors[field].setText(text_fn() if text_fn else "")
        self.errors[field].setVisible(text_fn is not None)

    def _set_field_errors(self, errors: dict[str, TextFn]) -> None:
        self._field_errors = dict(errors)
        for field in FORM_FIELDS:
            self._render_field_error(field)

    def field_error(self, field: str) -> str:
        """The sentence next to a form field ("" if none)."""
        text_fn = self._field_errors.get(field)
        return text_fn() if text_fn else ""

    def _error_text(self, exc: Exception) -> str:
        """The service's own Vietnamese sentence for a refusal; the page's words where it has none."""
        from kiosk.services.errors import (
            InvalidInput,
            NotAuthenticated,
            NotFound,
            PermissionDenied,
            SessionExpired,
        )

        if isinstance(exc, InvalidInput):
            return " ".join(message for _field, message in exc.errors)
        if isinstance(exc, PermissionDenied):
            return self.tr("Tài khoản của bạn không được quản lý nhân sự. Việc này do quản trị viên làm.")
        if isinstance(exc, NotFound):
            return self.tr("Không tìm thấy tài khoản này (có thể đã bị xoá khỏi kiosk).")
        if isinstance(exc, NotAuthenticated | SessionExpired):
            return self.tr("Phiên làm việc đã kết thúc. Hãy đăng nhập lại.")
        return self.tr("Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên.").replace("%1", type(exc).__name__)

    # --- who may do what --------------------------------------------------------------------------------------

    def _apply_access(self, principal: Any) -> None:
        if principal is None:
            self.access = None
        elif principal.can(Permission.STAFF_MANAGE):
            self.access = "manage"
        elif principal.can(Permission.STAFF_LIST):
            self.access = "read"
        else:
            self.access = "none"
        listed = self.access in ("manage", "read")
        self.table.setVisible(listed)
        self.bottom.setVisible(self.access == "manage")
        if not listed:
            self.list_message.hide()
        self._render_notice()

    def _render_notice(self) -> None:
        if self.access == "manage":
            text, state = self.tr("Thêm cán bộ, khóa hoặc mở khóa tài khoản, cấp lại mật khẩu dùng một lần. "
                                  "Mỗi thay đổi được ghi vào nhật ký của kiosk."), ""
        elif self.access == "read":
            text, state = self.tr("Bạn chỉ được xem danh sách nhân sự. Thêm người, khóa tài khoản hay cấp lại "
                                  "mật khẩu do quản trị viên làm."), "warn"
        elif self.access == "none":
            text, state = self.tr("Tài khoản của bạn không được xem danh sách nhân sự. Việc này do quản trị viên "
                                  "hoặc chỉ huy làm."), "error"
        else:
            text, state = "", ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        set_state(self.notice, state)

    # --- the list ---------------------------------------------------------------------------------------------

    def refresh(self, select: str | None = None) -> None:
        """Read the list again (as the principal logged in now may see it) and select `select` or the row
        that was selected."""
        principal = self.principal_fn()
        self._apply_access(principal)
        if self.access not in ("manage", "read"):
            self._show_people([])
            self.refreshed.emit([])
            return
        keep = select or self.selected
        self._list_seq += 1
        seq, generation = self._list_seq, self._generation
        self.list_message.say(lambda: self.tr("Đang tải danh sách…"))
        staff = self.kiosk.staff

        def listed(people) -> None:
            if not isValid(self) or (seq, generation) != (self._list_seq, self._generation):
                return  # a newer refresh (or a logout) came after this one
            self.list_message.say(None)
            self._show_people(list(people), keep)
            self.refreshed.emit(self.people)

        def failed(exc: Exception) -> None:
            if not isValid(self) or (seq, generation) != (self._list_seq, self._generation):
                return
            self._show_people([])
            self.list_message.say(lambda: self._error_text(exc), "error")
            self.refreshed.emit([])

        run_call(lambda: staff.list(principal), on_result=listed, on_error=failed)

    def _show_people(self, people: list[StaffInfo], select: str | None = None) -> None:
        self.people = people
        self.table.selectionModel().blockSignals(True)
        self.table.clearContents()
        self.table.setRowCount(len(people))
        for row, info in enumerate(people):
            self._fill_row(row, info)
        row = self.row_of(select) if select else -1
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentCell(row, 0)
        else:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        self.table.selectionModel().blockSignals(False)
        new = people[row].username if row >= 0 else None
        if new != self.selected:
            self._pending = None
        self.selected = new
        self._show_selected()

    def row_of(self, username: str | None) -> int:
        return next((i for i, p in enumerate(self.people) if p.username == username), -1)

    def status_text(self, info: StaffInfo) -> str:
        parts = [self.tr("Đang dùng") if info.active else self.tr("Đã khóa")]
        if info.active and info.locked:
            parts.append(self.tr("tạm khóa vì nhập sai mật khẩu nhiều lần"))
        if info.active and info.must_change_password:
            parts.append(self.tr("chờ đổi mật khẩu"))
        return ", ".join(parts)

    def _fill_row(self, row: int, info: StaffInfo) -> None:
        values = {
            "username": info.username,
            "full_name": info.full_name,
            "role": role_label(info.role),
            "status": self.status_text(info),
            "last_login": login_time(info.last_login_at) or self.tr("chưa đăng nhập"),
        }
        grey = QColor("#777777")
        for column, key in enumerate(COLUMNS):
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            item.setText(values[key])
            item.setData(Qt.ItemDataRole.UserRole, info.username)
            if info.active:
                item.setData(Qt.ItemDataRole.ForegroundRole, None)
            else:
                item.setForeground(grey)  # a locked account reads as out of use

    def cell(self, username: str, key: str) -> str:
        """The text of one cell of `username`'s row ("" if the row is not shown)."""
        row = self.row_of(username)
        return self.table.item(row, COLUMNS.index(key)).text() if row >= 0 else ""

    def _row_chosen(self, row: int) -> None:
        username = self.people[row].username if 0 <= row < len(self.people) else None
        if username == self.selected:
            return
        self.selected = username
        self._pending = None
        self.action_message.say(None)
        self._show_selected()

    def selected_info(self) -> StaffInfo | None:
        row = self.row_of(self.selected)
        return self.people[row] if row >= 0 else None

    def _is_own(self, info: StaffInfo | None) -> bool:
        return info is not None and self._is_own_username(info.username)

    def _is_own_username(self, username: str) -> bool:
        principal = self.principal_fn()
        return principal is not None and principal.username == username

    def _show_selected(self) -> None:
        info = self.selected_info()
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

    def own_account_text(self) -> str:
        return self.tr("Đây là tài khoản bạn đang dùng: bạn không tự khóa được. Nếu cần khóa, hãy nhờ một "
                       "quản trị viên khác.")

    # --- lock, unlock, new password ---------------------------------------------------------------------------

    def ask_toggle(self) -> None:
        """Lock (or unlock) the selected account, once confirmed; never the administrator's own."""
        info = self.selected_info()
        if info is None or self._acting:
            return
        if info.active and self._is_own(info):
            self.action_message.say(None)  # the sentence under the person already says why (self_note)
            self._show_selected()
            self.action_refused.emit(self.own_account_text())
            return
        self._ask("deactivate" if info.active else "activate", info.username)

    def ask_unlock(self) -> None:
        """End the lock that failed logins put on the selected account, once confirmed."""
        info = self.selected_info()
        if info is None or self._acting or not info.locked:
            return
        self._ask("unlock", info.username)

    def ask_reset_password(self) -> None:
        info = self.selected_info()
        if info is None or self._acting:
            return
        self._ask("reset", info.username)

    def _ask(self, action: str, username: str) -> None:
        self._pending = (action, username)
        self.action_message.say(None)
        self._render_pending()
        self.confirm_button.setFocus()

    def _render_pending(self) -> None:
        pending = self._pending
        self.confirm_frame.setVisible(pending is not None)
        if pending is None:
            return
        action, username = pending
        row = self.row_of(username)
        name = self.people[row].full_name if row >= 0 else username
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
        self.confirm_label.setText(question.replace("%1", name).replace("%2", username))
        self.confirm_button.setText(button)
        self.confirm_button.setEnabled(not self._acting)

    def cancel(self) -> None:
        self._pending = None
        self._render_pending()
        self.table.setFocus()

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
        self.action_message.say(text_fn, "error")
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
            done = lambda: self.tr("Đã khóa tài khoản %1: người này không đăng nhập được nữa, phiên đang mở của họ "  # noqa: E731
                                   "đã kết thúc.").replace("%1", username)
        self._act(username, lambda staff, principal: staff.set_active(principal, username, active), busy, done,
                  lambda: self.account_changed.emit(username, active))

    def _unlock(self, username: str) -> None:
        self._act(username, lambda staff, principal: staff.unlock(principal, username),
                  lambda: self.tr("Đang mở khóa đăng nhập…"),
                  lambda: self.tr("Đã mở khóa đăng nhập cho %1: người này đăng nhập được ngay.").replace("%1", username),
                  lambda: self.account_changed.emit(username, True))

    def _act(self, username: str, call: Callable[[Any, Any], None], busy: TextFn, done_text: TextFn,
             after: Callable[[], None]) -> None:
        """Run one change to `username`'s account off the GUI thread, then say so and show the list again."""
        principal = self.principal_fn()
        generation = self._generation
        staff = self.kiosk.staff
        self._set_busy(True)
        self.action_message.say(busy)

        def done(_none) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            self.action_message.say(done_text, "ok")
            after()
            self.refresh(select=username)

        def failed(exc: Exception) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            self._refuse(lambda: self._error_text(exc))
            self.refresh(select=username)

        run_call(lambda: call(staff, principal), on_result=done, on_error=failed)

    def _reset_password(self, username: str) -> None:
        principal = self.principal_fn()
        generation = self._generation
        staff = self.kiosk.staff
        self.hide_password()  # one one-time password on screen at a time
        self._set_busy(True)
        self.action_message.say(lambda: self.tr("Đang tạo mật khẩu mới…"))

        def issued(password: str) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            self.action_message.say(None)
            self._issued = (username, password)
            self._render_issued()
            self.hide_password_button.setFocus()
            self.password_issued.emit(username)
            self.refresh(select=username)

        def failed(exc: Exception) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._set_busy(False)
            self._refuse(lambda: self._error_text(exc))

        run_call(lambda: staff.reset_password(principal, username), on_result=issued, on_error=failed)

    def _render_issued(self) -> None:
        issued = self._issued
        self.password_frame.setVisible(issued is not None)
        if issued is None:
            self.password_value.clear()
            return
        username, password = issued
        row = self.row_of(username)
        name = self.people[row].full_name if row >= 0 else username
        self.password_title.setText(self.tr("Mật khẩu dùng một lần mới của %1 (%2):").replace(
            "%1", name).replace("%2", username))
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

    # --- adding a person --------------------------------------------------------------------------------------

    def submit_add(self) -> None:
        """Ask the service to add the person in the form; its refusal is shown next to the fields."""
        if self._adding or self.access != "manage":
            return
        username = self.username_edit.text()
        full_name = self.full_name_edit.text()
        role = self.role_combo.currentData()
        password, again = self.password_edit.text(), self.again_edit.text()
        self.add_message.say(None)
        if password != again:
            def mismatch() -> str:
                return self.tr("Hai lần nhập mật khẩu không khớp.")

            self._set_field_errors({"password_again": mismatch})
            self.again_edit.setFocus()
            self.add_refused.emit([("password_again", mismatch())])
            return
        self._set_field_errors({})
        principal = self.principal_fn()
        generation = self._generation
        staff = self.kiosk.staff
        self._adding = True
        self.add_button.setEnabled(False)
        self.hide_password()
        self.add_message.say(lambda: self.tr("Đang thêm…"))

        def added(info: StaffInfo) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._adding = False
            self.add_button.setEnabled(True)
            self._clear_form()
            self.add_message.say(lambda: self.tr("Đã thêm %1 (%2), vai trò %3. Người này đăng nhập được ngay bằng mật khẩu "
                                          "vừa đặt.").replace("%1", info.full_name).replace(
                "%2", info.username).replace("%3", role_label(info.role)), "ok")
            self.username_edit.setFocus()
            self.staff_added.emit(info)
            self.refresh(select=info.username)

        def refused(exc: Exception) -> None:
            from kiosk.services.errors import InvalidInput

            if not isValid(self) or generation != self._generation:
                return
            self._adding = False
            self.add_button.setEnabled(True)
            if isinstance(exc, InvalidInput):
                errors: dict[str, list[str]] = {}
                for field, message in exc.errors:
                    errors.setdefault(field if field in self.inputs else "", []).append(message)
                # The service's sentences are Vietnamese whatever the window's language (as on every page).
                self._set_field_errors({f: _fixed(" ".join(ms)) for f, ms in errors.items() if f})
                if "" in errors:
                    self.add_message.say(_fixed(" ".join(errors[""])), "error")
                first = next((f for f in FORM_FIELDS if f in errors), None)
                if first:
                    self.inputs[first].setFocus()
                self.add_refused.emit(list(exc.errors))
            else:
                self.add_message.say(lambda: self._error_text(exc), "error")
                self.add_refused.emit([("", self._error_text(exc))])

        run_call(lambda: staff.add(principal, username, full_name, role, password), on_result=added, on_error=refused)

    def _clear_form(self) -> None:
        for edit in (self.username_edit, self.full_name_edit, self.password_edit, self.again_edit):
            edit.clear()
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
        self._set_field_errors({})

    # --- logout -----------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Nothing stays on screen (logout): the list, the selection, the form, a one-time password, messages."""
        self._generation += 1
        self._acting = self._adding = False
        self.add_button.setEnabled(True)
        self._pending = None
        self._issued = None
        self._clear_form()
        self.list_message.say(None)
        self.action_message.say(None)
        self.add_message.say(None)
        self._show_people([])
        self._apply_access(None)


def _fixed(text: str) -> TextFn:
    return lambda: text


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
