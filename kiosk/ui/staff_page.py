"""The administrator's staff page (Nhân sự): who may log in to this kiosk and in which role.

The list comes from `StaffService.list` (STAFF_LIST: an administrator or a supervisor); adding a person
(`StaffAddForm`), locking or unlocking an account and giving a new one-time password (`StaffActions`) need
STAFF_MANAGE (an administrator). The page offers only what the principal may do, and the service checks the
same again. Every call runs off the GUI thread (argon2 hashing takes ~100 ms); an answer that arrives after
`reset()` (logout) is dropped.

A new account gets the password the administrator typed twice: `StaffService.add` does not mark it
one-time. "Cấp lại mật khẩu" gives a one-time password (`reset_password`), shown once on this page; the
person must change it at their next login. An administrator cannot lock the account they are using.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget
from shiboken6 import isValid

from kiosk.domain.receipt import station_time
from kiosk.domain.roles import Permission
from kiosk.services.explain import explain
from kiosk.services.staff import StaffInfo
from kiosk.ui.i18n import current_language
from kiosk.ui.labels import page_heading
from kiosk.ui.messages import MessageLabel, set_state
from kiosk.ui.role_labels import role_label
from kiosk.ui.staff_actions import StaffActions
from kiosk.ui.staff_form import StaffAddForm
from kiosk.ui.tables import fill_row, record_table
from kiosk.ui.worker import run_call

COLUMNS = ("username", "full_name", "role", "status", "last_login")


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

        layout = QVBoxLayout(self)
        self.title, self.notice = page_heading(self, layout, "staffAccess")
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
        self.actions = StaffActions(kiosk, principal_fn, self.full_name_of, self._error_text, self.bottom)
        self.add_form = StaffAddForm(kiosk, principal_fn, self._error_text, self.bottom)
        bottom.addWidget(self.actions)
        bottom.addWidget(self.add_form)
        layout.addWidget(self.bottom)
        self._connect()
        self.retranslate()
        self._apply_access(None)

    def _connect(self) -> None:
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._row_chosen(current.row()))
        self.actions.account_changed.connect(self.account_changed)
        self.actions.password_issued.connect(self.password_issued)
        self.actions.action_refused.connect(self.action_refused)
        self.actions.done.connect(lambda username: self.refresh(select=username))
        self.actions.cancelled.connect(self.table.setFocus)
        self.add_form.started.connect(self.actions.hide_password)
        self.add_form.staff_added.connect(self._added)
        self.add_form.add_refused.connect(self.add_refused)
        form = self.add_form
        order = (self.table, *self.actions.tab_order(), form.username_edit, form.full_name_edit, form.role_combo,
                 form.password_edit, form.again_edit, form.add_button)
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Nhân sự"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Tên đăng nhập"), self.tr("Họ và tên"), self.tr("Vai trò"), self.tr("Trạng thái"),
            self.tr("Đăng nhập lần cuối"),
        ])
        self._render_notice()
        for row, info in enumerate(self.people):
            self._fill_row(row, info)
        self.list_message.rerender()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        """Opening the page shows the list as it is now, for whoever is logged in now."""
        super().showEvent(event)
        if not event.spontaneous():
            self.refresh()

    def _error_text(self, exc: Exception) -> str:
        """What went wrong, in the window's language (kiosk.services.explain); the page's own words where
        explain() can only be general: the right to manage staff, the account, the session."""
        said = explain(exc)
        own = {
            "permission_denied": lambda: self.tr("Tài khoản của bạn không được quản lý nhân sự. Việc này do quản trị "
                                                 "viên làm."),
            "not_found": lambda: self.tr("Không tìm thấy tài khoản này (có thể đã bị xoá khỏi kiosk)."),
            "not_authenticated": self._session_ended_text,
            "session_expired": self._session_ended_text,
        }.get(said.code)
        if own is not None:
            return own()
        return said.text(current_language(), self.tr("Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên."))

    def _session_ended_text(self) -> str:
        return self.tr("Phiên làm việc đã kết thúc. Hãy đăng nhập lại.")

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
        self.add_form.allowed = self.access == "manage"
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
            self.actions.forget_pending()
        self.selected = new
        self.actions.show_person(self.selected_info())

    def row_of(self, username: str | None) -> int:
        return next((i for i, p in enumerate(self.people) if p.username == username), -1)

    def _fill_row(self, row: int, info: StaffInfo) -> None:
        values = {
            "username": info.username,
            "full_name": info.full_name,
            "role": role_label(info.role),
            "status": self.actions.status_text(info),
            "last_login": login_time(info.last_login_at) or self.tr("chưa đăng nhập"),
        }
        grey = QColor("#777777")
        for _key, item in fill_row(self.table, row, COLUMNS, values, info.username):
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
        self.actions.forget_pending()
        self.actions.message.say(None)
        self.actions.show_person(self.selected_info())

    def selected_info(self) -> StaffInfo | None:
        row = self.row_of(self.selected)
        return self.people[row] if row >= 0 else None

    def full_name_of(self, username: str) -> str:
        """The person's name as listed now (the username if they are not listed)."""
        row = self.row_of(username)
        return self.people[row].full_name if row >= 0 else username

    def submit_add(self) -> None:
        """Add the person in the form (an administrator only; see StaffAddForm)."""
        self.add_form.submit()

    def _added(self, info: StaffInfo) -> None:
        self.staff_added.emit(info)
        self.refresh(select=info.username)

    def reset(self) -> None:
        """Nothing stays on screen (logout): the list, the selection, the form, a one-time password, messages."""
        self._generation += 1
        self.actions.reset()
        self.add_form.reset()
        self.list_message.say(None)
        self._show_people([])
        self._apply_access(None)
