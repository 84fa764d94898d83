"""The hall's queue across a station: a ticket taken at the hall kiosk is called and received at a counter,
through a real hub served over HTTP, and again with the hub down through the ticket's QR code printed as
a PDF, rasterised by poppler and decoded by zbar and zxing-cpp.

Three kiosks with their own encrypted data folders (the hall, two counters), the real composition root
(kiosk.app.build), a real hub (uvicorn on loopback, SQLite) behind a network the test can cut.
"""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import date, timedelta

import httpx
import pytest
from dossier_samples import sample_dossier
from hub_drills import Network

from kiosk.app import build
from kiosk.domain.dossier import local_received_at
from kiosk.domain.roles import Principal, Role
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.hub.models_hall import HubQueueTicket
from kiosk.services.clock import utc_now
from kiosk.services.errors import InvalidInput
from kiosk.services.queue_desk import QueueError, QueueOffline
from kiosk.support.config import load_settings
from kiosk.support.jobs import run_inline

OFFICER = Principal("lan", Role.OFFICER)
SUPERVISOR = Principal("hung", Role.SUPERVISOR)
STATION = "CA-THANH-XUAN"


def station_today() -> date:
    return local_received_at(None, utc_now()).date()


def open_kiosk(folder, unit: str, counter: str, network: Network, slot: int, operator):
    kiosk = build(load_settings({"data_dir": str(folder), "unit_id": unit, "counter_name": counter}))
    kiosk.sync.transport = network  # before the hub link is made: it takes the sync's transport
    kiosk.dossiers.set_slot(operator, slot)
    return kiosk


@pytest.fixture
def station(tmp_path, operator):
    hub_db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub(hub_db)
    server = EmbeddedHub(hub).start()
    network = Network()
    hall = open_kiosk(tmp_path / "sanh", "000.00.24.H57", "Sảnh", network, 0, operator)
    first = open_kiosk(tmp_path / "quay-1", "000.00.24.H57", "Quầy 1", network, 1, operator)
    second = open_kiosk(tmp_path / "quay-2", "000.00.24.H57", "Quầy 2", network, 2, operator)
    kiosks = (hall, first, second)
    for kiosk in kiosks:
        kiosk.sync.enrol(operator, hub.create_enrol_code(STATION), server.url)
    for kiosk in kiosks:  # every kiosk learns the others' keys and the station's queue key
        assert kiosk.sync.run_once(operator).ok
    yield hub, hub_db, server, network, kiosks
    for kiosk in kiosks:
        kiosk.close()
    network.shutdown()
    server.stop()
    hub_db.dispose()


def citizen_principal(hall) -> Principal:
    from kiosk.services.identity import identity

    return Principal(f"selfservice:{identity(hall.db).kiosk_id}", Role.SELFSERVICE)


def number(kiosk, letter: str, nth: int) -> str:
    """The ticket number the hall kiosk prints: its block of the station's daily sequence (the hub's) in it."""
    from kiosk.domain.queue import ticket_number

    return ticket_number(letter, kiosk.dossiers.slot(), nth)


def hub_ticket(hub_db, ticket_id: str) -> HubQueueTicket:
    with hub_db.sessions() as s:
        return s.get(HubQueueTicket, ticket_id)


def audit_text(kiosk) -> str:
    from kiosk.db.models import AuditEntry

    with kiosk.db.sessions() as s:
        return "\n".join(f"{e.action} {e.target_id} {e.detail}" for e in s.query(AuditEntry).order_by(AuditEntry.seq))


