"""The hall: queue tickets with the citizen's draft, and service ratings.

Revision ID: 0050
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_ticket",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("group_letter", sa.String(1), nullable=False),
        sa.Column("service_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("requeued_at", sa.String(32), nullable=True),
        sa.Column("called_at", sa.String(32), nullable=True),
        sa.Column("counter", sa.String(40), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("tracking_code", sa.String(40), nullable=True),
        sa.Column("estimated_wait_min", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("chip_verdict", sa.String(30), nullable=True),
        sa.Column("qr_text", sa.Text(), nullable=True),
        sa.Column("hub_state", sa.String(8), nullable=False, server_default="pending"),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("day", "number", name="uq_queue_ticket_number"),
    )
    op.create_index("ix_queue_ticket_day_status", "queue_ticket", ["day", "status", "group_letter"])
    op.create_table(
        "service_rating",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tracking_code", sa.String(40), nullable=False, unique=True),
        sa.Column("service_no", sa.Integer(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
    )
    op.create_index("ix_service_rating_month", "service_rating", ["month"])


def downgrade() -> None:
    op.drop_table("service_rating")
    op.drop_table("queue_ticket")
