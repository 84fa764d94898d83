"""A kiosk process for the chaos test: a clerk saving acts (printing ACK after each commit) and syncing.

`--drain` syncs until nothing moves and exits. `--mutant sent_before_ack` is the broken variant
that marks rows sent before the hub acknowledged them (the harness must catch it).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from pathlib import Path


def install_sent_before_ack() -> None:
    from sqlalchemy import select

    from kiosk.db.models import OutboxOp
    from kiosk.services.sync import SyncService

    def naive_push_all(self, client, counts, cancel, report):
        with self.db.transaction() as s:
            rows = s.scalars(select(OutboxOp).where(OutboxOp.acked_at.is_(None)).order_by(OutboxOp.seq)
                             .limit(self.policy.batch_size)).all()
            ops = [{"seq": r.seq, "op_id": r.op_id, "kind": r.kind, "payload": r.payload,
                    "schema_version": r.schema_version, "created_at": r.created_at} for r in rows]
            for row in rows:
                row.acked_at = "sent"  # BROKEN: marked before the hub said it holds them
        if ops:
            client.push(ops, None)
        return None

    SyncService._push_all = naive_push_all


def unit_of(prefix: str) -> str:
    """The receiving unit a chaos kiosk numbers under (one per kiosk, both bound to the chaos station)."""
    return f"000.00.24.C{prefix[0]}"


def next_code(s, unit: str) -> str:
    """A tracking code in the Circular's form that this kiosk never used: from the outbox counter, which only
    grows (across kills too), in the same transaction as the act."""
    from datetime import date, timedelta

    from kiosk.db.models import Counter

    row = s.get(Counter, "outbox_seq")
    n = (row.value if row is not None else 0) + 1
    day = date(2026, 1, 1) + timedelta(days=n // 9000)
    return f"{unit}-{day:%y%m%d}-{n % 9000 + 1:04d}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--hub", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--mutant", default="none")
    parser.add_argument("--drain", action="store_true")
    args = parser.parse_args()

    from kiosk.app import operator_principal
    from kiosk.db.engine import open_database
    from kiosk.db.models_sync import SyncState
    from kiosk.services import outbox
    from kiosk.services.sync import SyncPolicy, SyncService

    if args.mutant == "sent_before_ack":
        install_sent_before_ack()
    db = open_database(Path(args.data_dir), use_keyring=False)
    with db.transaction() as s:
        s.get(SyncState, 1).hub_url = args.hub  # through the lossy proxy, or straight to the hub to drain
    policy = SyncPolicy(attempts=2, wait_initial_s=0.05, wait_max_s=0.2, jitter_s=0.05, batch_size=25, timeout_s=3)
    service = SyncService(db, policy=policy, unit_id=unit_of(args.prefix))
    operator = operator_principal()

    if args.drain:
        quiet = 0
        for _ in range(60):
            report = service.run_once(operator)
            quiet = quiet + 1 if report.ok and report.pushed == 0 and report.pulled == 0 else 0
            if quiet >= 2 or report.status == "halted":
                break
            time.sleep(0.1)
        print(json.dumps(report.as_json()), flush=True)
        db.dispose()
        return 0

    rng = random.Random()
    n = 0
    while True:
        with db.transaction() as s:
            if rng.random() < 0.3:
                code = f"{args.prefix}-{uuid.uuid4().hex[:12]}"
                kind, payload = "account.requested", {"request_id": code, "level": 2}
            else:
                code = next_code(s, unit_of(args.prefix))
                kind, payload = "dossier.created", {"tracking_code": code, "status": "received"}
            outbox.enqueue(s, kind, payload)
        print(f"ACK {kind} {code}", flush=True)  # the receipt is printed only after COMMIT
        n += 1
        if n % 3 == 0:
            try:
                service.run_once(operator)
            except Exception as exc:  # keep the clerk working; the harness judges the outcome
                print(f"ERR {type(exc).__name__}", flush=True)
        time.sleep(rng.uniform(0.005, 0.03))


if __name__ == "__main__":
    sys.exit(main())
