"""What every subcommand shares: the lazily opened kiosk, JSON output, errors as exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.db.errors import DatabaseOpenError
from kiosk.domain.text import scrub
from kiosk.services.errors import InvalidInput, ServiceError
from kiosk.services.explain import explain
from kiosk.support.config import LoadedSettings, SettingsError, load_settings

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2



def new_reference() -> str:
    """A short number shown to the operator and written beside the traceback in the log."""
    import secrets

    return "E-" + secrets.token_hex(4).upper()


class CommandError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_FAILED, payload: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.payload = payload


@dataclass
class CommandContext:
    args: argparse.Namespace
    loaded: LoadedSettings
    _kiosk: Any = field(default=None, repr=False)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CommandContext:
        overrides = {"data_dir": args.data_dir, "demo": args.demo, "language": getattr(args, "lang", None)}
        try:
            loaded = load_settings(overrides)
        except SettingsError as exc:
            raise SystemExit(f"Cấu hình không hợp lệ: {exc}") from exc
        return cls(args, loaded)

    @property
    def kiosk(self):
        """Open the data folder on first use (commands such as `config show` never do)."""
        if self._kiosk is None:
            from kiosk.app import build

            self._kiosk = build(self.loaded, console_log=True)
            if self._kiosk.first_admin_password:
                print(
                    "Lần khởi động đầu tiên: đã tạo tài khoản quản trị 'admin' với mật khẩu dùng một lần "
                    f"{self._kiosk.first_admin_password} (chỉ hiển thị lần này; đổi mật khẩu khi đăng nhập).",
                    file=sys.stderr,
                )
        return self._kiosk

    @property
    def operator(self):
        from kiosk.app import operator_principal

        return operator_principal()

    def close(self) -> None:
        if self._kiosk is not None:
            self._kiosk.close()


def bad_input(field: str, message: str, reason: str | None = None) -> CommandError:
    """Exit 2 with `{"errors": [{field, message[, reason]}]}` for --json and `field: message` on stderr."""
    error = {"field": field, "message": message} | ({"reason": reason} if reason else {})
    return CommandError(f"{field}: {message}", EXIT_BAD_INPUT, {"errors": [error]})


def read_json_file(path_text: str, field: str) -> Any:
    """A JSON file an operator gave (a chip, a form): read within `kiosk.support.safejson`'s limits, so deep
    nesting, 1e999 or NaN are refused with exit 2 and a reason, never a traceback."""
    from kiosk.support import safejson

    path = Path(path_text)
    try:
        data = path.read_bytes()
    except OSError:
        raise bad_input(field, f"Không đọc được tệp {path}.", "unreadable") from None
    try:
        return safejson.loads(data)
    except safejson.JsonRefused as exc:
        raise bad_input(field, f"Tệp {path} {exc.message_vi}.", exc.reason) from None


def write_output_file(path_text: str, data: bytes, field: str = "--out") -> Path:
    """Write a file the operator named (`--out`): into an existing folder, never through a symbolic
    link, mode 0600 (`kiosk.support.safefiles.write_output`); a refusal is exit 2 with a reason."""
    from kiosk.support.safefiles import UnsafeOutput, write_output

    try:
        return write_output(Path(path_text), data)
    except UnsafeOutput as exc:
        raise bad_input(field, f"Không ghi: {exc.message_vi}", exc.reason) from None
    except OSError as exc:
        raise CommandError(f"{field}: không ghi được {path_text} ({exc.strerror}).", EXIT_FAILED) from None


def emit(args: argparse.Namespace, payload: Any, human: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        # Text from the database reaches a terminal: no escape sequences or direction overrides from older rows.
        print(scrub(human, multiline=True))


def run_command(args: argparse.Namespace, ctx: CommandContext) -> int:
    """Run a subcommand; known failures become a Vietnamese sentence and an exit code, never a traceback."""
    try:
        return args.func(args, ctx)
    except CommandError as exc:
        if exc.payload is not None and getattr(args, "json", False):
            print(json.dumps(exc.payload, ensure_ascii=False, indent=2))
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except InvalidInput as exc:
        payload = {"errors": [{"field": f, "message": m} for f, m in exc.errors]}
        if getattr(args, "json", False):
            print(json.dumps(payload, ensure_ascii=False, indent=2))
        for f, m in exc.errors:
            print(f"{f}: {m}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DatabaseOpenError as exc:
        print(f"{explain(exc).vi} ({exc.path})", file=sys.stderr)
        return EXIT_FAILED
    except ServiceError as exc:
        print(explain(exc).vi, file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Đã hủy.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`kiosk services list | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception:
        # The traceback goes to the log file only (the console handler never prints one); the
        # operator gets a reference to find it.
        reference = new_reference()
        log.exception("unexpected error in 'kiosk %s' (reference %s)", args.command, reference)
        print(f"Lỗi không mong đợi (mã tham chiếu {reference}); chi tiết đã được ghi vào nhật ký của kiosk.",
              file=sys.stderr)
        return EXIT_FAILED
    finally:
        ctx.close()
