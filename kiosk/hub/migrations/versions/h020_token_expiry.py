"""Back-office tokens expire and can be revoked; tokens issued before this get 90 days from the upgrade.

Revision ID: h020
Revises: h003
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "h020"
down_revision = "h003"
branch_labels = None
depends_on = None

GRANDFATHERED_S = 90 * 86400


def upgrade() -> None:
    with op.batch_alter_table("hub_backoffice_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.String(32), nullable=True))
    token = sa.table("hub_backoffice_token", sa.column("expires_at", sa.BigInteger()))
    op.execute(token.update().where(token.c.expires_at.is_(None)).values(expires_at=int(time.time()) + GRANDFATHERED_S))


def downgrade() -> None:
    with op.batch_alter_table("hub_backoffice_token") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
