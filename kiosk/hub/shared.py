"""What the hub's use cases share: the refusal they raise, timestamps, the hub's own audit, counters, bulk
writes and the few queries several of them make."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.hub.db import insert_ignore
from kiosk.hub.models import HubAudit, HubDossier, HubMeta, InboxOp, StationCounter
from kiosk.wire import protocol


@dataclass(frozen=True, slots=True)
class PushedOp:
    """One op as a kiosk pushed it: its place in the kiosk's stream and what the kiosk signed."""

    seq: int
    op_id: str
    kind: str
    payload: str
    schema_version: int
    created_at: str

    @property
    def hash(self) -> str:
        return protocol.op_hash(self.seq, self.op_id, self.kind, self.payload, self.schema_version, self.created_at)


class HubError(Exception):
    """A refusal with an HTTP status, a code and a Vietnamese sentence (English second)."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message_en}")
        self.status = status
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.extra = extra

    def as_json(self) -> dict[str, Any]:
        return {"error": self.code, "message_vi": self.message_vi, "message_en": self.message_en, **self.extra}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _payload(op: PushedOp | InboxOp) -> dict[str, Any]:
    try:
        data = json.loads(op.payload)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _allocate(s: Session, station: str, n: int) -> int:
    """Reserve n change ids; the row stays locked until commit, so ids commit in the order they are given."""
    stmt = update(StationCounter).where(StationCounter.station == station).values(
        value=StationCounter.value + n).returning(StationCounter.value).execution_options(synchronize_session=False)
    last = s.execute(stmt).scalar()
    if last is None:
        insert_ignore(s, StationCounter, {"station": station, "value": 0})
        last = s.execute(stmt).scalar_one()
    return last


def _unique_violation(exc: Exception) -> bool:
    """A unique key taken meanwhile: SQLAlchemy's IntegrityError, or psycopg's own from a COPY (SQLSTATE 23505)."""
    return isinstance(exc, IntegrityError) or getattr(exc, "sqlstate", None) == "23505"


def _existing(s: Session, column, values: list[str]) -> list[str]:
    """Which of `values` a column of hub_dossier already holds."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy import String, any_, literal
        from sqlalchemy.dialects.postgresql import ARRAY

        # One array parameter instead of a thousand: the statement stays small and is prepared once.
        match = column == any_(literal(values, ARRAY(String)))
    else:
        match = column.in_(values)
    return list(s.scalars(select(column).where(match)))


def _held(s: Session, uids: list[str], codes: list[str]) -> tuple[set[str], set[str]]:
    """Which of these identities, and which of these codes, hub_dossier holds already (one statement)."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy import String, any_, literal
        from sqlalchemy.dialects.postgresql import ARRAY

        match = or_(HubDossier.uid == any_(literal(uids, ARRAY(String))),
                    HubDossier.tracking_code == any_(literal(codes, ARRAY(String))))
    else:
        match = or_(HubDossier.uid.in_(uids), HubDossier.tracking_code.in_(codes))
    rows = s.execute(select(HubDossier.uid, HubDossier.tracking_code).where(match)).all()
    wanted_uids, wanted_codes = set(uids), set(codes)
    return {r.uid for r in rows if r.uid in wanted_uids}, {r.tracking_code for r in rows if r.tracking_code in wanted_codes}


def _bulk_insert(s: Session, table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    COPY streams the rows in one statement; an executemany sends one INSERT per row, which made
    the inbox write alone cost as much as the whole of a bare insert of the batch.
    """
    if not rows:
        return
    connection = s.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    statement = _copy_statement(table.name, tuple(columns))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@functools.lru_cache(maxsize=32)
def _copy_statement(table: str, columns: tuple[str, ...]):
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))


def _bump_meta(s: Session, key: str) -> int:
    insert_ignore(s, HubMeta, {"key": key, "value": "0"})
    row = s.get(HubMeta, key, with_for_update=True)
    row.value = str(int(row.value) + 1)
    return int(row.value)


def _meta_int(s: Session, key: str) -> int:
    row = s.get(HubMeta, key)
    return int(row.value) if row else 0


def _audit(s: Session, now: float, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    s.add(HubAudit(at=_iso(now), actor=actor, action=action, target=target[:80], detail=protocol.canonical_json(detail)))


def _check_ttl(ttl_s: float, most: int) -> None:
    if not isinstance(ttl_s, int | float) or not 1 <= ttl_s <= most:
        raise HubError(400, "bad_ttl", f"Thời hạn phải từ 1 giây đến {most // 3600} giờ.",
                       f"The lifetime must be from 1 second to {most // 3600} hours.")
