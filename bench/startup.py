"""Median time from process start to the login window shown, against a bare PySide6 window; and the bundle's.

    python bench/startup.py [--runs N]                 kiosk from the source tree vs a bare window (≤ 1.5×)
    python bench/startup.py --frozen dist/kiosk        also the PyInstaller bundle vs the source tree (≤ 1.2×),
                                                       and the bundle's size with its largest parts

Every candidate is started as a fresh process on the offscreen platform, in turns, and prints "shown" once
its first window is on screen. The bundle runs with a PATH that holds no virtual environment.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

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


def frozen_command(folder: Path) -> list[str]:
    """The bundle's GUI, through its console executable where the two differ (Windows: a windowed
    executable has no stdout to say "shown" on)."""
    suffix = ".exe" if sys.platform == "win32" else ""
    for name in ("kiosk-console", "kiosk"):
        exe = folder / (name + suffix)
        if exe.exists():
            return [str(exe)]
    raise SystemExit(f"{folder} holds no kiosk executable (build it with: pyinstaller kiosk.spec)")


def bundle_parts(folder: Path, top: int = 15) -> None:
    """Print the bundle's size and its largest parts (a package folder, a Qt library, an executable)."""
    sizes: Counter[str] = Counter()
    total = 0
    internal = folder / "_internal"
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        size = path.stat().st_size
        total += size
        rel = path.relative_to(internal) if path.is_relative_to(internal) else path.relative_to(folder)
        parts = rel.parts
        if parts[:3] in (("PySide6", "Qt", "lib"), ("PySide6", "Qt", "plugins")):
            key = "/".join(parts[:4])  # one Qt library, or one plugin folder
        elif len(parts) > 1:
            key = parts[0] + "/"
        else:
            key = parts[0]
        sizes[key] += size
    print(f"bundle {folder}: {total / 2**20:.0f} MiB in {sum(1 for p in folder.rglob('*') if p.is_file())} files")
    print(f"largest {top} parts:")
    for key, size in sizes.most_common(top):
        print(f"  {size / 2**20:7.1f} MiB  {key}")


def plain_path() -> str:
    """PATH without any virtual environment (the bundle must not lean on one)."""
    venv = os.environ.get("VIRTUAL_ENV")
    keep = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and not (venv and p.startswith(venv)) and not Path(p, "activate").exists()
            and Path(sys.executable).parent != Path(p)]
    return os.pathsep.join(keep)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--frozen", type=Path, metavar="DIR", help="the bundle folder made by pyinstaller kiosk.spec")
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
        candidates = {"kiosk (source tree)": ([sys.executable, "-m", "kiosk"], env),
                      "bare PySide6 window": ([sys.executable, "-c", BARE], env)}
        if args.frozen:
            frozen_env = {k: v for k, v in env.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
            frozen_env["PATH"] = plain_path()
            candidates["kiosk (bundle)"] = (frozen_command(args.frozen), frozen_env)
        for cmd, cenv in candidates.values():
            time_until_shown(cmd, cenv)  # warm the file cache for each
        times: dict[str, list[float]] = {name: [] for name in candidates}
        for _ in range(args.runs):
            for name, (cmd, cenv) in candidates.items():
                times[name].append(time_until_shown(cmd, cenv))
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, value in med.items():
        print(f"{name}: login window shown, median {value * 1000:.0f} ms over {args.runs} runs")
    source, bare = med["kiosk (source tree)"], med["bare PySide6 window"]
    print(f"source tree / bare window: {source / bare:.2f}x (target <= 1.5x)")
    if args.frozen:
        print(f"bundle / source tree: {med['kiosk (bundle)'] / source:.2f}x (target <= 1.2x)")
        bundle_parts(args.frozen)


if __name__ == "__main__":
    main()
