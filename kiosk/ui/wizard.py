"""The dossier wizard (tiếp nhận hồ sơ) of one service, built from its catalog file: persons, the
service's own steps, documents, fee, review, then the submit.

What the chips say is prefilled and locked; every step is checked by the dossier service (inline
errors beside each field); the state is kept as a draft at each step. The steps are in
`kiosk.ui.wizard_steps`, the fee and review texts in `kiosk.ui.wizard_review`, the page around the
wizard in `kiosk.ui.dossier_page`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.domain.catalog import Service, conditions_hold
from kiosk.services.explain import explain
from kiosk.ui.fields import FieldEditor
from kiosk.ui.i18n import current_language
from kiosk.ui.step_widgets import Retranslating, pick, scrolled_text, step_buttons
from kiosk.ui.wizard_review import fee_html, review_html
from kiosk.ui.wizard_steps import DocumentsStep, FormStep, PersonsStep
from kiosk.ui.worker import run_call


class DossierWizard(Retranslating, QWidget):
    """One service's wizard; emits `submitted` with the service's answer (code, appointment date).

    `hall=True` is the citizen's own form at the hall kiosk: the applicant is the card read there, no
    other person's card and no documents are taken, nothing is kept as a draft in the database, and the
    last step emits `draft_ready(form, citizen)` for a queue ticket instead of receiving a dossier.
    """

    submitted = Signal(object)
    cancelled = Signal()
    draft_ready = Signal(object, object)

    def __init__(self, kiosk, principal_fn, current_citizen, service: Service, parent: QWidget | None = None,
                 hall: bool = False) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.service = service
        self.hall = hall
        self.draft_id: str | None = None
        self.locked: dict[str, str] = {}
        self.touched = False
        self._filling = False  # values set by the program (chip, draft) are not the officer's edits
        self._build_frame()
        self._build_steps(current_citizen)
        self.cancel_button.clicked.connect(self.cancelled)
        self.back_button.clicked.connect(lambda: self.go(self._step_after(self.stack.currentIndex(), -1)))
        self.next_button.clicked.connect(self.next_step)
        self.submit_button.clicked.connect(self.submit)
        citizen = current_citizen()
        applicant = next((p for p in service.persons if p.role == "applicant"), None)
        if citizen is not None and (applicant is None or applicant.reads_card):
            self.persons.snapshots["applicant"] = citizen
            self.persons.refresh()
        self.retranslate()
        self._prefilled = False
        self.go(1 if self._persons_done() else 0, save=False)
        self.apply_prefill()

    def _build_frame(self) -> None:
        """The title, the step's name, the draft's origin, the message line, the steps and their buttons."""
        service = self.service
        layout = QVBoxLayout(self)
        self.title = QLabel(f"{service.number}. {pick(service.name_vi, service.name_en)}", self)
        self.title.setObjectName("pageTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.step_label = QLabel(self)
        self.step_label.setObjectName("stepLabel")
        layout.addWidget(self.step_label)
        self.origin = QLabel(self)  # where a draft came from (a hall ticket) and its chip's verdict
        self.origin.setObjectName("wizardOrigin")
        self.origin.setWordWrap(True)
        self.origin.hide()
        layout.addWidget(self.origin)
        self.message = QLabel(self)
        self.message.setObjectName("wizardMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.stack = QStackedWidget(self)
        layout.addWidget(self.stack, 1)
        self.cancel_button, self.back_button, self.next_button, self.submit_button, buttons = step_buttons(
            self, "wizard", "Cancel")
        layout.addLayout(buttons)

    def _build_steps(self, current_citizen) -> None:
        """Persons, the catalog's form steps, documents, fee, review; the hall leaves out persons and documents."""
        service, hall = self.service, self.hall
        self.steps: list[tuple[str, Any, QWidget]] = []
        self.persons = PersonsStep(service, current_citizen, self)
        self.persons.assigned.connect(self.apply_prefill)
        self.persons.problem.connect(self.message.setText)
        if service.persons and not hall:
            self._add_step("persons", lambda: self.tr("Người tham gia"), self.persons)
        else:
            self.persons.hide()  # kept for its snapshots, never shown
        self.form_steps: dict[str, FormStep] = {}
        for step in service.steps:
            widget = FormStep(service, step.fields, self._field_changed, self)
            self.form_steps[step.id] = widget
            self._add_step(step.id, lambda s=step: pick(s.title_vi, s.title_en), widget)
        self.documents = DocumentsStep(self)
        if not hall:  # papers are handed in at the counter; the hall's guide lists them
            self._add_step("documents", lambda: self.tr("Giấy tờ"), self.documents)
        else:
            self.documents.hide()
        self.fee_view = QLabel(self)
        self.fee_view.setObjectName("feeView")
        self.fee_view.setWordWrap(True)
        self.fee_view.setAlignment(Qt.AlignmentFlag.AlignTop)
        self._add_step("fee", lambda: self.tr("Lệ phí và ngày hẹn"), self.fee_view)
        self.review, review_scroll = scrolled_text(self, "reviewView")
        self.review.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._add_step("review", lambda: self.tr("Xem lại và nộp"), review_scroll)

    def _persons_done(self, form: dict[str, Any] | None = None) -> bool:
        """The persons step has nothing left: the applicant read from the card, and the others are only
        representatives the law does not ask for by what the form says (an adult registering for
        themselves). `form`: the chip's data filled in; until then only a service with the applicant
        alone is decided. A service with other people (parents, co-owners) keeps the step."""
        if "applicant" not in self.persons.snapshots:
            return False
        others = [p for p in self.service.persons if p.role != "applicant"]
        if not others:
            return True
        return form is not None and not any(
            p.represents is None or p.role in self.persons.snapshots or p.needed(form, date.today()) for p in others)

    def _idle(self, index: int, form: dict[str, Any]) -> bool:
        """A form step with nothing for this dossier: all its fields belong to representatives the law
        does not ask for here (the guardian of an adult), none of them read from a card or typed. The
        check of the other steps still asks for them if an answer changes that."""
        step_id = self.steps[index][0]
        if step_id not in self.form_steps:
            return False
        editors = self.form_steps[step_id].editors.values()
        roles = {e.field.person for e in editors}
        persons = {p.role: p for p in self.service.persons if p.represents is not None}
        if not roles or not roles <= set(persons):
            return False
        return not any(persons[r].needed(form, date.today()) or r in self.persons.snapshots for r in roles) and all(
            e.value() in (None, "", []) for e in editors)

    def _step_after(self, index: int, direction: int = 1) -> int:
        """The next step to show going forward (or back), past the steps with nothing for this dossier."""
        form = self.values()
        index += direction
        while 0 < index < len(self.steps) - 1 and self._idle(index, form):
            index += direction
        return index

    def _add_step(self, step_id: str, title, widget: QWidget) -> None:
        self.steps.append((step_id, title, widget))
        self.stack.addWidget(widget)

    def retranslate(self) -> None:
        self.cancel_button.setText(self.tr("Bỏ, làm lại từ đầu") if self.hall else self.tr("Hủy hồ sơ"))
        self.back_button.setText(self.tr("Quay lại"))
        self.next_button.setText(self.tr("Tiếp tục"))
        self.submit_button.setText(self.tr("Lấy số thứ tự") if self.hall else self.tr("Nộp hồ sơ"))
        self._show_step_label()

    @property
    def principal(self):
        return self.principal_fn()

    @property
    def citizen(self) -> dict | None:
        return self.persons.snapshots.get("applicant")

    def editors(self) -> dict[str, FieldEditor]:
        out: dict[str, FieldEditor] = {}
        for step in self.form_steps.values():
            out.update(step.editors)
        return out

    def values(self) -> dict[str, Any]:
        """The form as typed, without the fields that its own answers hide."""
        editors = self.editors()
        raw = {fid: e.value() for fid, e in editors.items()}
        raw = {fid: v for fid, v in raw.items() if v is not None and v != []}
        return {fid: v for fid, v in raw.items() if conditions_hold(editors[fid].field.when, raw)}

    def set_values(self, values: dict[str, Any]) -> None:
        editors = self.editors()
        self._filling = True
        try:
            for fid, value in values.items():
                if fid in editors:
                    editors[fid].set_value(value)
        finally:
            self._filling = False
        self._refresh_visibility()

    def _field_changed(self, _fid: str) -> None:
        if not self._filling:
            self.touched = True
        self._refresh_visibility()

    def _refresh_visibility(self) -> None:
        values = self.values()
        for step in self.form_steps.values():
            step.update_visibility(values)

    def apply_prefill(self) -> None:
        """Fill and lock what the chips say; a person removed unlocks their fields again."""
        persons = self.persons.persons_payload()
        citizen = self.citizen
        service_no = self.service.number
        self._prefill_asked = getattr(self, "_prefill_asked", 0) + 1
        asked = self._prefill_asked

        def done(prefill) -> None:
            if asked != self._prefill_asked:
                return  # an older answer (the people changed since it was asked): the newer one decides
            editors = self.editors()
            self._filling = True
            for fid in set(self.locked) - set(prefill.locked):
                if fid in editors:
                    editors[fid].unlock()
                    editors[fid].set_value(None)
            roles = {p.role: pick(p.label_vi, p.label_en).lower() for p in self.service.persons}
            for fid, value in prefill.values.items():
                if fid in editors:
                    editors[fid].set_value(value)
                    editors[fid].lock(self.tr("từ chip của %1").replace("%1", roles.get(prefill.locked[fid], "")))
            self.locked = dict(prefill.locked)
            self._filling = False
            self._refresh_visibility()
            first, self._prefilled = not self._prefilled, True
            if first and self.current_step_id() == "persons" and not self.touched and self._persons_done(self.values()):
                self.go(self._step_after(self.stack.currentIndex()), save=False)  # the chip said who takes part

        principal = self.principal
        run_call(lambda: self.kiosk.dossiers.prefill(principal, service_no, citizen, persons),
                 on_result=done, on_error=self._service_error)

    def _show_step_label(self) -> None:
        index = self.stack.currentIndex()
        if 0 <= index < len(self.steps):
            self.step_label.setText(self.tr("Bước %1/%2: %3").replace("%1", str(index + 1)).replace(
                "%2", str(len(self.steps))).replace("%3", self.steps[index][1]()))

    def current_step_id(self) -> str:
        return self.steps[self.stack.currentIndex()][0]

    def go(self, index: int, save: bool = True) -> None:
        if not 0 <= index < len(self.steps):
            return
        step_id = self.steps[index][0]
        values = self.values()
        if step_id == "documents":
            self.documents.show_documents(self.service.documents_for(values))
        elif step_id == "fee":
            people = 1 + len(self.persons.persons_payload())
            self.fee_view.setText(fee_html(self.service, values, people, self.kiosk.calendar.calendar))
        elif step_id == "review":
            self.review.setText(review_html(self.service, values, self.persons.snapshots, len(self.documents.scans)))
        self.stack.setCurrentIndex(index)
        self.back_button.setEnabled(index > 0)
        self.next_button.setVisible(index < len(self.steps) - 1)
        self.submit_button.setVisible(index == len(self.steps) - 1)
        self.message.clear()
        self._show_step_label()
        self.focus_step()
        if save:
            self.save_draft()

    def focus_step(self) -> None:
        """Put the cursor where the officer types next: the first empty field of a form step (else its
        first open field), the first document not yet ticked, or the button that goes on."""
        step_id, widget = self.current_step_id(), self.stack.currentWidget()
        target: QWidget | None = None
        if step_id in self.form_steps:
            open_ = [e for e in self.form_steps[step_id].editors.values()
                     if e.isVisibleTo(self) and e.input.isEnabled() and e.field.type != "file"]
            empty = [e for e in open_ if e.value() in (None, [], False)]
            target = (empty or open_ or [None])[0]
            target = target.input if target is not None else None
        elif step_id == "documents":
            target = next((b for b in self.documents.received.values() if not b.isChecked()), None)
        target = target or (self.submit_button if step_id == "review" else self.next_button)
        if widget.isVisible():
            target.setFocus()

    def keyPressEvent(self, event) -> None:
        # Enter goes on (the next step, or submitting on the review), wherever the cursor is; a text
        # box of several lines keeps its Enter for new lines.
        plain = event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain:
            if self.current_step_id() == "review":
                if self.submit_button.isEnabled():
                    self.submit()
            else:
                self.next_step()
            return
        super().keyPressEvent(event)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.focus_step()

    def next_step(self) -> None:
        """Check this step with the dossier service; go on only when it has no error."""
        step_id = self.current_step_id()
        index = self.stack.currentIndex()
        if step_id == "documents":
            missing = self.documents.missing()
            if missing:
                self.message.setText(self.tr("Còn thiếu: %1").replace("%1", "; ".join(missing)))
                return
            self.go(self._step_after(index))
            return
        if step_id not in self.form_steps:
            self.go(self._step_after(index))
            return
        form, citizen, persons = self.values(), self.citizen, self.persons.persons_payload()
        service_no = self.service.number

        def checked(issues) -> None:
            errors = [i for i in issues if i.severity == "error"]
            self._show_issues(issues)
            if not errors:
                self.go(self._step_after(index))

        principal = self.principal
        run_call(lambda: self.kiosk.dossiers.validate(principal, service_no, form, citizen, persons, step=step_id),
                 on_result=checked, on_error=self._service_error)

    def _show_issues(self, issues) -> None:
        editors = self.editors()
        by_field: dict[str, list[str]] = {}
        for issue in issues:
            by_field.setdefault(issue.field, []).append(pick(issue.message_vi, issue.message_en))
        for fid, editor in editors.items():
            editor.show_error(" ".join(by_field.get(fid, [])))
        general = [m for f, ms in by_field.items() if f not in editors for m in ms]
        self.message.setText("\n".join(general))

    def attachments(self):
        from kiosk.services.dossiers import AttachmentIn

        return [AttachmentIn(doc_id, name, media, data) for doc_id, (name, media, data) in self.documents.scans.items()]

    def show_origin(self, text: str, state: str = "") -> None:
        """A line that stays above the steps: where the draft came from, the chip's verdict."""
        from kiosk.ui.messages import set_state

        self.origin.setText(text)
        self.origin.setVisible(bool(text))
        set_state(self.origin, state)

    def save_draft(self) -> None:
        if self.hall:
            return  # the hall keeps nothing of a citizen in its database before the ticket
        form, citizen, persons = self.values(), self.citizen, self.persons.persons_payload()
        service_no, step, draft_id = self.service.number, self.current_step_id(), self.draft_id

        def saved(info) -> None:
            self.draft_id = info.id

        principal = self.principal
        run_call(lambda: self.kiosk.dossiers.save_draft(principal, service_no, form, citizen, persons, step, draft_id),
                 on_result=saved, on_error=self._service_error)

    def submit(self) -> None:
        if self.hall:
            self.draft_ready.emit(self.values(), self.citizen)
            return
        form, citizen, persons = self.values(), self.citizen, self.persons.persons_payload()
        attachments, service_no, draft_id = self.attachments(), self.service.number, self.draft_id
        self.submit_button.setEnabled(False)
        self.message.setText(self.tr("Đang lưu hồ sơ…"))

        def done(result) -> None:
            self.touched = False
            self.submitted.emit(result)

        def failed(exc: Exception) -> None:
            self.submit_button.setEnabled(True)
            self._service_error(exc)

        principal = self.principal
        run_call(lambda: self.kiosk.dossiers.submit(principal, service_no, citizen, persons, form, attachments,
                                                    draft_id=draft_id),
                 on_result=done, on_error=failed)

    def _service_error(self, exc: Exception) -> None:
        """A refusal: each field's reasons beside it (the first refused field's step is shown), a lapsed
        session or any other error on the message line."""
        said = explain(exc)
        if said.issues:
            self._show_issues(said.issues)
            editors = self.editors()
            first = next((i.field for i in said.issues if i.field in editors), None)
            if first is not None:
                for index, (step_id, _title, _w) in enumerate(self.steps):
                    if step_id in self.form_steps and first in self.form_steps[step_id].editors:
                        self.go(index, save=False)
                        self._show_issues(said.issues)
                        break
        elif said.code == "session_expired":  # the wizard adds that the draft is kept
            self.message.setText(self.tr("Phiên làm việc đã hết; bản nháp đã được giữ. Hãy đăng nhập lại."))
        else:
            self.message.setText(said.text(current_language(), self.tr("Lỗi không mong đợi (%1); hồ sơ chưa được lưu.")))
