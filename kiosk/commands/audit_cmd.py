"""`kiosk audit verify|list`: check the hash chain, show recent entries."""

from __future__ import annotations

from kiosk.commands.base import EXIT_FAILED, EXIT_OK, emit

REASONS = {
    "edited": "một mục đã bị sửa",
    "missing_or_reordered": "một mục bị xóa hoặc bị đổi thứ tự",
    "tail_deleted": "các mục cuối đã bị xóa",
}


def register(sub) -> None:
    aud = sub.add_parser("audit", help="the tamper-evident audit log")
    aud_sub = aud.add_subparsers(dest="audit_command", required=True)
    verify = aud_sub.add_parser("verify", help="verify the hash chain; exit 1 naming the first broken entry")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_verify)
    lst = aud_sub.add_parser("list", help="recent entries, newest first")
    lst.add_argument("--limit", type=int, default=50)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)


def _verify(args, ctx) -> int:
    from kiosk.services import audit

    result = audit.verify(ctx.kiosk.db, ctx.operator)
    if result.ok:
        human = f"Nhật ký kiểm toán nguyên vẹn: {result.entries} mục."
    else:
        human = f"Nhật ký kiểm toán BỊ THAY ĐỔI tại mục số {result.first_broken_seq}: {REASONS[result.reason]}."
    emit(args, result.as_json(), human)
    return EXIT_OK if result.ok else EXIT_FAILED


def _list(args, ctx) -> int:
    from kiosk.services import audit

    entries = audit.recent(ctx.kiosk.db, ctx.operator, args.limit)
    lines = [f"{e['seq']:>6} {e['at']} {e['actor']:<24} {e['action']:<28} {e['target_kind']}:{e['target_id']}" for e in entries]
    emit(args, entries, "\n".join(lines))
    return EXIT_OK
