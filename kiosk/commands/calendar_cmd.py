"""`kiosk calendar import|show`: the working-day calendar (the government's swaps and extra days off)."""

from __future__ import annotations

from pathlib import Path

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit


def register(sub) -> None:
    cal = sub.add_parser("calendar", help="working days, holidays and the government's swaps")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)
    imp = cal_sub.add_parser("import", help="import an announced year (days off, Saturdays worked)")
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=_import)
    show = cal_sub.add_parser("show", help="the non-working weekdays and worked Saturdays of a year")
    show.add_argument("year", type=int)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)


def _imported_path(ctx) -> Path:
    return ctx.loaded.settings.data_dir / "calendar" / "imported.json"


def _import(args, ctx) -> int:
    from kiosk.domain.roles import Permission
    from kiosk.services import audit
    from kiosk.services.calendar import CalendarError
    from kiosk.services.permissions import require

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"Không tìm thấy tệp {path}.", EXIT_BAD_INPUT)
    kiosk = ctx.kiosk
    require(ctx.operator, Permission.SETTINGS_CHANGE)
    try:
        years = kiosk.calendar.import_calendar(path)
    except CalendarError as exc:
        raise CommandError(f"Tệp lịch không hợp lệ ({exc.path or 'tệp'}): {exc.detail}", EXIT_BAD_INPUT,
                           {"error": "invalid_calendar", "path": exc.path, "detail": exc.detail}) from None
    with kiosk.db.transaction() as session:
        audit.append(session, ctx.operator.audit_name, "calendar.import", "calendar", "", {"years": years})
    payload = {"imported_years": years, "provisional": {str(y): kiosk.calendar.is_provisional(y) for y in years}}
    emit(args, payload, f"Đã nhập lịch làm việc năm {', '.join(map(str, years))}.")
    return EXIT_OK


def _show(args, ctx) -> int:
    from kiosk.services.calendar import CalendarError, CalendarService

    if not 1990 <= args.year <= 2100:
        raise CommandError("Năm phải trong khoảng 1990–2100.", EXIT_BAD_INPUT)
    try:
        service = CalendarService(imported_path=_imported_path(ctx))
    except CalendarError as exc:
        raise CommandError(f"Tệp lịch đã nhập bị hỏng: {exc}", 1) from None
    info = service.show_year(args.year)
    lines = [f"Năm {args.year}" + (" (tạm tính theo luật, chưa có quyết định chính thức)" if info["provisional"] else "")]
    lines += [f"  nghỉ  {d['date']} {d['weekday']}: {d['name_vi']}" for d in info["non_working_weekdays"]]
    lines += [f"  làm bù {d['date']} Thứ Bảy: {d['reason_vi']}" for d in info["worked_saturdays"]]
    lines.append(f"Số ngày làm việc: {info['working_days']}")
    emit(args, info, "\n".join(lines))
    return EXIT_OK
