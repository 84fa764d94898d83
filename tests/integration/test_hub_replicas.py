"""Hub replicas as in production: two `kiosk-hub serve` processes on one real PostgreSQL database, behind
HAProxy running deploy/haproxy/kiosk-hub.cfg; kiosks are real (SQLCipher, the dossier and sync services)
and speak signed HTTP through the proxy. One replica is killed (SIGKILL) while it holds a push open.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import psycopg
import pytest
from hub_drills import Haproxy, ReplicaProcess
from sqlalchemy import func, select
from station_kiosk import StationKiosk
from throwaway_pg import create_database

from kiosk.db.models import Counter, KioskMeta
from kiosk.db.models_dossier import DossierRow
from kiosk.domain.tracking import KIOSK_BLOCKS
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.models import HubDossier, InboxOp
from kiosk.services.catalog import load_catalog
from kiosk.services.outbox import SEQUENCE
from kiosk.services.sync import SyncPolicy
from kiosk.services.sync_client import HubRefused

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
STATION = "CA-HOAN-KIEM"
# Small batches: many pushes in flight, so the killer finds one open; retries quick enough for a test.
POLICY = SyncPolicy(attempts=8, wait_initial_s=0.05, wait_max_s=0.5, jitter_s=0.05, batch_size=3, timeout_s=10,
                    lookup_timeout_s=2.0)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def replicas(pg_server, tmp_path):
    url = create_database(pg_server, f"replicas_{tmp_path.name[-12:].replace('-', '_')}")
    started = [ReplicaProcess(url, f"kiosk-hub-{n}", workers_log=str(tmp_path / f"replica-{n}.log")) for n in (1, 2)]
    proxy = Haproxy([r.address for r in started], log_path=str(tmp_path / "haproxy.log"))
    try:
        for replica in started:  # both at once on an empty database: one migrates, the other waits for it
            replica.start(wait=False)
        for replica in started:
            replica.wait_ready()
        proxy.start()
        hub = Hub(open_hub_database(url))
        yield url, hub, started, proxy
        hub.db.dispose()
    finally:
        proxy.stop()
        for replica in started:
            replica.stop()


def open_transactions(url: str, application: str) -> int:
    """Transactions a replica's connections hold open right now that write a push (PostgreSQL's own view)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND xact_start IS NOT NULL "
            "AND state <> 'idle' AND (query ILIKE '%%hub_kiosk%%FOR UPDATE%%' OR query ILIKE 'COPY%%' "
            "OR query ILIKE '%%hub_inbox%%' OR query ILIKE '%%hub_dossier%%')", (application,)).fetchone()[0]


