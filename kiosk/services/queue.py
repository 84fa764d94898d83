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
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from kiosk.db.models_hall import QueueTicket
from kiosk.domain.dossier import ChipSnapshot, SnapshotError, local_received_at
from kiosk.domain.queue import (
    TicketPrint,
    TicketStatus,
    estimated_wait_minutes,
    ticket_number,
)
from kiosk.domain.roles import Permission, Principal, Role
from kiosk.domain.ticket_qr import TicketBody, seal
from kiosk.services import audit, outbox
from kiosk.services.clock import iso_utc
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.identity import identity, signing_key
from kiosk.services.permissions import require, require_any
from kiosk.services.queue_counter import CounterDesk
from kiosk.services.queue_desk import QueueError, TicketTaken, ticket_row_json
from kiosk.services.sync_client import HubRefused, HubUnreachable

log = logging.getLogger(__name__)


class QueueService(CounterDesk):
    """The queue of a station: the hall's tickets, the counter's calls, the day's lists and the hub's backlog."""

    def take(self, principal: Principal, service_no: int, form: Mapping[str, Any] | None = None,
             citizen: Any = None, consent: str | None = None) -> TicketTaken:
        """Check the draft as the counter's wizard would, number the ticket, seal the draft into its QR code.

        A citizen's own card is read only after the consent sentence (`consent`: its version) was agreed to;
        the audit entry records which sentence, never the citizen."""
        require(principal, Permission.QUEUE_TAKE)
        service = self.dossiers.service(service_no)
        citizen_stored = self._check_draft(principal, service.number, form, citizen, consent)
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

    def _check_draft(self, principal: Principal, service_no: int, form: Mapping[str, Any] | None, citizen: Any,
                     consent: str | None) -> dict[str, Any] | None:
        """Refuse a draft the counter's wizard would refuse; returns the chip's values as a dossier keeps them."""
        if citizen is not None and principal.role is Role.SELFSERVICE and not consent:
            raise InvalidInput([("consent", "Cần sự đồng ý của công dân trước khi dùng dữ liệu đọc từ chip.",
                                 "The citizen must agree before the data read from the chip is used.")])
        citizen_stored = None
        if citizen is not None:
            try:
                citizen_stored = ChipSnapshot.parse(citizen).stored()
            except SnapshotError as exc:
                raise InvalidInput([("citizen", exc.message_vi,
                                     "This is not the result of reading a chip.")]) from None
        if form is not None or citizen is not None:
            if form is not None and not isinstance(form, Mapping):
                raise InvalidInput([("form", "Dữ liệu tờ khai phải là một đối tượng JSON {trường: giá trị}.",
                                     "The form data must be a JSON object of {field: value}.")])
            issues = self.dossiers.validate(principal, service_no, dict(form or {}), citizen_stored)
            errors = [i for i in issues if i.severity == "error"]
            if errors:
                raise InvalidInput(errors)
        return citizen_stored

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
                    "tickets": [ticket_row_json(r) for r in rows]}

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
