"""The home page shows the age of the last backup; the running kiosk makes its daily backup and purge itself."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.services.backup import LAST_BACKUP
from kiosk.services.retention import LAST_RUN
from kiosk.ui.daily_worker import DAILY_PRINCIPAL, DailyWorker


def backup_row(window) -> tuple[str, str]:
    label = window.shell.home.values["backup"]
    return label.property("state"), label.text()


def refreshed(qtbot, window) -> None:
    """Ask for a health snapshot now and wait until that one (not an older one in flight) is on screen."""
    window.refresh_health()
    mine = window._health_asked
    qtbot.waitUntil(lambda: window._health_shown >= mine, timeout=20_000)


def test_the_home_page_shows_the_last_backup_and_its_age(qtbot, officer, english_qm, tmp_path):
    refreshed(qtbot, officer)
    state, text = backup_row(officer)
    assert state == "warn" and "Chưa có bản sao lưu nào" in text
    (tmp_path / "usb").mkdir()
    info = officer.kiosk.backups.create(DAILY_PRINCIPAL, tmp_path / "usb" / "today.kbak")
    refreshed(qtbot, officer)
    state, text = backup_row(officer)
    assert state == "ok" and text.startswith("Sao lưu gần nhất: vừa xong") and info.path in text
    officer.set_language("en")
    refreshed(qtbot, officer)
    state, text = backup_row(officer)
    assert text.startswith("Last backup: just now")
    assert officer.shell.home.titles["backup"].text() == "Backup"
    out = Path(__file__).resolve().parents[2] / "test-output"
    out.mkdir(exist_ok=True)
    assert officer.grab().save(str(out / "home-backup-en.png"))  # looked at by whoever changes this page
    officer.set_language("vi")


def test_an_old_backup_turns_amber_then_red(qtbot, officer):
    with officer.kiosk.db.transaction() as session:
        from kiosk.db.models import KioskMeta

        session.merge(KioskMeta(key=LAST_BACKUP, value=json.dumps(
            {"at": "2020-01-01T00:00:00.000Z", "path": "E:\\\\saoluu\\\\old.kbak", "backup_id": "x"})))
    refreshed(qtbot, officer)
    state, text = backup_row(officer)
    assert state == "error" and "ngày trước" in text, text


def test_the_running_kiosk_makes_its_daily_backup_and_purge(qtbot, window):
    worker = DailyWorker(window.kiosk, window, first_check_ms=0)
    with qtbot.waitSignal(worker.finished, timeout=60_000) as done:
        worker.start()
    worker.stop()
    result = done.args[0]
    assert result["backup"] is not None and result["retention"] is not None
    folder = window.kiosk.settings.backup_folder
    assert [p.suffix for p in folder.iterdir()] == [".kbak"]
    assert window.kiosk.db.meta(LAST_RUN) is not None
    with qtbot.waitSignal(worker.finished, timeout=60_000) as again:
        worker.check()
    assert again.args[0] == {"backup": None, "retention": None}  # once a day each


def test_a_restored_kiosk_says_on_its_home_page_that_it_must_rejoin(qtbot, officer):
    from sqlalchemy import update

    from kiosk.db.models_sync import SyncState
    from kiosk.services.sync.state import _state

    with officer.kiosk.db.transaction() as session:
        _state(session)
        session.execute(update(SyncState).values(enrolled_at="2026-11-01T00:00:00.000Z", halted=True,
                                                 halted_reason="restored", halted_detail='{"backup_id":"x"}'))
    officer.shell.home.set_sync_state(officer.kiosk.sync.state())
    text = officer.shell.home.sync_detail.text()
    assert "khôi phục từ bản sao lưu" in text and "kiosk enrol --rejoin" in text and "backup_id" not in text
