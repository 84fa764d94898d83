"""Backups (sao lưu) of the kiosk's data: the daily backup, the backup an operator asks for, and restoring one.

The file itself (an encrypted, self-checking copy made while the kiosk runs) is `kiosk.services.backup_file`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.db.engine import Database
from kiosk.db.keys import DatabaseKey, find_key, install_key
from kiosk.db.models import KioskMeta
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.backup_file import (
    SUFFIX,
    BackupError,
    BackupInfo,
    create_backup,
    fsync_dir,
    read_backup,
    restore_body,
)
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.permissions import require

log = logging.getLogger(__name__)

#: Where the last backup is noted (kiosk_meta): time, file, id; or the last failure of the daily backup.
LAST_BACKUP = "backup_last"
LAST_BACKUP_ERROR = "backup_last_error"
#: A backup older than this is overdue on the home page (a day plus the slack of a kiosk switched off at night).
DUE_AFTER = timedelta(hours=24)


class BackupService:
    """Backups of this kiosk: by hand (`kiosk backup create`) and daily into the configured folder."""

    def __init__(self, db: Database, data_dir: Path, folder: Path, keep: int = 7, clock: Clock = utc_now) -> None:
        self.db, self.data_dir, self.folder, self.keep, self.clock = db, data_dir, folder, keep, clock

    def create(self, principal: Principal, out: Path, create_folder: bool = False) -> BackupInfo:
        require(principal, Permission.BACKUP)
        try:
            info = create_backup(self.db, self.data_dir, out, self.clock, create_folder)
        except BackupError as exc:
            self._note_failure(principal, exc)
            raise
        with self.db.transaction() as session:
            session.merge(KioskMeta(key=LAST_BACKUP, value=json.dumps(
                {"at": info.created_at, "path": info.path, "backup_id": info.backup_id}, ensure_ascii=False)))
            stale = session.get(KioskMeta, LAST_BACKUP_ERROR)
            if stale is not None:
                session.delete(stale)
            audit.append(session, principal.audit_name, "backup.created", "backup", info.backup_id,
                         {"size": info.size, **info.records}, self.clock)
        log.info("backup %s written (%d bytes)", info.backup_id, info.size)
        return info

    def _note_failure(self, principal: Principal, exc: BackupError) -> None:
        with self.db.transaction() as session:
            session.merge(KioskMeta(key=LAST_BACKUP_ERROR, value=json.dumps(
                {"at": iso_utc(self.clock()), "reason": exc.reason, "message": exc.message_vi}, ensure_ascii=False)))
            audit.append(session, principal.audit_name, "backup.failed", "backup", "", {"reason": exc.reason},
                         self.clock)
        log.error("backup failed: %s", exc.reason)

    def status(self) -> dict[str, Any]:
        """The last backup (time, file) and the last failure since, for the home page and `kiosk backup status`."""
        last, error = self.db.meta(LAST_BACKUP), self.db.meta(LAST_BACKUP_ERROR)
        return {"last": json.loads(last) if last else None, "error": json.loads(error) if error else None,
                "folder": str(self.folder), "keep": self.keep}

    def due(self) -> bool:
        last = self.status()["last"]
        if not last:
            return True
        return self.clock() - datetime.fromisoformat(last["at"].rstrip("Z")) >= DUE_AFTER  # both naive UTC

    def daily(self, principal: Principal) -> BackupInfo | None:
        """The daily backup when one is due: a new file in the folder, then only the newest `keep` kept."""
        if not self.due():
            return None
        kiosk_id = self.db.meta("kiosk_id") or "kiosk"
        stamp = self.clock().strftime("%Y%m%d-%H%M%SZ")  # UTC: names sort by time whatever the time zone
        info = self.create(principal, self.folder / f"kiosk-{kiosk_id}-{stamp}{SUFFIX}", create_folder=True)
        self.prune(kiosk_id)
        return info

    def prune(self, kiosk_id: str) -> list[str]:
        """Delete this kiosk's daily backups beyond the newest `keep` (names sort by time)."""
        mine = sorted(self.folder.glob(f"kiosk-{kiosk_id}-*{SUFFIX}"))
        removed = []
        # A backup cut off by a power cut or a closed kiosk leaves a hidden .partial file: gone after a day.
        stale = (self.clock().replace(tzinfo=UTC) - DUE_AFTER).timestamp()
        for partial in self.folder.glob(f".kiosk-{kiosk_id}-*.partial"):
            with contextlib.suppress(OSError):
                if partial.stat().st_mtime < stale:
                    partial.unlink()
        for old in mine[:-self.keep] if len(mine) > self.keep else []:
            with contextlib.suppress(OSError):
                old.unlink()
                removed.append(old.name)
        if removed:
            log.info("daily backups: removed %d beyond the newest %d", len(removed), self.keep)
        return removed


