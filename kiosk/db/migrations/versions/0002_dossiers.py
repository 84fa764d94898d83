"""Dossiers: persons, append-only history, attachments inside the encrypted file, drafts, FTS5 index.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dossier",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tracking_code", sa.String(40), nullable=False, unique=True),
        sa.Column("service_no", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("applicant_kind", sa.String(16), nullable=False),
        sa.Column("subject_name", sa.String(250), nullable=False),
        sa.Column("applicant_id_number", sa.String(12), nullable=True),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("received_on", sa.String(10), nullable=False),
        sa.Column("appointment_date", sa.String(10), nullable=True),
        sa.Column("kiosk_id", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("identity_source", sa.String(10), nullable=False),
        sa.Column("chip_verdict", sa.String(32), nullable=True),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("form", sa.Text(), nullable=False),
        sa.Column("fees", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_dossier_status_day", "dossier", ["status", "received_on"])
    op.create_index("ix_dossier_day", "dossier", ["received_on"])
    op.create_table(
        "dossier_person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("id_number", sa.String(12), nullable=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("birth_date", sa.String(10), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=True),
    )
    op.create_index("ix_dossier_person_id_number", "dossier_person", ["id_number"])
    op.create_index("ix_dossier_person_dossier", "dossier_person", ["dossier_id"])
    op.create_table(
        "dossier_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=True),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(10), nullable=False),
        sa.UniqueConstraint("dossier_id", "seq", name="uq_dossier_history_seq"),
    )
    # The history is a record of what happened (Mẫu 06): the database itself refuses to rewrite it.
    op.execute(
        "CREATE TRIGGER dossier_history_no_update BEFORE UPDATE ON dossier_history "
        "BEGIN SELECT RAISE(ABORT, 'dossier history is append-only'); END"
    )
    op.execute(
        "CREATE TRIGGER dossier_history_no_delete BEFORE DELETE ON dossier_history "
        "BEGIN SELECT RAISE(ABORT, 'dossier history is append-only'); END"
    )
    op.create_table(
        "dossier_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossier.id"), nullable=False),
        sa.Column("document_id", sa.String(60), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_dossier_attachment_dossier", "dossier_attachment", ["dossier_id"])
    op.create_table(
        "dossier_draft",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("service_no", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(60), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_dossier_draft_owner", "dossier_draft", ["owner"])
    # Folded text (đ→d, no marks, lower case) so `Đỗ`, `Do` and `do` meet; rowid = dossier.id.
    # Prefix indexes for 1–3 characters: a type-ahead word of one letter ("nguyen van h") would
    # otherwise merge every matching term's list; at 1 M dossiers they halve the p95 (bench/dossiers.py).
    op.execute(
        "CREATE VIRTUAL TABLE dossier_fts USING fts5("
        "code, ids, names, places, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')"
    )


def downgrade() -> None:
    op.execute("DROP TABLE dossier_fts")
    op.execute("DROP TRIGGER dossier_history_no_delete")
    op.execute("DROP TRIGGER dossier_history_no_update")
    for table in ("dossier_draft", "dossier_attachment", "dossier_history", "dossier_person", "dossier"):
        op.drop_table(table)
