"""Self-service mode (kiosk tự phục vụ trong sảnh): full screen, touch only, Vietnamese first, English one touch away.

A citizen learns what a service needs (and prints the checklist), takes a queue ticket after preparing
the form — optionally from their own card, read with the six-digit CAN after the consent sentence —
looks a dossier up by its receipt, and rates a received dossier. After a minute without a touch, or
when the card leaves the reader, every trace of the citizen leaves the screen and memory and the start
screen returns. Staff leave the full-screen mode only with the administrator's PIN.
"""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.status_check import StatusCheckPage
from kiosk.ui.touch_input import KeyboardDock, NumPad, TouchKeyboard, touch_min_size, touch_px
from kiosk.ui.worker import run_call, run_job

log = logging.getLogger(__name__)

CONSENT_VERSION = "hall-2026.1"
#: Field types typed without Telex composition (numbers, codes, e-mail addresses).
PLAIN_TYPES = ("email", "phone", "id_number", "number", "money", "date", "datetime")


def _pick(vi: str, en: str) -> str:
    return en if current_language() == "en" and en else vi


def _big(button: QPushButton, height_mm: float = 18.0) -> QPushButton:
    touch_min_size(button, touch_px(button, 30.0), touch_px(button, height_mm))
    return button


def _label(parent: QWidget, name: str, wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


class Welcome(QWidget):
    """The four things a citizen can do here, as large targets."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title = _label(self, "welcomeTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for i, key in enumerate(("guide", "take", "status", "rate")):
            button = _big(QPushButton(self), 30.0)
            button.setObjectName(f"welcome_{key}")
            button.clicked.connect(lambda _c=False, k=key: self.chosen.emit(k))
            grid.addWidget(button, i // 2, i % 2)
            self.buttons[key] = button
        layout.addLayout(grid)
        layout.addStretch(2)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Xin chào! Bạn cần làm gì hôm nay?"))
        self.buttons["guide"].setText(self.tr("Tìm hiểu thủ tục"))
        self.buttons["take"].setText(self.tr("Lấy số thứ tự"))
        self.buttons["status"].setText(self.tr("Tra cứu hồ sơ"))
        self.buttons["rate"].setText(self.tr("Đánh giá dịch vụ"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ServiceChooser(QWidget):
    """The service groups in plain words, then the services of the chosen group."""

    chosen = Signal(int)

    def __init__(self, kiosk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.letter: str | None = None
        layout = QVBoxLayout(self)
        self.title = _label(self, "pageTitle")
        layout.addWidget(self.title)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll, 1)
        self.back = _big(QPushButton(self), 14.0)
        self.back.setObjectName("chooserBack")
        self.back.clicked.connect(lambda: self.show_groups())
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons: dict[str, QPushButton] = {}
        self.show_groups()

    def show_groups(self) -> None:
        self.letter = None
        self._fill([(f"group_{g.letter}", lambda g=g: _pick(g.name_vi, g.name_en), lambda _c=False, g=g: self.open(g.letter))
                    for g in self.kiosk.guide.groups()], columns=2)
        self.back.hide()
        self.retranslate()

    def open(self, letter: str) -> None:
        self.letter = letter
        services = self.kiosk.guide.services_of(letter)
        self._fill([(f"service_{s.number}", lambda s=s: f"{s.number}. {_pick(s.name_vi, s.name_en)}",
                     lambda _c=False, n=s.number: self.chosen.emit(n)) for s in services], columns=1)
        self.back.show()
        self.retranslate()

    def _fill(self, items, columns: int) -> None:
        body = QWidget(self.scroll)
        grid = QGridLayout(body)
        self.buttons = {}
        self._texts = {}
        for i, (name, text, slot) in enumerate(items):
            button = _big(QPushButton(body), 16.0)
            button.setObjectName(name)
            button.setProperty("wrap", True)
            button.clicked.connect(slot)
            grid.addWidget(button, i // columns, i % columns)
            self.buttons[name] = button
            self._texts[name] = text
        grid.setRowStretch(len(items), 1)
        self.scroll.setWidget(body)

    def retranslate(self) -> None:
        if self.letter is None:
            self.title.setText(self.tr("Chọn nhóm việc bạn cần"))
        else:
            group = self.kiosk.guide.group(self.letter)
            self.title.setText(_pick(group.name_vi, group.name_en))
        self.back.setText(self.tr("⟵ Các nhóm khác"))
        for name, button in self.buttons.items():
            button.setText(self._texts[name]())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class GuidePage(QWidget):
    """"Tìm hiểu thủ tục": what a service is for, who may ask, documents, fees, time, result; the checklist."""

    take_number = Signal(int)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.service_no: int | None = None
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.chooser = ServiceChooser(kiosk, self)
        self.chooser.chosen.connect(self.show_service)
        self.stack.addWidget(self.chooser)
        detail = QWidget(self)
        box = QVBoxLayout(detail)
        self.detail = _label(detail, "guideDetail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(detail)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        box.addWidget(scroll, 1)
        self.print_status = _label(detail, "checklistStatus")
        box.addWidget(self.print_status)
        row = QHBoxLayout()
        self.back_button = _big(QPushButton(detail), 16.0)
        self.back_button.setObjectName("guideBack")
        self.print_button = _big(QPushButton(detail), 16.0)
        self.print_button.setObjectName("printChecklist")
        self.take_button = _big(QPushButton(detail), 16.0)
        self.take_button.setObjectName("guideTakeNumber")
        for b in (self.back_button, self.print_button, self.take_button):
            row.addWidget(b)
        box.addLayout(row)
        self.stack.addWidget(detail)
        self.detail_page = detail
        self.back_button.clicked.connect(lambda: self.stack.setCurrentWidget(self.chooser))
        self.print_button.clicked.connect(self.print_checklist)
        self.take_button.clicked.connect(lambda: self.take_number.emit(self.service_no))
        self.printer = PrintRunner(kiosk, self.print_button, self.print_status)
        self.retranslate()

    def retranslate(self) -> None:
        self.back_button.setText(self.tr("⟵ Dịch vụ khác"))
        self.print_button.setText(self.tr("In danh sách giấy tờ"))
        self.take_button.setText(self.tr("Lấy số cho dịch vụ này"))
        if self.service_no is not None:
            self.show_service(self.service_no)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_service(self, number: int) -> None:
        self.service_no = number
        g = self.kiosk.guide.describe(number)
        s = g.service

        def lines(items) -> str:
            return "".join(f"<li>{_pick(x.text_vi, x.text_en)}</li>" for x in items)

        parts = [
            f"<h2>{s.number}. {_pick(s.name_vi, s.name_en)}</h2>",
            f"<p><b>{self.tr('Để làm gì')}:</b> {_pick(g.entry.purpose_vi, g.entry.purpose_en)}</p>",
            f"<p><b>{self.tr('Ai được yêu cầu')}:</b> {_pick(g.entry.who_vi, g.entry.who_en)}</p>",
            f"<p><b>{self.tr('Giấy tờ cần mang')}:</b></p><ul>{lines(g.documents) or '<li>—</li>'}</ul>",
            f"<p><b>{self.tr('Lệ phí (nộp trực tiếp / trực tuyến)')}:</b></p><ul>{lines(g.fees)}</ul>",
            f"<p><b>{self.tr('Thời hạn giải quyết')}:</b> {_pick(g.processing.text_vi, g.processing.text_en)}<br>"
            f"<b>{_pick(g.ready.text_vi, g.ready.text_en)}</b></p>",
            f"<p><b>{self.tr('Kết quả')}:</b></p><ul>{lines(g.result)}<li>{_pick(g.where.text_vi, g.where.text_en)}</li></ul>",
        ]
        if g.unconfirmed:
            parts.append(f"<p><i>{self.tr('Một số thông tin chưa được xác nhận; hãy hỏi lại cán bộ tại quầy.')}</i></p>")
        self.detail.setText("".join(parts))
        self.print_status.clear()
        self.stack.setCurrentWidget(self.detail_page)

    def print_checklist(self) -> None:
        if self.service_no is None:
            return
        self.printer.start(self.principal_fn(), str(self.service_no), "service_checklist", PrintTexts(
            busy=self.tr("Đang in danh sách giấy tờ…"), progress=self.tr("Đang in… %1 %"),
            done=self.tr("Đã in. Mời bạn lấy phiếu ở khe máy in."),
            failed=self.tr("Chưa in được: %1"),
        ))

    def clear(self) -> None:
        self.service_no = None
        self.detail.clear()
        self.print_status.clear()
        self.chooser.show_groups()
        self.stack.setCurrentWidget(self.chooser)


class CardStep(QWidget):
    """The consent sentence, then the card on the reader and its six-digit CAN on the numpad."""

    read_done = Signal(object)  # the ChipReadResult
    skip_card = Signal()
    no_form = Signal()

    def __init__(self, kiosk, principal_fn, idle_seconds: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.idle_seconds = idle_seconds
        self.task = None
        self.card_present = False
        self.consented = False
        self._status_key, self._extra, self._state = "", "", ""
        layout = QVBoxLayout(self)
        self.title = _label(self, "pageTitle")
        layout.addWidget(self.title)
        self.consent = _label(self, "consentText")
        layout.addWidget(self.consent)
        row = QHBoxLayout()
        self.agree = _big(QPushButton(self))
        self.agree.setObjectName("consentAgree")
        self.skip = _big(QPushButton(self))
        self.skip.setObjectName("consentSkip")
        self.quick = _big(QPushButton(self))
        self.quick.setObjectName("ticketWithoutForm")
        for b in (self.agree, self.skip, self.quick):
            row.addWidget(b)
        layout.addLayout(row)
        self.reader_box = QWidget(self)
        box = QHBoxLayout(self.reader_box)
        left = QVBoxLayout()
        self.instruction = _label(self.reader_box, "cardInstruction")
        left.addWidget(self.instruction)
        self.can = QLineEdit(self.reader_box)
        self.can.setObjectName("canInput")
        self.can.setMaxLength(6)
        self.can.setProperty("numpad", True)
        self.can.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.can.setReadOnly(True)  # typed on the numpad, not on a keyboard
        left.addWidget(self.can)
        self.status = _label(self.reader_box, "cardStatus")
        left.addWidget(self.status)
        left.addStretch(1)
        box.addLayout(left, 1)
        self.pad = NumPad(self.can, self.reader_box, ok_text=lambda: self.tr("Đọc thẻ"))
        self.pad.entered.connect(lambda _t: self.start_read())
        box.addWidget(self.pad)
        layout.addWidget(self.reader_box, 10)
        layout.addStretch(1)
        self.agree.clicked.connect(self.agreed)
        self.skip.clicked.connect(self.skip_card)
        self.quick.clicked.connect(self.no_form)
        self.retranslate()
        self.reset()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Điền sẵn tờ khai từ thẻ căn cước của bạn?"))
        self.consent.setText(self.tr(
            "Nếu bạn đồng ý, kiosk đọc chip thẻ căn cước của bạn (họ tên, số định danh, ngày sinh, nơi cư trú và "
            "các thông tin khác trên chip) chỉ để điền sẵn tờ khai của dịch vụ bạn chọn; cán bộ tiếp nhận dùng tờ "
            "khai này khi gọi số của bạn. Ảnh chân dung không được lưu. Thông tin bị xóa khỏi màn hình khi bạn rút "
            "thẻ hoặc sau %1 giây không thao tác, và bị xóa khỏi kiosk cuối ngày nếu chưa được gọi số "
            "(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15).").replace("%1", str(self.idle_seconds)))
        self.agree.setText(self.tr("Đồng ý, đọc thẻ"))
        self.skip.setText(self.tr("Không, tôi tự điền"))
        self.quick.setText(self.tr("Lấy số ngay, không điền tờ khai"))
        self.instruction.setText(self.tr(
            "Đặt thẻ căn cước lên đầu đọc và để nguyên thẻ ở đó đến khi nhận phiếu. Nhập 6 số in trên thẻ "
            "(số truy cập thẻ — CAN) rồi bấm Đọc thẻ."))
        self._show_status()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reset(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.consented = False
        self.can.clear()
        self._status_key, self._extra, self._state = "", "", ""
        self.reader_box.hide()
        for b in (self.agree, self.skip, self.quick):
            b.show()
        self._show_status()

    def agreed(self) -> None:
        self.consented = True
        for b in (self.agree, self.skip, self.quick):
            b.hide()
        self.reader_box.show()
        self._say("card" if self.card_present else "no_card")

    def _say(self, key: str, extra: str = "", state: str = "") -> None:
        self._status_key, self._extra, self._state = key, extra, state
        self._show_status()

    def _show_status(self) -> None:
        texts = {
            "": "",
            "no_card": self.tr("Chưa thấy thẻ trên đầu đọc."),
            "card": self.tr("Đã có thẻ trên đầu đọc."),
            "reading": self.tr("Đang đọc thẻ, giữ yên thẻ…"),
            "can": self.tr("Số truy cập thẻ (CAN) gồm đúng 6 chữ số in trên thẻ."),
            "denied": self.tr("Thẻ không nhận số vừa nhập. Kiểm tra lại 6 số in trên thẻ rồi thử lại."),
            "error": self.tr("Không đọc được thẻ: %1"),
            "failed": self.tr("Chưa đọc được thẻ. Đặt lại thẻ lên đầu đọc rồi bấm Đọc thẻ, hoặc hỏi cán bộ."),
        }
        text = texts.get(self._status_key, "")
        self.status.setText(text.replace("%1", self._extra))
        set_state(self.status, self._state)

    def on_card(self, present: bool) -> None:
        self.card_present = present
        if self.consented and self.task is None:
            self._say("card" if present else "no_card")

    def start_read(self) -> None:
        from kiosk.devices.icao.access import CanKey

        if not re.fullmatch(r"\d{6}", self.can.text()):
            self._say("can", state="error")
            return
        if self.task is not None:
            return
        key = CanKey(self.can.text())
        principal, cards = self.principal_fn(), self.kiosk.cards
        self._say("reading")

        def done(result) -> None:
            self.task = None
            self.can.clear()
            self.read_done.emit(result)

        def failed(exc: Exception) -> None:
            from kiosk.devices.icao.errors import AccessDenied, ChipError
            from kiosk.services.cards import CARD_ERROR_MESSAGES, error_kind

            self.task = None
            if isinstance(exc, AccessDenied):
                self._say("denied", state="error")
            elif isinstance(exc, ChipError):
                from PySide6.QtCore import QCoreApplication

                self._say("error", QCoreApplication.translate("CardError", CARD_ERROR_MESSAGES[error_kind(exc)]), "error")
            else:  # the reader or the card service failed: plain words for the citizen, the kind in the log
                log.warning("hall card read failed: %s", type(exc).__name__)
                self._say("failed", state="error")

        self.task = run_job(lambda report, cancel: cards.read(principal, key, "", report, cancel),
                            on_result=done, on_error=failed)


class TicketView(QWidget):
    """The number taken: large, with the wait, the counter group and the print's outcome."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.headline = _label(self, "ticketHeadline")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number = _label(self, "ticketNumber", wrap=False)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = _label(self, "ticketDetails")
        self.details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.print_status = _label(self, "ticketPrintStatus")
        self.print_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_button = _big(QPushButton(self))
        self.done_button.setObjectName("ticketDone")
        for w in (self.headline, self.number, self.details, self.print_status):
            layout.addWidget(w)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(2)
        self.done_button.clicked.connect(self.finished)
        self.taken = None
        self.retranslate()

    def retranslate(self) -> None:
        self.headline.setText(self.tr("Số thứ tự của bạn"))
        self.done_button.setText(self.tr("Xong"))
        if self.taken is not None:
            self.show_ticket(self.taken)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_ticket(self, taken, group_name: str = "") -> None:
        self.taken = taken
        self.group_name = group_name or getattr(self, "group_name", "")
        self.number.setText(taken.number)
        lines = [self.tr("Quầy phục vụ nhóm %1").replace("%1", f"{taken.group} — {self.group_name}")]
        if taken.ahead:
            lines.append(self.tr("Có %1 người chờ trước bạn; thời gian chờ dự kiến khoảng %2 phút.").replace(
                "%1", str(taken.ahead)).replace("%2", str(taken.estimated_wait_min)))
        else:
            lines.append(self.tr("Bạn là người tiếp theo của nhóm quầy này."))
        lines.append(self.tr("Hãy lấy phiếu ở khe máy in và lấy lại thẻ căn cước của bạn."))
        self.details.setText("\n".join(lines))

    def clear(self) -> None:
        self.taken = None
        self.number.clear()
        self.details.clear()
        self.print_status.clear()


class TakeNumberPage(QWidget):
    """"Lấy số thứ tự": service → consent and card (optional) → the form by touch → review → the ticket."""

    def __init__(self, kiosk, principal_fn, idle_seconds: int, keyboard: TouchKeyboard,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.keyboard = keyboard
        self.service_no: int | None = None
        self.citizen: dict | None = None
        self.consent: str | None = None
        self.wizard = None
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        self.message = _label(self, "takeMessage")
        layout.addWidget(self.message)
        self.chooser = ServiceChooser(kiosk, self)
        self.card = CardStep(kiosk, principal_fn, idle_seconds, self)
        self.ticket = TicketView(self)
        for w in (self.chooser, self.card, self.ticket):
            self.stack.addWidget(w)
        self.chooser.chosen.connect(self.choose)
        self.card.read_done.connect(self._card_read)
        self.card.skip_card.connect(lambda: self._open_form(None))
        self.card.no_form.connect(lambda: self._take(None, None))
        self.printer = PrintRunner(kiosk, self.ticket.done_button, self.ticket.print_status)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange and self.wizard is not None:
            self.wizard.retranslate()
        super().changeEvent(event)

    def start(self, service_no: int | None = None) -> None:
        self.clear()
        if service_no is not None:
            self.choose(service_no)

    def choose(self, service_no: int) -> None:
        self.service_no = service_no
        self.card.reset()
        self.stack.setCurrentWidget(self.card)

    def _card_read(self, result) -> None:
        from kiosk.domain import chip_verdict
        from kiosk.services.cards import overall_verdict

        verdict = overall_verdict(result)
        if verdict == "failed":
            # A chip that fails verification fills nothing: the citizen types, the officer checks the papers.
            self.message.setText(self.tr("Thẻ không qua được kiểm tra của kiosk nên không dùng để điền sẵn; "
                                         "bạn vẫn có thể tự điền tờ khai."))
            set_state(self.message, "warn")
            self._open_form(None)
            return
        self.consent = CONSENT_VERSION
        self._open_form(result.to_json())
        note = chip_verdict.headline(verdict, current_language())
        self.wizard.show_origin(self.tr("Đã đọc thẻ của %1. %2").replace(
            "%1", result.personal.get("full_name", "")).replace("%2", note),
            "ok" if verdict == "chain_verified" else "warn")

    def _open_form(self, citizen: dict | None) -> None:
        from kiosk.ui.wizard import DossierWizard

        self.citizen = citizen
        self._drop_wizard()
        service = self.kiosk.catalog.get(self.service_no)
        self.wizard = DossierWizard(self.kiosk, self.principal_fn, lambda: self.citizen, service, self, hall=True)
        self.wizard.setObjectName("hallWizard")
        for editor in self.wizard.editors().values():
            if editor.field.type in PLAIN_TYPES:
                editor.input.setProperty("plain", True)
        self.wizard.cancelled.connect(self.cancel)
        self.wizard.draft_ready.connect(self._take)
        self.stack.addWidget(self.wizard)
        self.stack.setCurrentWidget(self.wizard)

    def _take(self, form, citizen) -> None:
        principal, service_no, consent = self.principal_fn(), self.service_no, self.consent if citizen else None
        queue = self.kiosk.queue
        if self.wizard is not None:
            self.wizard.submit_button.setEnabled(False)

        def done(taken) -> None:
            self._drop_wizard()
            self.citizen = None  # the draft now lives only in the sealed ticket and the queue
            group = self.kiosk.guide.group(taken.group)
            self.ticket.show_ticket(taken, _pick(group.name_vi, group.name_en))
            self.stack.setCurrentWidget(self.ticket)
            self.printer.start(principal, taken.ticket_id, "queue_ticket", PrintTexts(
                busy=self.tr("Đang in phiếu…"), progress=self.tr("Đang in phiếu… %1 %"),
                done=self.tr("Đã in phiếu."), failed=self.tr("Chưa in được phiếu: %1 Hãy báo cán bộ trong sảnh."),
            ))

        def failed(exc: Exception) -> None:
            if self.wizard is not None:
                self.wizard.submit_button.setEnabled(True)
                self.wizard._service_error(exc)
            else:
                self.message.setText(getattr(exc, "message_vi", None) or type(exc).__name__)

        run_call(lambda: queue.take(principal, service_no, form, citizen, consent), on_result=done, on_error=failed)

    def cancel(self) -> None:
        self.clear()

    def _drop_wizard(self) -> None:
        if self.wizard is not None:
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None

    def has_citizen(self) -> bool:
        return self.citizen is not None or self.wizard is not None

    def clear(self) -> None:
        self._drop_wizard()
        self.citizen = None
        self.consent = None
        self.service_no = None
        self.card.reset()
        self.ticket.clear()
        self.message.clear()
        self.chooser.show_groups()
        self.stack.setCurrentWidget(self.chooser)


class CodePad(QWidget):
    """A dossier code typed on a numpad: the station's unit is known, the citizen types the date and number."""

    code_entered = Signal(str)

    def __init__(self, unit_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit_id = unit_id
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.hint = _label(self, "codePadHint")
        left.addWidget(self.hint)
        self.digits = QLineEdit(self)
        self.digits.setObjectName("codeDigits")
        self.digits.setMaxLength(10)
        self.digits.setReadOnly(True)
        self.digits.setProperty("numpad", True)
        left.addWidget(self.digits)
        self.preview = _label(self, "codePreview")
        left.addWidget(self.preview)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.pad = NumPad(self.digits, self, ok_text=lambda: self.tr("Tra cứu"))
        layout.addWidget(self.pad)
        self.digits.textChanged.connect(self._preview)
        self.pad.entered.connect(self._entered)
        self.retranslate()

    def retranslate(self) -> None:
        self.hint.setText(self.tr("Nhập 10 số cuối của mã hồ sơ in trên phiếu hẹn (ngày nhận và số thứ tự), "
                                  "ví dụ 261125 0001."))
        self._preview()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def code(self) -> str:
        d = self.digits.text()
        return f"{self.unit_id}-{d[:6]}-{d[6:]}"

    def _preview(self) -> None:
        self.preview.setText(self.code() if self.digits.text() else "")

    def _entered(self, digits: str) -> None:
        if len(digits) == 10:
            self.code_entered.emit(self.code())

    def clear(self) -> None:
        self.digits.clear()


class StatusPage(QWidget):
    """"Tra cứu hồ sơ": the receipt's QR (scanner or camera) or the code on a numpad; then rate it."""

    rate = Signal(str)

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rating_mode = False
        layout = QVBoxLayout(self)
        self.check = StatusCheckPage(kiosk, principal_fn, self)
        self.check.input.setProperty("numpad", True)  # a scanner types the QR here; citizens use the numpad
        layout.addWidget(self.check, 1)
        self.codepad = CodePad(kiosk.settings.unit_id, self)
        layout.addWidget(self.codepad)
        self.rate_button = _big(QPushButton(self))
        self.rate_button.setObjectName("rateThisDossier")
        self.rate_button.hide()
        layout.addWidget(self.rate_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.codepad.code_entered.connect(self._typed)
        self.check.answered.connect(self._answered)
        self.rate_button.clicked.connect(self._rate)
        self.retranslate()

    def retranslate(self) -> None:
        self.rate_button.setText(self.tr("Đánh giá dịch vụ cho hồ sơ này"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _typed(self, code: str) -> None:
        self.check.input.setText(code)
        self.check.check()
        self.codepad.clear()

    def _answered(self, answer) -> None:
        found = bool(answer.found and answer.tracking_code)
        self.rate_button.setVisible(found)
        if found and self.rating_mode:
            self._rate()

    def _rate(self) -> None:
        answer = self.check.answer
        if answer is not None and answer.found:
            self.rate.emit(answer.tracking_code)

    def clear(self) -> None:
        self.rating_mode = False
        self.check.clear()
        self.codepad.clear()
        self.rate_button.hide()


class RatingPage(QWidget):
    """Three levels as three large buttons, an optional reason, then thanks."""

    finished = Signal()

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.code = ""
        self.level: int | None = None
        layout = QVBoxLayout(self)
        self.title = _label(self, "pageTitle")
        layout.addWidget(self.title)
        row = QHBoxLayout()
        self.levels: dict[int, QPushButton] = {}
        for level in (3, 2, 1):
            button = _big(QPushButton(self), 24.0)
            button.setObjectName(f"rate_{level}")
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, n=level: self.choose(n))
            row.addWidget(button)
            self.levels[level] = button
        layout.addLayout(row)
        self.reason_label = _label(self, "reasonLabel")
        layout.addWidget(self.reason_label)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("ratingReason")
        self.reason.setMaxLength(500)
        layout.addWidget(self.reason)
        self.message = _label(self, "ratingMessage")
        layout.addWidget(self.message)
        self.send = _big(QPushButton(self))
        self.send.setObjectName("sendRating")
        self.send.setEnabled(False)
        layout.addWidget(self.send, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.send.clicked.connect(self.submit)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Bạn đánh giá thế nào về việc giải quyết hồ sơ %1?").replace("%1", self.code))
        self.levels[3].setText(self.tr("Rất hài lòng"))
        self.levels[2].setText(self.tr("Hài lòng"))
        self.levels[1].setText(self.tr("Không hài lòng"))
        self.reason_label.setText(self.tr("Lý do (không bắt buộc):"))
        self.send.setText(self.tr("Gửi đánh giá"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def start(self, code: str) -> None:
        self.clear()
        self.code = code
        self.retranslate()

    def choose(self, level: int) -> None:
        self.level = level
        for n, button in self.levels.items():
            button.setChecked(n == level)
        self.send.setEnabled(True)

    def submit(self) -> None:
        if self.level is None:
            return
        principal, code, level, reason = self.principal_fn(), self.code, self.level, self.reason.text()
        self.send.setEnabled(False)

        def done(_result) -> None:
            self.reason.clear()
            self.message.setText(self.tr("Cảm ơn bạn đã đánh giá!"))
            set_state(self.message, "ok")
            QTimer.singleShot(4000, self._thanked)

        def failed(exc: Exception) -> None:
            from kiosk.services.errors import InvalidInput

            self.send.setEnabled(True)
            text = " ".join(m for _f, m in exc.errors) if isinstance(exc, InvalidInput) else type(exc).__name__
            self.message.setText(text)
            set_state(self.message, "error")

        run_call(lambda: self.kiosk.ratings.add(principal, code, level, reason), on_result=done, on_error=failed)

    def _thanked(self) -> None:
        if self.isVisible() and self.code:
            self.finished.emit()

    def clear(self) -> None:
        self.code = ""
        self.level = None
        for button in self.levels.values():
            button.setChecked(False)
        self.reason.clear()
        self.message.clear()
        self.send.setEnabled(False)


class ExitPage(QWidget):
    """Staff only: the administrator's PIN on the numpad leaves the full-screen mode."""

    exit_granted = Signal()

    def __init__(self, kiosk, actor: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.actor = actor
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        self.title = _label(self, "pageTitle")
        left.addWidget(self.title)
        self.pin = QLineEdit(self)
        self.pin.setObjectName("exitPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(12)
        self.pin.setReadOnly(True)
        self.pin.setProperty("numpad", True)
        left.addWidget(self.pin)
        self.message = _label(self, "exitMessage")
        left.addWidget(self.message)
        left.addStretch(1)
        layout.addLayout(left, 1)
        self.pad = NumPad(self.pin, self, ok_text=lambda: self.tr("Thoát"))
        self.pad.entered.connect(self.check)
        layout.addWidget(self.pad)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Dành cho cán bộ: nhập mã PIN quản trị để thoát chế độ kiosk."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def check(self, pin: str) -> None:
        self.pin.clear()
        self.pad.setEnabled(False)

        def done(ok: bool) -> None:
            self.pad.setEnabled(True)
            if ok:
                self.exit_granted.emit()
            else:
                self.message.setText(self.tr("Mã PIN không đúng."))
                set_state(self.message, "error")

        def failed(exc: Exception) -> None:
            self.pad.setEnabled(True)
            until = getattr(exc, "until", None)
            self.message.setText(self.tr("Nhập sai quá nhiều lần; thử lại sau %1 (giờ UTC).").replace(
                "%1", until.strftime("%H:%M")) if until else type(exc).__name__)
            set_state(self.message, "error")

        run_call(lambda: self.kiosk.exit_pin.check(self.actor, pin), on_result=done, on_error=failed)

    def clear(self) -> None:
        self.pin.clear()
        self.message.clear()


class SelfServiceShell(QWidget):
    """The hall's screen: header (language, home), the pages, the on-screen keyboard at the bottom."""

    language_chosen = Signal(str)
    exit_requested = Signal()
    wiped = Signal()

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("selfServiceShell")
        self.kiosk = kiosk
        idle = kiosk.settings.selfservice_idle_timeout_s
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.home_button = _big(QPushButton(self), 14.0)
        self.home_button.setObjectName("selfServiceHome")
        self.unit = _label(self, "hallUnit", wrap=False)
        self.vi_button = _big(QPushButton("Tiếng Việt", self), 14.0)
        self.vi_button.setObjectName("langVi")
        self.en_button = _big(QPushButton("English", self), 14.0)
        self.en_button.setObjectName("langEn")
        self.staff_button = QPushButton("⚙", self)
        self.staff_button.setObjectName("staffExit")
        touch_min_size(self.staff_button, touch_px(self), touch_px(self))
        top.addWidget(self.home_button)
        top.addWidget(self.unit, 1)
        top.addWidget(self.vi_button)
        top.addWidget(self.en_button)
        top.addWidget(self.staff_button)
        layout.addLayout(top)
        self.stack = QStackedWidget(self)
        # A stack is as tall as its tallest page (the card step with its numpad): with the keyboard below it
        # that is taller than a 1080-pixel screen, and a full-screen window would lose its bottom keys. The
        # pages that show the keyboard (the form in its scroll area, the rating) fit in what is left.
        self.stack.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        layout.addWidget(self.stack, 1)
        self.keyboard = TouchKeyboard(self)
        layout.addWidget(self.keyboard)
        self.dock = KeyboardDock(self.keyboard, self)
        self.welcome = Welcome(self)
        self.guide = GuidePage(kiosk, principal_fn, self)
        self.take = TakeNumberPage(kiosk, principal_fn, idle, self.keyboard, self)
        self.status_page = StatusPage(kiosk, principal_fn, self)
        self.rating = RatingPage(kiosk, principal_fn, self)
        self.exit_page = ExitPage(kiosk, f"staff-exit@{principal_fn().username}", self)
        for page in (self.welcome, self.guide, self.take, self.status_page, self.rating, self.exit_page):
            self.stack.addWidget(page)
        self.welcome.chosen.connect(self.open)
        self.guide.take_number.connect(lambda n: self.open("take", n))
        self.status_page.rate.connect(self.open_rating)
        self.rating.finished.connect(self.wipe)
        self.take.ticket.finished.connect(self.wipe)
        self.home_button.clicked.connect(self.wipe)
        self.vi_button.clicked.connect(lambda: self.language_chosen.emit("vi"))
        self.en_button.clicked.connect(lambda: self.language_chosen.emit("en"))
        self.staff_button.clicked.connect(lambda: self._show(self.exit_page))
        self.exit_page.exit_granted.connect(self.exit_requested)
        self.retranslate()
        self.wipe()

    def retranslate(self) -> None:
        self.home_button.setText(self.tr("⟵ Về màn hình chính"))
        self.unit.setText(self.kiosk.settings.unit_name)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _show(self, page: QWidget) -> None:
        self.stack.setCurrentWidget(page)
        self.home_button.setVisible(page is not self.welcome)

    def open(self, what: str, service_no: int | None = None) -> None:
        if what == "guide":
            self.guide.clear()
            self._show(self.guide)
        elif what == "take":
            self.take.start(service_no)
            self._show(self.take)
        elif what in ("status", "rate"):
            self.status_page.clear()
            self.status_page.rating_mode = what == "rate"
            self._show(self.status_page)
            self.status_page.check.input.setFocus()

    def open_rating(self, code: str) -> None:
        self.rating.start(code)
        self._show(self.rating)

    def on_card(self, present: bool) -> None:
        """The card left the reader: whatever it told leaves the screen and the memory at once."""
        self.take.card.on_card(present)
        if not present and self.take.has_citizen():
            self.wipe()

    def wipe(self) -> None:
        """Idle, card removed, or "home": every trace of the last citizen leaves the screen and the clipboard."""
        self.take.clear()
        self.guide.clear()
        self.status_page.clear()
        self.rating.clear()
        self.exit_page.clear()
        self.keyboard.hide()
        focus = QApplication.focusWidget()
        if focus is not None and self.isAncestorOf(focus):
            focus.clearFocus()
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.clear()
        self._show(self.welcome)
        self.wiped.emit()
