"""The hall kiosk's lockdown: no way out of the full-screen window for a citizen, and a restart after a crash.

Qt cannot stop a window manager's own keys, but it can refuse what reaches the application: shortcuts
with Ctrl, Alt or the Windows key, Escape, the function keys, context menus and closing the window. The
supervisor is the `kiosk --selfservice` process itself: it runs the window as a child and starts it
again, into the start screen, whenever it ends other than by the administrator's PIN (exit code 0).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt

log = logging.getLogger(__name__)

SUPERVISED_ENV = "KIOSK_SUPERVISED"
#: A child that dies this many times within CRASH_WINDOW_S makes the supervisor wait BACKOFF_S before the next start.
CRASH_LIMIT, CRASH_WINDOW_S, BACKOFF_S = 5, 60.0, 30.0
_BLOCKED_KEYS = {Qt.Key.Key_Escape, Qt.Key.Key_Menu, Qt.Key.Key_Super_L, Qt.Key.Key_Super_R, Qt.Key.Key_Meta,
                 *(getattr(Qt.Key, f"Key_F{n}") for n in range(1, 36))}
_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier


class LockdownFilter(QObject):
    """An application-wide event filter: swallows the keys and menus that could lead out of the kiosk."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.swallowed = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            if event.key() in _BLOCKED_KEYS or event.modifiers() & _MODIFIERS:
                self.swallowed += 1
                return True
        elif kind in (QEvent.Type.ContextMenu, QEvent.Type.Shortcut):
            self.swallowed += 1
            return True
        return False


def child_command(argv: Sequence[str]) -> list[str]:
    """The same kiosk again: the packaged executable, or this interpreter running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *argv]
    return [sys.executable, "-m", "kiosk", *argv]


def supervise(argv: Sequence[str], sleep=time.sleep) -> int:
    """Run the self-service window as a child and start it again after a crash; 0 when staff left with the PIN."""
    env = dict(os.environ, **{SUPERVISED_ENV: "1"})
    child: subprocess.Popen | None = None

    stopping: list[int] = []

    def forward(signum, _frame) -> None:
        # Pass the signal on and let the loop's wait return when the window has ended (waiting here, inside
        # the handler, would deadlock on the wait the loop is in).
        stopping.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, forward)
    crashes: list[float] = []
    while True:
        child = subprocess.Popen(child_command(argv), env=env)
        print(f"kiosk supervisor: window started (pid {child.pid})", file=sys.stderr, flush=True)
        code = child.wait()
        if stopping:
            return 128 + stopping[0]
        if code == 0:
            print("kiosk supervisor: staff left the kiosk mode", file=sys.stderr, flush=True)
            return 0
        now = time.monotonic()
        crashes = [t for t in crashes if now - t < CRASH_WINDOW_S] + [now]
        log.error("the self-service window ended with code %s; starting it again", code)
        print(f"kiosk supervisor: window ended with code {code}; restarting", file=sys.stderr, flush=True)
        if len(crashes) >= CRASH_LIMIT:
            sleep(BACKOFF_S)
            crashes.clear()
