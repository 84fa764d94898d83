"""The card page (đọc thẻ căn cước): one screen per reader state, key entry, progress, the verdict.

The PC/SC monitor reports on the device thread; `ReaderWatcher` turns its callbacks into Qt
signals. A read runs as a background job; the window never waits for the card.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain import chip_verdict
from kiosk.services.cards import CARD_ERROR_MESSAGES, error_kind, overall_verdict, verdict_reasons
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.worker import run_job

if TYPE_CHECKING:
    from kiosk.devices.icao.document import ChipReadResult

STEP_WEIGHTS = {"BAC": 2, "EF.COM": 1, "EF.SOD": 4, "DG1": 1, "DG2": 60, "DG13": 6, "DG14": 2, "DG15": 2, "PA": 5, "CA": 8, "AA": 9}


def _tr(text: str) -> str:
    return QCoreApplication.translate("CardError", text)


class ReaderWatcher(QObject):
    """Qt face of the PC/SC monitor: service, readers and card presence as signals."""

    service_changed = Signal(bool)
    readers_changed = Signal()
    card_inserted = Signal(str)
    card_removed = Signal(str)

    def __init__(self, device, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from kiosk.devices.pcsc import MonitorCallbacks, PcscMonitor

        self.service_up: bool | None = None
        self.readers: set[str] = set()
        self.cards: set[str] = set()
        callbacks = MonitorCallbacks(
            on_service=self._on_service,
            on_reader_added=self._on_reader_added,
            on_reader_removed=self._on_reader_removed,
            on_card_inserted=lambda reader, atr: self.card_inserted.emit(reader),
            on_card_removed=self.card_removed.emit,
        )
        self.monitor = PcscMonitor(device, callbacks)
        self.card_inserted.connect(self.cards.add)
        self.card_removed.connect(self.cards.discard)

    def _on_service(self, up: bool) -> None:
        self.service_up = up
        self.service_changed.emit(up)

    def _on_reader_added(self, reader: str) -> None:
        self.readers.add(reader)
        self.readers_changed.emit()

    def _on_reader_removed(self, reader: str) -> None:
        self.readers.discard(reader)
        self.readers_changed.emit()

    def start(self) -> None:
        self.monitor.start()

    def replay(self, page: CardPage) -> None:
        """Bring a page created later up to the current state."""
        if self.service_up is False:
            page.on_service(False)
        elif not self.readers:
            page.on_readers(set())
        for reader in sorted(self.cards):
            page.on_card_inserted(reader)

    def stop(self) -> None:
        self.monitor.stop()


class KeyForm(QTabWidget):
    """The access key: ID number and dates typed, or the MRZ typed or scanned."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keyForm")
        numbers = QWidget(self)
        form = QFormLayout(numbers)
        self.id_number = QLineEdit(numbers)
        self.id_number.setObjectName("keyIdNumber")
        self.id_number.setMaxLength(12)
        self.id_number.setInputMask("")
        self.birth = QLineEdit(numbers)
        self.birth.setObjectName("keyBirth")
        self.birth.setPlaceholderText("dd/mm/yyyy")
        self.expiry = QLineEdit(numbers)
        self.expiry.setObjectName("keyExpiry")
        self.expiry.setPlaceholderText("dd/mm/yyyy")
        self.no_expiry = QCheckBox(numbers)
        self.no_expiry.setObjectName("keyNoExpiry")
        self.no_expiry.toggled.connect(self.expiry.setDisabled)
        self.id_label, self.birth_label, self.expiry_label = QLabel(numbers), QLabel(numbers), QLabel(numbers)
        form.addRow(self.id_label, self.id_number)
        form.addRow(self.birth_label, self.birth)
        form.addRow(self.expiry_label, self.expiry)
        form.addRow("", self.no_expiry)
        mrz_tab = QWidget(self)
        mrz_box = QVBoxLayout(mrz_tab)
        self.mrz = QPlainTextEdit(mrz_tab)
        self.mrz.setObjectName("keyMrz")
        self.mrz.setMaximumHeight(90)
        self.mrz.setStyleSheet("font-family: monospace;")
        self.mrz_hint = QLabel(mrz_tab)
        self.mrz_hint.setWordWrap(True)
        mrz_box.addWidget(self.mrz_hint)
        mrz_box.addWidget(self.mrz)
        self.addTab(numbers, "")
        self.addTab(mrz_tab, "")
        self.error = QLabel(self)
        self.error.setObjectName("keyError")
        for edit in (self.id_number, self.birth, self.expiry):
            edit.textChanged.connect(self.changed)
        self.mrz.textChanged.connect(self.changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTabText(0, self.tr("Số định danh và ngày tháng"))
        self.setTabText(1, self.tr("MRZ (3 dòng ở mặt sau)"))
        self.id_label.setText(self.tr("Số định danh cá nhân (12 số)"))
        self.birth_label.setText(self.tr("Ngày sinh"))
        self.expiry_label.setText(self.tr("Có giá trị đến"))
        self.no_expiry.setText(self.tr("Thẻ không thời hạn"))
        self.mrz_hint.setText(self.tr("Gõ hoặc quét 3 dòng MRZ (90 ký tự) ở mặt sau thẻ."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def clear(self) -> None:
        for edit in (self.id_number, self.birth, self.expiry):
            edit.clear()
        self.no_expiry.setChecked(False)
        self.mrz.clear()

    def fill(self, id_number: str, birth: date, expiry: date | None) -> None:
        self.setCurrentIndex(0)
        self.id_number.setText(id_number)
        self.birth.setText(birth.strftime("%d/%m/%Y"))
        self.no_expiry.setChecked(expiry is None)
        self.expiry.setText(expiry.strftime("%d/%m/%Y") if expiry else "")

    def is_empty(self) -> bool:
        return not (self.id_number.text() or self.birth.text() or self.mrz.toPlainText().strip())

    def key(self):
        """The AccessKey, or None with the reason shown in plain words."""
        from kiosk.devices.icao.bac import AccessKey

        if self.currentIndex() == 1:
            mrz = re.sub(r"\s", "", self.mrz.toPlainText()).upper()
            if len(mrz) != 90:
                return self._fail(self.tr("MRZ cần đúng 90 ký tự (đang có %1).").replace("%1", str(len(mrz))))
            try:
                return AccessKey.from_mrz(mrz)
            except ValueError:
                return self._fail(self.tr("MRZ không hợp lệ: kiểm tra lại các ký tự và chữ số kiểm tra."))
        number = self.id_number.text().strip()
        if not re.fullmatch(r"\d{12}", number):
            return self._fail(self.tr("Số định danh cá nhân gồm đúng 12 chữ số."))
        birth = _parse_date(self.birth.text())
        if birth is None:
            return self._fail(self.tr("Ngày sinh cần dạng ngày/tháng/năm, ví dụ 05/09/1990."))
        expiry = None
        if not self.no_expiry.isChecked():
            expiry = _parse_date(self.expiry.text())
            if expiry is None:
                return self._fail(self.tr("Ngày hết hạn cần dạng ngày/tháng/năm, hoặc chọn 'Thẻ không thời hạn'."))
        self.error.clear()
        return AccessKey.from_document_number(number, birth.strftime("%y%m%d"), expiry.strftime("%y%m%d") if expiry else None)

    def _fail(self, message: str):
        self.error.setText(message)
        return None


def _parse_date(text: str) -> date | None:
    match = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    if not match:
        return None
    try:
        return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None


class ResultView(QWidget):
    """Portrait, personal data, and the verdict in plain words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        self.photo = QLabel(self)
        self.photo.setObjectName("cardPhoto")
        self.photo.setFixedSize(240, 320)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setFrameShape(QFrame.Shape.Box)
        layout.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        right = QVBoxLayout()
        self.verdict = QLabel(self)
        self.verdict.setObjectName("cardVerdict")
        self.verdict.setWordWrap(True)
        right.addWidget(self.verdict)
        self.grid = QGridLayout()
        right.addLayout(self.grid)
        right.addStretch(1)
        layout.addLayout(right, 1)
        self.values: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        self._result: ChipReadResult | None = None

    FIELDS = (
        "full_name", "id_number", "birth_date", "sex", "nationality", "ethnicity", "religion",
        "place_of_origin", "place_of_residence", "identifying_features", "issue_date", "expiry_date",
        "father_name", "mother_name", "spouse_name", "old_id_number",
    )

    def field_names(self) -> dict[str, str]:
        return {
            "full_name": self.tr("Họ, chữ đệm và tên"),
            "id_number": self.tr("Số định danh cá nhân"),
            "birth_date": self.tr("Ngày sinh"),
            "sex": self.tr("Giới tính"),
            "nationality": self.tr("Quốc tịch"),
            "ethnicity": self.tr("Dân tộc"),
            "religion": self.tr("Tôn giáo"),
            "place_of_origin": self.tr("Quê quán"),
            "place_of_residence": self.tr("Nơi thường trú"),
            "identifying_features": self.tr("Đặc điểm nhân dạng"),
            "issue_date": self.tr("Ngày cấp"),
            "expiry_date": self.tr("Có giá trị đến"),
            "father_name": self.tr("Họ tên cha"),
            "mother_name": self.tr("Họ tên mẹ"),
            "spouse_name": self.tr("Họ tên vợ/chồng"),
            "old_id_number": self.tr("Số CMND cũ"),
        }

    def show_result(self, result: ChipReadResult | None) -> None:
        self._result = result
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.values.clear()
        self.labels.clear()
        if result is None:
            self.photo.clear()
            self.verdict.clear()
            return
        pixmap = QPixmap()
        if result.photo and pixmap.loadFromData(result.photo):
            self.photo.setPixmap(pixmap.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.setText(self.tr("Không hiển thị được ảnh"))
        names = self.field_names()
        for row, key in enumerate(self.FIELDS):
            label = QLabel(names[key], self)
            label.setObjectName(f"label_{key}")
            value = QLabel(self)
            value.setObjectName(f"value_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            text = result.personal.get(key)
            if key == "id_number" and not text:
                text = result.mrz.id_number
            if text:
                value.setText(_display_date(text) if key.endswith("_date") else text)
            else:
                value.setText(self.tr("(không có trên chip)"))
                value.setProperty("state", "warn")
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, row, 1)
            self.labels[key], self.values[key] = label, value
        self.grid.setColumnStretch(1, 1)
        self._show_verdict(result)

    def _show_verdict(self, result: ChipReadResult) -> None:
        # Green when the chain is verified, red when a check got a wrong answer, amber (with what
        # could not be checked) otherwise: the sentences come from the one table of chip_verdict.
        verdict = overall_verdict(result)
        language = current_language()
        lines = [chip_verdict.headline(verdict, language)]
        lines += ["• " + chip_verdict.sentence(code, language) for code in verdict_reasons(result)]
        if result.verification.consistency:
            lines.append(self.tr("Lưu ý: dữ liệu MRZ và dữ liệu cá nhân trên chip không khớp (%1).").replace(
                "%1", ", ".join(result.verification.consistency)))
        self.verdict.setText("\n".join(lines))
        set_state(self.verdict, {chip_verdict.CHAIN_VERIFIED: "ok", chip_verdict.FAILED: "error"}.get(verdict, "warn"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self._result is not None:
            self.show_result(self._result)
        super().changeEvent(event)


def _display_date(text: str) -> str:
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


class CardPage(QWidget):
    """States: no_service, no_reader, no_card (key may be typed ahead), key, reading, error, result."""

    citizen_chosen = Signal(object)
    citizen_cleared = Signal()
    state_changed = Signal(str)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardPage")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.state = ""
        self.task = None
        self.result: ChipReadResult | None = None
        self.reader = ""
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.message = QLabel(self)
        self.message.setObjectName("cardMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.key_form = KeyForm(self)
        layout.addWidget(self.key_form)
        layout.addWidget(self.key_form.error)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("cardProgress")
        self.progress.setRange(0, 100)
        self.step_label = QLabel(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.step_label)
        self.result_view = ResultView(self)
        layout.addWidget(self.result_view, 1)
        buttons = QHBoxLayout()
        self.read_button = QPushButton(self)
        self.read_button.setObjectName("readButton")
        self.read_button.setDefault(True)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setObjectName("cancelReadButton")
        self.retry_button = QPushButton(self)
        self.retry_button.setObjectName("retryButton")
        self.use_button = QPushButton(self)
        self.use_button.setObjectName("useCitizenButton")
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("newCardButton")
        self.demo_button = QPushButton(self)
        self.demo_button.setObjectName("demoKeyButton")
        self.demo_button.hide()
        for b in (self.read_button, self.cancel_button, self.retry_button, self.use_button, self.new_button, self.demo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.read_button.clicked.connect(self.start_read)
        self.retry_button.clicked.connect(self.retry)
        self.cancel_button.clicked.connect(self.cancel_read)
        self.use_button.clicked.connect(lambda: self.citizen_chosen.emit(self.result))
        self.new_button.clicked.connect(self.discard)
        self.key_form.mrz.textChanged.connect(self._mrz_scanned)
        self.demo_key = None
        self.watcher: ReaderWatcher | None = None
        self.retranslate()
        self.set_state("no_card")

    def set_demo_key(self, id_number: str, birth: date, expiry: date | None) -> None:
        """Demo mode: a button fills the key of the virtual card."""
        self.demo_key = (id_number, birth, expiry)
        self.demo_button.show()
        self.demo_button.clicked.connect(lambda: self.key_form.fill(*self.demo_key))

    def retranslate(self) -> None:
        self.title.setText(self.tr("Đọc thẻ căn cước"))
        self.read_button.setText(self.tr("Đọc thẻ"))
        self.cancel_button.setText(self.tr("Hủy"))
        self.retry_button.setText(self.tr("Thử lại"))
        self.use_button.setText(self.tr("Dùng công dân này"))
        self.new_button.setText(self.tr("Thẻ khác"))
        self.demo_button.setText(self.tr("Điền khóa thẻ trình diễn"))
        self._show_state_message()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # States ------------------------------------------------------------------------------------

    def set_state(self, state: str, message: str = "") -> None:
        self.state = state
        self._error_message = message
        editing = state in ("no_card", "key", "denied")
        self.key_form.setVisible(editing)
        self.key_form.error.setVisible(editing)
        self.read_button.setVisible(state in ("key", "denied"))
        self.cancel_button.setVisible(state == "reading")
        self.retry_button.setVisible(state in ("error", "no_service", "no_reader"))
        self.progress.setVisible(state == "reading")
        self.step_label.setVisible(state == "reading")
        self.result_view.setVisible(state == "result")
        self.use_button.setVisible(state == "result")
        self.new_button.setVisible(state == "result")
        self.demo_button.setVisible(editing and self.demo_key is not None)
        self._show_state_message()
        self.state_changed.emit(state)

    def _show_state_message(self) -> None:
        texts = {
            "no_service": self.tr("Dịch vụ thẻ thông minh (PC/SC) không chạy. Khởi động lại máy hoặc báo quản trị, rồi bấm Thử lại."),
            "no_reader": self.tr("Chưa thấy đầu đọc thẻ. Cắm đầu đọc vào máy, rồi bấm Thử lại."),
            "no_card": self.tr("Đặt thẻ căn cước lên đầu đọc. Có thể nhập trước khóa mở chip bên dưới."),
            "key": self.tr("Đã có thẻ trên đầu đọc. Nhập khóa mở chip rồi bấm Đọc thẻ (Enter)."),
            "reading": self.tr("Đang đọc chip — giữ yên thẻ trên đầu đọc."),
            "denied": self.tr("Chip từ chối khóa truy cập: kiểm tra lại số định danh, ngày sinh và ngày hết hạn (hoặc MRZ)."),
            "result": "",
        }
        text = texts.get(self.state, "")
        if self.state == "error":
            text = self._error_message
        self.message.setText(text)

    # Reader events -----------------------------------------------------------------------------

    def on_service(self, up: bool) -> None:
        if not up:
            self._abort_read()
            self.set_state("no_service")
        elif self.state == "no_service":
            self.set_state("no_card")

    def on_readers(self, readers: set[str]) -> None:
        if not readers and self.state not in ("no_service",):
            self._abort_read()
            self.set_state("no_reader")
        elif readers and self.state == "no_reader":
            self.set_state("no_card")

    def on_card_inserted(self, reader: str) -> None:
        if self.state == "reading":
            return
        self.reader = reader
        if self.result is not None:
            self.discard()
        if not self.key_form.is_empty() and self.key_form.key() is not None:
            self.start_read()
        else:
            self.set_state("key")
            self.key_form.id_number.setFocus()

    def on_card_removed(self, reader: str) -> None:
        if self.state == "key" and reader == self.reader:
            self.set_state("no_card")

    # Reading -----------------------------------------------------------------------------------

    def _mrz_scanned(self) -> None:
        # A QR/MRZ scanner types the 90 characters at once: read as soon as they are complete.
        if self.state == "key" and len(re.sub(r"\s", "", self.key_form.mrz.toPlainText())) == 90:
            self.start_read()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state in ("key", "denied"):
            self.start_read()
            return
        super().keyPressEvent(event)

    def start_read(self) -> None:
        key = self.key_form.key()
        if key is None:
            return
        principal = self.principal_fn()
        self.progress.setValue(0)
        self._done_weight = 0
        self._last_step = ""
        self.set_state("reading")
        reader = self.reader
        cards = self.kiosk.cards
        self.task = run_job(
            lambda report, cancel: cards.read(principal, key, reader, report, cancel),
            on_result=self._read_ok,
            on_error=self._read_failed,
            on_progress=self._progress,
            on_finished=self._finished,
        )

    def _progress(self, progress) -> None:
        total = sum(STEP_WEIGHTS.values())
        if progress.step != self._last_step:
            self._done_weight += STEP_WEIGHTS.get(self._last_step, 0)
            self._last_step = progress.step
        fraction = progress.fraction or 0.0
        value = (self._done_weight + STEP_WEIGHTS.get(progress.step, 1) * fraction) / total
        self.progress.setValue(min(100, int(value * 100)))
        percent = f" {int(fraction * 100)} %" if progress.fraction is not None else ""
        self.step_label.setText(f"{progress.step}{percent}")

    def _finished(self) -> None:
        self.task = None

    def _read_ok(self, result) -> None:
        self.result = result
        self.result_view.show_result(result)
        self.key_form.clear()
        self.set_state("result")
        # A card that failed verification cannot prefill anything: the officer types the data. One
        # that could not be fully checked can, once the officer has looked at the card.
        self.use_button.setEnabled(overall_verdict(result) != chip_verdict.FAILED)
        self.use_button.setFocus()

    def _read_failed(self, exc: Exception) -> None:
        from kiosk.devices.icao.errors import AccessDenied, ChipError

        if isinstance(exc, AccessDenied):
            self.set_state("denied")
            return
        if isinstance(exc, ChipError):
            message = _tr(CARD_ERROR_MESSAGES[error_kind(exc)])
        else:
            message = self.tr("Không đọc được thẻ do lỗi không mong đợi (%1). Thử lại; nếu lặp lại, báo quản trị.").replace(
                "%1", type(exc).__name__)
        self.set_state("error", message)

    def cancel_read(self) -> None:
        self._abort_read()
        self.set_state("key")

    def _abort_read(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def retry(self) -> None:
        if self.watcher is not None and self.watcher.service_up is False:
            self.set_state("no_service")
        elif self.watcher is not None and not self.watcher.readers:
            self.set_state("no_reader")
        elif self.watcher is not None and self.watcher.cards:
            self.reader = self.reader if self.reader in self.watcher.cards else sorted(self.watcher.cards)[0]
            self.set_state("key")
        else:
            self.set_state("no_card")

    def attach(self, watcher: ReaderWatcher) -> None:
        """Follow a reader watcher's events (the main window owns the watcher)."""
        self.watcher = watcher
        watcher.service_changed.connect(self.on_service)
        watcher.readers_changed.connect(lambda: self.on_readers(watcher.readers))
        watcher.card_inserted.connect(self.on_card_inserted)
        watcher.card_removed.connect(self.on_card_removed)

    def discard(self) -> None:
        """Forget the citizen on screen (a different card, or the officer moves on)."""
        self.result = None
        self.result_view.show_result(None)
        self.citizen_cleared.emit()
        self.set_state("no_card")
