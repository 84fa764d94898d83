"""Hub-owned blocks of the daily sequence, and each dossier's identity apart from its printed code.

- hub_kiosk.block: the block of the daily sequence the hub gave the kiosk (unique within its
  station); unit_id: the receiving unit the kiosk numbers for, as it said at enrolment; retired_at and
  retired_block: a kiosk taken out of use, and the block it gave back; audit_copy_seq and audit_copy_hash:
  the last entry of the copy of its audit chain, so a push need not look it up.
- hub_dossier.uid: the dossier's identity (the kiosk's UUID for it; the request id of an account
  request; for dossiers pushed before kiosks sent one, a UUID5 of the kiosk id and the code that
  both sides compute). previous_code: the code the kiosk printed, when the hub gave a new one.
- hub_code_counter: the hub's own block (9) of each unit's day, for those new codes.
- Changes already waiting for the kiosks are given the identity of their dossier, so a kiosk that
  pulls them after the upgrade still applies them.

Revision ID: h004
Revises: h003
"""

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "h004"
down_revision = "h003"
branch_labels = None
depends_on = None

# Frozen here: kiosk.wire.protocol.LEGACY_UID_NAMESPACE must stay the same value.
LEGACY_UID_NAMESPACE = uuid.UUID("41380fd3-7430-4cbc-8bdb-5a3b9d4d947e")
ACCOUNT_PROCEDURE = "1.011411"


def _legacy_uid(kiosk_id: str, code: str) -> str:
    return str(uuid.uuid5(LEGACY_UID_NAMESPACE, f"{kiosk_id}\n{code}"))


def upgrade() -> None:
    with op.batch_alter_table("hub_kiosk") as batch:
        batch.add_column(sa.Column("block", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unit_id", sa.String(40), nullable=True))
        batch.add_column(sa.Column("retired_at", sa.String(32), nullable=True))
        batch.add_column(sa.Column("retired_block", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("audit_copy_seq", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("audit_copy_hash", sa.String(64), nullable=False, server_default=""))
        batch.create_unique_constraint("uq_hub_kiosk_station_block", ["station", "block"])
    with op.batch_alter_table("hub_dossier") as batch:
        batch.add_column(sa.Column("uid", sa.String(36), nullable=True))
        batch.add_column(sa.Column("previous_code", sa.String(40), nullable=True))
    op.create_table(
        "hub_code_counter",
        sa.Column("unit_day", sa.String(48), primary_key=True),
        sa.Column("value", sa.Integer(), nullable=False),
    )
    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE hub_kiosk SET audit_copy_seq = a.seq, audit_copy_hash = a.hash FROM hub_kiosk_audit a "
        "WHERE a.kiosk_id = hub_kiosk.kiosk_id AND a.epoch = hub_kiosk.epoch AND a.seq = (SELECT max(b.seq) FROM "
        "hub_kiosk_audit b WHERE b.kiosk_id = a.kiosk_id AND b.epoch = a.epoch)"))
    dossiers = sa.table("hub_dossier", sa.column("tracking_code", sa.String), sa.column("kiosk_id", sa.String),
                        sa.column("seq", sa.BigInteger), sa.column("service_code", sa.String),
                        sa.column("uid", sa.String))
    inbox = sa.table("hub_inbox", sa.column("kiosk_id", sa.String), sa.column("seq", sa.BigInteger),
                     sa.column("payload", sa.Text))
    uids: dict[str, tuple[str, str]] = {}
    for code, kiosk_id, seq, service_code in bind.execute(
            sa.select(dossiers.c.tracking_code, dossiers.c.kiosk_id, dossiers.c.seq, dossiers.c.service_code)).all():
        uid = None
        if service_code == ACCOUNT_PROCEDURE:
            payload = bind.execute(sa.select(inbox.c.payload).where(inbox.c.kiosk_id == kiosk_id,
                                                                    inbox.c.seq == seq)).scalar()
            try:
                uid = json.loads(payload or "{}").get("request_id")
            except ValueError:
                uid = None
        uid = str(uid) if uid else _legacy_uid(kiosk_id, code)
        bind.execute(dossiers.update().where(dossiers.c.tracking_code == code).values(uid=uid))
        uids[code] = (uid, kiosk_id)
    changes = sa.table("hub_change", sa.column("station", sa.String), sa.column("change_id", sa.BigInteger),
                       sa.column("kind", sa.String), sa.column("payload", sa.Text))
    for station, change_id, payload in bind.execute(
            sa.select(changes.c.station, changes.c.change_id, changes.c.payload)
            .where(changes.c.kind.in_(["dossier.status", "account.known"]))).all():
        data = json.loads(payload)
        found = uids.get(str(data.get("tracking_code")))
        if found is None or "dossier_uid" in data:
            continue
        data["dossier_uid"] = found[0]
        data.setdefault("kiosk_id", found[1])
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        bind.execute(changes.update().where(changes.c.station == station, changes.c.change_id == change_id)
                     .values(payload=text))
    with op.batch_alter_table("hub_dossier") as batch:
        batch.alter_column("uid", existing_type=sa.String(36), nullable=False)
        batch.create_unique_constraint("uq_hub_dossier_uid", ["uid"])
        batch.create_index("ix_hub_dossier_previous_code", ["previous_code"])


def downgrade() -> None:
    op.drop_table("hub_code_counter")
    with op.batch_alter_table("hub_dossier") as batch:
        batch.drop_index("ix_hub_dossier_previous_code")
        batch.drop_constraint("uq_hub_dossier_uid", type_="unique")
        batch.drop_column("previous_code")
        batch.drop_column("uid")
    with op.batch_alter_table("hub_kiosk") as batch:
        batch.drop_constraint("uq_hub_kiosk_station_block", type_="unique")
        batch.drop_column("audit_copy_hash")
        batch.drop_column("audit_copy_seq")
        batch.drop_column("retired_block")
        batch.drop_column("retired_at")
        batch.drop_column("unit_id")
        batch.drop_column("block")
