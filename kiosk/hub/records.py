"""Applying a push's fresh ops: a table of handlers per op kind, new records placed under a free code, and the
changes the station's kiosks pull.

No dossier is dropped: one that reaches the hub under a code another dossier holds (a kiosk restored
from a backup, one that numbered before it was enrolled, two stations with one unit id) is kept under
a new code from the hub's own block, and its kiosk is told (`dossier.recoded`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from kiosk.domain.tracking import BLOCK, HUB_BLOCK, PER_DAY, TrackingCode, TrackingCodeError
from kiosk.hub.db import insert_ignore
from kiosk.hub.models import AccountRequest, CodeCounter, HubDossier, HubKiosk, InboxOp, StationChange
from kiosk.hub.shared import PushedOp, _allocate, _bulk_insert, _existing, _held, _iso, _payload
from kiosk.hub.stations import _code_refusal, _station_units
from kiosk.wire import protocol
from kiosk.wire.ops import AccountKnown, OpKind, RecodedChange, Rejected, StatusDecided

#: An account request is also a record of the one-stop unit (hub_dossier) under this procedure code, so the
#: back office decides it like a dossier and the decision travels as a dossier.status change.
ACCOUNT_PROCEDURE = "1.011411"
_STATUS_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")

#: What became of one op: applied, stored (a kind the hub keeps as it is) or rejected, and why.
Outcome = tuple[str, str | None]


@dataclass
class Intake:
    """One push's fresh ops while they are applied, in the push's transaction."""

    s: Session
    kiosk: HubKiosk
    now: str
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    changes: list[tuple[OpKind, dict[str, Any]]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # new dossiers and account requests, in sequence order
    accounts: dict[int, dict[str, Any]] = field(default_factory=dict)
    units: set[str] | None = None  # the units this kiosk's station numbers under, read once when needed

    def refusal(self, code: str) -> str | None:
        """Why `code` cannot be numbered by this kiosk's station (codes are bound to its own units); None if it may."""
        if self.units is None:
            self.units = set(_station_units(self.s, self.kiosk.station))
        return _code_refusal(code, self.units)

    def record(self, op: PushedOp, data: dict[str, Any], code: str, service_code: str, status: str) -> dict[str, Any]:
        """A new hub_dossier row for the record this op brings."""
        return {"tracking_code": code, "uid": protocol.record_uid(self.kiosk.kiosk_id, data),
                "station": self.kiosk.station, "kiosk_id": self.kiosk.kiosk_id, "seq": op.seq,
                "service_code": service_code, "status": status, "received_at": self.now, "updated_at": self.now,
                "previous_code": None}


Handler = Callable[[Intake, PushedOp], Outcome]


def _take_dossier(intake: Intake, op: PushedOp) -> Outcome:
    """`dossier.created`: a new record, placed with the batch's other new records."""
    data = _payload(op)
    code = data.get("tracking_code")
    if not isinstance(code, str) or not code or len(code) > 40:
        return ("rejected", "missing_tracking_code")
    if (why := intake.refusal(code)) is not None:
        return ("rejected", why)
    status = data.get("status") if isinstance(data.get("status"), str) else "received"
    intake.records.append(intake.record(op, data, code, str(data.get("service_code") or "")[:40], status[:40]))
    return ("applied", None)


def _take_account(intake: Intake, op: PushedOp) -> Outcome:
    """`account.requested` (also a record under ACCOUNT_PROCEDURE, announced to the station) and `account.issued`:
    an account row, kept as sent."""
    data = _payload(op)
    code = data.get("tracking_code")
    requested = op.kind == OpKind.ACCOUNT_REQUESTED
    if requested and isinstance(code, str) and code and (why := intake.refusal(code)):
        return ("rejected", why)
    intake.accounts[op.seq] = {"kiosk_id": intake.kiosk.kiosk_id, "seq": op.seq, "station": intake.kiosk.station,
                               "payload": op.payload, "received_at": intake.now}
    if requested and isinstance(code, str) and 0 < len(code) <= 40:
        row = intake.record(op, data, code, ACCOUNT_PROCEDURE, "submitted")
        row["known"] = {"id_number": (data.get("citizen") or {}).get("personal", {}).get("id_number"),
                        "phone": data.get("phone"), "phone_owner": data.get("phone_owner")}
        intake.records.append(row)
    return ("applied", None)


