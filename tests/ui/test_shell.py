"""The crash hook and the single running instance."""

import subprocess
import sys
import textwrap

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.support.instance_lock import acquire_instance_lock
from kiosk.ui.main import install_crash_hook


def test_an_unexpected_error_is_logged_and_the_officer_can_go_on(qtbot, window, caplog):
    original = sys.excepthook
    install_crash_hook(window)
    try:
        window.pages.setCurrentWidget(window.change_password)

        def press_continue() -> None:
            box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
            assert "Dữ liệu đã lưu không bị mất" in box.text()
            next(b for b in box.buttons() if b.text() == "Tiếp tục làm việc").click()

        QTimer.singleShot(100, press_continue)
        try:
            raise RuntimeError("a bug in a page")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = original
    assert window.pages.currentWidget() is window.login  # recovered to a known screen
    assert any("a bug in a page" in r.getMessage() for r in caplog.records)


def test_a_second_instance_on_the_same_data_folder_is_refused(tmp_path, qapp):
    first = acquire_instance_lock(tmp_path)
    assert first is not None
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from PySide6.QtCore import QCoreApplication
        from kiosk.support.instance_lock import acquire_instance_lock
        app = QCoreApplication([])
        sys.exit(0 if acquire_instance_lock(Path({str(tmp_path)!r})) is None else 3)
    """)
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == 0
    first.unlock()
    assert subprocess.run([sys.executable, "-c", script], timeout=60).returncode == 3
