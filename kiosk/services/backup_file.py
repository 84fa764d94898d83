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
import os
import struct
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlcipher3
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kiosk import __version__
from kiosk.db.engine import Database, connect_keyed
from kiosk.db.keys import DatabaseKey
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import ServiceError
from kiosk.support import safejson
from kiosk.support.safefiles import FILE_MODE, private_folder, tighten_file

MAGIC = b"KIOSKBK1"
FORMAT = 1
SUFFIX = ".kbak"
_TRAILER = struct.Struct(">I32s8s")
#: A header is a few kilobytes (one count per table); anything far larger is not ours.
MAX_HEADER = 1 << 20
#: Files of the data folder that are state, not output: the CSCA trust store and the imported calendar.
STATE_FILES = ("trust/*.pem", "calendar/*.json")

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


MESSAGES_EN = {
    "not_backup": "This file is not a kiosk backup, or it was cut short (the copy did not finish).",
    "foreign": "This backup belongs to another kiosk ({kiosk_id}, station {station}) and is encrypted under another "
               "key: this kiosk cannot open it. Use that kiosk's recovery key file (--key-file).",
    "damaged": "The backup is damaged ({detail}) and cannot be used. Use another backup.",
    "newer": "The backup was made by a newer kiosk version (format {format}): update the kiosk first.",
    "unwritable": "The backup could not be written to {folder} ({detail}). Check the USB drive or network folder.",
    "no_key": "There is no key for the data: restoring on a new machine needs the recovery key file (--key-file).",
    "no_folder": "The folder {folder} does not exist: create it or choose another place.",
    "running": "The kiosk is running on this data folder: close the kiosk before restoring.",
    "other_kiosk_here": "This data folder holds another kiosk's data (a key other than the recovery key file's): "
                        "restore into an empty data folder.",
}


class BackupError(ServiceError):
    """A backup that cannot be made or used; `message_vi` and `message_en` say why in plain words."""

    def __init__(self, reason: str, **detail: Any) -> None:
        self.reason = reason
        self.detail = detail
        self.message_vi = MESSAGES_VI[reason].format(**{"detail": "", **detail})
        self.message_en = MESSAGES_EN[reason].format(**{"detail": "", **detail})
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


def fsync_dir(folder: Path) -> None:
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


def _export(db: Database, body_key: DatabaseKey, partial: Path, data_dir: Path
            ) -> tuple[dict[str, int], dict[str, str], tuple[str] | None]:
    """Copy the live database and the state files into the SQLCipher file `partial`; returns the row counts,
    the kiosk's meta values and the station, all of the same moment."""
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
    return counts, kiosk_meta, station


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
        counts, kiosk_meta, station = _export(db, body_key, partial, data_dir)
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
        fsync_dir(out.parent)
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
