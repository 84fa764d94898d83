"""The audit hash chain detects an edited, deleted or reordered entry (on the real database)."""

import json

import pytest
from sqlalchemy import text

from kiosk.services import audit


@pytest.fixture
def chain(db):
    with db.transaction() as s:
        for i in range(1, 7):
            audit.append(s, "lan", "dossier.viewed", "dossier", f"D{i}", {"n": i})
    return db


def sql(db, statement, **params):
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_chain_verifies(chain, operator):
    result = audit.verify(chain, operator)
    assert result.ok and result.entries == 6


def test_an_edited_entry_is_named(chain, operator):
    sql(chain, "update audit_log set target_id='D999' where seq=4")
    result = audit.verify(chain, operator)
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 4, "edited")


def test_an_edited_detail_is_named(chain, operator):
    sql(chain, "update audit_log set detail=:d where seq=2", d=json.dumps({"n": 99}))
    assert audit.verify(chain, operator).first_broken_seq == 2


def test_an_edit_with_its_own_hash_recomputed_breaks_the_next_link(chain, operator):
    with chain.sessions() as s:
        row = s.execute(text("select * from audit_log where seq=3")).mappings().one()
    entry = {k: row[k] for k in ("seq", "at", "actor", "action", "target_kind", "target_id")}
    entry["detail"] = {"n": 42}
    forged = audit.chain_hash(row["prev_hash"], entry)
    sql(chain, "update audit_log set detail=:d, hash=:h where seq=3", d=json.dumps({"n": 42}), h=forged)
    result = audit.verify(chain, operator)
    assert (result.first_broken_seq, result.reason) == (4, "missing_or_reordered")


def test_a_deleted_entry_is_named(chain, operator):
    sql(chain, "delete from audit_log where seq=3")
    result = audit.verify(chain, operator)
    assert (result.ok, result.first_broken_seq, result.reason) == (False, 3, "missing_or_reordered")


def test_reordered_entries_are_detected(chain, operator):
    sql(chain, "update audit_log set seq=-1 where seq=2")
    sql(chain, "update audit_log set seq=2 where seq=5")
    sql(chain, "update audit_log set seq=5 where seq=-1")
    result = audit.verify(chain, operator)
    assert not result.ok and result.first_broken_seq == 2


def test_a_deleted_tail_is_detected(chain, operator):
    sql(chain, "delete from audit_log where seq >= 5")
    result = audit.verify(chain, operator)
    assert (result.ok, result.reason, result.first_broken_seq) == (False, "tail_deleted", 5)


def test_the_chain_continues_across_restarts(data_dir, operator):
    from kiosk.db.engine import open_database

    for round_ in range(3):
        db = open_database(data_dir, use_keyring=False)
        with db.transaction() as s:
            audit.append(s, "lan", "login", "staff_session", f"S{round_}")
        db.dispose()
    db = open_database(data_dir, use_keyring=False)
    assert audit.verify(db, operator).entries == 3
    db.dispose()
