"""`kiosk retention policy|run`: how long each kind of personal data stays on the kiosk, and the purge.

`run` deletes what is past its period (`--dry-run` only counts) and prints how many items of each kind went;
the audit log records the counts, never the content. Exit 0.
"""

from __future__ import annotations

from kiosk.commands.base import EXIT_OK, emit


def register(sub) -> None:
    retention = sub.add_parser("retention", help="retention of personal data: the policy and the purge")
    retention_sub = retention.add_subparsers(dest="retention_command", required=True)
    policy = retention_sub.add_parser("policy", help="each kind of data, its period (setting), default and legal source")
    policy.add_argument("--json", action="store_true")
    policy.set_defaults(func=_policy)
    run = retention_sub.add_parser("run", help="purge what is past its period (the kiosk also runs this daily)")
    run.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    run.add_argument("--json", action="store_true")
    run.set_defaults(func=_run)


def _policy(args, ctx) -> int:
    policy = ctx.kiosk.retention.policy()
    lines = []
    for k in policy:
        lock = ", khóa bởi quản trị" if k["locked"] else ""
        lines.append(f"{k['label']}: {k['days']} ngày ({k['setting']}, mặc định {k['default_days']}{lock})\n"
                     f"  {k['rule']}\n  Căn cứ: {k['source']}")
    emit(args, {"kinds": policy}, "\n".join(lines))
    return EXIT_OK


def _run(args, ctx) -> int:
    from kiosk.services.retention import KINDS

    report = ctx.kiosk.retention.run(ctx.operator, dry_run=args.dry_run)
    verb = "Sẽ xóa" if report.dry_run else "Đã xóa"
    lines = []
    for r in report.results:
        label = KINDS[r.kind].label_vi
        if not r.installed:
            lines.append(f"{label}: chưa có trên kiosk này.")
        else:
            lines.append(f"{label}: {verb.lower()} {r.count} (thời hạn {r.days} ngày).")
    emit(args, report.as_json(), f"{verb} {report.total} mục dữ liệu hết thời hạn lưu giữ.\n" + "\n".join(lines))
    return EXIT_OK
