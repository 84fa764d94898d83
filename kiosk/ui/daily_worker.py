"""The running kiosk's daily work: the encrypted backup into the backup folder, then the retention purge.

Checked a minute after the data opens and every half hour; each runs when its last run is a day old, on a
thread of its own (a backup of a large database takes a while; the window never waits for it), as the
kiosk's own system principal, whether or not anyone is logged in.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.domain.roles import Principal, Role
from kiosk.ui.worker import run_call, single_thread_pool

log = logging.getLogger(__name__)

DAILY_PRINCIPAL = Principal("system:daily", Role.OPERATOR)
FIRST_CHECK_MS = 60_000
INTERVAL_MS = 30 * 60_000


class DailyWorker(QObject):
    """Emits `finished(dict)` after each check: {"backup": BackupInfo|None|error reason, "retention": …}."""

    finished = Signal(object)

    def __init__(self, kiosk, parent: QObject | None = None, first_check_ms: int = FIRST_CHECK_MS) -> None:
        super().__init__(parent)
        self.kiosk = kiosk
        self.pool = single_thread_pool(self)
        self.task = None
        self.first_check_ms = first_check_ms
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        QTimer.singleShot(self.first_check_ms, self, self.check)
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.pool.waitForDone(60_000)

    def check(self) -> None:
        if self.task is not None:
            return
        self.task = run_call(self._work, on_result=self._done, on_error=self._failed, pool=self.pool)

    def _work(self) -> dict:
        from kiosk.services.backup import BackupError

        out: dict = {}
        if self.kiosk.settings.backup_daily:
            try:
                out["backup"] = self.kiosk.backups.daily(DAILY_PRINCIPAL)
            except BackupError as exc:  # noted for the home page by the service; the purge still runs
                out["backup"] = exc.reason
        out["retention"] = self.kiosk.retention.daily(DAILY_PRINCIPAL)
        return out

    def _done(self, result: dict) -> None:
        self.task = None
        self.finished.emit(result)

    def _failed(self, exc: Exception) -> None:
        self.task = None
        log.error("daily backup/retention failed: %s", type(exc).__name__)
        self.finished.emit({"error": type(exc).__name__})
