"""A hostile caller against the hub as operators run it: a real `kiosk-hub serve` (uvicorn) process.

Bodies are capped while they stream, JSON is parsed within limits, every malformed request gets a 4xx
with a reason code (never a 500 or a traceback), and refused requests are counted per source address
without ever being written as the act of the kiosk they name.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.hub.embedded import free_port
from kiosk.wire import protocol

GIB = 1024 * 1024 * 1024
CHUNK = 1024 * 1024


class HubProcess:
    def __init__(self, tmp_path: Path, db: str | None = None, extra: tuple[str, ...] = ()) -> None:
        self.db = db or f"sqlite:///{tmp_path / 'hub' / 'hub.db'}"
        self.port = free_port()
        self.stderr_path = tmp_path / f"hub-{self.port}.log"
        self.stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.hub", "serve", "--db", self.db, "--port", str(self.port), *extra],
            stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.url}/health", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"the hub did not start: {self.stderr_path.read_text()}") from None
                time.sleep(0.05)

    def peak_rss(self) -> int:
        """The process's high-water resident set (VmHWM), in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc")

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "kiosk.hub", *args, "--db", self.db], capture_output=True,
                              text=True, timeout=60, env=dict(os.environ))

    def log(self) -> str:
        if not self.stderr.closed:
            self.stderr.flush()
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.stderr.close()


@pytest.fixture
def hub(tmp_path):
    process = HubProcess(tmp_path)
    yield process
    process.stop()


