"""The steps of the dossier wizard (tiếp nhận hồ sơ): the service picker before it, who takes part, the
catalog's own form steps, and the documents handed in."""

from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
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
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.catalog import Service, conditions_hold
from kiosk.ui.fields import FieldEditor, iso_to_display
from kiosk.ui.i18n import current_language
from kiosk.ui.service_info import service_info_html
from kiosk.ui.step_widgets import Retranslating, pick, scrolled_text


class ServicePicker(Retranslating, QWidget):
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

    def refresh(self) -> None:
        text = self.search.text().strip()
        services = self.catalog.search(text) if text else self.catalog.all()
        self.list.clear()
        for service in services:
            item = QListWidgetItem(f"{service.number}. {pick(service.name_vi, service.name_en)}", self.list)
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
            item = QListWidgetItem(f"{service.number}. {pick(service.name_vi, service.name_en)} — {when}", self.drafts)
            item.setData(Qt.ItemDataRole.UserRole, draft.id)
        self.drafts.setVisible(bool(drafts))
        self.drafts_title.setVisible(bool(drafts))

    def _choose_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen.emit(item.data(Qt.ItemDataRole.UserRole))


class PersonsStep(Retranslating, QWidget):
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
            grid.addWidget(QLabel(pick(person.label_vi, person.label_en) + (" *" if person.required else ""), self), row, 0)
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
            text = f"{pick(doc.what_vi, doc.what_en)} — {kind} × {doc.count}"
            if doc.condition_vi:
                text += f" ({pick(doc.condition_vi, doc.condition_en)})"
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
        out = [pick(d.what_vi, d.what_en) for d in self.documents if d.required and not self.received[d.id].isChecked()]
        out += [self.tr("%1 (cần bản quét)").replace("%1", pick(d.what_vi, d.what_en))
                for d in self.documents if d.scan == "required" and d.id not in self.scans]
        return out
