"""Issue 15, items 3, 5 and 10: station-bound codes, kiosk ids the hub makes, a hub the kiosk can trust.

Real uvicorn hubs (in-process on loopback, on this machine's own network address, and `kiosk-hub serve` over
TLS with a CA made here), real SQLCipher kiosks, the real `kiosk` and `kiosk-hub` commands. Each test fails on
the code before these items: a kiosk of one station could take another station's codes, the hub kept the id a
request named (spaces, slashes…) and the key refresh then failed for everyone without a word, and answers
were neither signed nor checked, over plain HTTP to anywhere.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID
from host_address import this_machines_address
from sqlalchemy import select
from sync_codes import UNIT
from sync_codes import code as tracking

from kiosk.db.engine import open_database
from kiosk.db.models_receipts import StationKey
from kiosk.hub import shared
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub, free_port
from kiosk.hub.models import HubDossier, HubKiosk
from kiosk.services import outbox
from kiosk.services.errors import InvalidInput
from kiosk.services.sync import SyncPolicy, SyncService
from kiosk.services.sync_client import HubAnswerForged, HubRefused, TlsUntrusted
from kiosk.wire import protocol

FAST = SyncPolicy(attempts=1, wait_initial_s=0.001, wait_max_s=0.01, jitter_s=0.001)
UNIT_B = "000.00.25.H58"
HUB_MADE_ID = re.compile(r"K-[0-9A-F]{10}")


class Tamper(httpx.BaseTransport):
    """A machine on the path: real HTTP to the hub; `edit(path, body) -> body` changes answers on the way, and
    with `replaying` the first pull answer is kept and handed back, signature and all, for every later pull."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.edit = None
        self.replaying = False
        self.recorded: tuple | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        status, body = response.status_code, response.read()
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        if self.replaying and request.url.path.endswith("/pull"):
            if self.recorded is None:
                self.recorded = (status, headers, body)
            else:
                status, headers, body = self.recorded
        if self.edit is not None:
            body = self.edit(request.url.path, body)
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        """Kept open across sync clients."""


@pytest.fixture
def hub(hub_server):
    return hub_server


@pytest.fixture
def kiosks(tmp_path):
    made, transports = [], []

    def make(name: str, unit: str = UNIT, transport: httpx.BaseTransport | None = None, **kw) -> SyncService:
        db = open_database(tmp_path / name, use_keyring=False)
        made.append(db)
        transports.append(transport or httpx.HTTPTransport())
        return SyncService(db, policy=FAST, transport=transports[-1], sleep=lambda _s: None, unit_id=unit, **kw)

    yield make
    for db in made:
        db.dispose()
    for transport in transports:
        getattr(transport, "inner", transport).close()


def write_dossier(service: SyncService, code: str) -> None:
    """A clerk's act: the dossier's outbox row, committed."""
    with service.db.transaction() as s:
        outbox.enqueue(s, "dossier.created", {"tracking_code": code, "service_code": "1.001", "status": "received"})


def run(*args: str, module: str = "kiosk", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=90,
                          env=dict(os.environ) | (env or {}))


