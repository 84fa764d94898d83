"""Backups (sao lưu) of the kiosk's data: an encrypted, self-checking file, made while the kiosk runs.

The database (every record, scans and portraits included, since they are BLOBs in it) is copied by
SQLCipher itself (`sqlcipher_export` inside one read transaction, so the copy is one consistent moment and
writers are never blocked) into a new SQLCipher file under a key derived from the database key; the trust
store and the imported calendar travel inside it as rows. The copy is then opened again and checked (every
page's HMAC, SQLite's integrity check, row counts against the live database at that moment) before the file
is finished. Never a copy of the live files (a WAL file mid-checkpoint would be lost or torn).

File layout: `body ‖ header ‖ len(header) (4 bytes, big-endian) ‖ HMAC-SHA256(header) (32) ‖ MAGIC (8)`.
The header (canonical JSON) names the kiosk, the time, the key id, the body's size and SHA-256 and the row
counts. The trailer is written last, so a file cut short has no MAGIC and is refused as incomplete.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import os
import shutil
import struct
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk import __version__, safejson
from kiosk.db.engine import Database, connect_keyed
from kiosk.db.keys import DatabaseKey, find_key, install_key
from kiosk.db.models import KioskMeta
from kiosk.domain.roles import Permission, Principal
from kiosk.safefiles import FILE_MODE, private_folder, tighten_file
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import ServiceError
from kiosk.services.permissions import require

log = logging.getLogger(__name__)

MAGIC = b"KIOSKBK1"
FORMAT = 1
SUFFIX = ".kbak"
_TRAILER = struct.Struct(">I32s8s")
#: A header is a few kilobytes (one count per table); anything far larger is not ours.
MAX_HEADER = 1 << 20
#: Files of the data folder that are state, not output: the CSCA trust store and the imported calendar.
STATE_FILES = ("trust/*.pem", "calendar/*.json")
#: Where the last backup is noted (kiosk_meta): time, file, id; or the last failure of the daily backup.
LAST_BACKUP = "backup_last"
LAST_BACKUP_ERROR = "backup_last_error"
#: A backup older than this is overdue on the home page (a day plus the slack of a kiosk switched off at night).
DUE_AFTER = timedelta(hours=24)

MESSAGES_VI = {
    "not_backup": "Tệp này không phải bản sao lưu của kiosk, hoặc bị cắt ngắn (chép chưa xong).",
    "foreign": "Bản sao lưu này của kiosk khác ({kiosk_id}, trạm {station}), mã hóa bằng khóa khác: kiosk này không "
               "mở được. Dùng tệp khóa khôi phục của kiosk đó (--key-file).",
    "damaged": "Bản sao lưu bị hỏng ({detail}): không dùng được. Hãy dùng một bản sao lưu khác.",
    "newer": "Bản sao lưu được tạo bởi phiên bản kiosk mới hơn (định dạng {format}): hãy cập nhật kiosk trước.",
    "unwritable": "Không ghi được bản sao lưu vào {folder} ({detail}). Kiểm tra ổ USB hoặc thư mục mạng.",
    "no_key": "Không có khóa của dữ liệu: cần tệp khóa khôi phục (--key-file) khi khôi phục trên máy mới.",
    "no_folder": "Thư mục {folder} không tồn tại: tạo thư mục hoặc chọn nơi khác.",
    "running": "Kiosk đang chạy trên thư mục dữ liệu này: đóng kiosk trước khi khôi phục.",
    "other_kiosk_here": "Thư mục dữ liệu này đang chứa dữ liệu của kiosk khác (khóa khác với tệp khóa khôi phục): "
                        "hãy khôi phục vào một thư mục dữ liệu trống.",
}


class BackupError(ServiceError):
    """A backup that cannot be made or used; `message_vi` says why in plain words."""

    def __init__(self, reason: str, **detail: Any) -> None:
        self.reason = reason
        self.detail = detail
        self.message_vi = MESSAGES_VI[reason].format(**{"detail": "", **detail})
        super().__init__(self.message_vi)


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file says about itself (checked)."""

    path: str
    backup_id: str
    kiosk_id: str
    station: str
    created_at: str
    app_version: str
    size: int
    counts: dict[str, int]

    @property
    def records(self) -> dict[str, int]:
        """The counts a person reads: dossiers, scans, account requests, audit entries."""
        names = {"dossier": "dossiers", "dossier_attachment": "scans", "account_request": "account_requests",
                 "audit_log": "audit_entries"}
        return {label: self.counts.get(table, 0) for table, label in names.items()}

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"records": self.records}


def _derive(key: DatabaseKey, purpose: bytes, length: int = 32) -> bytes:
    return HKDF(hashes.SHA256(), length, salt=None, info=b"kiosk backup v1 " + purpose).derive(key.raw)


