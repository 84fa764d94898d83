"""Each dossier's own identity (apart from its printed code), and the codes the hub gave anew.

- dossier.uid: the identity the hub matches statuses, notes and new codes on. Dossiers taken before
  it existed get the UUID5 of their kiosk id and code that the hub's migration computes too.
- recoded_record: a dossier or account request the hub kept under a new code because its code
  clashed with another's; the printed code stays findable, and the receipt waits for a reprint.
- Pulled statuses already stored name their dossier or request by identity from now on.

Revision ID: 0010
Revises: 0002 (dossiers), 0003 (sync), 0005 (account requests): it joins the three branches it reads
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = ("0002", "0003", "0005")
branch_labels = None
depends_on = None

# Frozen here: kiosk.wire.protocol.LEGACY_UID_NAMESPACE must stay the same value.
LEGACY_UID_NAMESPACE = uuid.UUID("41380fd3-7430-4cbc-8bdb-5a3b9d4d947e")


def upgrade() -> None:
    # A plain ADD COLUMN and a unique index: a batch rebuild of `dossier` would drop a table that persons,
    # history and scans point at (foreign keys are on), so the column stays nullable in SQL (the model and
    # every writer give it a value).
    op.add_column("dossier", sa.Column("uid", sa.String(36), nullable=True))
    bind = op.get_bind()
    dossier = sa.table("dossier", sa.column("id", sa.Integer), sa.column("tracking_code", sa.String),
                       sa.column("kiosk_id", sa.String), sa.column("uid", sa.String))
    uids: dict[str, str] = {}
    for row_id, code, kiosk_id in bind.execute(sa.select(dossier.c.id, dossier.c.tracking_code,
                                                         dossier.c.kiosk_id)).all():
        uid = str(uuid.uuid5(LEGACY_UID_NAMESPACE, f"{kiosk_id}\n{code}"))
        bind.execute(dossier.update().where(dossier.c.id == row_id).values(uid=uid))
        uids[code] = uid
    op.create_index("ix_dossier_uid", "dossier", ["uid"], unique=True)
    op.create_table(
        "recoded_record",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("record_kind", sa.String(10), nullable=False),
        sa.Column("record_uid", sa.String(36), nullable=False, index=True),
        sa.Column("previous_code", sa.String(40), nullable=False, index=True),
        sa.Column("tracking_code", sa.String(40), nullable=False, index=True),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("recoded_at", sa.String(32), nullable=False),
    )
    requests = sa.table("account_request", sa.column("id", sa.String), sa.column("tracking_code", sa.String))
    uids.update({code: rid for rid, code in bind.execute(sa.select(requests.c.id, requests.c.tracking_code)).all()})
    changes = sa.table("sync_remote_change", sa.column("change_id", sa.Integer), sa.column("kind", sa.String),
                       sa.column("target", sa.String), sa.column("payload", sa.Text))
    for change_id, payload in bind.execute(sa.select(changes.c.change_id, changes.c.payload)
                                           .where(changes.c.kind == "dossier.status")).all():
        code = str(json.loads(payload).get("tracking_code", ""))
        bind.execute(changes.update().where(changes.c.change_id == change_id).values(target=uids.get(code, "")))


def downgrade() -> None:
    op.drop_table("recoded_record")
    op.drop_index("ix_dossier_uid", "dossier")
    op.execute("ALTER TABLE dossier DROP COLUMN uid")  # SQLite 3.35+: no rebuild of the table