# Item 3
def test_a_kiosk_cannot_take_a_code_of_another_stations_unit(hub, kiosks, operator):
    """Finding 3: a kiosk of station A pushed a dossier under station B's unit id and B's next code; B's real
    dossier was then refused. Now A's push is refused, as an alarm on A's kiosk, and B's dossier goes in as it is.
    (QCVN 102:2016 / Thông tư 01/2018/TT-VPCP: a tracking code begins with the receiving unit's identifier.)"""
    a = kiosks("a", UNIT)
    b = kiosks("b", UNIT_B)
    a.enrol(operator, hub.hub.create_enrol_code("CA-A"), hub.url)
    b.enrol(operator, hub.hub.create_enrol_code("CA-B"), hub.url)
    with pytest.raises(HubRefused) as wrong:  # a kiosk of A that says it numbers under B's unit is not enrolled
        kiosks("a2", UNIT_B).enrol(operator, hub.hub.create_enrol_code("CA-A"), hub.url)
    assert wrong.value.reason == "wrong_unit" and UNIT in wrong.value.message_vi

    stolen = tracking("B", 1, UNIT_B)  # B's unit and B's next code
    write_dossier(a, stolen)
    write_dossier(a, "CA-A/0001")  # not a code of the Circular's form at all
    report = a.run_once(operator)
    assert report.status == "attention" and not report.ok and report.rejected == [1, 2]
    alarms = [(x["kind"], x["seq"], x["reason"], x["tracking_code"]) for x in a.state().alarms]
    assert alarms == [("rejected", 1, "foreign_unit", stolen), ("rejected", 2, "bad_tracking_code", "CA-A/0001")]
    assert stolen in a.state().alarms[0]["message_vi"] and "unit_id" in a.state().alarms[0]["message_vi"]
    with hub.hub.db.sessions() as s:
        assert s.get(HubDossier, stolen) is None

    write_dossier(b, stolen)  # B's real dossier with that code
    mine = b.run_once(operator)
    assert mine.status == "ok" and mine.pushed == 1 and mine.rejected == [] and b.state().alarms == []
    with hub.hub.db.sessions() as s:
        kept = s.get(HubDossier, stolen)
        assert (kept.kiosk_id, kept.station, kept.previous_code) == (b.who.kiosk_id, "CA-B", None)
    hub.hub.set_status(stolen, "processing", "đang thẩm định")
    assert b.run_once(operator).pulled == 1 and b.remote_status(operator, stolen)["status"] == "processing"
    assert a.run_once(operator).pulled == 0 and a.remote_status(operator, stolen) is None
    assert hub.hub.stats()["stations"]["CA-B"]["units"] == [UNIT_B]


# Item 5
HOSTILE_IDS = ["K 01 quay 2", "../../etc/passwd", "K/" + "x" * 10_240, "Kiốt-Phường-🙂"]


def hostile_enrol(url: str, code: str, kiosk_id: str) -> httpx.Response:
    """An enrolment as an older kiosk, or anyone holding a code, sends it: naming its own id in the body and in
    the signed headers (bytes on the wire: the id in UTF-8)."""
    key = Ed25519PrivateKey.generate()
    instance = str(uuid.uuid4())
    body = json.dumps({"code": code, "kiosk_id": kiosk_id, "public_key": protocol.b64u(
        key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)), "instance_uuid": instance, "epoch": 1,
        "unit_id": UNIT}, ensure_ascii=False).encode()
    wire_id = kiosk_id.encode().decode("latin-1")  # what the hub reads from the header
    h = protocol.SignedHeaders(wire_id, instance, 1, int(time.time()), os.urandom(16).hex())
    headers = {k: v.encode("latin-1") for k, v in protocol.sign_request(key, "POST", "/v1/enrol", body, h)
               .as_dict().items()}
    return httpx.post(f"{url}/v1/enrol", content=body, headers=headers, timeout=30)


def station_key_ids(service: SyncService) -> set[str]:
    with service.db.sessions() as s:
        return set(s.scalars(select(StationKey.kiosk_id)))


