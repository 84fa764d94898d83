"""Files that hold personal data or keys: readable only by the account that runs the kiosk or the hub.

Folders we create are 0700 and files 0600; files and folders an older version left open are closed
at start. Output files named by a user (`--out`) are written without ever following a symbolic link
at the last component, only into a folder that exists, mode 0600, replacing the target atomically.
On Windows the modes mean little: the data folder lives in the user's own profile, whose ACL
already keeps other accounts out.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

POSIX = sys.platform != "win32"
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class UnsafeOutput(Exception):
    """An output path we refuse to write; `reason` is a code, `message_vi` the sentence for the user."""

    MESSAGES = {
        "symlink": "là một liên kết tượng trưng (symlink); không ghi qua liên kết",
        "no_folder": "nằm trong một thư mục không tồn tại",
        "not_a_file": "không phải là một tệp thông thường",
    }

    def __init__(self, path: Path, reason: str) -> None:
        self.path, self.reason = path, reason
        self.message_vi = f"{path} {self.MESSAGES[reason]}."
        super().__init__(f"{path}: {reason}")


def _owned(st: os.stat_result) -> bool:
    return not POSIX or st.st_uid == os.geteuid()


def private_folder(path: Path, tighten: bool = True) -> Path:
    """Make sure `path` exists; folders created here are 0700. With `tighten`, an existing folder of
    ours that others can enter is closed to 0700 (never a shared one: not one with the sticky bit,
    such as /tmp, nor one another account owns)."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        if POSIX:
            os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    if POSIX and tighten and path not in missing:
        st = path.stat()
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            if _owned(st) and not mode & stat.S_ISVTX:
                log.warning("folder %s was open to other accounts (mode %o); closing it to 0700", path, mode)
                os.chmod(path, FOLDER_MODE)
            else:
                log.warning("folder %s is open to other accounts (mode %o) and not ours to close", path, mode)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if missing (so SQLite's WAL and SHM copy that mode), or
    close an existing file of ours to 0600."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
        os.close(fd)
    except FileExistsError:
        tighten_file(path)
    return path


def tighten_file(path: Path) -> None:
    """Close an existing regular file of ours to 0600 (a missing file or a symlink is left alone)."""
    if not POSIX:
        return
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISREG(st.st_mode) and mode & 0o077 and _owned(st):
        log.warning("file %s was readable by other accounts (mode %o); closing it to 0600", path, mode)
        os.chmod(path, FILE_MODE)


def open_private_append(path: Path, encoding: str = "utf-8"):
    """Open a file for appending text, creating it 0600 (the log handler's own open uses the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    tighten_file(path)
    return os.fdopen(fd, "a", encoding=encoding)


def write_output(path: Path, data: bytes) -> Path:
    """Write a file the user named: the folder must exist, the last component must not be a symbolic
    link (nor a folder or device), the result is mode 0600 and appears whole or not at all.

    The data goes to a new temporary file (O_EXCL) in the same folder, then `os.replace` renames it
    over the target: a rename replaces a link itself and never writes through it, so a link planted
    between the check and the rename cannot redirect the write either."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise UnsafeOutput(path, "no_folder")
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise UnsafeOutput(path, "symlink")
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeOutput(path, "not_a_file")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")  # O_EXCL, mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
