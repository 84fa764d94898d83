"""GUI entry point: one running instance, translations, the crash hook, then the main window."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from kiosk.support.config import LoadedSettings, SettingsError, load_settings
from kiosk.support.instance_lock import acquire_instance_lock
from kiosk.support.resources import resource_path
from kiosk.ui.lockdown import SUPERVISED_ENV, supervise

log = logging.getLogger(__name__)


def install_crash_hook(window, selfservice: bool = False) -> None:
    """Log an unexpected error and offer to go on from a known screen instead of dying. In the hall no
    dialog is shown to a citizen: the window ends (code 70) and its supervisor starts it again."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if selfservice:
            os._exit(70)  # nothing of the citizen survives; the supervisor restarts into the start screen
        box = QMessageBox(window)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(window.tr("Đã xảy ra lỗi"))
        box.setText(
            window.tr("Kiosk gặp lỗi không mong đợi. Dữ liệu đã lưu không bị mất. Chi tiết đã được ghi vào nhật ký.")
        )
        go_on = box.addButton(window.tr("Tiếp tục làm việc"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(window.tr("Thoát"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is go_on:
            window.recover()
        else:
            QApplication.quit()

    sys.excepthook = hook


def load_style(app: QApplication, mode: str) -> None:
    qss = resource_path("style", "kiosk.qss")
    if qss.exists():
        sheet = qss.read_text(encoding="utf-8")
        if mode == "selfservice":
            touch = resource_path("style", "selfservice.qss")
            if touch.exists():
                sheet += touch.read_text(encoding="utf-8")
        app.setStyleSheet(sheet)


def run_gui(args: argparse.Namespace) -> int:
    overrides = {
        "data_dir": args.data_dir,
        "demo": args.demo,
        "language": args.lang,
        "mode": "selfservice" if args.selfservice else ("hall_display" if getattr(args, "hall_display", False) else None),
    }
    try:
        loaded = load_settings(overrides)
    except SettingsError as exc:
        print(f"Cấu hình không hợp lệ: {exc}", file=sys.stderr)
        return 2
    if loaded.settings.mode == "selfservice" and not os.environ.get(SUPERVISED_ENV):
        # The hall kiosk restarts itself after a crash: this process watches the window's process.
        return supervise(sys.argv[1:])
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("kiosk")
    app.setApplicationDisplayName("Kiosk")
    return run_window(app, loaded)


def quit_on_terminate(app: QApplication) -> None:
    """SIGTERM (systemd stopping the kiosk's service, `kill`) closes the kiosk as a user would: the database
    is closed and the demo card stopped. Python runs signal handlers only between its own bytecodes, so a
    timer gives it the chance while Qt waits for events."""
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(250)


def run_window(app: QApplication, loaded: LoadedSettings) -> int:
    from kiosk.ui import i18n
    from kiosk.ui.mainwindow import MainWindow

    settings = loaded.settings
    if settings.mode == "hall_display":
        from kiosk.ui.hall_display import run_hall_display

        i18n.set_language(settings.language)
        return run_hall_display(app, loaded)
    lock = acquire_instance_lock(settings.data_dir)
    if lock is None:
        QMessageBox.warning(None, "Kiosk", "Kiosk đang chạy trên máy này (mỗi lúc chỉ mở được một cửa sổ kiosk).")
        return 1
    i18n.set_language(settings.language)
    load_style(app, settings.mode)
    window = MainWindow(loaded)
    install_crash_hook(window, selfservice=settings.mode == "selfservice")
    if settings.mode == "selfservice":
        window.lock_down()
        window.showFullScreen()
    else:
        window.show()
    if os.environ.get("KIOSK_BENCH_STARTUP"):
        # bench/startup.py: report once the login window has been painted, then quit.
        QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
        return app.exec()

    def build():
        from kiosk.app import build as build_kiosk
        from kiosk.app import with_gui_devices

        return with_gui_devices(build_kiosk(loaded, with_demo_card=True))

    QTimer.singleShot(0, lambda: window.open_data(build))
    quit_on_terminate(app)
    try:
        return app.exec()
    finally:
        window.close()  # the background workers stop before the data closes (also after SIGTERM)
        if window.kiosk is not None:
            window.kiosk.close()
        lock.unlock()