def test_three_kiosks_of_a_station_sync_at_once_through_two_replicas_one_killed_mid_push(replicas, tmp_path,
                                                                                         catalog, operator):
    url, hub, (first, second), proxy = replicas
    kiosks = [StationKiosk(tmp_path / f"quay-{n}", catalog, None, policy=POLICY) for n in (1, 2, 3)]
    try:
        for kiosk in kiosks:
            kiosk.sync.enrol(operator, hub.create_enrol_code(STATION), proxy.url)
        blocks = {k.sync.state().block for k in kiosks}
        assert len(blocks) == 3 and blocks <= set(KIOSK_BLOCKS)
        # The network is down for the morning: every counter takes dossiers offline.
        for n, kiosk in enumerate(kiosks):
            for seed in range(24):
                kiosk.submit(3 + seed % 3, seed=100 * n + seed)

        killed = threading.Event()
        stop = threading.Event()

        def killer() -> None:
            while not stop.is_set():
                if open_transactions(url, first.name):
                    first.kill()  # mid-push: its transaction is open in PostgreSQL at this instant
                    killed.set()
                    return

        reports: dict[int, list] = {}

        def sync(n: int, kiosk: StationKiosk) -> None:
            reports[n] = []
            for _ in range(40):
                report = kiosk.sync.run_once(operator)
                reports[n].append(report)
                if report.ok and report.pending == 0:
                    return
                time.sleep(0.1)

        watcher = threading.Thread(target=killer, daemon=True)
        watcher.start()
        threads = [threading.Thread(target=sync, args=(n, k)) for n, k in enumerate(kiosks)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        stop.set()
        watcher.join(timeout=5)
        assert killed.is_set(), "the first replica was never caught holding a push open"
        assert first.process.poll() is not None
        for n in range(3):
            assert reports[n][-1].ok and reports[n][-1].pending == 0, reports[n][-1]

        # Every dossier on the hub exactly once, under a distinct code, in each kiosk's order.
        with hub.db.sessions() as s:
            held = s.execute(select(HubDossier.kiosk_id, HubDossier.tracking_code, HubDossier.previous_code)).all()
            assert len(held) == 72 and len({row.tracking_code for row in held}) == 72
            assert all(row.previous_code is None for row in held)  # distinct by construction: no re-code needed
            for kiosk in kiosks:
                with kiosk.db.sessions() as ks:
                    local = set(ks.scalars(select(DossierRow.tracking_code)))
                    written = ks.get(Counter, SEQUENCE).value
                mine = {row.tracking_code for row in held if row.kiosk_id == kiosk.sync.who.kiosk_id}
                assert mine == local and len(local) == 24
                seqs = list(s.scalars(select(InboxOp.seq).where(InboxOp.kiosk_id == kiosk.sync.who.kiosk_id)
                                      .order_by(InboxOp.seq)))
                assert seqs == list(range(1, written + 1))

        # The killed replica comes back; nothing is pushed or applied twice.
        first.start()
        for kiosk in kiosks:
            again = kiosk.sync.run_once(operator)
            assert again.ok and again.pushed == 0
        with hub.db.sessions() as s:
            assert s.scalar(select(func.count()).select_from(HubDossier)) == 72
    finally:
        for kiosk in kiosks:
            kiosk.close()


def test_blocks_survive_restarts_and_concurrent_enrolments_on_two_replicas(replicas, tmp_path, catalog, operator):
    url, hub, pair, proxy = replicas
    kiosks = [StationKiosk(tmp_path / f"k{n}", catalog, None, policy=dataclasses.replace(POLICY, attempts=2))
              for n in range(len(KIOSK_BLOCKS) + 1)]
    try:
        codes = [hub.create_enrol_code(STATION) for _ in kiosks]
        outcomes: dict[int, object] = {}
        start = threading.Barrier(len(kiosks))

        def enrol(n: int) -> None:
            start.wait()
            try:  # half of them at each replica, all at the same moment
                outcomes[n] = kiosks[n].sync.enrol(operator, codes[n], pair[n % 2].url)
            except HubRefused as exc:
                outcomes[n] = exc

        threads = [threading.Thread(target=enrol, args=(n,)) for n in range(len(kiosks))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        refused = [o for o in outcomes.values() if isinstance(o, HubRefused)]
        assert len(refused) == 1 and refused[0].reason == "station_full" and refused[0].status == 409
        enrolled = [kiosks[n] for n, o in outcomes.items() if not isinstance(o, HubRefused)]
        assigned = {k.sync.who.kiosk_id: k.sync.state().block for k in enrolled}
        assert sorted(assigned.values()) == list(KIOSK_BLOCKS)  # unique within the station

        def hub_blocks() -> dict[str, int]:
            blocks = hub.stats()["stations"][STATION]["blocks"]
            return {kiosk_id: int(block) for block, kiosk_id in blocks.items()}

        assert hub_blocks() == assigned
        for replica in pair:  # both replicas die and come back: the blocks are in the database, not in them
            replica.kill()
            replica.start()
        assert hub_blocks() == assigned
        for kiosk in enrolled:
            kiosk.submit(4, seed=7)
            report = kiosk.sync.run_once(operator)
            assert report.ok and kiosk.sync.state().block == assigned[kiosk.sync.who.kiosk_id]

        # A kiosk restored from a backup rejoins (through the other replica) and keeps its block.
        kiosk = enrolled[0]
        with kiosk.db.transaction() as s:  # a backup from before its enrolment: no block in it
            s.execute(KioskMeta.__table__.delete().where(KioskMeta.key.in_(["dossier_slot", "dossier_slot_source"])))
        assert kiosk.sync.state().block == 0
        kiosk_id = kiosk.sync.who.kiosk_id
        rejoined = kiosk.sync.rejoin(operator, hub.create_enrol_code(STATION, rejoin_kiosk=kiosk_id))
        assert rejoined["block"] == assigned[kiosk_id]
    finally:
        for kiosk in kiosks:
            kiosk.close()


def test_behind_the_balancer_refusals_count_against_the_kiosks_address_not_the_balancers(replicas):
    """Every request reaches a replica from HAProxy's address; the replicas believe its X-Forwarded-For, so a
    source that keeps failing is stopped (429) while the other kiosks behind the same balancer go on."""
    import httpx

    _url, _hub, _pair, proxy = replicas
    with httpx.Client(base_url=proxy.url, timeout=10) as client:
        codes = [client.post("/v1/push", content=b"{}", headers={"x-forwarded-for": "10.20.30.40"}).status_code
                 for _ in range(60)]
        assert codes[0] == 401 and 429 in codes  # unsigned, then stopped (at each replica, in its own count)
        other = client.post("/v1/push", content=b"{}", headers={"x-forwarded-for": "10.20.30.41"})
        assert other.status_code == 401  # heard: refused for what it is, not stopped for another's failures