def stream_upload(port: int, path: str, headers: dict[str, str], chunks: Iterator[bytes],
                  chunked: bool) -> tuple[int | None, int]:
    """Send a request whose body comes from a generator until the hub answers or closes.

    Returns the status the hub answered (None if it closed without one) and the bytes sent."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sent = 0
    answer = b""
    try:
        sock.sendall((head + "\r\n").encode())
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0]:
                break  # the hub has answered (or closed) while we were still sending
            data = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
            try:
                sock.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        try:
            while b"\r\n" not in answer:
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except ConnectionResetError:
            pass
    finally:
        sock.close()
    status = int(answer.split(b" ")[1]) if answer.startswith(b"HTTP/1.1 ") else None
    return status, sent


def gibibyte() -> Iterator[bytes]:
    block = b"[" * CHUNK  # as hostile as it gets: also a million levels of nesting per block
    for _ in range(GIB // CHUNK):
        yield block


@pytest.mark.slow
def test_a_gibibyte_upload_is_refused_while_it_streams_and_the_hubs_memory_stays_bounded(hub):
    # Issue 15, finding 1: a 1 GiB upload brought the hub to 2.1 GiB before a 413. The limit is
    # checked on the declared length first, then counted as the body arrives, before any parsing.
    uploads = [
        ("/v1/push", {}, True),  # chunked: no length declared at all
        ("/v1/enrol", {}, True),
        ("/v1/push", {"Content-Length": str(GIB)}, False),  # honest and too large
        ("/v1/push", {"Content-Length": "100"}, False),  # lies: 100 declared, a gibibyte sent
        ("/v1/backoffice/dossiers/X/status", {}, True),
    ]
    statuses = []
    for path, headers, chunked in uploads:
        status, sent = stream_upload(hub.port, path, headers, gibibyte(), chunked)
        statuses.append(status)
        assert sent < GIB // 4, f"{path}: the hub kept reading ({sent} bytes)"
    assert statuses[:3] == [413, 413, 413]
    assert statuses[3] == 400  # the 100 declared bytes are not JSON; the rest is not read as a body
    assert statuses[4] == 413
    assert hub.peak_rss() < 300 * 1024 * 1024, f"peak RSS {hub.peak_rss() / 2**20:.0f} MiB"
    # The hub still serves the kiosks afterwards.
    assert httpx.get(f"{hub.url}/health").json()["status"] == "ok"
    assert "Traceback" not in hub.log()


# hostile JSON against every endpoint
HOSTILE_BODIES: dict[str, bytes] = {
    "deep_array": b"[" * 100_000 + b"]" * 100_000,
    "deep_object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "seq_1e999": b'{"ops":[{"seq":1e999,"op_id":"x","kind":"k","payload":"{}","schema_version":1,"created_at":"t"}]}',
    "seq_minus_1e999": b'{"ops":[{"seq":-1e999}]}',
    "seq_1e20": b'{"ops":[{"seq":1e20,"op_id":"x","kind":"k","payload":"{}","schema_version":1,"created_at":"t"}]}',
    "huge_integer": b'{"epoch":' + b"9" * 5000 + b"}",
    "nan": b'{"seq":NaN}',
    "infinity": b'{"epoch":Infinity}',
    "lone_surrogate": b'{"code":"\\ud800","kiosk_id":"\\udfff"}',
    "invalid_utf8": b'{"code":"\xff\xfe"}',
    "truncated": b'{"ops":[{"seq":1',
    "not_an_object": b"[1,2,3]",
    "a_string": b'"status"',
    "wrong_types": b'{"ops":"many","audit_entries":{"a":1},"audit_head":[1],"status":["a"],"note":{"x":1},'
                   b'"code":[],"kiosk_id":{},"public_key":1,"instance_uuid":null,"epoch":"one"}',
    "empty": b"",
    "nul_bytes": b'{"status":"received\\u0000","code":"\\u0000"}',
    "utf16": '{"status":"received"}'.encode("utf-16"),
}

ENDPOINTS = [
    ("GET", "/health"),
    ("GET", "/openapi.json"),
    ("POST", "/v1/enrol"),
    ("POST", "/v1/push"),
    ("GET", "/v1/pull"),
    ("GET", "/v1/keys"),
    ("GET", "/v1/status/000.00.24.H57-261125-0001"),
    ("POST", "/v1/backoffice/dossiers/000.00.24.H57-261125-0001/status"),
]

HOSTILE_QUERIES = [
    "/v1/pull?after=1e20", "/v1/pull?after=100000000000000000000", "/v1/pull?after=-1", "/v1/pull?limit=1e999",
    "/v1/pull?limit=0", "/v1/pull?after=abc", "/v1/pull?after_uid=" + "x" * 5000, "/v1/keys?station=" + "é" * 3000,
    "/v1/status/" + "9" * 400,
]


def signed_headers(method: str, path: str, body: bytes, kiosk_id: str = "K-STRANGER") -> dict[str, str]:
    key = Ed25519PrivateKey.generate()
    h = protocol.SignedHeaders(kiosk_id, str(uuid.uuid4()), 1, int(time.time()), secrets.token_hex(16))
    return protocol.sign_request(key, method, path, body, h).as_dict()


def assert_refused_with_a_reason(response: httpx.Response, what: str) -> None:
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code} {response.text[:200]}"
    payload = response.json()
    assert isinstance(payload.get("error"), str) and payload["error"], what
    assert payload.get("message_vi"), what
    assert "Traceback" not in response.text and "File \"" not in response.text, what


@pytest.mark.slow
def test_the_hostile_json_set_gets_a_4xx_with_a_reason_from_every_endpoint(tmp_path):
    # Issue 15, finding 2: 1e999 (OverflowError), 100,000-deep JSON (RecursionError, before
    # authentication) and pull?after=1e20 gave 500s with tracebacks.
    hub = HubProcess(tmp_path, extra=("--max-refusals", "100000"))
    try:
        token = json.loads(hub.cli("backoffice-token", "--name", "so-tu-phap", "--json").stdout)["token"]
        with httpx.Client(base_url=hub.url, timeout=30) as client:
            for name, body in HOSTILE_BODIES.items():
                for method, path in ENDPOINTS:
                    for signed in (False, True):
                        headers = signed_headers(method, path, body) if signed else {}
                        if "backoffice" in path and signed:
                            headers = {"Authorization": f"Bearer {token}"}
                        response = client.request(method, path, content=body, headers=headers)
                        what = f"{name} → {method} {path} ({'signed' if signed else 'unsigned'})"
                        if path in ("/health", "/openapi.json", "/v1/keys") and not body:
                            assert response.status_code == 200, what
                        else:
                            assert_refused_with_a_reason(response, what)
            for query in HOSTILE_QUERIES:
                response = client.get(query, headers=signed_headers("GET", query, b""))
                assert_refused_with_a_reason(response, query) if "keys" not in query else None
                assert response.status_code < 500, query
    finally:
        hub.stop()
    log = hub.log()
    assert "Traceback" not in log and "Exception in ASGI application" not in log


# refused requests: counted per address, never written as another kiosk's act
def enrol_a_kiosk(hub: HubProcess, station: str = "CA-1") -> tuple[str, Ed25519PrivateKey, str, int]:
    code = json.loads(hub.cli("enrol-code", "--station", station, "--unit", "000.00.24.H57", "--json").stdout)["code"]
    key = Ed25519PrivateKey.generate()
    kiosk_id, instance = f"K-{secrets.token_hex(4).upper()}", str(uuid.uuid4())
    public = protocol.b64u(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    body = json.dumps({"code": code, "kiosk_id": kiosk_id, "public_key": public, "instance_uuid": instance,
                       "epoch": 1}).encode()
    h = protocol.SignedHeaders(kiosk_id, instance, 1, int(time.time()), secrets.token_hex(16))
    headers = protocol.sign_request(key, "POST", "/v1/enrol", body, h).as_dict()
    answer = httpx.post(f"{hub.url}/v1/enrol", content=body, headers=headers)
    answer.raise_for_status()
    return answer.json()["kiosk_id"], key, instance, 1  # the id the hub gave it


def test_unsigned_requests_naming_a_kiosk_are_counted_per_address_not_against_the_kiosk(hub):
    # Issue 15, finding 6: unsigned requests naming another kiosk wrote hub audit rows and moved that
    # kiosk's refusal counters, so anyone could flood the audit and blame a kiosk.
    kiosk_id, key, instance, epoch = enrol_a_kiosk(hub)
    stats_before = json.loads(hub.cli("stats", "--json").stdout)
    body = json.dumps({"ops": []}).encode()
    statuses = []
    with httpx.Client(base_url=hub.url) as client:
        for _ in range(40):
            statuses.append(client.post("/v1/push", content=body,
                                        headers=signed_headers("POST", "/v1/push", body, kiosk_id)).status_code)
        refused = client.post("/v1/push", content=body, headers=signed_headers("POST", "/v1/push", body, kiosk_id))
    assert statuses[0] == 401 and 429 in statuses
    assert refused.status_code == 429 and refused.json()["error"] == "too_many_failures"
    assert int(refused.headers["retry-after"]) >= 1
    stats_after = json.loads(hub.cli("stats", "--json").stdout)
    before = {k["kiosk_id"]: k for k in stats_before["kiosks"]}[kiosk_id]
    after = {k["kiosk_id"]: k for k in stats_after["kiosks"]}[kiosk_id]
    assert (after["refusals"], after["last_refusal"]) == (before["refusals"], before["last_refusal"]) == (0, None)

    from sqlalchemy import func, select

    from kiosk.hub.db import open_hub_database
    from kiosk.hub.models import HubAudit

    db = open_hub_database(hub.db)
    try:
        with db.sessions() as s:
            named = s.scalar(select(func.count()).select_from(HubAudit).where(HubAudit.target == kiosk_id,
                                                                               HubAudit.action.like("refused.%")))
    finally:
        db.dispose()
    assert named == 0


def test_a_real_kiosks_replayed_packets_never_get_its_address_throttled(hub):
    # A network that duplicates packets makes the hub refuse signed copies as replays: they prove the
    # kiosk's key, so they do not count against the station's address.
    kiosk_id, key, instance, epoch = enrol_a_kiosk(hub)
    body = json.dumps({"ops": []}).encode()
    h = protocol.SignedHeaders(kiosk_id, instance, epoch, int(time.time()), secrets.token_hex(16))
    headers = protocol.sign_request(key, "POST", "/v1/push", body, h).as_dict()
    with httpx.Client(base_url=hub.url) as client:
        answers = [client.post("/v1/push", content=body, headers=headers) for _ in range(40)]
    assert answers[0].status_code == 200
    assert {a.json()["error"] for a in answers[1:]} == {"replayed"} and 429 not in {a.status_code for a in answers}
