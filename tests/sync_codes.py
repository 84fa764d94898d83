"""Tracking codes for sync tests that write outbox rows by hand: in the Circular's form (the hub refuses any
other, and any unit not bound to the kiosk's station), one day of January 2026 per series."""

from __future__ import annotations

import zlib

#: The unit the tests' stations number under unless they say otherwise (the settings' default).
UNIT = "000.00.24.H57"
_DAYS = {"T": 1, "OTHER": 2, "CLONE": 3, "P": 4, "A": 5, "B": 6}


def unit_for(station: str) -> str:
    """A receiving unit of its own for each test station (the hub binds one station per unit)."""
    return f"000.00.{zlib.crc32(station.encode()) % 90 + 10:02d}.H{zlib.crc32(station[::-1].encode()) % 90 + 10:02d}"


def code(series: str, n: int, unit: str = UNIT) -> str:
    """The n-th code (1–9999) of a series: `<unit>-2601DD-NNNN`, each series its own day."""
    day = _DAYS.get(series, 7 + zlib.crc32(series.encode()) % 22)
    if not 0 < n < 10_000:
        raise ValueError("a day's sequence holds 4 digits")
    return f"{unit}-2601{day:02d}-{n:04d}"
