"""The dossier page (tiếp nhận hồ sơ): pick one of the 25 services, fill its wizard, then the saved
dossier's tracking code and receipt. Leaving a half-filled wizard asks first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.ui.fields import iso_to_display
from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.step_widgets import pick
from kiosk.ui.wizard import DossierWizard
from kiosk.ui.wizard_steps import ServicePicker
from kiosk.ui.worker import run_call


class DoneView(QWidget):
    """The dossier is saved: its tracking code and appointment date, then the next citizen."""

    new_dossier = Signal()
    print_receipt = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.headline = QLabel(self)
        self.headline.setObjectName("doneHeadline")
        self.code = QLabel(self)
        self.code.setObjectName("trackingCode")
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel(self)
        self.details.setObjectName("doneDetails")
        self.details.setWordWrap(True)
        self.print_status = QLabel(self)
        self.print_status.setObjectName("printStatus")
        self.print_status.setWordWrap(True)
        for w in (self.headline, self.code, self.details, self.print_status):
            layout.addWidget(w)
        row = QHBoxLayout()
        self.print_button = QPushButton(self)
        self.print_button.setObjectName("printReceipt")
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("newDossier")
        self.new_button.setDefault(True)
        for button in (self.print_button, self.new_button):
            button.setAutoDefault(True)  # Enter presses the button that has the cursor
        row.addWidget(self.print_button)
        row.addWidget(self.new_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.new_button.clicked.connect(self.new_dossier)
        self.print_button.clicked.connect(lambda: self.print_receipt.emit(self.code.text()))
        self.result = None
        self.retranslate()

    def retranslate(self) -> None:
        self.headline.setText(self.tr("Đã tiếp nhận hồ sơ"))
        self.print_button.setText(self.tr("In phiếu hẹn"))
        self.new_button.setText(self.tr("Hồ sơ mới"))
        if self.result is not None:
            self.show_result(self.result)

    def show_result(self, result) -> None:
        self.result = result
        self.print_status.clear()
        self.code.setText(result.tracking_code)
        lines = [self.tr("Trạng thái: đã tiếp nhận")]
        if result.appointment_date:
            lines.append(self.tr("Ngày hẹn trả kết quả: %1").replace("%1", iso_to_display(result.appointment_date)))
        for warning in result.warnings:
            lines.append("⚠ " + pick(warning.message_vi, warning.message_en))
        self.details.setText("\n".join(lines))


class DossierPage(QWidget):
    """Service picker → wizard → done. The wizard stays while the officer reads other cards; cancelling
    a half-filled one asks first."""

    received = Signal(object)  # the Submitted answer, once the wizard's dossier is saved

    def __init__(self, kiosk, principal_fn, current_citizen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossierPage")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.current_citizen = current_citizen
        self.stack = QStackedWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self.picker = ServicePicker(kiosk.catalog, self)
        self.done = DoneView(self)
        self.stack.addWidget(self.picker)
        self.stack.addWidget(self.done)
        self.wizard: DossierWizard | None = None
        self.picker.chosen.connect(self.start)
        self.picker.resume.connect(self.resume)
        self.done.new_dossier.connect(self.reset)
        self.done.print_receipt.connect(self.print_receipt)
        self.printer = PrintRunner(kiosk, self.done.print_button, self.done.print_status)
        self.reset()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stack.currentWidget() is self.picker:
            self.picker.search.setFocus()

    def print_receipt(self, code: str) -> None:
        """Print the receipt in the background; a failed printer loses nothing (the next press retries the job)."""
        self.printer.start(self.principal_fn(), code, "receipt", PrintTexts(
            busy=self.tr("Đang in phiếu hẹn…"),
            progress=self.tr("Đang in phiếu hẹn… %1 %"),
            done=self.tr("Đã in phiếu hẹn."),
            failed=self.tr("Chưa in được: %1 Hồ sơ đã được lưu; bấm In phiếu hẹn để in lại."),
        ))

    def refresh_drafts(self) -> None:
        principal = self.principal_fn()
        if principal is None:
            return
        run_call(lambda: self.kiosk.dossiers.list_drafts(principal), on_result=self.picker.set_drafts,
                 on_error=lambda _e: self.picker.set_drafts([]))

    def reset(self) -> None:
        self._drop_wizard()
        self.stack.setCurrentWidget(self.picker)
        self.picker.search.clear()
        self.picker.search.setFocus()
        self.refresh_drafts()

    def start(self, service_no: int) -> DossierWizard:
        self._drop_wizard()
        wizard = DossierWizard(self.kiosk, self.principal_fn, self.current_citizen, self.kiosk.catalog.get(service_no), self)
        wizard.submitted.connect(self._submitted)
        wizard.cancelled.connect(self._cancel)
        self.stack.addWidget(wizard)
        self.stack.setCurrentWidget(wizard)
        self.wizard = wizard
        return wizard

    def resume(self, draft_id: str) -> None:
        def loaded(draft) -> None:
            wizard = self.start(draft.info.service_no)
            wizard.draft_id = draft.info.id
            if draft.citizen:
                wizard.persons.snapshots["applicant"] = draft.citizen
            for role, snap in draft.persons.items():
                wizard.persons.snapshots[role] = snap
            wizard.persons.refresh()
            wizard.set_values(draft.form)
            wizard.apply_prefill()
            step_index = next((i for i, (sid, _t, _w) in enumerate(wizard.steps) if sid == draft.info.step), 0)
            wizard.go(step_index, save=False)

        principal = self.principal_fn()
        run_call(lambda: self.kiosk.dossiers.load_draft(principal, draft_id), on_result=loaded)

    def open_draft(self, service_no: int, citizen: dict | None, form: dict | None, origin: str = "",
                   state: str = "") -> DossierWizard:
        """The wizard of `service_no` filled from a citizen's draft (a hall ticket): the chip, then the form."""
        wizard = self.start(service_no)
        if citizen:
            wizard.persons.snapshots["applicant"] = citizen
            wizard.persons.refresh()
        wizard.set_values(form or {})
        wizard.apply_prefill()
        wizard.touched = True
        wizard.show_origin(origin, state)
        return wizard

    def keep_and_reset(self) -> None:
        """On logout: a half-filled wizard is kept as a draft, then nothing of it stays on screen."""
        if self.wizard is not None and self.wizard.touched:
            self.wizard.save_draft()
        self.reset()

    def _submitted(self, result) -> None:
        self._drop_wizard()
        self.received.emit(result)
        self.done.show_result(result)
        self.stack.setCurrentWidget(self.done)
        self.done.print_button.setFocus()  # Enter prints the receipt the citizen takes away

    def _cancel(self) -> None:
        if self.confirm_leave():
            self.reset()

    def _drop_wizard(self) -> None:
        if self.wizard is not None:
            self.stack.removeWidget(self.wizard)
            self.wizard.deleteLater()
            self.wizard = None

    def confirm_leave(self) -> bool:
        """Cancelling a half-filled wizard asks first: keep it as a draft, drop it, or stay."""
        wizard = self.wizard
        if wizard is None or not wizard.touched:
            return True
        box = QMessageBox(self)
        box.setObjectName("leaveWizardBox")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Hồ sơ chưa nộp"))
        box.setText(self.tr("Hồ sơ này chưa được nộp. Giữ lại làm bản nháp?"))
        keep = box.addButton(self.tr("Giữ bản nháp"), QMessageBox.ButtonRole.AcceptRole)
        drop = box.addButton(self.tr("Bỏ hồ sơ"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Ở lại"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        clicked = box.clickedButton()
        if clicked is keep:
            wizard.save_draft()
            wizard.touched = False
            return True
        if clicked is drop:
            draft_id, principal = wizard.draft_id, self.principal_fn()
            if draft_id:
                run_call(lambda: self.kiosk.dossiers.discard_draft(principal, draft_id))
            wizard.touched = False
            return True
        return False
