"""The terminal database on the real SQLCipher: encryption at rest, keys, pragmas, migrations."""

import hashlib

import pytest
import sqlcipher3
from sqlalchemy import inspect, text

from kiosk.db.engine import DatabaseOpenError, open_database
from kiosk.db.migrate import current_revisions


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_raw_files_hold_none_of_the_stored_names(data_dir, operator):
    from datetime import timedelta

    from kiosk.services.staff import StaffService

    db = open_database(data_dir, use_keyring=False)
    staff = StaffService(db, timedelta(minutes=10))
    staff.add(operator, "nguyenlan", "Nguyễn Thị Lan Hương", "officer", "mat-khau-dai")
    raw = b"".join(p.read_bytes() for p in data_dir.glob("kiosk.db*"))
    db.dispose()
    raw += (data_dir / "kiosk.db").read_bytes()
    assert len(raw) > 4096
    for needle in ("nguyenlan", "Nguyễn Thị Lan Hương", "staff", "CREATE TABLE", "SQLite format 3"):
        assert needle.encode() not in raw, needle
    assert "Hương".encode("utf-16-le") not in raw


def test_a_wrong_key_stops_and_leaves_the_file_untouched(data_dir):
    open_database(data_dir, use_keyring=False).dispose()
    before = digest(data_dir / "kiosk.db")
    (data_dir / "kiosk.key").write_text("11" * 32)
    with pytest.raises(DatabaseOpenError) as err:
        open_database(data_dir, use_keyring=False)
    assert err.value.reason == "wrong_key_or_damaged"
    assert digest(data_dir / "kiosk.db") == before


def test_a_lost_key_never_creates_a_fresh_database(data_dir):
    open_database(data_dir, use_keyring=False).dispose()
    before = digest(data_dir / "kiosk.db")
    (data_dir / "kiosk.key").unlink()
    with pytest.raises(DatabaseOpenError) as err:
        open_database(data_dir, use_keyring=False)
    assert err.value.reason == "key_missing"
    assert not (data_dir / "kiosk.key").exists()
    assert digest(data_dir / "kiosk.db") == before


def test_a_damaged_file_is_refused(data_dir):
    open_database(data_dir, use_keyring=False).dispose()
    path = data_dir / "kiosk.db"
    data = bytearray(path.read_bytes())
    data[100:200] = bytes(100)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseOpenError) as err:
        open_database(data_dir, use_keyring=False)
    assert err.value.reason == "wrong_key_or_damaged"


def test_a_plain_sqlite_file_is_refused(data_dir):
    data_dir.mkdir(parents=True)
    plain = sqlcipher3.connect(str(data_dir / "kiosk.db"))
    plain.execute("create table t(x)")
    plain.commit()
    plain.close()
    with pytest.raises(DatabaseOpenError) as err:
        open_database(data_dir, use_keyring=False)
    assert err.value.reason == "not_encrypted"


def test_key_file_is_readable_only_by_its_owner(data_dir):
    open_database(data_dir, use_keyring=False).dispose()
    assert (data_dir / "kiosk.key").stat().st_mode & 0o077 == 0


def test_pragmas_wal_full_sync_foreign_keys(db):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")


def test_migrations_from_empty_reach_head_with_every_table(db):
    from alembic.script import ScriptDirectory

    from kiosk.db.migrate import alembic_config

    heads = set(ScriptDirectory.from_config(alembic_config(db)).get_heads())
    assert heads and current_revisions(db) == heads
    tables = set(inspect(db.engine).get_table_names())
    assert {"staff", "audit_log", "outbox", "kiosk_meta", "counter", "staff_session"} <= tables


def test_identity_is_created_once_and_kept(data_dir):
    db = open_database(data_dir, use_keyring=False)
    first = (db.meta("kiosk_id"), db.meta("instance_uuid"))
    db.dispose()
    db = open_database(data_dir, use_keyring=False)
    assert (db.meta("kiosk_id"), db.meta("instance_uuid")) == first
    db.dispose()


def test_a_failed_transaction_leaves_nothing(db):
    from kiosk.services import outbox

    with pytest.raises(RuntimeError), db.transaction() as session:
        outbox.enqueue(session, "test", {"a": 1})
        raise RuntimeError("crash before commit")
    with db.transaction() as session:
        op = outbox.enqueue(session, "test", {"a": 2})
    assert op.seq == 1
    assert outbox.pending_count(db) == 1
    with db.engine.connect() as conn:
        assert conn.execute(text("select value from counter where name='outbox_seq'")).scalar() == 1
