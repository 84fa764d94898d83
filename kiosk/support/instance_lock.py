"""One running kiosk per data folder, shared by the window and the commands that must not run beside it.

Qt's lock file (QtCore only, no widgets): a crashed process leaves it stale, not held, and `kiosk backup
restore` takes the very lock the window holds.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLockFile


def acquire_instance_lock(data_dir: Path) -> QLockFile | None:
    """The data folder's lock, held until the returned object is unlocked or dropped; None when taken."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(data_dir / "kiosk.lock"))
    lock.setStaleLockTime(0)
    return lock if lock.tryLock(100) else None
