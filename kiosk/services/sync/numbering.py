"""The kiosk's numbers after enrolment and rejoin: its block of the daily sequence, its outbox numbers, its
codes and statuses a restored database forgot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db.models import Counter, KioskMeta, OutboxOp
from kiosk.domain.tracking import (
    BLOCK,
    HUB_BLOCK,
    KIOSK_BLOCKS,
    UNENROLLED_BLOCK,
    TrackingCode,
    TrackingCodeError,
    day_counter_name,
    slot_of,
)
from kiosk.services import audit
from kiosk.services.clock import Clock
from kiosk.services.identity import SLOT_META, SLOT_SOURCE_META
from kiosk.services.outbox import SEQUENCE
from kiosk.services.sync.pull import _apply_dossier_status
from kiosk.services.sync.state import NUMBERING_ALARM, Renumbered
from kiosk.wire import protocol


def _renumber_unaccepted(session: Session, position: int, mark: int, hooks: Sequence[Renumbered]) -> int:
    """Move the ops after `position` (never accepted by the hub) to follow the hub's `mark`, in order.

    Returns how many moved. Nothing moves when the hub is behind (it will ask for them again).
    """
    shift = mark - position
    if shift <= 0:
        return 0
    moved = session.query(OutboxOp).filter(OutboxOp.seq > position).count()
    # Two steps, so that no number is ever taken twice during the move.
    session.execute(update(OutboxOp).where(OutboxOp.seq > position).values(seq=-OutboxOp.seq))
    session.execute(update(OutboxOp).where(OutboxOp.seq < 0).values(seq=-OutboxOp.seq + shift))
    counter = session.get(Counter, SEQUENCE)
    if counter is not None:
        counter.value += shift
    for hook in hooks:
        hook(session, position, shift)
    return moved


def _skip_issued_codes(session: Session, codes: Sequence[str], block: int | None = None) -> int:
    """Move this kiosk's daily tracking-code counters past the codes the hub holds from it in its block
    (`block`; None: any), so a restored database never hands one out again. Returns how many days'
    counters moved. Codes the hub gave anew are in the hub's own block and move nothing."""
    highest: dict[str, int] = {}
    for text in codes:
        try:
            code = TrackingCode.parse(text)
        except TrackingCodeError:
            continue
        if (block is not None and slot_of(code.sequence) != block) or slot_of(code.sequence) == HUB_BLOCK:
            continue
        name = day_counter_name(code.day)
        highest[name] = max(highest.get(name, 0), code.sequence % BLOCK)
    moved = 0
    for name, nth in highest.items():
        counter = session.get(Counter, name)
        if counter is None:
            session.add(Counter(name=name, value=nth))
            moved += 1
        elif counter.value < nth:
            counter.value = nth
            moved += 1
    return moved


def _catch_up_statuses(session: Session, statuses: dict[str, str]) -> int:
    """A rejoining kiosk takes the hub's status of each of its dossiers (by identity): moves made after its backup was taken
    live only on the hub, and the pull skips this kiosk's own echoes. Nothing new was written since the restore
    (the outbox refuses until the rejoin), so the hub's status is the latest. Returns how many changed."""
    from kiosk.db.models_dossier import DossierRow

    if not statuses:
        return 0
    local = dict(session.execute(select(DossierRow.uid, DossierRow.status)
                                 .where(DossierRow.uid.in_(list(statuses)))).all())
    changed = 0
    for uid, status in statuses.items():
        if uid in local and local[uid] != status and _apply_dossier_status(
                session, {"dossier_uid": uid, "status": status, "note": "", "source": "hub:rejoin"}):
            changed += 1
    return changed


def _store_numbering(session: Session, numbering: Any, actor: str, clock: Clock) -> int | None:
    """Keep the block of the daily sequence the hub gave this kiosk (enrolment, rejoin, every push answer);
    a change is audited. A hub with no block left for it leaves the kiosk's block and raises an alarm."""
    if not isinstance(numbering, dict):
        return None  # a hub from before blocks were the hub's
    block = numbering.get("block")
    if not isinstance(block, int) or block not in KIOSK_BLOCKS:
        session.merge(KioskMeta(key=NUMBERING_ALARM, value=str(numbering.get("error") or "no_block")))
        return None
    alarm = session.get(KioskMeta, NUMBERING_ALARM)
    if alarm is not None:
        session.delete(alarm)
    current, source = session.get(KioskMeta, SLOT_META), session.get(KioskMeta, SLOT_SOURCE_META)
    if current is not None and current.value == str(block) and source is not None and source.value == "hub":
        return block
    audit.append(session, actor, "dossier.slot", "kiosk", "", {"from": current.value if current else None,
                                                                 "to": block, "source": "hub"}, clock=clock)
    session.merge(KioskMeta(key=SLOT_META, value=str(block)))
    session.merge(KioskMeta(key=SLOT_SOURCE_META, value="hub"))
    return block


def _numbering_hint(session: Session) -> dict[str, Any]:
    """What this kiosk numbers in now, sent to the hub (it keeps a free block the kiosk already uses)."""
    current = session.get(KioskMeta, SLOT_META)
    source = session.get(KioskMeta, SLOT_SOURCE_META)
    return {"block": int(current.value) if current else UNENROLLED_BLOCK,
            "source": source.value if source else "local"}


def _matched_prefix(session: Session, position: int, held: Sequence[Sequence[Any]]) -> int:
    """The last outbox number after `position` that the hub holds with the very same content (a restored
    database's ops the hub got before the disk failed): those are acknowledged, not sent again."""
    hashes = {int(seq): str(digest) for seq, digest in held}
    rows = session.execute(
        select(OutboxOp.seq, OutboxOp.op_id, OutboxOp.kind, OutboxOp.payload, OutboxOp.schema_version,
               OutboxOp.created_at).where(OutboxOp.seq > position).order_by(OutboxOp.seq)).all()
    for row in rows:
        if row.seq != position + 1 or hashes.get(row.seq) != protocol.op_hash(
                row.seq, row.op_id, row.kind, row.payload, row.schema_version, row.created_at):
            break
        position = row.seq
    return position
