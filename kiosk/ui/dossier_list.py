"""The officer's list of received dossiers (hồ sơ đã nhận): find one again, see it, move its status, reprint.

A dossier is found by tracking code, ID number, or a name or address typed with or without accents
(`DossierService.search`: newest first, ID numbers masked). The detail is the dossier without personal
data (`get` without `full`, so no view is audited); the moves offered are those of the status machine
that this principal's role may make, and the service checks them again. Every call runs off the GUI
thread; an answer that arrives after the officer moved on (another row, a new search, a logout) is dropped.
"""

from __future__ import annotations

import contextlib
import html
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.domain.dossier import NOTE_REQUIRED, TRANSITIONS, VN_TZ, Status, TransitionError
from kiosk.domain.receipt import NOTICE_FORMS
from kiosk.domain.roles import Permission
from kiosk.ui.fields import iso_to_display
from kiosk.ui.i18n import current_language
from kiosk.ui.messages import MessageLabel
from kiosk.ui.print_job import PrintRunner, PrintTexts
from kiosk.ui.tables import record_table
from kiosk.ui.worker import run_call

# How many dossiers one search shows (the service's newest first); a longer list means a vaguer query.
SEARCH_LIMIT = 100

STATUS_COLUMN_WIDTH = 210  # the longest status label wraps once at this width

COLUMNS = ("code", "service", "subject", "id_number", "received", "appointment", "status")


def status_label(value: str) -> str:
    """A status in the window's language (the machine's own labels, not Qt Linguist's)."""
    try:
        status = Status(value)
    except ValueError:
        return value
    return status.label_en if current_language() == "en" else status.label_vi


def allowed_moves(principal: Any, current: str) -> list[Status]:
    """The statuses this principal's role may move a dossier to from `current` (TRANSITIONS and their
    permission); the dossier service checks the same again when the move is made."""
    if principal is None or not principal.can(Permission.DOSSIER_UPDATE):
        return []
    try:
        src = Status(current)
    except ValueError:
        return []
    return [dst for (s, dst), needed in TRANSITIONS.items() if s is src and principal.can(needed)]