def test_a_ticket_from_the_hall_is_called_and_received_at_a_counter_through_the_hub(station, operator):
    _hub, hub_db, server, _network, (hall, first, second) = station
    assert hall.queue.station_key() == first.queue.station_key() is not None  # one key for the station
    sample = sample_dossier(hall.catalog.get(4), 3, today=station_today())
    citizen = citizen_principal(hall)
    with pytest.raises(InvalidInput) as no_consent:
        hall.queue.take(citizen, 4, sample["form"], sample["citizen"])
    assert no_consent.value.errors[0][0] == "consent"
    taken = hall.queue.take(citizen, 4, sample["form"], sample["citizen"], consent="hall-2026.1")
    a1, a2 = number(hall, "A", 1), number(hall, "A", 2)
    assert (taken.number, taken.hub, taken.has_draft, taken.ahead) == (a1, "sent", True, 0)
    behind = hall.queue.take(citizen, 3)  # a ticket without a form, same group (residence)
    assert (behind.number, behind.ahead, behind.estimated_wait_min) == (a2, 1, 8)

    called = first.queue.call(OFFICER, "Quầy 1", ["A"])
    assert (called.number, called.source, called.counter) == (a1, "hub", "Quầy 1")
    assert called.chip_verdict == "chain_verified"
    assert called.citizen["personal"]["id_number"] == sample["citizen"]["personal"]["id_number"]
    assert called.form == sample["form"]
    later = second.queue.call(OFFICER, "Quầy 2", ["A"])
    assert later.number == a2 and later.form is None  # never the ticket the first counter has
    assert second.queue.call(OFFICER, "Quầy 2", ["A"]) is None

    board = httpx.get(f"{server.url}/v1/queue/board", params={"station": STATION,
                                                              "day": station_today().isoformat()}).json()
    assert {(c["number"], c["counter"]) for c in board["calls"]} == {(a1, "Quầy 1"), (a2, "Quầy 2")}
    assert "personal" not in json.dumps(board) and sample["citizen"]["personal"]["full_name"] not in json.dumps(board)

    done, ticket = first.queue.receive(OFFICER, called.ticket_id, sample["attachments"])
    assert ticket["status"] == "received" and ticket["tracking_code"] == done.tracking_code
    record = first.dossiers.get(OFFICER, done.tracking_code, full=True)
    assert record["identity_source"] == "chip" and record["chip_verdict"] == "chain_verified"
    assert record["persons"][0]["id_number"] == sample["citizen"]["personal"]["id_number"]
    on_hub = hub_ticket(hub_db, called.ticket_id)
    assert (on_hub.status, on_hub.tracking_code, on_hub.qr_text) == ("received", done.tracking_code, None)

    # The second counter: recall, skip (back to the end of the line), call again, absent.
    assert second.queue.act(OFFICER, later.ticket_id, "recall")["calls"] == 2
    assert second.queue.act(OFFICER, later.ticket_id, "skip")["status"] == "waiting"
    again = second.queue.call(OFFICER, "Quầy 2", ["A"])
    assert again.ticket_id == later.ticket_id and hub_ticket(hub_db, later.ticket_id).calls == 3
    assert second.queue.act(OFFICER, later.ticket_id, "absent")["status"] == "absent"
    assert hub_ticket(hub_db, later.ticket_id).status == "absent"
    log = audit_text(second)
    for action in ("queue.called", "queue.recall", "queue.skip", "queue.absent"):
        assert action in log
    name = sample["citizen"]["personal"]["full_name"]
    for kiosk in (hall, first, second):
        assert name not in audit_text(kiosk)
        log_text = "".join(p.read_text(encoding="utf-8") for p in (kiosk.settings.data_dir / "logs").glob("*.log*"))
        assert name not in log_text and sample["citizen"]["personal"]["id_number"] not in log_text


def decode_qr(png) -> list[str]:
    """The QR texts of an image, by zbar's command-line tool and by zxing-cpp: both must read it."""
    import zxingcpp
    from PIL import Image

    zbar = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                          capture_output=True, text=True, check=True).stdout.strip()
    zxing = [r.text for r in zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode)]
    return [zbar, *zxing]


