"""Re-enrolment codes: a code bound to one enrolled kiosk lets it rejoin with a new instance and epoch.

Revision ID: h002
Revises: h001
"""

import sqlalchemy as sa
from alembic import op

revision = "h002"
down_revision = "h001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hub_enrol_code") as batch:
        batch.add_column(sa.Column("rejoin_kiosk", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hub_enrol_code") as batch:
        batch.drop_column("rejoin_kiosk")
