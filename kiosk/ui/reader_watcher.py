"""The Qt face of the PC/SC monitor: the smart-card service, the readers and card presence as signals.

The monitor reports on the device thread; the watcher turns its callbacks into Qt signals and remembers
the last state, so that a card page created later can catch up with it. The main window owns one watcher;
the card page follows it (`CardPage.attach`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ReaderWatcher(QObject):
    """Qt face of the PC/SC monitor: service, readers and card presence as signals."""

    service_changed = Signal(bool)
    readers_changed = Signal()
    card_inserted = Signal(str)
    card_removed = Signal(str)

    def __init__(self, device, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from kiosk.devices.pcsc import MonitorCallbacks, PcscMonitor

        self.service_up: bool | None = None
        self.readers: set[str] = set()
        self.cards: set[str] = set()
        callbacks = MonitorCallbacks(
            on_service=self._on_service,
            on_reader_added=self._on_reader_added,
            on_reader_removed=self._on_reader_removed,
            on_card_inserted=lambda reader, atr: self.card_inserted.emit(reader),
            on_card_removed=self.card_removed.emit,
        )
        self.monitor = PcscMonitor(device, callbacks)
        self.card_inserted.connect(self.cards.add)
        self.card_removed.connect(self.cards.discard)

    def _on_service(self, up: bool) -> None:
        self.service_up = up
        self.service_changed.emit(up)

    def _on_reader_added(self, reader: str) -> None:
        self.readers.add(reader)
        self.readers_changed.emit()

    def _on_reader_removed(self, reader: str) -> None:
        self.readers.discard(reader)
        self.readers_changed.emit()

    def start(self) -> None:
        self.monitor.start()

    def stop(self) -> None:
        self.monitor.stop()
