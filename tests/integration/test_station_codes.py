"""The kiosks of one station never lose a dossier to a clashing code, and each hub decision reaches only the
dossier it was made on.

Real kiosks (SQLCipher databases, the real dossier, receipt, print, sync and status-check services), a real
hub served over HTTP on loopback, on an SQLite file and on a real PostgreSQL server; receipts printed to
PDF and read back with poppler (pdftotext, pdftoppm) and zbarimg.
"""

from __future__ import annotations

import re
import shutil

import pytest
from hub_drills import Network
from sqlalchemy import select
from station_kiosk import CITIZEN, OFFICER, StationKiosk, need_readers, pdf_qr, pdf_text

from kiosk.db.models_dossier import DossierRow
from kiosk.domain.tracking import KIOSK_BLOCKS
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.hub.models import HubDossier
from kiosk.services.catalog import load_catalog

STATION = "CA-THANH-XUAN"
UNIT = "000.00.24.H57"
# Circular 03/2025/TT-VPCP, the dossier code: "<mã định danh điện tử của cơ quan tiếp nhận>-<yymmdd ngày
# tiếp nhận>-<số thứ tự hồ sơ trong ngày, 4 chữ số>".
CIRCULAR_FORM = re.compile(r"(?P<unit>[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,4})-(?P<day>\d{6})-(?P<seq>\d{4})")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def station(hub_url, tmp_path, catalog):
    hub = Hub(open_hub_database(hub_url))
    server = EmbeddedHub(hub).start()
    network = Network()
    made: list[StationKiosk] = []

    def kiosk(name: str) -> StationKiosk:
        made.append(StationKiosk(tmp_path / name, catalog, network, UNIT))
        return made[-1]

    yield hub, server, network, kiosk
    for k in made:
        k.close()
    network.shutdown()
    server.stop()
    hub.db.dispose()


def enrol(hub: Hub, server: EmbeddedHub, kiosk: StationKiosk, operator) -> dict:
    return kiosk.sync.enrol(operator, hub.create_enrol_code(STATION), server.url)


def dossier_status(kiosk: StationKiosk, code: str) -> tuple[str, list[str]]:
    record = kiosk.dossiers.get(OFFICER, code)
    return record["status"], [h["note"] for h in record["history"]]


def test_two_counters_that_numbered_before_enrolment_keep_both_dossiers_and_each_decision_stays_with_its_own(
        station, operator, tmp_path):
    """The issue's own walk-through: a counter PC and the hall kiosk each take a dossier before they are
    enrolled, so both print `…-0001`. The hub keeps both, gives the later one a new code, and the back
    office's refusal of the first citizen's dossier never reaches the second citizen's."""
    need_readers()
    hub, server, network, kiosk = station
    counter, hall = kiosk("quay-1"), kiosk("sanh")
    first, _ = counter.submit(3, seed=1)
    second, old_qr = hall.submit(3, seed=2)
    assert first == second and CIRCULAR_FORM.fullmatch(first)  # the clash, as it happened in the field
    old_receipt = pdf_text(hall.print_receipt(second))
    assert f"Mã hồ sơ: {second}" in old_receipt

    blocks = {enrol(hub, server, k, operator)["block"] for k in (counter, hall)}
    assert len(blocks) == 2 and blocks <= set(KIOSK_BLOCKS)  # hub-owned, one per kiosk of the station
    for k in (counter, hall):
        st = k.sync.state()
        assert (st.block_source, st.block) == ("hub", next(x["numbering"]["block"] for x in hub.stats()["kiosks"]
                                                           if x["kiosk_id"] == st.kiosk_id))

    assert counter.sync.run_once(operator).ok
    report = hall.sync.run_once(operator)
    assert report.pushed >= 1 and report.rejected == []  # resolved, not rejected
    assert report.status == "attention" and "Đồng bộ xong" not in report.message_vi

    with hub.db.sessions() as s:
        held = {(d.kiosk_id, d.tracking_code, d.previous_code) for d in s.scalars(select(HubDossier))}
    new = next(code for _k, code, previous in held if previous == second)
    assert held == {(counter.sync.who.kiosk_id, first, None), (hall.sync.who.kiosk_id, new, second)}
    parts, old_parts = CIRCULAR_FORM.fullmatch(new), CIRCULAR_FORM.fullmatch(second)
    assert parts and (parts["unit"], parts["day"]) == (old_parts["unit"], old_parts["day"]) and new != second
    assert hub.stats()["recoded"] == 1

    # The hall kiosk took the new code, still finds the dossier under the old one, and asks for a reprint.
    assert hall.dossiers.get(OFFICER, new)["tracking_code"] == new
    assert hall.dossiers.get(OFFICER, second)["uid"] == hall.dossiers.get(OFFICER, new)["uid"]
    assert hall.dossiers.get(OFFICER, new)["previous_codes"] == [second]
    assert [r["tracking_code"] for r in hall.dossiers.search(OFFICER, second)] == [new]
    (alarm,) = report.alarms
    assert (alarm["kind"], alarm["tracking_code"], alarm["previous_code"]) == ("reprint", new, second)
    assert new in alarm["message_vi"] and "In lại phiếu hẹn" in alarm["message_vi"]
    assert hall.sync.state().alarms == report.alarms
    assert hall.sync.run_once(operator).status == "attention"  # until the receipt is printed again

    # The back office refuses the first citizen's dossier, with a note naming her: only the counter applies it.
    hub.set_status(first, "rejected", "Bà Nguyễn Thị Hoa chưa nộp giấy khai sinh bản chính")
    hub.set_status(new, "processing", "đang thẩm định")
    assert counter.sync.run_once(operator).ok and hall.sync.run_once(operator).pulled >= 2
    status, notes = dossier_status(counter, first)
    assert status == "rejected" and "Bà Nguyễn Thị Hoa chưa nộp giấy khai sinh bản chính" in notes
    status, notes = dossier_status(hall, new)
    assert status == "processing" and not any("Nguyễn Thị Hoa" in n for n in notes)

    # The status check finds the hall's dossier under both codes; the counter's own stays its own.
    by_old_qr = hall.status.check(CITIZEN, old_qr)
    assert (by_old_qr.found, by_old_qr.tracking_code, by_old_qr.previous_code) == (True, new, second)
    assert "MÃ MỚI" in by_old_qr.message_vi and by_old_qr.status == "processing"
    assert counter.status.check(CITIZEN, old_qr).tracking_code == new  # the QR names the hall kiosk
    typed = counter.status.check(CITIZEN, second)
    assert (typed.tracking_code, typed.status, typed.other_codes) == (first, "rejected", (new,))
    assert hall.status.check(CITIZEN, new).tracking_code == new

    # The reprint: the new code in the text and in a QR code that verifies.
    printed = hall.print_receipt(new)
    text = pdf_text(printed)
    assert f"Mã hồ sơ: {new}" in text and second not in text
    qr = pdf_qr(printed, tmp_path)
    verdict = hall.receipts.verify(CITIZEN, qr)
    assert verdict.valid and verdict.claims.tracking_code == new
    after = hall.sync.run_once(operator)
    assert after.ok and after.alarms == [] and after.message_vi == "Đồng bộ xong."

    # New dossiers number in each kiosk's own block: distinct by construction.
    codes = [k.submit(4, seed=10 + i)[0] for i, k in enumerate((counter, hall, counter, hall))]
    assert len(set(codes)) == 4
    for code, k in zip(codes, (counter, hall, counter, hall), strict=True):
        assert int(CIRCULAR_FORM.fullmatch(code)["seq"]) // 1000 == k.sync.state().block
    assert counter.sync.run_once(operator).ok and hall.sync.run_once(operator).ok
    assert hub.stats()["recoded"] == 1 and hub.stats()["dossiers"] == 6


