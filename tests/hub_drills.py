"""Test and drill helpers: an unreliable network in front of a real hub (drops, duplicates, delays); hub
replica processes and HAProxy in front of them, as in production."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

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


class _Served:
    """A process that serves HTTP on a loopback port until stopped; its output goes to a log file, if any."""

    name = "process"

    def __init__(self, port: int, log_path: str | None) -> None:
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def _spawn(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self._close_log()
        self._log = open(self.log_path, "ab") if self.log_path else None  # noqa: SIM115
        out = self._log or subprocess.DEVNULL
        self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until GET /health answers 200 through this process."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer on {self.url}")

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self._close_log()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_log()


class ReplicaProcess(_Served):
    """One `kiosk-hub serve` process on a free loopback port (tests, drills and bench/hub_load.py).

    `name` goes into the PostgreSQL `application_name` of its connections, so pg_stat_activity shows
    which replica holds which transaction.
    """

    def __init__(self, db_url: str, name: str, port: int = 0, workers_log: str | None = None) -> None:
        from kiosk.hub.embedded import free_port

        super().__init__(port or free_port(), workers_log)
        self.db_url = db_url
        self.name = name

    def _db(self) -> str:
        if not self.db_url.startswith("postgresql"):
            return self.db_url
        return self.db_url + ("&" if "?" in self.db_url else "?") + f"application_name={self.name}"

    def start(self, wait: bool = True) -> ReplicaProcess:
        self._spawn([sys.executable, "-m", "kiosk.hub", "serve", "--db", self._db(), "--host", "127.0.0.1",
                     "--port", str(self.port)])
        if wait:
            self.wait_ready()
        return self


class Haproxy(_Served):
    """HAProxy (Debian's package) running the production configuration `deploy/haproxy/kiosk-hub.cfg` in front
    of two replicas; a missing binary fails loudly with what to install."""

    name = "haproxy"
    CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "haproxy" / "kiosk-hub.cfg"

    def __init__(self, replicas: list[str], log_path: str | None = None) -> None:
        from kiosk.hub.embedded import free_port

        if shutil.which("haproxy") is None:
            raise RuntimeError("HAProxy is needed in front of the hub replicas: apt-get install haproxy")
        if len(replicas) != 2:
            raise ValueError("the configuration names two replicas (KIOSK_HUB_1, KIOSK_HUB_2)")
        super().__init__(free_port(), log_path)
        self.env = dict(os.environ, KIOSK_HUB_BIND=self.address, KIOSK_HUB_1=replicas[0], KIOSK_HUB_2=replicas[1])

    def start(self) -> Haproxy:
        self._spawn(["haproxy", "-db", "-f", str(self.CONFIG)], self.env)
        self.wait_ready(timeout=15)
        return self
