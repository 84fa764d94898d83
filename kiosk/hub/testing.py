"""Test and drill helpers: an unreliable network in front of a real hub (drops, duplicates, delays)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Iterator

import httpx

FAULTS = ("ok", "drop_request", "drop_response", "duplicate", "hold", "release")


class Network(httpx.BaseTransport):
    """Real HTTP to the hub, with faults: each request takes the next fault from a plan, else draws one.

    - drop_request: the hub never sees it (connection refused);
    - drop_response: the hub handles it, the kiosk gets a timeout;
    - duplicate: the hub receives it twice (the second answer goes nowhere);
    - hold: the kiosk gets its answer, and a copy reaches the hub again later (a late, reordered packet);
    - release: held copies are delivered now, before this request.
    """

    def __init__(self, plan: Iterable[str] = (), rng: random.Random | None = None,
                 rates: dict[str, float] | None = None, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.plan: Iterator[str] = iter(plan)
        self.rng = rng or random.Random(0)
        self.rates = rates or {}
        self.partitioned = False
        self.held: list[httpx.Request] = []
        self.delivered = 0
        self.sent = 0
        self._lock = threading.Lock()

    def _fault(self) -> str:
        fault = next(self.plan, None)
        if fault is not None:
            return fault
        roll = self.rng.random()
        for name, rate in self.rates.items():
            if roll < rate:
                return name
            roll -= rate
        return "ok"

    def _deliver(self, request: httpx.Request) -> httpx.Response:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=request.content)
        response = self.inner.handle_request(copy)
        response.read()
        self.delivered += 1
        return response

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.sent += 1
            request.read()
            if self.partitioned:
                raise httpx.ConnectError("network partitioned")
            fault = self._fault()
            if fault == "release":
                held, self.held = self.held, []
                for old in held:
                    self._deliver(old)
            if fault == "drop_request":
                raise httpx.ConnectError("request lost")
            response = self._deliver(request)
            if fault == "duplicate":
                self._deliver(request)
            elif fault == "hold":
                self.held.append(request)
            if fault == "drop_response":
                raise httpx.ReadTimeout("response lost")
            return httpx.Response(response.status_code, headers=response.headers, content=response.content,
                                  request=request)

    def close(self) -> None:
        """Kept open across sync clients; `shutdown` closes it."""

    def shutdown(self) -> None:
        self.inner.close()
