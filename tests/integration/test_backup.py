"""Backups on the real encrypted database: made while the kiosk writes, encrypted, self-checking, refused when
damaged, cut short or another kiosk's, restored only into a closed kiosk, and restored on a new machine with
the recovery key. Commands run as real processes (tests/kiosk_cli.py)."""

from __future__ import annotations

import hashlib
import struct
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dossier_samples import sample_dossier
from kiosk_cli import KioskCli
from sqlalchemy import func, select

from kiosk.db.engine import open_database
from kiosk.db.keys import parse_recovery
from kiosk.db.models import AuditEntry, OutboxOp
from kiosk.db.models_dossier import DossierAttachment, DossierRow
from kiosk.services.backup import BackupService
from kiosk.services.backup_file import MAGIC, BackupError, create_backup, read_backup
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import AttachmentIn, DossierService

UNIT = "000.00.24.H57"


def dossier_service(db, tmp_path) -> DossierService:
    return DossierService(db, load_catalog(), CalendarService(imported_path=tmp_path / "cal.json"), UNIT)


def submit(dossiers: DossierService, operator, seed: int, scan: bytes | None = None) -> str:
    service = dossiers.catalog.get(15)
    sample = sample_dossier(service, seed, today=datetime.now().date())
    attachments = [AttachmentIn(a.document_id, a.filename, a.media_type, scan or a.data) for a in sample["attachments"]]
    return dossiers.submit(operator, 15, sample["citizen"], sample["persons"], sample["form"], attachments).tracking_code


def test_backups_made_while_the_counter_writes_are_each_one_consistent_moment(db, data_dir, operator, tmp_path):
    dossiers = dossier_service(db, tmp_path)
    submit(dossiers, operator, 1)
    stop = threading.Event()
    written: list[str] = []

    def counter() -> None:
        seed = 100
        while not stop.is_set():
            written.append(submit(dossiers, operator, seed))
            seed += 1

    writer = threading.Thread(target=counter)
    writer.start()
    try:
        infos = [create_backup(db, data_dir, tmp_path / f"b{i}.kbak") for i in range(3)]
    finally:
        stop.set()
        writer.join()
    assert len(written) >= 1, "the counter kept writing while the backups ran"
    for info in infos:
        assert read_backup(tmp_path / f"b{infos.index(info)}.kbak", db.key).counts == info.counts
        target = tmp_path / f"restored-{info.backup_id[:8]}"
        target.mkdir()
        from kiosk.services.backup_file import restore_body

        fresh = restore_body(tmp_path / f"b{infos.index(info)}.kbak", db.key, info, target)
        fresh.rename(target / "kiosk.db")
        (target / "kiosk.key").write_text(db.key.raw.hex())
        (target / "kiosk.key").chmod(0o600)
        copy = open_database(target, use_keyring=False)
        try:
            with copy.sessions() as s:
                n = s.scalar(select(func.count()).select_from(DossierRow))
                ops = s.scalar(select(func.count()).select_from(OutboxOp).where(OutboxOp.kind == "dossier.created"))
                received = s.scalar(select(func.count()).select_from(AuditEntry)
                                    .where(AuditEntry.action == "dossier.create"))
        finally:
            copy.dispose()
        # Every dossier came with its outbox row and its audit entry, in one transaction: no torn copy.
        assert n == ops == received == info.records["dossiers"] >= 1


def test_a_backup_is_encrypted_and_brings_the_scans_back_byte_for_byte(db, data_dir, operator, tmp_path):
    dossiers = dossier_service(db, tmp_path)
    marker = f"SCAN-{uuid.uuid4().hex}".encode()
    scan = b"%PDF-1.4\n% " + marker + b"\n%%EOF\n"
    code = submit(dossiers, operator, 7, scan)
    out = tmp_path / "usb" / "one.kbak"
    service = BackupService(db, data_dir, tmp_path / "usb")
    with pytest.raises(BackupError) as missing:
        service.create(operator, out)  # a file the operator names goes into a folder that exists
    assert missing.value.reason == "no_folder"
    out.parent.mkdir()
    info = service.create(operator, out)
    assert out.stat().st_mode & 0o777 == 0o600
    assert info.records["dossiers"] == 1 and info.records["scans"] >= 1
    assert marker not in out.read_bytes() and b"SQLite format 3" not in out.read_bytes()
    home = KioskCli(tmp_path / "new-pc")
    key_file = tmp_path / "recovery.key"
    key_file.write_text(f"KIOSK-RECOVERY-KEY-1 {db.meta('kiosk_id')} {db.key.raw.hex()} "
                        f"{hashlib.sha256(db.key.raw).hexdigest()[:8]}\n")
    restored = home.json("backup", "restore", str(out), "--key-file", str(key_file))
    assert restored["backup"]["backup_id"] == info.backup_id
    copy = open_database(home.data_dir, use_keyring=False)
    try:
        with copy.sessions() as s:
            data = s.scalars(select(DossierAttachment.data).join(DossierRow).where(DossierRow.tracking_code == code)).all()
    finally:
        copy.dispose()
    assert scan in data


@pytest.fixture
def kiosk_one(tmp_path) -> KioskCli:
    one = KioskCli(tmp_path / "quay-1")
    one.run("staff", "list")  # opens the data folder: key, database, first administrator
    return one


