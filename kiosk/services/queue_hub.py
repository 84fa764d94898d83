"""The kiosk's side of the hub's queue and rating endpoints: signed requests, like the sync's.

A citizen or an officer is waiting on each of these calls, so the timeout is short and, after the hub
failed to answer, the next calls answer locally for a while instead of waiting again.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote

import httpx

from kiosk.db.engine import Database
from kiosk.db.models_sync import SyncState
from kiosk.services.sync_client import HubAnswerForged, HubClient, HubUnreachable
from kiosk.wire.queue import QUEUE_API, RATINGS_API


class QueueHubClient(HubClient):
    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        return self._send(self._signed("POST", path, body))

    def station_key(self, epk: str) -> dict[str, Any]:
        return self._post(f"{QUEUE_API}/key", {"epk": epk})

    def add_ticket(self, ticket: dict[str, Any]) -> dict[str, Any]:
        return self._post(f"{QUEUE_API}/tickets", ticket)

    def summary(self, day: str) -> dict[str, Any]:
        return self._send(self._signed("GET", f"{QUEUE_API}/summary", params={"day": day}))

    def call(self, day: str, counter: str, groups: list[str]) -> dict[str, Any]:
        return self._post(f"{QUEUE_API}/call", {"day": day, "counter": counter, "groups": groups})

    def act(self, ticket_id: str, action: str, counter: str = "", tracking_code: str | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {"action": action, "counter": counter}
        if tracking_code is not None:
            payload["tracking_code"] = tracking_code
        return self._post(f"{QUEUE_API}/tickets/{quote(ticket_id, safe='')}", payload)

    def rating_report(self, month: str) -> dict[str, Any]:
        return self._send(self._signed("GET", f"{RATINGS_API}/report", params={"month": month}))


class HubLink:
    """Opens a queue client when this kiosk is enrolled and its sync is not halted; pauses after a failure."""

    def __init__(self, db: Database, sync: Any, transport: httpx.BaseTransport | None = None,
                 timeout_s: float = 3.0, pause_s: float = 30.0) -> None:
        self.db = db
        self.sync = sync
        self.transport = transport if transport is not None else getattr(sync, "transport", None)
        self.timeout_s = timeout_s
        self.pause_s = pause_s
        self._paused_until = 0.0

    def client(self) -> QueueHubClient | None:
        """None when there is no hub to ask (not enrolled, halted); raises HubUnreachable while paused."""
        if self.sync is None:
            return None
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st is None or st.enrolled_at is None or not st.hub_url or st.halted:
                return None
            url, offset = st.hub_url, st.clock_offset_s
        if time.monotonic() < self._paused_until:
            raise HubUnreachable("not asked: the hub did not answer a moment ago")
        # The pinned hub key checks every answer, the station CA the certificate (kiosk.services.sync).
        return self.sync.hub_client(url, offset, self.timeout_s, QueueHubClient, self.transport)

    def failed(self) -> None:
        self._paused_until = time.monotonic() + self.pause_s

    def resume(self) -> None:
        self._paused_until = 0.0

    def ask(self, request):
        """Run `request(client)`; None when there is no hub; HubUnreachable (and a pause) when it does not answer."""
        client = self.client()
        if client is None:
            return None
        try:
            return request(client)
        except HubAnswerForged as exc:  # changed on the way or not the hub's: sync stops with the alarm
            self.sync.answer_forged(exc, "queue")
            raise
        except HubUnreachable:
            self.failed()
            raise
        finally:
            client.close()