def _move_status(intake: Intake, op: PushedOp) -> Outcome:
    """`dossier.status`, `account.status`: a status the kiosk moved, applied to the record it names by identity
    (never by its printed code: the code may have been given to another record); an op written before kiosks
    named the record falls back to this kiosk's own record under that code."""
    s, kiosk = intake.s, intake.kiosk
    data = _payload(op)
    code, status = data.get("tracking_code"), data.get("status")
    if not isinstance(code, str) or not isinstance(status, str) or not _STATUS_RE.fullmatch(status):
        return ("rejected", "bad_status")
    uid = protocol.record_uid(kiosk.kiosk_id, data)
    dossier = s.scalars(select(HubDossier).where(HubDossier.uid == uid).with_for_update()).first()
    if dossier is None and not (data.get("dossier_uid") or data.get("request_id")):
        dossier = s.scalars(select(HubDossier).where(
            HubDossier.kiosk_id == kiosk.kiosk_id,
            or_(HubDossier.tracking_code == code, HubDossier.previous_code == code)).with_for_update()).first()
    if dossier is None:
        return ("rejected", "unknown_dossier")
    if dossier.station != kiosk.station:
        return ("rejected", "foreign_dossier")
    dossier.status, dossier.updated_at = status, intake.now
    s.flush()
    intake.changes.append((OpKind.DOSSIER_STATUS, _status_change(dossier, status, str(data.get("note") or ""),
                                                                f"kiosk:{kiosk.kiosk_id}", intake.now)))
    return ("applied", None)


#: Kinds that bring a new record or row, applied first, in sequence order.
RECORDS: dict[OpKind, Handler] = {
    OpKind.DOSSIER_CREATED: _take_dossier,
    OpKind.ACCOUNT_REQUESTED: _take_account,
    OpKind.ACCOUNT_ISSUED: _take_account,
}
#: Kinds that move a record, applied once the batch's new records exist, in sequence order. Any other kind is
#: stored as it came.
MOVES: dict[OpKind, Handler] = {
    OpKind.DOSSIER_STATUS: _move_status,
    OpKind.ACCOUNT_STATUS: _move_status,
}


