"""200 simulated kiosks pushing and pulling at once against hub replicas on one PostgreSQL; prints figures.

Each simulated kiosk has its own Ed25519 key, enrols with a one-time code and then, in a closed loop,
pushes a batch of dossiers and pulls its station's changes: real signed HTTP requests (the kiosk's wire
contract, kiosk.wire.protocol), through HAProxy running deploy/haproxy/kiosk-hub.cfg, to `kiosk-hub serve`
processes on a throwaway PostgreSQL. The same load runs against one replica, then two. Printed: ops/s
(dossier ops the hub applied), requests/s, p50/p95 request latency, PostgreSQL connections (all, and in a
transaction), the database's size per op, and the province sizing those figures give.
Targets: two replicas ≥ 1.6 × one replica's throughput, p95 ≤ 250 ms.

    python bench/hub_load.py [--kiosks 200] [--seconds 20] [--ops-per-push 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

# The throwaway PostgreSQL and the replica drills are test support, kept under tests/ (not shipped).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))


PAYLOAD_FIELDS = {  # a dossier's worth of form data (about the size a real one has on the wire)
    "ho_ten_nguoi_nop": "Nguyễn Văn An", "dia_chi": "Số 12 ngõ 34 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội",
    "so_dien_thoai": "0912345678", "ly_do": "Đăng ký thường trú tại nhà riêng của công dân", "so_to_khai": "CT01",
    "giay_to": ["Tờ khai thay đổi thông tin cư trú (CT01)", "Giấy chứng nhận quyền sử dụng đất (bản sao)"],
}


_UNITS = itertools.count(1)


@dataclass
class SimKiosk:
    """A kiosk's identity, key and sequence; no database: the load is the hub's."""

    station: str
    #: Replaced by the id the hub gives at enrolment.
    kiosk_id: str = field(default_factory=lambda: f"SIM-{secrets.token_hex(5).upper()}")
    #: A receiving unit of its own, bound to its station at enrolment (codes of other units are refused).
    unit: str = field(default_factory=lambda: f"SIM.{next(_UNITS):05d}")
    instance: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int = 0
    cursor: int = 0
    cursor_uid: str = ""

    def __post_init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        self.key = Ed25519PrivateKey.generate()

    @property
    def public_key(self) -> str:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        from kiosk.wire import protocol

        return protocol.b64u(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def signed(self, method: str, path_qs: str, body: bytes) -> dict[str, str]:
        from kiosk.wire import protocol

        headers = protocol.SignedHeaders(self.kiosk_id, self.instance, 1, int(time.time()), secrets.token_hex(16))
        out = protocol.sign_request(self.key, method, path_qs, body, headers).as_dict()
        if body:
            out["content-type"] = "application/json"
        return out

    def batch(self, n: int) -> bytes:
        from kiosk.wire import protocol

        ops = []
        for _ in range(n):
            self.seq += 1
            day = datetime.date(2026, 1, 1) + datetime.timedelta(days=self.seq // 9000)
            code = f"{self.unit}-{day:%y%m%d}-{self.seq % 9000 + 1:04d}"  # the Circular's form
            payload = {"tracking_code": code, "dossier_uid": str(uuid.uuid4()),
                       "service_code": "3", "status": "received", "form": PAYLOAD_FIELDS}
            ops.append({"seq": self.seq, "op_id": str(uuid.uuid4()), "kind": "dossier.created",
                        "payload": protocol.canonical_json(payload), "schema_version": 1,
                        "created_at": "2026-11-25T08:00:00.000Z"})
        return json.dumps({"ops": ops}, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    ops: int = 0
    requests: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    exhausted: int = 0


def presigned(kiosk: SimKiosk, host: str, cycles: int, ops_per_push: int) -> list[tuple[bytes, bytes]]:
    """The kiosk's next `cycles` push and pull requests as bytes on the wire, signed now.

    Signing and encoding before the clock starts keeps the load generator's own CPU off a two-core
    machine that also runs PostgreSQL, HAProxy and the replicas. The pulls ask from the start of the
    station's changes (there are none in this load), so they never depend on an answer.
    """
    out = []
    for _ in range(cycles):
        body = kiosk.batch(ops_per_push)
        push = _request("POST", "/v1/push", host, kiosk.signed("POST", "/v1/push", body), body)
        path = "/v1/pull?after=0&after_uid=&limit=500"
        out.append((push, _request("GET", path, host, kiosk.signed("GET", path, b""), b"")))
    return out


def _request(method: str, path: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"host: {host}", f"content-length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> tuple[int, bytes]:
    """One request on a kept-alive connection: the status code and the body of the answer."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def kiosk_loop(host: str, port: int, requests: list[tuple[bytes, bytes]], interval: float, until: float,
                     tally: Tally, counting: threading.Event) -> None:
    """Push then pull, every `interval` seconds (0: as fast as the hub answers), until the time is up."""
    reader, writer = await asyncio.open_connection(host, port)
    await asyncio.sleep(interval * random.random())  # kiosks do not all start at once
    try:
        for push, pull in requests:
            cycle = time.monotonic()
            if cycle >= until:
                return
            for request, is_push in ((push, True), (pull, False)):
                started = time.perf_counter()
                try:
                    status, body = await _exchange(reader, writer, request)
                except (OSError, asyncio.IncompleteReadError) as exc:
                    tally.errors[type(exc).__name__] = tally.errors.get(type(exc).__name__, 0) + 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
                    break
                took = time.perf_counter() - started
                if status != 200:
                    tally.errors[f"HTTP {status}"] = tally.errors.get(f"HTTP {status}", 0) + 1
                elif counting.is_set():
                    tally.latencies.append(took)
                    tally.requests += 1
                    if is_push:
                        tally.ops += json.loads(body)["accepted"]
            pause = interval - (time.monotonic() - cycle)
            if pause > 0:
                await asyncio.sleep(pause)
        tally.exhausted += 1  # ran out of signed requests before the time was up: sign more
    finally:
        writer.close()