def test_hostile_kiosk_ids_get_hub_made_ids_and_the_key_refresh_works_for_every_kiosk(hub, kiosks, operator,
                                                                                       data_dir):
    """Finding 5: an id with spaces was taken as given, and every kiosk's station-key refresh then failed,
    silently (exit 0). Now the hub makes every id; the refresh works; a refresh that fails is an alarm."""
    given = []
    for hostile in HOSTILE_IDS:
        answer = hostile_enrol(hub.url, hub.hub.create_enrol_code("CA-1"), hostile)
        assert answer.status_code == 200, answer.text
        kiosk_id = answer.json()["kiosk_id"]
        assert HUB_MADE_ID.fullmatch(kiosk_id) and kiosk_id not in given
        given.append(kiosk_id)
    with hub.hub.db.sessions() as s:
        rows = s.scalars(select(HubKiosk)).all()
        assert sorted(r.kiosk_id for r in rows) == sorted(given)
        assert all(r.local_id is None for r in rows)  # none of them is even kept as a name for old receipts
        legacy = rows[0]
        old_row = {c.name: getattr(legacy, c.name) for c in HubKiosk.__table__.columns}
    with hub.hub.db.transaction() as s:
        # A row an older hub took from a request: left out of the list, never breaking it for the others.
        s.add(HubKiosk(**old_row | {"kiosk_id": "K 01 cũ", "block": None, "public_key": protocol.b64u(os.urandom(32))}))

    first = kiosks("first")
    enrolled = first.enrol(operator, hub.hub.create_enrol_code("CA-1"), hub.url)
    assert HUB_MADE_ID.fullmatch(enrolled["kiosk_id"]) and first.who.kiosk_id == enrolled["kiosk_id"]
    second = SyncService(open_database(data_dir, use_keyring=False), policy=FAST, sleep=lambda _s: None,
                         unit_id=UNIT)
    second.enrol(operator, hub.hub.create_enrol_code("CA-1"), hub.url)
    everyone = set(given) | {first.who.kiosk_id, second.who.kiosk_id}
    for service in (first, second):
        report = service.run_once(operator)
        assert report.status == "ok" and report.alarms == [], report
        assert station_key_ids(service) == everyone

    # A list the kiosk cannot store (a damaged row on the hub): an alarm with the reason, never "done".
    with hub.hub.db.transaction() as s:
        s.get(HubKiosk, given[0]).public_key = "khóa-hỏng"
        shared._bump_meta(s, "keys_version")
    report = first.run_once(operator)
    assert report.status == "attention" and not report.ok
    (alarm,) = [a for a in report.alarms if a["kind"] == "keys"]
    assert "khóa" in alarm["message_vi"] and alarm["reason"] and "quản trị viên" in alarm["message_vi"]
    assert station_key_ids(first) == everyone  # the previous list stays meanwhile
    second.db.dispose()
    synced = run("sync", "--json")  # the command line says so too, with a non-zero exit
    assert synced.returncode != 0, synced.stdout
    assert any(a["kind"] == "keys" for a in json.loads(synced.stdout)["alarms"])
    with hub.hub.db.transaction() as s:  # repaired on the hub: the alarm clears at the next sync
        s.get(HubKiosk, given[0]).public_key = protocol.b64u(os.urandom(32))
        shared._bump_meta(s, "keys_version")
    assert first.run_once(operator).status == "ok"


