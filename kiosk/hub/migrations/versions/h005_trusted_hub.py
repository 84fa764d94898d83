"""A trusted hub: station-bound units, enrolment codes that let the kiosk check the hub's key.

- hub_station_unit: each receiving unit's identifier bound to one station; its kiosks may push codes of
  their station's units only. Filled from what the kiosks declared at enrolment (earliest enrolment first),
  then from the codes of the dossiers each station already holds, for units no station holds yet.
- hub_enrol_code.confirm_key: the key the hub proves its signing key with (codes issued before have none and
  are refused: the operator issues a new one).
- ix_hub_kiosk_public_key: an enrolment looks its key up (one kiosk, one hub identity).
- hub_kiosk.local_id: the id a kiosk had made itself before the hub gave it one (its earlier receipts' QR
  codes carry it).
Joins the two branches after h003 (h004 and h020).

Revision ID: h005
Revises: h004, h020
"""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "h005"
down_revision = ("h004", "h020")
branch_labels = None
depends_on = None

# Frozen here: the unit part of a tracking code (kiosk.domain.tracking).
_CODE_UNIT = re.compile(r"([0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,4})-\d{6}-\d{4}")


def upgrade() -> None:
    op.create_table(
        "hub_station_unit",
        sa.Column("unit_id", sa.String(40), primary_key=True),
        sa.Column("station", sa.String(64), nullable=False),
        sa.Column("bound_at", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_index("ix_hub_station_unit_station", "hub_station_unit", ["station"])
    with op.batch_alter_table("hub_enrol_code") as batch:
        batch.add_column(sa.Column("confirm_key", sa.String(64), nullable=True))
    op.create_index("ix_hub_kiosk_public_key", "hub_kiosk", ["public_key"])
    with op.batch_alter_table("hub_kiosk") as batch:
        batch.add_column(sa.Column("local_id", sa.String(24), nullable=True))
    bind = op.get_bind()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    bound: dict[str, str] = {}
    kiosks = bind.execute(sa.text(
        "SELECT unit_id, station FROM hub_kiosk WHERE unit_id IS NOT NULL ORDER BY enrolled_at, kiosk_id")).all()
    for unit_id, station in kiosks:
        if unit_id and unit_id not in bound:
            bound[unit_id] = station
    dossiers = bind.execute(sa.text(
        "SELECT coalesce(previous_code, tracking_code), station FROM hub_dossier ORDER BY received_at")).all()
    for code, station in dossiers:
        match = _CODE_UNIT.fullmatch(code or "")
        if match and match.group(1) not in bound:
            bound[match.group(1)] = station
    table = sa.table("hub_station_unit", sa.column("unit_id", sa.String), sa.column("station", sa.String),
                     sa.column("bound_at", sa.String), sa.column("source", sa.String))
    if bound:
        op.bulk_insert(table, [{"unit_id": unit, "station": station, "bound_at": now, "source": "upgrade"}
                               for unit, station in bound.items()])


def downgrade() -> None:
    with op.batch_alter_table("hub_kiosk") as batch:
        batch.drop_column("local_id")
    op.drop_index("ix_hub_kiosk_public_key", "hub_kiosk")
    with op.batch_alter_table("hub_enrol_code") as batch:
        batch.drop_column("confirm_key")
    op.drop_index("ix_hub_station_unit_station", "hub_station_unit")
    op.drop_table("hub_station_unit")
