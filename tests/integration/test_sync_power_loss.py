"""Power loss under the kiosk's commit-then-acknowledge order, on a file system that forgets unsynced writes.

What is tested: SQLite's own durability with the kiosk's settings (WAL, synchronous=FULL,
BEGIN IMMEDIATE) and our write pattern (outbox row + counter in one transaction; the sync's
"acknowledged + hub position" and "pulled change + cursor" transactions), through an APSW VFS that
keeps only what was fsynced. APSW carries its own SQLite, not SQLCipher, so the file is plain:
SQLCipher encrypts pages above the same pager and journal, and calls the same xSync at the same
points, so the ordering it relies on is what this models. A control run with synchronous=NORMAL
must lose acknowledged commits, which proves the VFS really forgets.
"""

from __future__ import annotations

import random
from pathlib import Path

import apsw
import pytest
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from kiosk.db.models import Counter, OutboxOp
from kiosk.db.models_sync import RemoteChange, SyncState


class ForgetfulVFS(apsw.VFS):
    """Writes reach the file at once, but a power cut restores every file to its last fsynced content."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.durable: dict[str, bytes | None] = {}
        self.powered = True
        super().__init__(name, "")

    def xOpen(self, name, flags):
        return ForgetfulFile(self, name, flags)

    def xDelete(self, filename, syncdir):
        if self.powered:
            super().xDelete(filename, syncdir)
            self.durable[filename] = None

    def power_cut(self) -> None:
        self.powered = False

    def restore_durable_state(self) -> None:
        for path, content in self.durable.items():
            if content is None:
                Path(path).unlink(missing_ok=True)
            else:
                Path(path).write_bytes(content)


class ForgetfulFile(apsw.VFSFile):
    def __init__(self, vfs: ForgetfulVFS, name, flags) -> None:
        self.vfs = vfs
        self.path = name.filename() if isinstance(name, apsw.URIFilename) else name
        super().__init__("", name, flags)
        # A file that was never fsynced does not exist after a power cut.
        vfs.durable.setdefault(self.path, None)

    def xWrite(self, data, offset):
        if self.vfs.powered:
            super().xWrite(data, offset)

    def xTruncate(self, newsize):
        if self.vfs.powered:
            super().xTruncate(newsize)

    def xSync(self, flags):
        if self.vfs.powered:
            super().xSync(flags)
            self.vfs.durable[self.path] = Path(self.path).read_bytes()


def _schema() -> list[str]:
    dialect = sqlite.dialect()
    statements = []
    for model in (Counter, OutboxOp, SyncState, RemoteChange):
        statements.append(str(CreateTable(model.__table__).compile(dialect=dialect)))
        statements += [str(CreateIndex(ix).compile(dialect=dialect)) for ix in model.__table__.indexes]
    return statements


def _open(path: Path, vfs: str, synchronous: str) -> apsw.Connection:
    conn = apsw.Connection(str(path), vfs=vfs)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    return conn


def _run_until_power_cut(path: Path, synchronous: str, seed: int) -> tuple[list[int], list[int], int, int]:
    """Clerk acts, sync acknowledgements and pulled changes, then a power cut at a random point."""
    rng = random.Random(seed)
    vfs = ForgetfulVFS(f"forgetful-{seed}-{synchronous}")
    conn = _open(path, vfs.name, synchronous)
    with conn:
        for statement in _schema():
            conn.execute(statement)
        conn.execute("INSERT INTO sync_state (id, hub_url, station, hub_position, cursor, cursor_uid, keys_version,"
                     " clock_offset_s, consecutive_failures, halted) VALUES (1, '', '', 0, 0, '', 0, 0, 0, 0)")
    receipts: list[int] = []  # printed for the citizen: acknowledged
    hub_acks: list[int] = []
    pulled = 0
    cut_after = rng.randint(20, 60)
    for step in range(cut_after):
        kind = rng.random()
        if kind < 0.6:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO counter (name, value) VALUES ('outbox_seq', 1) "
                         "ON CONFLICT(name) DO UPDATE SET value = value + 1")
            seq = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()[0]
            conn.execute("INSERT INTO outbox (seq, op_id, kind, payload, schema_version, created_at) "
                         "VALUES (?, ?, 'dossier.created', '{}', 1, '2026-11-25T08:00:00.000Z')", (seq, f"op-{seq}"))
            conn.execute("COMMIT")
            receipts.append(seq)  # only after COMMIT returned
        elif kind < 0.8 and receipts:
            mark = rng.choice(receipts)
            with conn:  # the hub said it holds up to `mark`: acknowledged rows and position together
                conn.execute("UPDATE outbox SET acked_at = 'now' WHERE seq <= ? AND acked_at IS NULL", (mark,))
                conn.execute("UPDATE sync_state SET hub_position = max(hub_position, ?)", (mark,))
            hub_acks.append(mark)
        else:
            with conn:  # a pulled change applied together with the cursor
                pulled += 1
                conn.execute("INSERT INTO sync_remote_change (change_id, uid, kind, target, payload, created_at, "
                             "applied_at, outcome) VALUES (?, ?, 'dossier.status', '', '{}', '', '', 'stored')",
                             (pulled, f"u{pulled}"))
                conn.execute("UPDATE sync_state SET cursor = ?, cursor_uid = ?", (pulled, f"u{pulled}"))
        if step == cut_after - 1 and rng.random() < 0.5:
            conn.execute("BEGIN IMMEDIATE")  # the cut lands inside an unfinished transaction
            conn.execute("UPDATE counter SET value = value + 1 WHERE name = 'outbox_seq'")
    vfs.power_cut()
    conn.close()
    vfs.restore_durable_state()
    Path(f"{path}-shm").unlink(missing_ok=True)  # shared memory does not survive a power cut
    vfs.unregister()
    return receipts, hub_acks, pulled, cut_after


@pytest.mark.parametrize("seed", range(8))
def test_nothing_acknowledged_is_lost_with_synchronous_full(tmp_path, seed):
    path = tmp_path / "kiosk.db"
    receipts, hub_acks, pulled, _ = _run_until_power_cut(path, "FULL", seed)
    conn = apsw.Connection(str(path))
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    assert seqs == receipts  # every printed receipt's row, and nothing half-written
    counter = conn.execute("SELECT value FROM counter WHERE name = 'outbox_seq'").fetchone()
    assert counter is None if not receipts else counter[0] == receipts[-1]  # a number is never handed out twice
    position, cursor = conn.execute("SELECT hub_position, cursor FROM sync_state").fetchone()
    assert position == max(hub_acks, default=0)
    unacked_below = conn.execute("SELECT count(*) FROM outbox WHERE seq <= ? AND acked_at IS NULL", (position,))
    acked_above = conn.execute("SELECT count(*) FROM outbox WHERE seq > ? AND acked_at IS NOT NULL", (position,))
    assert unacked_below.fetchone()[0] == 0 and acked_above.fetchone()[0] == 0
    assert cursor == pulled
    assert conn.execute("SELECT count(*) FROM sync_remote_change").fetchone()[0] == pulled
    conn.close()


def test_control_synchronous_normal_loses_acknowledged_commits(tmp_path):
    """WAL + NORMAL does not fsync at commit: the same run must lose printed receipts, or the VFS is not forgetting."""
    lost = 0
    for seed in range(4):
        path = tmp_path / f"normal-{seed}.db"
        receipts, _, _, _ = _run_until_power_cut(path, "NORMAL", seed)
        if not path.exists():
            lost += len(receipts)
            continue
        conn = apsw.Connection(str(path))
        try:
            kept = {r[0] for r in conn.execute("SELECT seq FROM outbox")}
        except apsw.SQLError:
            kept = set()  # even the schema was never made durable
        conn.close()
        lost += len(set(receipts) - kept)
    assert lost > 0
