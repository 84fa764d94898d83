"""Hub foundation: enrolled kiosks, inbox, dossiers, account requests, station changes, audit.

Revision ID: h001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "h001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "hub_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    op.create_table(
        "hub_enrol_code",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("used_by", sa.String(64), nullable=True),
        sa.Column("used_at", sa.String(32), nullable=True),
    )
    op.create_table(
        "hub_kiosk",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False, index=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("instance_uuid", sa.String(36), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", sa.String(32), nullable=False),
        sa.Column("key_serial", sa.Integer(), nullable=False),
        sa.Column("high_water_mark", sa.BigInteger(), nullable=False),
        sa.Column("duplicates_acked", sa.BigInteger(), nullable=False),
        sa.Column("duplicates_refused", sa.Integer(), nullable=False),
        sa.Column("refusals", sa.Integer(), nullable=False),
        sa.Column("last_refusal", sa.String(40), nullable=True),
        sa.Column("last_seen_at", sa.String(32), nullable=True),
        sa.Column("audit_head_seq", sa.BigInteger(), nullable=False),
        sa.Column("audit_head_hash", sa.String(64), nullable=False),
        sa.Column("audit_alarm", sa.String(40), nullable=True),
    )
    op.create_table(
        "hub_nonce",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_hub_nonce_seen", "hub_nonce", ["kiosk_id", "seen_at"])
    op.create_table(
        "hub_inbox",
        sa.Column("kiosk_id", sa.String(64), primary_key=True),
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("op_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(80), nullable=True),
    )
    op.create_table(
        "hub_dossier",
        sa.Column("tracking_code", sa.String(40), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False, index=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("service_code", sa.String(40), nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hub_account_request",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("kiosk_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hub_station_counter",
        sa.Column("station", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "hub_change",
        sa.Column("station", sa.String(64), primary_key=True),
        sa.Column("change_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("uid", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "hub_audit",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_table(
        "hub_backoffice_token",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    # The audit table is append-only in the database itself, whatever code or operator touches it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION hub_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'hub_audit is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER hub_audit_no_change BEFORE UPDATE OR DELETE ON hub_audit "
            "FOR EACH ROW EXECUTE FUNCTION hub_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER hub_audit_no_truncate BEFORE TRUNCATE ON hub_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER hub_audit_no_{verb.lower()} BEFORE {verb} ON hub_audit "
                "BEGIN SELECT RAISE(ABORT, 'hub_audit is append-only'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER hub_audit_no_truncate ON hub_audit")
        op.execute("DROP TRIGGER hub_audit_no_change ON hub_audit")
        op.execute("DROP FUNCTION hub_audit_append_only()")
    for table in (
        "hub_backoffice_token", "hub_audit", "hub_change", "hub_station_counter", "hub_account_request",
        "hub_dossier", "hub_inbox", "hub_nonce", "hub_kiosk", "hub_enrol_code", "hub_meta",
    ):
        op.drop_table(table)
