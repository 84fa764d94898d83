"""Sync with the hub: state (enrolment, hub position, cursor, errors) and the changes pulled from it.

Revision ID: 0003
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("hub_url", sa.String(300), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.String(32), nullable=True),
        sa.Column("hub_position", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("cursor_uid", sa.String(36), nullable=False),
        sa.Column("keys_version", sa.Integer(), nullable=False),
        sa.Column("clock_offset_s", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.String(32), nullable=True),
        sa.Column("last_success_at", sa.String(32), nullable=True),
        sa.Column("last_error_code", sa.String(40), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("halted", sa.Boolean(), nullable=False),
        sa.Column("halted_reason", sa.String(40), nullable=True),
        sa.Column("halted_detail", sa.Text(), nullable=True),
    )
    op.create_table(
        "sync_remote_change",
        sa.Column("change_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("applied_at", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
    )
    op.create_index("ix_sync_remote_change_target", "sync_remote_change", ["target"])


def downgrade() -> None:
    op.drop_index("ix_sync_remote_change_target", "sync_remote_change")
    op.drop_table("sync_remote_change")
    op.drop_table("sync_state")