def history_time(value: str) -> str:
    """A history line's time (UTC, `…Z`) in station time, as the counter writes it."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


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
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.hint = QLabel(self)
        self.hint.setObjectName("dossierListHint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
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
        layout.addLayout(row)
        self.message = MessageLabel(self, "dossierListMessage")
        layout.addWidget(self.message)

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

        self.detail = QLabel(self)
        self.detail.setObjectName("dossierDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail_scroll = QScrollArea(self)
        self.detail_scroll.setWidgetResizable(True)
        self.detail_scroll.setFrameShape(QFrame.Shape.StyledPanel)
        self.detail_scroll.setWidget(self.detail)

        self.move_box = QGroupBox(self)
        self.move_box.setObjectName("moveBox")
        move_layout = QVBoxLayout(self.move_box)
        self.move_combo = QComboBox(self.move_box)
        self.move_combo.setObjectName("moveStatus")
        self.note_label = QLabel(self.move_box)
        self.note_label.setObjectName("moveNoteLabel")
        self.note = QPlainTextEdit(self.move_box)
        self.note.setObjectName("moveNote")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(70)
        self.note_label.setBuddy(self.note)
        self.apply_button = QPushButton(self.move_box)
        self.apply_button.setObjectName("applyMove")
        self.apply_button.setDefault(True)
        self.move_message = MessageLabel(self.move_box, "moveMessage")
        apply_row = QHBoxLayout()
        apply_row.addWidget(self.apply_button)
        apply_row.addStretch(1)
        for widget in (self.move_combo, self.note_label, self.note):
            move_layout.addWidget(widget)
        move_layout.addLayout(apply_row)
        move_layout.addWidget(self.move_message)
        self.reprint_button = QPushButton(self)
        self.reprint_button.setObjectName("reprintReceipt")
        # Mẫu 02 / Mẫu 03: offered while the dossier waits for a supplement or was refused.
        self.notice_button = QPushButton(self)
        self.notice_button.setObjectName("printNotice")
        self.print_status = QLabel(self)
        self.print_status.setObjectName("reprintStatus")
        self.print_status.setWordWrap(True)
        self.print_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        actions = QWidget(self)
        actions_layout = QVBoxLayout(actions)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(self.move_box)
        reprint_row = QHBoxLayout()
        reprint_row.addWidget(self.reprint_button)
        reprint_row.addWidget(self.notice_button)
        reprint_row.addStretch(1)
        actions_layout.addLayout(reprint_row)
        actions_layout.addWidget(self.print_status)
        actions_layout.addStretch(1)

        lower = QWidget(self)
        lower_layout = QHBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail_scroll, 3)
        lower_layout.addWidget(actions, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)

        self.printer = PrintRunner(kiosk, self.reprint_button, self.print_status)
        self.notice_printer = PrintRunner(kiosk, self.notice_button, self.print_status)
        self.search_box.returnPressed.connect(self.search)
        self.search_box.installEventFilter(self)
        self.search_button.clicked.connect(self.search)
        self.status_filter.activated.connect(lambda _i: self.search())  # a filter chosen by the officer applies at once
        self.period_filter.activated.connect(lambda _i: self.search())
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self._row_chosen(current.row()))
        self.table.activated.connect(lambda _index: self.open_current())
        self.move_combo.currentIndexChanged.connect(lambda _i: self._move_chosen())
        self.apply_button.clicked.connect(self.apply_move)
        self.reprint_button.clicked.connect(self.reprint)
        self.notice_button.clicked.connect(self.print_notice)
        self.setTabOrder(self.search_box, self.status_filter)
        self.setTabOrder(self.status_filter, self.period_filter)
        self.setTabOrder(self.period_filter, self.search_button)
        self.setTabOrder(self.search_button, self.table)
        self.setTabOrder(self.table, self.move_combo)
        self.setTabOrder(self.move_combo, self.note)
        self.setTabOrder(self.note, self.apply_button)
        self.setTabOrder(self.apply_button, self.reprint_button)
        self.setTabOrder(self.reprint_button, self.notice_button)
        self.retranslate()
        self._show_record(None)

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
        self.move_box.setTitle(self.tr("Chuyển trạng thái"))
        self.apply_button.setText(self.tr("Áp dụng"))
        self.reprint_button.setText(self.tr("In lại phiếu hẹn"))
        for row, summary in enumerate(self.results):
            self._fill_row(row, summary)
        self._show_record(self.record, keep_messages=True)
        self.message.rerender()
        self.move_message.rerender()

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
        """The service's own Vietnamese sentence for a refusal; the page's words where it has none."""
        from kiosk.services.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied

        if isinstance(exc, InvalidInput):
            return " ".join(message for _field, message in exc.errors)
        if isinstance(exc, PermissionDenied):
            cause = exc.__cause__  # a move refused for the role carries the machine's own sentence
            if isinstance(cause, TransitionError):
                return cause.message_vi
            return self.tr("Tài khoản của bạn không được làm việc này.")
        if getattr(exc, "message_vi", None):
            return exc.message_vi  # type: ignore[attr-defined]
        if isinstance(exc, NotFound):
            return self.tr("Không tìm thấy hồ sơ này (có thể đã bị xoá khỏi kiosk).")
        if isinstance(exc, NotAuthenticated):
            return self.tr("Chưa đăng nhập.")
        return self.tr("Lỗi không mong đợi (%1). Thử lại hoặc báo quản trị viên.").replace("%1", type(exc).__name__)

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
                self.message.say(lambda: self.tr("Hiện %1 hồ sơ mới nhất; gõ cụ thể hơn để thu hẹp.").replace("%1", str(count)))
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
        for column, key in enumerate(COLUMNS):
            item = self.table.item(row, column)
            if item is None:
                item = QTableWidgetItem()
                self.table.setItem(row, column, item)
            item.setText(values[key])
            item.setToolTip(values[key] if key in ("service", "subject", "status") else "")
            item.setData(Qt.ItemDataRole.UserRole, summary["tracking_code"])

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
        self.print_status.clear()
        self.move_message.say(None)
        self.note.clear()
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
            self.detail.setText(html.escape(self._error_text(exc)))

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
        if self.move_combo.isEnabled() and self.move_combo.count():
            self.move_combo.setFocus()
        else:
            self.reprint_button.setFocus()

    def _show_record(self, record: dict[str, Any] | None, loading: bool = False, keep_messages: bool = False) -> None:
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
        if not has:
            self.detail.setText(self.tr("Đang tải hồ sơ…") if loading
                                else self.tr("Chọn một hồ sơ trong danh sách để xem chi tiết."))
            self._fill_moves([])
            self.move_box.setEnabled(False)
            return
        self.detail.setText(self._detail_html(record))
        moves = allowed_moves(self.principal_fn(), record["status"])
        self._fill_moves(moves)
        self.move_box.setEnabled(True)
        if not moves and not keep_messages:
            self.move_message.say(lambda: self.tr("Không có bước chuyển nào bạn được làm từ trạng thái này."))

    def _detail_html(self, record: dict[str, Any]) -> str:
        esc = html.escape
        rows = [
            (self.tr("Mã hồ sơ"), f"<b>{esc(record['tracking_code'])}</b>"),
            (self.tr("Dịch vụ"), esc(self._service_text(record["service_no"], record.get("service_name_vi") or ""))),
            (self.tr("Họ tên / tổ chức"), esc(record.get("subject_name") or "")),
            (self.tr("Số định danh"), esc(record.get("applicant_id_number") or "—")),
            (self.tr("Trạng thái"), f"<b>{esc(status_label(record['status']))}</b>"),
            (self.tr("Tiếp nhận"), esc(self.tr("%1, cán bộ %2").replace(
                "%1", iso_to_display(record.get("received_at"), with_time=True)).replace(
                "%2", record.get("created_by") or ""))),
            (self.tr("Ngày hẹn trả kết quả"), esc(iso_to_display(record.get("appointment_date")) or
                                                  self.tr("không có hạn giải quyết"))),
        ]
        lines = [f"<tr><td style='padding-right:12px'><b>{label}</b></td><td>{value}</td></tr>" for label, value in rows]
        history = [self._history_line(h) for h in record.get("history") or []]
        title = self.tr("Quá trình xử lý")
        return ("<table>" + "".join(lines) + "</table>"
                + f"<p style='margin-top:8px'><b>{title}</b></p><ol style='margin-top:0'>" + "".join(history) + "</ol>")

    def _history_line(self, entry: dict[str, Any]) -> str:
        esc = html.escape
        who = self.tr("máy chủ của trạm") if entry.get("origin") == "hub" else (entry.get("actor") or "")
        if entry.get("from"):
            what = self.tr("%1 → %2").replace("%1", status_label(entry["from"])).replace("%2", status_label(entry["to"]))
        else:
            what = status_label(entry["to"])
        line = self.tr("%1 — %2: %3").replace("%1", history_time(entry.get("at", ""))).replace("%2", who).replace(
            "%3", what)
        note = (entry.get("note") or "").strip()
        return f"<li>{esc(line)}" + (f"<br><i>{esc(note)}</i>" if note else "") + "</li>"

    # Moving the status.

    def _fill_moves(self, moves: list[Status]) -> None:
        chosen = self.move_combo.currentData()
        self.move_combo.blockSignals(True)
        self.move_combo.clear()
        for status in moves:
            self.move_combo.addItem(status_label(status.value), status.value)
        index = self.move_combo.findData(chosen) if chosen else -1
        self.move_combo.setCurrentIndex(index if index >= 0 else (0 if moves else -1))
        self.move_combo.blockSignals(False)
        self.move_combo.setEnabled(bool(moves))
        self.note.setEnabled(bool(moves))
        self.apply_button.setEnabled(bool(moves))
        self._move_chosen()

    def offered_moves(self) -> list[str]:
        return [self.move_combo.itemData(i) for i in range(self.move_combo.count())]

    def _move_chosen(self) -> None:
        value = self.move_combo.currentData()
        dst = Status(value) if value else None
        required = dst in NOTE_REQUIRED
        self.note_label.setText(self.tr("Ghi chú (bắt buộc)") if required else self.tr("Ghi chú (không bắt buộc)"))
        if dst is Status.SUPPLEMENT_REQUESTED:
            self.note.setPlaceholderText(self.tr("Ghi rõ giấy tờ hoặc nội dung công dân cần bổ sung."))
        elif dst is Status.REJECTED:
            self.note.setPlaceholderText(self.tr("Ghi rõ lý do từ chối giải quyết."))
        else:
            self.note.setPlaceholderText("")

    def apply_move(self) -> None:
        record = self.record
        value = self.move_combo.currentData()
        if record is None or not value:
            return
        dst = Status(value)
        note = self.note.toPlainText().strip()
        code = record["tracking_code"]
        if dst in NOTE_REQUIRED and not note:
            self.move_message.say(lambda: self.tr("Chuyển sang '%1' cần ghi rõ lý do hoặc nội dung cần bổ sung.").replace(
                "%1", status_label(dst.value)), "error")
            self.note.setFocus()
            return
        principal = self.principal_fn()
        generation = self._generation
        self.apply_button.setEnabled(False)
        self.move_message.say(lambda: self.tr("Đang chuyển trạng thái…"))

        def moved(new_record) -> None:
            if generation != self._generation:
                return
            self.apply_button.setEnabled(True)
            self._update_row(new_record)
            if self.selected_code == code:
                self.note.clear()
                self._show_record(new_record, keep_messages=True)
                self.move_message.say(lambda: self.tr("Đã chuyển hồ sơ sang '%1'.").replace(
                    "%1", status_label(new_record["status"])), "ok")
            self.status_changed.emit(new_record)

        def refused(exc: Exception) -> None:
            if generation != self._generation:
                return
            self.apply_button.setEnabled(True)
            if self.selected_code == code:
                self.move_message.say(lambda: self._error_text(exc), "error")
                self.load_detail(code, keep_messages=True)  # the dossier may have moved meanwhile: show it as it is

        run_call(lambda: self.kiosk.dossiers.change_status(principal, code, dst.value, note),
                 on_result=moved, on_error=refused)

    # Reprinting the receipt.

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

    # Logout.

    def reset(self) -> None:
        """Nothing of a citizen stays on screen (logout): the query, the results, the detail, the messages."""
        self._generation += 1
        for task in (self.printer.task, self.notice_printer.task):
            if task is not None and not task.done:
                for signal in (task.signals.returned, task.signals.errored, task.signals.progress):
                    with contextlib.suppress(RuntimeError, TypeError):
                        signal.disconnect()
        self.search_box.clear()
        self.status_filter.setCurrentIndex(0)
        self.period_filter.setCurrentIndex(0)
        self.note.clear()
        self.print_status.clear()
        self.message.say(None)
        self.move_message.say(None)
        self.show_results([], announce=False)
        self.search_box.setFocus()
