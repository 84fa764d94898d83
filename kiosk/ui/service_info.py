"""What the officer sees of a service before and while filling it: the national procedure code, the
forms, the fee in force on the day with its source, exemptions with their evidence, the processing time
— every value the catalog marks unconfirmed carries a warning mark so the officer checks it."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication

from kiosk.domain.catalog import FeeQuote, Service
from kiosk.ui.i18n import current_language

MARK = "⚠"


def _tr(text: str) -> str:
    return QCoreApplication.translate("ServiceInfo", text)


def _pick(vi: str, en: str) -> str:
    return en if current_language() == "en" and en else vi


def money(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", ".") + " đ"


def _flag(confirmed: bool) -> str:
    return "" if confirmed else f' <span style="color:#b35900">{MARK} {escape(_tr("chưa xác nhận — cán bộ kiểm tra"))}</span>'


def fee_lines_html(service: Service, quote: FeeQuote) -> list[str]:
    """The fee lines of a quote with their sources, the exemption with its evidence and article."""
    out = []
    for line in quote.lines:
        amount = money(line.amount) if line.amount is not None else _tr("do tỉnh/cơ quan quy định")
        count = f" × {line.count}" if line.count > 1 else ""
        source = (line.rate.source if line.rate else "") or line.item.source
        confirmed = line.item.confirmed and (line.rate is None or line.rate.confirmed)
        out.append(f"• {escape(_pick(line.item.label_vi, line.item.label_en))}{count}: <b>{amount}</b>"
                   + (f' <span style="color:#555">({escape(source)})</span>' if source else "") + _flag(confirmed))
    ex = quote.exemption
    if ex is not None:
        out.append(f"<b>{escape(_tr('Được miễn lệ phí'))}</b>: {escape(_pick(ex.who_vi, ex.who_en))}"
                   + (f" — {escape(_tr('căn cứ'))} {escape(ex.law)}" if ex.law else "") + _flag(ex.confirmed))
        if ex.evidence_vi:
            out.append(f"&nbsp;&nbsp;{escape(_tr('Giấy tờ cần xem'))}: {escape(_pick(ex.evidence_vi, ex.evidence_en))}")
    return out


def service_info_html(service: Service, on: date, form: dict[str, Any] | None = None, fees: bool = True) -> str:
    """A service's facts for the picker's side panel (or, with a form, for the wizard, which shows the fee
    itself: `fees=False`)."""
    form = form or {}
    rows = [f"<b>{service.number}. {escape(_pick(service.name_vi, service.name_en))}</b>"]
    codes = [service.procedure_code(form, on)] if form else list(service.procedure_codes)
    for pc in codes:
        if pc is None:
            continue
        code = escape(pc.code) if pc.code else escape(_tr("chưa có mã"))
        name = f" ({escape(pc.name_vi)})" if len(codes) > 1 and pc.name_vi else ""
        rows.append(f"{escape(_tr('Mã thủ tục'))}: <b>{code}</b>{name}" + _flag(pc.confirmed))
    agency = service.receiving[0]
    rows.append(f"{escape(_tr('Nơi tiếp nhận'))}: {escape(_pick(agency.name_vi, agency.name_en))}" + _flag(agency.confirmed))
    for form_ref in service.forms:
        rows.append(f"{escape(_tr('Tờ khai'))}: {escape(form_ref.code or '')} {escape(form_ref.title_vi)}"
                    + _flag(form_ref.confirmed))
    receipt = service.notice_form("receipt")
    rows.append(f"{escape(_tr('Phiếu tiếp nhận'))}: {escape(receipt.code)} ({escape(receipt.source)})" + _flag(receipt.confirmed))
    quote = service.fee_quote(form, on=on)
    if fees:
        rows.append(f"<br><b>{escape(_tr('Lệ phí'))}</b> ({on:%d/%m/%Y})")
    if fees and form:
        rows += fee_lines_html(service, quote) or [escape(_tr("Không thu"))]
    elif fees:
        # Before a case is chosen: every line with the rate in force on the day.
        for item in service.fees.items:
            rate = item.rate(on)
            amount = money(rate.amount) if rate.amount is not None else _tr("do tỉnh/cơ quan quy định")
            online = (f", {escape(_tr('trực tuyến'))} {money(rate.online_amount)}"
                      if rate.online_amount is not None and rate.online_amount != rate.amount else "")
            source = rate.source or item.source
            rows.append(f"• {escape(_pick(item.label_vi, item.label_en))}: <b>{amount}</b>{online}"
                        + (f' <span style="color:#555">({escape(source)})</span>' if source else "")
                        + _flag(item.confirmed and rate.confirmed))
    if fees and service.fees.exemptions and quote.exemption is None:
        rows.append(escape(_tr("Đối tượng được miễn:")))
        for ex in service.fees.exemptions:
            rows.append(f"&nbsp;&nbsp;– {escape(_pick(ex.who_vi, ex.who_en))}" + _flag(ex.confirmed))
    p = service.processing
    days = p.days_for(form, on)
    text = {"same_day": _tr("trong ngày"), "immediate": _tr("giải quyết ngay"), "annual_window": _tr("theo lịch năm"),
            "on_payment": _tr("ngay khi nộp tiền")}.get(p.kind, "")
    if days is not None and p.kind == "working_days":
        text = _tr("%1 ngày làm việc").replace("%1", str(days))
        if p.variants:
            text += " (" + ", ".join(_tr("%1 ngày khi đủ điều kiện").replace("%1", str(v.days)) for v in p.variants) + ")"
    rows.append(f"<br>{escape(_tr('Thời hạn giải quyết'))}: {escape(text)}" + _flag(p.confirmed))
    for person in service.representatives():
        rows.append(f"{escape(_tr('Người đại diện'))}: {escape(_pick(person.label_vi, person.label_en))}" + _flag(person.confirmed))
    return "<br>".join(rows)
