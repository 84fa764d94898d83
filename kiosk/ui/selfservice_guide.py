"""The hall's guide (hướng dẫn thủ tục): the services by counter group, and one service's papers, fee and
time with its printable checklist."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.selfservice_widgets import big_button, hall_label
from kiosk.ui.step_widgets import Retranslating, pick


class ServiceChooser(Retranslating, QWidget):
    """The service groups in plain words, then the services of the chosen group."""

    chosen = Signal(int)

    def __init__(self, kiosk, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.letter: str | None = None
        layout = QVBoxLayout(self)
        self.title = hall_label(self, "pageTitle")
        layout.addWidget(self.title)
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        layout.addWidget(self.scroll, 1)
        self.back = big_button(QPushButton(self), 14.0)
        self.back.setObjectName("chooserBack")
        self.back.clicked.connect(lambda: self.show_groups())
        layout.addWidget(self.back, 0, Qt.AlignmentFlag.AlignLeft)
        self.buttons: dict[str, QPushButton] = {}
        self.show_groups()

    def show_groups(self) -> None:
        self.letter = None
        self._fill([(f"group_{g.letter}", lambda g=g: pick(g.name_vi, g.name_en), lambda _c=False, g=g: self.open(g.letter))
                    for g in self.kiosk.guide.groups()], columns=2)
        self.back.hide()
        self.retranslate()

    def open(self, letter: str) -> None:
        self.letter = letter
        services = self.kiosk.guide.services_of(letter)
        self._fill([(f"service_{s.number}", lambda s=s: f"{s.number}. {pick(s.name_vi, s.name_en)}",
                     lambda _c=False, n=s.number: self.chosen.emit(n)) for s in services], columns=1)
        self.back.show()
        self.retranslate()

    def _fill(self, items, columns: int) -> None:
        body = QWidget(self.scroll)
        grid = QGridLayout(body)
        self.buttons = {}
        self._texts = {}
        for i, (name, text, slot) in enumerate(items):
            button = big_button(QPushButton(body), 16.0)
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
            self.title.setText(pick(group.name_vi, group.name_en))
        self.back.setText(self.tr("⟵ Các nhóm khác"))
        for name, button in self.buttons.items():
            button.setText(self._texts[name]())


class GuidePage(Retranslating, QWidget):
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
        self.detail = hall_label(detail, "guideDetail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(detail)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        box.addWidget(scroll, 1)
        self.print_status = hall_label(detail, "checklistStatus")
        box.addWidget(self.print_status)
        row = QHBoxLayout()
        self.back_button = big_button(QPushButton(detail), 16.0)
        self.back_button.setObjectName("guideBack")
        self.print_button = big_button(QPushButton(detail), 16.0)
        self.print_button.setObjectName("printChecklist")
        self.take_button = big_button(QPushButton(detail), 16.0)
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

    def show_service(self, number: int) -> None:
        self.service_no = number
        g = self.kiosk.guide.describe(number)
        s = g.service

        def lines(items) -> str:
            return "".join(f"<li>{pick(x.text_vi, x.text_en)}</li>" for x in items)

        parts = [
            f"<h2>{s.number}. {pick(s.name_vi, s.name_en)}</h2>",
            f"<p><b>{self.tr('Để làm gì')}:</b> {pick(g.entry.purpose_vi, g.entry.purpose_en)}</p>",
            f"<p><b>{self.tr('Ai được yêu cầu')}:</b> {pick(g.entry.who_vi, g.entry.who_en)}</p>",
            f"<p><b>{self.tr('Giấy tờ cần mang')}:</b></p><ul>{lines(g.documents) or '<li>—</li>'}</ul>",
            f"<p><b>{self.tr('Lệ phí (nộp trực tiếp / trực tuyến)')}:</b></p><ul>{lines(g.fees)}</ul>",
            f"<p><b>{self.tr('Thời hạn giải quyết')}:</b> {pick(g.processing.text_vi, g.processing.text_en)}<br>"
            f"<b>{pick(g.ready.text_vi, g.ready.text_en)}</b></p>",
            f"<p><b>{self.tr('Kết quả')}:</b></p><ul>{lines(g.result)}<li>{pick(g.where.text_vi, g.where.text_en)}</li></ul>",
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
