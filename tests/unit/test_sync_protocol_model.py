"""Property test of the sync protocol: a real kiosk and a real hub over a network that drops,
duplicates and reorders; whatever happens, every act reaches the hub exactly once and in order.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import pytest
from hub_drills import FAULTS, Network
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select
from sync_codes import code as tracking

from kiosk.app import operator_principal
from kiosk.db.engine import open_database
from kiosk.db.models import OutboxOp
from kiosk.hub.core import Hub, backoffice_moves
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.hub.models import HubDossier, HubKiosk, InboxOp
from kiosk.services import outbox
from kiosk.services.sync import SyncPolicy, SyncService

UNITS = itertools.count(1)
POLICY = SyncPolicy(attempts=2, wait_initial_s=0, wait_max_s=0, jitter_s=0, batch_size=4, pull_limit=3)


@pytest.fixture(scope="module")
def shared_hub(tmp_path_factory):
    db = open_hub_database(f"sqlite:///{tmp_path_factory.mktemp('hub') / 'hub.db'}")
    server = EmbeddedHub(Hub(db)).start()
    yield server
    server.stop()
    db.dispose()


def test_exactly_once_whatever_the_network_does(shared_hub):
    operator = operator_principal()

    class Protocol(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.folder = Path(tempfile.mkdtemp(prefix="kiosk-model-"))
            self.db = open_database(self.folder, use_keyring=False)
            self.network = Network()
            # A station per example: a station holds at most eight kiosks (one block of the daily sequence each),
            # each station its own receiving unit.
            station = f"CA-MODEL-{self.folder.name[-8:]}"
            self.unit = f"000.00.24.M{next(UNITS)}"
            self.service = SyncService(self.db, policy=POLICY, transport=self.network, sleep=lambda _s: None,
                                       unit_id=self.unit)
            self.service.enrol(operator, shared_hub.hub.create_enrol_code(station), shared_hub.url)
            self.kiosk_id = self.service.who.kiosk_id
            self.written: list[str] = []
            self.decided: dict[str, str] = {}

        def hub_mark(self) -> int:
            with shared_hub.hub.db.sessions() as s:
                return s.get(HubKiosk, self.kiosk_id).high_water_mark

        @rule(n=st.integers(1, 6))
        def clerk_saves(self, n: int) -> None:
            for _ in range(n):
                code = tracking("M", len(self.written) + 1, self.unit)
                with self.db.transaction() as s:
                    outbox.enqueue(s, "dossier.created", {"tracking_code": code})
                self.written.append(code)

        @rule(faults=st.lists(st.sampled_from(FAULTS), max_size=8))
        def sync_over_a_bad_network(self, faults: list[str]) -> None:
            self.network.plan = iter(faults)
            report = self.service.run_once(operator)
            assert report.status in ("ok", "offline")

        @precondition(lambda self: self.hub_mark() > 0)
        @rule(index=st.integers(0, 10_000), pick=st.integers(0, 10))
        def hub_decides(self, index: int, pick: int) -> None:
            code = self.written[index % self.hub_mark()]
            with shared_hub.hub.db.sessions() as s:
                current = s.get(HubDossier, code).status
            allowed = sorted(backoffice_moves(False)[0].get(current, ()))
            if not allowed:
                return  # a final status: the back office has nothing left to decide
            status = allowed[pick % len(allowed)]
            shared_hub.hub.set_status(code, status, "quyết định thử")
            self.decided[code] = status

        @invariant()
        def hub_never_behind_what_the_kiosk_believes(self) -> None:
            mark = self.hub_mark()
            assert self.service.state().hub_position <= mark
            with self.db.sessions() as s:
                acked = s.scalar(select(func.max(OutboxOp.seq)).where(OutboxOp.acked_at.is_not(None))) or 0
            assert acked <= mark
            with shared_hub.hub.db.sessions() as s:
                seqs = list(s.scalars(select(InboxOp.seq).where(InboxOp.kiosk_id == self.kiosk_id).order_by(InboxOp.seq)))
                dossiers = s.scalar(select(func.count()).select_from(HubDossier).where(
                    HubDossier.kiosk_id == self.kiosk_id))
            assert seqs == list(range(1, mark + 1)) and dossiers == mark

        def teardown(self) -> None:
            try:
                self.network.plan = iter(())
                report = self.service.run_once(operator)
                assert report.ok and report.pending == 0
                assert self.hub_mark() == len(self.written)
                for code, status in self.decided.items():
                    assert self.service.remote_status(operator, code)["status"] == status
            finally:
                self.db.dispose()
                self.network.shutdown()
                shutil.rmtree(self.folder, ignore_errors=True)

    run = settings(max_examples=20, stateful_step_count=12, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])(Protocol)
    run.TestCase().runTest()
