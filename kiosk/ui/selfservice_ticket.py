"""Taking a queue ticket in the hall (lấy số thứ tự): the service, the consent and the card read with its
CAN, the form by touch, then the ticket printed."""

from __future__ import annotations

import logging
import re

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.services.explain import Explanation, explain, is_chip_error
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import set_state
from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.selfservice_guide import ServiceChooser
from kiosk.ui.selfservice_widgets import big_button, hall_label
from kiosk.ui.step_widgets import Retranslating, pick
from kiosk.ui.touch_input import NumPad, TouchKeyboard
from kiosk.ui.worker import run_call, run_job

log = logging.getLogger(__name__)

CONSENT_VERSION = "hall-2026.1"
#: Field types typed without Telex composition (numbers, codes, e-mail addresses).
PLAIN_TYPES = ("email", "phone", "id_number", "number", "money", "date", "datetime")

class CardStep(Retranslating, QWidget):
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
        self._status_key, self._extra, self._state = "", None, ""
        layout = QVBoxLayout(self)
        self.title = hall_label(self, "pageTitle")
        layout.addWidget(self.title)
        self.consent = hall_label(self, "consentText")
        layout.addWidget(self.consent)
        row = QHBoxLayout()
        self.agree = big_button(QPushButton(self))
        self.agree.setObjectName("consentAgree")
        self.skip = big_button(QPushButton(self))
        self.skip.setObjectName("consentSkip")
        self.quick = big_button(QPushButton(self))
        self.quick.setObjectName("ticketWithoutForm")
        for b in (self.agree, self.skip, self.quick):
            row.addWidget(b)
        layout.addLayout(row)
        self.reader_box = QWidget(self)
        box = QHBoxLayout(self.reader_box)
        left = QVBoxLayout()
        self.instruction = hall_label(self.reader_box, "cardInstruction")
        left.addWidget(self.instruction)
        self.can = QLineEdit(self.reader_box)
        self.can.setObjectName("canInput")
        self.can.setMaxLength(6)
        self.can.setProperty("numpad", True)
        self.can.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.can.setReadOnly(True)  # typed on the numpad, not on a keyboard
        left.addWidget(self.can)
        self.status = hall_label(self.reader_box, "cardStatus")
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

    def reset(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.task = None
        self.consented = False
        self.can.clear()
        self._status_key, self._extra, self._state = "", None, ""
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

    def _say(self, key: str, extra: Explanation | None = None, state: str = "") -> None:
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
        self.status.setText(text.replace("%1", self._extra.text(current_language()) if self._extra else ""))
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
            self.task = None
            said = explain(exc)
            if said.code == "AccessDenied":  # the hall's own words: the citizen typed the CAN
                self._say("denied", state="error")
            elif is_chip_error(exc):
                self._say("error", said, "error")
            else:  # the reader or the card service failed: plain words for the citizen, the kind in the log
                log.warning("hall card read failed: %s", type(exc).__name__)
                self._say("failed", state="error")

        self.task = run_job(lambda report, cancel: cards.read(principal, key, "", report, cancel),
                            on_result=done, on_error=failed)


class TicketView(Retranslating, QWidget):
    """The number taken: large, with the wait, the counter group and the print's outcome."""

    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.headline = hall_label(self, "ticketHeadline")
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number = hall_label(self, "ticketNumber", wrap=False)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.details = hall_label(self, "ticketDetails")
        self.details.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.print_status = hall_label(self, "ticketPrintStatus")
        self.print_status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_button = big_button(QPushButton(self))
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
        self.message = hall_label(self, "takeMessage")
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
            self.ticket.show_ticket(taken, pick(group.name_vi, group.name_en))
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
                self.message.setText(explain(exc).text(current_language()))

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
