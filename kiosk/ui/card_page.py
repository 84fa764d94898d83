"""The card page (đọc thẻ căn cước): one screen per reader state, key entry, progress, the verdict.

The PC/SC monitor reports on the device thread; `ReaderWatcher` (ui/reader_watcher.py) turns its callbacks
into Qt signals. The key field is `KeyField` (ui/card_key.py), the citizen read is shown by `ResultView`
(ui/card_result.py). A read runs as a background job; the window never waits for the card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain import chip_verdict
from kiosk.domain.key_entry import mrz_in_progress
from kiosk.services.cards import overall_verdict
from kiosk.services.explain import explain
from kiosk.ui.card_key import KeyField
from kiosk.ui.card_result import ResultView
from kiosk.ui.i18n import current_language
from kiosk.ui.labels import page_heading
from kiosk.ui.reader_watcher import ReaderWatcher
from kiosk.ui.worker import run_job

if TYPE_CHECKING:
    from kiosk.devices.icao.document import ChipReadResult

STEP_WEIGHTS = {"BAC": 2, "EF.COM": 1, "EF.SOD": 4, "DG1": 1, "DG2": 60, "DG13": 6, "DG14": 2, "DG15": 2, "PA": 5,
                "CA": 8, "AA": 9}


_TEXT_INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QAbstractSpinBox, QComboBox)


class CardPage(QWidget):
    """States: no_service, no_reader, no_card (key may be typed ahead), key, reading, denied, error, result.

    A keyboard-wedge scanner (the counter's 2D scanner types what it reads) works anywhere on the
    page: keys that reach no text field while the page shows are taken into the key field. The key
    that last opened a card is kept in memory until the officer logs out, and tried once on the next
    card laid on the reader with the field empty (never stored)."""

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
        self.remembered_key = None  # the CardKey that opened the last card read; memory only
        self._reading_remembered = False
        self._wedge_run = False  # keys from elsewhere on the page are going into the key field
        layout = QVBoxLayout(self)
        self.title, self.message = page_heading(self, layout, "cardMessage")
        self.key_form = KeyField(self)
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
        self.filler = QWidget(self)  # keeps the key field at the top while there is no result
        layout.addWidget(self.filler, 1)
        layout.addLayout(self._build_buttons())
        self.read_button.clicked.connect(self.submit)
        self.retry_button.clicked.connect(self.retry)
        self.cancel_button.clicked.connect(self.cancel_read)
        self.use_button.clicked.connect(lambda: self.citizen_chosen.emit(self.result))
        self.new_button.clicked.connect(self.discard)
        self.key_form.submitted.connect(self.submit)
        self.demo_key = ""
        self.watcher: ReaderWatcher | None = None
        self.retranslate()
        self.set_state("no_card")

    def _build_buttons(self) -> QHBoxLayout:
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
        self.use_button.setDefault(True)
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("newCardButton")
        self.demo_button = QPushButton(self)
        self.demo_button.setObjectName("demoKeyButton")
        self.demo_button.hide()
        for b in (self.read_button, self.cancel_button, self.retry_button, self.use_button, self.new_button,
                  self.demo_button):
            b.setAutoDefault(True)  # Enter presses the button that has the cursor
            buttons.addWidget(b)
        buttons.addStretch(1)
        return buttons

    def set_demo_key(self, text: str) -> None:
        """Demo mode: a button fills the key of the virtual card (its CAN)."""
        self.demo_key = text
        self.demo_button.show()
        self.demo_button.clicked.connect(lambda: self.key_form.fill(self.demo_key))

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
        self.filler.setVisible(state != "result")
        self.use_button.setVisible(state == "result")
        self.new_button.setVisible(state == "result")
        self.demo_button.setVisible(editing and bool(self.demo_key))
        self.key_form.remembered = self.remembered_key is not None
        self._show_state_message()
        if editing and self.isVisible():
            self.key_form.edit.setFocus()
        self.state_changed.emit(state)

    def _show_state_message(self) -> None:
        texts = {
            "no_service": self.tr("Dịch vụ thẻ thông minh (PC/SC) không chạy. Khởi động lại máy hoặc báo quản trị, "
                                  "rồi bấm Thử lại."),
            "no_reader": self.tr("Chưa thấy đầu đọc thẻ. Cắm đầu đọc vào máy, rồi bấm Thử lại."),
            "no_card": self.tr("Đặt thẻ căn cước lên đầu đọc. Có thể nhập trước khóa mở chip bên dưới."),
            "key": self.tr("Đã có thẻ trên đầu đọc. Nhập khóa mở chip (số CAN 6 số in trên thẻ) hoặc quét mã QR, "
                           "rồi Enter."),
            "reading": self.tr("Đang đọc chip — giữ yên thẻ trên đầu đọc."),
            "result": "",
        }
        text = texts.get(self.state, "")
        if self.state in ("error", "denied"):
            text = self._error_message
        self.message.setText(text)

    def showEvent(self, event) -> None:
        # While the page shows, a scanner's keys anywhere in the window reach the key field.
        QApplication.instance().installEventFilter(self)
        super().showEvent(event)
        if self.key_form.isVisible():
            self.key_form.edit.setFocus()

    def hideEvent(self, event) -> None:
        QApplication.instance().removeEventFilter(self)
        self._wedge_run = False
        super().hideEvent(event)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(obj, QWidget) or obj.window() is not self.window():
            return False  # not a key, or in another window (a dialog over the page)
        if isinstance(obj, _TEXT_INPUTS):
            return False  # the officer is typing in a field (the key field among them): it takes its keys
        return self._take_key(event)

    def _take_key(self, event) -> bool:
        """A key press that reached no text field: part of a scan (or of a key typed anywhere)."""
        if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                | Qt.KeyboardModifier.MetaModifier):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not self._wedge_run:
                return False
            if not mrz_in_progress(self.key_form.edit.text()):
                self._wedge_run = False
                self.submit()
            return True
        text = event.text()
        if not text or not text.isprintable() or self.state in ("reading", "no_service", "no_reader"):
            return False
        if not self._wedge_run:
            # A run starts on what begins a key or a scan; on the result page only a digit or a
            # scanner's "]" does, so a stray letter or Space never drops the citizen on screen.
            starts = text.isdigit() or text == "]" if self.state == "result" else not text.isspace()
            if not starts:
                return False
            if self.state in ("result", "error"):
                self._leave_result()
            self._wedge_run = True
            self.key_form.clear()
        self.key_form.edit.insert(text)
        self.key_form.edit.setFocus()
        return True

    def _leave_result(self) -> None:
        """A new key while a citizen or an error shows: back to entering a key for the card on the reader."""
        if self.result is not None:
            self.discard()
        present = self.watcher is not None and self.reader in self.watcher.cards
        self.set_state("key" if present else "no_card")

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
        elif self.key_form.is_empty() and self.remembered_key is not None:
            self.start_read(self.remembered_key, remembered=True)
        else:
            self.set_state("key")

    def on_card_removed(self, reader: str) -> None:
        if self.state == "key" and reader == self.reader:
            self.set_state("no_card")

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state in ("key", "denied", "no_card"):
            self.submit()
            return
        super().keyPressEvent(event)

    def submit(self) -> None:
        """Enter or "Đọc thẻ": read the card on the reader, or keep the key until one is laid on it."""
        self._wedge_run = False
        if self.state not in ("key", "denied", "no_card"):
            return
        key = self.key_form.key()
        if key is None:
            return
        if self.state == "no_card":
            self.message.setText(self.tr("Đã nhận khóa. Đặt thẻ lên đầu đọc: chip sẽ được đọc ngay."))
            return
        self.start_read(key)

    def start_read(self, key=None, remembered: bool = False) -> None:
        key = key or self.key_form.key()
        if key is None:
            return
        principal = self.principal_fn()
        self.progress.setValue(0)
        self._done_weight = 0
        self._last_step = ""
        self._reading_remembered = remembered
        self.set_state("reading")
        reader = self.reader
        cards = self.kiosk.cards
        self.task = run_job(
            lambda report, cancel: cards.read(principal, key, reader, report, cancel),
            on_result=lambda result: self._read_ok(result, key),
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

    def _read_ok(self, result, key=None) -> None:
        self.result = result
        if key is not None:
            # Until logout, in memory only; just the password that opened the chip, so trying it
            # on the next card costs that card one attempt.
            self.remembered_key = key.narrowed(result.verification.access)
        self.result_view.show_result(result)
        self.key_form.clear()
        self.set_state("result")
        # A card that failed verification cannot prefill anything: the officer types the data. One
        # that could not be fully checked can, once the officer has looked at the card.
        self.use_button.setEnabled(overall_verdict(result) != chip_verdict.FAILED)
        self.use_button.setFocus()

    def _read_failed(self, exc: Exception) -> None:
        from kiosk.devices.icao.errors import AccessDenied

        if isinstance(exc, AccessDenied) and self._reading_remembered:
            # The key of the card read before does not open this one: no alarm, just ask.
            self.set_state("key")
            self.message.setText(self.tr("Khóa của thẻ đọc trước không mở được thẻ này. Nhập khóa của thẻ này."))
            return
        message = explain(exc).text(current_language(), self.tr(
            "Không đọc được thẻ do lỗi không mong đợi (%1). Thử lại; nếu lặp lại, báo quản trị."))
        if isinstance(exc, AccessDenied):  # the key was refused: the page asks for it again
            self.set_state("denied", message)
            self.key_form.edit.selectAll()
            return
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

    def catch_up(self, watcher: ReaderWatcher) -> None:
        """Come up to the state the watcher saw before this page was made."""
        if watcher.service_up is False:
            self.on_service(False)
        elif not watcher.readers:
            self.on_readers(set())
        for reader in sorted(watcher.cards):
            self.on_card_inserted(reader)

    def discard(self) -> None:
        """Forget the citizen on screen (a different card, or the officer moves on)."""
        self.result = None
        self.result_view.show_result(None)
        self.citizen_cleared.emit()
        self.set_state("no_card")

    def forget_keys(self) -> None:
        """At logout: the key kept for the last card, and any key typed, are gone."""
        self.remembered_key = None
        self.key_form.clear()
        self.key_form.remembered = False
