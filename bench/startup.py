"""Median time from process start to the login window shown, against a bare PySide6 window.

    python bench/startup.py [--runs N]

Both are started as fresh processes on the offscreen platform; each prints "shown" once its first
window is on screen. Target: kiosk ≤ 1.5 × the bare window.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setCentralWidget(QLabel("Đăng nhập")); w.resize(1100, 720); w.show()
QTimer.singleShot(0, lambda: (print("shown", flush=True), app.quit()))
app.exec()
"""


def time_until_shown(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "shown":
            elapsed = time.perf_counter() - start
            break
    else:
        raise RuntimeError(f"{cmd} never showed its window")
    proc.wait(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            KIOSK_BENCH_STARTUP="1",
            KIOSK_DATA_DIR=os.path.join(tmp, "data"),
            KIOSK_CONFIG_FILE=os.path.join(tmp, "kiosk.toml"),
            KIOSK_MACHINE_CONFIG=os.path.join(tmp, "machine.toml"),
            KIOSK_USE_KEYRING="0",
        )
        kiosk_cmd = [sys.executable, "-m", "kiosk"]
        bare_cmd = [sys.executable, "-c", BARE]
        time_until_shown(kiosk_cmd, env)  # warm the file cache for both
        time_until_shown(bare_cmd, env)
        kiosk_times, bare_times = [], []
        for _ in range(args.runs):
            kiosk_times.append(time_until_shown(kiosk_cmd, env))
            bare_times.append(time_until_shown(bare_cmd, env))
    k, b = statistics.median(kiosk_times), statistics.median(bare_times)
    print(f"kiosk login window shown: median {k * 1000:.0f} ms over {args.runs} runs")
    print(f"bare PySide6 window shown: median {b * 1000:.0f} ms")
    print(f"ratio: {k / b:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
