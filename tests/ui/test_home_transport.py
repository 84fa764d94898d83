"""Issue 15, item 10: a lab kiosk allowed plain HTTP to a hub on another machine (`--insecure-http`) says so on
its home screen, in both languages, for as long as it holds; the real main window and a real hub on this
machine's network address."""

from __future__ import annotations

import os
from pathlib import Path

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
