"""`kiosk config show`: every setting, where its value came from, and whether it is locked."""

from __future__ import annotations

from kiosk.commands.base import EXIT_OK, emit


def register(sub) -> None:
    config = sub.add_parser("config", help="show the settings")
    config_sub = config.add_subparsers(dest="config_command", required=True)
    show = config_sub.add_parser("show", help="print every setting with its source")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)


def _show(args, ctx) -> int:
    data = ctx.loaded.as_json()
    lines = [
        f"{name} = {item['value']!r}  ({item['source']}{', khóa bởi quản trị' if item['locked'] else ''})"
        for name, item in data["settings"].items()
    ]
    emit(args, data, "\n".join(lines))
    return EXIT_OK
