"""`kiosk rating add|report`: citizens' ratings of received dossiers and the station's monthly report.

Exit codes: 0 done, 1 refused, 2 bad input (with `{"errors": [{field, message}]}`).
"""

from __future__ import annotations

from kiosk.commands.base import EXIT_OK, emit


def register(sub) -> None:
    r = sub.add_parser("rating", help="rate a received dossier (1–3) and the monthly report")
    r_sub = r.add_subparsers(dest="rating_command", required=True)
    add = r_sub.add_parser("add", help="a citizen's rating of a received dossier")
    add.add_argument("code", metavar="CODE", help="the tracking code, or the receipt's QR text")
    add.add_argument("--level", required=True, metavar="1|2|3",
                     help="1 không hài lòng, 2 hài lòng, 3 rất hài lòng")
    add.add_argument("--reason", default="", metavar="TEXT")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)
    report = r_sub.add_parser("report", help="the month's ratings (the station's from the hub, else this kiosk's)")
    report.add_argument("--month", required=True, metavar="YYYY-MM")
    report.add_argument("--json", action="store_true")
    report.set_defaults(func=_report)


def _add(args, ctx) -> int:
    result = ctx.kiosk.ratings.add(ctx.operator, args.code, args.level, args.reason)
    emit(args, result, f"Đã ghi đánh giá «{result['label_vi']}» cho hồ sơ {result['tracking_code']}.")
    return EXIT_OK


def _report(args, ctx) -> int:
    r = ctx.kiosk.ratings.report(ctx.operator, args.month)
    share = f"{r['satisfied_percent']} %" if r["satisfied_percent"] is not None else "—"
    lines = [f"Tháng {r['month']} ({'cả trạm' if r['source'] == 'hub' else 'kiosk này'}): {r['total']} đánh giá, "
             f"hài lòng trở lên {share}",
             f"  Rất hài lòng: {r['levels']['3']}  Hài lòng: {r['levels']['2']}  Không hài lòng: {r['levels']['1']}"]
    lines += [f"  Dịch vụ {s['service_no']}: {s['total']}" for s in r["by_service"]]
    emit(args, r, "\n".join(lines))
    return EXIT_OK
