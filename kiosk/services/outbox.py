"""The transactional outbox: each change for the hub gets a gap-free per-kiosk sequence number.

The row is written in the caller's transaction, so the change and its outbox row commit together.
The sequence comes from a counter row, never max(seq)+1 (purged rows must not free their numbers).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import Counter, KioskMeta, OutboxOp
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import ServiceError

SEQUENCE = "outbox_seq"
#: Set (kiosk_meta) when a restored database must rejoin its hub before it writes anything for the hub: the
#: hours the backup does not hold may have given tracking codes to citizens and moved dossiers already, and
#: only the hub knows (cleared by `SyncService.rejoin`, which learns both from the hub).
REJOIN_REQUIRED = "rejoin_required"


class AwaitingRejoin(ServiceError):
    """A restored kiosk records nothing new for the hub until it has rejoined it (kiosk enrol --rejoin)."""

    code = "awaiting_rejoin"
    message_vi = ("Dữ liệu của kiosk vừa được khôi phục từ bản sao lưu: chưa nhận hồ sơ mới hay đổi trạng thái cho "
                  "đến khi kiosk đăng ký lại với máy chủ (kiosk enrol --rejoin), để không cấp trùng mã hồ sơ đã cấp "
                  "sau lần sao lưu.")

    def __init__(self) -> None:
        super().__init__(self.message_vi)


def next_counter(session: Session, name: str) -> int:
    row = session.get(Counter, name)
    if row is None:
        row = Counter(name=name, value=0)
        session.add(row)
    row.value += 1
    return row.value


def canonical_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def enqueue(session: Session, kind: str, payload: dict[str, Any], schema_version: int = 1, clock: Clock = utc_now) -> OutboxOp:
    if session.get(KioskMeta, REJOIN_REQUIRED) is not None:
        raise AwaitingRejoin()
    op = OutboxOp(
        seq=next_counter(session, SEQUENCE),
        op_id=str(uuid.uuid4()),
        kind=kind,
        payload=canonical_json(payload),
        schema_version=schema_version,
        created_at=iso_utc(clock()),
    )
    session.add(op)
    return op


def pending_count(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.acked_at.is_(None))) or 0
