"""The hub's database: an SQLite file for one station, PostgreSQL (psycopg 3, pooled) beyond that."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

ENV_DB = "KIOSK_HUB_DB"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions.begin() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_hub_database(url: str | None = None, migrate: bool = True, pool_size: int = 8) -> HubDatabase:
    url = normalise_url(url or default_url())
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"isolation_level": None, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            dbapi_conn.execute("PRAGMA journal_mode=WAL").fetchone()
            # WAL needs synchronous=FULL to keep acknowledged commits through power loss.
            dbapi_conn.execute("PRAGMA synchronous=FULL")
            dbapi_conn.execute("PRAGMA foreign_keys=ON")
            dbapi_conn.execute("PRAGMA busy_timeout=30000")

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn) -> None:
            # One writer at a time, taken up front: no read-to-write lock upgrade deadlocks.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    db = HubDatabase(engine, sessionmaker(engine, expire_on_commit=False))
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
