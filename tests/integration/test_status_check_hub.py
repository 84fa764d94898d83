"""The citizen's status check at any kiosk of the station: the local database, the hub when online,
the signed receipt when not.

Two kiosks on real SQLCipher databases, enrolled at one station of a real hub served over HTTP on
loopback; dossiers from the real DossierService, QR codes signed by the real receipt service.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hub_drills import Network
from station_kiosk import CITIZEN, OFFICER, StationKiosk

from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.services.catalog import load_catalog


@pytest.fixture
def station(tmp_path, operator):
    catalog = load_catalog()
    hub_db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub(hub_db)
    server = EmbeddedHub(hub).start()
    network = Network()
    kiosks = [StationKiosk(tmp_path / name, catalog, network, unit) for name, unit in
              (("quay-1", "000.00.24.H57"), ("sanh", "000.00.24.H58"))]
    for kiosk in kiosks:  # a station that numbers under two units: the operator binds both to it
        kiosk.sync.enrol(operator, hub.create_enrol_code("CA-THANH-XUAN", units=[kiosk.unit]), server.url)
    yield hub, network, kiosks
    for kiosk in kiosks:
        kiosk.db.dispose()
    network.shutdown()
    server.stop()
    hub_db.dispose()


def test_a_receipt_from_another_kiosk_is_answered_by_the_hub_then_by_the_receipt_offline(station, operator):
    hub, network, (counter, hall) = station
    code, qr = counter.submit(3, seed=5)
    assert counter.sync.run_once(operator).ok and hall.sync.run_once(operator).ok  # the hall learns the keys

    answer = hall.status.check(CITIZEN, qr)
    assert (answer.found, answer.source, answer.hub) == (True, "hub", "online")
    assert (answer.tracking_code, answer.status, answer.service_no) == (code, "received", 3)
    mine = counter.status.check(CITIZEN, code)
    assert (mine.source, mine.hub, mine.status) == ("local", "online", "received")
    assert answer.appointment_date == mine.appointment_date is not None

    hub.set_status(code, "supplement_requested", "Thiếu bản sao giấy khai sinh")
    decided = counter.status.check(CITIZEN, code)  # the counter has not pulled the decision yet
    assert (decided.source, decided.status) == ("hub", "supplement_requested")
    assert "bổ sung" in decided.next_vi
    assert hall.status.check(CITIZEN, code).status == "supplement_requested"

    network.partitioned = True
    offline = hall.status.check(CITIZEN, qr)
    assert (offline.found, offline.source, offline.hub, offline.status) == (True, "receipt", "offline", "unknown")
    tried = network.sent  # the next citizens are answered at once: the hub is not asked again for a while
    assert offline.appointment_date == answer.appointment_date and offline.service_no == 3
    typed = hall.status.check(CITIZEN, code)  # a typed code carries nothing signed
    assert (typed.found, typed.hub) == (False, "offline") and "mất kết nối" in typed.message_vi
    assert network.sent == tried
    stale = counter.status.check(CITIZEN, code)
    assert (stale.source, stale.hub, stale.status) == ("local", "offline", "received")

    network.partitioned = False
    hall.sync._lookups_paused_until = counter.sync._lookups_paused_until = 0.0  # 30 s later
    assert counter.sync.run_once(operator).pulled >= 1
    pulled = counter.status.check(CITIZEN, code)
    assert (pulled.source, pulled.status) == ("local", "supplement_requested")


def test_a_status_changed_at_the_counter_and_not_pushed_yet_stays(station, operator):
    _hub, _network, (counter, _hall) = station
    code, _qr = counter.submit(1, seed=8)
    assert counter.sync.run_once(operator).ok
    counter.clock.now += timedelta(minutes=5)
    counter.dossiers.change_status(OFFICER, code, "processing")
    answer = counter.status.check(CITIZEN, code)
    assert (answer.source, answer.status) == ("local", "processing")


def test_an_unknown_code_is_unknown_everywhere_and_a_kiosk_without_hub_answers_alone(station, tmp_path):
    _hub, _network, (counter, hall) = station
    missing = hall.status.check(CITIZEN, "000.00.24.H57-261125-9999")
    assert (missing.found, missing.hub) == (False, "online") and "Không tìm thấy" in missing.message_vi
    alone = StationKiosk(tmp_path / "le", counter.dossiers.catalog, Network(), "000.00.24.H59")
    try:
        code, _qr = alone.submit(2, seed=3)
        answer = alone.status.check(CITIZEN, code)
        assert (answer.found, answer.source, answer.hub) == (True, "local", "none")
    finally:
        alone.db.dispose()
