"""The hall's queue (lấy số thứ tự): a citizen's draft and ticket at the hall kiosk, the counters' calls.

The hall kiosk validates the draft with the dossier service's own rules, numbers the ticket offline,
seals the draft into the ticket's QR code for the station (kiosk.domain.ticket_qr) and hands the ticket
to the hub when it answers. A counter calls the next ticket of its groups through the hub, which gives
each ticket to one counter only; with the hub down the officer scans the ticket's QR code instead.
Either way the counter's wizard opens with the draft and the chip's verdict, and receiving the dossier
closes the ticket. Drafts never outlive their day; the audit log names tickets, never citizens.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_hall import QueueTicket
from kiosk.domain.dossier import ChipSnapshot, SnapshotError, local_received_at
from kiosk.domain.queue import (
    ACTIONS,
    TicketPrint,
    TicketStatus,
    estimated_wait_minutes,
    parse_ticket_number,
    ticket_number,
)
from kiosk.domain.roles import Permission, Principal, Role
from kiosk.domain.ticket_qr import TicketBody, TicketQrError, is_ticket_text, open_ticket, seal
from kiosk.services import audit, outbox
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound, ServiceError
from kiosk.services.identity import identity, signing_key
from kiosk.services.permissions import require, require_any
from kiosk.services.queue_hub import HubLink
from kiosk.services.sync_client import HubRefused, HubUnreachable

log = logging.getLogger(__name__)

STATION_KEY_META = "queue_station_key"


class QueueError(ServiceError):
    """A refusal with a Vietnamese sentence for the officer or the citizen (`message_vi`)."""

    code = "queue_error"

    def __init__(self, message_vi: str, message_en: str = "") -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi


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


def _ticket_row_json(row: QueueTicket) -> dict[str, Any]:
    return {"ticket": row.id, "number": row.number, "group": row.group_letter, "service_no": row.service_no,
            "status": row.status, "origin": row.origin, "day": row.day, "created_at": row.created_at,
            "called_at": row.called_at, "counter": row.counter, "calls": row.calls, "finished_at": row.finished_at,
            "tracking_code": row.tracking_code, "estimated_wait_min": row.estimated_wait_min,
            "has_draft": row.draft is not None, "hub": row.hub_state}


class QueueService:
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

    # Time and keys ----------------------------------------------------------------------------

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

    # The hall: take a ticket ------------------------------------------------------------------

    def take(self, principal: Principal, service_no: int, form: Mapping[str, Any] | None = None,
             citizen: Any = None, consent: str | None = None) -> TicketTaken:
        """Check the draft as the counter's wizard would, number the ticket, seal the draft into its QR code.

        A citizen's own card is read only after the consent sentence (`consent`: its version) was agreed to;
        the audit entry records which sentence, never the citizen."""
        require(principal, Permission.QUEUE_TAKE)
        if citizen is not None and principal.role is Role.SELFSERVICE and not consent:
            raise InvalidInput([("consent", "Cần sự đồng ý của công dân trước khi dùng dữ liệu đọc từ chip.")])
        service = self.dossiers.service(service_no)
        citizen_stored = None
        if citizen is not None:
            try:
                citizen_stored = ChipSnapshot.parse(citizen).stored()
            except SnapshotError as exc:
                raise InvalidInput([("citizen", exc.message_vi)]) from None
        if form is not None or citizen is not None:
            if form is not None and not isinstance(form, Mapping):
                raise InvalidInput([("form", "Dữ liệu tờ khai phải là một đối tượng JSON {trường: giá trị}.")])
            issues = self.dossiers.validate(principal, service.number, dict(form or {}), citizen_stored)
            errors = [i for i in issues if i.severity == "error"]
            if errors:
                raise InvalidInput([(i.field, i.message_vi) for i in errors])
        self.purge()
        if self.station_key() is None:
            self.fetch_station_key()
        held = self.station_key()
        group = self.guide.group_of(service.number)
        now = self.clock()
        local = self._local_now()
        day = local.date().isoformat()
        me = identity(self.db).kiosk_id
        signer = signing_key(self.db)  # read before the transaction: every session takes the write lock
        slot = self.dossiers.slot()
        ticket_id = str(uuid.uuid4())
        draft = None if form is None and citizen_stored is None else {"form": dict(form or {}), "citizen": citizen_stored}
        verdict = ChipSnapshot.parse(citizen_stored).verdict if citizen_stored else None
        with self.db.transaction() as session:
            nth = outbox.next_counter(session, f"queue:{day}:{group.letter}")
            try:
                number = ticket_number(group.letter, slot, nth)
            except ValueError:
                raise QueueError(f"Kiosk đã phát hết {nth - 1} số của nhóm {group.letter} hôm nay.",
                                 f"This kiosk has issued every number of group {group.letter} today.") from None
            body = TicketBody(ticket_id, number, service.number, group.letter, me, local.date(),
                              int(now.replace(tzinfo=UTC).timestamp()),
                              draft["form"] if draft else None, draft["citizen"] if draft else None)
            qr_text = seal(body, signer, held[1] if held else None)
            ahead = session.scalar(select(func.count()).select_from(QueueTicket).where(
                QueueTicket.day == day, QueueTicket.group_letter == group.letter,
                QueueTicket.status == TicketStatus.WAITING.value)) or 0
            session.add(QueueTicket(
                id=ticket_id, day=day, number=number, group_letter=group.letter, service_no=service.number,
                status=TicketStatus.WAITING.value, origin="taken", kiosk_id=me, created_at=iso_utc(now), calls=0,
                estimated_wait_min=estimated_wait_minutes(ahead, self.minutes_per_ticket, 1),
                draft=json.dumps(draft, ensure_ascii=False) if draft else None, chip_verdict=verdict,
                qr_text=qr_text, hub_state="pending", updated_at=iso_utc(now),
            ))
            audit.append(session, principal.audit_name, "queue.ticket_taken", "queue_ticket", ticket_id,
                         {"number": number, "service": service.number, "draft": draft is not None,
                          "sealed": held is not None, **({"consent": consent} if consent else {})}, self.clock)
        hub_state, wait = self._push_ticket(ticket_id)
        return TicketTaken(ticket_id, number, service.number, group.letter, day, wait[0], wait[1],
                           draft is not None and held is not None, hub_state)

    def _push_ticket(self, ticket_id: str) -> tuple[str, tuple[int, int]]:
        """Hand a ticket taken here to the hub; its answer (the line ahead, the measured times) sets the estimate."""
        with self.db.sessions() as session:
            row = session.get(QueueTicket, ticket_id)
            payload = {"ticket": row.id, "day": row.day, "number": row.number, "group": row.group_letter,
                       "service_no": row.service_no, "created_at": row.created_at, "qr_text": row.qr_text}
            local_ahead = session.scalar(select(func.count()).select_from(QueueTicket).where(
                QueueTicket.day == row.day, QueueTicket.group_letter == row.group_letter,
                QueueTicket.status == TicketStatus.WAITING.value, QueueTicket.created_at < row.created_at)) or 0
            local = (local_ahead, estimated_wait_minutes(local_ahead, self.minutes_per_ticket, 1))
        try:
            answer = self.link.ask(lambda c: c.add_ticket(payload))
        except HubUnreachable:
            return "pending", local
        except HubRefused as exc:
            log.error("the hub refused queue ticket %s: %s", ticket_id, exc.reason)
            self._set_hub_state(ticket_id, "refused")
            return "refused", local
        if answer is None:
            self._set_hub_state(ticket_id, "none")
            return "none", local
        ahead = int(answer.get("ahead") or 0)
        minutes = answer.get("minutes_per_ticket") or self.minutes_per_ticket
        wait = (ahead, estimated_wait_minutes(ahead, float(minutes), int(answer.get("counters") or 1)))
        with self.db.transaction() as session:
            row = session.get(QueueTicket, ticket_id)
            row.hub_state, row.estimated_wait_min = "sent", wait[1]
        return "sent", wait

    def _set_hub_state(self, ticket_id: str, state: str) -> None:
        with self.db.transaction() as session:
            row = session.get(QueueTicket, ticket_id)
            if row is not None:
                row.hub_state = state

    def ticket_print(self, principal: Principal, ticket_id: str) -> TicketPrint:
        """What the ticket's slip shows (the print job's document `queue_ticket`)."""
        require_any(principal, Permission.QUEUE_TAKE, Permission.QUEUE_CALL)
        sealed = self.station_key() is not None
        with self.db.sessions() as session:
            row = session.get(QueueTicket, ticket_id)
            if row is None or row.qr_text is None:
                raise NotFound(f"phiếu số thứ tự {ticket_id}")
            service = self.dossiers.service(row.service_no)
            group = self.guide.group(row.group_letter)
            created = datetime.fromisoformat(row.created_at.rstrip("Z"))
            ahead = self._ahead(session, row)
            return TicketPrint(self.unit_name, row.number, row.service_no, service.name_vi, service.name_en,
                               row.group_letter, group.name_vi, group.name_en, ahead, row.estimated_wait_min,
                               local_received_at(None, created).replace(tzinfo=None), row.qr_text,
                               row.draft is not None and sealed)

    @staticmethod
    def _ahead(session, row: QueueTicket) -> int:
        return session.scalar(select(func.count()).select_from(QueueTicket).where(
            QueueTicket.day == row.day, QueueTicket.group_letter == row.group_letter,
            QueueTicket.status == TicketStatus.WAITING.value, QueueTicket.created_at < row.created_at)) or 0

    # The counter ------------------------------------------------------------------------------

    def _groups(self, groups: Sequence[str] | None) -> list[str]:
        chosen = [g.strip().upper() for g in (groups if groups is not None else self.groups) if g.strip()]
        unknown = [g for g in chosen if g not in self.guide.guide.letters]
        if unknown:
            raise InvalidInput([("groups", f"Không có nhóm quầy {', '.join(unknown)} "
                                           f"(có: {', '.join(self.guide.guide.letters)}).")])
        return chosen

    def call(self, principal: Principal, counter: str | None = None,
             groups: Sequence[str] | None = None) -> CalledTicket | None:
        """The next ticket of this counter's groups (through the hub; this kiosk's own line when it has none)."""
        require(principal, Permission.QUEUE_CALL)
        counter = (counter or self.counter_name).strip()
        if not counter or len(counter) > 40:
            raise InvalidInput([("counter", "Tên quầy cần từ 1 đến 40 ký tự.")])
        letters = self._groups(groups)
        self.purge()
        day = self.today()
        offline = False
        try:
            if self.station_key() is None:
                self.fetch_station_key()
            answer = self.link.ask(lambda c: c.call(day, counter, letters))
        except HubUnreachable:
            answer, offline = None, True
        except HubRefused as exc:
            raise QueueError(exc.message_vi) from None
        if answer is not None:
            t = answer.get("ticket")
            if t is None:
                return None
            return self._store_called(principal, t, counter, "hub")
        with self.db.transaction() as session:
            query = select(QueueTicket).where(QueueTicket.day == day, QueueTicket.status == TicketStatus.WAITING.value)
            if letters:
                query = query.where(QueueTicket.group_letter.in_(letters))
            row = session.scalars(query.order_by(func.coalesce(QueueTicket.requeued_at, QueueTicket.created_at),
                                                 QueueTicket.number).limit(1)).first()
            if row is None:
                if offline:
                    raise QueueOffline(OFFLINE_VI, OFFLINE_EN)
                return None
            now = iso_utc(self.clock())
            row.status, row.called_at, row.counter, row.calls = TicketStatus.CALLED.value, now, counter, row.calls + 1
            row.updated_at = now
            if row.hub_state == "sent":
                row.hub_state = "pending"
            audit.append(session, principal.audit_name, "queue.called", "queue_ticket", row.id,
                         {"number": row.number, "counter": counter, "source": "local"}, self.clock)
            return self._called(row, "local")

    def _store_called(self, principal: Principal, t: Mapping[str, Any], counter: str, source: str) -> CalledTicket:
        body = None
        if t.get("qr_text"):
            try:
                body = self._open(t["qr_text"])
            except TicketQrError as exc:
                log.error("the draft of ticket %s does not open here: %s", t["ticket"], exc.reason)
        draft = {"form": body.form, "citizen": body.citizen} if body is not None and body.has_draft else None
        verdict = None
        if draft and draft["citizen"]:
            try:
                verdict = ChipSnapshot.parse(draft["citizen"]).verdict
            except SnapshotError:
                draft["citizen"] = None
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = session.get(QueueTicket, t["ticket"])
            if row is None:
                row = QueueTicket(id=t["ticket"], day=t["day"], number=t["number"], group_letter=t["group"],
                                  service_no=int(t["service_no"]), origin=source, kiosk_id=t.get("kiosk_id") or "",
                                  created_at=t.get("created_at") or now, calls=0, estimated_wait_min=0)
                session.add(row)
            row.status, row.counter, row.called_at = TicketStatus.CALLED.value, counter, t.get("called_at") or now
            row.calls = int(t.get("calls") or row.calls + 1)
            if draft is not None:
                row.draft, row.chip_verdict = json.dumps(draft, ensure_ascii=False), verdict
            row.qr_text = t.get("qr_text") or row.qr_text
            row.hub_state, row.updated_at = "sent", now
            session.flush()
            audit.append(session, principal.audit_name, "queue.called", "queue_ticket", row.id,
                         {"number": row.number, "counter": counter, "source": source, "draft": draft is not None},
                         self.clock)
            return self._called(row, source)

    @staticmethod
    def _called(row: QueueTicket, source: str) -> CalledTicket:
        draft = json.loads(row.draft) if row.draft else {}
        return CalledTicket(row.id, row.number, row.service_no, row.group_letter, row.counter or "", row.calls, source,
                            draft.get("form"), draft.get("citizen"), row.chip_verdict)

    def scan(self, principal: Principal, text: str, counter: str | None = None) -> CalledTicket:
        """A ticket's QR code read at the counter (the hub down, or the citizen walked up): open and serve it."""
        require(principal, Permission.QUEUE_CALL)
        counter = (counter or self.counter_name).strip()
        try:
            body = self._open(text)
        except TicketQrError as exc:
            raise InvalidInput([("qr", exc.message_vi)]) from None
        today = self.today()
        if body.day.isoformat() != today:
            raise InvalidInput([("qr", f"Phiếu này của ngày {body.day:%d/%m/%Y}; phiếu chỉ dùng trong ngày lấy số.")])
        with self.db.sessions() as session:
            row = session.get(QueueTicket, body.ticket_id)
            if row is not None and not TicketStatus(row.status).open:
                raise QueueError(f"Phiếu {row.number} đã được xử lý ({row.status}).",
                                 f"Ticket {row.number} was already handled ({row.status}).")
        try:
            answer = self.link.ask(lambda c: c.act(body.ticket_id, "claim", counter))
            state = "sent" if answer is not None else "none"
        except HubUnreachable:
            state = "pending"
        except HubRefused as exc:
            if exc.reason == "unknown_ticket":
                state = "pending"  # the hall kiosk has not handed it to the hub yet
            else:
                raise QueueError(exc.message_vi) from None
        t = {"ticket": body.ticket_id, "day": today, "number": body.number, "group": body.group,
             "service_no": body.service_no, "kiosk_id": body.kiosk_id, "qr_text": text.strip(), "calls": 1}
        called = self._store_called(principal, t, counter, "qr")
        if state != "sent":
            self._set_hub_state(body.ticket_id, state)
        return called

    def act(self, principal: Principal, ticket_id: str, action: str) -> dict[str, Any]:
        """Recall (the hall display shows it again), skip (back to the end of the line) or absent (closed)."""
        require(principal, Permission.QUEUE_CALL)
        if action not in ("recall", "skip", "absent"):
            raise InvalidInput([("action", "Thao tác phải là recall, skip hoặc absent.")])
        return self._finish(principal, ticket_id, action)

    def _finish(self, principal: Principal, ticket_id: str, action: str, tracking_code: str | None = None
                ) -> dict[str, Any]:
        allowed, target = ACTIONS[action]
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = session.get(QueueTicket, ticket_id)
            if row is None:
                raise NotFound(f"phiếu số thứ tự {ticket_id}")
            if TicketStatus(row.status) not in allowed:
                raise QueueError(f"Phiếu {row.number} đang ở trạng thái '{row.status}', không {action} được.",
                                 f"Ticket {row.number} is '{row.status}': cannot {action}.")
            row.status, row.updated_at = target.value, now
            if action == "recall":
                row.calls += 1
                row.called_at = now
            elif action == "skip":
                row.requeued_at, row.counter = now, None
            else:
                row.finished_at, row.draft, row.qr_text = now, None, None
                row.tracking_code = tracking_code
            row.hub_state = "pending" if row.hub_state != "none" else "none"
            counter = row.counter or self.counter_name
            audit.append(session, principal.audit_name, f"queue.{action}", "queue_ticket", row.id,
                         {"number": row.number, "counter": counter,
                          **({"tracking_code": tracking_code} if tracking_code else {})}, self.clock)
        self._push_act(ticket_id, action, counter, tracking_code)
        with self.db.sessions() as session:
            return _ticket_row_json(session.get(QueueTicket, ticket_id))

    def _push_act(self, ticket_id: str, action: str, counter: str, tracking_code: str | None = None) -> bool:
        try:
            answer = self.link.ask(lambda c: c.act(ticket_id, action, counter, tracking_code))
        except HubUnreachable:
            return False
        except HubRefused as exc:
            if exc.reason == "unknown_ticket":
                return False  # sent again once the hall kiosk has handed the ticket over
            log.warning("the hub refused %s of ticket %s: %s", action, ticket_id, exc.reason)
            answer = {}
        self._set_hub_state(ticket_id, "sent" if answer is not None else "none")
        return True

    def mark_received(self, principal: Principal, ticket_id: str, tracking_code: str) -> dict[str, Any]:
        """The counter's wizard turned the ticket's draft into dossier `tracking_code`."""
        require(principal, Permission.QUEUE_CALL)
        return self._finish(principal, ticket_id, "received", tracking_code)

    def find(self, principal: Principal, ref: str) -> dict[str, Any]:
        """A ticket of this kiosk by id or by today's number."""
        require_any(principal, Permission.QUEUE_CALL, Permission.QUEUE_TAKE)
        with self.db.sessions() as session:
            row = self._row(session, ref)
            return _ticket_row_json(row) | {"draft": json.loads(row.draft) if row.draft else None}

    def _row(self, session, ref: str) -> QueueTicket:
        ref = ref.strip()
        row = None
        try:
            row = session.get(QueueTicket, str(uuid.UUID(ref)))
        except ValueError:
            if parse_ticket_number(ref):
                row = session.scalars(select(QueueTicket).where(
                    QueueTicket.day == self.today(), QueueTicket.number == ref.upper())).first()
        if row is None:
            raise NotFound(f"phiếu số thứ tự {ref}")
        return row

    def receive(self, principal: Principal, ref: str, attachments: Sequence[Any] = (),
                counter: str | None = None) -> tuple[Any, dict[str, Any]]:
        """Turn a called ticket's draft into a dossier, as the counter's wizard does; `ref` is the ticket's id,
        today's number, or the QR text of the ticket itself (read when the hub is down)."""
        require(principal, Permission.DOSSIER_CREATE)
        require(principal, Permission.QUEUE_CALL)
        if is_ticket_text(ref):
            ticket_id = self.scan(principal, ref, counter).ticket_id
        else:
            with self.db.sessions() as session:
                ticket_id = self._row(session, ref).id
        with self.db.sessions() as session:
            row = session.get(QueueTicket, ticket_id)
            if not TicketStatus(row.status).open:
                raise QueueError(f"Phiếu {row.number} đã được xử lý ({row.status}).",
                                 f"Ticket {row.number} was already handled ({row.status}).")
            draft = json.loads(row.draft) if row.draft else {}
            service_no = row.service_no
        submitted = self.dossiers.submit(principal, service_no, draft.get("citizen"), {}, draft.get("form") or {},
                                         attachments)
        ticket = self.mark_received(principal, ticket_id, submitted.tracking_code)
        return submitted, ticket

    # Lists, the day's end, the hub's backlog ---------------------------------------------------

    def summary(self, principal: Principal) -> dict[str, Any]:
        """Waiting tickets per group and the numbers called now: the hub's view, else this kiosk's own."""
        require_any(principal, Permission.QUEUE_CALL, Permission.QUEUE_TAKE)
        self.purge()
        day = self.today()
        try:
            answer = self.link.ask(lambda c: c.summary(day))
            source = "hub" if answer is not None else "local"
        except (HubUnreachable, HubRefused):
            answer, source = None, "offline"
        if answer is not None:
            return {"day": day, "source": source, "groups": answer["groups"], "calls": answer["calls"]}
        groups: dict[str, dict[str, Any]] = {}
        calls = []
        with self.db.sessions() as session:
            for row in session.scalars(select(QueueTicket).where(QueueTicket.day == day)):
                g = groups.setdefault(row.group_letter, {"waiting": 0, "called": 0, "oldest": None,
                                                         "minutes_per_ticket": None, "counters": 0})
                if row.status == TicketStatus.WAITING.value:
                    g["waiting"] += 1
                    since = row.requeued_at or row.created_at
                    g["oldest"] = since if g["oldest"] is None or since < g["oldest"] else g["oldest"]
                elif row.status == TicketStatus.CALLED.value:
                    g["called"] += 1
                    calls.append({"ticket": row.id, "number": row.number, "counter": row.counter,
                                  "group": row.group_letter, "called_at": row.called_at, "calls": row.calls})
        return {"day": day, "source": source, "groups": groups, "calls": calls}

    def list(self, principal: Principal, day: str | None = None) -> dict[str, Any]:
        require_any(principal, Permission.QUEUE_CALL, Permission.QUEUE_TAKE)
        summary = self.summary(principal)
        day = day or summary["day"]
        with self.db.sessions() as session:
            rows = session.scalars(select(QueueTicket).where(QueueTicket.day == day)
                                   .order_by(QueueTicket.created_at, QueueTicket.number))
            return {"day": day, "source": summary["source"], "groups": summary["groups"],
                    "tickets": [_ticket_row_json(r) for r in rows]}

    def purge(self) -> int:
        """Tickets of earlier days: open ones expire and every draft and sealed code of them is deleted."""
        return purge_drafts(self.db, self.today(), self.clock)

    def after_sync(self) -> None:
        """After a successful sync: the hub answers again, so fetch the station's key and send what waited."""
        self.link.resume()
        self.fetch_station_key()
        self.purge()
        self.flush()

    def flush(self) -> int:
        """Tell the hub what it has not heard yet (tickets taken, called, received while it was away)."""
        with self.db.sessions() as session:
            pending = [(r.id, r.origin, r.status, r.counter, r.tracking_code) for r in session.scalars(
                select(QueueTicket).where(QueueTicket.hub_state == "pending", QueueTicket.day == self.today())
                .order_by(QueueTicket.created_at))]
        done = 0
        for ticket_id, origin, status, counter, code in pending:
            try:
                if origin == "taken":
                    state, _wait = self._push_ticket(ticket_id)
                    if state != "sent":
                        if state == "pending":
                            return done
                        continue
                    if status == TicketStatus.WAITING.value:
                        done += 1
                        continue
                    self._set_hub_state(ticket_id, "pending")
                actions = {TicketStatus.CALLED.value: ["claim"], TicketStatus.RECEIVED.value: ["claim", "received"],
                           TicketStatus.ABSENT.value: ["absent"]}.get(status, [])
                sent = True
                for action in actions:
                    sent = self._push_act(ticket_id, action, counter or self.counter_name,
                                          code if action == "received" else None)
                    if not sent:
                        break
                done += sent
            except HubUnreachable:
                return done
        return done


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
