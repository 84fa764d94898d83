"""Kiosk audit chains on the hub: every entry each kiosk pushed, checked link by link, append-only.

Revision ID: h003
Revises: h002
"""

import sqlalchemy as sa
from alembic import op

revision = "h003"
down_revision = "h002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_kiosk_audit",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("epoch", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target_kind", sa.String(40), nullable=False),
        sa.Column("target_id", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
    )
    # Append-only in the database itself, like hub_audit.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION hub_kiosk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'hub_kiosk_audit is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER hub_kiosk_audit_no_change BEFORE UPDATE OR DELETE ON hub_kiosk_audit "
            "FOR EACH ROW EXECUTE FUNCTION hub_kiosk_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER hub_kiosk_audit_no_truncate BEFORE TRUNCATE ON hub_kiosk_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION hub_kiosk_audit_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER hub_kiosk_audit_no_{verb.lower()} BEFORE {verb} ON hub_kiosk_audit "
                "BEGIN SELECT RAISE(ABORT, 'hub_kiosk_audit is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER hub_kiosk_audit_no_truncate ON hub_kiosk_audit")
        op.execute("DROP TRIGGER hub_kiosk_audit_no_change ON hub_kiosk_audit")
        op.execute("DROP FUNCTION hub_kiosk_audit_append_only()")
    op.drop_table("hub_kiosk_audit")
