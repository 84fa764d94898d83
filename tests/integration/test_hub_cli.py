"""`kiosk-hub` and `kiosk enrol` / `kiosk sync` as operators run them: real processes, real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from kiosk.hub.embedded import free_port


def run(*args: str, module: str = "kiosk") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ))


@pytest.fixture
def hub_server(tmp_path):
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kiosk.hub", "serve", "--db", db, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/health", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.05)
    yield url, db
    process.terminate()
    process.wait(timeout=10)


def test_enrol_sync_status_and_stats_from_the_command_line(hub_server, data_dir):
    url, db = hub_server
    assert httpx.get(f"{url}/health").json()["status"] == "ok"
    assert "/v1/push" in httpx.get(f"{url}/openapi.json").json()["paths"]

    code = json.loads(run("enrol-code", "--db", db, "--station", "CA-PHUONG-1", "--json", module="kiosk.hub").stdout)
    bad = run("enrol", "--hub", url, "--code", "XXXX-XXXX-XXXX", "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "bad_code" and "Mã đăng ký" in bad.stderr
    enrolled = run("enrol", "--hub", url, "--code", code["code"], "--json")
    assert enrolled.returncode == 0, enrolled.stderr
    kiosk_id = json.loads(enrolled.stdout)["kiosk_id"]

    from kiosk.db.engine import open_database
    from kiosk.services import outbox

    database = open_database(data_dir, use_keyring=False)
    with database.transaction() as s:
        outbox.enqueue(s, "dossier.created", {"tracking_code": "000.00.24.H57-261125-0001"})
        outbox.enqueue(s, "account.requested", {"level": 2})
    database.dispose()
    synced = run("sync", "--once", "--json")
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout) | {"pushed": 2, "pending": 0} == json.loads(synced.stdout)

    changed = run("dossier", "status", "000.00.24.H57-261125-0001", "processing", "--note", "đang xử lý",
                  "--db", db, "--json", module="kiosk.hub")
    assert json.loads(changed.stdout)["previous"] == "received"
    missing = run("dossier", "status", "NO-SUCH", "done", "--db", db, module="kiosk.hub")
    assert missing.returncode == 1 and "Không có hồ sơ" in missing.stderr
    assert json.loads(run("sync", "--json").stdout)["pulled"] == 1
    status = json.loads(run("sync", "--status", "--json").stdout)
    assert status["enrolled"] and status["hub_position"] == 2 and status["cursor"] == 1

    stats = json.loads(run("stats", "--db", db, "--json", module="kiosk.hub").stdout)
    assert stats["dossiers"] == 1 and stats["account_requests"] == 1
    assert stats["kiosks"] == [stats["kiosks"][0] | {"kiosk_id": kiosk_id, "station": "CA-PHUONG-1",
                                                     "high_water_mark": 2, "duplicates_refused": 0}]


def test_back_office_status_needs_a_token(hub_server):
    url, db = hub_server
    endpoint = f"{url}/v1/backoffice/dossiers/X-1/status"
    refused = httpx.post(endpoint, json={"status": "done"})
    assert refused.status_code == 401 and refused.json()["message_vi"]
    token = json.loads(run("backoffice-token", "--name", "mot-cua", "--db", db, "--json", module="kiosk.hub").stdout)
    unknown = httpx.post(endpoint, json={"status": "done"}, headers={"authorization": f"Bearer {token['token']}"})
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_dossier"


def test_halted_sync_exits_3_and_says_why(data_dir):
    from kiosk.db.engine import open_database
    from kiosk.db.models_sync import SyncState

    database = open_database(data_dir, use_keyring=False)
    with database.transaction() as s:
        s.add(SyncState(id=1, hub_url="http://127.0.0.1:9", station="S", enrolled_at="x", hub_position=0, cursor=0,
                        cursor_uid="", keys_version=0, clock_offset_s=0, consecutive_failures=1, halted=True,
                        halted_reason="conflict"))
    database.dispose()
    result = run("sync", "--once")
    assert result.returncode == 3 and "DỪNG" not in result.stderr and "KHÁC" in result.stdout


def test_back_office_tokens_expire_and_can_be_revoked(hub_server):
    # Issue 15, finding 11: back-office tokens never expired and could not be revoked.
    url, db = hub_server
    endpoint = f"{url}/v1/backoffice/dossiers/X-1/status"

    def answer(token: str) -> httpx.Response:
        return httpx.post(endpoint, json={"status": "done"}, headers={"authorization": f"Bearer {token}"})

    made = json.loads(run("backoffice-token", "--name", "mot-cua", "--ttl-days", "30", "--db", db, "--json",
                          module="kiosk.hub").stdout)
    assert made["expires_at"] and answer(made["token"]).status_code == 404  # accepted: the dossier is unknown
    revoked = run("backoffice-token", "--revoke", "mot-cua", "--db", db, "--json", module="kiosk.hub")
    assert revoked.returncode == 0 and json.loads(revoked.stdout)["state"] == "revoked"
    refused = answer(made["token"])
    assert refused.status_code == 401 and refused.json()["error"] == "backoffice_auth"
    assert run("backoffice-token", "--revoke", "nobody", "--db", db, module="kiosk.hub").returncode == 1

    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database

    database = open_hub_database(db)
    try:  # issued two days ago for one day: expired now
        old = Hub(database, clock=lambda: time.time() - 2 * 86400).create_backoffice_token("cu", ttl_s=86400)
    finally:
        database.dispose()
    assert answer(old).status_code == 401
    listed = json.loads(run("backoffice-token", "--list", "--db", db, "--json", module="kiosk.hub").stdout)
    assert {t["name"]: t["state"] for t in listed["tokens"]} == {"mot-cua": "revoked", "cu": "expired"}
    assert all("token" not in t for t in listed["tokens"])  # the tokens themselves are never stored


@pytest.mark.parametrize("ttl", ["-5", "0", "nan", "inf", "169", "abc"])
def test_enrolment_code_lifetimes_outside_a_week_are_refused(tmp_path, ttl):
    # Issue 15, finding 11: `enrol-code --ttl-hours -5` was accepted.
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    result = run("enrol-code", "--station", "CA-1", "--ttl-hours", ttl, "--db", db, module="kiosk.hub")
    assert result.returncode == 2 and "--ttl-hours" in result.stderr and "Traceback" not in result.stderr
    bad_days = run("backoffice-token", "--name", "x", "--ttl-days", ttl if ttl != "169" else "366", "--db", db,
                   module="kiosk.hub")
    assert bad_days.returncode == 2 and "--ttl-days" in bad_days.stderr


def test_blocks_alarms_and_a_retired_kiosk_from_the_command_line(hub_server, data_dir):
    url, db = hub_server
    code = json.loads(run("enrol-code", "--db", db, "--station", "CA-PHUONG-2", "--json", module="kiosk.hub").stdout)
    enrolled = run("enrol", "--hub", url, "--code", code["code"])
    assert enrolled.returncode == 0 and "khối số thứ tự 1" in enrolled.stdout, enrolled.stdout
    status = json.loads(run("sync", "--status", "--json").stdout)
    assert (status["block"], status["block_source"]) == (1, "hub")
    assert "Khối số thứ tự hồ sơ: 1 (số 1001–1999 mỗi ngày, do máy chủ cấp)" in run("sync", "--status").stdout
    by_hand = run("dossier", "slot", "3")
    assert by_hand.returncode == 2 and "máy chủ" in by_hand.stdout + by_hand.stderr

    from kiosk.db.engine import open_database
    from kiosk.services import outbox

    database = open_database(data_dir, use_keyring=False)
    with database.transaction() as s:
        outbox.enqueue(s, "dossier.status", {"tracking_code": "000.00.24.H57-261125-0042",
                                             "dossier_uid": "8b7c2f10-0000-4000-8000-000000000042",
                                             "status": "processing"})
    database.dispose()
    refused = run("sync", "--json")
    report = json.loads(refused.stdout)
    assert refused.returncode == 4 and report["status"] == "attention" and report["rejected"] == [1]
    assert report["alarms"][0]["reason"] == "unknown_dossier" and "Đồng bộ xong" not in report["message_vi"]
    human = run("sync")
    assert human.returncode == 4 and "CẦN XỬ LÝ" in human.stdout and "kiosk sync --acknowledge 1" in human.stdout
    assert "000.00.24.H57-261125-0042" in run("sync", "--status").stdout
    assert run("sync", "--acknowledge", "7").returncode == 2  # nothing refused under 7
    assert run("sync", "--acknowledge", "1").returncode == 0
    assert run("sync").returncode == 0

    kiosk_id = status["kiosk_id"]
    stats = run("stats", "--db", db, module="kiosk.hub").stdout
    assert "Trạm CA-PHUONG-2" in stats and "còn 7 khối số trống" in stats and "khối 1 (số 1001–1999)" in stats
    retired = run("kiosk", "retire", kiosk_id, "--db", db, "--json", module="kiosk.hub")
    assert retired.returncode == 0 and json.loads(retired.stdout)["block"] == 1
    again = run("kiosk", "retire", kiosk_id, "--db", db, module="kiosk.hub")
    assert again.returncode == 1 and "đã được cho thôi sử dụng" in again.stderr and "Traceback" not in again.stderr
    stranger = run("kiosk", "retire", "K-NOBODY", "--db", db, module="kiosk.hub")
    assert stranger.returncode == 1 and "Không có kiosk K-NOBODY" in stranger.stderr
    halted = run("sync", "--json")
    assert halted.returncode == 3 and json.loads(halted.stdout)["error"] == "kiosk_retired"
