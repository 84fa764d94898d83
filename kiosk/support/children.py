"""Child processes of the kiosk (the demo's virtual card and hub), started one way from the source tree and the
bundle.

A frozen executable cannot run `python -m …`, so a child is always the kiosk itself with a hidden first
argument: `python -m kiosk __child NAME …` from the source tree, `kiosk-console __child NAME …` from the
bundle (the console executable, so that its standard output is a pipe on Windows too). The child's
standard input is its lifeline: when the kiosk ends, however it ends, the pipe closes and the child
stops. Pipes are read by a thread with a timeout, never with `select` (Windows cannot select pipes).
"""

from __future__ import annotations

import contextlib
import importlib
import queue
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

#: The hidden first argument of `kiosk` that runs a child instead of the GUI or a command.
HIDDEN = "__child"
#: Child name → module whose `main(argv) -> int` it runs.
CHILDREN = {"vchip": "kiosk.devices.vchip.__main__", "hub": "kiosk.hub.demo"}


class UnknownChild(ValueError):
    pass


def command(name: str, args: Sequence[str] = ()) -> list[str]:
    """The command line that starts child `name` with `args`, frozen or not."""
    if name not in CHILDREN:
        raise UnknownChild(name)
    if getattr(sys, "frozen", False):
        exe = Path(sys.executable)
        console = exe.with_name("kiosk-console" + exe.suffix)
        return [str(console if console.exists() else exe), HIDDEN, name, *args]
    return [sys.executable, "-m", "kiosk", HIDDEN, name, *args]


def run(argv: Sequence[str]) -> int:
    """Run the child named by `argv[0]` in this process (what `kiosk __child NAME …` does)."""
    if not argv or argv[0] not in CHILDREN:
        print(f"unknown child process: {' '.join(argv[:1]) or '(none)'}", file=sys.stderr)
        return 2
    return int(importlib.import_module(CHILDREN[argv[0]]).main(list(argv[1:])) or 0)


def start(name: str, args: Sequence[str], stderr: IO[bytes] | int = subprocess.DEVNULL) -> subprocess.Popen:
    """Start child `name`; its stdin is the lifeline (kept open until `stop`), its stdout a text pipe."""
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
    return subprocess.Popen(command(name, args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            text=True, encoding="utf-8", creationflags=flags)


def read_line(process: subprocess.Popen, timeout: float) -> str:
    """The child's next stdout line, or "" when none came within `timeout` s (or it ended first)."""
    stdout = process.stdout
    assert stdout is not None
    box: queue.Queue[str] = queue.Queue(maxsize=1)

    def reader() -> None:
        try:
            box.put(stdout.readline())
        except (OSError, ValueError):  # the pipe was closed under us by `stop`
            box.put("")

    threading.Thread(target=reader, name="child-stdout", daemon=True).start()
    try:
        return box.get(timeout=timeout)
    except queue.Empty:
        return ""


def stop(process: subprocess.Popen, timeout: float = 5.0) -> int:
    """End a child and reap it (no zombie): close its lifeline, then terminate, then kill."""
    if process.stdin is not None:
        with contextlib.suppress(OSError):  # the child is gone already: its end of the pipe broke
            process.stdin.close()
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    if process.stdout is not None:
        process.stdout.close()
    return code