def pg_connections(dsn: str, database: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*), count(*) FILTER (WHERE xact_start IS NOT NULL AND state <> 'idle') "
                           "FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
                           "AND application_name LIKE 'kiosk-hub-%%'", (database,)).fetchone()
        return int(row[0]), int(row[1])


def cpu_seconds(groups: dict[str, Callable[[], list[int]]]) -> dict[str, dict[int, float]]:
    """CPU time used so far by each process of each group (the group lists its processes now: PostgreSQL
    starts and ends a process per connection)."""
    import psutil

    out: dict[str, dict[int, float]] = {}
    for name, pids in groups.items():
        out[name] = {}
        for pid in pids():
            try:
                times = psutil.Process(pid).cpu_times()
            except psutil.NoSuchProcess:
                continue
            out[name][pid] = times.user + times.system
    return out


def cpu_used(start: dict[int, float], end: dict[int, float]) -> float:
    """CPU time of a group between two snapshots; a process born in between counts from zero."""
    return sum(value - start.get(pid, 0.0) for pid, value in end.items())


def postgres_pids(dsn: str) -> Callable[[], list[int]]:
    """The benchmark's own PostgreSQL server: its postmaster and the processes it runs at that moment."""
    import psutil
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        postmaster = psutil.Process(backend).parent()
    return lambda: [postmaster.pid, *(child.pid for child in postmaster.children())]


