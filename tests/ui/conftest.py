"""GUI tests: the real main window on the offscreen platform, driven by qtbot clicks and typing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from kiosk.services.staff import DEMO_PASSWORD, DEMO_USERNAME
from kiosk.support.config import load_settings


@pytest.fixture
def settings_loaded(isolated_settings):
    return load_settings({"demo": True, "staff_idle_timeout_s": 600})


@pytest.fixture
def window(qtbot, settings_loaded):
    from kiosk.app import build
    from kiosk.ui.mainwindow import MainWindow

    win = MainWindow(settings_loaded)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.ready, timeout=20_000):
        win.open_data(lambda: build(settings_loaded))
    box = win.findChild(QMessageBox, "firstAdminBox")
    assert box is not None and win.kiosk.first_admin_password in box.text()
    box.accept()
    yield win
    win.health_timer.stop()
    if win.daily_worker is not None:
        win.daily_worker.stop()
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(10_000)
    win.kiosk.close()


@pytest.fixture
def officer(qtbot, window):
    """The main window with the demo officer logged in."""
    with qtbot.waitSignal(window.logged_in, timeout=10_000):
        window.login.username.setText(DEMO_USERNAME)
        window.login.password.setText(DEMO_PASSWORD)
        qtbot.mouseClick(window.login.button, Qt.MouseButton.LeftButton)
    return window


@pytest.fixture
def english_qm(tmp_path, monkeypatch):
    """The English translation compiled fresh from the .ts in the tree (never a stale .qm)."""
    from kiosk.support.resources import resource_path
    from kiosk.ui import i18n

    qm = tmp_path / "kiosk_en.qm"
    i18n.compile_translation(resource_path("i18n", "kiosk_en.ts"), qm)
    monkeypatch.setattr(i18n, "qm_path", lambda _language: qm)
    return qm
