"""Retention: a dossier's scans can be purged (their BLOB emptied) while the record of what was handed in stays.

Revision ID: 0030
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dossier_attachment") as batch:
        batch.add_column(sa.Column("purged_at", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dossier_attachment") as batch:
        batch.drop_column("purged_at")
