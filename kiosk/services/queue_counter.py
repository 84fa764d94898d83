"""The counter's side of the queue: call the next ticket (through the hub, or by scanning its QR code with the hub
down), recall, skip, mark absent, and receive the dossier of a called ticket."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select

from kiosk.db.models_hall import QueueTicket
from kiosk.domain.dossier import ChipSnapshot, SnapshotError
from kiosk.domain.queue import (
    ACTIONS,
    TicketStatus,
    parse_ticket_number,
)
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.ticket_qr import TicketQrError, is_ticket_text
from kiosk.services import audit
from kiosk.services.clock import iso_utc
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.permissions import require, require_any
from kiosk.services.queue_desk import (
    OFFLINE_EN,
    OFFLINE_VI,
    CalledTicket,
    QueueDesk,
    QueueError,
    QueueOffline,
    ticket_row_json,
)
from kiosk.services.sync_client import HubRefused, HubUnreachable

log = logging.getLogger(__name__)


class CounterDesk(QueueDesk):
    """The counter's use cases of `QueueService`."""

    def _groups(self, groups: Sequence[str] | None) -> list[str]:
        chosen = [g.strip().upper() for g in (groups if groups is not None else self.groups) if g.strip()]
        unknown = [g for g in chosen if g not in self.guide.guide.letters]
        if unknown:
            letters = ", ".join(self.guide.guide.letters)
            raise InvalidInput([("groups", f"Không có nhóm quầy {', '.join(unknown)} (có: {letters}).",
                                 f"There is no counter group {', '.join(unknown)} (there are: {letters}).")])
        return chosen

    def call(self, principal: Principal, counter: str | None = None,
             groups: Sequence[str] | None = None) -> CalledTicket | None:
        """The next ticket of this counter's groups (through the hub; this kiosk's own line when it has none)."""
        require(principal, Permission.QUEUE_CALL)
        counter = (counter or self.counter_name).strip()
        if not counter or len(counter) > 40:
            raise InvalidInput([("counter", "Tên quầy cần từ 1 đến 40 ký tự.",
                                 "A counter's name needs 1 to 40 characters.")])
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
            raise QueueError(exc.message_vi, f"The station's server refused the call ({exc.reason}).") from None
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
            raise InvalidInput([("qr", exc.message_vi, exc.message_en)]) from None
        today = self.today()
        if body.day.isoformat() != today:
            raise InvalidInput([("qr", f"Phiếu này của ngày {body.day:%d/%m/%Y}; phiếu chỉ dùng trong ngày lấy số.",
                                 f"This ticket is from {body.day:%d/%m/%Y}; a ticket is valid only on the day "
                                 "it was taken.")])
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
                raise QueueError(exc.message_vi,
                                 f"The station's server refused to give this ticket ({exc.reason}).") from None
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
            raise InvalidInput([("action", "Thao tác phải là recall, skip hoặc absent.",
                                 "The action must be recall, skip or absent.")])
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
            return ticket_row_json(session.get(QueueTicket, ticket_id))

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
            return ticket_row_json(row) | {"draft": json.loads(row.draft) if row.draft else None}

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
