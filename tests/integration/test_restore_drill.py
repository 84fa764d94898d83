"""The restore drill, as a station runs it: a kiosk backs up, works on, loses its disk, is restored from the
backup, rejoins the hub and syncs. Real processes (`kiosk`, `kiosk-hub`), a real hub over HTTP (uvicorn on
loopback), two kiosks of one station. Nothing may be lost on the hub and nothing may reach it twice; no
tracking code may be handed out twice.
"""

from __future__ import annotations

from datetime import datetime

from dossier_samples import cli_files
from kiosk_cli import KioskCli
from sqlalchemy import select

from kiosk.hub.models import HubDossier, InboxOp, StationChange
from kiosk.services.catalog import load_catalog

STATION = "CA-PHUONG-1"


def new_dossier(kiosk: KioskCli, seed: int, number: int = 3) -> str:
    folder = kiosk.home / f"files-{seed}"
    folder.mkdir(exist_ok=True)
    args, _ = cli_files(folder, load_catalog().get(number), seed, today=datetime.now().date())
    return kiosk.json("dossier", "create", *args)["tracking_code"]


def enrolled(tmp_path, hub, name: str) -> KioskCli:
    """A kiosk of the station, enrolled: the hub gives it its own block of the day's dossier numbers."""
    core, url = hub
    kiosk = KioskCli(tmp_path / name, station_id=STATION, hub_url=url)
    kiosk.run("enrol", "--code", core.create_enrol_code(STATION))
    return kiosk


def test_a_restored_kiosk_rejoins_and_the_hub_has_everything_once(tmp_path, live_hub):
    hub = live_hub
    core, _url = hub
    a = enrolled(tmp_path, hub, "quay-1")
    b = enrolled(tmp_path, hub, "quay-2")
    synced = [new_dossier(a, 1), new_dossier(a, 2)]
    assert a.json("sync", "--once")["pushed"] == 2
    offline = new_dossier(a, 3)  # the hub is out of reach: still waiting when the nightly backup runs
    backup = tmp_path / "usb" / "quay-1.kbak"
    backup.parent.mkdir()
    made = a.json("backup", "create", "--out", str(backup))
    assert made["records"]["dossiers"] == 3
    after_backup = new_dossier(a, 4)
    a.run("dossier", "status", synced[0], "processing")
    report = a.json("sync", "--once")
    assert report["status"] == "ok" and report["pushed"] == 3  # the waiting one, the new one, the move
    other = new_dossier(b, 5)
    assert b.json("sync", "--once")["status"] == "ok"

    # The disk of counter 1 dies; its data folder is restored from last night's backup.
    for path in a.data_dir.glob("kiosk.db*"):
        path.unlink()
    restored = a.json("backup", "restore", str(backup))
    assert restored["rejoin_required"] is True and restored["backup"]["records"]["dossiers"] == 3

    # Until it rejoins, it neither syncs nor hands out a tracking code (the lost hours gave some out).
    folder = a.home / "files-6"
    folder.mkdir()
    args, _ = cli_files(folder, load_catalog().get(3), 6, today=datetime.now().date())
    refused = a.run("dossier", "create", *args, ok=False)
    assert refused.returncode == 1 and "đăng ký lại" in refused.stderr
    halted = a.json("sync", "--once", ok=False)
    assert halted["status"] == "halted" and halted["error"] == "restored"
    resume = a.run("sync", "--resume", ok=False)
    assert resume.returncode == 2 and "đăng ký lại" in resume.stderr

    kiosk_id = a.json("sync", "--status")["kiosk_id"]
    code = core.create_enrol_code(STATION, rejoin_kiosk=kiosk_id)
    rejoined = a.json("enrol", "--rejoin", "--code", code)
    # The op the backup held as waiting had reached the hub before the disk died: recognised, not resent.
    assert rejoined["already_held"] == 1 and rejoined["renumbered"] == 0
    assert rejoined["statuses_caught_up"] == 1  # the move made after the backup, known only to the hub
    fresh = new_dossier(a, 7)
    assert fresh not in (synced + [offline, after_backup, other])
    report = a.json("sync", "--once")
    assert report["status"] == "ok" and report["pushed"] == 1 and report["rejected"] == []

    with core.db.sessions() as s:
        codes = sorted(s.scalars(select(HubDossier.tracking_code)))
        rejected = s.scalars(select(InboxOp.seq).where(InboxOp.outcome == "rejected")).all()
        seqs = list(s.scalars(select(InboxOp.seq).where(InboxOp.kiosk_id == kiosk_id).order_by(InboxOp.seq)))
        refusals = s.scalars(select(StationChange.payload).where(StationChange.kind == "op.rejected")).all()
        status = s.get(HubDossier, synced[0]).status
    assert codes == sorted([*synced, offline, after_backup, other, fresh])  # all there, each once
    assert rejected == [] and refusals == []
    assert seqs == list(range(1, len(seqs) + 1))  # one unbroken sequence from this kiosk
    assert status == "processing"
    # The move made after the backup comes back to the restored kiosk through the pull.
    assert a.json("dossier", "show", synced[0])["status"] == "processing"
