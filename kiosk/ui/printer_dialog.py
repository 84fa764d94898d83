"""Chọn máy in: a PDF folder, a printer of the operating system (QPrinter), or an ESC/POS thermal printer.

The dialog only gathers the choice. `PrintService.choose_printer` checks the permission, the administrator's
lock (the machine-wide settings file) and the target, remembers it in the user settings and switches the
running kiosk to it; the dialog shows the printer in use and each refusal in plain words.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from kiosk.devices.qt_printer import default_printer, system_printers
from kiosk.domain.roles import Permission, Principal
from kiosk.services.explain import Explanation, explain
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.worker import run_call

KINDS = ("pdf", "system", "escpos")
LOCK_KEYS = frozenset({"printer_kind", "printer_target"})


class PrinterDialog(QDialog):
    """The printer in use, a choice of kind with its target, and "Lưu"."""

    chosen = Signal(str, str)  # kind, target: saved by the service, the kiosk prints there from now on

    def __init__(self, kiosk: Any, principal: Principal | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printerDialog")
        self.setMinimumWidth(640)
        self.kiosk = kiosk
        self.principal = principal
        self.locked = bool(LOCK_KEYS & set(kiosk.loaded.locked))
        self.allowed = principal is not None and principal.can(Permission.PRINTER_CHOOSE)
        self.from_environment = any(kiosk.loaded.sources.get(k) in ("environment", "command line") for k in LOCK_KEYS)
        self._refusal: Explanation | None = None  # kept to say it again in another language

        self._build()
        self._fill_current()
        self.kind_group.idToggled.connect(lambda _id, on: on and self._kind_changed())
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        editable = self.allowed and not self.locked
        for widget in (*self.kind_buttons.values(), self.folder, self.browse, self.printer_list, self.escpos_target):
            widget.setEnabled(editable)
        self._kind_changed()
        self.retranslate()

    def _build(self) -> None:
        """The dialog from top to bottom: what prints now, the kinds, the chosen kind's fields, the buttons."""
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # grows with a long refusal, never squeezes
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.current = QLabel(self)
        self.current.setObjectName("currentPrinter")
        self.current.setWordWrap(True)
        self.current.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel(self)
        self.notice.setObjectName("printerNotice")
        self.notice.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.current)
        layout.addWidget(self.notice)

        self.kind_label = QLabel(self)
        layout.addWidget(self.kind_label)
        self.kind_group = QButtonGroup(self)
        self.kind_buttons: dict[str, QRadioButton] = {}
        for i, kind in enumerate(KINDS):
            button = QRadioButton(self)
            button.setObjectName(f"kind_{kind}")
            self.kind_group.addButton(button, i)
            self.kind_buttons[kind] = button
            layout.addWidget(button)

        # One block of fields per kind, only the chosen one shown (plain widgets in the box layout, not a
        # QStackedWidget: the box layout gives wrapped help texts their height, a stack squeezes them).
        self.pages: dict[str, QWidget] = {}
        self._build_pdf_page()
        self._build_system_page()
        self._build_escpos_page()
        for page in self.pages.values():
            layout.addWidget(page)

        self.message = QLabel(self)
        self.message.setObjectName("printerMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.save_button = QPushButton(self)
        self.save_button.setObjectName("savePrinter")
        self.save_button.setDefault(True)
        self.close_button = QPushButton(self)
        self.close_button.setObjectName("closePrinter")
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)

    def _page(self, kind: str) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget(self)
        page.setObjectName(f"page_{kind}")
        box = QVBoxLayout(page)
        box.setContentsMargins(24, 4, 0, 4)
        self.pages[kind] = page
        return page, box

    def _build_pdf_page(self) -> None:
        page, box = self._page("pdf")
        self.folder_label = QLabel(page)
        row = QHBoxLayout()
        self.folder = QLineEdit(page)
        self.folder.setObjectName("pdfFolder")
        self.folder_label.setBuddy(self.folder)
        self.browse = QPushButton(page)
        self.browse.setObjectName("browseFolder")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._pick_folder)
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        self.folder_help = QLabel(page)
        self.folder_help.setObjectName("fieldHelp")
        self.folder_help.setWordWrap(True)
        box.addWidget(self.folder_label)
        box.addLayout(row)
        box.addWidget(self.folder_help)

    def _build_system_page(self) -> None:
        page, box = self._page("system")
        self.system_label = QLabel(page)
        self.system_label.setWordWrap(True)
        self.printer_list = QListWidget(page)
        self.printer_list.setObjectName("systemPrinters")
        self.system_label.setBuddy(self.printer_list)
        self.system_default = default_printer()
        for name in system_printers():
            item = QListWidgetItem(name, self.printer_list)
            item.setData(Qt.ItemDataRole.UserRole, name)
        self.printer_list.setVisible(self.printer_list.count() > 0)
        self.printer_list.itemSelectionChanged.connect(self._update_save)
        box.addWidget(self.system_label)
        box.addWidget(self.printer_list)

    def _build_escpos_page(self) -> None:
        page, box = self._page("escpos")
        self.escpos_label = QLabel(page)
        self.escpos_target = QLineEdit(page)
        self.escpos_target.setObjectName("escposTarget")
        self.escpos_target.setPlaceholderText("tcp://192.168.1.50:9100")
        self.escpos_label.setBuddy(self.escpos_target)
        self.escpos_help = QLabel(page)
        self.escpos_help.setObjectName("fieldHelp")
        self.escpos_help.setWordWrap(True)
        self.escpos_help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.escpos_label)
        box.addWidget(self.escpos_target)
        box.addWidget(self.escpos_help)

    def _fill_current(self) -> None:
        """The fields start at the printer the kiosk prints to now."""
        printing = self.kiosk.printing
        kind, target = printing.kind, printing.target
        self.kind_buttons.get(kind, self.kind_buttons["pdf"]).setChecked(True)
        self.folder.setText(target if kind == "pdf" and target else str(printing.pdf_folder))
        if kind == "escpos":
            self.escpos_target.setText(target)
        if kind == "system":
            for i in range(self.printer_list.count()):
                item = self.printer_list.item(i)
                if item.data(Qt.ItemDataRole.UserRole) == (target or self.system_default):
                    item.setSelected(True)
                    self.printer_list.setCurrentItem(item)

    def kind(self) -> str:
        return KINDS[max(self.kind_group.checkedId(), 0)]

    def target(self) -> str:
        kind = self.kind()
        if kind == "pdf":
            folder = self.folder.text().strip()
            return "" if folder == str(self.kiosk.printing.pdf_folder) else folder  # "": the kiosk's own folder
        if kind == "system":
            items = self.printer_list.selectedItems()
            return items[0].data(Qt.ItemDataRole.UserRole) if items else ""
        return self.escpos_target.text().strip()

    def _kind_changed(self) -> None:
        for kind, page in self.pages.items():
            page.setVisible(kind == self.kind())
        if self._refusal is not None:  # it was about the other kind's target
            self._refusal = None
            self.message.clear()
        self._update_save()
        QTimer.singleShot(0, self._fit)

    def _update_save(self) -> None:
        no_printer = self.kind() == "system" and not self.printer_list.selectedItems()
        self.save_button.setEnabled(self.allowed and not self.locked and not no_printer)

    def _pick_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Chọn thư mục lưu phiếu PDF"), self.folder.text())
        if folder:
            self.folder.setText(folder)

    def save(self) -> None:
        """Ask the service to use the printer on screen; its refusal is shown, its success closes the dialog."""
        kind, target = self.kind(), self.target()
        self._refusal = None
        self.save_button.setEnabled(False)
        self.message.setText(self.tr("Đang lưu…"))
        set_state(self.message, "")
        printing, principal, loaded = self.kiosk.printing, self.principal, self.kiosk.loaded
        # The answer may come after the dialog was closed and replaced (deleted): then nobody is waiting for it.
        run_call(lambda: printing.choose_printer(principal, loaded, kind, target),
                 on_result=lambda _none: isValid(self) and self._saved(),
                 on_error=lambda exc: isValid(self) and self._refused(exc))

    def _saved(self) -> None:
        printing = self.kiosk.printing
        self.message.clear()
        self._update_save()
        self.chosen.emit(printing.kind, printing.target)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._refusal = explain(exc)
        self._update_save()
        self.retranslate()

    def describe(self, kind: str, target: str) -> str:
        """The printer as staff know it: the kind in words and where it prints."""
        if kind == "pdf":
            return self.tr("Thư mục PDF: %1").replace("%1", target or str(self.kiosk.printing.pdf_folder))
        if kind == "system":
            return self.tr("Máy in của hệ điều hành: %1").replace("%1", target or self.tr("máy in mặc định"))
        return self.tr("Máy in nhiệt ESC/POS: %1").replace("%1", target)

    def _refusal_text(self) -> str:
        if self._refusal is None:
            return ""
        said = self._refusal
        if said.issues:
            return said.text(current_language(), sep="\n")
        if said.code == "printer_locked":  # this dialog names the machine file that locks it
            return self.lock_text()
        if said.code in ("permission_denied", "not_authenticated"):
            return self.tr("Tài khoản của bạn không được phép chọn máy in. Hãy nhờ chỉ huy hoặc quản trị viên.")
        return self.tr("Không lưu được lựa chọn máy in: %1").replace("%1", said.text(current_language()))

    def lock_text(self) -> str:
        return self.tr("Quản trị viên đã khóa lựa chọn máy in trên máy này (tệp %1). Kiosk vẫn in ra máy in "
                       "đang dùng; muốn đổi, hãy báo quản trị viên.").replace("%1", str(self.kiosk.loaded.machine_file))

    def _fit(self) -> None:
        """Grow to fit wrapped texts: a window's minimum height ignores height-for-width, so a long refusal
        would otherwise squeeze the fields above it."""
        self.layout().activate()
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Chọn máy in"))
        self.title.setText(self.tr("Chọn máy in"))
        printing = self.kiosk.printing
        self.current.setText(self.tr("Đang in ra: %1").replace("%1", self.describe(printing.kind, printing.target)))
        if self.locked:
            notice, state = self.lock_text(), "error"
        elif not self.allowed:
            notice, state = self.tr("Tài khoản của bạn không được phép chọn máy in. Hãy nhờ chỉ huy hoặc "
                                    "quản trị viên."), "error"
        elif self.from_environment:
            notice, state = self.tr("Lưu ý: biến môi trường KIOSK_PRINTER_KIND/KIOSK_PRINTER_TARGET đang đặt máy in. "
                                    "Lựa chọn ở đây dùng ngay, nhưng lần khởi động sau kiosk lại theo biến môi "
                                    "trường."), "warn"
        else:
            notice, state = "", ""
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        set_state(self.notice, state)
        self.kind_label.setText(self.tr("Loại máy in:"))
        self.kind_buttons["pdf"].setText(self.tr("Thư mục PDF: lưu mỗi phiếu thành một tệp PDF"))
        self.kind_buttons["system"].setText(self.tr("Máy in của hệ điều hành (máy in văn phòng, khổ A4/A5)"))
        self.kind_buttons["escpos"].setText(self.tr("Máy in nhiệt ESC/POS (cuộn giấy 80 mm) qua USB, cổng nối tiếp "
                                                    "hoặc mạng"))
        self.folder_label.setText(self.tr("Thư mục lưu phiếu:"))
        self.browse.setText(self.tr("Chọn thư mục…"))
        self.folder_help.setText(self.tr("Thư mục chưa có sẽ được tạo khi in phiếu đầu tiên."))
        set_state(self.system_label, "" if self.printer_list.count() else "warn")
        if self.printer_list.count():
            self.system_label.setText(self.tr("Chọn một máy in đã cài trên máy tính này:"))
            for i in range(self.printer_list.count()):
                item = self.printer_list.item(i)
                name = item.data(Qt.ItemDataRole.UserRole)
                item.setText(self.tr("%1 (mặc định)").replace("%1", name) if name == self.system_default else name)
        else:
            self.system_label.setText(self.tr("Máy tính này chưa cài máy in nào. Hãy cài máy in trong hệ điều hành "
                                              "(hoặc nhờ quản trị viên), rồi mở lại hộp thoại này."))
        self.escpos_label.setText(self.tr("Địa chỉ máy in:"))
        self.escpos_help.setText(self.tr(
            "Máy in mạng: tcp://192.168.1.50:9100\n"
            "Máy in USB: usb://04b8:0e15 (mã hãng:mã máy, hệ 16)\n"
            "Cổng nối tiếp: serial:///dev/ttyUSB0?baudrate=19200"))
        self.save_button.setText(self.tr("Lưu"))
        self.close_button.setText(self.tr("Đóng"))
        if self._refusal is not None:
            self.message.setText(self._refusal_text())
            set_state(self.message, "error")
        QTimer.singleShot(0, self._fit)  # once the new texts are laid out

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
