"""The administrator's form to add a person (Thêm người): username, full name, role, the password typed twice.

`StaffService.add` checks everything again and refuses with the field at fault; the refusal is shown next
to that field. The new account keeps the password typed here (it is not a one-time password).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kiosk.domain.issue import Issue
from kiosk.domain.roles import STAFF_ROLES, Role
from kiosk.services.explain import Explanation, explain
from kiosk.services.staff import MIN_PASSWORD_LENGTH, StaffInfo
from kiosk.ui.i18n import current_language
from kiosk.ui.labels import wrapped_label
from kiosk.ui.messages import MessageLabel, TextFn
from kiosk.ui.role_labels import role_label
from kiosk.ui.worker import run_call

FORM_FIELDS = ("username", "full_name", "role", "password", "password_again")

# Two fields a line (label, field, label, field), each field's help and error on the line under it: the
# form stays short, so the list above it keeps its height.
PLACES = {"username": (0, 0), "full_name": (0, 2), "password": (2, 0), "password_again": (2, 2), "role": (4, 0)}


class StaffAddForm(QGroupBox):
    """The form; `submit()` adds the person through the service while `allowed` (an administrator)."""

    started = Signal()  # a person is being added (the page hides a one-time password on screen)
    staff_added = Signal(object)  # the new person's StaffInfo
    add_refused = Signal(object)  # [(field, message)]: the form's errors

    def __init__(self, kiosk, principal_fn: Callable[[], Any], error_text: Callable[[Exception], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("staffAddBox")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.error_text = error_text  # the page's sentence for a refusal that names no field
        self.allowed = False  # set by the page: only an administrator adds people
        self._generation = 0  # bumped by reset(): answers of an earlier generation are dropped
        self._adding = False
        self._field_errors: dict[str, TextFn] = {}
        self._build_fields()
        grid = self._build_grid()
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("staffAddButton")
        self.add_button.setDefault(True)
        grid.addWidget(self.add_button, 4, 3, Qt.AlignmentFlag.AlignRight)
        self.message = MessageLabel(self, "staffAddMessage", hide_when_empty=True)
        column = QVBoxLayout(self)
        column.addLayout(grid)
        column.addWidget(self.message)
        self.add_button.clicked.connect(self.submit)
        for edit in (self.username_edit, self.full_name_edit, self.password_edit, self.again_edit):
            edit.returnPressed.connect(self.submit)
        self.retranslate()

    def _build_fields(self) -> None:
        self.username_edit = QLineEdit(self)
        self.username_edit.setObjectName("staffUsername")
        self.username_edit.setMaxLength(32)
        self.full_name_edit = QLineEdit(self)
        self.full_name_edit.setObjectName("staffFullName")
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("staffRole")
        for role in STAFF_ROLES:
            self.role_combo.addItem(role_label(role), role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("staffPassword")
        self.again_edit = QLineEdit(self)
        self.again_edit.setObjectName("staffPasswordAgain")
        for edit in (self.password_edit, self.again_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.inputs: dict[str, QWidget] = {
            "username": self.username_edit, "full_name": self.full_name_edit, "role": self.role_combo,
            "password": self.password_edit, "password_again": self.again_edit,
        }
        self.username_help = wrapped_label(self, "fieldHelp")
        self.password_help = wrapped_label(self, "fieldHelp")

    def _build_grid(self) -> QGridLayout:
        self.labels: dict[str, QLabel] = {}
        self.errors: dict[str, QLabel] = {}
        helps = {"username": self.username_help, "password": self.password_help}
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        for field in FORM_FIELDS:
            row, col = PLACES[field]
            label = QLabel(self)
            label.setBuddy(self.inputs[field])
            error = wrapped_label(self, "fieldError")
            error.hide()
            notes = QWidget(self)
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
        return grid

    def retranslate(self) -> None:
        self.setTitle(self.tr("Thêm người"))
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
        self.message.rerender()
        for field in FORM_FIELDS:
            self._render_field_error(field)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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

    def submit(self) -> None:
        """Ask the service to add the person in the form; its refusal is shown next to the fields."""
        if self._adding or not self.allowed:
            return
        username = self.username_edit.text()
        full_name = self.full_name_edit.text()
        role = self.role_combo.currentData()
        password, again = self.password_edit.text(), self.again_edit.text()
        self.message.say(None)
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
        self.started.emit()
        self.message.say(lambda: self.tr("Đang thêm…"))

        def answered(exc: Exception | None, info: StaffInfo | None = None) -> None:
            if not isValid(self) or generation != self._generation:
                return
            self._adding = False
            self.add_button.setEnabled(True)
            if exc is None:
                self._added(info)
            else:
                self._refused(exc)

        run_call(lambda: staff.add(principal, username, full_name, role, password),
                 on_result=lambda info: answered(None, info), on_error=answered)

    def _added(self, info: StaffInfo) -> None:
        self.clear()
        self.message.say(lambda: self.tr("Đã thêm %1 (%2), vai trò %3. Người này đăng nhập được ngay bằng mật khẩu "
                                         "vừa đặt.").replace("%1", info.full_name).replace(
            "%2", info.username).replace("%3", role_label(info.role)), "ok")
        self.username_edit.setFocus()
        self.staff_added.emit(info)

    def _refused(self, exc: Exception) -> None:
        said = explain(exc)
        if not said.issues:
            self.message.say(lambda: self.error_text(exc), "error")
            self.add_refused.emit([("", self.error_text(exc))])
            return
        by_field: dict[str, list[Issue]] = {}
        for refusal in said.issues:
            by_field.setdefault(refusal.field if refusal.field in self.inputs else "", []).append(refusal)
        self._set_field_errors({f: _in_language(found) for f, found in by_field.items() if f})
        if "" in by_field:
            self.message.say(_in_language(by_field[""]), "error")
        first = next((f for f in FORM_FIELDS if f in by_field), None)
        if first:
            self.inputs[first].setFocus()
        self.add_refused.emit([(i.field, i.message_vi) for i in said.issues])

    def clear(self) -> None:
        """An empty form, at the least power (officer), without errors."""
        for edit in (self.username_edit, self.full_name_edit, self.password_edit, self.again_edit):
            edit.clear()
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
        self._set_field_errors({})

    def reset(self) -> None:
        """Nothing typed stays (logout); an answer still on its way is dropped."""
        self._generation += 1
        self._adding = False
        self.add_button.setEnabled(True)
        self.clear()
        self.message.say(None)


def _in_language(refusals: list[Issue]) -> TextFn:
    """The service's refusals of one field, in the window's language at each asking."""
    said = Explanation("", "", issues=tuple(refusals))
    return lambda: said.text(current_language())
