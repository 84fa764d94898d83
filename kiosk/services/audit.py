"""The tamper-evident audit log: a per-kiosk hash chain h_n = SHA-256(h_{n-1} ‖ canonical entry).

Entries say who did what to which record and when (UTC), never the personal data itself. The head
(last seq and hash) is kept in kiosk_meta in the same transaction, so a deleted tail is detected too;
the sync anchors it on the hub.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import AuditEntry, KioskMeta
from kiosk.domain.roles import Permission, Principal
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.permissions import require
from kiosk.wire import protocol

GENESIS = protocol.AUDIT_GENESIS


def entry_dict(row: AuditEntry) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at,
        "actor": row.actor,
        "action": row.action,
        "target_kind": row.target_kind,
        "target_id": row.target_id,
        "detail": json.loads(row.detail),
    }


def chain_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    return protocol.audit_link_hash(prev_hash, entry)


def append(
    session: Session,
    actor: str,
    action: str,
    target_kind: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
    clock: Clock = utc_now,
) -> AuditEntry:
    """Add an entry inside the caller's transaction (so the act and its audit entry commit together)."""
    head_seq = session.get(KioskMeta, "audit_head_seq")
    head_hash = session.get(KioskMeta, "audit_head_hash")
    assert head_seq is not None and head_hash is not None, "database identity missing"
    seq = int(head_seq.value) + 1
    entry = {
        "seq": seq,
        "at": iso_utc(clock()),
        "actor": actor,
        "action": action,
        "target_kind": target_kind,
        "target_id": target_id,
        "detail": detail or {},
    }
    digest = chain_hash(head_hash.value, entry)
    row = AuditEntry(
        seq=seq,
        at=entry["at"],
        actor=actor,
        action=action,
        target_kind=target_kind,
        target_id=target_id,
        detail=json.dumps(entry["detail"], sort_keys=True, ensure_ascii=False),
        prev_hash=head_hash.value,
        hash=digest,
    )
    session.add(row)
    head_seq.value = str(seq)
    head_hash.value = digest
    return row


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""  # "edited", "missing_or_reordered", "tail_deleted"

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "first_broken_seq": self.first_broken_seq, "reason": self.reason}


def verify(db: Database, principal: Principal) -> VerifyResult:
    """Walk the chain from the genesis; name the first entry that was edited, deleted or reordered."""
    require(principal, Permission.AUDIT_READ)
    with db.sessions() as session:
        prev = GENESIS
        expected_seq = 1
        count = 0
        for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
            count += 1
            if row.seq != expected_seq or row.prev_hash != prev:
                return VerifyResult(False, count, expected_seq, "missing_or_reordered")
            if chain_hash(prev, entry_dict(row)) != row.hash:
                return VerifyResult(False, count, row.seq, "edited")
            prev = row.hash
            expected_seq += 1
        head_seq = int(session.get(KioskMeta, "audit_head_seq").value)
        head_hash = session.get(KioskMeta, "audit_head_hash").value
        if head_seq != expected_seq - 1 or head_hash != prev:
            return VerifyResult(False, count, expected_seq, "tail_deleted")
    return VerifyResult(True, count)


def recent(db: Database, principal: Principal, limit: int = 200) -> list[dict[str, Any]]:
    require(principal, Permission.AUDIT_READ)
    with db.sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit))
        return [entry_dict(r) for r in rows]
