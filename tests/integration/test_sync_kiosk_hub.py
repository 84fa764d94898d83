"""Kiosk ↔ hub over real HTTP (uvicorn on loopback), real SQLCipher kiosk, SQLite hub file.

Each way offline-first sync is known to lose or duplicate data (a lost answer, a retried push, a restart
mid-sync, a clock moved back) has a test here (or in the PostgreSQL,
power-loss and chaos tests named in its docstring).
"""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import pytest
import sqlcipher3
from hub_drills import Network
from sqlalchemy import func, select, text
from sync_codes import UNIT
from sync_codes import code as tracking

from kiosk.db.engine import open_database
from kiosk.db.models import OutboxOp
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.hub.models import HubDossier, InboxOp
from kiosk.services import outbox
from kiosk.services.sync import SyncPolicy, SyncService

FAST = SyncPolicy(attempts=3, wait_initial_s=0.001, wait_max_s=0.01, jitter_s=0.001, batch_size=50,
                  loop_interval_s=0.01)


class HubProcess:
    """An SQLite hub served on loopback that can be stopped, restored from a backup and started again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = 0
        self.start()

    def start(self) -> None:
        self.db = open_hub_database(f"sqlite:///{self.path}")
        self.hub = Hub(self.db)
        self.server = EmbeddedHub(self.hub, port=self.port).start()
        self.port = self.server.port

    def stop(self) -> None:
        self.server.stop()
        self.db.dispose()

    @property
    def url(self) -> str:
        return self.server.url

    def backup(self, target: Path) -> None:
        """SQLite's online backup API (never a copy of live files), encrypted under the hub's own key."""
        key = self.path.with_name(f"{self.path.stem}.key").read_text().strip()
        source = self.db.engine.raw_connection()
        try:
            with closing(sqlcipher3.connect(str(target))) as dst:
                dst.execute(f"PRAGMA key = \"x'{key}'\"")
                source.driver_connection.backup(dst)
        finally:
            source.close()

    def restore(self, backup: Path) -> None:
        self.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copy(backup, self.path)
        self.start()

    def count(self, model, *where) -> int:
        with self.db.sessions() as s:
            return s.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def inbox_seqs(self, kiosk_id: str) -> list[int]:
        with self.db.sessions() as s:
            return list(s.scalars(select(InboxOp.seq).where(InboxOp.kiosk_id == kiosk_id).order_by(InboxOp.seq)))


@pytest.fixture
def hub(tmp_path):
    process = HubProcess(tmp_path / "hub.db")
    yield process
    process.stop()


@pytest.fixture
def network():
    net = Network()
    yield net
    net.shutdown()


def make_service(db, network, clock=None, **kwargs) -> SyncService:
    extra = {"clock": clock} if clock is not None else {}
    return SyncService(db, policy=kwargs.pop("policy", FAST), transport=network, sleep=lambda _s: None, **extra,
                       **kwargs)


def enrolled(db, hub, network, operator, station="CA-PHUONG-1", **kwargs) -> SyncService:
    service = make_service(db, network, unit_id=kwargs.pop("unit_id", UNIT), **kwargs)
    service.enrol(operator, hub.hub.create_enrol_code(station), hub.url)
    return service


def write_dossiers(db, start: int, n: int, prefix: str = "T") -> list[str]:
    """Clerk acts: each dossier and its outbox row commit in one transaction."""
    codes = []
    for i in range(start, start + n):
        code = tracking(prefix, i)
        with db.transaction() as s:
            outbox.enqueue(s, "dossier.created", {"tracking_code": code, "service_code": "1.001", "status": "received"})
        codes.append(code)
    return codes


def test_push_then_pull_a_status_decided_on_the_hub(db, hub, network, operator):
    service = enrolled(db, hub, network, operator)
    codes = write_dossiers(db, 1, 120)  # three batches of 50
    report = service.run_once(operator)
    assert report.status == "ok" and report.pushed == 120 and report.pending == 0
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 121))
    assert hub.count(HubDossier) == 120

    hub.hub.set_status(codes[7], "processing", "đang thẩm định")
    assert service.remote_status(operator, codes[7]) is None
    again = service.run_once(operator)
    assert again.pulled == 1 and again.pushed == 0
    pulled = service.remote_status(operator, codes[7])
    assert pulled["status"] == "processing" and pulled["note"] == "đang thẩm định"
    assert service.run_once(operator).pulled == 0  # the cursor moved with the applied change


def test_lost_responses_are_resent_and_acknowledged_once(db, hub, network, operator):
    service = enrolled(db, hub, network, operator)
    write_dossiers(db, 1, 60)
    network.plan = iter(["drop_response", "drop_response", "ok", "drop_response", "duplicate", "hold", "release"])
    report = service.run_once(operator)
    assert report.status == "ok" and report.pending == 0
    stats = hub.hub.stats()["kiosks"][0]
    assert stats["high_water_mark"] == 60 and stats["duplicates_acked"] > 0
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 61))
    assert hub.count(HubDossier) == 60


def test_restored_kiosk_with_different_content_is_refused_and_stops(db, data_dir, hub, network, operator, tmp_path):
    service = enrolled(db, hub, network, operator)
    write_dossiers(db, 1, 3)
    assert service.run_once(operator).ok
    db.dispose()
    backup = tmp_path / "kiosk-backup"
    shutil.copytree(data_dir, backup)
    db2 = open_database(data_dir, use_keyring=False)
    write_dossiers(db2, 4, 2)
    assert make_service(db2, network).run_once(operator).hub_position == 5
    db2.dispose()

    restored = open_database(backup, use_keyring=False)  # a backup restored: seq 4 and 5 reused for other acts
    write_dossiers(restored, 100, 2, prefix="OTHER")
    service = make_service(restored, network)
    report = service.run_once(operator)
    assert report.status == "halted" and report.error == "conflict"
    assert "KHÁC" in report.message_vi
    state = service.state()
    assert state.halted and state.halted_reason == "conflict"
    assert hub.hub.stats()["kiosks"][0]["duplicates_refused"] == 1
    sent = network.sent
    assert service.run_once(operator).status == "halted"
    assert network.sent == sent  # stopped: no retry loop against the hub

    # The way back: the hub's operator issues a re-enrolment code for this kiosk; the kiosk rejoins
    # with a new instance and the next epoch, and its two acts follow the hub's 5 as 6 and 7.
    from kiosk.hub.core import HubError

    kiosk_id = service.who.kiosk_id
    with pytest.raises(HubError) as foreign:
        hub.hub.create_enrol_code("CA-KHAC", rejoin_kiosk=kiosk_id)
    assert foreign.value.code == "unknown_kiosk"
    code = hub.hub.create_enrol_code("CA-PHUONG-1", rejoin_kiosk=kiosk_id)
    network.plan = iter(["drop_response"])  # the hub pins the new identity, the answer is lost
    from kiosk.services.sync_client import HubUnreachable

    with pytest.raises(HubUnreachable):
        service.rejoin(operator, code)
    assert service.state().halted  # nothing changed on the kiosk
    result = service.rejoin(operator, code)  # asked again with the same code: the same new identity
    assert (result["epoch"], result["hub_position"], result["renumbered"]) == (2, 5, 2)
    report = service.run_once(operator)
    assert report.ok and report.pushed == 2 and report.pending == 0
    assert hub.inbox_seqs(kiosk_id) == [1, 2, 3, 4, 5, 6, 7]
    with hub.db.sessions() as s:
        codes = list(s.scalars(select(HubDossier.tracking_code).order_by(HubDossier.seq)))
    assert codes == [tracking("T", n) for n in range(1, 6)] + [tracking("OTHER", 100), tracking("OTHER", 101)]
    stats = hub.hub.stats()["kiosks"][0]
    assert stats["audit_alarm"] is None and stats["high_water_mark"] == 7
    assert make_service(restored, network).run_once(operator).ok  # a fresh service reads the new identity
    restored.dispose()


def test_cloned_kiosk_is_refused(db, data_dir, hub, network, operator, tmp_path):
    enrolled(db, hub, network, operator)
    db.dispose()
    clone_dir = tmp_path / "clone"
    shutil.copytree(data_dir, clone_dir)
    clone = open_database(clone_dir, use_keyring=False)
    with clone.engine.begin() as conn:  # a second install claiming the same id and key
        conn.execute(text("update kiosk_meta set value='00000000-0000-4000-8000-000000000000' where key='instance_uuid'"))
    write_dossiers(clone, 1, 1, prefix="CLONE")
    report = make_service(clone, network).run_once(operator)
    assert report.status == "halted" and report.error == "cloned_kiosk"
    assert hub.hub.stats()["kiosks"][0]["last_refusal"] == "cloned_kiosk"
    assert hub.count(InboxOp) == 0
    clone.dispose()
    original = open_database(data_dir, use_keyring=False)
    write_dossiers(original, 1, 1)
    assert make_service(original, network).run_once(operator).ok
    original.dispose()


def test_queue_drains_after_a_failure_with_no_new_local_write(db, hub, network, operator):
    from kiosk.support.jobs import CancelToken

    service = enrolled(db, hub, network, operator)
    write_dossiers(db, 1, 10)
    network.partitioned = True
    assert service.run_once(operator).status == "offline"
    assert service.state().consecutive_failures == 1 and service.state().pending == 10

    cancel = CancelToken()
    pauses = []

    def sleep(seconds):
        pauses.append(seconds)
        if len(pauses) == 3:
            network.partitioned = False  # the network comes back; nobody writes anything new
        if service.state().pending == 0:
            cancel.cancel()

    service.sleep = sleep
    service.run_loop(operator, cancel)
    assert service.state().pending == 0 and hub.count(HubDossier) == 10
    assert service.state().last_error_code is None


def test_hub_restored_from_backup_gets_the_missing_ops_again(db, hub, network, operator, tmp_path):
    service = enrolled(db, hub, network, operator)
    codes = write_dossiers(db, 1, 10)
    assert service.run_once(operator).ok
    hub.hub.set_status(codes[0], "processing")
    assert service.run_once(operator).pulled == 1
    hub.backup(tmp_path / "hub-backup.db")
    write_dossiers(db, 11, 10)
    hub.hub.set_status(codes[1], "processing")
    assert service.run_once(operator).hub_position == 20
    assert service.state().cursor == 2

    hub.restore(tmp_path / "hub-backup.db")  # the hub lost ops 11..20 and change 2
    hub.hub.set_status(codes[2], "supplement_requested", "thiếu tờ khai")  # change id 2 again, other content
    report = service.run_once(operator)
    assert report.ok and report.pushed == 10
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 21))
    assert service.remote_status(operator, codes[2])["status"] == "supplement_requested"  # not skipped by the cursor


def test_acknowledged_rows_kept_n_days_then_purged_and_numbers_never_reused(db, hub, network, operator, clock):
    policy = SyncPolicy(**{**FAST.__dict__, "keep_acked_days": 14})
    service = enrolled(db, hub, network, operator, clock=clock, policy=policy)
    write_dossiers(db, 1, 5)
    assert service.run_once(operator).ok
    clock.advance(days=13)
    service.run_once(operator)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxOp)) == 5
    clock.advance(days=2)
    service.run_once(operator)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxOp)) == 0
    write_dossiers(db, 6, 1)
    with db.sessions() as s:
        assert s.scalar(select(OutboxOp.seq)) == 6  # from the counter, not max(seq)+1
    assert service.run_once(operator).ok
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 7))


def test_hub_behind_purged_rows_halts(db, hub, network, operator, clock, tmp_path):
    service = enrolled(db, hub, network, operator, clock=clock)
    hub.backup(tmp_path / "empty.db")
    write_dossiers(db, 1, 3)
    assert service.run_once(operator).ok
    clock.advance(days=30)
    service.run_once(operator)  # purges the acknowledged rows
    hub.restore(tmp_path / "empty.db")
    report = service.run_once(operator)
    assert report.status == "halted" and report.error == "hub_behind_purged"


def test_failed_apply_of_pulled_changes_leaves_the_cursor(db, hub, network, operator, monkeypatch):
    service = enrolled(db, hub, network, operator)
    codes = write_dossiers(db, 1, 3)
    assert service.run_once(operator).ok
    for code in codes:
        hub.hub.set_status(code, "processing")
    original = SyncService._apply_change
    calls = []

    def failing(self, session, change):
        calls.append(change["change_id"])
        if len(calls) == 2:
            raise RuntimeError("disk full while applying")
        original(self, session, change)

    monkeypatch.setattr(SyncService, "_apply_change", failing)
    with pytest.raises(RuntimeError):
        service.run_once(operator)
    assert service.state().cursor == 0 and service.remote_status(operator, codes[0]) is None
    monkeypatch.setattr(SyncService, "_apply_change", original)
    assert service.run_once(operator).pulled == 3
    assert all(service.remote_status(operator, c)["status"] == "processing" for c in codes)


def test_hub_failing_mid_batch_advances_nothing(db, hub, network, operator, monkeypatch):
    service = enrolled(db, hub, network, operator)
    write_dossiers(db, 1, 5)
    original = Hub._apply

    def crash(self, s, kiosk, ops):
        original(self, s, kiosk, ops)
        raise RuntimeError("hub process dies before commit")

    monkeypatch.setattr(Hub, "_apply", crash)
    assert service.run_once(operator).status == "offline"
    assert hub.count(InboxOp) == 0 and hub.hub.stats()["kiosks"][0]["high_water_mark"] == 0
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.acked_at.is_not(None))) == 0
    monkeypatch.setattr(Hub, "_apply", original)
    assert service.run_once(operator).ok and hub.count(HubDossier) == 5


def test_business_rule_rejection_is_an_alarm_until_an_administrator_acknowledges_it(db, hub, network, operator):
    """A refused op never blocks the queue, and never reads as done: it is an alarm naming the dossier and
    what to do, in `kiosk sync --json` and on the home screen, until an administrator has dealt with it."""
    service = enrolled(db, hub, network, operator)
    write_dossiers(db, 1, 2)
    write_dossiers(db, 2, 1)  # the same dossier again (an old kiosk: no identity of its own, the same code)
    with db.transaction() as s:
        outbox.enqueue(s, "future.kind", {"x": 1})  # unknown to this hub: stored and acknowledged
        outbox.enqueue(s, "dossier.status", {"tracking_code": tracking("T", 9999), "dossier_uid": "no-such-dossier",
                                             "status": "processing"})
    report = service.run_once(operator)
    assert report.pending == 0 and report.rejected == [3, 5]
    assert report.status == "attention" and not report.ok
    assert "Đồng bộ xong" not in report.message_vi and "CẦN XỬ LÝ" in report.message_vi
    assert [(a["kind"], a["seq"], a["reason"], a["tracking_code"]) for a in report.alarms] == [
        ("rejected", 3, "duplicate_dossier", tracking("T", 2)), ("rejected", 5, "unknown_dossier", tracking("T", 9999))]
    assert tracking("T", 9999) in report.alarms[1]["message_vi"] and "quản trị viên" in report.alarms[1]["message_vi"]
    assert [r["seq"] for r in service.rejections(operator)] == [3, 5]
    assert hub.count(InboxOp, InboxOp.outcome == "stored") == 1
    assert service.run_once(operator).status == "attention"  # still there at the next sync
    assert len(service.state().alarms) == 2

    from kiosk.domain.roles import Principal, Role
    from kiosk.services.errors import InvalidInput, PermissionDenied

    with pytest.raises(PermissionDenied):
        service.acknowledge(Principal("lan", Role.OFFICER), 3)
    with pytest.raises(InvalidInput):
        service.acknowledge(operator, 4)  # op 4 was not refused
    service.acknowledge(operator, 3)
    service.acknowledge(operator, 5)
    again = service.run_once(operator)
    assert again.ok and again.alarms == [] and again.message_vi == "Đồng bộ xong."


def test_skewed_kiosk_clock_still_syncs_and_anchors_the_audit_head(db, hub, network, operator):
    import time

    from kiosk.services import audit

    service = enrolled(db, hub, network, operator)
    service.wall = lambda: time.time() + 3 * 3600  # three hours fast
    with db.transaction() as s:
        audit.append(s, "canbo", "dossier.created", "dossier", "T-1")
    write_dossiers(db, 1, 1)
    assert service.run_once(operator).ok
    assert service.state().hub_position == 1
    assert service.run_once(operator).ok  # storing the hub's keys added an entry after the first anchor
    head = int(db.meta("audit_head_seq"))
    assert hub.hub.stats()["kiosks"][0]["audit_head_seq"] == head


def test_station_keys_reach_the_receipts_trust_store(db, hub, network, operator, tmp_path):
    from kiosk.db.models_receipts import StationKey

    first = enrolled(db, hub, network, operator)
    other_db = open_database(tmp_path / "k2", use_keyring=False)
    second = enrolled(other_db, hub, network, operator)
    assert first.run_once(operator).ok
    with db.sessions() as s:
        trusted = {row.kiosk_id: row for row in s.scalars(select(StationKey))}
    assert {first.who.kiosk_id, second.who.kiosk_id} <= set(trusted)
    assert trusted[second.who.kiosk_id].source == "hub"
    other_db.dispose()


def test_batches_are_cut_by_bytes_so_portraits_never_overflow_a_push(db, hub, network, operator):
    """Account requests carry a portrait: a batch stops at its byte budget, whatever its op count."""
    import dataclasses

    service = enrolled(db, hub, network, operator,
                       policy=dataclasses.replace(FAST, batch_size=1000, batch_bytes=64 * 1024))
    portrait = "A" * 30_000  # a base64 JPEG's worth of payload
    for i in range(9):
        with db.transaction() as s:
            outbox.enqueue(s, "account.requested", {"tracking_code": tracking("P", i + 1), "portrait": portrait})
    write_dossiers(db, 1, 40)  # small ops fill the last batch up to the count
    sent_before = network.sent
    report = service.run_once(operator)
    assert report.ok and report.pushed == 49 and report.pending == 0
    pushes = network.sent - sent_before - 2  # less the pull and the keys refresh
    assert pushes >= 5, "at most two 30 kB portraits fit in 64 kB"
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 50))


def test_a_batch_read_ahead_is_thrown_away_after_a_gap(db, hub, network, operator, monkeypatch):
    """The next batch is read while one is on the wire; a hub that did not take the batch makes
    the kiosk resend from the hub's position, never from the batch it read ahead."""
    import dataclasses

    service = enrolled(db, hub, network, operator, policy=dataclasses.replace(FAST, batch_size=10))
    write_dossiers(db, 1, 35)
    real_send = service.send_batch
    calls = []

    def send(client, ops, head, entries=()):
        calls.append((ops[0]["seq"] if ops else None, len(ops)))
        if len(calls) == 2:  # the second batch is lost in the hub's crash: nothing of it applied
            return {"high_water_mark": 10, "accepted": 0, "duplicates": 0, "gap": True, "rejected": []}
        return real_send(client, ops, head, entries)

    monkeypatch.setattr(service, "send_batch", send)
    report = service.run_once(operator)
    assert report.ok and report.pending == 0
    assert calls[:3] == [(1, 10), (11, 10), (11, 10)]
    assert hub.inbox_seqs(service.who.kiosk_id) == list(range(1, 36))


