"""What the hall and the counter sides of the queue share: errors, ticket values, the station's key, the day."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_hall import QueueTicket
from kiosk.domain.dossier import local_received_at
from kiosk.domain.queue import (
    TicketStatus,
)
from kiosk.domain.ticket_qr import TicketBody, TicketQrError, open_ticket
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import ServiceError
from kiosk.services.identity import identity
from kiosk.services.queue_hub import HubLink
from kiosk.services.sync_client import HubRefused, HubUnreachable

log = logging.getLogger(__name__)

STATION_KEY_META = "queue_station_key"


class QueueError(ServiceError):
    """A refusal with a sentence for the officer or the citizen in both languages (`message_vi`, `message_en`)."""

    code = "queue_error"

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en


class QueueOffline(QueueError):
    code = "queue_offline"


OFFLINE_VI = ("Không kết nối được máy chủ của trạm nên không gọi số tự động được. Mời công dân tiếp theo đưa "
              "phiếu và quét mã QR trên phiếu.")
OFFLINE_EN = ("The station's hub does not answer, so numbers cannot be called automatically. Ask the next "
              "citizen for the ticket and scan its QR code.")


@dataclass(frozen=True)
class TicketTaken:
    ticket_id: str
    number: str
    service_no: int
    group: str
    day: str
    ahead: int
    estimated_wait_min: int
    has_draft: bool
    hub: str  # sent | pending | none

    def as_json(self) -> dict[str, Any]:
        return {"ticket": self.ticket_id, "number": self.number, "service_no": self.service_no,
                "estimated_wait_min": self.estimated_wait_min, "group": self.group, "day": self.day,
                "ahead": self.ahead, "has_draft": self.has_draft, "hub": self.hub}


@dataclass(frozen=True)
class CalledTicket:
    """A ticket now at this counter, with the citizen's draft (form and chip snapshot) when it has one."""

    ticket_id: str
    number: str
    service_no: int
    group: str
    counter: str
    calls: int
    source: str  # hub | local | qr
    form: Mapping[str, Any] | None
    citizen: Mapping[str, Any] | None
    chip_verdict: str | None

    def as_json(self) -> dict[str, Any]:
        return {"ticket": self.ticket_id, "number": self.number, "service_no": self.service_no,
                "group": self.group, "counter": self.counter, "calls": self.calls, "source": self.source,
                "draft": None if self.form is None and self.citizen is None else
                {"form": dict(self.form or {}), "citizen": dict(self.citizen) if self.citizen else None},
                "chip_verdict": self.chip_verdict}


def ticket_row_json(row: QueueTicket) -> dict[str, Any]:
    return {"ticket": row.id, "number": row.number, "group": row.group_letter, "service_no": row.service_no,
            "status": row.status, "origin": row.origin, "day": row.day, "created_at": row.created_at,
            "called_at": row.called_at, "counter": row.counter, "calls": row.calls, "finished_at": row.finished_at,
            "tracking_code": row.tracking_code, "estimated_wait_min": row.estimated_wait_min,
            "has_draft": row.draft is not None, "hub": row.hub_state}


