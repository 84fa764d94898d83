"""Shared fixtures: every test gets its own data folder, settings files and encrypted database."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["pcsc_fixtures"]


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's own settings or the machine-wide file."""
    for name in list(os.environ):
        if name.startswith("KIOSK_") and name not in ("KIOSK_TEST_VPCD_PORT",):
            monkeypatch.delenv(name)
    monkeypatch.setenv("KIOSK_CONFIG_FILE", str(tmp_path / "user" / "kiosk.toml"))
    monkeypatch.setenv("KIOSK_MACHINE_CONFIG", str(tmp_path / "machine" / "kiosk.toml"))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_USE_KEYRING", "0")
    monkeypatch.setenv("KIOSK_HUB_USE_KEYRING", "0")
    # The hubs a test starts (in-process, replicas, PostgreSQL or SQLite) sign their answers with one key of the
    # test's own, never one in the user's data folder.
    monkeypatch.setenv("KIOSK_HUB_SIGNING_KEY", str(tmp_path / "hub-keys" / "signing.key"))
    return tmp_path


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def db(data_dir: Path):
    from kiosk.db.engine import open_database

    database = open_database(data_dir, use_keyring=False)
    yield database
    database.dispose()


class FakeClock:
    """A clock the test moves by hand (lockouts, inactivity) instead of sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 8, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def staff_service(db, clock):
    from kiosk.services.staff import StaffService

    return StaffService(db, timedelta(minutes=10), clock=clock)


@pytest.fixture
def operator():
    from kiosk.app import operator_principal

    return operator_principal()


@pytest.fixture
def hub_server(tmp_path):
    """A hub on an SQLite file served by uvicorn on loopback (real HTTP): the running server (`.hub`, `.url`)."""
    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database
    from kiosk.hub.embedded import EmbeddedHub

    db = open_hub_database(f"sqlite:///{tmp_path / 'live-hub.db'}")
    server = EmbeddedHub(Hub(db)).start()
    yield server
    server.stop()
    db.dispose()


@pytest.fixture
def live_hub(hub_server):
    """The hub of `hub_server` and its URL."""
    return hub_server.hub, hub_server.url


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the hub's tests (Debian's binaries); missing binaries fail loudly."""
    from throwaway_pg import PostgresMissing, throwaway_postgres

    try:
        server = throwaway_postgres()
        url = server.__enter__()
    except PostgresMissing as exc:
        pytest.fail(str(exc))
    yield url
    server.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub_url(request, tmp_path):
    """A fresh hub database: an SQLite file, then a database on the real PostgreSQL server."""
    import uuid

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.db'}"
    from throwaway_pg import create_database

    return create_database(request.getfixturevalue("pg_server"), f"hub_{uuid.uuid4().hex[:12]}")
