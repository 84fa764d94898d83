"""The hall kiosk starts itself again into the start screen after a crash; only the PIN (exit 0) ends it."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time


def _next_start(process, deadline: float) -> int:
    buffer = ""
    while time.monotonic() < deadline:
        ready = select.select([process.stderr], [], [], 0.5)[0]
        if not ready:
            continue
        line = process.stderr.readline()
        buffer += line
        match = re.search(r"window started \(pid (\d+)\)", line)
        if match:
            return int(match.group(1))
    raise AssertionError(f"the supervisor did not start a window:\n{buffer}")


def test_a_killed_window_is_started_again(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", KIOSK_DATA_DIR=str(tmp_path / "sanh"))
    env.pop("KIOSK_SUPERVISED", None)
    supervisor = subprocess.Popen([sys.executable, "-m", "kiosk", "--selfservice"], env=env, text=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        first = _next_start(supervisor, time.monotonic() + 60)
        time.sleep(3)  # the window is up and has opened its data
        os.kill(first, signal.SIGKILL)
        second = _next_start(supervisor, time.monotonic() + 60)
        assert second != first
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
        supervisor.stderr.close()
    # The supervisor passed SIGTERM on and waited for it: no window is left running.
    assert subprocess.run(["kill", "-0", str(second)], capture_output=True).returncode != 0
