"""Issue 15, item 10: a lab kiosk allowed plain HTTP to a hub on another machine (`--insecure-http`) says so on
its home screen, in both languages, for as long as it holds; the real main window and a real hub on this
machine's network address."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from host_address import this_machines_address
from PySide6.QtCore import Qt

from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub


def test_the_home_screen_warns_while_the_hub_is_spoken_to_over_plain_http(qtbot, officer, tmp_path, operator,
                                                                         english_qm):
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.main import load_style

    hub = Hub(open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}"))
    lab = EmbeddedHub(hub, host=this_machines_address()).start()
    local = EmbeddedHub(hub).start()  # the same hub, also on loopback
    shots = Path(os.environ.get("SCREENSHOTS_DIR", tmp_path))
    load_style(QApplication.instance(), "staff")  # as the kiosk shows it (for the screenshots)
    try:
        kiosk = officer.kiosk
        kiosk.sync.enrol(operator, hub.create_enrol_code(kiosk.settings.station_id), lab.url, insecure_http=True)
        home = officer.shell.home
        qtbot.mouseClick(home.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Đồng bộ thành công" in home.sync_detail.text(), timeout=20_000)
        assert home.sync_detail.text().startswith("CẢNH BÁO") and "KHÔNG MÃ HÓA" in home.sync_detail.text()
        assert home.sync_detail.property("state") == "warn"
        officer.grab().save(str(shots / "home-insecure-http-vi.png"))

        officer.set_language("en")
        qtbot.waitUntil(lambda: "UNENCRYPTED" in home.sync_detail.text(), timeout=5_000)
        officer.grab().save(str(shots / "home-insecure-http-en.png"))
        officer.set_language("vi")

        # Moved to this machine's own address: nothing to warn about any more.
        kiosk.sync.set_hub_url(operator, local.url)
        home.set_sync_state(kiosk.sync.state())
        assert "KHÔNG MÃ HÓA" not in home.sync_detail.text() and home.sync_detail.property("state") == "ok"
    finally:
        QApplication.instance().setStyleSheet("")
        lab.stop()
        local.stop()
        hub.db.dispose()


class OnThePath(httpx.BaseTransport):
    """A machine between the kiosk and its hub that changes one byte's worth of every answer (JSON still valid)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self.inner.handle_request(request)
        body = response.read().replace(b'"high_water_mark":', b'"high_water_mark": ')
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    def close(self) -> None:
        """Kept open; the test closes it."""


def test_a_tampered_hub_answer_stops_sync_with_an_alarm_on_the_home_screen(qtbot, officer, tmp_path, operator):
    from PySide6.QtWidgets import QApplication

    from kiosk.ui.main import load_style

    hub = Hub(open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}"))
    server = EmbeddedHub(hub).start()
    shots = Path(os.environ.get("SCREENSHOTS_DIR", tmp_path))
    load_style(QApplication.instance(), "staff")
    path = OnThePath()
    try:
        kiosk = officer.kiosk
        kiosk.sync.enrol(operator, hub.create_enrol_code(kiosk.settings.station_id), server.url)
        kiosk.sync.transport = path  # from now on its answers cross that machine
        home = officer.shell.home
        qtbot.mouseClick(home.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "ĐỒNG BỘ ĐÃ DỪNG" in home.sync_detail.text(), timeout=20_000)
        assert "chữ ký" in home.sync_detail.text() and home.sync_detail.property("state") == "error"
        assert kiosk.sync.state().halted_reason == "hub_answer_forged"
        officer.grab().save(str(shots / "home-hub-answer-forged-vi.png"))
    finally:
        QApplication.instance().setStyleSheet("")
        path.inner.close()
        server.stop()
        hub.db.dispose()
