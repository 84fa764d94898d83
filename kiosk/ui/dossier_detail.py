"""The detail of the dossier selected in the officer's list: what it is, where it stands, its history.

It shows the dossier without personal data beyond the name and the masked ID number (`DossierService.get`
without `full`, so no view is audited).
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.domain.dossier import VN_TZ
from kiosk.ui.fields import iso_to_display
from kiosk.ui.status_move import status_label


def history_time(value: str) -> str:
    """A history line's time (UTC, `…Z`) in station time, as the counter writes it."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


class DossierDetail(QLabel):
    """The dossier as a table of facts and a numbered history, or a sentence while there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dossierDetail")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def show_none(self, loading: bool = False) -> None:
        """No dossier: one is loading, or none is selected."""
        self.setText(self.tr("Đang tải hồ sơ…") if loading
                     else self.tr("Chọn một hồ sơ trong danh sách để xem chi tiết."))

    def show_error(self, text: str) -> None:
        self.setText(html.escape(text))

    def show_record(self, record: dict[str, Any], service_text: str) -> None:
        """`record` as `DossierService.get` gives it; `service_text` names its service in the window's language."""
        esc = html.escape
        rows = [
            (self.tr("Mã hồ sơ"), f"<b>{esc(record['tracking_code'])}</b>"),
            (self.tr("Dịch vụ"), esc(service_text)),
            (self.tr("Họ tên / tổ chức"), esc(record.get("subject_name") or "")),
            (self.tr("Số định danh"), esc(record.get("applicant_id_number") or "—")),
            (self.tr("Trạng thái"), f"<b>{esc(status_label(record['status']))}</b>"),
            (self.tr("Tiếp nhận"), esc(self.tr("%1, cán bộ %2").replace(
                "%1", iso_to_display(record.get("received_at"), with_time=True)).replace(
                "%2", record.get("created_by") or ""))),
            (self.tr("Ngày hẹn trả kết quả"), esc(iso_to_display(record.get("appointment_date")) or
                                                  self.tr("không có hạn giải quyết"))),
        ]
        lines = [f"<tr><td style='padding-right:12px'><b>{label}</b></td><td>{value}</td></tr>"
                 for label, value in rows]
        history = [self._history_line(h) for h in record.get("history") or []]
        title = self.tr("Quá trình xử lý")
        self.setText("<table>" + "".join(lines) + "</table>"
                     + f"<p style='margin-top:8px'><b>{title}</b></p><ol style='margin-top:0'>" + "".join(history)
                     + "</ol>")

    def _history_line(self, entry: dict[str, Any]) -> str:
        esc = html.escape
        who = self.tr("máy chủ của trạm") if entry.get("origin") == "hub" else (entry.get("actor") or "")
        if entry.get("from"):
            what = self.tr("%1 → %2").replace("%1", status_label(entry["from"])).replace(
                "%2", status_label(entry["to"]))
        else:
            what = status_label(entry["to"])
        line = self.tr("%1 — %2: %3").replace("%1", history_time(entry.get("at", ""))).replace("%2", who).replace(
            "%3", what)
        note = (entry.get("note") or "").strip()
        return f"<li>{esc(line)}" + (f"<br><i>{esc(note)}</i>" if note else "") + "</li>"