def test_with_the_hub_down_the_ticket_itself_carries_the_draft_to_the_counter(station, operator, tmp_path):
    _hub, hub_db, _server, network, (hall, first, _second) = station
    sample = sample_dossier(hall.catalog.get(1), 5, today=station_today())
    citizen = citizen_principal(hall)
    network.partitioned = True
    taken = hall.queue.take(citizen, 1, sample["form"], sample["citizen"], consent="hall-2026.1")
    b1 = number(hall, "B", 1)
    assert (taken.hub, taken.has_draft, taken.group, taken.number) == ("pending", True, "B", b1)
    printed = run_inline(hall.printing.print(citizen, taken.ticket_id, document="queue_ticket"))
    assert printed.status == "printed" and printed.output.endswith(".pdf")
    subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", printed.output, str(tmp_path / "ticket")],
                   check=True)
    texts = decode_qr(tmp_path / "ticket.png")
    assert len(texts) == 2 and texts[0] == texts[1] and texts[0].startswith("VNQ1:")
    text = subprocess.run(["pdftotext", printed.output, "-"], capture_output=True, text=True, check=True).stdout
    assert b1 in text and "Xác nhận số Chứng minh" in " ".join(text.split())
    assert sample["citizen"]["personal"]["full_name"] not in text  # the draft is only in the sealed code

    with pytest.raises(QueueOffline):
        first.queue.call(OFFICER, "Quầy 1", ["B"])
    first.queue.link.resume()
    done, ticket = first.queue.receive(OFFICER, texts[0], sample["attachments"])
    assert ticket["status"] == "received" and ticket["hub"] == "pending"
    record = first.dossiers.get(OFFICER, done.tracking_code, full=True)
    assert record["identity_source"] == "chip" and record["service_no"] == 1
    with pytest.raises(Exception) as twice:
        first.queue.receive(OFFICER, texts[0])
    assert b1 in str(twice.value)

    network.partitioned = False
    for kiosk in (hall, first):
        kiosk.queue.link.resume()
    assert hall.sync.run_once(operator).ok  # the hall hands the ticket over after the sync
    assert first.sync.run_once(operator).ok  # the counter tells what became of it
    on_hub = hub_ticket(hub_db, taken.ticket_id)
    assert (on_hub.status, on_hub.tracking_code, on_hub.qr_text) == ("received", done.tracking_code, None)


def test_drafts_not_called_by_the_end_of_the_day_are_deleted(station):
    _hub, hub_db, _server, _network, (hall, first, _second) = station
    sample = sample_dossier(hall.catalog.get(4), 7, today=station_today())
    taken = hall.queue.take(citizen_principal(hall), 4, sample["form"], sample["citizen"], consent="hall-2026.1")
    assert hall.queue.find(citizen_principal(hall), taken.ticket_id)["draft"] is not None

    class Tomorrow:
        def __call__(self):
            return utc_now() + timedelta(days=1)

    hall.queue.clock = Tomorrow()
    assert hall.queue.purge() == 1
    with hall.db.sessions() as s:
        from kiosk.db.models_hall import QueueTicket

        row = s.get(QueueTicket, taken.ticket_id)
        assert (row.status, row.draft, row.qr_text) == ("expired", None, None)
    assert "queue.drafts_purged" in audit_text(hall)
    first.queue.clock = Tomorrow()
    assert first.queue.call(OFFICER, "Quầy 1", ["A"]) is None  # tomorrow's line is empty…
    on_hub = hub_ticket(hub_db, taken.ticket_id)
    assert (on_hub.status, on_hub.qr_text) == ("expired", None)  # …and the hub forgot yesterday's draft


