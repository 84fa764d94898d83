"""The citizens' service guide (tìm hiểu thủ tục): the 25 services grouped in plain words, each with what
it is for, who may ask, the documents to bring, the fees, the time it takes and the day it would be ready
if filed now, and where the result comes from; the same as a checklist to print.

Groups, purposes and who may ask come from `resources/guide/guide.json`; everything that is a rule
(documents, fees, processing time, results) comes from the catalog, so the guide never disagrees with
the counter's wizard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kiosk.domain.catalog import Service
from kiosk.domain.dossier import local_received_at
from kiosk.domain.queue import Checklist, ChecklistLine, Guide, GuideEntry, ServiceGroup
from kiosk.domain.roles import Permission, Principal
from kiosk.services.clock import Clock, utc_now
from kiosk.services.errors import InvalidInput
from kiosk.services.permissions import require_any
from kiosk.support.resources import resource_path

KIND_VI = {"original": "bản chính", "copy": "bản sao", "show": "xuất trình", "electronic": "bản điện tử"}
KIND_EN = {"original": "original", "copy": "copy", "show": "to show", "electronic": "electronic"}


def load_guide(service_numbers: list[int]) -> Guide:
    data = json.loads(resource_path("guide", "guide.json").read_text(encoding="utf-8"))
    return Guide.from_dict(data, service_numbers)


def money(amount: int | None) -> str:
    return f"{amount:,}".replace(",", ".") + " đ" if amount is not None else "—"


@dataclass(frozen=True)
class ServiceGuide:
    """One service as the hall explains it: every line in Vietnamese and English."""

    service: Service
    group: ServiceGroup
    entry: GuideEntry
    documents: tuple[ChecklistLine, ...]
    fees: tuple[ChecklistLine, ...]
    processing: ChecklistLine
    ready: ChecklistLine
    ready_date: date | None
    result: tuple[ChecklistLine, ...]
    where: ChecklistLine
    unconfirmed: bool

    def as_json(self) -> dict[str, Any]:
        def lines(items):
            return [{"vi": x.text_vi, "en": x.text_en} for x in items]

        s = self.service
        return {
            "service_no": s.number, "name_vi": s.name_vi, "name_en": s.name_en,
            "group": self.group.letter, "group_vi": self.group.name_vi, "group_en": self.group.name_en,
            "purpose_vi": self.entry.purpose_vi, "purpose_en": self.entry.purpose_en,
            "who_vi": self.entry.who_vi, "who_en": self.entry.who_en,
            "documents": lines(self.documents), "fees": lines(self.fees),
            "processing": {"vi": self.processing.text_vi, "en": self.processing.text_en},
            "ready_date": self.ready_date.isoformat() if self.ready_date else None,
            "result": lines(self.result), "where": {"vi": self.where.text_vi, "en": self.where.text_en},
            "unconfirmed": self.unconfirmed,
        }


class GuideService:
    def __init__(self, catalog: Any, calendar: Any, unit_name: str = "", clock: Clock = utc_now) -> None:
        self.catalog = catalog
        self.calendar = calendar
        self.unit_name = unit_name
        self.clock = clock
        self.guide = load_guide([s.number for s in catalog.all()])

    def groups(self) -> tuple[ServiceGroup, ...]:
        return self.guide.groups

    def group_of(self, service_no: int) -> ServiceGroup:
        return self.guide.group_of(service_no)

    def group(self, letter: str) -> ServiceGroup:
        return self.guide.group(letter)

    def services_of(self, letter: str) -> list[Service]:
        group = self.guide.group(letter)
        return [self.catalog.get(n) for n in group.services]

    def _now_local(self) -> datetime:
        return local_received_at(None, self.clock()).replace(tzinfo=None)

    def describe(self, service_no: int, now: datetime | None = None) -> ServiceGuide:
        """Everything the guide page and the checklist show for one service, the ready date as of `now`."""
        try:
            service = self.catalog.get(int(service_no))
        except (KeyError, ValueError):
            raise InvalidInput([("service", f"Không có dịch vụ số {service_no} (chỉ có 1–25).",
                                 f"There is no service number {service_no} (only 1–25).")]) from None
        now = now or self._now_local()
        documents, documents_unconfirmed = _document_lines(service)
        fees, fees_unconfirmed = _fee_lines(service, now.date())
        processing = _processing_line(service.processing)
        unconfirmed = documents_unconfirmed or fees_unconfirmed or not service.processing.confirmed
        ready_date = service.due_date(self.calendar.calendar, now, {})
        if ready_date is not None:
            ready = ChecklistLine(f"Nếu nộp bây giờ: hẹn trả ngày {ready_date:%d/%m/%Y}",
                                  f"If filed now: ready on {ready_date:%d/%m/%Y}")
        else:
            ready = ChecklistLine("Không có ngày hẹn tính theo ngày làm việc", "No working-day appointment date")
        result = tuple(ChecklistLine(r.vi + (" (có bản điện tử)" if r.electronic else ""),
                                     r.en + (" (also electronic)" if r.electronic else "")) for r in service.result)
        resp = service.responsible
        where = ChecklistLine(f"Cơ quan giải quyết: {resp.name_vi}", f"Decided by: {resp.name_en}")
        return ServiceGuide(service, self.guide.group_of(service.number), self.guide.entries[service.number],
                            tuple(documents), tuple(fees), processing, ready, ready_date, result, where,
                            unconfirmed or not self.guide.entries[service.number].confirmed)

    def checklist(self, principal: Principal, code: str) -> Checklist:
        """The printable checklist of service `code` (its number, as a print job names it)."""
        require_any(principal, Permission.STATUS_CHECK, Permission.DOSSIER_VIEW)
        g = self.describe(int(code) if str(code).isdigit() else -1)
        s = g.service
        return Checklist(
            self.unit_name, s.number, s.name_vi, s.name_en, ChecklistLine(g.entry.purpose_vi, g.entry.purpose_en),
            ChecklistLine(g.entry.who_vi, g.entry.who_en), g.documents, g.fees, g.processing, g.ready, g.result,
            g.where, self._now_local(), g.unconfirmed,
        )


def _document_lines(service) -> tuple[list[ChecklistLine], bool]:
    """What to hand in, a line each; and whether any of it is not yet confirmed against the law."""
    unconfirmed = False
    documents = []
    for d in service.documents:
        unconfirmed |= not d.confirmed
        vi = f"{d.what_vi} ({KIND_VI.get(d.kind, d.kind)}, {d.count})"
        en = f"{d.what_en} ({KIND_EN.get(d.kind, d.kind)}, {d.count})"
        if d.condition_vi:
            vi += f" — {d.condition_vi}"
            en += f" — {d.condition_en or d.condition_vi}"
        if not d.required:
            vi += " — nếu có"
            en += " — if any"
        documents.append(ChecklistLine(vi, en))
    return documents, unconfirmed


def _fee_lines(service, day: date) -> tuple[list[ChecklistLine], bool]:
    """What it costs on `day` (the rate in force then), the exemptions after; and whether any is unconfirmed."""
    unconfirmed = False
    fees = []
    for item in service.fees.items:
        rate = item.rate(day)  # the rate in force today (a reduction for a period, a new circular)
        unconfirmed |= not item.confirmed or not rate.confirmed
        if rate.amount is None:
            who_vi = {"province": "tỉnh", "provider": "đơn vị cung cấp"}.get(item.set_by, item.set_by)
            who_en = {"province": "the province", "provider": "the provider"}.get(item.set_by, item.set_by)
            fees.append(ChecklistLine(f"{item.label_vi}: do {who_vi} quy định", f"{item.label_en}: set by {who_en}"))
            continue
        online = rate.online_amount
        vi = f"{item.label_vi}: {money(rate.amount)} nộp trực tiếp"
        en = f"{item.label_en}: {money(rate.amount)} in person"
        if online is not None and online != rate.amount:
            vi += f", {money(online)} nộp trực tuyến"
            en += f", {money(online)} online"
        if item.per == "person" and "mỗi người" not in item.label_vi:
            vi += " (mỗi người)"
            en += " (per person)"
        fees.append(ChecklistLine(vi, en))
    for ex in service.fees.exemptions:
        fees.append(ChecklistLine(f"Miễn: {ex.who_vi}", f"Exempt: {ex.who_en}"))
    return fees, unconfirmed


def _processing_line(p) -> ChecklistLine:
    """How long it takes, in working days, as the counter says it."""
    days = p.days_for(None)
    if p.kind == "same_day":
        return ChecklistLine("Trong ngày (nộp sau 15 giờ thì trả ngày làm việc tiếp theo)",
                             "The same day (after 15:00: the next working day)")
    if days is None:
        return ChecklistLine(p.note_vi or "Theo quy định riêng của thủ tục", p.note_vi or "As the procedure sets")
    line = ChecklistLine(f"{days} ngày làm việc", f"{days} working days")
    if p.extended_days:
        line = ChecklistLine(
            line.text_vi + f"; đến {p.extended_days} ngày khi {p.extended_when_vi or 'cần xác minh'}",
            line.text_en + f"; up to {p.extended_days} when {p.extended_when_en or 'checks are needed'}")
    return line
