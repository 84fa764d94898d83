"""Receipts: trusted station keys for offline QR verification, and print jobs.

Revision ID: 0004
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qr_station_key",
        sa.Column("kid", sa.String(16), primary_key=True),
        sa.Column("kiosk_id", sa.String(24), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.Column("added_by", sa.String(120), nullable=False),
    )
    op.create_table(
        "print_job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tracking_code", sa.String(40), nullable=False),
        sa.Column("document", sa.String(20), nullable=False),
        sa.Column("layout", sa.String(10), nullable=False),
        sa.Column("printer_kind", sa.String(10), nullable=False),
        sa.Column("printer_target", sa.String(300), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(30), nullable=True),
        sa.Column("output", sa.String(500), nullable=True),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("printed_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_print_job_code", "print_job", ["tracking_code"])
    op.create_index("ix_print_job_status", "print_job", ["status"])


def downgrade() -> None:
    op.drop_index("ix_print_job_status", "print_job")
    op.drop_index("ix_print_job_code", "print_job")
    op.drop_table("print_job")
    op.drop_table("qr_station_key")