def test_a_counter_that_numbered_before_enrolment_keeps_its_codes(station, operator):
    """Pre-enrolment codes stay valid: nothing else holds them, so the hub keeps them as printed."""
    hub, server, _network, kiosk = station
    counter = kiosk("quay-1")
    code, qr = counter.submit(5, seed=3)
    assert counter.sync.state().block == 0 and counter.sync.state().block_source == "local"
    block = enrol(hub, server, counter, operator)["block"]
    assert counter.sync.run_once(operator).ok
    with hub.db.sessions() as s:
        assert [(d.tracking_code, d.previous_code) for d in s.scalars(select(HubDossier))] == [(code, None)]
    assert counter.receipts.verify(CITIZEN, qr).valid
    assert counter.status.check(CITIZEN, qr).tracking_code == code
    later, _ = counter.submit(5, seed=4)
    assert int(CIRCULAR_FORM.fullmatch(later)["seq"]) // 1000 == block


def test_a_kiosk_restored_from_a_backup_taken_before_its_last_sync_keeps_both_dossiers(station, operator, tmp_path):
    """The forced clash: the backup predates the last sync, so the restored kiosk hands its next citizen the
    code the lost hours already gave another. The hub keeps both; the kiosk records the new code, raises
    the alarm, and the reprinted receipt carries the new code."""
    need_readers()
    hub, server, _network, kiosk = station
    counter = kiosk("quay-1")
    enrol(hub, server, counter, operator)
    kept, _ = counter.submit(3, seed=1)
    assert counter.sync.run_once(operator).ok
    counter.close()
    backup = tmp_path / "backup"
    shutil.copytree(counter.folder, backup)  # last night's backup
    counter.open()
    lost, _ = counter.submit(3, seed=2)  # this morning's citizen; synced, then the disk dies
    assert counter.sync.run_once(operator).ok
    counter.close()
    shutil.rmtree(counter.folder)
    shutil.copytree(backup, counter.folder)
    counter.open()
    again, old_qr = counter.submit(3, seed=3)  # the restored database has forgotten `lost`
    assert again == lost

    refused = counter.sync.run_once(operator)
    assert refused.status == "halted" and refused.error == "conflict"
    code = hub.create_enrol_code(STATION, rejoin_kiosk=counter.sync.who.kiosk_id)
    rejoined = counter.sync.rejoin(operator, code)
    assert rejoined["block"] == counter.sync.state().block
    report = counter.sync.run_once(operator)
    assert report.status == "attention" and report.rejected == []
    (alarm,) = report.alarms
    new = alarm["tracking_code"]
    assert (alarm["kind"], alarm["previous_code"]) == ("reprint", again) and new not in (kept, lost)

    with hub.db.sessions() as s:
        held = sorted((d.tracking_code, d.previous_code or "") for d in s.scalars(select(HubDossier)))
    assert held == sorted([(kept, ""), (lost, ""), (new, again)])  # both citizens' dossiers on the hub
    with counter.db.sessions() as s:
        assert sorted(s.scalars(select(DossierRow.tracking_code))) == sorted([kept, new])
    assert counter.status.check(CITIZEN, old_qr).tracking_code == new

    printed = counter.print_receipt(new)
    assert f"Mã hồ sơ: {new}" in pdf_text(printed)
    verdict = counter.receipts.verify(CITIZEN, pdf_qr(printed, tmp_path))
    assert verdict.valid and verdict.claims.tracking_code == new
    assert counter.sync.run_once(operator).ok
    fresh, _ = counter.submit(3, seed=4)  # the rejoin moved the day's counter past what the hub holds
    assert fresh not in (kept, lost, new)