def test_damaged_cut_short_foreign_and_non_backup_files_are_refused_and_change_nothing(kiosk_one, tmp_path):
    good = tmp_path / "good.kbak"
    kiosk_one.run("backup", "create", "--out", str(good))
    blob = good.read_bytes()
    cases = {
        "cut.kbak": blob[: len(blob) // 2],
        "flipped.kbak": blob[:5000] + bytes([blob[5000] ^ 0x01]) + blob[5001:],
        "notes.txt": "Sổ theo dõi hồ sơ\n".encode(),
        "header.kbak": blob[:-100] + bytes([blob[-100] ^ 0x20]) + blob[-99:],
        # A forged trailer whose header is 100,000 levels of nesting (read before its HMAC can be checked).
        "deep.kbak": b"x" * 4096 + b"[" * 100_000 + b"]" * 100_000
                     + struct.pack(">I32s8s", 200_000, bytes(32), MAGIC),
    }
    other = KioskCli(tmp_path / "quay-2")
    other.run("backup", "create", "--out", str(tmp_path / "foreign.kbak"))
    before = hashlib.sha256((kiosk_one.data_dir / "kiosk.db").read_bytes()).hexdigest()
    expected = {"cut.kbak": "not_backup", "flipped.kbak": "damaged", "notes.txt": "not_backup",
                "header.kbak": "damaged", "foreign.kbak": "foreign", "deep.kbak": "damaged"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    for name, reason in expected.items():
        for verb in ("verify", "restore"):
            refused = kiosk_one.run("backup", verb, str(tmp_path / name), "--json", ok=False)
            assert refused.returncode == 2, (name, verb, refused.stderr)
            assert f'"error": "{reason}"' in refused.stdout, (name, refused.stdout)
            assert refused.stderr.strip()  # a sentence for the operator
    assert "kiosk khác" in kiosk_one.run("backup", "restore", str(tmp_path / "foreign.kbak"), ok=False).stderr
    assert hashlib.sha256((kiosk_one.data_dir / "kiosk.db").read_bytes()).hexdigest() == before
    assert not list(kiosk_one.data_dir.glob("kiosk.db.before-restore-*"))
    assert kiosk_one.json("backup", "verify", str(good))["kiosk_id"]


def test_restore_waits_until_the_kiosk_is_closed(kiosk_one, tmp_path):
    from kiosk.support.instance_lock import acquire_instance_lock

    good = tmp_path / "good.kbak"
    kiosk_one.run("backup", "create", "--out", str(good))
    lock = acquire_instance_lock(kiosk_one.data_dir)  # the GUI holds this while it runs
    assert lock is not None
    try:
        refused = kiosk_one.run("backup", "restore", str(good), ok=False)
        assert refused.returncode == 1 and "đang chạy" in refused.stderr
    finally:
        lock.unlock()
    assert kiosk_one.run("backup", "restore", str(good)).returncode == 0


def test_a_new_machine_needs_the_recovery_key(kiosk_one, tmp_path):
    good = tmp_path / "good.kbak"
    kiosk_one.run("backup", "create", "--out", str(good))
    key_file = tmp_path / "safe" / "quay-1.key"
    key_file.parent.mkdir()
    kiosk_one.run("backup", "key", "--out", str(key_file))
    assert key_file.stat().st_mode & 0o077 == 0
    assert parse_recovery(key_file.read_text())[0] == kiosk_one.json("sync", "--status")["kiosk_id"]
    assert kiosk_one.run("backup", "key", "--out", str(key_file), ok=False).returncode == 2  # never overwritten
    fresh = KioskCli(tmp_path / "new-pc")
    refused = fresh.run("backup", "restore", str(good), "--json", ok=False)
    assert refused.returncode == 2 and '"error": "no_key"' in refused.stdout
    typo = tmp_path / "typo.key"
    words = key_file.read_text().split()
    words[2] = ("1" if words[2][0] != "1" else "2") + words[2][1:]  # one hex digit of the key mistyped
    typo.write_text(" ".join(words))
    assert fresh.run("backup", "restore", str(good), "--key-file", str(typo), ok=False).returncode == 2
    fresh.run("backup", "restore", str(good), "--key-file", str(key_file))
    staff = fresh.json("staff", "list")
    assert [s["username"] for s in staff] == ["admin"]  # the kiosk's own staff, opened with the installed key


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(tzinfo=None)

    def __call__(self) -> datetime:
        return self.now


def test_the_daily_backup_keeps_the_newest_n(db, data_dir, operator, tmp_path):
    clock = Clock()
    folder = tmp_path / "share"
    service = BackupService(db, data_dir, folder, keep=3, clock=clock)
    assert service.status()["last"] is None and service.due()
    made = []
    for _day in range(5):
        made.append(service.daily(operator))
        assert service.daily(operator) is None  # once a day
        clock.now += timedelta(days=1)
    left = sorted(p.name for p in folder.glob("*.kbak"))
    assert left == sorted(Path(p.path).name for p in made[-3:])
    assert service.status()["last"]["backup_id"] == made[-1].backup_id
    broken = BackupService(db, data_dir, tmp_path / "file-not-folder" / "x", keep=3, clock=clock)
    (tmp_path / "file-not-folder").write_text("a file where the share should be")
    with pytest.raises(BackupError) as failed:
        broken.daily(operator)
    assert failed.value.reason == "unwritable"
    assert broken.status()["error"]["reason"] == "unwritable"
