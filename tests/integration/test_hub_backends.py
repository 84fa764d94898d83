"""The hub's rules on both of its databases: an SQLite file and a real PostgreSQL server.

PostgreSQL is started by the test set-up from the distribution's binaries (as the `postgres` user
when the tests run as root); missing binaries fail the tests with what to install.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
import uuid

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text
from sync_codes import UNIT, unit_for
from sync_codes import code as tracking

from kiosk.hub import core, office
from kiosk.hub.core import Hub, HubError
from kiosk.hub.db import open_hub_database
from kiosk.wire import protocol


class HubClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hub(hub_url):
    db = open_hub_database(hub_url)
    yield Hub(db, clock=HubClock())
    db.dispose()


class Terminal:
    """A kiosk's identity and signing, without its database: drives the hub's rules directly."""

    def __init__(self, kiosk_id: str | None = None, key: Ed25519PrivateKey | None = None,
                 station: str = "CA-1") -> None:
        #: The id the hub gave it (before enrolment: an id of its own, which the hub never takes).
        self.kiosk_id = kiosk_id or f"K-{secrets.token_hex(4).upper()}"
        self.station = station
        self.unit = UNIT if station == "CA-1" else unit_for(station)
        self.key = key or Ed25519PrivateKey.generate()
        self.instance = str(uuid.uuid4())
        self.epoch = 1
        self.ops: dict[int, dict] = {}

    @property
    def public_key(self) -> str:
        return protocol.b64u(self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))

    def headers(self, hub: Hub, method: str, path: str, body: bytes, nonce: str | None = None,
                skew: float = 0) -> dict[str, str]:
        h = protocol.SignedHeaders(self.kiosk_id, self.instance, self.epoch, int(hub.clock() + skew),
                                   nonce or secrets.token_hex(16))
        return protocol.sign_request(self.key, method, path, body, h).as_dict()

    def enrol(self, hub: Hub, code: str, numbering: dict | None = None) -> dict:
        body = json.dumps({"code_id": protocol.code_id(code), "public_key": self.public_key,
                           "instance_uuid": self.instance, "epoch": self.epoch, "numbering": numbering,
                           "unit_id": self.unit}).encode()
        answer = hub.enrol("POST", "/v1/enrol", body, self.headers(hub, "POST", "/v1/enrol", body))
        self.kiosk_id = answer["kiosk_id"]
        return answer

    def code(self, n: int) -> str:
        """The n-th tracking code of this kiosk, under its station's unit."""
        return tracking(self.kiosk_id, n, self.unit)

    def op(self, seq: int, kind: str = "dossier.created", **payload) -> dict:
        payload = payload or {"tracking_code": self.code(seq), "status": "received"}
        op = {"seq": seq, "op_id": str(uuid.uuid4()), "kind": kind, "payload": protocol.canonical_json(payload),
              "schema_version": 1, "created_at": "2026-11-25T08:00:00.000Z"}
        self.ops[seq] = op
        return op

    def push(self, hub: Hub, ops: list[dict], numbering: dict | None = None, **kw) -> dict:
        body = json.dumps({"ops": ops, "numbering": numbering}).encode()
        return hub.push("POST", "/v1/push", body, self.headers(hub, "POST", "/v1/push", body, **kw))

    def pull(self, hub: Hub, after: int = 0, uid: str = "") -> dict:
        path = f"/v1/pull?after={after}&after_uid={uid}&limit=100"
        return hub.pull("GET", path, b"", self.headers(hub, "GET", path, b""), after, uid, 100)


