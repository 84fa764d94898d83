"""Account requests through the real sync: pushed to an embedded hub over HTTP, decided there, pulled back."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hub_drills import Network
from sqlalchemy import select

from kiosk.hub.models import AccountRequest
from kiosk.services.accounts import AccountRequestInput, AccountService, Refused
from kiosk.services.status_check import StatusCheckService
from kiosk.services.sync import SyncPolicy, SyncService
from tests.dossier_samples import person, snapshot

#: The unit the accounts of these tests number under (AccountService's below), bound to their station.
UNIT = "000.00.24.H57"
FAST = SyncPolicy(attempts=3, wait_initial_s=0.001, wait_max_s=0.01, jitter_s=0.001)


@pytest.fixture
def hub(hub_server):
    return hub_server


@pytest.fixture
def network():
    net = Network()
    yield net
    net.shutdown()


def enrolled(db, hub, network, operator, clock) -> SyncService:
    sync = SyncService(db, policy=FAST, transport=network, sleep=lambda _s: None, clock=clock, unit_id=UNIT)
    sync.enrol(operator, hub.hub.create_enrol_code("CA-PHUONG-1"), hub.url)
    return sync


def request(seed: int, phone: str) -> AccountRequestInput:
    return AccountRequestInput(citizen=snapshot(person(seed, age=30)), level=1, phone=phone,
                               consent_by=("holder",), consent_version="2026.1")


def test_request_pushed_decided_on_the_hub_and_pulled_back(db, hub, network, operator, clock) -> None:
    accounts = AccountService(db, "000.00.24.H57", clock=clock)
    sync = enrolled(db, hub, network, operator, clock)
    ok = accounts.submit(operator, request(1, "0912000001"))
    bad = accounts.submit(operator, request(2, "0912000002"))
    report = sync.run_once(operator)
    assert report.status == "ok" and report.pushed == 2 and report.rejected == []
    assert hub.hub.stats()["account_requests"] == 2 and hub.hub.stats()["dossiers"] == 0
    with hub.hub.db.sessions() as s:
        payloads = [json.loads(p) for p in s.scalars(select(AccountRequest.payload))]
    assert {p["tracking_code"] for p in payloads} == {ok.tracking_code, bad.tracking_code}
    assert all(p["legal_basis"]["basis"] == "consent" and p["consents"] for p in payloads)

    hub.hub.set_status(ok.tracking_code, "activated", "", actor="backoffice:test")
    hub.hub.set_status(bad.tracking_code, "rejected", "Ảnh chân dung không khớp CSDL quốc gia về dân cư")
    assert sync.run_once(operator).status == "ok"
    assert accounts.after_sync() == {"applied": 2, "portraits_deleted": 0}
    assert accounts.after_sync()["applied"] == 0  # applied once
    shown = accounts.get(operator, bad.tracking_code)
    assert shown["status"] == "rejected"
    assert shown["history"][-1]["origin"] == "hub" and "không khớp" in shown["history"][-1]["note"]
    assert [r["tracking_code"] for r in accounts.list(operator, "activated")] == [ok.tracking_code]

    from kiosk.services.calendar import CalendarService
    from kiosk.services.catalog import load_catalog
    from kiosk.services.dossiers import DossierService

    catalog = load_catalog()
    dossiers = DossierService(db, catalog, CalendarService(), "000.00.24.H57", clock=clock)
    checker = StatusCheckService(None, dossiers, catalog, accounts=accounts)
    answer = checker.check(operator, bad.tracking_code)
    assert answer.found and answer.status == "rejected" and "không khớp" in answer.next_vi
    assert checker.check(operator, ok.tracking_code).status_vi == "Đã kích hoạt tài khoản"


def test_another_kiosk_of_the_station_learns_the_number_and_the_person(db, hub, network, operator, clock,
                                                                       tmp_path) -> None:
    from kiosk.db.engine import open_database

    other_db = open_database(tmp_path / "k2", use_keyring=False)
    try:
        first = AccountService(db, "000.00.24.H57", clock=clock)
        second = AccountService(other_db, "000.00.24.H57", clock=clock)
        sync1 = enrolled(db, hub, network, operator, clock)
        sync2 = enrolled(other_db, hub, network, operator, clock)
        taken = first.submit(operator, request(5, "0912000005"))
        assert sync1.run_once(operator).status == "ok"
        assert sync2.run_once(operator).status == "ok"
        with pytest.raises(Refused) as exc:
            second.submit(operator, request(6, "0912000005"))
        assert taken.tracking_code in dict(exc.value.errors)["phone"]
        with pytest.raises(Refused) as exc:
            second.submit(operator, request(5, "0912000099"))
        assert "citizen" in dict(exc.value.errors)
    finally:
        other_db.dispose()


def test_two_kiosks_that_numbered_before_enrolment_keep_both_requests_under_distinct_codes(
        db, hub, network, operator, clock, tmp_path) -> None:
    """Account requests share the dossiers' codes: a clash is resolved the same way, and the hub's decision
    on one request reaches only that one."""
    from kiosk.db.engine import open_database

    other_db = open_database(tmp_path / "k2", use_keyring=False)
    try:
        first = AccountService(db, "000.00.24.H57", clock=clock)
        second = AccountService(other_db, "000.00.24.H57", clock=clock)
        mine = first.submit(operator, request(7, "0912000007"))
        theirs = second.submit(operator, request(8, "0912000008"))
        assert mine.tracking_code == theirs.tracking_code  # both numbered in block 0
        sync1 = enrolled(db, hub, network, operator, clock)
        sync2 = SyncService(other_db, policy=FAST, transport=network, sleep=lambda _s: None, clock=clock,
                            on_recode=[AccountService.recoded], unit_id=UNIT)
        sync2.enrol(operator, hub.hub.create_enrol_code("CA-PHUONG-1"), hub.url)
        assert sync1.run_once(operator).status == "ok"
        report = sync2.run_once(operator)
        assert report.status == "attention" and report.rejected == []
        (alarm,) = report.alarms
        new = alarm["tracking_code"]
        assert (alarm["kind"], alarm["record_kind"], alarm["previous_code"]) == ("reprint", "account", theirs.tracking_code)
        assert f"kiosk account print {new}" in alarm["message_vi"]
        assert second.get(operator, theirs.tracking_code)["tracking_code"] == new  # the old code still finds it
        assert hub.hub.stats()["account_requests"] == 2

        hub.hub.set_status(new, "rejected", "Số điện thoại không chính chủ", actor="backoffice:test")
        assert sync1.run_once(operator).status == "ok" and sync2.run_once(operator).status == "attention"
        assert first.after_sync()["applied"] == 0 and second.after_sync()["applied"] == 1
        assert first.get(operator, mine.tracking_code)["status"] == "submitted"
        assert second.status_of(operator, theirs.tracking_code)["status"] == "rejected"
    finally:
        other_db.dispose()


def test_the_command_prints_the_request_and_the_refusals(tmp_path) -> None:
    citizen = tmp_path / "c.json"
    citizen.write_text(json.dumps(snapshot(person(7, age=30)), ensure_ascii=False), encoding="utf-8")
    child = tmp_path / "k.json"
    child.write_text(json.dumps(snapshot(person(8, age=9)), ensure_ascii=False), encoding="utf-8")
    base = [sys.executable, "-m", "kiosk", "--data-dir", str(tmp_path / "data"), "account"]

    def run(*args: str) -> tuple[int, dict]:
        done = subprocess.run([*base, *args, "--json"], capture_output=True, text=True, timeout=60)
        assert "Traceback" not in done.stderr
        return done.returncode, json.loads(done.stdout)

    rc, out = run("request", "--citizen", str(citizen), "--level", "1", "--phone", "+84 91 200 0007",
                  "--integrate", "health_insurance")
    assert rc == 0 and set(out) >= {"request_id", "tracking_code", "level", "status", "warnings"}
    assert out["status"] == "submitted"
    rc, refused = run("request", "--citizen", str(child), "--level", "1", "--phone", "0912000007")
    assert rc == 2 and {e["field"] for e in refused["errors"]} == {"guardian", "phone"}
    rc, listed = run("list", "--status", "submitted")
    assert rc == 0 and [r["tracking_code"] for r in listed["requests"]] == [out["tracking_code"]]
    rc, shown = run("show", out["request_id"])
    assert rc == 0 and shown["integrations"] == ["health_insurance"] and shown["phone"] == "091****007"
    pdf = tmp_path / "tk.pdf"
    rc, conf = run("confirmation", out["tracking_code"], "--out", str(pdf))
    assert rc == 0 and pdf.read_bytes().startswith(b"%PDF") and conf["qr_text"].startswith("VNK1:")