class Applying:
    """The Hub's apply step of a push (see the module's docstring)."""

    def _apply(self, s: Session, kiosk: HubKiosk, ops: list[PushedOp]) -> list[int]:
        """Store every op in the inbox and apply the kinds the hub knows (RECORDS, then MOVES); unknown kinds are
        kept as they are. Returns the sequence numbers rejected by a business rule."""
        intake = Intake(s, kiosk, _iso(self.clock()))
        for op in ops:
            take = RECORDS.get(op.kind)
            if take is not None:
                intake.outcomes[op.seq] = take(intake, op)
            elif op.kind not in MOVES:
                intake.outcomes[op.seq] = ("stored", None)
        kept = self._place(s, intake.records, intake.outcomes)
        _announce(intake, kept)
        if kept:
            _bulk_insert(s, HubDossier.__table__, kept)
        for op in ops:
            move = MOVES.get(op.kind)
            if move is not None:
                intake.outcomes[op.seq] = move(intake, op)
        rows = [row for seq, row in intake.accounts.items() if intake.outcomes[seq][0] == "applied"]
        if rows:
            s.connection().execute(AccountRequest.__table__.insert(), rows)
        _bulk_insert(s, InboxOp.__table__, [
            {"kiosk_id": kiosk.kiosk_id, "seq": op.seq, "op_id": op.op_id, "kind": op.kind,
             "schema_version": op.schema_version, "payload": op.payload, "created_at": op.created_at,
             "hash": op.hash, "received_at": intake.now, "outcome": intake.outcomes[op.seq][0],
             "reason": intake.outcomes[op.seq][1]}
            for op in ops
        ])
        rejected = _rejections(intake, ops)
        if intake.changes:
            self._emit(s, kiosk.station, intake.changes, intake.now)
        return rejected

    def _place(self, s: Session, records: list[dict[str, Any]],
               outcomes: dict[int, tuple[str, str | None]]) -> list[dict[str, Any]]:
        """The new dossiers to keep, each under a code no other dossier holds: a clashing one gets a new code
        from the hub's block of its unit's day. A record the hub already holds (same identity) is refused."""
        if not records:
            return []
        held_uids, taken = _held(s, [r["uid"] for r in records], [r["tracking_code"] for r in records])
        kept, uids = [], set()
        for record in records:
            if record["uid"] in held_uids or record["uid"] in uids:
                outcomes[record["seq"]] = ("rejected", "duplicate_dossier")
                continue
            code = record["tracking_code"]
            if code in taken:
                fresh = self._new_code(s, code, taken)
                if fresh is None:
                    outcomes[record["seq"]] = ("rejected", "duplicate_tracking_code")
                    continue
                record["previous_code"], record["tracking_code"] = code, fresh
                outcomes[record["seq"]] = ("applied", f"recoded:{fresh}")
            taken.add(record["tracking_code"])
            uids.add(record["uid"])
            kept.append(record)
        return kept

    def _new_code(self, s: Session, code: str, taken: set[str]) -> str | None:
        """The next code of the hub's block (kiosk.domain.tracking.HUB_BLOCK) of the clashing code's unit and day;
        None when the code is not in the Circular's form or the block is used up for that day."""
        try:
            parsed = TrackingCode.parse(code)
        except TrackingCodeError:
            return None
        key = f"{parsed.unit_id}-{parsed.day:%y%m%d}"
        stmt = update(CodeCounter).where(CodeCounter.unit_day == key).values(value=CodeCounter.value + 1).returning(
            CodeCounter.value).execution_options(synchronize_session=False)
        while True:
            nth = s.execute(stmt).scalar()
            if nth is None:
                insert_ignore(s, CodeCounter, {"unit_day": key, "value": 0})
                nth = s.execute(stmt).scalar_one()
            if nth > PER_DAY:
                return None
            candidate = str(TrackingCode(parsed.unit_id, parsed.day, HUB_BLOCK * BLOCK + nth))
            if candidate not in taken and not _existing(s, HubDossier.tracking_code, [candidate]):
                return candidate

    def _emit(self, s: Session, station: str, changes: list[tuple[str, dict[str, Any]]], now: str) -> None:
        """Hand out change ids under the station's counter row lock, in the caller's transaction."""
        last = _allocate(s, station, len(changes))
        first = last - len(changes) + 1
        s.execute(insert(StationChange), [
            {"station": station, "change_id": first + i, "uid": str(uuid.uuid4()), "kind": kind,
             "payload": protocol.canonical_json(payload), "created_at": now}
            for i, (kind, payload) in enumerate(changes)
        ])


def _announce(intake: Intake, kept: list[dict[str, Any]]) -> None:
    """The changes the new records make for the station: a record kept under a new code (`dossier.recoded`),
    an account request other kiosks check against (`account.known`)."""
    kiosk_id = intake.kiosk.kiosk_id
    for record in kept:
        account = record.pop("known", None)
        if record["previous_code"]:
            intake.changes.append((OpKind.DOSSIER_RECODED, RecodedChange(
                dossier_uid=record["uid"], kiosk_id=kiosk_id, seq=record["seq"],
                kind="account" if account is not None else "dossier", previous_code=record["previous_code"],
                tracking_code=record["tracking_code"], at=intake.now)))
        if account is not None:
            intake.changes.append((OpKind.ACCOUNT_KNOWN, AccountKnown(
                tracking_code=record["tracking_code"], dossier_uid=record["uid"], kiosk_id=kiosk_id,
                status="submitted", **account)))


def _rejections(intake: Intake, ops: list[PushedOp]) -> list[int]:
    """The ops rejected by a business rule, each told to its kiosk (`op.rejected`)."""
    rejected = []
    for op in ops:
        outcome, reason = intake.outcomes[op.seq]
        if outcome == "rejected":
            rejected.append(op.seq)
            data = _payload(op)
            intake.changes.append((OpKind.OP_REJECTED, Rejected(
                kiosk_id=intake.kiosk.kiosk_id, seq=op.seq, op_id=op.op_id, kind=op.kind, reason=reason,
                tracking_code=str(data.get("tracking_code") or "")[:40])))
    return rejected


def _status_change(dossier: HubDossier, status: str, note: str, source: str, at: str) -> StatusDecided:
    """A status for the kiosks of the dossier's station, naming the dossier by its identity and its kiosk:
    only that kiosk applies it, to that dossier, whatever code either side prints."""
    return StatusDecided(tracking_code=dossier.tracking_code, dossier_uid=dossier.uid, kiosk_id=dossier.kiosk_id,
                         status=status, note=note, source=source, at=at)
