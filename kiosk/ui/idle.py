"""Idle time on a window: the counter's automatic logout and the hall's wipe both start from here."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal


class IdleWatcher(QObject):
    """Restarts a single-shot timer on any user input; `idle` fires when it runs out.

    Kept as an attribute of the window: a watcher with no Python reference would be collected and
    its timer would never fire (a PySide6 trap).
    """

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(timeout_ms)
        self.timer.timeout.connect(self.idle)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if self.timer.isActive() and event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.TouchBegin,
            QEvent.Type.Wheel,
        ):
            self.timer.start()
        return False
