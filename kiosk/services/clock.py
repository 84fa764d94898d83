"""An injectable clock, so tests can move time (lockouts, inactivity) without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now in UTC, naive (the database stores UTC without an offset)."""
    return datetime.now(UTC).replace(tzinfo=None)


def iso_utc(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds") + "Z"
