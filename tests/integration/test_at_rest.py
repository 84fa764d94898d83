"""Data at rest on both sides, as a first start leaves it: private modes, and the hub's SQLite file encrypted.

Issue 15, finding 4: the hub's SQLite database and its WAL held names, ID numbers and phones in plain
text, mode 0644; the kiosk's database and log were 0644 in a 0755 folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from kiosk.app import operator_principal
from kiosk.hub.db import HubDatabaseError, check_transport, open_hub_database

NAME = "Nguyễn Thị Phương Thảo"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*args: str, module: str = "kiosk") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


def test_the_kiosks_data_folder_is_0700_and_its_files_0600_after_the_first_start(data_dir):
    listed = run("staff", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert mode(data_dir) == 0o700 and mode(data_dir / "logs") == 0o700
    files = [data_dir / "kiosk.db", data_dir / "kiosk.key", data_dir / "logs" / "kiosk.log"]
    assert {f.name: oct(mode(f)) for f in files} == {f.name: oct(0o600) for f in files}

    from kiosk.db.engine import open_database
    from kiosk.services.staff import StaffService

    db = open_database(data_dir, use_keyring=False)  # the write-ahead log exists while the database is open
    try:
        StaffService(db, timedelta(minutes=5)).list(operator_principal())
        assert {mode(data_dir / n) for n in ("kiosk.db-wal", "kiosk.db-shm")} == {0o600}
    finally:
        db.dispose()


def test_an_older_kiosks_open_folder_and_files_are_closed_at_start(data_dir):
    assert run("staff", "list").returncode == 0
    data_dir.chmod(0o755)
    for path in (data_dir / "kiosk.db", data_dir / "kiosk.key", data_dir / "logs" / "kiosk.log"):
        path.chmod(0o644)
    (data_dir / "logs").chmod(0o755)
    assert run("staff", "list").returncode == 0
    assert mode(data_dir) == mode(data_dir / "logs") == 0o700
    assert {mode(p) for p in (data_dir / "kiosk.db", data_dir / "kiosk.key", data_dir / "logs" / "kiosk.log")} == {0o600}


def test_the_hubs_sqlite_file_is_encrypted_and_private(tmp_path):
    folder = tmp_path / "hub-data"
    url = f"sqlite:///{folder / 'hub.db'}"
    db = open_hub_database(url)
    try:
        with db.transaction() as s:  # personal data as an account request carries it
            s.execute(text("INSERT INTO hub_account_request (kiosk_id, seq, station, payload, received_at) "
                           "VALUES ('K-1', 1, 'CA-1', :p, 'now')"), {"p": json.dumps({"full_name": NAME},
                                                                                    ensure_ascii=False)})
        raw = b"".join(p.read_bytes() for p in folder.iterdir() if p.name.startswith("hub.db"))
        assert NAME.encode() not in raw and b"hub_account_request" not in raw
        assert (folder / "hub.db").read_bytes()[:16] != b"SQLite format 3\x00"
        assert mode(folder) == 0o700
        assert {p.name: oct(mode(p)) for p in folder.iterdir()} == {
            p.name: oct(0o600) for p in folder.iterdir()} and {"hub.db", "hub.key", "hub.db-wal"} <= {
            p.name for p in folder.iterdir()}
    finally:
        db.dispose()
    again = open_hub_database(url)  # the key is found again
    try:
        with again.sessions() as s:
            assert NAME in s.execute(text("SELECT payload FROM hub_account_request")).scalar_one()
    finally:
        again.dispose()


def test_an_older_hubs_plain_sqlite_file_is_encrypted_in_place_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old" / "hub.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as plain:
        plain.execute("CREATE TABLE kept (name TEXT)")
        plain.execute("INSERT INTO kept VALUES (?)", (NAME,))
    path.chmod(0o644)
    db = open_hub_database(f"sqlite:///{path}")
    try:
        with db.sessions() as s:
            assert s.execute(text("SELECT name FROM kept")).scalar_one() == NAME
    finally:
        db.dispose()
    assert NAME.encode() not in path.read_bytes() and mode(path) == 0o600
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("SELECT * FROM kept").fetchall()


@pytest.mark.parametrize("url", [
    "postgresql://hub:pw@db.tinh.example/hub",
    "postgresql://hub:pw@10.20.30.40:5432/hub?sslmode=prefer",
    "postgresql://hub:pw@localhost,db.tinh.example/hub",
    "postgresql://hub:pw@/hub?host=db.tinh.example",
])
def test_postgresql_on_another_machine_without_tls_is_refused_unless_told(url):
    with pytest.raises(HubDatabaseError) as refused:
        check_transport(make_url(url))
    assert refused.value.reason == "plain_postgres" and "sslmode=verify-full" in refused.value.message_vi
    check_transport(make_url(url), allow_plain=True)
    result = run("stats", "--db", url, module="kiosk.hub")
    assert result.returncode == 2 and "TLS" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("url", [
    "postgresql://hub:pw@db.tinh.example/hub?sslmode=verify-full",
    "postgresql://hub:pw@127.0.0.1:5432/hub",
    "postgresql://hub:pw@[::1]/hub",
    "postgresql://hub:pw@localhost/hub",
    "postgresql://hub@/hub?host=/var/run/postgresql",
])
def test_postgresql_over_tls_or_on_this_machine_is_accepted(url):
    check_transport(make_url(url))
