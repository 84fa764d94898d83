"""`kiosk backup create|verify|restore|status|daily|key`: encrypted backups of the kiosk's data.

Exit codes: 0 done, 1 failed (the folder cannot be written, the kiosk is running), 2 refused file or input
(not a backup, cut short, damaged, another kiosk's, a bad recovery key).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError, emit

#: Reasons that come from the file the operator named, not from the machine.
REFUSED_FILE = frozenset({"not_backup", "foreign", "damaged", "newer", "no_key", "other_kiosk_here", "no_folder"})


def register(sub) -> None:
    backup = sub.add_parser("backup", help="encrypted, self-checking backups of the data (database and scans)")
    backup_sub = backup.add_subparsers(dest="backup_command", required=True)

    create = backup_sub.add_parser("create", help="write a backup now (safe while the kiosk runs)")
    create.add_argument("--out", metavar="FILE", help="default: a dated file in the backup folder (backup_dir)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=_create)

    verify = backup_sub.add_parser("verify", help="check a backup file completely without restoring it")
    verify.add_argument("file")
    verify.add_argument("--key-file", metavar="FILE", help="the recovery key (kiosk backup key) on another machine")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_verify)

    restore = backup_sub.add_parser(
        "restore", help="replace the data with a backup (the kiosk must be closed; it must then rejoin its hub)")
    restore.add_argument("file")
    restore.add_argument("--key-file", metavar="FILE", help="the recovery key, when restoring on a new machine")
    restore.add_argument("--json", action="store_true")
    restore.set_defaults(func=_restore)

    status = backup_sub.add_parser("status", help="the last backup, its age and the backup folder")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)

    daily = backup_sub.add_parser("daily", help="the daily backup if one is due, keeping the newest backup_keep "
                                                "(for a scheduler on machines where the kiosk is not open)")
    daily.add_argument("--json", action="store_true")
    daily.set_defaults(func=_daily)

    key = backup_sub.add_parser("key", help="write the recovery key to keep off the machine (restore elsewhere)")
    key.add_argument("--out", required=True, metavar="FILE")
    key.add_argument("--json", action="store_true")
    key.set_defaults(func=_key)


def _refused(exc) -> CommandError:
    code = EXIT_BAD_INPUT if exc.reason in REFUSED_FILE else EXIT_FAILED
    return CommandError(exc.message_vi, code, {"error": exc.reason, "message": exc.message_vi})


def _summary(info) -> str:
    r = info.records
    return (f"{info.path}: kiosk {info.kiosk_id}, lúc {info.created_at}, {info.size / 2**20:.1f} MiB — "
            f"{r['dossiers']} hồ sơ, {r['scans']} tệp quét, {r['account_requests']} đề nghị tài khoản, "
            f"{r['audit_entries']} mục nhật ký.")


def _create(args, ctx) -> int:
    from kiosk.services.backup import SUFFIX, BackupError

    service = ctx.kiosk.backups
    if args.out:
        out = Path(args.out)
    else:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        out = service.folder / f"kiosk-{service.db.meta('kiosk_id')}-{stamp}{SUFFIX}"
    try:
        info = service.create(ctx.operator, out, create_folder=not args.out)
    except BackupError as exc:
        raise _refused(exc) from None
    emit(args, info.as_json(), "Đã sao lưu và kiểm tra: " + _summary(info))
    return EXIT_OK


def _key_from(args, ctx):
    """The recovery key named by --key-file, else the data folder's own key."""
    from kiosk.db.keys import KeyUnavailableError, find_key, parse_recovery

    if args.key_file:
        try:
            return parse_recovery(Path(args.key_file).read_text(encoding="utf-8"))[1]
        except (OSError, UnicodeDecodeError, KeyUnavailableError):
            raise CommandError(f"--key-file: {args.key_file} không phải tệp khóa khôi phục của kiosk "
                               "(tạo bằng 'kiosk backup key').", EXIT_BAD_INPUT) from None
    s = ctx.loaded.settings
    return find_key(s.data_dir, s.use_keyring)


def _verify(args, ctx) -> int:
    from kiosk.services.backup import BackupError, read_backup

    key = _key_from(args, ctx)
    if key is None:
        raise CommandError("Không có khóa của dữ liệu trên máy này: dùng --key-file.", EXIT_BAD_INPUT)
    try:
        info = read_backup(Path(args.file), key)
    except BackupError as exc:
        raise _refused(exc) from None
    emit(args, info.as_json(), "Bản sao lưu nguyên vẹn: " + _summary(info))
    return EXIT_OK