# Item 10
def test_a_tampered_or_replayed_hub_answer_is_refused_with_an_alarm(hub, kiosks, operator):
    """Finding 10: a machine on the path could inject station keys or change statuses. Every answer now carries
    the hub's signature (the key the kiosk pinned at enrolment) over the request it answers."""
    path = Tamper()
    kiosk = kiosks("counter", transport=path)
    answer = kiosk.enrol(operator, hub.hub.create_enrol_code("CA-1"), hub.url)
    assert answer["hub_fingerprint"] == hub.hub.identity()["fingerprint"]
    assert kiosk.state().hub_key_fingerprint == hub.hub.identity()["fingerprint"]
    code = tracking("T", 1)
    write_dossier(kiosk, code)
    assert kiosk.run_once(operator).status == "ok"

    hub.hub.set_status(code, "processing", "đang thẩm định")
    path.edit = lambda p, body: body.replace(b'"processing"', b'"result_ready"') if p.endswith("/pull") else body
    report = kiosk.run_once(operator)
    assert report.status == "halted" and report.error == "hub_answer_forged" and report.pulled == 0
    assert kiosk.remote_status(operator, code) is None  # nothing of it was used
    st = kiosk.state()
    assert st.halted and st.halted_reason == "hub_answer_forged" and "chữ ký" in report.message_vi

    path.edit = None
    kiosk.resume(operator)
    assert kiosk.run_once(operator).pulled == 1
    assert kiosk.remote_status(operator, code)["status"] == "processing"

    # Another kiosk enrols, so the next sync fetches the station keys: an attacker's key is slipped in.
    kiosks("hall").enrol(operator, hub.hub.create_enrol_code("CA-1"), hub.url)
    evil = protocol.b64u(os.urandom(32))

    def inject(p: str, body: bytes) -> bytes:
        if not p.endswith("/keys"):
            return body
        data = json.loads(body)
        data["keys"].append({"kiosk_id": "K-KE-GIAN", "station": "CA-1", "public_key": evil, "epoch": 1})
        return json.dumps(data).encode()

    path.edit = inject
    assert kiosk.run_once(operator).error == "hub_answer_forged"
    assert "K-KE-GIAN" not in station_key_ids(kiosk)

    # A genuine answer to an earlier request, replayed for a new one, is refused the same way.
    path.edit = None
    kiosk.resume(operator)
    path.replaying = True
    assert kiosk.run_once(operator).status == "ok"  # its pull answer is recorded on the way
    hub.hub.set_status(code, "result_ready", "")
    replayed = kiosk.run_once(operator)
    assert replayed.error == "hub_answer_forged" and kiosk.remote_status(operator, code)["status"] == "processing"

    # Other services' calls (the hall's queue) go through the same checked client.
    kiosk.resume(operator)
    path.replaying = False

    def refuse_on_the_way(p: str, body: bytes) -> bytes:
        return json.dumps(json.loads(body) | {"status": "rejected"}).encode() if "/status/" in p else body

    client = kiosk.hub_client(hub.url, 0, 5.0)
    assert client.status(code)["status"] == "result_ready"
    path.edit = refuse_on_the_way
    with pytest.raises(HubAnswerForged):
        client.status(code)
    client.close()


def test_plain_http_to_another_machine_is_refused_without_the_lab_flag(tmp_path, data_dir, operator):
    """HTTPS is required for a hub that is not on this machine; `--insecure-http` is for a lab and is shown."""
    db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    server = EmbeddedHub(Hub(db), host=this_machines_address()).start()
    try:
        code = server.hub.create_enrol_code("CA-LAB")
        refused = run("enrol", "--hub", server.url, "--code", code, "--json")
        assert refused.returncode == 2 and "https://" in refused.stderr, refused.stderr
        assert server.hub.stats()["kiosks"] == []  # refused before any contact
        lab = run("enrol", "--hub", server.url, "--code", code, "--insecure-http")
        assert lab.returncode == 0, lab.stderr
        assert "CẢNH BÁO" in lab.stdout
        status = run("sync", "--status")
        assert status.returncode == 0 and "KHÔNG MÃ HÓA" in status.stdout.splitlines()[0]
        assert json.loads(run("sync", "--status", "--json").stdout)["insecure_http"] is True
        assert run("sync", "--json").returncode == 0
        moved = run("sync", "--hub", server.url, "--json")  # a move to plain HTTP needs the flag again
        assert moved.returncode == 2 and "https://" in moved.stderr
    finally:
        server.stop()
        db.dispose()
    with pytest.raises(InvalidInput):  # and the service says so to any caller, not only the command line
        SyncService(open_database(tmp_path / "other", use_keyring=False)).enrol(operator, code, "http://192.0.2.77:8470")


def make_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A station's own CA and a certificate for the hub at 127.0.0.1 / localhost, made now (never committed)."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA trạm thử")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hub")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "hub.pem", folder / "hub-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    paths[2].chmod(0o600)
    return paths


