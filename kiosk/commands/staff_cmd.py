"""`kiosk staff add|list|deactivate|unlock|reset-password`, run as the machine's operator."""

from __future__ import annotations

import sys

from kiosk.commands.base import EXIT_OK, CommandError, emit
from kiosk.domain.roles import STAFF_ROLES


def register(sub) -> None:
    staff = sub.add_parser("staff", help="manage staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)

    add = staff_sub.add_parser("add", help="add a staff member")
    add.add_argument("--username", required=True)
    add.add_argument("--full-name", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in STAFF_ROLES])
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_add)

    lst = staff_sub.add_parser("list", help="list staff accounts")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    deactivate = staff_sub.add_parser("deactivate", help="disable an account and end its sessions")
    deactivate.add_argument("username")
    deactivate.set_defaults(func=_deactivate)

    unlock = staff_sub.add_parser("unlock", help="end a lock after failed logins now (the next lock starts again "
                                                 "at five minutes)")
    unlock.add_argument("username")
    unlock.set_defaults(func=_unlock)

    reset = staff_sub.add_parser("reset-password", help="give an account a new one-time password")
    reset.add_argument("username")
    reset.set_defaults(func=_reset)


def _add(args, ctx) -> int:
    if not args.password_stdin:
        raise CommandError("Cần --password-stdin: mật khẩu được đọc từ đầu vào chuẩn, không từ dòng lệnh.", 2)
    password = sys.stdin.readline().rstrip("\r\n")
    info = ctx.kiosk.staff.add(ctx.operator, args.username, args.full_name, args.role, password)
    emit(args, info.as_json(), f"Đã thêm {info.username} ({info.role}).")
    return EXIT_OK


def _list(args, ctx) -> int:
    people = ctx.kiosk.staff.list(ctx.operator)
    lines = [
        f"{p.username:<16} {p.role:<12} {'hoạt động' if p.active else 'đã khóa'}{' (tạm khóa)' if p.locked else ''}  {p.full_name}"
        for p in people
    ]
    emit(args, [p.as_json() for p in people], "\n".join(lines))
    return EXIT_OK


def _unlock(args, ctx) -> int:
    ctx.kiosk.staff.unlock(ctx.operator, args.username)
    print(f"Đã mở khóa đăng nhập cho {args.username}.")
    return EXIT_OK


def _deactivate(args, ctx) -> int:
    ctx.kiosk.staff.set_active(ctx.operator, args.username, False)
    print(f"Đã vô hiệu hóa {args.username}.")
    return EXIT_OK


def _reset(args, ctx) -> int:
    password = ctx.kiosk.staff.reset_password(ctx.operator, args.username)
    print(f"Mật khẩu dùng một lần mới của {args.username}: {password}")
    return EXIT_OK
