"""`kiosk services list|show`: the 25 services as the catalog describes them."""

from __future__ import annotations

from typing import Any

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit


def register(sub) -> None:
    svc = sub.add_parser("services", help="the 25 essential public services (catalog)")
    svc_sub = svc.add_subparsers(dest="services_command", required=True)
    lst = svc_sub.add_parser("list", help="all 25 services, most requested first")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)
    show = svc_sub.add_parser("show", help="one service: fields, documents, fees, processing time")
    show.add_argument("number", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)


def _agency(a) -> dict[str, Any]:
    return {"level": a.level, "name_vi": a.name_vi, "name_en": a.name_en, "confirmed": a.confirmed}


def service_json(s, detail: bool = False) -> dict[str, Any]:
    """A service for scripts: what the wizard asks, what to hand in, what it costs, how long it takes."""
    out: dict[str, Any] = {
        "number": s.number,
        "name_vi": s.name_vi,
        "name_en": s.name_en,
        "applicant_kind": s.applicant_kind,
        "agency": _agency(s.responsible),
        "receiving": [_agency(a) for a in s.receiving],
        "fees": _fees_json(s.fees),
        "procedure_codes": [{"code": pc.code, "name_vi": pc.name_vi, "source": pc.source, "confirmed": pc.confirmed}
                            for pc in s.procedure_codes],
        "notice_forms": {kind: {"code": f.code, "title_vi": f.title_vi, "source": f.source, "confirmed": f.confirmed}
                         for kind in ("receipt", "supplement", "refusal") for f in [s.notice_form(kind)]},
        "processing_kind": s.processing.kind,
        "processing_days": s.processing.days_for(None),
        "fields": [_field_json(f) for f in s.fields],
        "documents": [
            {"id": d.id, "what_vi": d.what_vi, "what_en": d.what_en, "kind": d.kind, "count": d.count,
             "scan": d.scan, "required": d.required, "condition_vi": d.condition_vi}
            for d in s.documents
        ],
    }
    if detail:
        out.update(_detail_json(s))
    return out


def _fees_json(fees) -> dict[str, Any]:
    return {
        "items": [
            {"id": i.id, "label_vi": i.label_vi, "label_en": i.label_en, "amount": i.amount,
             "online_amount": i.online_amount, "set_by": i.set_by, "per": i.per, "confirmed": i.confirmed,
             "source": i.source,
             "schedule": [{"from": r.start.isoformat() if r.start else None, "to": r.end.isoformat() if r.end else None,
                           "amount": r.amount, "online_amount": r.online_amount, "source": r.source,
                           "confirmed": r.confirmed} for r in i.schedule]}
            for i in fees.items
        ],
        "exemptions": [{"id": e.id, "who_vi": e.who_vi, "who_en": e.who_en, "evidence_vi": e.evidence_vi,
                        "law": e.law, "confirmed": e.confirmed} for e in fees.exemptions],
        "legal_basis": fees.legal_basis,
    }


def _field_json(f) -> dict[str, Any]:
    return {"id": f.id, "type": f.type, "label_vi": f.label_vi, "label_en": f.label_en, "required": f.required,
            "person": f.person, "prefill": f.prefill,
            **({"options": [{"value": o.value, "label_vi": o.label_vi, "label_en": o.label_en} for o in f.options]}
               if f.options else {}),
            **({"when": [{"field": c.field, "in": list(c.values)} for c in f.when]} if f.when else {})}


def _detail_json(s) -> dict[str, Any]:
    """What `kiosk services show` adds: channels, law, forms, persons, steps, processing, eligibility, result."""
    return {
        "channels": list(s.channels),
        "legal_basis": [{"ref": x.ref, "confirmed": x.confirmed} for x in s.legal_basis],
        "forms": [{"code": x.code, "title_vi": x.title_vi, "source": x.source} for x in s.forms],
        "persons": [{"role": p.role, "label_vi": p.label_vi, "label_en": p.label_en, "reads_card": p.reads_card,
                     "required": p.required} for p in s.persons],
        "steps": [{"id": st.id, "title_vi": st.title_vi, "title_en": st.title_en, "fields": list(st.fields)}
                  for st in s.steps],
        "processing": {
            "kind": s.processing.kind, "days": s.processing.days, "extended_days": s.processing.extended_days,
            "counting": {"starts": s.processing.counting.starts,
                         "cutoff": s.processing.counting.cutoff.isoformat() if s.processing.counting.cutoff else None},
            "confirmed": s.processing.confirmed,
        },
        "eligibility": [{"id": e.id, "kind": e.kind, "field": e.field, "severity": e.severity,
                         "message_vi": e.message_vi} for e in s.eligibility],
        "result": [{"vi": r.vi, "en": r.en, "electronic": r.electronic} for r in s.result],
    }


def _fee_text(s) -> str:
    amounts = [i.amount for i in s.fees.items if i.amount is not None]
    if any(i.amount is None for i in s.fees.items):
        return "theo mức của tỉnh/đơn vị cung cấp"
    if not amounts or max(amounts) == 0:
        return "miễn phí"
    return f"{min(amounts):,}–{max(amounts):,} đ".replace(",", ".") if len(set(amounts)) > 1 else f"{amounts[0]:,} đ".replace(",", ".")


def _days_text(s) -> str:
    days = s.processing.days_for(None)
    return {"same_day": "trong ngày", "immediate": "ngay", "annual_window": "theo lịch hằng năm",
            "on_payment": "khi nộp tiền"}.get(s.processing.kind, f"{days} ngày làm việc" if days else "chưa xác định")


def _list(args, ctx) -> int:
    from kiosk.services.catalog import load_catalog

    services = load_catalog().all()
    lines = [f"{s.number:>2}. {s.name_vi} — {_days_text(s)}; lệ phí: {_fee_text(s)}" for s in services]
    emit(args, [service_json(s) for s in services], "\n".join(lines))
    return EXIT_OK


def _show(args, ctx) -> int:
    from kiosk.services.catalog import load_catalog

    catalog = load_catalog()
    try:
        s = catalog.get(args.number)
    except KeyError:
        raise CommandError(f"Không có dịch vụ số {args.number} (chỉ có 1–25).", EXIT_BAD_INPUT) from None
    lines = [
        f"{s.number}. {s.name_vi}",
        f"   {s.name_en}",
        f"Cơ quan giải quyết: {s.responsible.name_vi}",
        f"Thời hạn: {_days_text(s)}; lệ phí: {_fee_text(s)}",
        "Thành phần hồ sơ:",
        *[f"  - {d.what_vi}" + (f" ({d.condition_vi})" if d.condition_vi else "") for d in s.documents],
        "Thông tin cần khai:",
        *[f"  - {f.label_vi}" + ("" if f.required else " (không bắt buộc)") for f in s.fields],
    ]
    emit(args, service_json(s, detail=True), "\n".join(lines))
    return EXIT_OK
