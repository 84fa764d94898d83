"""Alembic environment of the hub: runs on the engine handed over by kiosk.hub.db."""

from alembic import context

from kiosk.hub.models import HubBase

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=HubBase.metadata, render_as_batch=True)
    context.run_migrations()