def together(*calls) -> None:
    """Run the calls at the same time, each on its own thread, and wait for all of them."""
    threads = [threading.Thread(target=call) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def enrolled(hub: Hub, station: str = "CA-1", **kw) -> Terminal:
    terminal = Terminal(station=station, **kw)
    terminal.enrol(hub, hub.create_enrol_code(station))
    return terminal


def test_enrolment_code_is_one_time_and_a_lost_answer_can_be_asked_again(hub):
    code = hub.create_enrol_code("CA-1")
    first = Terminal()
    assert first.enrol(hub, code)["station"] == "CA-1"
    assert first.enrol(hub, code)["kiosk_id"] == first.kiosk_id  # same kiosk, same code: answered again
    with pytest.raises(HubError) as used:
        Terminal().enrol(hub, code)
    assert used.value.code == "code_used"
    with pytest.raises(HubError) as unknown:
        Terminal().enrol(hub, "AAAA-BBBB-CCCC")
    assert unknown.value.code == "bad_code"
    late = hub.create_enrol_code("CA-1", ttl_s=60)
    hub.clock.now += 61
    with pytest.raises(HubError) as expired:
        Terminal().enrol(hub, late)
    assert expired.value.code == "code_expired"
    with pytest.raises(HubError) as taken:  # the same kiosk (its key) again, as a new one
        Terminal(key=first.key).enrol(hub, hub.create_enrol_code("CA-1"))
    assert taken.value.code == "already_enrolled"


def test_signed_requests_refuse_strangers_foreign_keys_clones_and_replays(hub):
    kiosk = enrolled(hub)
    body = json.dumps({"ops": []}).encode()
    with pytest.raises(HubError) as unsigned:
        hub.push("POST", "/v1/push", body, {})
    assert unsigned.value.code == "unsigned"
    with pytest.raises(HubError) as stranger:
        Terminal().push(hub, [])
    assert stranger.value.code == "unknown_kiosk"
    with pytest.raises(HubError) as foreign:
        Terminal(kiosk_id=kiosk.kiosk_id).push(hub, [])
    assert foreign.value.code == "bad_signature"
    clone = Terminal(kiosk_id=kiosk.kiosk_id, key=kiosk.key)  # same id and key, another database
    with pytest.raises(HubError) as cloned:
        clone.push(hub, [])
    assert cloned.value.code == "cloned_kiosk" and cloned.value.status == 403
    clone.instance, clone.epoch = kiosk.instance, 2
    with pytest.raises(HubError) as epoch:
        clone.push(hub, [])
    assert epoch.value.code == "epoch_mismatch"
    with pytest.raises(HubError) as stale:
        kiosk.push(hub, [], skew=-protocol.REPLAY_WINDOW_S - 5)
    assert stale.value.code == "stale_timestamp" and stale.value.extra["hub_time"] == int(hub.clock())
    headers = kiosk.headers(hub, "POST", "/v1/push", body)
    assert hub.push("POST", "/v1/push", body, headers)["high_water_mark"] == 0
    with pytest.raises(HubError) as replay:
        hub.push("POST", "/v1/push", body, headers)
    assert replay.value.code == "replayed"
    tampered = json.dumps({"ops": [kiosk.op(1)]}).encode()
    with pytest.raises(HubError) as changed:
        hub.push("POST", "/v1/push", tampered, kiosk.headers(hub, "POST", "/v1/push", body))
    assert changed.value.code == "bad_signature"
    stats = {k["kiosk_id"]: k for k in hub.stats()["kiosks"]}[kiosk.kiosk_id]
    # Only requests signed with the kiosk's own key count against it (the clone and the old epoch); the
    # foreign key and the tampered body could come from anyone naming the kiosk.
    assert stats["refusals"] == 2 and stats["last_refusal"] == "epoch_mismatch" and stats["high_water_mark"] == 0


def test_push_dedupes_refuses_different_content_and_reports_gaps(hub):
    kiosk = enrolled(hub)
    ops = [kiosk.op(i) for i in range(1, 6)]
    assert kiosk.push(hub, ops[:3])["high_water_mark"] == 3
    again = kiosk.push(hub, ops)  # 1..3 resent, 4..5 new
    assert again == again | {"high_water_mark": 5, "duplicates": 3, "accepted": 2, "gap": False}
    gap = kiosk.push(hub, [kiosk.op(8), kiosk.op(9)])
    assert gap["gap"] is True and gap["high_water_mark"] == 5 and gap["accepted"] == 0
    different = dict(ops[1], payload=protocol.canonical_json({"tracking_code": kiosk.code(99)}))
    with pytest.raises(HubError) as conflict:
        kiosk.push(hub, [different])
    assert conflict.value.status == 409 and conflict.value.extra["seq"] == 2
    stats = hub.stats()
    assert stats["dossiers"] == 5
    assert stats["kiosks"][0]["duplicates_refused"] == 1 and stats["kiosks"][0]["high_water_mark"] == 5
    with pytest.raises(HubError) as holes:
        kiosk.push(hub, [kiosk.op(6), kiosk.op(8)])
    assert holes.value.code == "not_contiguous"


def test_business_rejections_and_statuses_reach_the_station_in_change_order(hub):
    kiosk = enrolled(hub, "CA-1")
    other_station = enrolled(hub, "CA-2")
    a1 = kiosk.code(1)
    first = kiosk.op(1, tracking_code=a1)
    kiosk.push(hub, [first, kiosk.op(2, tracking_code=a1), kiosk.op(3, "account.requested", level=2),
                     kiosk.op(4, "dossier.status", tracking_code=a1, status="processing")])
    hub.set_status(a1, "result_ready", "ghi chú")
    pulled = kiosk.pull(hub)
    assert [(c["change_id"], c["kind"]) for c in pulled["changes"]] == [
        (1, "dossier.status"), (2, "op.rejected"), (3, "dossier.status")]
    assert pulled["changes"][1]["payload"]["seq"] == 2
    assert pulled["changes"][2]["payload"]["status"] == "result_ready"
    assert other_station.pull(hub)["changes"] == []
    after = kiosk.pull(hub, pulled["next_cursor"], pulled["next_uid"])
    assert after["changes"] == [] and after["reset"] is False
    assert kiosk.pull(hub, 3, "not-the-uid-it-had")["reset"] is True
    assert hub.stats()["account_requests"] == 1


def test_audit_heads_are_anchored_and_the_hub_audit_is_append_only(hub):
    kiosk = enrolled(hub)

    def push_head(seq: int, digest: str) -> dict:
        head = {"seq": seq, "hash": digest, "signature": protocol.b64u(
            kiosk.key.sign(protocol.audit_head_input(kiosk.kiosk_id, seq, digest)))}
        body = json.dumps({"ops": [], "audit_head": head}).encode()
        return hub.push("POST", "/v1/push", body, kiosk.headers(hub, "POST", "/v1/push", body))

    assert push_head(4, "a" * 64)["audit"] == {"anchored": True, "seq": 4, "stored_seq": 0}
    assert push_head(4, "b" * 64)["audit"]["alarm"] == "audit_forked"
    assert push_head(2, "c" * 64)["audit"]["alarm"] == "audit_went_back"
    with hub.db.sessions() as s:
        assert s.execute(text("select count(*) from hub_audit where action = 'audit.anchor'")).scalar() == 1
    for statement in ("update hub_audit set actor = 'x'", "delete from hub_audit"):
        with pytest.raises(Exception, match="append-only"), hub.db.transaction() as s:
            s.execute(text(statement))


def test_a_kiosk_audit_copy_is_checked_and_append_only(hub):
    from kiosk.services.audit import chain_hash

    kiosk = enrolled(hub)
    prev, entries = protocol.AUDIT_GENESIS, []
    for seq in range(1, 4):
        entry = {"seq": seq, "at": "2026-11-25T08:00:00.000Z", "actor": "lan", "action": "staff.login",
                 "target_kind": "staff", "target_id": "lan", "detail": {"ý": seq}}
        digest = chain_hash(prev, entry)
        entries.append({**entry, "prev_hash": prev, "hash": digest})
        prev = digest

    def push(batch: list[dict]) -> dict:
        body = json.dumps({"ops": [], "audit_entries": batch}).encode()
        return hub.push("POST", "/v1/push", body, kiosk.headers(hub, "POST", "/v1/push", body))

    assert push(entries[:2])["audit"]["stored_seq"] == 2
    assert push(entries)["audit"]["stored_seq"] == 3  # 1 and 2 again: the same, kept once
    assert push(entries[2:])["audit"]["stored_seq"] == 3
    edited = [{**entries[1], "actor": "someone-else"}]  # the hash no longer covers the entry
    assert push(edited)["audit"] == {"anchored": False, "alarm": "audit_entry_invalid", "stored_seq": 3}
    other = {**entries[1], "actor": "someone-else"}
    other["hash"] = chain_hash(other["prev_hash"], other)  # a consistent, different history
    assert push([other])["audit"] == {"anchored": False, "alarm": "audit_forked", "stored_seq": 3}
    for statement in ("update hub_kiosk_audit set actor = 'x'", "delete from hub_kiosk_audit"):
        with pytest.raises(Exception, match="append-only"), hub.db.transaction() as s:
            s.execute(text(statement))


def test_change_ids_commit_in_order_so_a_cursor_never_skips(hub, monkeypatch):
    """The event-store loss: ids from a database sequence commit out of order and a cursor skips them."""
    kiosk = enrolled(hub)
    codes = [kiosk.code(100 + i) for i in range(8)]
    kiosk.push(hub, [kiosk.op(i + 1, tracking_code=code) for i, code in enumerate(codes)])
    slow_audit = office._audit
    rng = random.Random(7)

    def audit_then_dawdle(*args, **kwargs):
        slow_audit(*args, **kwargs)
        time.sleep(rng.random() * 0.004)  # hold the transaction open after the change id was taken

    monkeypatch.setattr(office, "_audit", audit_then_dawdle)
    writers_done = threading.Event()
    errors = []

    def writer(code: str) -> None:
        try:
            for n in range(15):  # back and forth: processing ⇄ supplement requested
                hub.set_status(code, "supplement_requested" if n % 2 else "processing", f"lần {n}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    seen: list[int] = []
    cursor, uid = 0, ""
    while True:
        finished = writers_done.is_set()
        page = kiosk.pull(hub, cursor, uid)
        seen += [c["change_id"] for c in page["changes"]]
        cursor, uid = page["next_cursor"], page["next_uid"]
        if finished and not page["more"]:
            break
        if all(not t.is_alive() for t in threads):
            writers_done.set()
    assert not errors
    assert seen == list(range(1, len(codes) * 15 + 1))


def test_two_hub_processes_on_one_database_apply_a_batch_once(hub_url, hub):
    """Stateless hub processes behind a load balancer: the same batch sent to two of them at once."""
    kiosk = enrolled(hub)
    second = Hub(open_hub_database(hub_url), clock=hub.clock)
    ops = [kiosk.op(i) for i in range(1, 201)]
    results, errors = [], []

    def send(target: Hub) -> None:
        try:
            results.append(kiosk.push(target, ops))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    together(*(lambda h=h: send(h) for h in (hub, second, hub, second)))
    second.db.dispose()
    assert not errors
    assert sorted(r["accepted"] for r in results) == [0, 0, 0, 200]
    assert hub.stats()["dossiers"] == 200 and hub.stats()["kiosks"][0]["high_water_mark"] == 200


def test_back_office_moves_follow_the_status_machines(hub):
    kiosk = enrolled(hub)
    d1, t1 = kiosk.code(1), kiosk.code(2)
    kiosk.push(hub, [kiosk.op(1, tracking_code=d1, status="received"),
                     kiosk.op(2, "account.requested", tracking_code=t1, level=2)])
    for code, status, note, reason in [
        (d1, "approved", "", "bad_status"),  # not a status of the machine
        (d1, "returned", "", "bad_transition"),  # received → returned skips the decision
        (d1, "rejected", "  ", "note_required"),  # the citizen must be told why
        (t1, "processing", "", "bad_status"),  # a dossier status on an account request
        (t1, "rejected", "", "note_required"),
    ]:
        with pytest.raises(HubError) as refused:
            hub.set_status(code, status, note)
        assert refused.value.code == reason, (code, status)
        assert "'" in refused.value.message_vi
    assert hub.set_status(d1, "processing")["previous"] == "received"
    assert hub.set_status(t1, "activated")["previous"] == "submitted"
    with pytest.raises(HubError) as again:
        hub.set_status(t1, "rejected", "quá hạn")
    assert again.value.code == "bad_transition" and again.value.status == 409
    changes = [c["payload"]["status"] for c in kiosk.pull(hub)["changes"] if c["kind"] == "dossier.status"]
    assert changes == ["processing", "activated"]  # nothing refused reached the station


def test_status_lookup_answers_the_station_only_without_personal_data(hub):
    kiosk = enrolled(hub, "CA-1")
    other = enrolled(hub, "CA-2")
    d1 = kiosk.code(1)
    kiosk.push(hub, [kiosk.op(1, tracking_code=d1, status="received", service_no=3, service_code="3",
                              appointment_date="2026-12-02", subject_name="Nguyễn Văn A")])
    hub.set_status(d1, "supplement_requested", "thiếu tờ khai")

    def lookup(terminal: Terminal, code: str) -> dict:
        path = f"/v1/status/{code}"
        return hub.lookup("GET", path, b"", terminal.headers(hub, "GET", path, b""), code)

    found = lookup(kiosk, d1)
    assert found["found"] is True and found["status"] == "supplement_requested"
    assert (found["service_no"], found["appointment_date"], found["kind"]) == (3, "2026-12-02", "dossier")
    assert "Nguyễn" not in json.dumps(found, ensure_ascii=False)
    assert lookup(other, d1) == {"found": False, "tracking_code": d1}
    assert lookup(kiosk, kiosk.code(404))["found"] is False
    with pytest.raises(HubError) as unsigned:
        hub.lookup("GET", "/v1/status/D-1", b"", {}, "D-1")
    assert unsigned.value.code == "unsigned"


def test_a_rejoin_code_serves_its_own_kiosk_once_with_a_newer_epoch(hub):
    kiosk = enrolled(hub, "CA-1")
    kiosk.push(hub, [kiosk.op(1), kiosk.op(2)])
    code = hub.create_enrol_code("CA-1", rejoin_kiosk=kiosk.kiosk_id)
    neighbour = enrolled(hub, "CA-1")
    with pytest.raises(HubError) as stranger:  # another enrolled kiosk typed it
        Terminal(kiosk_id=neighbour.kiosk_id, key=neighbour.key).enrol(hub, code)
    assert stranger.value.code == "code_for_another_kiosk"
    same_epoch = Terminal(kiosk_id=kiosk.kiosk_id, key=kiosk.key)
    with pytest.raises(HubError) as stale:
        same_epoch.enrol(hub, code)
    assert stale.value.code == "epoch_not_newer"
    restored = Terminal(kiosk_id=kiosk.kiosk_id, key=kiosk.key)
    restored.epoch = 2
    answer = restored.enrol(hub, code)
    assert answer["rejoined"] is True and answer["high_water_mark"] == 2
    with pytest.raises(HubError) as old:  # the instance it replaced is refused from now on
        kiosk.push(hub, [kiosk.op(3)])
    assert old.value.code == "cloned_kiosk"
    assert restored.push(hub, [restored.op(3)])["accepted"] == 1
    with pytest.raises(HubError) as spent:
        Terminal(kiosk_id=kiosk.kiosk_id, key=kiosk.key).enrol(hub, code)
    assert spent.value.code == "code_used"
    with hub.db.sessions() as s:
        assert s.execute(text("select count(*) from hub_audit where action = 'kiosk.rejoined'")).scalar() == 1


def test_blocks_are_the_hubs_one_per_kiosk_of_a_station_and_a_full_station_is_refused(hub):
    """Blocks of the daily sequence: 1–8 for the kiosks of a station, each held by one (kiosk.domain.tracking);
    the ninth kiosk is refused in plain words, until a kiosk is retired and its block has rested."""
    kiosks = [Terminal() for _ in range(8)]
    blocks = [k.enrol(hub, hub.create_enrol_code("CA-1"))["numbering"]["block"] for k in kiosks]
    assert sorted(blocks) == list(range(1, 9))
    elsewhere = Terminal(station="CA-2").enrol(hub, hub.create_enrol_code("CA-2"))["numbering"]
    assert (elsewhere["block"], elsewhere["first"], elsewhere["last"]) == (1, "1001", "1999")
    code = hub.create_enrol_code("CA-1")
    with pytest.raises(HubError) as full:
        Terminal().enrol(hub, code)
    assert (full.value.status, full.value.code) == (409, "station_full")
    assert "kiosk-hub kiosk retire" in full.value.message_vi and "CA-1" in full.value.message_vi

    gone = kiosks[2]
    retired = hub.retire(gone.kiosk_id)
    assert retired["block"] == blocks[2]
    with pytest.raises(HubError) as refused:
        gone.push(hub, [gone.op(1)])
    assert refused.value.code == "kiosk_retired"
    with pytest.raises(HubError):
        Terminal().enrol(hub, code)  # the block rests: codes of its last day stay that kiosk's
    hub.clock.now += core.RELEASE_HOLD_S + 1
    newcomer = Terminal().enrol(hub, hub.create_enrol_code("CA-1"), numbering={"block": 7})  # 7 is taken
    assert newcomer["numbering"]["block"] == blocks[2]
    stats = hub.stats()
    assert stats["stations"]["CA-1"]["blocks_free"] == 0 and stats["stations"]["CA-2"]["blocks_free"] == 7
    assert {k["kiosk_id"]: k["retired_at"] is not None for k in stats["kiosks"]}[gone.kiosk_id]


def test_a_kiosk_enrolled_before_the_hub_owned_blocks_gets_one_at_its_next_push(hub):
    kiosk = enrolled(hub, "CA-1")
    other = enrolled(hub, "CA-1")
    with hub.db.transaction() as s:  # as the upgrade leaves it
        s.execute(text("update hub_kiosk set block = null where kiosk_id = :k"), {"k": kiosk.kiosk_id})
    taken = hub.stats()["stations"]["CA-1"]["blocks"]
    assert list(taken.values()) == [other.kiosk_id]
    answer = kiosk.push(hub, [kiosk.op(1)], numbering={"block": 5, "source": "local"})  # set by hand, still free
    assert answer["numbering"] == {"block": 5, "first": "5001", "last": "5999"}
    assert kiosk.push(hub, [kiosk.op(2)], numbering={"block": 3})["numbering"]["block"] == 5  # the hub's now


def test_two_kiosks_pushing_one_code_at_once_through_two_hub_processes_both_keep_their_dossier(hub_url, hub):
    """Two hub processes check the code at the same moment for two kiosks: one commits first, the other finds
    the code taken when it inserts, starts again and gives its dossier a new code. Nothing is dropped."""
    second = Hub(open_hub_database(hub_url), clock=hub.clock)
    kiosks = [enrolled(hub, "CA-1"), enrolled(hub, "CA-1")]
    codes = [f"000.00.24.H57-261125-{n:04d}" for n in range(1, 41)]
    batches = [[k.op(i + 1, tracking_code=c, dossier_uid=str(uuid.uuid4()), status="received")
                for i, c in enumerate(codes)] for k in kiosks]
    errors = []

    def send(terminal: Terminal, target: Hub, ops: list[dict]) -> None:
        try:
            terminal.push(target, ops)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    together(*(lambda k=k, h=h, b=b: send(k, h, b) for k, h, b in zip(kiosks, (hub, second), batches, strict=True)))
    second.db.dispose()
    assert not errors
    with hub.db.sessions() as s:
        rows = s.execute(text("select tracking_code, previous_code, kiosk_id from hub_dossier")).all()
    assert len(rows) == 80 and len({r.tracking_code for r in rows}) == 80
    recoded = [r for r in rows if r.previous_code]
    assert len(recoded) == 40 and {r.previous_code for r in recoded} == set(codes)
    assert len({r.kiosk_id for r in recoded}) == 1  # whole batches: the one that came second
    assert all(r.tracking_code.startswith("000.00.24.H57-261125-9") for r in recoded)
    changes = kiosks[0].pull(hub)["changes"]
    assert sum(c["kind"] == "dossier.recoded" for c in changes) == 40


def test_the_upgrade_gives_every_dossier_and_waiting_change_its_identity(hub_url):
    """A hub from before this version: its dossiers get the identity both sides compute, and the statuses
    waiting for kiosks carry it, so a kiosk that pulls after the upgrade still applies them."""
    from kiosk.hub.db import upgrade

    db = open_hub_database(hub_url, migrate=False)
    try:
        upgrade(db, "h003")
        payload = json.dumps({"tracking_code": "D-1", "request_id": "1f9a3b9e-0000-4000-8000-000000000001"})
        with db.transaction() as s:
            for code, kiosk, seq, service in (("C-1", "K-A", 1, "3"), ("D-1", "K-A", 2, core.ACCOUNT_PROCEDURE)):
                s.execute(text("insert into hub_dossier values (:c, 'CA-1', :k, :q, :sv, 'received', 'x', 'x')"),
                          {"c": code, "k": kiosk, "q": seq, "sv": service})
            s.execute(text("insert into hub_inbox values ('K-A', 2, 'op', 'account.requested', 1, :p, 'x', 'h', "
                           "'x', 'applied', null)"), {"p": payload})
            s.execute(text("insert into hub_change values ('CA-1', 1, 'u1', 'dossier.status', :p, 'x')"),
                      {"p": json.dumps({"tracking_code": "C-1", "status": "processing"})})
        upgrade(db)
        with db.sessions() as s:
            uids = dict(s.execute(text("select tracking_code, uid from hub_dossier")).all())
            change = json.loads(s.execute(text("select payload from hub_change")).scalar())
        assert uids == {"C-1": protocol.legacy_dossier_uid("K-A", "C-1"),
                        "D-1": "1f9a3b9e-0000-4000-8000-000000000001"}
        assert (change["dossier_uid"], change["kiosk_id"]) == (uids["C-1"], "K-A")
    finally:
        db.dispose()


def test_the_upgrade_binds_each_unit_to_the_station_that_numbered_under_it_first(hub_url):
    """Migration h005: the units the kiosks declared (earliest enrolment first), then the units of the dossiers
    each station holds, for units no station holds yet; after it, a kiosk of another station cannot push them."""
    from sqlalchemy import insert

    from kiosk.hub.db import upgrade
    from kiosk.hub.models import HubDossier, HubKiosk

    db = open_hub_database(hub_url, migrate=False)
    try:
        upgrade(db, "h004")
        upgrade(db, "h020")
        kiosk = {"public_key": "x", "epoch": 1, "key_serial": 1}
        dossier = {"status": "received", "received_at": "2026-01-05T01:00:00.000Z", "updated_at": "x"}
        with db.transaction() as s:
            s.execute(insert(HubKiosk.__table__), [
                kiosk | {"kiosk_id": "K-B", "station": "CA-2", "unit_id": UNIT, "instance_uuid": str(uuid.uuid4()),
                         "enrolled_at": "2026-02-01T00:00:00.000Z", "block": 1},
                kiosk | {"kiosk_id": "K-A", "station": "CA-1", "unit_id": UNIT, "instance_uuid": str(uuid.uuid4()),
                         "enrolled_at": "2026-01-01T00:00:00.000Z", "block": 1},
                kiosk | {"kiosk_id": "K-C", "station": "CA-3", "unit_id": None, "instance_uuid": str(uuid.uuid4()),
                         "enrolled_at": "2026-01-02T00:00:00.000Z", "block": 1}])
            s.execute(insert(HubDossier.__table__), [
                dossier | {"tracking_code": "000.00.26.H60-260105-1001", "uid": str(uuid.uuid4()), "station": "CA-3",
                           "kiosk_id": "K-C", "seq": 1},
                dossier | {"tracking_code": f"{UNIT}-260105-1001", "uid": str(uuid.uuid4()), "station": "CA-2",
                           "kiosk_id": "K-B", "seq": 1},
                dossier | {"tracking_code": "C-1", "uid": str(uuid.uuid4()), "station": "CA-3", "kiosk_id": "K-C",
                           "seq": 2}])
        upgrade(db)
        hub = Hub(db, clock=HubClock())
        assert (hub.units("CA-1"), hub.units("CA-2"), hub.units("CA-3")) == ([UNIT], [], ["000.00.26.H60"])
        with pytest.raises(HubError) as taken:
            hub.bind_unit("CA-2", UNIT)
        assert taken.value.code == "unit_of_another_station" and "CA-1" in taken.value.message_vi
    finally:
        db.dispose()