def _keys(key: DatabaseKey) -> tuple[DatabaseKey, bytes, str]:
    """(the body's SQLCipher key, the header's HMAC key, the key id the header names)."""
    return (DatabaseKey(_derive(key, b"database"), "backup"), _derive(key, b"header"),
            _derive(key, b"key id", 8).hex())


def _table_counts(conn: sqlcipher3.Connection, schema: str = "main") -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {n: conn.execute(f'SELECT count(*) FROM {schema}."{n}"').fetchone()[0] for n in names}


def _sha256(path: Path, limit: int | None = None) -> str:
    digest = hashlib.sha256()
    left = path.stat().st_size if limit is None else limit
    with path.open("rb") as fh:
        while left > 0:
            chunk = fh.read(min(1 << 20, left))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    return digest.hexdigest()


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory to flush it; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_body(path: Path, key: DatabaseKey, counts: dict[str, int] | None) -> None:
    """Open a body with its key and check every page, the structure and (when given) the row counts."""
    try:
        conn = connect_keyed(path, key)
    except sqlcipher3.DatabaseError as exc:
        raise BackupError("damaged", detail=f"không mở được: {exc}") from None
    try:
        bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad_pages:
            raise BackupError("damaged", detail=f"{len(bad_pages)} trang sai mã xác thực")
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError("damaged", detail=f"cấu trúc: {result}")
        if counts is not None:
            found = _table_counts(conn)
            found.pop("kiosk_backup_file", None)
            if found != counts:
                raise BackupError("damaged", detail="số bản ghi khác lúc sao lưu")
    except sqlcipher3.DatabaseError as exc:
        raise BackupError("damaged", detail=str(exc)) from None
    finally:
        conn.close()


def _state_files(data_dir: Path) -> Iterator[tuple[str, bytes]]:
    for pattern in STATE_FILES:
        for path in sorted(data_dir.glob(pattern)):
            if path.is_file():
                yield path.relative_to(data_dir).as_posix(), path.read_bytes()


def create_backup(db: Database, data_dir: Path, out: Path, clock: Clock = utc_now,
                  create_folder: bool = False) -> BackupInfo:
    """Write a backup of the open database (and the data folder's state files) to `out`, checked. The folder
    must exist (a file the operator named), unless `create_folder` (the daily backup folder)."""
    assert db.key is not None
    body_key, mac_key, key_id = _keys(db.key)
    out = out.expanduser()
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        if create_folder:
            private_folder(out.parent, tighten=False)  # a share the administrator made stays as it is
        elif not out.parent.is_dir():
            raise BackupError("no_folder", folder=str(out.parent))
        # Mode 0600, never through a link; the finished file replaces the target by a rename.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE))
    except OSError as exc:
        raise BackupError("unwritable", folder=str(out.parent), detail=exc.strerror or str(exc)) from None
    try:
        raw = db.engine.raw_connection()
        try:
            conn = raw.dbapi_connection
            conn.execute(f"ATTACH DATABASE ? AS backup KEY \"{body_key.pragma_value}\"", (str(partial),))
            try:
                # One read transaction on the live database: the copy and the counts are one moment, and
                # WAL lets the counter keep writing meanwhile.
                conn.execute("BEGIN")
                counts = _table_counts(conn)
                kiosk_meta = dict(conn.execute("SELECT key, value FROM main.kiosk_meta").fetchall())
                station = conn.execute("SELECT station FROM main.sync_state WHERE id = 1").fetchone()
                conn.execute("SELECT sqlcipher_export('backup')")
                conn.execute("CREATE TABLE backup.kiosk_backup_file (path TEXT PRIMARY KEY, data BLOB, sha256 TEXT)")
                for name, data in _state_files(data_dir):
                    conn.execute("INSERT INTO backup.kiosk_backup_file VALUES (?, ?, ?)",
                                 (name, data, hashlib.sha256(data).hexdigest()))
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlcipher3.Error):
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute("DETACH DATABASE backup")
        finally:
            raw.close()
        _check_body(partial, body_key, counts)
        body_size = partial.stat().st_size
        header = {
            "format": FORMAT, "backup_id": str(uuid.uuid4()), "kiosk_id": kiosk_meta.get("kiosk_id", ""),
            "station": station[0] if station else "", "created_at": iso_utc(clock()), "app_version": __version__,
            "key_id": key_id, "body_size": body_size, "body_sha256": _sha256(partial), "counts": counts,
        }
        text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        with partial.open("ab") as fh:
            fh.write(text)
            fh.write(_TRAILER.pack(len(text), hmac.new(mac_key, text, "sha256").digest(), MAGIC))
            fh.flush()
            os.fsync(fh.fileno())
        info = read_backup(partial, db.key)  # the finished file, read back as a restore would
        os.replace(partial, out)
        _fsync_dir(out.parent)
    except OSError as exc:
        raise BackupError("unwritable", folder=str(out.parent), detail=exc.strerror or str(exc)) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(**{**asdict(info), "path": str(out)})


