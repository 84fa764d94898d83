"""Logging: a rotating file in the data folder; personal data only at TRACE, which is off by default.

Code logs names, ID numbers, MRZ and APDU hex only through `log.log(TRACE, …)`; when TRACE is on,
a loud warning goes to the log and to stderr at start.
"""

from __future__ import annotations

import logging
import logging.handlers
import platform
import sys
from pathlib import Path

from kiosk.support.safefiles import open_private_append, private_folder, tighten_file

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

_configured_file: Path | None = None


class NoTracebackFormatter(logging.Formatter):
    """For the terminal: the message without a traceback (that goes to the log file, under a reference)."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Every log file it opens (the first and each after a rotation) is created 0600, whatever the umask."""

    def _open(self):
        return open_private_append(Path(self.baseFilename), self.encoding or "utf-8")


def setup_logging(log_dir: Path, level: str = "INFO", console: bool = False) -> Path:
    """Configure the root logger once per process; returns the log file path."""
    global _configured_file
    log_file = log_dir / "kiosk.log"
    if _configured_file == log_file:
        return log_file
    private_folder(log_dir)
    for old in log_dir.glob("kiosk.log*"):
        tighten_file(old)
    numeric = TRACE if level == "TRACE" else getattr(logging, level, logging.INFO)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_kiosk", False):
            root.removeHandler(handler)
            handler.close()
    file_handler = PrivateRotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    file_handler._kiosk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(logging.WARNING)
        stream.setFormatter(NoTracebackFormatter("%(levelname)s: %(message)s"))
        stream._kiosk = True  # type: ignore[attr-defined]
        root.addHandler(stream)
    root.setLevel(numeric)
    # One line per HTTP request would drown the log (the sync polls); keep their warnings only.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))
    _configured_file = log_file
    log = logging.getLogger("kiosk")
    if numeric <= TRACE:
        banner = "TRACE LOGGING IS ON: personal data (names, ID numbers, APDUs) will be written to " + str(log_file)
        log.warning(banner)
        print(f"!!! {banner} !!!", file=sys.stderr)
    from kiosk import __version__

    log.info(
        "kiosk %s start: python %s, %s %s, log level %s",
        __version__,
        platform.python_version(),
        platform.system(),
        platform.release(),
        level,
    )
    return log_file
