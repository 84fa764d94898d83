"""The station's queue on the hub: tickets from the hall kiosks, calls from the counters, the hall board,
the station's queue key, and the monthly rating report.

Every kiosk request is signed (the hub's `authenticate`), and a kiosk sees only its own station. The
board (numbers called and their counters, no personal data) is public, as on the hall's screen. A
counter's call takes the oldest waiting ticket of its groups under a row lock, so two counters never
call the same citizen. Drafts of tickets not called by the end of their day are deleted.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kiosk.domain.queue import ACTIONS, TicketStatus, parse_ticket_number, summarise_ratings
from kiosk.domain.ticket_qr import station_key_id
from kiosk.hub.core import Hub, HubError
from kiosk.hub.models import HubKiosk, InboxOp
from kiosk.hub.models_hall import HubQueueKey, HubQueueTicket
from kiosk.hub.shared import _audit, _iso
from kiosk.wire.ops import OpKind
from kiosk.wire.queue import QUEUE_API, RATINGS_API, wrap_station_key

BOARD_SIZE = 8
#: The handling times that estimate a group's wait: its last tickets received or closed today.
AVERAGE_OVER = 20
_COUNTER_RE = re.compile(r"[^\x00-\x1f]{1,40}")
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _bad(message_vi: str, message_en: str, **extra: Any) -> HubError:
    return HubError(400, "bad_request", message_vi, message_en, **extra)


def _day(value: Any) -> str:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise _bad("Ngày không hợp lệ.", "Invalid day.") from None


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise _bad("Yêu cầu không phải JSON hợp lệ.", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise _bad("Yêu cầu phải là một đối tượng JSON.", "The body must be a JSON object.")
    return data


def _parse_ticket(body: bytes) -> tuple[str, str, str, str, int, str, str | None]:
    data = _json(body)
    try:
        ticket_id = str(uuid.UUID(str(data["ticket"])))
        day = _day(data["day"])
        number, group = str(data["number"]), str(data["group"])
        service_no = int(data["service_no"])
        created_at = str(data["created_at"])[:32]
        qr_text = data.get("qr_text")
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad("Phiếu số thứ tự không hợp lệ.", f"Malformed ticket: {exc}") from None
    parsed = parse_ticket_number(number)
    if parsed is None or parsed[0] != group or not 1 <= service_no <= 99:
        raise _bad("Số thứ tự hoặc nhóm quầy không hợp lệ.", "Invalid ticket number or group.")
    if qr_text is not None and (not isinstance(qr_text, str) or len(qr_text) > 5000):
        raise _bad("Mã QR của phiếu không hợp lệ.", "Invalid ticket QR text.")
    return ticket_id, day, number, group, service_no, created_at, qr_text


def _ticket_json(t: HubQueueTicket, with_qr: bool = False) -> dict[str, Any]:
    out = {"ticket": t.ticket_id, "number": t.number, "group": t.group_letter, "service_no": t.service_no,
           "status": t.status, "day": t.day, "kiosk_id": t.kiosk_id, "created_at": t.created_at,
           "called_at": t.called_at, "counter": t.counter, "calls": t.calls, "finished_at": t.finished_at,
           "tracking_code": t.tracking_code}
    if with_qr:
        out["qr_text"] = t.qr_text
    return out


def _minutes(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if not start or not end:
        return None
    try:
        a = datetime.fromisoformat(start.replace("Z", ""))
        b = datetime.fromisoformat(end.replace("Z", ""))
    except ValueError:
        return None
    return max(0.0, (b - a).total_seconds() / 60)


@dataclass
class HubQueue:
    hub: Hub

    @property
    def db(self):
        return self.hub.db

    def _now(self) -> str:
        return _iso(self.hub.clock())

    def _purge(self, s: Session, station: str, day: str) -> None:
        """Tickets of earlier days: open ones expire; every draft of them is deleted."""
        s.execute(update(HubQueueTicket).where(
            HubQueueTicket.station == station, HubQueueTicket.day < day,
            HubQueueTicket.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]),
        ).values(status=TicketStatus.EXPIRED.value, updated_at=self._now()))
        s.execute(update(HubQueueTicket).where(
            HubQueueTicket.station == station, HubQueueTicket.day < day, HubQueueTicket.qr_text.is_not(None),
        ).values(qr_text=None))

    def station_key(self, method: str, path: str, body: bytes, headers: Any) -> dict[str, Any]:
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            epk = _json(body).get("epk")
            if not isinstance(epk, str) or not 40 <= len(epk) <= 50:
                raise _bad("Thiếu khóa công khai tạm thời (epk).", "A 32-byte X25519 public key (epk) is needed.")
            row = s.get(HubQueueKey, kiosk.station, with_for_update=True)
            if row is None:
                key = secrets.token_bytes(32)
                row = HubQueueKey(station=kiosk.station, kid=station_key_id(key).hex(), key=key.hex(),
                                  created_at=self._now())
                s.add(row)
                _audit(s, self.hub.clock(), "hub", "queue.key_created", kiosk.station, {"kid": row.kid})
            _audit(s, self.hub.clock(), f"kiosk:{kiosk.kiosk_id}", "queue.key_given", kiosk.station, {"kid": row.kid})
            try:
                return wrap_station_key(bytes.fromhex(row.key), row.kid, kiosk.kiosk_id, epk)
            except ValueError:
                raise _bad("Khóa công khai tạm thời không hợp lệ.", "Invalid X25519 public key.") from None

    def add_ticket(self, method: str, path: str, body: bytes, headers: Any) -> dict[str, Any]:
        """A hall kiosk's ticket (sent again after a lost answer: the same ticket is answered again)."""
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            ticket_id, day, number, group, service_no, created_at, qr_text = _parse_ticket(body)
            self._purge(s, kiosk.station, day)
            row = s.get(HubQueueTicket, ticket_id)
            if row is not None:
                if row.station != kiosk.station or row.number != number:
                    raise HubError(409, "ticket_conflict", "Mã phiếu đã được dùng cho phiếu khác.",
                                   "This ticket id already names another ticket.")
                return self._line_answer(s, row)
            clash = s.scalar(select(HubQueueTicket.ticket_id).where(
                HubQueueTicket.station == kiosk.station, HubQueueTicket.day == day, HubQueueTicket.number == number))
            if clash is not None:
                raise HubError(409, "number_taken", f"Số {number} đã được cấp hôm nay ở kiosk khác của trạm.",
                               f"Number {number} was already issued today at another kiosk of the station.")
            now = self._now()
            row = HubQueueTicket(
                ticket_id=ticket_id, station=kiosk.station, kiosk_id=kiosk.kiosk_id, day=day, number=number,
                group_letter=group, service_no=service_no, status=TicketStatus.WAITING.value, created_at=created_at,
                received_at=now, calls=0, qr_text=qr_text, updated_at=now,
            )
            s.add(row)
            s.flush()
            _audit(s, self.hub.clock(), f"kiosk:{kiosk.kiosk_id}", "queue.ticket", ticket_id,
                   {"number": number, "service": service_no})
            return self._line_answer(s, row)

    def _line_answer(self, s: Session, row: HubQueueTicket) -> dict[str, Any]:
        groups = self._groups(s, row.station, row.day)
        g = groups.get(row.group_letter, {})
        order = func.coalesce(HubQueueTicket.requeued_at, HubQueueTicket.created_at)
        mine = row.requeued_at or row.created_at
        ahead = s.scalar(select(func.count()).select_from(HubQueueTicket).where(
            HubQueueTicket.station == row.station, HubQueueTicket.day == row.day,
            HubQueueTicket.group_letter == row.group_letter, HubQueueTicket.status == TicketStatus.WAITING.value,
            order < mine)) or 0
        return _ticket_json(row) | {"ahead": ahead, "minutes_per_ticket": g.get("minutes_per_ticket"),
                                    "counters": g.get("counters", 0)}

    def _groups(self, s: Session, station: str, day: str) -> dict[str, dict[str, Any]]:
        """Per group: tickets waiting, the oldest one's time, the average handling time and the counters serving it."""
        rows = s.execute(select(
            HubQueueTicket.group_letter, HubQueueTicket.status, HubQueueTicket.created_at, HubQueueTicket.requeued_at,
            HubQueueTicket.called_at, HubQueueTicket.finished_at, HubQueueTicket.counter,
        ).where(HubQueueTicket.station == station, HubQueueTicket.day == day)).all()
        out: dict[str, dict[str, Any]] = {}
        spans: dict[str, list[tuple[str, float]]] = {}
        counters: dict[str, set[str]] = {}
        for letter, status, created, requeued, called, finished, counter in rows:
            g = out.setdefault(letter, {"waiting": 0, "called": 0, "oldest": None})
            if status == TicketStatus.WAITING.value:
                g["waiting"] += 1
                since = requeued or created
                g["oldest"] = since if g["oldest"] is None or since < g["oldest"] else g["oldest"]
            elif status == TicketStatus.CALLED.value:
                g["called"] += 1
            if counter:
                counters.setdefault(letter, set()).add(counter)
            span = _minutes(called, finished) if status == TicketStatus.RECEIVED.value else None
            if span is not None and finished:
                spans.setdefault(letter, []).append((finished, span))
        for letter, g in out.items():
            recent = [m for _f, m in sorted(spans.get(letter, []))[-AVERAGE_OVER:]]
            g["minutes_per_ticket"] = round(sum(recent) / len(recent), 1) if recent else None
            g["counters"] = len(counters.get(letter, ()))
        return out

    def summary(self, method: str, path: str, body: bytes, headers: Any, day: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            day = _day(day)
            self._purge(s, kiosk.station, day)
            return {"day": day, "groups": self._groups(s, kiosk.station, day),
                    "calls": self._board_rows(s, kiosk.station, day)}

    def call(self, method: str, path: str, body: bytes, headers: Any) -> dict[str, Any]:
        """The next waiting ticket of the counter's groups, now called to that counter (or none)."""
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            data = _json(body)
            day = _day(data.get("day"))
            counter = str(data.get("counter") or "")
            letters = data.get("groups") or []
            if not _COUNTER_RE.fullmatch(counter):
                raise _bad("Cần tên quầy (tối đa 40 ký tự).", "A counter name (at most 40 characters) is needed.")
            if not isinstance(letters, list) or not all(isinstance(x, str) and re.fullmatch(r"[A-Z]", x)
                                                        for x in letters):
                raise _bad("Nhóm quầy phải là các chữ cái in hoa.", "Groups are capital letters.")
            self._purge(s, kiosk.station, day)
            query = select(HubQueueTicket).where(
                HubQueueTicket.station == kiosk.station, HubQueueTicket.day == day,
                HubQueueTicket.status == TicketStatus.WAITING.value)
            if letters:
                query = query.where(HubQueueTicket.group_letter.in_(letters))
            order = func.coalesce(HubQueueTicket.requeued_at, HubQueueTicket.created_at)
            row = s.scalars(query.order_by(order, HubQueueTicket.number).limit(1)
                            .with_for_update(skip_locked=True)).first()
            if row is None:
                return {"ticket": None}
            now = self._now()
            row.status, row.called_at, row.called_by, row.counter = TicketStatus.CALLED.value, now, kiosk.kiosk_id, counter
            row.calls += 1
            row.updated_at = now
            _audit(s, self.hub.clock(), f"kiosk:{kiosk.kiosk_id}", "queue.called", row.ticket_id,
                   {"number": row.number, "counter": counter})
            return {"ticket": _ticket_json(row, with_qr=True)}

    def act(self, method: str, path: str, body: bytes, headers: Any, ticket_id: str) -> dict[str, Any]:
        """recall / skip / absent / received, or `claim` (a counter read the ticket's QR and serves it now)."""
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            data = _json(body)
            action = str(data.get("action") or "")
            counter = str(data.get("counter") or "")
            code = data.get("tracking_code")
            if action not in (*ACTIONS, "claim"):
                raise _bad(f"Thao tác '{action}' không có.", f"Unknown action '{action}'.")
            if action in ("claim", "recall") and not _COUNTER_RE.fullmatch(counter):
                raise _bad("Cần tên quầy.", "A counter name is needed.")
            if code is not None and (not isinstance(code, str) or not 0 < len(code) <= 40):
                raise _bad("Mã hồ sơ không hợp lệ.", "Invalid tracking code.")
            row = s.get(HubQueueTicket, ticket_id, with_for_update=True)
            if row is None or row.station != kiosk.station:
                raise HubError(404, "unknown_ticket", "Máy chủ không có phiếu này.", "The hub has no such ticket.")
            status = TicketStatus(row.status)
            now = self._now()
            if action == "claim":
                if status is TicketStatus.WAITING:
                    row.status, row.called_at, row.called_by = TicketStatus.CALLED.value, now, kiosk.kiosk_id
                    row.counter, row.calls, row.updated_at = counter, row.calls + 1, now
                elif status is not TicketStatus.CALLED or row.called_by != kiosk.kiosk_id:
                    raise HubError(409, "ticket_taken", f"Phiếu {row.number} đã được quầy {row.counter or '—'} xử lý.",
                                   f"Ticket {row.number} was already handled by counter {row.counter or '—'}.",
                                   ticket=_ticket_json(row))
            else:
                allowed, target = ACTIONS[action]
                if status not in allowed:
                    if status is target and action != "recall":
                        return {"ticket": _ticket_json(row)}  # the same act sent again
                    raise HubError(409, "bad_ticket_state", f"Phiếu {row.number} đang ở trạng thái '{status.value}'.",
                                   f"Ticket {row.number} is '{status.value}'.", ticket=_ticket_json(row))
                row.status, row.updated_at = target.value, now
                if action == "recall":
                    row.calls += 1
                    row.called_at = now
                    row.counter = counter or row.counter
                elif action == "skip":
                    row.requeued_at, row.counter, row.called_by = now, None, None
                else:
                    row.finished_at = now
                    row.qr_text = None  # the draft has done its work or the citizen left
                    if action == "received":
                        row.tracking_code = code
            _audit(s, self.hub.clock(), f"kiosk:{kiosk.kiosk_id}", f"queue.{action}", row.ticket_id,
                   {"number": row.number, "counter": counter or row.counter})
            return {"ticket": _ticket_json(row)}

    def _board_rows(self, s: Session, station: str, day: str) -> list[dict[str, Any]]:
        rows = s.scalars(select(HubQueueTicket).where(
            HubQueueTicket.station == station, HubQueueTicket.day == day,
            HubQueueTicket.status == TicketStatus.CALLED.value,
        ).order_by(HubQueueTicket.called_at.desc()).limit(BOARD_SIZE)).all()
        return [{"ticket": r.ticket_id, "number": r.number, "counter": r.counter, "group": r.group_letter,
                 "called_at": r.called_at, "calls": r.calls} for r in rows]

    def board(self, station: str, day: str) -> dict[str, Any]:
        """Numbers called now and their counters, and tickets waiting per group: what the hall's screen shows."""
        day = _day(day)
        if not station or len(station) > 64:
            raise _bad("Cần mã trạm.", "A station id is needed.")
        with self.db.sessions() as s:
            waiting = dict(s.execute(select(HubQueueTicket.group_letter, func.count()).where(
                HubQueueTicket.station == station, HubQueueTicket.day == day,
                HubQueueTicket.status == TicketStatus.WAITING.value).group_by(HubQueueTicket.group_letter)).all())
            return {"station": station, "day": day, "calls": self._board_rows(s, station, day), "waiting": waiting}

    def rating_report(self, method: str, path: str, body: bytes, headers: Any, month: str) -> dict[str, Any]:
        with self.db.transaction() as s:
            kiosk = self.hub.authenticate(s, method, path, body, headers)
            if not _MONTH_RE.fullmatch(month or ""):
                raise _bad("Tháng phải có dạng YYYY-MM.", "The month is YYYY-MM.")
            return {"station": kiosk.station, **station_ratings(s, kiosk.station, month)}


def station_ratings(s: Session, station: str, month: str) -> dict[str, Any]:
    """The station's ratings of one month from the ops its kiosks pushed (the first rating of a dossier counts)."""
    kiosks = select(HubKiosk.kiosk_id).where(HubKiosk.station == station)
    rows = s.execute(select(InboxOp.kiosk_id, InboxOp.seq, InboxOp.payload).where(
        InboxOp.kind == OpKind.RATING_ADDED, InboxOp.kiosk_id.in_(kiosks)
    ).order_by(InboxOp.received_at, InboxOp.seq)).all()
    ratings = []
    seen: set[str] = set()
    for _kiosk, _seq, payload in rows:
        try:
            data = json.loads(payload)
            code, level, when = str(data["tracking_code"]), int(data["level"]), str(data["month"])
        except (ValueError, KeyError, TypeError):
            continue
        if when != month or code in seen or level not in (1, 2, 3):
            continue
        seen.add(code)
        ratings.append({"tracking_code": code, "level": level, "service_no": data.get("service_no"),
                        "reason": str(data.get("reason") or "")})
    return summarise_ratings(month, ratings)


def queue_routes(hub: Hub) -> list:
    """The Starlette routes of the queue and the ratings, added to the hub's application."""
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from kiosk.hub.guard import guarded_body, signed_path

    queue = HubQueue(hub)

    def endpoint(handler, *params: str):
        async def run(request: Request) -> JSONResponse:
            body = await guarded_body(request)
            extra = [request.path_params.get(p) or request.query_params.get(p, "") for p in params]
            return JSONResponse(await run_in_threadpool(handler, request.method, signed_path(request), body,
                                                        request.headers, *extra))
        return run

    async def board(request: Request) -> JSONResponse:
        q = request.query_params
        return JSONResponse(await run_in_threadpool(queue.board, q.get("station", ""), q.get("day", "")))

    return [
        Route(f"{QUEUE_API}/key", endpoint(queue.station_key), methods=["POST"]),
        Route(f"{QUEUE_API}/tickets", endpoint(queue.add_ticket), methods=["POST"]),
        Route(f"{QUEUE_API}/tickets/{{ticket_id}}", endpoint(queue.act, "ticket_id"), methods=["POST"]),
        Route(f"{QUEUE_API}/summary", endpoint(queue.summary, "day"), methods=["GET"]),
        Route(f"{QUEUE_API}/call", endpoint(queue.call), methods=["POST"]),
        Route(f"{QUEUE_API}/board", board, methods=["GET"]),
        Route(f"{RATINGS_API}/report", endpoint(queue.rating_report, "month"), methods=["GET"]),
    ]