def move_aside(path: Path, suffix: str) -> list[Path]:
    """Rename a database and its WAL/SHM files to `<name><suffix>…` (kept until the administrator deletes them)."""
    moved = []
    for extra in ("", "-wal", "-shm"):
        src = path.with_name(path.name + extra)
        if src.exists():
            dest = path.with_name(path.name + suffix + extra)
            shutil.move(src, dest)
            moved.append(dest)
    return moved


@dataclass(frozen=True)
class RestoreReport:
    info: BackupInfo
    set_aside: list[str]
    rejoin_required: bool
    key_source: str

    def as_json(self) -> dict[str, Any]:
        return {"backup": self.info.as_json(), "set_aside": self.set_aside, "rejoin_required": self.rejoin_required,
                "key_source": self.key_source}


def restore(data_dir: Path, file: Path, principal: Principal, recovery: DatabaseKey | None = None,
            use_keyring: bool = True, clock: Clock = utc_now) -> RestoreReport:
    """Put a checked backup in place of the data folder's database (the kiosk must not be running on it).

    The backup is checked whole before anything changes; the database it replaces is renamed
    `kiosk.db.before-restore-<time>` (same key), never deleted. A kiosk enrolled with a hub then stops its
    sync and its tracking codes until it rejoins (`kiosk enrol --rejoin`): the hours after the backup may
    have given codes to citizens that only the hub still knows.
    """
    from kiosk.db.engine import open_database
    from kiosk.services.sync import halt_for_rejoin

    require(principal, Permission.BACKUP)
    db_path = data_dir / "kiosk.db"
    present = db_path.exists() and db_path.stat().st_size > 0
    stored = find_key(data_dir, use_keyring)
    if recovery is not None:
        if present and stored is not None and stored.raw != recovery.raw:
            raise BackupError("other_kiosk_here")
        key = recovery
    elif stored is not None:
        key = stored
    else:
        raise BackupError("no_key")
    info = read_backup(file, key)
    data_dir.mkdir(parents=True, exist_ok=True)
    fresh = restore_body(file, key, info, data_dir)
    stamp = clock().strftime("%Y%m%dT%H%M%SZ")
    moved = move_aside(db_path, f".before-restore-{stamp}")
    os.replace(fresh, db_path)
    fsync_dir(data_dir)
    if stored is None:
        key = install_key(data_dir, key, use_keyring)
    db = open_database(data_dir, use_keyring=use_keyring)  # brings an older backup's schema up to date
    try:
        with db.transaction() as session:
            rejoin = halt_for_rejoin(session, {"backup_id": info.backup_id, "backup_created_at": info.created_at,
                                               "restored_at": iso_utc(clock())}, clock)
            audit.append(session, principal.audit_name, "backup.restored", "backup", info.backup_id,
                         {"backup_created_at": info.created_at, **info.records}, clock)
    finally:
        db.dispose()
    log.info("database restored from backup %s of %s (previous files kept: %s)", info.backup_id,
                info.created_at, ", ".join(p.name for p in moved) or "none")
    return RestoreReport(info, [str(p) for p in moved], rejoin, key.source)