class QueueDesk:
    """The state and helpers both sides of the queue use; `QueueService` is the one to construct."""

    def __init__(self, db: Database, dossiers: Any, guide: Any, receipts: Any, sync: Any = None, *,
                 counter_name: str = "Quầy 1", groups: Sequence[str] = (), minutes_per_ticket: int = 8,
                 unit_name: str = "", clock: Clock = utc_now, link: HubLink | None = None) -> None:
        self.db = db
        self.dossiers = dossiers
        self.guide = guide
        self.receipts = receipts
        self.counter_name = counter_name
        self.groups = tuple(groups)
        self.minutes_per_ticket = minutes_per_ticket
        self.unit_name = unit_name
        self.clock = clock
        self.link = link or HubLink(db, sync)

    def _local_now(self) -> datetime:
        return local_received_at(None, self.clock()).replace(tzinfo=None)

    def today(self) -> str:
        return self._local_now().date().isoformat()

    def station_key(self) -> tuple[bytes, bytes] | None:
        """(kid, key) of the station's queue key when this kiosk holds it."""
        raw = self.db.meta(STATION_KEY_META)
        if raw is None:
            return None
        data = json.loads(raw)
        return bytes.fromhex(data["kid"]), bytes.fromhex(data["key"])

    def fetch_station_key(self) -> bool:
        """Ask the hub for the station's queue key when this kiosk has none; True when it holds one now."""
        if self.station_key() is not None:
            return True
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        from kiosk.wire.protocol import b64u
        from kiosk.wire.queue import unwrap_station_key

        private = X25519PrivateKey.generate()
        epk = b64u(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
        try:
            answer = self.link.ask(lambda c: c.station_key(epk))
        except (HubUnreachable, HubRefused) as exc:
            log.warning("the station's queue key could not be fetched: %s", type(exc).__name__)
            return False
        if answer is None:
            return False
        kid, key = unwrap_station_key(private, identity(self.db).kiosk_id, answer)
        with self.db.transaction() as session:
            session.merge(KioskMeta(key=STATION_KEY_META, value=json.dumps({"kid": kid, "key": key.hex()})))
            audit.append(session, "system:queue", "queue.key_received", "station", kid, {}, self.clock)
        return True

    def _open(self, text: str) -> TicketBody:
        """Open a ticket's QR text; a signer not known yet sends this kiosk to the hub for the station's keys once."""
        keys = {}
        held = self.station_key()
        if held is None and self.fetch_station_key():
            held = self.station_key()
        if held is not None:
            keys[held[0]] = held[1]
        try:
            return open_ticket(text, keys, self.receipts.trusted_keys())
        except TicketQrError as exc:
            if exc.reason != "unknown_signer" or not self._refresh_station_keys():
                raise
        return open_ticket(text, keys, self.receipts.trusted_keys())

    def _refresh_station_keys(self) -> bool:
        from kiosk.services.receipts import store_station_keys

        try:
            keys = self.link.ask(lambda c: c.keys())
        except (HubUnreachable, HubRefused):
            return False
        if keys is None:
            return False
        store_station_keys(self.db, [(k["kiosk_id"], k["public_key"]) for k in keys["keys"]], source="hub",
                           complete=True, actor="system:queue", clock=self.clock)
        return True

    def _set_hub_state(self, ticket_id: str, state: str) -> None:
        with self.db.transaction() as session:
            row = session.get(QueueTicket, ticket_id)
            if row is not None:
                row.hub_state = state

    def purge(self) -> int:
        """Tickets of earlier days: open ones expire and every draft and sealed code of them is deleted."""
        return purge_drafts(self.db, self.today(), self.clock)


def purge_drafts(db: Database, before_day: str, clock: Clock = utc_now, dry_run: bool = False,
                 actor: str | None = "system:queue") -> int:
    """Tickets of station days before `before_day` (ISO): open ones expire and every draft and sealed code of them
    is deleted; with `dry_run` only counted. The queue's own day-end purge, and the retention policy's hook for
    queue drafts (kiosk.services.retention, which audits by count itself: `actor=None`)."""
    with db.transaction() as session:
        rows = session.scalars(select(QueueTicket).where(
            QueueTicket.day < before_day,
            (QueueTicket.draft.is_not(None)) | (QueueTicket.qr_text.is_not(None))
            | QueueTicket.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]))).all()
        if dry_run:
            return len(rows)
        for row in rows:
            if TicketStatus(row.status).open:
                row.status = TicketStatus.EXPIRED.value
            row.draft = row.qr_text = None
            row.updated_at = iso_utc(clock())
        if rows and actor:
            audit.append(session, actor, "queue.drafts_purged", "queue_ticket", "",
                         {"tickets": len(rows), "before": before_day}, clock)
        return len(rows)