async def run_load(url: str, plans: list[list[tuple[bytes, bytes]]], seconds: float, warmup: float,
                   interval: float, dsn: str, database: str, groups: dict[str, Callable[[], list[int]]]) -> dict:
    host, port = url.removeprefix("http://").split(":")
    tally = Tally()
    counting = threading.Event()
    samples: list[tuple[int, int]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            if counting.is_set():
                samples.append(pg_connections(dsn, database))
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    until = time.monotonic() + warmup + seconds
    loop = asyncio.get_running_loop()

    cpu: dict[str, dict[str, dict[int, float]]] = {}

    def begin() -> None:
        cpu["start"] = cpu_seconds(groups)
        counting.set()

    def end() -> None:
        counting.clear()  # answers that arrive after the window are not counted
        cpu["end"] = cpu_seconds(groups)
        cpu["load"] = {"load_average_1min": os.getloadavg()[0]}

    loop.call_later(warmup, begin)
    loop.call_later(warmup + seconds, end)
    await asyncio.gather(*(kiosk_loop(host, int(port), plan, interval, until, tally, counting) for plan in plans))
    elapsed = seconds
    stop.set()
    sampler.join(timeout=2)
    used = {name: cpu_used(cpu["start"][name], cpu["end"][name]) for name in groups}
    lat = sorted(tally.latencies)
    return {
        "ops_per_s": round(tally.ops / elapsed, 1), "requests_per_s": round(tally.requests / elapsed, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1) if lat else None,
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1) if lat else None,
        "pg_connections_max": max((s[0] for s in samples), default=0),
        "pg_connections_mean": round(statistics.mean(s[0] for s in samples), 1) if samples else 0,
        "pg_in_transaction_mean": round(statistics.mean(s[1] for s in samples), 1) if samples else 0,
        "errors": tally.errors, "seconds": round(elapsed, 1), "kiosks_out_of_requests": tally.exhausted,
        # Where the machine's cores went during the window (CPU seconds per second of wall time).
        "cores_used": {name: round(value / elapsed, 2) for name, value in used.items()},
        # The machine is shared: its load at the end of the window says how much of it this run had.
        "machine_load_1min": round(cpu["load"]["load_average_1min"], 2),
        "cpu_ms_per_request": {name: round(1000 * value / max(tally.requests, 1), 2) for name, value in used.items()},
    }


def database_size(dsn: str, name: str) -> tuple[int, int]:
    """The hub database's size in bytes (tables and indexes, not the WAL) and the ops it holds."""
    import psycopg

    with psycopg.connect(f"{dsn.rsplit('/', 1)[0]}/{name}") as conn:
        conn.execute("CHECKPOINT")
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        return size, conn.execute("SELECT count(*) FROM hub_inbox").fetchone()[0]


def enrol_all(url: str, hub, kiosks: list[SimKiosk]) -> None:
    import httpx

    with httpx.Client(base_url=url, timeout=30.0) as client:
        for kiosk in kiosks:
            code = hub.create_enrol_code(kiosk.station, units=[kiosk.unit])
            body = json.dumps({"code": code, "public_key": kiosk.public_key, "instance_uuid": kiosk.instance,
                               "epoch": 1, "unit_id": kiosk.unit}).encode()
            answer = client.post("/v1/enrol", content=body, headers=kiosk.signed("POST", "/v1/enrol", body))
            answer.raise_for_status()
            kiosk.kiosk_id = answer.json()["kiosk_id"]  # the hub's id, never the one the kiosk had


