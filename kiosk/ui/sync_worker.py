"""The GUI's sync worker: one background sync at a time, on a timer and on "sync now".

It runs whether or not anyone is logged in (the queue must drain), as the kiosk's own system
principal, and reports the last result in plain words for the home page and the status bar.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.domain.roles import Principal, Role
from kiosk.ui.worker import run_call, run_job, single_thread_pool

log = logging.getLogger(__name__)

SYNC_PRINCIPAL = Principal("system:sync", Role.OPERATOR)
INTERVAL_MS = 30_000


class SyncWorker(QObject):
    """Emits `state_changed(SyncStatus)` after each attempt and `report(SyncReport)` for "sync now"."""

    state_changed = Signal(object)
    report = Signal(object)
    running_changed = Signal(bool)

    def __init__(self, kiosk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.pool = single_thread_pool(self)
        self.task = None
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.sync_now)

    def start(self) -> None:
        self.refresh_state()
        if self.kiosk.settings.hub_url:
            self.timer.start()
            self.sync_now()

    def stop(self) -> None:
        self.timer.stop()
        if self.task is not None:
            self.task.cancel()
        self.pool.waitForDone(10_000)

    @property
    def running(self) -> bool:
        return self.task is not None

    def sync_now(self) -> None:
        if self.task is not None:
            return
        self.running_changed.emit(True)
        self.task = run_job(
            self.kiosk.sync.job(SYNC_PRINCIPAL),
            on_result=self._done,
            on_error=self._failed,
            on_finished=self._finished,
            pool=self.pool,
        )

    def _done(self, report) -> None:
        self.report.emit(report)

    def _failed(self, exc: Exception) -> None:
        log.warning("sync attempt failed: %s", type(exc).__name__)

    def _finished(self) -> None:
        self.task = None
        self.running_changed.emit(False)
        self.refresh_state()

    def refresh_state(self) -> None:
        sync = self.kiosk.sync
        run_call(sync.state, on_result=self.state_changed.emit, pool=self.pool)
