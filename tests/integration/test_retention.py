"""Retention on the real encrypted database, with a real hub over HTTP for "synced": what goes, what stays,
the audit by count, and the bytes gone from the file itself (pages decrypted by tests/sqlcipher_pages.py)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from dossier_samples import person, sample_dossier, snapshot
from photos import astronaut
from sqlalchemy import select
from sqlcipher_pages import plaintext

from kiosk.db.models import AuditEntry
from kiosk.services.accounts import AccountRequestInput, AccountService
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import AttachmentIn, DossierService
from kiosk.services.errors import NotFound
from kiosk.services.retention import RetentionService
from kiosk.services.sync import SyncService
from kiosk.support.config import Settings, load_settings

UNIT = "000.00.24.H57"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sync(db, live_hub, operator) -> SyncService:
    core, url = live_hub
    service = SyncService(db, sleep=lambda _s: None, unit_id=UNIT)
    service.enrol(operator, core.create_enrol_code("CA-PHUONG-1"), url)
    return service


def scanned(dossiers: DossierService, operator, seed: int) -> tuple[str, bytes]:
    """A dossier of service 15 (its birth notice is scanned) whose scan carries a marker; (tracking code, marker)."""
    service = dossiers.catalog.get(15)
    sample = sample_dossier(service, seed, today=datetime.now().date())
    marker = f"SCAN-MARKER-{uuid.uuid4().hex}".encode()
    pdf = b"%PDF-1.4\n% " + marker + b"\n" + os.urandom(6000).hex().encode() + b"\n%%EOF\n"  # spans overflow pages
    attachments = [AttachmentIn(a.document_id, a.filename, a.media_type, pdf) for a in sample["attachments"]]
    assert attachments, "service 15 asks for a scan"
    code = dossiers.submit(operator, 15, sample["citizen"], sample["persons"], sample["form"], attachments).tracking_code
    return code, marker


def finish(dossiers: DossierService, operator, code: str) -> None:
    for status in ("processing", "result_ready", "returned"):
        dossiers.change_status(operator, code, status)


def test_scans_of_ended_synced_dossiers_leave_the_file(db, data_dir, sync, operator, tmp_path):
    dossiers = DossierService(db, load_catalog(), CalendarService(imported_path=tmp_path / "cal.json"), UNIT)
    ended, ended_marker = scanned(dossiers, operator, 1)
    open_code, open_marker = scanned(dossiers, operator, 2)
    waiting, waiting_marker = scanned(dossiers, operator, 3)
    finish(dossiers, operator, ended)
    dossiers.change_status(operator, open_code, "processing")
    assert sync.run_once(operator).ok
    finish(dossiers, operator, waiting)  # returned, but the hub has not got these moves yet
    key = db.key.raw
    for marker in (ended_marker, open_marker, waiting_marker):
        assert marker in plaintext(db.path, key)  # the scan reads the file: it sees what is there

    settings = Settings(data_dir=data_dir)
    # Luật Khiếu nại 02/2011/QH13, Điều 9: a complaint may be lodged within 90 days — the default period.
    assert settings.retention_scans_days == 90
    now = datetime.now(UTC).replace(tzinfo=None)
    early = RetentionService(db, settings, clock=Clock(now + timedelta(days=89))).run(operator, dry_run=True)
    assert {r.kind: r.count for r in early.results}["dossier_scans"] == 0
    later = RetentionService(db, settings, clock=Clock(now + timedelta(days=91)))
    counted = later.run(operator, dry_run=True)
    scans = len(dossiers.get(operator, ended, full=True)["attachments"])
    assert {r.kind: r.count for r in counted.results}["dossier_scans"] == scans
    assert dossiers.attachment(operator, ended, dossiers.get(operator, ended)["attachments"][0]["id"])[1]  # still there

    report = later.run(operator)
    assert {r.kind: r.count for r in report.results}["dossier_scans"] == scans
    assert report.checkpoint is not None and report.checkpoint["busy"] == 0
    record = dossiers.get(operator, ended)
    assert all(a["purged_at"] for a in record["attachments"])  # what was handed in stays on record
    with pytest.raises(NotFound):
        dossiers.attachment(operator, ended, record["attachments"][0]["id"])
    with db.sessions() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purged")).all()
    assert [(e.target_kind, json.loads(e.detail)) for e in entries] == [("dossier_scans", {"count": scans, "days": 90})]

    wal = db.path.with_name(db.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # the log's old page images are gone too
    text = plaintext(db.path, key)
    assert ended_marker not in text
    assert open_marker in text and waiting_marker in text  # not ended / not synced: kept
    assert later.run(operator).total == 0  # a second run finds nothing more


def test_an_acknowledged_portrait_leaves_the_table_the_outbox_copy_and_the_file(db, data_dir, sync, operator):
    accounts = AccountService(db, UNIT)
    adult = snapshot(person(61, age=33))
    got = accounts.submit(operator, AccountRequestInput(
        citizen=adult, level=2, phone="0912000111", consent_by=("holder", "guardian"), consent_version="2026.1",
        portrait=astronaut(), fingerprint_checked=True))
    stored = accounts.portrait(operator, got.request_id)
    sample = stored[len(stored) // 2:len(stored) // 2 + 48]
    key = db.key.raw
    assert sample in plaintext(db.path, key)
    assert sync.run_once(operator).ok  # the hub acknowledges; the sync's follow-up has not run here
    report = RetentionService(db, Settings(data_dir=data_dir)).run(operator)
    assert {r.kind: r.count for r in report.results}["account_portraits"] == 1
    text = plaintext(db.path, key)
    assert sample not in text
    assert base64.b64encode(stored)[4000:4064] not in text  # nor its base64 copy in the outbox payload


def test_rotated_logs_past_their_days_are_deleted_the_live_log_never(db, data_dir, operator):
    settings = Settings(data_dir=data_dir)
    logs = settings.log_dir
    logs.mkdir(parents=True, exist_ok=True)
    old = time.time() - 100 * 86400
    for name in ("kiosk.log", "kiosk.log.1", "kiosk.log.2", "demo-card.log"):
        (logs / name).write_text("x")
        os.utime(logs / name, (old, old))
    (logs / "kiosk.log.3").write_text("recent")
    report = RetentionService(db, settings).run(operator)
    assert {r.kind: r.count for r in report.results}["logs"] == 3
    assert sorted(p.name for p in logs.iterdir()) == ["kiosk.log", "kiosk.log.3"]


def queue_ticket(db, day: date, number: str, draft: str) -> str:
    """A hall ticket of station day `day` still holding its draft (as `kiosk queue take` leaves one)."""
    from kiosk.db.models_hall import QueueTicket

    ticket_id, at = str(uuid.uuid4()), f"{day.isoformat()}T02:00:00Z"
    with db.transaction() as s:
        s.add(QueueTicket(id=ticket_id, day=day.isoformat(), number=number, group_letter="A", service_no=3,
                          status="waiting", origin="taken", kiosk_id="K-HALL", created_at=at, updated_at=at,
                          hub_state="sent", draft=draft, qr_text="VNQ1:" + draft))
    return ticket_id


def test_queue_drafts_of_earlier_days_leave_the_file_through_the_queues_own_purge(db, data_dir, operator):
    from kiosk.db.models_hall import QueueTicket
    from kiosk.domain.dossier import local_received_at

    now = datetime(2026, 12, 2, 3, 0)  # naive UTC: 10:00 in the station (ICT, UTC+7)
    today = local_received_at(None, now).date()
    old_marker, today_marker = f"DRAFT-{uuid.uuid4().hex}", f"DRAFT-{uuid.uuid4().hex}"
    old = queue_ticket(db, today - timedelta(days=1), "A001", json.dumps({"form": {"note": old_marker}}))
    kept = queue_ticket(db, today, "A001", json.dumps({"form": {"note": today_marker}}))
    key = db.key.raw
    assert old_marker.encode() in plaintext(db.path, key)
    service = RetentionService(db, Settings(data_dir=data_dir), clock=Clock(now))
    assert service.policy()[2]["kind"] == "queue_drafts" and service.policy()[2]["installed"] is True
    counted = {r.kind: r.count for r in service.run(operator, dry_run=True).results}
    assert counted["queue_drafts"] == 1
    with db.sessions() as s:
        assert s.get(QueueTicket, old).draft is not None  # a dry run only counts
    report = service.run(operator)
    assert {r.kind: r.count for r in report.results}["queue_drafts"] == 1
    with db.sessions() as s:
        gone, stays = s.get(QueueTicket, old), s.get(QueueTicket, kept)
        assert (gone.status, gone.draft, gone.qr_text) == ("expired", None, None)
        assert stays.draft is not None and stays.status == "waiting"  # today's line is not touched
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.purged",
                                                     AuditEntry.target_kind == "queue_drafts")).all()
    assert [json.loads(e.detail) for e in entries] == [{"count": 1, "days": 0}]  # the count, never the draft
    text = plaintext(db.path, key)
    assert old_marker.encode() not in text and today_marker.encode() in text


def kiosk(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ))
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_an_administrator_locks_the_periods_and_the_cli_runs_them(isolated_settings):
    machine = Path(os.environ["KIOSK_MACHINE_CONFIG"])
    machine.parent.mkdir(parents=True, exist_ok=True)
    machine.write_text('locked = ["retention_scans_days"]\n[settings]\nretention_scans_days = 30\n')
    user = Path(os.environ["KIOSK_CONFIG_FILE"])
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("[settings]\nretention_scans_days = 3650\nretention_log_days = 120\n")
    assert load_settings().settings.retention_scans_days == 30
    policy = {k["kind"]: k for k in json.loads(kiosk("retention", "policy", "--json").stdout)["kinds"]}
    assert (policy["dossier_scans"]["days"], policy["dossier_scans"]["locked"]) == (30, True)
    assert (policy["logs"]["days"], policy["logs"]["locked"]) == (120, False)
    assert all(k["source"] for k in policy.values())
    dry = kiosk("retention", "run", "--dry-run", "--json")
    assert dry.returncode == 0 and json.loads(dry.stdout)["dry_run"] is True
    user.write_text("[settings]\nretention_log_days = -5\n")
    refused = kiosk("retention", "run")
    assert refused.returncode != 0 and "retention_log_days" in refused.stderr
