"""`kiosk --hall-display`: the numbers called at the station's counters, read from a real hub over HTTP,
with a chime for every new call and every recall; letters sized for the far end of the hall."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.app import build
from kiosk.domain.roles import Principal, Role
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.support.config import load_settings

OFFICER = Principal("lan", Role.OFFICER)
# The test machine has no sound card: Qt Multimedia says so while it looks for one (the chime is still
# played through QSoundEffect and counted by the `chimed` signal).
pytestmark = pytest.mark.qt_log_ignore("Couldn't (load|resolve)", "PulseAudioService", "QSoundEffect",
                                       "Using Qt multimedia", "ALSA", "pa_context")
HALL = Principal("selfservice:K-SANH", Role.SELFSERVICE)


@pytest.fixture
def station(tmp_path, operator):
    hub_db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub(hub_db)
    server = EmbeddedHub(hub).start()
    kiosks = []
    for name, slot in (("sanh", 0), ("quay-2", 1)):
        kiosk = build(load_settings({"data_dir": str(tmp_path / name), "counter_name": "Quầy 2"}))
        kiosk.dossiers.set_slot(operator, slot)
        kiosk.sync.enrol(operator, hub.create_enrol_code("CA-DISPLAY"), server.url)
        assert kiosk.sync.run_once(operator).ok
        kiosks.append(kiosk)
    yield server, kiosks
    for kiosk in kiosks:
        kiosk.close()
    server.stop()
    hub_db.dispose()


def test_the_hall_display_shows_each_call_and_chimes(qtbot, station, tmp_path):
    from kiosk.ui.hall_display import HallDisplay

    server, (hall, counter) = station
    display = HallDisplay(server.url, "CA-DISPLAY")
    qtbot.addWidget(display)
    display.resize(1920, 1080)
    display.show()
    with qtbot.waitSignal(display.refreshed, timeout=10_000):
        display.start()
    assert display.newest.text() == "Chưa gọi số nào"
    for _ in range(2):
        hall.queue.take(HALL, 3)
    with qtbot.waitSignal(display.refreshed, timeout=10_000):
        display.poll()
    assert "A: 2" in display.footer.text().replace("Nhóm ", "").replace(" người chờ", "")
    called = counter.queue.call(OFFICER)
    with qtbot.waitSignal(display.chimed, timeout=10_000) as chime:
        display.poll()
    assert chime.args == [called.number] and display.newest.text() == f"{called.number}  →  Quầy 2"
    with qtbot.assertNotEmitted(display.chimed), qtbot.waitSignal(display.refreshed, timeout=10_000):
        display.poll()  # nothing new: no chime
    counter.queue.act(OFFICER, called.ticket_id, "recall")
    with qtbot.waitSignal(display.chimed, timeout=10_000) as again:
        display.poll()
    assert again.args == [called.number]
    second = counter.queue.call(OFFICER)
    with qtbot.waitSignal(display.chimed, timeout=10_000):
        display.poll()
    assert display.newest.text().startswith(second.number) and display.rows[0][0].text() == called.number
    # The newest number is a seventh of the screen's height: 6.2 cm on a 40-inch 16:9 screen (49.8 cm
    # high), above the ~4 cm that signage guidance asks for reading at 5 m (about 1 cm per 1.2 m).
    assert display.newest.font().pixelSize() >= display.height() / 7 - 1
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    assert display.grab().save(str(folder / "hall-display.png"))


def test_the_display_says_when_the_board_cannot_be_read(qtbot):
    from kiosk.hub.embedded import free_port
    from kiosk.ui.hall_display import HallDisplay

    display = HallDisplay(f"http://127.0.0.1:{free_port()}", "CA-X")
    qtbot.addWidget(display)
    display.poll()
    qtbot.waitUntil(lambda: display.offline, timeout=10_000)
    assert "mang phiếu đến quầy" in display.offline_label.text()


def test_the_chime_is_a_real_wav():
    import io
    import wave

    from kiosk.ui.hall_display import chime_wav

    with wave.open(io.BytesIO(chime_wav())) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2) and 0.9 < w.getnframes() / w.getframerate() < 1.5
