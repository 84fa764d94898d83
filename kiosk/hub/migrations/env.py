"""Alembic environment of the hub: runs on the engine handed over by kiosk.hub.db.

Several hub replicas may start at once on one PostgreSQL database: each takes the same advisory lock
first, in the migration's own transaction, so one upgrades and the others then find nothing to do.
"""

from alembic import context
from sqlalchemy import text

from kiosk.hub.models import HubBase

# Any fixed number shared by every hub process ("kiosk-hub migrate" in ASCII).
MIGRATION_LOCK = 0x6B696F736B687562

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=HubBase.metadata, render_as_batch=True)
    context.run_migrations()
