"""Electronic identification account requests: request, history, encrypted portrait.

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("tracking_code", sa.String(40), nullable=False, unique=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(12), nullable=False),
        sa.Column("full_name", sa.String(250), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=False),
        sa.Column("chip_verdict", sa.String(30), nullable=False),
        sa.Column("phone", sa.String(10), nullable=False),
        sa.Column("phone_owner", sa.String(12), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("integrations", sa.Text(), nullable=False),
        sa.Column("guardian_id_number", sa.String(12), nullable=True),
        sa.Column("guardian_name", sa.String(250), nullable=True),
        sa.Column("relationship", sa.String(10), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("consents", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("face_match", sa.Text(), nullable=False),
        sa.Column("fingerprint_checked", sa.Boolean(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("received_on", sa.String(10), nullable=False),
        sa.Column("kiosk_id", sa.String(24), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("outbox_seq", sa.Integer(), nullable=False),
        sa.Column("hub_change_id", sa.Integer(), nullable=False),
        sa.Column("portrait_purged_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_account_request_id_number", "account_request", ["id_number"])
    op.create_index("ix_account_request_phone", "account_request", ["phone"])
    op.create_index("ix_account_request_status", "account_request", ["status"])
    op.create_table(
        "account_history",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("account_request.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("from_status", sa.String(12), nullable=True),
        sa.Column("to_status", sa.String(12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(8), nullable=False),
    )
    op.create_table(
        "account_portrait",
        sa.Column("request_id", sa.String(36), sa.ForeignKey("account_request.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("media_type", sa.String(20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("face_found", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("account_portrait")
    op.drop_table("account_history")
    op.drop_index("ix_account_request_status", "account_request")
    op.drop_index("ix_account_request_phone", "account_request")
    op.drop_index("ix_account_request_id_number", "account_request")
    op.drop_table("account_request")