def test_two_counters_calling_at_once_never_get_the_same_ticket(station):
    _hub, _hub_db, _server, _network, (hall, first, second) = station
    for _ in range(6):
        hall.queue.take(citizen_principal(hall), 3)
    got: list[str] = []

    def serve(kiosk, counter):
        while (called := kiosk.queue.call(OFFICER, counter, ["A"])) is not None:
            got.append(called.number)

    threads = [threading.Thread(target=serve, args=(k, c)) for k, c in ((first, "Quầy 1"), (second, "Quầy 2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got) == [number(hall, "A", n) for n in range(1, 7)]


def test_the_hub_refuses_hostile_queue_requests_with_reasons(station):
    _hub, _hub_db, server, _network, (hall, first, _second) = station
    unsigned = httpx.post(f"{server.url}/v1/queue/tickets", content=b"{}")
    assert unsigned.status_code == 401 and unsigned.json()["error"] == "unsigned"
    assert httpx.get(f"{server.url}/v1/queue/board", params={"station": STATION, "day": "hôm qua"}).status_code == 400
    from kiosk.services.sync_client import HubRefused

    with pytest.raises(HubRefused) as bad:
        hall.queue.link.ask(lambda c: c.add_ticket({"ticket": "x", "day": "2026-01-01"}))
    assert bad.value.status == 400
    with pytest.raises(HubRefused) as wrong_number:
        hall.queue.link.ask(lambda c: c.add_ticket({
            "ticket": "6f1c2a7e-4b1d-4c3e-9a55-0d2b8c9e7f10", "day": station_today().isoformat(), "number": "Z9",
            "group": "A", "service_no": 3, "created_at": "x"}))
    assert wrong_number.value.status == 400
    with pytest.raises(HubRefused) as unknown:
        first.queue.link.ask(lambda c: c.act("6f1c2a7e-4b1d-4c3e-9a55-0d2b8c9e7f10", "received", "Quầy 1"))
    assert unknown.value.status == 404
    with pytest.raises(HubRefused) as bad_action:
        first.queue.link.ask(lambda c: c.act("6f1c2a7e-4b1d-4c3e-9a55-0d2b8c9e7f10", "explode", "Quầy 1"))
    assert bad_action.value.status == 400


def test_ratings_reach_the_station_report_through_the_hub(station, operator):
    _hub, _hub_db, _server, _network, (hall, first, second) = station
    codes = []
    for seed, kiosk in ((11, first), (12, second)):
        sample = sample_dossier(kiosk.catalog.get(1), seed, today=station_today())
        codes.append(kiosk.dossiers.submit(OFFICER, 1, sample["citizen"], sample["persons"], sample["form"],
                                           sample["attachments"]).tracking_code)
        assert kiosk.sync.run_once(operator).ok
    citizen = citizen_principal(hall)
    assert hall.ratings.add(citizen, codes[0], 3)["label_vi"] == "Rất hài lòng"
    assert hall.ratings.add(citizen, codes[1], "1", "Chờ lâu quá")["level"] == 1
    with pytest.raises(InvalidInput) as twice:
        hall.ratings.add(citizen, codes[0], 2)
    assert twice.value.errors[0][0] == "code"
    with pytest.raises(InvalidInput) as bad:
        hall.ratings.add(citizen, "000.00.24.H57-261125-9999", 7, "x" * 600)
    assert {f for f, _m in bad.value.errors} == {"level", "reason", "code"}
    assert "Chờ lâu" not in audit_text(hall)  # the citizen's words stay out of the audit log
    month = local_received_at(None, utc_now()).strftime("%Y-%m")
    local = hall.ratings.report(SUPERVISOR, month)
    assert local["source"] == "hub" and local["total"] == 0  # not synced yet: the hub has none
    assert hall.sync.run_once(operator).ok
    report = first.ratings.report(SUPERVISOR, month)  # any kiosk of the station reads the station's report
    assert (report["source"], report["total"], report["levels"]) == ("hub", 2, {"1": 1, "2": 0, "3": 1})
    assert report["reasons_not_satisfied"] == ["Chờ lâu quá"] and report["satisfied_percent"] == 50.0


class ChangedOnTheWay(httpx.BaseTransport):
    """A machine between the counter and the hub that hands the ticket to another counter in the hub's answer."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        body = response.read()
        if "/queue/" in request.url.path:
            body = body.replace("Quầy 1".encode(), "Quầy 9".encode())
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)


def test_a_queue_answer_changed_on_the_way_is_refused_and_stops_sync(station, operator):
    """Issue 15, item 10: the hall's queue answers carry the hub's signature like every other answer; one that
    was changed is not used, and the counter's sync stops with the alarm."""
    _hub, _hub_db, _server, network, (hall, first, _second) = station
    sample = sample_dossier(hall.catalog.get(4), 3, today=station_today())
    hall.queue.take(citizen_principal(hall), 4, sample["form"], sample["citizen"], consent="hall-2026.1")
    first.queue.link.transport = ChangedOnTheWay(network)
    with pytest.raises(QueueError) as refused:  # the sentence the counter is shown
        first.queue.call(OFFICER, "Quầy 1", ["A"])
    assert "chữ ký" in str(refused.value)
    st = first.sync.state()
    assert st.halted and st.halted_reason == "hub_answer_forged"
    assert first.sync.run_once(operator).status == "halted"
