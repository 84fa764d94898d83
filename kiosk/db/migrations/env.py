"""Alembic environment: runs on the engine handed over by kiosk.db.migrate (never a URL with the key)."""

from alembic import context

from kiosk.db.models import Base

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
