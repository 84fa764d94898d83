"""The home page after a sync that left work for the officer: a dossier the hub kept under a new code (its code
clashed with another kiosk's), shown as an alarm with a reprint button that prints the receipt with the new
code; a refused op shown in plain words. The real main window, a real hub over HTTP, a second real kiosk."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from dossier_samples import sample_dossier
from PySide6.QtCore import Qt
from station_kiosk import StationKiosk, need_readers, pdf_text

from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.services import outbox
from kiosk.support.config import load_settings
from kiosk.ui import i18n


@pytest.fixture
def hub_server(tmp_path):
    hub = Hub(open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}"))
    server = EmbeddedHub(hub).start()
    yield hub, server
    server.stop()
    hub.db.dispose()


@pytest.fixture
def settings_loaded(isolated_settings, hub_server):
    return load_settings({"demo": True, "staff_idle_timeout_s": 600, "hub_url": hub_server[1].url})


def test_a_recoded_dossier_is_an_alarm_on_the_home_page_until_its_receipt_is_printed_again(
        qtbot, officer, hub_server, tmp_path, operator, english_qm):
    need_readers()
    hub, server = hub_server
    kiosk = officer.kiosk
    kiosk.sync.enrol(operator, hub.create_enrol_code(kiosk.settings.station_id), server.url)
    sample = sample_dossier(kiosk.catalog.get(3), seed=4)
    code = kiosk.dossiers.submit(officer.principal, 3, sample["citizen"], sample["persons"], sample["form"],
                                 sample["attachments"]).tracking_code

    # Another kiosk's dossier reached the hub first under the same code (it numbered before it was enrolled).
    other = StationKiosk(tmp_path / "other", kiosk.catalog, None)
    try:
        other.sync.enrol(operator, hub.create_enrol_code(kiosk.settings.station_id), server.url)
        with other.db.transaction() as s:
            outbox.enqueue(s, "dossier.created", {"tracking_code": code, "dossier_uid": str(uuid.uuid4()),
                                                  "status": "received", "service_code": "3"})
            outbox.enqueue(s, "dossier.status", {"tracking_code": "000.00.24.H57-261125-0999",
                                                 "dossier_uid": str(uuid.uuid4()), "status": "processing"})
        assert other.sync.run_once(operator).status == "attention"  # its refused status change
    finally:
        other.close()

    from PySide6.QtWidgets import QApplication

    from kiosk.ui.main import load_style

    load_style(QApplication.instance(), "staff")  # as the kiosk shows it (for the screenshots)
    home = officer.shell.home
    assert not home.reprint_button.isVisible() and not home.alarms.isVisible()
    qtbot.mouseClick(home.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: home.reprint_button.isVisible(), timeout=20_000)
    new = kiosk.sync.state().alarms[0]["tracking_code"]
    assert new != code and new in home.reprint_button.text()
    assert "CẦN XỬ LÝ (1)" in home.alarms.text() and code in home.alarms.text() and new in home.alarms.text()
    assert home.alarms.property("state") == "error" and home.sync_detail.property("state") == "warn"
    qtbot.waitUntil(lambda: home.values["pending"].property("state") == "ok", timeout=10_000)
    officer.grab().save(str(tmp_path / "home-alarm-vi.png"))

    officer.set_language("en")
    qtbot.waitUntil(lambda: "NEW CODE" in home.alarms.text(), timeout=5_000)
    assert "TO DO (1)" in home.alarms.text() and new in home.reprint_button.text()
    assert "Print the new receipt" in home.reprint_button.text()
    officer.grab().save(str(tmp_path / "home-alarm-en.png"))
    officer.set_language("vi")

    qtbot.mouseClick(home.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not home.reprint_button.isVisible(), timeout=20_000)
    assert not home.alarms.isVisible()
    assert "Đã in lại phiếu hẹn mã mới" in home.reprint_status.text()
    printed = kiosk.printing.jobs(officer.principal, code=new)
    assert [j.status for j in printed] == ["printed"]
    assert f"Mã hồ sơ: {new}" in pdf_text(Path(printed[0].output))
    report = kiosk.sync.run_once(operator)
    assert report.ok, json.dumps(report.as_json(), ensure_ascii=False)
    assert i18n.current_language() == "vi"
    QApplication.instance().setStyleSheet("")