def test_the_audit_chain_reaches_the_hub_entry_by_entry(db, hub, network, operator, monkeypatch):
    """Audit entries travel with the pushes (a backlog over several), checked link by link on the hub;
    an entry edited on the kiosk before it left stops the copy there and raises the alarm."""
    from kiosk.db.models import AuditEntry, KioskMeta
    from kiosk.hub.models import HubKioskAudit
    from kiosk.services import audit
    from kiosk.services.sync import push as sync_module

    monkeypatch.setattr(sync_module, "AUDIT_BATCH", 4)
    service = enrolled(db, hub, network, operator)
    for i in range(9):
        with db.transaction() as s:
            audit.append(s, "lan", "dossier.view", "dossier", f"T-{i:05d}", {"n": i})
    with db.sessions() as s:
        local = [(r.seq, r.hash) for r in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]
    assert len(local) >= 10  # the enrolment's own entry and the nine views
    report = service.run_once(operator)
    assert report.ok
    with hub.db.sessions() as s:
        copied = [(r.seq, r.hash) for r in s.scalars(select(HubKioskAudit).order_by(HubKioskAudit.seq))]
    assert copied[:len(local)] == local
    with db.sessions() as s:
        assert int(s.get(KioskMeta, "audit_hub_seq").value) == copied[-1][0]
    stats = hub.hub.stats()["kiosks"][0]
    assert stats["audit_alarm"] is None and stats["audit_copy_seq"] == copied[-1][0]

    with db.transaction() as s:
        audit.append(s, "lan", "dossier.view", "dossier", "T-00100", {"n": 100})
        audit.append(s, "lan", "dossier.view", "dossier", "T-00101", {"n": 101})
    with db.transaction() as s:  # someone edits the first of them before it is pushed
        edited = s.scalars(select(AuditEntry).where(AuditEntry.target_id == "T-00100")).one()
        edited.target_id = "T-00999"
        edited_seq = edited.seq
    flagged = service.run_once(operator)
    assert flagged.ok and flagged.audit_alarm == "audit_entry_invalid"  # the ops still sync
    assert service.state().audit_alarm == "audit_entry_invalid"  # the home screen says so until a rejoin
    with hub.db.sessions() as s:
        last = s.scalar(select(func.max(HubKioskAudit.seq)))
    assert last == edited_seq - 1
    assert hub.hub.stats()["kiosks"][0]["audit_alarm"] == "audit_entry_invalid"