def test_a_tls_hub_works_with_the_stations_ca_and_is_refused_without_it(tmp_path, data_dir, operator):
    """`kiosk-hub serve --tls-cert --tls-key`; the kiosk trusts the station's CA through its `hub_ca_file`
    setting (here KIOSK_HUB_CA_FILE), and without it the certificate is refused with a reason."""
    ca, cert, key = make_ca(tmp_path)
    db, port = f"sqlite:///{tmp_path / 'hub.db'}", free_port()
    hub = subprocess.Popen([sys.executable, "-m", "kiosk.hub", "serve", "--db", db, "--port", str(port),
                            "--tls-cert", str(cert), "--tls-key", str(key)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"https://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                if httpx.get(f"{url}/health", verify=ssl.create_default_context(cafile=ca), timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            pytest.fail("the TLS hub did not start")
        issued = json.loads(run("enrol-code", "--db", db, "--station", "CA-TLS", "--unit", UNIT, "--json",
                                module="kiosk.hub").stdout)
        untrusted = run("enrol", "--hub", url, "--code", issued["code"], "--json")
        assert untrusted.returncode == 1 and json.loads(untrusted.stdout)["error"] == "tls_untrusted"
        assert "hub_ca_file" in untrusted.stderr

        trust = {"KIOSK_HUB_CA_FILE": str(ca)}
        enrolled = run("enrol", "--hub", url, "--code", issued["code"], "--json", env=trust)
        assert enrolled.returncode == 0, enrolled.stderr
        assert json.loads(enrolled.stdout)["hub_fingerprint"] == issued["hub_fingerprint"]  # what the operator compares
        ident = json.loads(run("identity", "--db", db, "--json", module="kiosk.hub").stdout)
        assert ident["fingerprint"] == issued["hub_fingerprint"]

        kiosk_db = open_database(data_dir, use_keyring=False)
        with kiosk_db.transaction() as s:
            outbox.enqueue(s, "dossier.created", {"tracking_code": tracking("T", 1), "status": "received"})
        kiosk_db.dispose()
        synced = run("sync", "--json", env=trust)
        assert synced.returncode == 0 and json.loads(synced.stdout)["pushed"] == 1, synced.stdout + synced.stderr
        status = run("sync", "--status", env=trust).stdout
        assert ident["fingerprint"] in status and "KHÔNG MÃ HÓA" not in status
        other = open_database(tmp_path / "k2", use_keyring=False)
        again = json.loads(run("enrol-code", "--db", db, "--station", "CA-TLS", "--json", module="kiosk.hub").stdout)
        with pytest.raises(TlsUntrusted):  # the service refuses it the same way, whoever calls it
            SyncService(other, unit_id=UNIT).enrol(operator, again["code"], url)
        assert SyncService(other, unit_id=UNIT, ca_file=str(ca)).enrol(operator, again["code"], url)["block"] == 2
        other.dispose()
    finally:
        hub.terminate()
        hub.wait(timeout=15)


def test_replicas_share_one_signing_key_and_one_with_another_key_refuses_to_start(tmp_path):
    """Every replica signs with the key the database recorded at its first use (kiosks pinned it); a replica
    given another key, or none where one was used, says so and does not start."""
    db = f"sqlite:///{tmp_path / 'hub.db'}"
    shared = tmp_path / "keys" / "signing.key"
    first = json.loads(run("identity", "--db", db, "--signing-key", str(shared), "--json", module="kiosk.hub").stdout)
    again = json.loads(run("identity", "--db", db, "--json", module="kiosk.hub",
                           env={"KIOSK_HUB_SIGNING_KEY": str(shared)}).stdout)
    assert first == again and oct(shared.stat().st_mode & 0o777) == "0o600"
    run("identity", "--db", f"sqlite:///{tmp_path / 'other.db'}", "--signing-key", str(tmp_path / "other.key"),
        module="kiosk.hub")  # another hub's key
    other = run("serve", "--db", db, "--signing-key", str(tmp_path / "other.key"), "--port", str(free_port()),
                module="kiosk.hub")
    assert other.returncode == 1 and first["key_id"] in other.stderr and "--signing-key" in other.stderr
    assert "Traceback" not in other.stderr
    shared.unlink()
    lost = run("identity", "--db", db, "--signing-key", str(shared), module="kiosk.hub")
    assert lost.returncode == 1 and "sao lưu" in lost.stderr and not shared.exists()
