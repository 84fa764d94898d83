"""The `kiosk` command: with no subcommand it opens the GUI; subcommands do headless work.

Headless commands act as the machine's operator: they open the data folder with its key and the
audit log records them as `operator:<user>@<host>`. Each prints JSON with `--json`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from kiosk import __version__
from kiosk.commands import command_modules
from kiosk.commands.base import CommandContext, run_command


def build_parser(with_commands: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        add_help=with_commands,
        prog="kiosk",
        description="Kiosk tiếp dân của Công an phường: đọc chip CCCD, tài khoản định danh, 25 dịch vụ công.",
    )
    if with_commands:
        parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="put everything the kiosk stores under DIR (KIOSK_DATA_DIR)")
    parser.add_argument("--demo", action="store_true", default=None, help="demo mode: virtual chip, PDF printer")
    parser.add_argument("--selfservice", action="store_true", help="open the GUI in self-service (citizen) mode")
    parser.add_argument("--hall-display", action="store_true",
                        help="the hall's screen: numbers being called and their counters (from the station's hub)")
    parser.add_argument("--lang", choices=("vi", "en"), help="language of the GUI")
    if with_commands:
        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        for module in command_modules():
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["__child"]:  # kiosk.support.children.HIDDEN: a child process of the kiosk, not in the help
        from kiosk.support import children

        return children.run(argv[1:])
    # The GUI needs only the global options: skip loading every command module before its window.
    gui_only = build_parser(with_commands=False).parse_known_args(argv)
    if not gui_only[1]:
        from kiosk.ui.main import run_gui

        args = gui_only[0]
        args.command = None
        return run_gui(args)
    args = build_parser().parse_args(argv)
    if args.command is None:
        from kiosk.ui.main import run_gui

        return run_gui(args)
    return run_command(args, CommandContext.from_args(args))


if __name__ == "__main__":
    sys.exit(main())
