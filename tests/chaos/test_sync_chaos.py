"""Chaos: two kiosk processes and a hub process behind a proxy that loses requests and answers and
partitions the network, with random kill -9 of kiosks and hub; then convergence is checked. The same
harness runs two broken variants (no dedupe on the hub; rows marked sent before the ack) and must
catch both, which proves it can fail.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kiosk.hub.core import Hub, backoffice_moves
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import free_port
from kiosk.hub.models import AccountRequest, HubDossier, HubKiosk, InboxOp, StationChange

HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


class ChaosProxy:
    """Loopback HTTP proxy, one request per connection: drops requests, drops answers, partitions."""

    def __init__(self, upstream_ports: list[int], seed: int, drop_request: float, drop_response: float) -> None:
        self.upstream_ports = upstream_ports  # hub replicas: each connection goes to one of them at random
        self.rng = random.Random(seed)
        self.drop_request, self.drop_response = drop_request, drop_response
        self.partitioned = False
        self.stats = {"forwarded": 0, "dropped_requests": 0, "dropped_responses": 0, "refused": 0}
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def calm(self) -> None:
        self.drop_request = self.drop_response = 0.0
        self.partitioned = False

    def close(self) -> None:
        self.closed = True
        self.sock.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        lines = []
        for line in head.split(b"\r\n"):
            name = line.split(b":", 1)[0].strip().lower()
            if name == b"content-length":
                length = int(line.split(b":", 1)[1])
            if name != b"connection":
                lines.append(line)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return b""
            body += chunk
        return b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            try:
                request = self._read_request(conn)
                if not request:
                    return
                if self.partitioned or self.rng.random() < self.drop_request:
                    self.stats["dropped_requests"] += 1
                    return
                try:
                    port = self.rng.choice(self.upstream_ports)
                    upstream = socket.create_connection(("127.0.0.1", port), timeout=10)
                except OSError:
                    self.stats["refused"] += 1  # that hub replica is down
                    return
                with upstream:
                    upstream.sendall(request)
                    response = b""
                    while chunk := upstream.recv(65536):
                        response += chunk
                if self.rng.random() < self.drop_response:
                    self.stats["dropped_responses"] += 1
                    return
                self.stats["forwarded"] += 1
                conn.sendall(response)
            except OSError:
                return


@dataclass
class KioskProc:
    data_dir: Path
    prefix: str
    acked: list[tuple[str, str]] = field(default_factory=list)
    process: subprocess.Popen | None = None
    reader: threading.Thread | None = None
    kills: int = 0


class Harness:
    def __init__(self, tmp: Path, hub_url: str, seed: int, hub_mutant: str = "none", kiosk_mutant: str = "none",
                 replicas: int = 1):
        self.tmp, self.hub_url, self.seed = tmp, hub_url, seed
        self.hub_mutant, self.kiosk_mutant = hub_mutant, kiosk_mutant
        self.rng = random.Random(seed)
        self.hub_ports = [free_port() for _ in range(replicas)]
        self.hub_port = self.hub_ports[0]
        self.hub_procs: dict[int, subprocess.Popen] = {}
        self.kiosks: list[KioskProc] = []
        self.decided: dict[str, str] = {}
        self.hub_kills = 0
        self.env = dict(os.environ, KIOSK_USE_KEYRING="0")

    # processes
    def start_hub(self, only: int | None = None) -> None:
        """Start the hub replica on port `only` (None: every replica), and wait until it answers."""
        for port in [only] if only else self.hub_ports:
            cmd = [sys.executable, str(HERE / "chaos_hub.py"), "--db", self.hub_url, "--port", str(port),
                   "--mutant", self.hub_mutant]
            self.hub_procs[port] = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL,
                                                    stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError("the hub process did not start") from None
                    time.sleep(0.05)

    def kill_hub(self, port: int | None = None) -> int:
        """SIGKILL one hub replica (a random one when several run); returns its port."""
        port = port or self.rng.choice(self.hub_ports)
        self.hub_procs[port].send_signal(signal.SIGKILL)
        self.hub_procs[port].wait()
        self.hub_kills += 1
        return port

    def start_kiosk(self, kiosk: KioskProc, hub: str) -> None:
        cmd = [sys.executable, str(HERE / "chaos_kiosk.py"), "--data-dir", str(kiosk.data_dir), "--hub", hub,
               "--prefix", kiosk.prefix, "--mutant", self.kiosk_mutant]
        kiosk.process = subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

        def collect(process=kiosk.process) -> None:
            with process.stdout:
                for line in process.stdout:
                    parts = line.split()
                    if parts[:1] == ["ACK"]:
                        kiosk.acked.append((parts[1], parts[2]))

        kiosk.reader = threading.Thread(target=collect, daemon=True)
        kiosk.reader.start()

    @staticmethod
    def kill_kiosk(kiosk: KioskProc) -> None:
        kiosk.process.send_signal(signal.SIGKILL)
        kiosk.process.wait()
        kiosk.reader.join(timeout=10)
        kiosk.kills += 1

    def enrol(self, hub: Hub, kiosk: KioskProc) -> None:
        from chaos_kiosk import unit_of

        from kiosk.app import operator_principal
        from kiosk.db.engine import open_database
        from kiosk.services.sync import SyncService

        db = open_database(kiosk.data_dir, use_keyring=False)
        unit = unit_of(kiosk.prefix)
        SyncService(db, unit_id=unit).enrol(operator_principal(), hub.create_enrol_code("CA-CHAOS", units=[unit]),
                                            f"http://127.0.0.1:{self.hub_port}")
        db.dispose()

    def run(self, seconds: float) -> dict:
        hub = Hub(open_hub_database(self.hub_url))
        self.start_hub()
        proxy = ChaosProxy(self.hub_ports, self.seed, drop_request=0.15, drop_response=0.15)
        try:
            for name in ("A", "B"):
                kiosk = KioskProc(self.tmp / f"kiosk-{name}", f"{name}{self.seed}")
                self.enrol(hub, kiosk)
                self.kiosks.append(kiosk)
                self.start_kiosk(kiosk, f"http://127.0.0.1:{proxy.port}")
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                time.sleep(self.rng.uniform(0.3, 0.9))
                event = self.rng.random()
                if event < 0.3:
                    kiosk = self.rng.choice(self.kiosks)
                    self.kill_kiosk(kiosk)
                    time.sleep(0.1)
                    self.start_kiosk(kiosk, f"http://127.0.0.1:{proxy.port}")
                elif event < 0.45:
                    killed = self.kill_hub()  # with replicas, the others go on serving meanwhile
                    time.sleep(self.rng.uniform(0.1, 0.6))
                    self.start_hub(killed)
                elif event < 0.6:
                    proxy.partitioned = True
                    time.sleep(self.rng.uniform(0.3, 1.0))
                    proxy.partitioned = False
                else:
                    self.decide(hub)
            for kiosk in self.kiosks:
                self.kill_kiosk(kiosk)  # the last act of chaos: nobody shuts down cleanly
            proxy.calm()
            for _ in range(3):
                self.decide(hub)
            drains = [self.drain(k) for k in self.kiosks]
            return {"violations": self.check(hub), "drains": drains, "proxy": proxy.stats,
                    "kills": {"hub": self.hub_kills, **{k.prefix: k.kills for k in self.kiosks}},
                    "acked": {k.prefix: len(k.acked) for k in self.kiosks}}
        finally:
            for kiosk in self.kiosks:
                if kiosk.process and kiosk.process.poll() is None:
                    self.kill_kiosk(kiosk)
            for port, process in self.hub_procs.items():
                if process.poll() is None:
                    self.kill_hub(port)
            proxy.close()
            hub.db.dispose()

    def decide(self, hub: Hub) -> None:
        """A back-office decision on a dossier the hub holds."""
        with hub.db.sessions() as s:
            rows = s.execute(select(HubDossier.tracking_code, HubDossier.status)
                             .where(HubDossier.status.in_(list(backoffice_moves(False)[0])))
                             .order_by(HubDossier.received_at.desc()).limit(30)).all()
        if rows:
            code, current = self.rng.choice(rows)
            status = self.rng.choice(sorted(backoffice_moves(False)[0][current]))
            hub.set_status(code, status, "quyết định thử")
            self.decided[code] = status

    def drain(self, kiosk: KioskProc) -> dict:
        cmd = [sys.executable, str(HERE / "chaos_kiosk.py"), "--data-dir", str(kiosk.data_dir), "--hub",
               f"http://127.0.0.1:{self.hub_port}", "--prefix", kiosk.prefix, "--mutant", self.kiosk_mutant, "--drain"]
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def check(self, hub: Hub) -> list[str]:
        """Every act acknowledged to a clerk is on the hub exactly once; streams contiguous; statuses pulled."""
        from kiosk.db.engine import open_database
        from kiosk.db.models import Counter
        from kiosk.services.sync import SyncService

        violations = []
        with hub.db.sessions() as s:
            inbox = s.execute(select(InboxOp.kiosk_id, InboxOp.seq, InboxOp.kind, InboxOp.payload, InboxOp.outcome)).all()
            accounts = [r for (r,) in s.execute(select(AccountRequest.payload))]
            dossiers = set(s.scalars(select(HubDossier.tracking_code)))
            rejections = s.scalar(select(text("count(*)")).select_from(StationChange).where(
                StationChange.kind == "op.rejected"))
            marks = {k.kiosk_id: k.high_water_mark for k in s.scalars(select(HubKiosk))}
        by_code: dict[str, list] = {}
        for _kiosk_id, _seq, _kind, payload, outcome in inbox:
            data = json.loads(payload)
            by_code.setdefault(data.get("tracking_code") or data.get("request_id"), []).append(outcome)
        account_counts: dict[str, int] = {}
        for payload in accounts:
            rid = json.loads(payload)["request_id"]
            account_counts[rid] = account_counts.get(rid, 0) + 1
        if rejections:
            violations.append(f"{rejections} acts rejected as duplicates on the hub")
        for kiosk in self.kiosks:
            for kind, code in kiosk.acked:
                outcomes = by_code.get(code, [])
                if outcomes != ["applied"]:
                    violations.append(f"{kiosk.prefix}: acknowledged {kind} {code} on the hub as {outcomes}")
                elif kind == "dossier.created" and code not in dossiers:
                    violations.append(f"{kiosk.prefix}: dossier {code} missing")
                elif kind == "account.requested" and account_counts.get(code) != 1:
                    violations.append(f"{kiosk.prefix}: account request {code} x{account_counts.get(code)}")
            db = open_database(kiosk.data_dir, use_keyring=False)
            try:
                with db.engine.connect() as conn:
                    if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                        violations.append(f"{kiosk.prefix}: integrity_check failed")
                service = SyncService(db)
                kiosk_id = service.who.kiosk_id
                with db.sessions() as s:
                    last = s.get(Counter, "outbox_seq")
                    last_seq = last.value if last else 0
                seqs = sorted(seq for k, seq, *_ in inbox if k == kiosk_id)
                if seqs != list(range(1, last_seq + 1)) or marks.get(kiosk_id) != last_seq:
                    violations.append(f"{kiosk.prefix}: hub holds {len(seqs)} ops (mark {marks.get(kiosk_id)}), "
                                      f"kiosk wrote {last_seq}")
                from kiosk.app import operator_principal

                for code, status in self.decided.items():
                    if code.startswith(kiosk.prefix):
                        pulled = service.remote_status(operator_principal(), code)
                        if pulled is None or pulled["status"] != status:
                            violations.append(f"{kiosk.prefix}: status of {code} not pulled ({pulled})")
            finally:
                db.dispose()
        return violations


@pytest.mark.postgres
def test_two_kiosks_and_two_hub_replicas_killed_and_cut_off_converge_exactly_once(tmp_path, pg_server):
    """Two `kiosk-hub` replicas on one PostgreSQL; the proxy sends each request to either, and either is
    killed at random (the other keeps serving)."""
    from throwaway_pg import create_database

    hub_url = create_database(pg_server, "chaos")
    outcome = Harness(tmp_path, hub_url, seed=11, replicas=2).run(seconds=25)
    assert outcome["violations"] == [], outcome
    assert all(n > 20 for n in outcome["acked"].values()), outcome
    assert outcome["kills"]["hub"] > 0 and outcome["proxy"]["dropped_responses"] > 0, outcome
    assert all(d["status"] == "ok" and d["pending"] == 0 for d in outcome["drains"]), outcome


@pytest.mark.parametrize("hub_mutant, kiosk_mutant", [("no_dedupe", "none"), ("none", "sent_before_ack")])
def test_the_harness_catches_broken_variants(tmp_path, hub_mutant, kiosk_mutant):
    hub_url = f"sqlite:///{tmp_path / 'hub.db'}"
    outcome = Harness(tmp_path, hub_url, seed=5, hub_mutant=hub_mutant, kiosk_mutant=kiosk_mutant).run(seconds=10)
    assert outcome["violations"], outcome
