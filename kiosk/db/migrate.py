"""Alembic migrations applied at start, in batch mode (SQLite cannot ALTER most things in place)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class Migratable(Protocol):
    """What a migration needs of `kiosk.db.engine.Database`: its engine. A protocol, so that the engine
    module (which migrates on open) and this one do not import each other."""

    @property
    def engine(self) -> Engine: ...


def alembic_config(db: Migratable) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = db.engine
    return cfg


def upgrade(db: Migratable, revision: str = "heads") -> None:
    """Apply every branch: capabilities add their tables on branches from the foundation."""
    command.upgrade(alembic_config(db), revision)


def current_revisions(db: Migratable) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())
