"""A throwaway PostgreSQL server for the hub's tests and benchmark (not used in production).

It runs the distribution's server binaries (Debian: /usr/lib/postgresql/<version>/bin) through
pytest-postgresql's executor. `initdb` and `postgres` refuse to run as root, so under root (CI) the
server runs as the `postgres` system user through `runuser`, from a folder that user owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = (
    "Cần máy chủ PostgreSQL (PostgreSQL server binaries are required): "
    "apt-get install postgresql (Debian/Ubuntu, gives /usr/lib/postgresql/<version>/bin), "
    "or set KIOSK_PG_BIN to the folder holding pg_ctl and initdb."
)


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine (or no unprivileged user to run them as root)."""


def pg_bin_dir() -> Path:
    """KIOSK_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin that has pg_ctl."""
    override = os.environ.get("KIOSK_PG_BIN")
    candidates = [Path(override)] if override else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version_key(p.parent.name), reverse=True)
    for candidate in candidates:
        if (candidate / "pg_ctl").is_file() and (candidate / "initdb").is_file():
            return candidate
    raise PostgresMissing(INSTALL_HINT)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_ctl_wrapper(folder: Path, bin_dir: Path) -> Path:
    """pg_ctl run as the `postgres` user when we are root (initdb and postgres refuse root)."""
    wrapper = folder / "pg_ctl"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            raise PostgresMissing("runuser (util-linux) is needed to run PostgreSQL as an unprivileged user")
        body = f'#!/bin/sh\ncd /\nexec runuser -u postgres -- "{bin_dir}/pg_ctl" "$@"\n'
    else:
        body = f'#!/bin/sh\nexec "{bin_dir}/pg_ctl" "$@"\n'
    wrapper.write_text(body)
    wrapper.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    return wrapper


@contextmanager
def throwaway_postgres(extra_options: str = "") -> Iterator[str]:
    """Start a fresh cluster on a free loopback port; yields a SQLAlchemy URL to its `postgres` database."""
    from pytest_postgresql.executors import PostgreSQLExecutor

    bin_dir = pg_bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    try:
        if os.geteuid() == 0:
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError as exc:
                raise PostgresMissing("no 'postgres' system user to run the server as (" + INSTALL_HINT + ")") from exc
            os.chown(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o755)
        port = _free_port()
        executor = PostgreSQLExecutor(
            executable=str(_pg_ctl_wrapper(folder, bin_dir)),
            host="127.0.0.1",
            port=port,
            datadir=str(folder / "data"),
            unixsocketdir=str(folder),
            logfile=str(folder / "postgresql.log"),
            startparams="-w",
            dbname="kiosk_hub",
            user="postgres",
            postgres_options=f"-c listen_addresses=127.0.0.1 {extra_options}".strip(),
        )
        executor.start()
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
            _wait_until_accepting(url)
            yield url
        finally:
            executor.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_accepting(url: str, timeout: float = 60.0) -> None:
    """pg_ctl may return while the server still answers "the database system is starting up" (a busy
    machine): wait until it takes a connection."""
    import time

    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def create_database(server_url: str, name: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    import psycopg

    base = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name
