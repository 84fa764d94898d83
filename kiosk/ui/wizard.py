"""The dossier page (tiếp nhận hồ sơ): pick one of the 25 services, then a wizard built from its
catalog file — persons, the service's own steps, documents, fee, review — and the submit.

What the chips say is prefilled and locked; every step is checked by the dossier service (inline
errors in Vietnamese); the state is kept as a draft at each step; leaving a half-filled wizard asks.
"""

from __future__ import annotations

import mimetypes
from datetime import date, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.catalog import Service, conditions_hold
from kiosk.ui.fields import FieldEditor, iso_to_display
from kiosk.ui.i18n import current_language
from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.service_info import fee_lines_html, service_info_html
from kiosk.ui.worker import run_call


def _pick(vi: str, en: str) -> str:
    return en if current_language() == "en" and en else vi


def _money(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", ".") + " đ"


def scrolled_text(parent: QWidget, name: str) -> tuple[QLabel, QScrollArea]:
    """A wrapped, top-aligned text in a vertical scroll area (the service panel, the review)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(label)
    return label, scroll


def step_buttons(parent: QWidget, prefix: str, first: str):
    """The row under a step-by-step page: a leading button, then Back, Next and Submit on the right."""
    buttons = QHBoxLayout()
    made = []
    for name in (first, "Back", "Next", "Submit"):
        button = QPushButton(parent)
        button.setObjectName(f"{prefix}{name}")
        button.setAutoDefault(True)  # Enter presses the button that has the cursor
        made.append(button)
    made[2].setDefault(True)
    buttons.addWidget(made[0])
    buttons.addStretch(1)
    for button in made[1:]:
        buttons.addWidget(button)
    return (*made, buttons)


class ServicePicker(QWidget):
    """The 25 services, most used first, searchable by name (with or without accents) or number."""

    chosen = Signal(int)
    resume = Signal(str)

    def __init__(self, catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.catalog = catalog
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.search = QLineEdit(self)
        self.search.setObjectName("serviceSearch")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName("serviceList")
        self.info, info_scroll = scrolled_text(self, "serviceInfo")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        row = QHBoxLayout()
        row.addWidget(self.list, 3)
        row.addWidget(info_scroll, 2)
        layout.addLayout(row, 3)
        self.drafts_title = QLabel(self)
        layout.addWidget(self.drafts_title)
        self.drafts = QListWidget(self)
        self.drafts.setObjectName("draftList")
        self.drafts.setMaximumHeight(120)
        layout.addWidget(self.drafts, 1)
        self.search.textChanged.connect(self.refresh)
        self.search.returnPressed.connect(self._choose_current)
        self.list.itemActivated.connect(lambda item: self.chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.currentItemChanged.connect(self._show_info)
        self.drafts.itemActivated.connect(lambda item: self.resume.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Chọn dịch vụ công"))
        self.search.setPlaceholderText(self.tr("Tìm theo tên hoặc số (ví dụ: tam tru, 4)"))
        self.drafts_title.setText(self.tr("Bản nháp của bạn (Enter để tiếp tục)"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refresh(self) -> None:
        text = self.search.text().strip()
        services = self.catalog.search(text) if text else self.catalog.all()
        self.list.clear()
        for service in services:
            item = QListWidgetItem(f"{service.number}. {_pick(service.name_vi, service.name_en)}", self.list)
            item.setData(Qt.ItemDataRole.UserRole, service.number)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _show_info(self, item, _previous=None) -> None:
        """The selected service's code, forms, fee in force today, exemptions and time; unconfirmed values marked."""
        if item is None:
            self.info.clear()
            return
        self.info.setText(service_info_html(self.catalog.get(item.data(Qt.ItemDataRole.UserRole)), datetime.now().date()))

    def set_drafts(self, drafts) -> None:
        self.drafts.clear()
        for draft in drafts:
            service = self.catalog.get(draft.service_no)
            when = iso_to_display(draft.updated_at[:10])
            item = QListWidgetItem(f"{service.number}. {_pick(service.name_vi, service.name_en)} — {when}", self.drafts)
            item.setData(Qt.ItemDataRole.UserRole, draft.id)
        self.drafts.setVisible(bool(drafts))
        self.drafts_title.setVisible(bool(drafts))

    def _choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))


