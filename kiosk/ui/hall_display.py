"""The hall's screen (`kiosk --hall-display`): the numbers being called and at which counter, with a chime.

It reads the station's board from the hub every two seconds (numbers and counters only: nothing of a
citizen, so it needs no data folder and no key) and can run on any PC with a screen in the hall. The
newest call fills the top half of the screen; the letters are sized from the window's height so that
on a 40-inch screen the newest number stands more than 6 cm tall — readable from 5 m and more.
"""

from __future__ import annotations

import io
import logging
import math
import struct
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui.worker import run_call

log = logging.getLogger(__name__)

POLL_MS = 2000
ROWS = 5  # earlier calls listed under the newest


def chime_wav(rate: int = 22050) -> bytes:
    """A two-tone chime (E5 then C5, each with a soft decay) as 16-bit mono WAV."""
    frames = bytearray()
    for freq, seconds in ((659.25, 0.45), (523.25, 0.7)):
        n = int(rate * seconds)
        for i in range(n):
            envelope = math.exp(-3.0 * i / n) * min(1.0, i / (0.01 * rate))
            frames += struct.pack("<h", int(12000 * envelope * math.sin(2 * math.pi * freq * i / rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def fetch_board(hub_url: str, station: str, day: str, timeout: float = 2.0) -> dict[str, Any]:
    """The station's board from the hub; a hub that does not answer is `HubUnreachable` (said on screen)."""
    import httpx

    from kiosk.services.sync_client import HubUnreachable

    try:
        response = httpx.get(f"{hub_url.rstrip('/')}/v1/queue/board", params={"station": station, "day": day},
                             timeout=timeout)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise HubUnreachable(type(exc).__name__) from None


def station_today() -> str:
    from kiosk.domain.dossier import local_received_at
    from kiosk.services.clock import utc_now

    return local_received_at(None, utc_now()).date().isoformat()


class HallDisplay(QWidget):
    """The board: the newest call large, earlier ones below, tickets waiting per group at the foot."""

    chimed = Signal(str)  # the number just called (or called again)
    refreshed = Signal(object)

    def __init__(self, hub_url: str, station: str, fetch: Callable[[], dict[str, Any]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hallDisplay")
        self.setStyleSheet("#hallDisplay { background: #101820; } QLabel { color: white; }"
                           "#hallNewest { color: #ffd200; } #hallOffline { color: #ff8a80; }")
        self.fetch = fetch or (lambda: fetch_board(hub_url, station, station_today()))
        self.seen: dict[str, int] = {}
        self.first = True
        self.board: dict[str, Any] | None = None
        self.offline = False
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("hallTitle")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        self.newest = QLabel(self)
        self.newest.setObjectName("hallNewest")
        self.newest.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.newest, 3)
        grid = QGridLayout()
        self.rows: list[tuple[QLabel, QLabel]] = []
        for r in range(ROWS):
            number, counter = QLabel(self), QLabel(self)
            number.setObjectName(f"hallNumber_{r}")
            counter.setObjectName(f"hallCounter_{r}")
            number.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(number, r, 0)
            grid.addWidget(counter, r, 1)
            self.rows.append((number, counter))
        layout.addLayout(grid, 4)
        self.footer = QLabel(self)
        self.footer.setObjectName("hallFooter")
        self.footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.footer)
        self.offline_label = QLabel(self)
        self.offline_label.setObjectName("hallOffline")
        self.offline_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.offline_label.setWordWrap(True)
        layout.addWidget(self.offline_label)
        self.sound = self._make_sound()
        self.timer = QTimer(self)  # an attribute: a timer with no reference would be collected and never fire
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.retranslate()

    def _make_sound(self):
        try:
            from PySide6.QtMultimedia import QSoundEffect
        except ImportError:  # pragma: no cover - PySide6-Addons ships QtMultimedia
            return None
        path = Path(tempfile.gettempdir()) / "kiosk-hall-chime.wav"
        path.write_bytes(chime_wav())
        effect = QSoundEffect(self)
        effect.setSource(QUrl.fromLocalFile(str(path)))
        effect.setVolume(0.9)
        return effect

    def start(self) -> None:
        self.poll()
        self.timer.start()

    def poll(self) -> None:
        run_call(self.fetch, on_result=self.show_board, on_error=self._failed)

    def _failed(self, exc: Exception) -> None:
        log.warning("the hall display could not read the board: %s", type(exc).__name__)
        self.offline = True
        self.retranslate()

    def show_board(self, board: dict[str, Any]) -> None:
        self.board = board
        self.offline = False
        calls = board.get("calls") or []
        fresh = [c for c in calls if self.seen.get(c["ticket"], 0) < int(c.get("calls") or 1)]
        for c in calls:
            self.seen[c["ticket"]] = int(c.get("calls") or 1)
        if fresh and not self.first:
            newest = max(fresh, key=lambda c: c.get("called_at") or "")
            if self.sound is not None:
                self.sound.play()
            self.chimed.emit(newest["number"])
        self.first = False
        self.retranslate()
        self.refreshed.emit(board)

    def retranslate(self) -> None:
        self.title.setText(self.tr("MỜI CÔNG DÂN CÓ SỐ — NOW SERVING"))
        calls = (self.board or {}).get("calls") or []
        if calls:
            top = calls[0]
            self.newest.setText(f"{top['number']}  →  {top['counter']}")
        else:
            self.newest.setText(self.tr("Chưa gọi số nào"))
        for r, (number, counter) in enumerate(self.rows):
            call = calls[r + 1] if r + 1 < len(calls) else None
            number.setText(call["number"] if call else "")
            counter.setText(f"  →  {call['counter']}" if call else "")  # spaced as the newest call is
        waiting = (self.board or {}).get("waiting") or {}
        self.footer.setText("   ".join(self.tr("Nhóm %1: %2 người chờ").replace("%1", g).replace("%2", str(n))
                                       for g, n in sorted(waiting.items())))
        self.offline_label.setText(self.tr("Bảng số tạm thời không cập nhật được. Khi được gọi, mời công dân mang "
                                           "phiếu đến quầy.") if self.offline else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def resizeEvent(self, event) -> None:
        height = max(self.height(), 200)
        self._font(self.newest, height / 7)
        self._font(self.title, height / 22)
        for number, counter in self.rows:
            self._font(number, height / 16)
            self._font(counter, height / 16)
        self._font(self.footer, height / 30)
        self._font(self.offline_label, height / 30)
        super().resizeEvent(event)

    @staticmethod
    def _font(label: QLabel, pixels: float) -> None:
        font = QFont(label.font())
        font.setPixelSize(max(12, int(pixels)))
        font.setBold(True)
        label.setFont(font)


def run_hall_display(app: QApplication, loaded) -> int:
    settings = loaded.settings
    if not settings.hub_url:
        print("Cần địa chỉ máy chủ của trạm (hub_url) để hiển thị bảng số.", flush=True)
        return 2
    display = HallDisplay(settings.hub_url, settings.station_id)
    display.setWindowTitle("Kiosk — bảng số")
    display.showFullScreen()
    display.start()
    return app.exec()
