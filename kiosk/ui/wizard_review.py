"""The two read-only steps at the end of the dossier wizard: the fee with the appointment date, and the
review of everything typed. Their texts keep the wizard's translation context ("DossierWizard")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication

from kiosk.domain.catalog import Service
from kiosk.ui.fields import iso_to_display
from kiosk.ui.service_info import fee_lines_html, service_info_html
from kiosk.ui.step_widgets import money, pick


def _tr(text: str) -> str:
    return QCoreApplication.translate("DossierWizard", text)


def fee_html(service: Service, values: dict[str, Any], people: int, calendar) -> str:
    """The fee in force today for `people` persons, its total, the processing time and the appointment
    date if the dossier were submitted now, then the service's own notes."""
    now = datetime.now()
    quote = service.fee_quote(values, on=now.date(), people=people)
    fee_label, total_label = _tr("Lệ phí"), _tr("Tổng")
    lines = [f"<b>{fee_label}</b>"]
    lines += fee_lines_html(service, quote)
    total = money(quote.total) if quote.total is not None else _tr("chưa xác định được (có khoản do tỉnh quy định)")
    lines.append(f"<b>{total_label}: {total}</b>")
    days = service.processing.days_for(values, now.date())
    due = service.due_date(calendar, now, values)
    lines.append("")
    if days is not None:
        lines.append(_tr("Thời hạn giải quyết: %1 ngày làm việc").replace("%1", str(days)))
    if due is not None:
        lines.append("<b>" + _tr("Ngày hẹn trả kết quả (nếu nộp bây giờ): %1").replace(
            "%1", due.strftime("%d/%m/%Y")) + "</b>")
    lines.append("")
    lines.append(service_info_html(service, now.date(), values, fees=False))
    return "<br>".join(lines)


def _shown_value(field, value: Any) -> Any:
    """A form value as the officer reads it: dates in the Vietnamese order, choices by their label."""
    if field.type in ("date", "datetime"):
        return iso_to_display(value, field.type == "datetime")
    if field.type == "choice":
        option = field.option(value)
        return pick(option.label_vi, option.label_en) if option else value
    if field.type == "multi_choice":
        return ", ".join(pick(o.label_vi, o.label_en) for o in field.options if o.value in value)
    if field.type == "boolean":
        return _tr("Có") if value else _tr("Không")
    if field.type == "money":
        return money(value) if isinstance(value, int) else value
    return value


def review_html(service: Service, values: dict[str, Any], snapshots: dict[str, dict], scans: int) -> str:
    """Everything the dossier will hold: the persons read from chips, each step's answers, the scans."""
    rows = []
    for role, snap in snapshots.items():
        label = next((pick(p.label_vi, p.label_en) for p in service.persons if p.role == role), role)
        from_chip = _tr("từ chip")
        rows.append(f"<b>{label}</b>: {snap['personal'].get('full_name', '')} ({from_chip})")
    for step in service.steps:
        shown = [f for f in step.fields if f in values]
        if not shown:
            continue
        rows.append(f"<br><b>{pick(step.title_vi, step.title_en)}</b>")
        for fid in shown:
            f = service.field(fid)
            rows.append(f"{pick(f.label_vi, f.label_en)}: {_shown_value(f, values[fid])}")
    rows.append("<br>" + _tr("Bản quét đính kèm: %1").replace("%1", str(scans)))
    return "<br>".join(str(r) for r in rows)
