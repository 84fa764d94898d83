"""Push 100,000 queued outbox ops from a kiosk to a hub on PostgreSQL over loopback; print ops/s.

The hub runs as its own process (`kiosk-hub serve`, uvicorn) on a throwaway PostgreSQL started like
the tests start it. In the same run, the same rows go into the same table with one bare psycopg
`executemany`, the floor no sync protocol can beat. Targets: ≥ 5,000 ops/s; ≤ 4× the bare insert.

    python bench/sync.py [--ops 100000] [--batch N (default: the kiosk's SyncPolicy)] [--kind dossier.created]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# The throwaway PostgreSQL and the replica drills are test support, kept under tests/ (not shipped).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tests"))


UNIT = "000.00.24.H57"


def queue_ops(db, n: int, kind: str) -> None:
    from kiosk.services import outbox

    done = 0
    while done < n:
        with db.transaction() as s:
            for i in range(done, min(n, done + 10_000)):
                day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i // 9999)  # 4 digits a day (Circular)
                outbox.enqueue(s, kind, {
                    "tracking_code": f"{UNIT}-{day:%y%m%d}-{i % 9999 + 1:04d}", "service_code": "1.001",
                    "status": "received",
                    "fields": {"ho_ten_nguoi_nop": "Nguyễn Văn A", "dia_chi": "Số 1 phố Hàng Bạc, Hoàn Kiếm",
                               "so_dien_thoai": "0912345678"},
                })
        done = min(n, done + 10_000)


def bare_insert(url: str, rows: list[dict]) -> float:
    import psycopg

    columns = ["kiosk_id", "seq", "op_id", "kind", "schema_version", "payload", "created_at", "hash", "received_at",
               "outcome"]
    sql = f"INSERT INTO hub_inbox ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    values = [tuple(r[c] for c in columns) for r in rows]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(sql, values)
        conn.commit()
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None, help="ops per push (default: the kiosk's own setting)")
    parser.add_argument("--kind", default="dossier.created")
    args = parser.parse_args()
    os.environ.setdefault("KIOSK_USE_KEYRING", "0")

    from throwaway_pg import create_database, throwaway_postgres

    from kiosk.app import operator_principal
    from kiosk.db.engine import open_database
    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database
    from kiosk.hub.embedded import free_port
    from kiosk.services.sync import SyncPolicy, SyncService
    from kiosk.wire import protocol

    with throwaway_postgres("-c synchronous_commit=on") as server, tempfile.TemporaryDirectory() as tmp:
        hub_url = create_database(server, "bench_sync")
        bare_url = create_database(server, "bench_bare")
        open_hub_database(bare_url).dispose()
        hub_db = open_hub_database(hub_url)
        port = free_port()
        hub_proc = subprocess.Popen([sys.executable, "-m", "kiosk.hub", "serve", "--db", hub_url, "--port", str(port)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            import httpx

            for _ in range(200):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.05)
            kiosk_db = open_database(Path(tmp) / "kiosk", use_keyring=False)
            operator = operator_principal()
            policy = SyncPolicy(timeout_s=120)
            if args.batch:
                policy = dataclasses.replace(policy, batch_size=args.batch)
            args.batch = policy.batch_size
            service = SyncService(kiosk_db, policy=policy, unit_id=UNIT)
            service.enrol(operator, Hub(hub_db).create_enrol_code("CA-BENCH"), f"http://127.0.0.1:{port}")
            start = time.perf_counter()
            queue_ops(kiosk_db, args.ops, args.kind)
            queued = time.perf_counter() - start

            start = time.perf_counter()
            report = service.run_once(operator)
            pushed = time.perf_counter() - start
            assert report.ok and report.pending == 0 and report.pushed == args.ops, report
            kiosk_id = service.who.kiosk_id
            kiosk_db.dispose()
        finally:
            hub_proc.terminate()
            hub_proc.wait(timeout=10)

        from sqlalchemy import select

        from kiosk.hub.models import InboxOp

        with hub_db.sessions() as s:
            rows = [{c: getattr(r, c) for c in ("seq", "op_id", "kind", "schema_version", "payload", "created_at",
                                                "hash", "received_at", "outcome")} | {"kiosk_id": str(uuid.uuid4())[:8]}
                    for r in s.scalars(select(InboxOp).where(InboxOp.kiosk_id == kiosk_id).order_by(InboxOp.seq))]
        hub_db.dispose()
        bare = bare_insert(bare_url, rows)

    rate = args.ops / pushed
    bare_rate = args.ops / bare
    print(json.dumps({
        "ops": args.ops, "batch": args.batch, "kind": args.kind, "payload_bytes": len(rows[0]["payload"]),
        "queue_seconds": round(queued, 2),
        "sync_seconds": round(pushed, 2), "sync_ops_per_s": round(rate),
        "bare_executemany_seconds": round(bare, 2), "bare_ops_per_s": round(bare_rate),
        "ratio_to_bare": round(pushed / bare, 2),
        "targets": {"ops_per_s >= 5000": rate >= 5000, "ratio <= 4": pushed / bare <= 4},
        "protocol": protocol.VERSION,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
