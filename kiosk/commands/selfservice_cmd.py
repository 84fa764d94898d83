"""`kiosk selfservice pin`: the administrator's PIN that leaves the hall kiosk's full-screen mode."""

from __future__ import annotations

import sys

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit


def register(sub) -> None:
    s = sub.add_parser("selfservice", help="the hall kiosk's exit PIN")
    s_sub = s.add_subparsers(dest="selfservice_command", required=True)
    pin = s_sub.add_parser("pin", help="set the exit PIN (6–12 digits) read from standard input")
    pin.add_argument("--pin-stdin", action="store_true", required=True)
    pin.add_argument("--json", action="store_true")
    pin.set_defaults(func=_pin)


def _pin(args, ctx) -> int:
    text = sys.stdin.readline().strip()
    if not text:
        raise CommandError("--pin-stdin: không đọc được mã PIN từ đầu vào chuẩn.", EXIT_BAD_INPUT)
    ctx.kiosk.exit_pin.set_pin(ctx.operator, text)
    emit(args, {"pin_set": True}, "Đã đặt mã PIN thoát chế độ kiosk tự phục vụ.")
    return EXIT_OK