def province(saturated: dict, steady_p95_ms: float | None, bytes_per_op: float, interval: float, kiosks: int) -> dict:
    """What 1,000 stations × 3 kiosks need, from the measured figures and the assumptions named here."""
    stations, per_station = 1000, 3
    total = stations * per_station
    dossiers_per_station_day = 60  # assumption: a busy ward station's counters and hall kiosk together
    ops_per_dossier = 3  # created, and two status moves on average
    ops_day = stations * dossiers_per_station_day * ops_per_dossier
    # Every kiosk syncs every 30 s (SyncPolicy.loop_interval_s) whether or not it has news: a push and a pull.
    steady_requests = total / 30 * 2
    per_replica = saturated["requests_per_s"] / 2
    needed = -(-steady_requests // (0.5 * per_replica)) if per_replica else None  # each replica at most half busy
    return {
        "kiosks": total, "assumed_dossiers_per_station_per_day": dossiers_per_station_day,
        "assumed_ops_per_dossier": ops_per_dossier, "ops_per_day": ops_day,
        "requests_per_s_steady": round(steady_requests),
        "bench_offered_requests_per_s": round(kiosks / interval * 2),
        "p95_ms_at_that_load_two_replicas": steady_p95_ms,
        "requests_per_s_one_replica_can_take": round(per_replica),
        "replicas": int(needed) + 1 if needed else None,  # and one more, to lose one without harm
        "postgresql_gb_per_year": round(ops_day * 365 * bytes_per_op / 1e9, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--ops-per-push", type=int, default=5)
    parser.add_argument("--interval", type=float, default=2.0,
                        help="seconds between one simulated kiosk's syncs in the steady run (200 kiosks every 2 s "
                             "offer the requests of 3,000 kiosks every 30 s)")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    from hub_drills import Haproxy, ReplicaProcess
    from throwaway_pg import create_database, throwaway_postgres

    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database

    results: dict[str, dict] = {}
    with throwaway_postgres() as server, tempfile.TemporaryDirectory() as tmp:
        dsn = server.replace("postgresql+psycopg://", "postgresql://")
        for replicas in (1, 2):
            for mode, interval in (("saturated", 0.0), ("steady", args.interval)):
                name = f"hub_load_{replicas}_{mode}"
                url = create_database(server, name)
                hub = Hub(open_hub_database(url))
                procs = [ReplicaProcess(url, f"kiosk-hub-{n}", workers_log=os.path.join(tmp, f"r{n}.log")).start()
                         for n in range(1, replicas + 1)]
                proxy = Haproxy([p.address for p in procs] * (2 // replicas),
                                log_path=os.path.join(tmp, "haproxy.log")).start()
                try:
                    kiosks = [SimKiosk(f"CA-SIM-{i // 3:04d}") for i in range(args.kiosks)]
                    enrol_all(proxy.url, hub, kiosks)
                    span = args.warmup + args.seconds
                    cycles = int(span / interval) + 2 if interval else int(span * 3) + 20
                    host = proxy.url.removeprefix("http://")
                    plans = [presigned(k, host, cycles, args.ops_per_push) for k in kiosks]
                    groups = {"replicas": lambda ps=procs: [p.process.pid for p in ps],
                              "postgresql": postgres_pids(dsn), "haproxy": lambda px=proxy: [px.process.pid],
                              "load_generator": lambda: [os.getpid()]}
                    before = database_size(dsn, name)
                    result = asyncio.run(run_load(proxy.url, plans, args.seconds, args.warmup, interval, dsn, name,
                                                  groups))
                    size, stored = database_size(dsn, name)
                    # What the ops of this run added (an empty hub database is several MB of catalog alone).
                    result["db_bytes_per_op"] = round((size - before[0]) / max(stored - before[1], 1))
                    results[f"{replicas}_{mode}"] = result
                finally:
                    proxy.stop()
                    for p in procs:
                        p.stop()
                    hub.db.dispose()
    one, two = results["1_saturated"], results["2_saturated"]
    ratio = two["ops_per_s"] / one["ops_per_s"] if one["ops_per_s"] else 0.0
    steady = results["2_steady"]
    print(json.dumps({
        "kiosks": args.kiosks, "ops_per_push": args.ops_per_push, "seconds": args.seconds,
        "through": "haproxy (deploy/haproxy/kiosk-hub.cfg)", "cpu_cores": os.cpu_count(),
        "saturated (each kiosk syncs again as soon as answered)": {"one_replica": one, "two_replicas": two},
        f"steady (each kiosk syncs every {args.interval:g} s)": {"one_replica": results["1_steady"],
                                                                 "two_replicas": steady},
        "two_over_one": round(ratio, 2),
        "targets": {"two_over_one >= 1.6": ratio >= 1.6,
                    "p95 <= 250 ms (two replicas, steady)": (steady["p95_ms"] or 1e9) <= 250},
        "province": province(two, steady["p95_ms"], steady["db_bytes_per_op"], args.interval, args.kiosks),
    }, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
