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
    hub = Hub(open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}"))
    server = EmbeddedHub(hub, host=this_machines_address()).start()
    shots = Path(os.environ.get("SCREENSHOTS_DIR", tmp_path))
    try:
        kiosk = officer.kiosk
        kiosk.sync.enrol(operator, hub.create_enrol_code(kiosk.settings.station_id), server.url, insecure_http=True)
        home = officer.shell.home
        qtbot.mouseClick(home.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "KHÔNG MÃ HÓA" in home.sync_detail.text(), timeout=20_000)
        assert home.sync_detail.text().startswith("CẢNH BÁO") and home.sync_detail.property("state") == "warn"
        assert "Đồng bộ thành công lần cuối" in home.sync_detail.text()
        officer.grab().save(str(shots / "home-insecure-http-vi.png"))

        officer.set_language("en")
        qtbot.waitUntil(lambda: "UNENCRYPTED" in home.sync_detail.text(), timeout=5_000)
        officer.grab().save(str(shots / "home-insecure-http-en.png"))
        officer.set_language("vi")

        # Moved to an address on this machine: nothing to warn about any more.
        kiosk.sync.set_hub_url(operator, server.url.replace(server.host, "127.0.0.1"))
        qtbot.mouseClick(home.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "KHÔNG MÃ HÓA" not in home.sync_detail.text(), timeout=20_000)
    finally:
        server.stop()
        hub.db.dispose()
