"""Printing again for the dossier selected in the officer's list: its receipt (phiếu hẹn, Mẫu 01), and while
it waits for a supplement or was refused, the notice for the citizen (Mẫu 02 / Mẫu 03).

Each print is a recorded print job (`PrintRunner`); what came of it is said on the line under the buttons.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.domain.receipt import NOTICE_FORMS
from kiosk.ui.labels import wrapped_label
from kiosk.ui.print_job import PrintRunner, PrintTexts


class DossierPrints(QWidget):
    """"In lại phiếu hẹn", the notice button when the status has one, and the print status."""

    def __init__(self, kiosk, principal_fn: Callable[[], Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.record: dict[str, Any] | None = None  # the dossier shown on the page
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("reprintReceipt")
        # Mẫu 02 / Mẫu 03: offered while the dossier waits for a supplement or was refused.
        self.notice_button = QPushButton(self)
        self.notice_button.setObjectName("printNotice")
        self.print_status = wrapped_label(self, "reprintStatus")
        self.print_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.notice_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.print_status)
        self.printer = PrintRunner(kiosk, self.reprint_button, self.print_status)
        self.notice_printer = PrintRunner(kiosk, self.notice_button, self.print_status)
        self.reprint_button.clicked.connect(self.reprint)
        self.notice_button.clicked.connect(self.print_notice)
        self.retranslate()

    def retranslate(self) -> None:
        self.reprint_button.setText(self.tr("In lại phiếu hẹn"))
        self.show_for(self.record)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_for(self, record: dict[str, Any] | None) -> None:
        """The buttons for `record` (the receipt always, the notice when its status has one); none without."""
        self.record = record
        has = record is not None
        self.reprint_button.setEnabled(has and (self.printer.task is None or self.printer.task.done))
        notice = has and record["status"] in NOTICE_FORMS
        self.notice_button.setVisible(notice)
        self.notice_button.setEnabled(notice and (self.notice_printer.task is None or self.notice_printer.task.done))
        if notice:
            supplement = record["status"] == "supplement_requested"
            code = "Mẫu 02" if supplement else "Mẫu 03"
            if record.get("service_no") in self.kiosk.catalog:
                code = self.kiosk.catalog.get(record["service_no"]).notice_form(
                    "supplement" if supplement else "refusal").code
            self.notice_button.setText(
                (self.tr("In phiếu yêu cầu bổ sung (%1)") if supplement else self.tr("In phiếu từ chối (%1)"))
                .replace("%1", code))

    def reprint(self) -> None:
        """The receipt (Mẫu 01) of the selected dossier again, as a recorded print job (see PrintRunner)."""
        if self.record is None:
            return
        self.printer.start(self.principal_fn(), self.record["tracking_code"], "receipt", PrintTexts(
            busy=self.tr("Đang in lại phiếu hẹn…"),
            progress=self.tr("Đang in lại phiếu hẹn… %1 %"),
            done=self.tr("Đã in lại phiếu hẹn."),
            failed=self.tr("Chưa in được: %1 Bấm In lại phiếu hẹn để thử lại."),
        ))

    def print_notice(self) -> None:
        """Mẫu 02 (supplement requested) or Mẫu 03 (refused) for the selected dossier, from its history note."""
        if self.record is None or self.record["status"] not in NOTICE_FORMS:
            return
        self.notice_printer.start(self.principal_fn(), self.record["tracking_code"], "status_notice", PrintTexts(
            busy=self.tr("Đang in phiếu…"),
            progress=self.tr("Đang in phiếu… %1 %"),
            done=self.tr("Đã in phiếu cho công dân."),
            failed=self.tr("Chưa in được phiếu: %1 Bấm nút in phiếu để thử lại."),
        ))

    def reset(self) -> None:
        """Logout: a print still running no longer reports here, and its status line is cleared."""
        for task in (self.printer.task, self.notice_printer.task):
            if task is not None and not task.done:
                for signal in (task.signals.returned, task.signals.errored, task.signals.progress):
                    with contextlib.suppress(RuntimeError, TypeError):
                        signal.disconnect()
        self.print_status.clear()
