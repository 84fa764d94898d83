"""The login page (đăng nhập) and the forced password change after a one-time password."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class LanguageBox(QComboBox):
    """Tiếng Việt / English, switchable live."""

    language_chosen = Signal(str)

    def __init__(self, current: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("languageBox")
        self.addItem("Tiếng Việt", "vi")
        self.addItem("English", "en")
        self.setCurrentIndex(0 if current == "vi" else 1)
        self.currentIndexChanged.connect(lambda i: self.language_chosen.emit(self.itemData(i)))


class LoginPage(QWidget):
    """Username and password; the button stays disabled until the database is open."""

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginPage")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setMaximumWidth(460)
        box = QVBoxLayout(card)
        self.title = QLabel(card)
        self.title.setObjectName("loginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle = QLabel(card)
        self.subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.subtitle.setWordWrap(True)
        form = QFormLayout()
        self.username = QLineEdit(card)
        self.username.setObjectName("username")
        self.password = QLineEdit(card)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.username_label = QLabel(card)
        self.password_label = QLabel(card)
        self.username_label.setBuddy(self.username)
        self.password_label.setBuddy(self.password)
        form.addRow(self.username_label, self.username)
        form.addRow(self.password_label, self.password)
        self.message = QLabel(card)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.button = QPushButton(card)
        self.button.setObjectName("loginButton")
        self.button.setDefault(True)
        self.hint = QLabel(card)
        self.hint.setObjectName("demoHint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        box.addWidget(self.title)
        box.addWidget(self.subtitle)
        box.addLayout(form)
        box.addWidget(self.message)
        box.addWidget(self.button)
        box.addWidget(self.hint)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self._ready = False
        self.set_ready(False)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Đăng nhập"))
        self.subtitle.setText(self.tr("Kiosk tiếp nhận hồ sơ — Công an phường"))
        self.username_label.setText(self.tr("&Tên đăng nhập"))
        self.password_label.setText(self.tr("&Mật khẩu"))
        self.button.setText(self.tr("Đăng nhập") if self._ready else self.tr("Đang mở dữ liệu…"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_ready(self, ready: bool) -> None:
        self._ready = ready
        for widget in (self.username, self.password, self.button):
            widget.setEnabled(ready)
        self.retranslate()
        if ready:
            self.username.setFocus()

    def set_busy(self, busy: bool) -> None:
        self.button.setEnabled(not busy)
        self.button.setText(self.tr("Đang kiểm tra…") if busy else self.tr("Đăng nhập"))

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def show_demo_hint(self, text: str) -> None:
        self.hint.setText(text)
        self.hint.show()

    def clear(self) -> None:
        self.password.clear()
        self.message.clear()

    def _submit(self) -> None:
        if not self._ready or not self.button.isEnabled():
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.show_message(self.tr("Hãy nhập tên đăng nhập và mật khẩu."))
            return
        self.submitted.emit(username, password)


class ChangePasswordPage(QWidget):
    """Shown after a login with a one-time password: the new password is typed twice."""

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.title = QLabel(self)
        self.title.setObjectName("loginTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        form = QFormLayout()
        self.old = QLineEdit(self)
        self.new = QLineEdit(self)
        self.again = QLineEdit(self)
        for edit in (self.old, self.new, self.again):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setMaximumWidth(320)
        self.old.setObjectName("oldPassword")
        self.new.setObjectName("newPassword")
        self.again.setObjectName("newPasswordAgain")
        self.old_label, self.new_label, self.again_label = QLabel(self), QLabel(self), QLabel(self)
        form.addRow(self.old_label, self.old)
        form.addRow(self.new_label, self.new)
        form.addRow(self.again_label, self.again)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.button = QPushButton(self)
        self.button.setObjectName("changePasswordButton")
        self.button.setDefault(True)
        outer.addWidget(self.title)
        outer.addLayout(form)
        outer.addWidget(self.message)
        outer.addWidget(self.button, alignment=Qt.AlignmentFlag.AlignCenter)
        outer.addStretch(2)
        self.button.clicked.connect(self._submit)
        self.again.returnPressed.connect(self._submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Đổi mật khẩu dùng một lần"))
        self.old_label.setText(self.tr("Mật khẩu hiện tại"))
        self.new_label.setText(self.tr("Mật khẩu mới"))
        self.again_label.setText(self.tr("Nhập lại mật khẩu mới"))
        self.button.setText(self.tr("Đổi mật khẩu"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reset(self) -> None:
        for edit in (self.old, self.new, self.again):
            edit.clear()
        self.message.clear()
        self.old.setFocus()

    def _submit(self) -> None:
        if self.new.text() != self.again.text():
            self.message.setText(self.tr("Hai lần nhập mật khẩu mới không khớp."))
            return
        self.submitted.emit(self.old.text(), self.new.text())
