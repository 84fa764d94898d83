"""The one factory for the terminal's encrypted database (SQLCipher 4), used by the app and the tests."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from kiosk.db.errors import DatabaseOpenError
from kiosk.db.keys import KEY_FILE_NAME, DatabaseKey, load_or_create_key
from kiosk.db.models import KioskMeta
from kiosk.support.safefiles import private_file, private_folder, tighten_file

log = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass
class Database:
    """An open encrypted database: its engine, a session factory and its identity."""

    engine: Engine
    sessions: sessionmaker[Session]
    path: Path
    key_source: str
    #: The database key (backups derive their own keys from it); never logged or shown.
    key: DatabaseKey | None = field(default=None, repr=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One `BEGIN IMMEDIATE` transaction: committed whole on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def meta(self, key: str) -> str | None:
        with self.sessions() as session:
            row = session.get(KioskMeta, key)
            return row.value if row else None

    def dispose(self) -> None:
        self.engine.dispose()


def connect_keyed(path: Path, key: DatabaseKey) -> sqlcipher3.Connection:
    """A raw SQLCipher connection to `path` with `key`, checked: a wrong key or a damaged file fails here."""
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
    # A wrong key is reported by our own error; SQLCipher's stderr lines would only confuse.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f'PRAGMA key = "{key.pragma_value}"')
    # Touch the schema so a wrong key fails here, before any write (SQLCipher decrypts lazily).
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError:
        conn.close()
        raise
    return conn


def _connect_factory(path: Path, key: DatabaseKey):
    def connect() -> sqlcipher3.Connection:
        conn = connect_keyed(path, key)
        conn.execute("PRAGMA journal_mode=WAL").fetchone()
        # In WAL mode only synchronous=FULL keeps an acknowledged commit through a power cut.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")
        conn.execute("PRAGMA secure_delete=ON")
        # Every page read from disk is decrypted and its HMAC checked: keep 64 MiB of decrypted pages.
        conn.execute("PRAGMA cache_size=-65536")
        return conn

    return connect


def open_database(data_dir: Path, use_keyring: bool = True, migrate: bool = True) -> Database:
    """Open (creating if absent) the encrypted database in `data_dir` and bring its schema up to date."""
    path = data_dir / "kiosk.db"
    try:
        private_folder(data_dir)
    except OSError as exc:
        raise DatabaseOpenError("unwritable", data_dir, str(exc)) from exc
    exists = path.exists() and path.stat().st_size > 0
    if exists:
        with path.open("rb") as fh:
            if fh.read(16) == SQLITE_HEADER:
                raise DatabaseOpenError("not_encrypted", path)
    try:
        key = load_or_create_key(data_dir, exists, use_keyring)
    except Exception as exc:
        raise DatabaseOpenError("key_missing", path, str(exc)) from exc
    # 0600 before SQLite first opens it: its WAL and shared-memory files take the database's mode.
    private_file(path)
    for name in (f"{path.name}-wal", f"{path.name}-shm", KEY_FILE_NAME):
        tighten_file(data_dir / name)

    connect = _connect_factory(path, key)
    try:
        connect().close()
    except sqlcipher3.DatabaseError as exc:
        raise DatabaseOpenError("wrong_key_or_damaged", path, str(exc)) from exc

    # The URL carries no path (the creator opens the file), so name the pool: SQLAlchemy would pick
    # its per-thread pool for a bare "sqlite://".
    engine = create_engine("sqlite://", creator=connect, module=sqlcipher3.dbapi2, poolclass=QueuePool, pool_size=4)

    @event.listens_for(engine, "begin")
    def _begin_immediate(conn) -> None:
        # pysqlite's implicit BEGIN is disabled (isolation_level=None); take the write lock up front
        # so two writers never deadlock upgrading a read lock.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    db = Database(engine, sessionmaker(engine, expire_on_commit=False), path, key.source, key)
    if migrate:
        from kiosk.db.migrate import upgrade

        try:
            upgrade(db)
        except sqlcipher3.DatabaseError as exc:
            engine.dispose()
            raise DatabaseOpenError("wrong_key_or_damaged", path, str(exc)) from exc
        _ensure_identity(db)
    return db


def _ensure_identity(db: Database) -> None:
    with db.transaction() as session:
        existing = {row.key for row in session.scalars(select(KioskMeta))}
        defaults = {
            "instance_uuid": str(uuid.uuid4()),
            "kiosk_id": "K-" + uuid.uuid4().hex[:8].upper(),
            "epoch": "1",
            "audit_head_seq": "0",
            "audit_head_hash": "0" * 64,
            # The kiosk's Ed25519 key: signs QR receipts and hub requests; it never leaves the
            # encrypted database (only the public half is shown or sent).
            "signing_key": secrets.token_bytes(32).hex(),
        }
        for key, value in defaults.items():
            if key not in existing:
                session.add(KioskMeta(key=key, value=value))