def _restore(args, ctx) -> int:
    from kiosk.services.backup import BackupError, restore

    settings = ctx.loaded.settings
    recovery = _key_from(args, ctx) if args.key_file else None
    if not Path(args.file).is_file():
        raise CommandError(f"Không có tệp {args.file}.", EXIT_BAD_INPUT)
    from kiosk.support.instance_lock import (
        acquire_instance_lock,  # the window holds the same lock while it runs
    )

    lock = acquire_instance_lock(settings.data_dir)
    if lock is None:
        raise CommandError("Kiosk đang chạy trên thư mục dữ liệu này: đóng kiosk trước khi khôi phục.", EXIT_FAILED,
                           {"error": "running"})
    try:
        from kiosk.support.logsetup import setup_logging

        setup_logging(settings.log_dir, settings.log_level, console=True)
        report = restore(settings.data_dir, Path(args.file), ctx.operator, recovery, settings.use_keyring)
    except BackupError as exc:
        raise _refused(exc) from None
    finally:
        lock.unlock()
    lines = ["Đã khôi phục dữ liệu từ bản sao lưu: " + _summary(report.info)]
    if report.set_aside:
        lines.append("Dữ liệu cũ được giữ lại (xóa khi đã kiểm tra xong): " + ", ".join(report.set_aside))
    if not report.rejoin_required:
        lines.append("Kiosk này chưa đăng ký với máy chủ nào: các mã hồ sơ cấp sau lần sao lưu có thể bị cấp trùng; "
                     "hãy đối chiếu sổ theo dõi hồ sơ của quầy.")
    else:
        kiosk_id = report.info.kiosk_id
        lines.append("Kiosk phải đăng ký lại với máy chủ trước khi đồng bộ và cấp mã hồ sơ mới: trên máy chủ chạy "
                     f"'kiosk-hub enrol-code --station {report.info.station or 'TRẠM'} --rejoin {kiosk_id}', rồi "
                     "trên kiosk 'kiosk enrol --rejoin --code MÃ'.")
    emit(args, report.as_json(), "\n".join(lines))
    return EXIT_OK


def _status(args, ctx) -> int:
    status = ctx.kiosk.backups.status()
    last = status["last"]
    human = [f"Thư mục sao lưu: {status['folder']} (giữ {status['keep']} bản gần nhất)"]
    human.append(f"Bản gần nhất: {last['at']} — {last['path']}" if last else "Chưa có bản sao lưu nào.")
    if status["error"]:
        human.append(f"Lần sao lưu gần nhất KHÔNG thành công ({status['error']['at']}): {status['error']['message']}")
    emit(args, status, "\n".join(human))
    return EXIT_OK


def _daily(args, ctx) -> int:
    from kiosk.services.backup import BackupError

    try:
        info = ctx.kiosk.backups.daily(ctx.operator)
    except BackupError as exc:
        raise _refused(exc) from None
    if info is None:
        emit(args, {"made": False}, "Chưa đến hạn sao lưu hằng ngày (bản gần nhất chưa quá 24 giờ).")
    else:
        emit(args, {"made": True, **info.as_json()}, "Đã sao lưu hằng ngày: " + _summary(info))
    return EXIT_OK


def _key(args, ctx) -> int:
    import os

    from kiosk.db.keys import recovery_text
    from kiosk.services import audit

    kiosk = ctx.kiosk
    from kiosk.domain.roles import Permission
    from kiosk.services.permissions import require

    require(ctx.operator, Permission.BACKUP)
    out = Path(args.out)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CommandError(f"--out: {out} đã có; chọn tên khác (không ghi đè khóa).", EXIT_BAD_INPUT) from None
    except OSError as exc:
        raise CommandError(f"--out: không ghi được {out} ({exc.strerror}).", EXIT_FAILED) from None
    kiosk_id = kiosk.db.meta("kiosk_id") or ""
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(recovery_text(kiosk.db.key.raw, kiosk_id))
    with kiosk.db.transaction() as session:
        audit.append(session, ctx.operator.audit_name, "backup.key_exported", "kiosk", kiosk_id, {})
    emit(args, {"out": str(out), "kiosk_id": kiosk_id},
         f"Đã ghi khóa khôi phục vào {out}. Cất tệp (hoặc bản in) ở nơi an toàn, KHÔNG để cùng bản sao lưu.")
    return EXIT_OK
