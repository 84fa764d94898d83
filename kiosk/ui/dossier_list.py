"""The officer's list of received dossiers (hồ sơ đã nhận): find one again, see it, move its status, reprint.

A dossier is found by tracking code, ID number, or a name or address typed with or without accents
(`DossierService.search`: newest first, ID numbers masked). The detail (`DossierDetail`) is the dossier
without personal data (`get` without `full`, so no view is audited); the moves (`StatusMoveBox`) are those
of the status machine that this principal's role may make, and the service checks them again. Every call
runs off the GUI thread; an answer that arrives after the officer moved on (another row, a new search, a
logout) is dropped.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.dossier import VN_TZ, Status, TransitionError
from kiosk.services.explain import explain
from kiosk.ui.dossier_detail import DossierDetail
from kiosk.ui.dossier_prints import DossierPrints
from kiosk.ui.fields import iso_to_display
from kiosk.ui.i18n import current_language
from kiosk.ui.labels import page_heading
from kiosk.ui.messages import MessageLabel
from kiosk.ui.status_move import StatusMoveBox, status_label
from kiosk.ui.tables import fill_row, record_table
from kiosk.ui.worker import run_call

# How many dossiers one search shows (the service's newest first); a longer list means a vaguer query.
SEARCH_LIMIT = 100

STATUS_COLUMN_WIDTH = 210  # the longest status label wraps once at this width

COLUMNS = ("code", "service", "subject", "id_number", "received", "appointment", "status")


class DossierListPage(QWidget):
    """Search box and status filter, the results table, the selected dossier's detail and its actions."""

    searched = Signal(object)  # the summaries shown
    detail_shown = Signal(object)  # the record shown in the detail pane
    status_changed = Signal(object)  # the record after a move

    def __init__(self, kiosk, principal_fn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossierListPage")
        self.kiosk = kiosk
        self.principal_fn = principal_fn
        self.results: list[dict[str, Any]] = []
        self.record: dict[str, Any] | None = None  # the dossier in the detail pane, once loaded
        self.selected_code: str | None = None
        self._generation = 0  # bumped by reset(): answers of an earlier generation are dropped
        self._search_seq = 0
        self._detail_seq = 0
        self._focus_on_load = False  # Enter on a row still loading: focus its actions once it is shown

        layout = QVBoxLayout(self)
        self.title, self.hint = page_heading(self, layout, "dossierListHint")
        layout.addLayout(self._build_search_row())
        self.message = MessageLabel(self, "dossierListMessage")
        layout.addWidget(self.message)
        self._build_table()
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._build_lower())
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)
        self._connect()
        self.retranslate()
        self._show_record(None)

    def _build_search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("dossierSearch")
        self.search_box.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("dossierStatusFilter")
        self.status_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # Received when: presets a counter uses (today, this week, this month), by the station's date.
        self.period_filter = QComboBox(self)
        self.period_filter.setObjectName("dossierPeriodFilter")
        self.period_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.search_button = QPushButton(self)
        self.search_button.setObjectName("dossierSearchButton")
        self.search_button.setDefault(True)
        row.addWidget(self.search_box, 1)
        row.addWidget(self.status_filter)
        row.addWidget(self.period_filter)
        row.addWidget(self.search_button)
        return row

    def _build_table(self) -> None:
        self.table = record_table(self, "dossierTable", len(COLUMNS))
        header = self.table.horizontalHeader()
        for column, key in enumerate(COLUMNS):
            if key in ("service", "subject"):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            elif key == "status":
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
                header.resizeSection(column, STATUS_COLUMN_WIDTH)
            else:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

    def _build_lower(self) -> QWidget:
        """The detail on the left; the status move, the reprint buttons and the print status on the right."""
        self.detail = DossierDetail(self)
        self.detail_scroll = QScrollArea(self)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail_scroll.setWidget(self.detail)
        self.move_box = StatusMoveBox(self.kiosk, self.principal_fn, self)
        self.prints = DossierPrints(self.kiosk, self.principal_fn, self)
        actions = QWidget(self)
        actions_layout = QVBoxLayout(actions)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(self.move_box)
        actions_layout.addWidget(self.prints)
        actions_layout.addStretch(1)
        lower = QWidget(self)
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail_scroll, 3)
        lower_layout.addWidget(actions, 2)
        return lower

    def _connect(self) -> None:
        self.search_box.returnPressed.connect(self.search)
        self.search_box.installEventFilter(self)
        self.search_button.clicked.connect(self.search)
        self.status_filter.activated.connect(lambda _i: self.search())  # a filter chosen by the officer applies at once
        self.period_filter.activated.connect(lambda _i: self.search())
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _previous: self._row_chosen(current.row()))
        self.table.activated.connect(lambda _index: self.open_current())
        self.move_box.moved.connect(self._moved)
        self.move_box.refused.connect(self._move_refused)
        order = (self.search_box, self.status_filter, self.period_filter, self.search_button, self.table,
                 self.move_box.move_combo, self.move_box.note, self.move_box.apply_button,
                 self.prints.reprint_button, self.prints.notice_button)
        for first, second in zip(order, order[1:], strict=False):
            self.setTabOrder(first, second)

    # Language.

    def retranslate(self) -> None:
        self.title.setText(self.tr("Hồ sơ đã nhận"))
        self.hint.setText(self.tr(
            "Tìm theo mã hồ sơ, số định danh, họ tên hoặc địa chỉ (gõ có dấu hay không dấu đều được). "
            "Để trống rồi bấm Tìm để xem các hồ sơ mới nhất."
        ))
        self.search_box.setPlaceholderText(self.tr("Mã hồ sơ, số định danh, họ tên hoặc địa chỉ (không cần dấu)"))
        self.search_button.setText(self.tr("Tìm"))
        chosen = self.status_filter.currentData()
        self.status_filter.blockSignals(True)
        self.status_filter.clear()
        self.status_filter.addItem(self.tr("Tất cả trạng thái"), "")
        for status in Status:
            self.status_filter.addItem(status_label(status.value), status.value)
        self.status_filter.setCurrentIndex(max(0, self.status_filter.findData(chosen or "")))
        self.status_filter.blockSignals(False)
        period = self.period_filter.currentData()
        self.period_filter.blockSignals(True)
        self.period_filter.clear()
        for label, days in ((self.tr("Mọi ngày"), -1), (self.tr("Nhận hôm nay"), 0),
                            (self.tr("7 ngày gần đây"), 6), (self.tr("30 ngày gần đây"), 29)):
            self.period_filter.addItem(label, days)
        self.period_filter.setCurrentIndex(max(0, self.period_filter.findData(-1 if period is None else period)))
        self.period_filter.blockSignals(False)
        self.table.setHorizontalHeaderLabels([
            self.tr("Mã hồ sơ"), self.tr("Dịch vụ"), self.tr("Họ tên"), self.tr("Số định danh"),
            self.tr("Tiếp nhận"), self.tr("Ngày hẹn trả"), self.tr("Trạng thái"),
        ])
        for row, summary in enumerate(self.results):
            self._fill_row(row, summary)
        self._show_record(self.record, keep_messages=True)
        self.message.rerender()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down (or Page Down) in the search box goes to the results, as a list would."""
        if (watched is self.search_box and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown) and self.table.rowCount()):
            self.table.setFocus()
            if self.table.currentRow() < 0:
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    # Messages that follow the language.

    def _error_text(self, exc: Exception) -> str:
        """What went wrong, in the window's language (kiosk.services.explain); the page's own words where
        explain() can only be general: the right to do it, the dossier, the login."""
        said = explain(exc)
        if said.code == "permission_denied" and isinstance(exc.__cause__, TransitionError):
            said = explain(exc.__cause__)  # a move refused for the role carries the machine's own sentence
        own = {
            "permission_denied": lambda: self.tr("Tài khoản của bạn không được làm việc này."),
            "not_found": lambda: self.tr("Không tìm thấy hồ sơ này (có thể đã bị xoá khỏi kiosk)."),
            "not_authenticated": lambda: self.tr("Chưa đăng nhập."),
        }.get(said.code)
        if own is not None:
            return own()
        return said.text(current_language(), self.tr("Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên."))

    # Search.

    def search(self) -> None:
        text = self.search_box.text()
        status = self.status_filter.currentData() or ""
        statuses = (status,) if status else ()
        days = self.period_filter.currentData()
        today = datetime.now(VN_TZ).date()
        since = today - timedelta(days=days) if days is not None and days >= 0 else None
        principal = self.principal_fn()
        self._search_seq += 1
        seq, generation = self._search_seq, self._generation
        self.message.say(lambda: self.tr("Đang tìm…"))

        def found(rows) -> None:
            if (seq, generation) != (self._search_seq, self._generation):
                return  # a newer search (or a logout) came after this one
            self.show_results(rows)

        def failed(exc: Exception) -> None:
            if (seq, generation) != (self._search_seq, self._generation):
                return
            self.show_results([], announce=False)
            self.message.say(lambda: self._error_text(exc), "error")

        run_call(lambda: self.kiosk.dossiers.search(principal, text, statuses, since, today if since else None,
                                                    limit=SEARCH_LIMIT),
                 on_result=found, on_error=failed)

    def show_results(self, rows: list[dict[str, Any]], announce: bool = True) -> None:
        self.results = list(rows)
        self.table.blockSignals(True)
        self.table.selectionModel().blockSignals(True)
        self.table.clearContents()
        self.table.setRowCount(len(self.results))
        for row, summary in enumerate(self.results):
            self._fill_row(row, summary)
        self.table.selectionModel().blockSignals(False)
        self.table.blockSignals(False)
        self.selected_code = None
        self._show_record(None)
        if announce:
            count = len(self.results)
            if not count:
                self.message.say(lambda: self.tr("Không có hồ sơ nào khớp với nội dung tìm."))
            elif count >= SEARCH_LIMIT:
                self.message.say(lambda: self.tr("Hiện %1 hồ sơ mới nhất; gõ cụ thể hơn để thu hẹp.").replace(
                    "%1", str(count)))
            else:
                self.message.say(lambda: self.tr("Tìm thấy %1 hồ sơ, mới nhất ở trên.").replace("%1", str(count)))
        if self.results:
            self.table.selectRow(0)
            self._row_chosen(0)  # the current row may not have changed (row 0 before and after)
        self.searched.emit(self.results)

    def _service_text(self, service_no: int, name_vi: str) -> str:
        name = name_vi
        if current_language() == "en":
            with contextlib.suppress(KeyError, ValueError):
                name = self.kiosk.catalog.get(int(service_no)).name_en or name_vi
        return f"{service_no}. {name}" if name else str(service_no)

    def _fill_row(self, row: int, summary: dict[str, Any]) -> None:
        values = {
            "code": summary["tracking_code"],
            "service": self._service_text(summary["service_no"], summary.get("service_name_vi") or ""),
            "subject": summary.get("subject_name") or "",
            "id_number": summary.get("applicant_id_number") or "—",
            "received": iso_to_display(summary.get("received_at"), with_time=True),
            "appointment": iso_to_display(summary.get("appointment_date")) or "—",
            "status": status_label(summary["status"]),
        }
        for key, item in fill_row(self.table, row, COLUMNS, values, summary["tracking_code"]):
            item.setToolTip(values[key] if key in ("service", "subject", "status") else "")

    def _row_of(self, code: str) -> int:
        return next((i for i, s in enumerate(self.results) if s["tracking_code"] == code), -1)

    def _update_row(self, record: dict[str, Any]) -> None:
        """The dossier's row as the record just read says (its status may have moved since the search)."""
        row = self._row_of(record["tracking_code"])
        if row >= 0:
            summary = {k: record.get(k, v) for k, v in self.results[row].items()}
            self.results[row] = summary
            self._fill_row(row, summary)

    # The detail.

    def _row_chosen(self, row: int) -> None:
        if not 0 <= row < len(self.results):
            return
        code = self.results[row]["tracking_code"]
        if code == self.selected_code:
            return
        self.selected_code = code
        self._focus_on_load = False
        self.prints.print_status.clear()
        self.move_box.message.say(None)
        self.move_box.note.clear()
        self.load_detail(code)

    def load_detail(self, code: str, keep_messages: bool = False) -> None:
        principal = self.principal_fn()
        self._detail_seq += 1
        seq, generation = self._detail_seq, self._generation
        self.record = None
        self._show_record(None, loading=True, keep_messages=keep_messages)

        def loaded(record) -> None:
            if (seq, generation) != (self._detail_seq, self._generation):
                return  # the officer has moved to another row meanwhile
            self._update_row(record)
            self._show_record(record, keep_messages=keep_messages)
            if self._focus_on_load:
                self._focus_actions()
            self.detail_shown.emit(record)

        def failed(exc: Exception) -> None:
            if (seq, generation) != (self._detail_seq, self._generation):
                return
            self._show_record(None)
            self.detail.show_error(self._error_text(exc))

        run_call(lambda: self.kiosk.dossiers.get(principal, code), on_result=loaded, on_error=failed)

    def open_current(self) -> None:
        """Enter on a row: its detail, and the keyboard to its first action."""
        row = self.table.currentRow()
        if row < 0:
            return
        self._row_chosen(row)
        if self.record is None:
            self._focus_on_load = True  # still loading: the actions take the keyboard when it arrives
        else:
            self._focus_actions()

    def _focus_actions(self) -> None:
        self._focus_on_load = False
        if self.move_box.move_combo.isEnabled() and self.move_box.move_combo.count():
            self.move_box.move_combo.setFocus()
        else:
            self.prints.reprint_button.setFocus()

    def _show_record(self, record: dict[str, Any] | None, loading: bool = False, keep_messages: bool = False) -> None:
        self.record = record
        has = record is not None
        self.prints.show_for(record)
        if has:
            service = self._service_text(record["service_no"], record.get("service_name_vi") or "")
            self.detail.show_record(record, service)
        else:
            self.detail.show_none(loading)
        self.move_box.show_moves(record, keep_messages)

    # Moving the status (StatusMoveBox makes the call; the page shows what came of it).

    def _moved(self, code: str, new_record: dict[str, Any]) -> None:
        self._update_row(new_record)
        if self.selected_code == code:
            self._show_record(new_record, keep_messages=True)
            self.move_box.say_moved(new_record)
        self.status_changed.emit(new_record)

    def _move_refused(self, code: str, exc: Exception) -> None:
        if self.selected_code == code:
            self.move_box.message.say(lambda: self._error_text(exc), "error")
            self.load_detail(code, keep_messages=True)  # the dossier may have moved meanwhile: show it as it is

    # Logout.

    def reset(self) -> None:
        """Nothing of a citizen stays on screen (logout): the query, the results, the detail, the messages."""
        self._generation += 1
        self.prints.reset()
        self.search_box.clear()
        self.status_filter.setCurrentIndex(0)
        self.period_filter.setCurrentIndex(0)
        self.move_box.reset()
        self.message.say(None)
        self.show_results([], announce=False)
        self.search_box.setFocus()