def test_a_rejoining_kiosk_skips_the_tracking_codes_its_lost_hours_issued(db, data_dir, hub, network, operator,
                                                                          tmp_path):
    """A kiosk restored from last night's backup has forgotten the codes it gave out since; once it rejoins,
    the hub tells it which codes it holds from it, and the next dossier takes a fresh one."""
    from dossier_samples import sample_dossier

    from kiosk.domain.roles import Principal, Role
    from kiosk.domain.tracking import TrackingCode
    from kiosk.services.calendar import CalendarService
    from kiosk.services.catalog import load_catalog
    from kiosk.services.dossiers import DossierService

    catalog = load_catalog()
    officer = Principal("lan", Role.OFFICER)

    def take(database, seed: int) -> str:
        dossiers = DossierService(database, catalog, CalendarService(imported_path=tmp_path / "cal.json"),
                                  "000.00.24.H57")
        sample = sample_dossier(catalog.get(3), seed=seed)
        return dossiers.submit(officer, 3, sample["citizen"], sample["persons"], sample["form"],
                               sample["attachments"]).tracking_code

    service = enrolled(db, hub, network, operator)
    first = take(db, 1)
    assert service.run_once(operator).ok
    db.dispose()
    backup = tmp_path / "kiosk-backup"
    shutil.copytree(data_dir, backup)  # last night's backup: one dossier
    db2 = open_database(data_dir, use_keyring=False)
    lost = [take(db2, 2), take(db2, 3)]  # this morning's, on the hub, then the disk dies
    assert make_service(db2, network).run_once(operator).ok
    db2.dispose()

    restored = open_database(backup, use_keyring=False)
    service = make_service(restored, network)
    code = hub.hub.create_enrol_code("CA-PHUONG-1", rejoin_kiosk=service.who.kiosk_id)
    assert service.rejoin(operator, code)["day_counters_advanced"] == 1
    fresh = take(restored, 4)
    assert fresh not in [first, *lost]
    assert TrackingCode.parse(fresh).sequence == TrackingCode.parse(lost[-1]).sequence + 1
    report = service.run_once(operator)
    assert report.ok and report.rejected == [] and hub.count(HubDossier) == 4
    restored.dispose()