def _read_trailer(path: Path) -> tuple[dict[str, Any], bytes, int]:
    """(header, header bytes, body size) of a backup file; BackupError("not_backup") when it is not one."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            if size < _TRAILER.size:
                raise BackupError("not_backup")
            fh.seek(size - _TRAILER.size)
            length, mac, magic = _TRAILER.unpack(fh.read(_TRAILER.size))
            if magic != MAGIC or length > min(size - _TRAILER.size, MAX_HEADER):
                raise BackupError("not_backup")
            fh.seek(size - _TRAILER.size - length)
            text = fh.read(length)
    except OSError as exc:
        raise BackupError("damaged", detail=exc.strerror or str(exc)) from None
    try:
        header = safejson.loads(text)  # read before its HMAC can be checked: parsed within limits
        body_size = int(header["body_size"])
        if not isinstance(header.get("counts"), dict):
            raise TypeError("counts")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupError("damaged", detail="phần mô tả không đọc được") from None
    if body_size != size - _TRAILER.size - length:
        raise BackupError("damaged", detail="kích thước không khớp")
    return header | {"_mac": mac}, text, body_size


def read_backup(path: Path, key: DatabaseKey) -> BackupInfo:
    """Check a backup file completely with `key` without changing anything; BackupInfo when it is sound."""
    header, text, body_size = _read_trailer(path)
    body_key, mac_key, key_id = _keys(key)
    if header.get("key_id") != key_id:
        raise BackupError("foreign", kiosk_id=header.get("kiosk_id", "?"), station=header.get("station") or "?")
    if not hmac.compare_digest(header["_mac"], hmac.new(mac_key, text, "sha256").digest()):
        raise BackupError("damaged", detail="phần mô tả bị sửa")
    if int(header.get("format", 0)) > FORMAT:
        raise BackupError("newer", format=header.get("format"))
    if _sha256(path, body_size) != header.get("body_sha256"):
        raise BackupError("damaged", detail="nội dung khác lúc sao lưu")
    work = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.check")
    try:
        _copy_prefix(path, work, body_size)
        _check_body(work, body_key, {k: int(v) for k, v in header["counts"].items()})
    except OSError as exc:
        raise BackupError("damaged", detail=exc.strerror or str(exc)) from None
    finally:
        work.unlink(missing_ok=True)
    return BackupInfo(str(path), header["backup_id"], header["kiosk_id"], header.get("station", ""),
                      header["created_at"], header.get("app_version", ""), path.stat().st_size,
                      {k: int(v) for k, v in header["counts"].items()})


def _copy_prefix(src: Path, dest: Path, size: int) -> None:
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
        left = size
        while left > 0:
            chunk = fin.read(min(1 << 20, left))
            if not chunk:
                raise OSError("the file ended early")
            fout.write(chunk)
            left -= len(chunk)
        fout.flush()
        os.fsync(fout.fileno())


def restore_body(path: Path, key: DatabaseKey, info: BackupInfo, data_dir: Path) -> Path:
    """Re-encrypt a checked backup's database under `key` into a new file in `data_dir`; put its state files
    back. Returns the new database file (not yet in place)."""
    _header, _text, body_size = _read_trailer(path)
    body_key, _mac, _kid = _keys(key)
    body = data_dir / f".restore-{info.backup_id[:8]}.body"
    fresh = data_dir / f".restore-{info.backup_id[:8]}.db"
    fresh.unlink(missing_ok=True)
    _copy_prefix(path, body, body_size)
    try:
        conn = connect_keyed(body, body_key)
        try:
            files = conn.execute("SELECT path, data, sha256 FROM kiosk_backup_file").fetchall()
            conn.execute(f"ATTACH DATABASE ? AS restored KEY \"{key.pragma_value}\"", (str(fresh),))
            conn.execute("SELECT sqlcipher_export('restored')")
            conn.execute("DROP TABLE restored.kiosk_backup_file")
            conn.execute("DETACH DATABASE restored")
        finally:
            conn.close()
    finally:
        body.unlink(missing_ok=True)
    _check_body(fresh, key, info.counts)
    for name, data, digest in files:
        target = (data_dir / name).resolve()
        if hashlib.sha256(data).hexdigest() != digest or not target.is_relative_to(data_dir.resolve()):
            raise BackupError("damaged", detail=f"tệp {name}")
        private_folder(target.parent)
        target.write_bytes(data)
        tighten_file(target)
    return fresh


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
    _fsync_dir(data_dir)
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
