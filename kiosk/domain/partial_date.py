"""Dates a Vietnamese card may leave incomplete: `dd/mm/yyyy`, `mm/yyyy` or `yyyy` (docs/card.md), as
DG13 writes them and as the card's QR code writes them (`ddmmyyyy`, `mmyyyy`, `yyyy`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date whose month and day may be unknown."""

    year: int
    month: int | None = None
    day: int | None = None

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def complete(self) -> date | None:
        """The date itself when day and month are known (and valid), else None."""
        if self.month is None or self.day is None:
            return None
        try:
            return date(self.year, self.month, self.day)
        except ValueError:
            return None

    def yymmdd(self) -> str:
        """As the MRZ writes it: unknown month or day as fillers (ICAO 9303-3, `<<`)."""
        month = f"{self.month:02d}" if self.month is not None else "<<"
        day = f"{self.day:02d}" if self.day is not None else "<<"
        return f"{self.year % 100:02d}{month}{day}"

    def earliest(self) -> date:
        """The first day this date may stand for."""
        return date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> date:
        """The last day this date may stand for."""
        if self.day is not None and self.month is not None:
            return date(self.year, self.month, self.day)
        month = self.month or 12
        following = date(self.year + 1, 1, 1) if month == 12 else date(self.year, month + 1, 1)
        return date.fromordinal(following.toordinal() - 1)


_DATE_FORMS = (
    re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})"),
    re.compile(r"(?P<d>\d{2})(?P<m>\d{2})(?P<y>\d{4})"),
    re.compile(r"(?P<m>\d{2})(?P<y>\d{4})"),
)


def parse_partial_date(text: str | None) -> PartialDate | None:
    """A card's date, or None when the text is no date (e.g. `Không thời hạn`, no expiry)."""
    if text is None:
        return None
    cleaned = text.strip()
    for form in _DATE_FORMS:
        match = form.fullmatch(cleaned)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["y"])
        month = int(parts["m"]) if parts.get("m") else None
        day = int(parts["d"]) if parts.get("d") else None
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= 31:
            return None
        return PartialDate(year, month, day)
    return None
