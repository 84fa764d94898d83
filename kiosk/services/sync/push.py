"""Push: the outbox and the audit chain from the hub's position, read ahead while the previous batch is on the
wire; the hub's answer is recorded only once it came."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.db.models import AuditEntry, Counter, KioskMeta, OutboxOp
from kiosk.db.models_sync import SyncState
from kiosk.services import audit
from kiosk.services.clock import iso_utc
from kiosk.services.outbox import SEQUENCE
from kiosk.services.sync.errors import _Cancelled, _Halt
from kiosk.services.sync.numbering import _store_numbering
from kiosk.services.sync.state import AUDIT_ALARM, AUDIT_CURSOR, _state
from kiosk.services.sync_client import HubClient, HubRefused
from kiosk.support.jobs import CancelToken, Progress, ProgressFn
from kiosk.wire import protocol

#: One logger for the whole of sync (its name predates the package).
log = logging.getLogger("kiosk.services.sync")


@dataclass(frozen=True)
class _Batch:
    """Outbox rows to push after `position`, read with the kiosk's last sequence number, the audit
    entries after `audit_after` (the last one the hub holds) and the signed audit-chain head."""

    position: int
    ops: list[dict[str, Any]]
    last_seq: int
    head: dict[str, Any]
    ops_more: bool  # the ops were cut (by count or bytes): more may follow
    audit_after: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def audit_more(self) -> bool:
        return len(self.entries) >= AUDIT_BATCH

    @property
    def audit_last(self) -> int:
        return self.entries[-1]["seq"] if self.entries else self.audit_after


#: Audit entries per push (each a few hundred bytes); a backlog drains over several pushes.
AUDIT_BATCH = 1000


class Pushing:
    """SyncService's push: `_push_all` and the batch it reads and sends."""

    def _push_all(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken,
                  report: ProgressFn) -> int | None:
        """Push from the hub's position until the queue is empty.

        While one batch is on the wire, a second thread records the hub's answer to the previous
        one and reads the next from the database: the hub, not the kiosk's disk, sets the pace. The
        read-ahead batch is used only when the hub acknowledged exactly the batch before it (after
        a gap or a resend it is thrown away). Recording an answer late is safe: until it is
        written, a restart resends from the older position and the hub acknowledges the duplicates.

        Long because the read-ahead, the answer being recorded and the stall count are state of one loop.
        """
        keys_version = None
        stalls, best = 0, (-1, -1)
        position: int | None = None
        audit_position: int | None = None
        ahead: tuple[tuple[int, int], Future[_Batch]] | None = None
        recorded: Future[None] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="sync-read-ahead") as reader:
            while True:
                if cancel.cancelled:
                    raise _Cancelled()
                if ahead is not None and ahead[0] == (position, audit_position):
                    batch = ahead[1].result()
                else:
                    batch = self._read_batch(position, audit_position)
                ahead = None
                position, audit_position = batch.position, batch.audit_after
                ops = batch.ops
                if (ops and ops[0]["seq"] != position + 1) or (not ops and batch.last_seq > position):
                    raise _Halt("hub_behind_purged", {"hub_position": position,
                                                      "first_kept": ops[0]["seq"] if ops else None})
                # An audit copy the hub stopped (an alarm) does not keep the loop going: ops still do.
                full = batch.ops_more or (batch.audit_more and not counts.get("audit_alarm"))
                if full:
                    expected = (ops[-1]["seq"] if ops else position, batch.audit_last)
                    ahead = (expected, reader.submit(self._read_batch, *expected))
                result = self._call(client, lambda b=batch: self.send_batch(client, b.ops, b.head, b.entries), cancel)
                mark = int(result["high_water_mark"])
                stored = (result.get("audit") or {}).get("stored_seq")
                audit_position = int(stored) if stored is not None else batch.audit_last
                alarm = (result.get("audit") or {}).get("alarm")
                if alarm and not counts.get("audit_alarm"):
                    counts["audit_alarm"] = alarm
                    log.error("the hub raised an audit alarm for this kiosk: %s (audit copy held to %s)",
                              alarm, audit_position)
                keys_version = int(result.get("keys_version", 0))
                counts["pushed"] += int(result.get("accepted", 0))
                counts["duplicates"] += int(result.get("duplicates", 0))
                counts["rejected"].extend(result.get("rejected", []))
                if recorded is not None:
                    recorded.result()  # the previous answer is on disk (or its error surfaces here)
                recorded = reader.submit(self._acknowledge, mark, audit_position, alarm, result.get("numbering"))
                report(Progress("push", None, f"{mark}/{batch.last_seq}"))
                stalls, best = (0, (mark, audit_position)) if (mark, audit_position) > best else (stalls + 1, best)
                if stalls > 3:
                    raise HubRefused(200, "no_progress", "Máy chủ không nhận thêm thao tác nào; sẽ thử lại sau.")
                if result.get("gap") or mark < position:
                    log.warning("the hub is at %d, behind this kiosk's %d; resending from there", mark, position)
                    position = mark
                    continue
                position = mark
                if not full:
                    recorded.result()
                    return keys_version

    def _read_batch(self, after: int | None, audit_after: int | None = None) -> _Batch:
        """The next batch after `after` (None: after the acknowledged position), with the audit entries
        after `audit_after` (None: after the last the hub said it holds) and the audit-chain head."""
        with self.db.sessions() as session:
            position = session.get(SyncState, 1).hub_position if after is None else after
            if audit_after is None:
                cursor = session.get(KioskMeta, AUDIT_CURSOR)
                audit_after = int(cursor.value) if cursor is not None else 0
            entries = [{**audit.entry_dict(row), "prev_hash": row.prev_hash, "hash": row.hash}
                       for row in session.scalars(select(AuditEntry).where(AuditEntry.seq > audit_after)
                                                  .order_by(AuditEntry.seq).limit(AUDIT_BATCH))]
            # Plain rows, not ORM objects: a batch is read once and sent as it is.
            rows = session.execute(
                select(OutboxOp.seq, OutboxOp.op_id, OutboxOp.kind, OutboxOp.payload, OutboxOp.schema_version,
                       OutboxOp.created_at)
                .where(OutboxOp.seq > position).order_by(OutboxOp.seq).limit(self.policy.batch_size)
            ).all()
            last = session.get(Counter, SEQUENCE)
            ops, size = [], 0
            for row in rows:
                size += len(row.payload)
                if ops and size > self.policy.batch_bytes:
                    break
                ops.append(row._asdict())
            more = len(rows) >= self.policy.batch_size or len(ops) < len(rows)
            return _Batch(position, ops, last.value if last else 0, self._audit_head(session), more, audit_after,
                          entries)

    def send_batch(self, client: HubClient, ops: list[dict[str, Any]], head: dict[str, Any],
                   entries: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        """One push request (a seam the chaos tests' broken variants replace)."""
        return client.push(ops, head, entries)

    def _acknowledge(self, mark: int, audit_seq: int | None = None, audit_alarm: str | None = None,
                     numbering: dict[str, Any] | None = None) -> None:
        """Record the hub's answer: rows up to its mark are acknowledged, the next push starts after it;
        the hub holds this kiosk's audit entries up to `audit_seq` (and raised `audit_alarm`); the kiosk
        numbers in the block the hub says (`numbering`)."""
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            if numbering is not None:
                _store_numbering(session, numbering, "system:sync", self.clock)
            if audit_seq is not None:
                session.merge(KioskMeta(key=AUDIT_CURSOR, value=str(audit_seq)))
            if audit_alarm:
                session.merge(KioskMeta(key=AUDIT_ALARM, value=audit_alarm))
            st = _state(session)
            if mark < st.hub_position:
                log.warning("the hub holds only up to %d of this kiosk's %d acknowledged ops (restored?); resending",
                            mark, st.hub_position)
            session.execute(update(OutboxOp).where(OutboxOp.seq <= mark, OutboxOp.acked_at.is_(None))
                            .values(acked_at=now))
            st.hub_position = mark

    def _audit_head(self, session: Session) -> dict[str, Any]:
        seq = int(session.get(KioskMeta, "audit_head_seq").value)
        digest = session.get(KioskMeta, "audit_head_hash").value
        signature = protocol.b64u(self.key.sign(protocol.audit_head_input(self.who.kiosk_id, seq, digest)))
        return {"seq": seq, "hash": digest, "signature": signature}