class PersonsStep(QWidget):
    """Who takes part: each person's card read on the card page and taken here, or data typed."""

    assigned = Signal()
    problem = Signal(str)

    def __init__(self, service: Service, current_citizen, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.current_citizen = current_citizen
        self.snapshots: dict[str, dict] = {}
        grid = QGridLayout(self)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        grid.addWidget(self.hint, 0, 0, 1, 4)
        self.status: dict[str, QLabel] = {}
        self.take: dict[str, QPushButton] = {}
        self.clear: dict[str, QPushButton] = {}
        for row, person in enumerate(service.persons, start=1):
            grid.addWidget(QLabel(_pick(person.label_vi, person.label_en) + (" *" if person.required else ""), self), row, 0)
            status = QLabel(self)
            status.setObjectName(f"person_{person.role}")
            status.setWordWrap(True)
            grid.addWidget(status, row, 1)
            self.status[person.role] = status
            if person.reads_card:
                take = QPushButton(self)
                take.setObjectName(f"take_{person.role}")
                take.clicked.connect(lambda _c=False, role=person.role: self.take_current(role))
                clear = QPushButton(self)
                clear.setObjectName(f"clear_{person.role}")
                clear.clicked.connect(lambda _c=False, role=person.role: self.unassign(role))
                grid.addWidget(take, row, 2)
                grid.addWidget(clear, row, 3)
                self.take[person.role], self.clear[person.role] = take, clear
        grid.setRowStretch(len(service.persons) + 1, 1)
        grid.setColumnStretch(1, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.hint.setText(self.tr(
            "Đọc thẻ của từng người ở trang Đọc thẻ (F2), bấm 'Dùng công dân này', rồi quay lại đây và bấm "
            "'Lấy thẻ vừa đọc'. Người không có thẻ: nhập tay ở các bước sau."
        ))
        for role in self.take:
            self.take[role].setText(self.tr("Lấy thẻ vừa đọc"))
            self.clear[role].setText(self.tr("Bỏ"))
        self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def take_current(self, role: str) -> None:
        citizen = self.current_citizen()
        if citizen is None:
            self.problem.emit(self.tr("Chưa có thẻ vừa đọc: hãy đọc thẻ ở trang Đọc thẻ (F2) trước."))
            return
        self.assign(role, citizen)

    def assign(self, role: str, snapshot: dict) -> None:
        # The applicant may also be one of the persons (a mother declaring her child's birth), but one
        # card cannot be two of the others (mother and father).
        for other, snap in self.snapshots.items():
            same = snap["personal"].get("id_number") == snapshot["personal"].get("id_number")
            if same and other != role and "applicant" not in (other, role):
                self.problem.emit(self.tr("Thẻ này đã được dùng cho người khác trong hồ sơ."))
                return
        self.snapshots[role] = snapshot
        self.refresh()
        self.assigned.emit()

    def unassign(self, role: str) -> None:
        self.snapshots.pop(role, None)
        self.refresh()
        self.assigned.emit()

    def refresh(self) -> None:
        for role, label in self.status.items():
            snap = self.snapshots.get(role)
            if snap is None:
                label.setText(self.tr("chưa có — nhập tay ở các bước sau") if role not in self.take else self.tr("chưa đọc thẻ"))
            else:
                p = snap["personal"]
                label.setText(self.tr("%1, số định danh %2 (từ chip)").replace("%1", p.get("full_name", "")).replace(
                    "%2", p.get("id_number", "")))

    def persons_payload(self) -> dict[str, dict]:
        return {role: snap for role, snap in self.snapshots.items() if role != "applicant"}


class FormStep(QScrollArea):
    """One step of the catalog: its fields, shown or hidden by their conditions."""

    def __init__(self, service: Service, field_ids, on_change, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        self.editors: dict[str, FieldEditor] = {}
        for fid in field_ids:
            editor = FieldEditor(service.field(fid), current_language(), body)
            editor.changed.connect(on_change)
            layout.addWidget(editor)
            self.editors[fid] = editor
        layout.addStretch(1)
        self.setWidget(body)

    def update_visibility(self, values: dict[str, Any]) -> None:
        for editor in self.editors.values():
            editor.setVisible(conditions_hold(editor.field.when, values))


class DocumentsStep(QScrollArea):
    """The documents to bring: each ticked when handed in, scanned where the catalog allows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.received: dict[str, QCheckBox] = {}
        self.scans: dict[str, tuple[str, str, bytes]] = {}
        self.documents = []

    def show_documents(self, documents) -> None:
        body = QWidget(self)
        grid = QGridLayout(body)
        previous = {doc_id: box.isChecked() for doc_id, box in self.received.items()}
        self.received.clear()
        self.documents = list(documents)
        for row, doc in enumerate(self.documents):
            kind = {"original": self.tr("bản chính"), "copy": self.tr("bản sao")}.get(doc.kind, doc.kind)
            text = f"{_pick(doc.what_vi, doc.what_en)} — {kind} × {doc.count}"
            if doc.condition_vi:
                text += f" ({_pick(doc.condition_vi, doc.condition_en)})"
            if not doc.required:
                text += self.tr(" — nếu có")
            box = QCheckBox(text, body)
            box.setObjectName(f"doc_{doc.id}")
            box.setChecked(previous.get(doc.id, False))
            grid.addWidget(box, row, 0)
            self.received[doc.id] = box
            if doc.scan != "none":
                button = QPushButton(self.tr("Quét / chọn tệp…"), body)
                button.setObjectName(f"scan_{doc.id}")
                button.clicked.connect(lambda _c=False, d=doc.id: self.choose_scan(d))
                grid.addWidget(button, row, 1)
                name = QLabel(self.scans[doc.id][0] if doc.id in self.scans else "", body)
                name.setObjectName(f"scanName_{doc.id}")
                grid.addWidget(name, row, 2)
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(len(self.documents), 1)
        self.setWidget(body)

    def choose_scan(self, doc_id: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Chọn bản quét"), "", "PDF, JPEG, PNG (*.pdf *.jpg *.jpeg *.png)")
        if path:
            self.attach(doc_id, Path(path))

    def attach(self, doc_id: str, path: Path) -> None:
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.scans[doc_id] = (path.name, media, path.read_bytes())
        self.received[doc_id].setChecked(True)
        label = self.widget().findChild(QLabel, f"scanName_{doc_id}")
        if label is not None:
            label.setText(path.name)

    def missing(self) -> list[str]:
        """Required documents not ticked as received, and required scans not attached."""
        out = [_pick(d.what_vi, d.what_en) for d in self.documents if d.required and not self.received[d.id].isChecked()]
        out += [self.tr("%1 (cần bản quét)").replace("%1", _pick(d.what_vi, d.what_en))
                for d in self.documents if d.scan == "required" and d.id not in self.scans]
        return out


class DossierWizard(QWidget):
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
        layout = QVBoxLayout(self)
        self.title = QLabel(f"{service.number}. {_pick(service.name_vi, service.name_en)}", self)
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
            self._add_step(step.id, lambda s=step: _pick(s.title_vi, s.title_en), widget)
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

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

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
            roles = {p.role: _pick(p.label_vi, p.label_en).lower() for p in self.service.persons}
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
            self.fee_view.setText(self._fee_text(values))
        elif step_id == "review":
            self.review.setText(self._review_text(values))
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
            by_field.setdefault(issue.field, []).append(_pick(issue.message_vi, issue.message_en))
        for fid, editor in editors.items():
            editor.show_error(" ".join(by_field.get(fid, [])))
        general = [m for f, ms in by_field.items() if f not in editors for m in ms]
        self.message.setText("\n".join(general))

    def _fee_text(self, values: dict[str, Any]) -> str:
        now = datetime.now()
        people = 1 + len(self.persons.persons_payload())
        quote = self.service.fee_quote(values, on=now.date(), people=people)
        fee_label, total_label = self.tr("Lệ phí"), self.tr("Tổng")
        lines = [f"<b>{fee_label}</b>"]
        lines += fee_lines_html(self.service, quote)
        total = _money(quote.total) if quote.total is not None else self.tr("chưa xác định được (có khoản do tỉnh quy định)")
        lines.append(f"<b>{total_label}: {total}</b>")
        days = self.service.processing.days_for(values, now.date())
        due = self.service.due_date(self.kiosk.calendar.calendar, now, values)
        lines.append("")
        if days is not None:
            lines.append(self.tr("Thời hạn giải quyết: %1 ngày làm việc").replace("%1", str(days)))
        if due is not None:
            lines.append("<b>" + self.tr("Ngày hẹn trả kết quả (nếu nộp bây giờ): %1").replace(
                "%1", due.strftime("%d/%m/%Y")) + "</b>")
        lines.append("")
        lines.append(service_info_html(self.service, now.date(), values, fees=False))
        return "<br>".join(lines)

    def _review_text(self, values: dict[str, Any]) -> str:
        rows = []
        for role, snap in self.persons.snapshots.items():
            label = next((_pick(p.label_vi, p.label_en) for p in self.service.persons if p.role == role), role)
            from_chip = self.tr("từ chip")
            rows.append(f"<b>{label}</b>: {snap['personal'].get('full_name', '')} ({from_chip})")
        for step in self.service.steps:
            shown = [f for f in step.fields if f in values]
            if not shown:
                continue
            rows.append(f"<br><b>{_pick(step.title_vi, step.title_en)}</b>")
            for fid in shown:
                f = self.service.field(fid)
                value = values[fid]
                if f.type in ("date", "datetime"):
                    value = iso_to_display(value, f.type == "datetime")
                elif f.type == "choice":
                    option = f.option(value)
                    value = _pick(option.label_vi, option.label_en) if option else value
                elif f.type == "multi_choice":
                    value = ", ".join(_pick(o.label_vi, o.label_en) for o in f.options if o.value in value)
                elif f.type == "boolean":
                    value = self.tr("Có") if value else self.tr("Không")
                elif f.type == "money":
                    value = _money(value) if isinstance(value, int) else value
                rows.append(f"{_pick(f.label_vi, f.label_en)}: {value}")
        scans = len(self.documents.scans)
        rows.append("<br>" + self.tr("Bản quét đính kèm: %1").replace("%1", str(scans)))
        return "<br>".join(str(r) for r in rows)

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
        from kiosk.services.errors import InvalidInput, ServiceError, SessionExpired

        if isinstance(exc, InvalidInput):
            from kiosk.services.dossiers import Issue

            issues = [Issue(f, m, m) for f, m in exc.errors]
            self._show_issues(issues)
            editors = self.editors()
            first = next((i.field for i in issues if i.field in editors), None)
            if first is not None:
                for index, (step_id, _title, _w) in enumerate(self.steps):
                    if step_id in self.form_steps and first in self.form_steps[step_id].editors:
                        self.go(index, save=False)
                        self._show_issues(issues)
                        break
        elif isinstance(exc, SessionExpired):
            self.message.setText(self.tr("Phiên làm việc đã hết; bản nháp đã được giữ. Hãy đăng nhập lại."))
        elif isinstance(exc, ServiceError):
            self.message.setText(getattr(exc, "message_vi", None) or str(exc))
        else:
            self.message.setText(self.tr("Lỗi không mong đợi (%1); hồ sơ chưa được lưu.").replace("%1", type(exc).__name__))


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
            lines.append("⚠ " + _pick(warning.message_vi, warning.message_en))
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
