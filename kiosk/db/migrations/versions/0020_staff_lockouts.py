"""Staff lockouts that double: how many lock periods in a row an account has run into.

Revision ID: 0020
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("lockouts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("lockouts")
