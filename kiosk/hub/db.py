"""The hub's database: an SQLite file for one station, PostgreSQL (psycopg 3, pooled) beyond that.

The SQLite file is encrypted with SQLCipher 4 and its key kept as the kiosk keeps its own (the OS key
store, else a key file readable only by its owner beside the database); the file, its WAL and the
key are 0600 in a 0700 folder. PostgreSQL's protection is the operator's (README): the hub only
refuses to talk to a PostgreSQL server on another machine without TLS unless told to.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from kiosk.support.safefiles import private_file, private_folder, tighten_file

log = logging.getLogger(__name__)

ENV_DB = "KIOSK_HUB_DB"
#: "0" keeps the hub's SQLite key in a key file even where an OS key store exists.
ENV_USE_KEYRING = "KIOSK_HUB_USE_KEYRING"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
#: libpq's sslmode values that guarantee an encrypted connection.
TLS_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})


class HubDatabaseError(Exception):
    """The hub's database cannot be opened as asked; `message_vi` says why in plain words."""

    def __init__(self, reason: str, message_vi: str) -> None:
        super().__init__(reason)
        self.reason, self.message_vi = reason, message_vi


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("kiosk-hub", appauthor=False)) / "hub.db"


def default_url() -> str:
    """KIOSK_HUB_DB, else the SQLite file in the hub's data folder."""
    return os.environ.get(ENV_DB) or f"sqlite:///{default_sqlite_path()}"


def normalise_url(url: str) -> str:
    """`postgresql://…` means psycopg 3 (SQLAlchemy would pick psycopg2, which we do not ship)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


@dataclass
class HubDatabase:
    engine: Engine
    sessions: sessionmaker[Session]
    #: The SQLite file (its keys live beside it); None for PostgreSQL or a database in memory.
    location: Path | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def check_transport(url: URL, allow_plain: bool = False) -> None:
    """Refuse a PostgreSQL URL that would send personal data unencrypted to another machine: a host
    that is not loopback (or a local socket) needs `sslmode=require|verify-ca|verify-full`."""
    if url.get_backend_name() != "postgresql" or allow_plain:
        return
    if str(url.query.get("sslmode", "")) in TLS_SSLMODES:
        return
    hosts = [h for h in (url.host or "").split(",") if h]
    query_host = url.query.get("host")
    hosts += [h for h in (query_host if isinstance(query_host, tuple) else (query_host or "",)) for h in h.split(",") if h]
    remote = [h for h in hosts if not _local(h)]
    if remote:
        raise HubDatabaseError(
            "plain_postgres",
            f"Máy chủ PostgreSQL {', '.join(remote)} không nằm trên máy này mà kết nối không bắt buộc mã hóa TLS: "
            "thêm ?sslmode=verify-full (hoặc require) vào địa chỉ --db, hoặc --allow-plain-postgres nếu mạng "
            "giữa hai máy đã được bảo vệ cách khác.")


def _local(host: str) -> bool:
    if host.startswith("/") or host == "localhost":
        return True  # a Unix socket, or the loopback name
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _use_keyring() -> bool:
    return os.environ.get(ENV_USE_KEYRING, "1").strip().lower() not in ("0", "false", "no", "off")


def _sqlcipher_engine(path: Path, pool_size: int) -> Engine:
    """An engine over an encrypted file, keyed like the kiosk's; a plain file left by an older hub is
    encrypted in place first."""
    import sqlcipher3

    from kiosk.db.keys import load_or_create_key

    folder = private_folder(path.parent)
    exists = path.exists() and path.stat().st_size > 0
    plain = False
    if exists:
        with path.open("rb") as fh:
            plain = fh.read(16) == SQLITE_HEADER
    try:
        key = load_or_create_key(folder, exists and not plain, _use_keyring(), key_file_name=f"{path.stem}.key",
                                 service="kiosk-hub-database", account=_account(path))
    except Exception as exc:
        raise HubDatabaseError("key_missing", f"Không tìm thấy khóa của cơ sở dữ liệu {path} ({exc}).") from exc
    tighten_file(folder / f"{path.stem}.key")
    if plain:
        _encrypt_in_place(path, key.pragma_value)
    private_file(path)
    for suffix in ("-wal", "-shm"):
        tighten_file(path.with_name(path.name + suffix))

    def connect():
        conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f'PRAGMA key = "{key.pragma_value}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # a wrong key fails here
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        # WAL needs synchronous=FULL to keep acknowledged commits through power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        conn.execute("PRAGMA secure_delete=ON")
        return conn

    try:
        connect().close()
    except sqlcipher3.DatabaseError as exc:
        raise HubDatabaseError("wrong_key_or_damaged",
                               f"Không mở được {path}: sai khóa hoặc tệp bị hỏng ({exc}).") from exc
    return create_engine("sqlite://", creator=connect, module=sqlcipher3.dbapi2, poolclass=QueuePool,
                         pool_size=pool_size, max_overflow=pool_size)


def _account(path: Path) -> str:
    import hashlib

    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]


def _encrypt_in_place(path: Path, pragma_key: str) -> None:
    """Turn a plain SQLite hub file (an older hub's) into an encrypted one with `sqlcipher_export`."""
    import sqlcipher3

    log.warning("hub database %s is not encrypted (an older hub made it): encrypting it now", path)
    tmp = path.with_name(path.name + ".encrypting")
    tmp.unlink(missing_ok=True)
    private_file(tmp)
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"{pragma_key}\"", (str(tmp),))
        conn.execute("SELECT sqlcipher_export('encrypted')").fetchone()
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def open_hub_database(url: str | None = None, migrate: bool = True, pool_size: int = 8,
                      allow_plain_postgres: bool = False) -> HubDatabase:
    url = normalise_url(url or default_url())
    parsed = make_url(url)
    location = None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            location = Path(parsed.database)
            engine = _sqlcipher_engine(location, pool_size)
        else:
            engine = create_engine(url, connect_args={"isolation_level": None})

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn) -> None:
            # One writer at a time, taken up front: no read-to-write lock upgrade deadlocks.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        check_transport(parsed, allow_plain_postgres)
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    db = HubDatabase(engine, sessionmaker(engine, expire_on_commit=False), location)
    if migrate:
        upgrade(db)
    return db


def upgrade(db: HubDatabase, revision: str = "heads") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    command.upgrade(cfg, revision)


def insert_ignore_stmt(s: Session, model):
    """An INSERT that does nothing when the row's key exists (PostgreSQL or SQLite)."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model).on_conflict_do_nothing()


def insert_ignore(s: Session, model, values: dict) -> None:
    s.execute(insert_ignore_stmt(s, model).values(**values))
