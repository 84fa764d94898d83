"""The hall's queue on the hub: tickets of each station, and each station's queue key.

Revision ID: h050
Revises: h003
"""

import sqlalchemy as sa
from alembic import op

revision = "h050"
down_revision = "h003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_queue_ticket",
        sa.Column("ticket_id", sa.String(36), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("number", sa.String(8), nullable=False),
        sa.Column("group_letter", sa.String(1), nullable=False),
        sa.Column("service_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("requeued_at", sa.String(32), nullable=True),
        sa.Column("called_at", sa.String(32), nullable=True),
        sa.Column("called_by", sa.String(64), nullable=True),
        sa.Column("counter", sa.String(40), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.String(32), nullable=True),
        sa.Column("tracking_code", sa.String(40), nullable=True),
        sa.Column("qr_text", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("station", "day", "number", name="uq_hub_queue_number"),
    )
    op.create_index("ix_hub_queue_line", "hub_queue_ticket", ["station", "day", "status", "group_letter"])
    op.create_table(
        "hub_queue_key",
        sa.Column("station", sa.String(64), primary_key=True),
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hub_queue_key")
    op.drop_table("hub_queue_ticket")
