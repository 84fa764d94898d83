"""What every subcommand shares: the lazily opened kiosk, JSON output, errors as exit codes."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from kiosk.config import LoadedSettings, SettingsError, load_settings
from kiosk.db.errors import MESSAGES_VI as DB_MESSAGES_VI
from kiosk.db.errors import DatabaseOpenError
from kiosk.services.errors import InvalidInput, NotFound, PermissionDenied, ServiceError

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2



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


def emit(args: argparse.Namespace, payload: Any, human: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(human)


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
        print(f"{DB_MESSAGES_VI.get(exc.reason, 'Không mở được cơ sở dữ liệu.')} ({exc.path})", file=sys.stderr)
        return EXIT_FAILED
    except PermissionDenied as exc:
        print(f"Không có quyền thực hiện thao tác này ({exc.permission}).", file=sys.stderr)
        return EXIT_FAILED
    except NotFound as exc:
        print(f"Không tìm thấy: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except ServiceError as exc:
        print(f"Không thực hiện được: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Đã hủy.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`kiosk services list | head`): not an error of ours.
        sys.stderr.close()
        return EXIT_OK
    except Exception:
        log.exception("unexpected error in 'kiosk %s'", args.command)
        print("Lỗi không mong đợi; chi tiết đã được ghi vào nhật ký của kiosk.", file=sys.stderr)
        return EXIT_FAILED
    finally:
        ctx.close()
