"""The hall's queue (số thứ tự), the service guide's groups and the citizens' rating: values and rules, no I/O.

A ticket belongs to one station-local day and one counter group (a letter). Its number is the group's
letter and a three-digit daily sequence; a hall kiosk in slot s ≥ 1 (the same block number it uses for
tracking codes) puts its slot after the letter, so two hall kiosks numbering offline never collide.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_PER_DAY = 999
_NUMBER_RE = re.compile(r"(?P<letter>[A-Z])(?:(?P<slot>[1-9])-)?(?P<n>\d{3})")


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"  # printed, not called yet (or skipped and put back)
    CALLED = "called"  # a counter called it; the citizen walks there
    RECEIVED = "received"  # the counter turned its draft into a dossier
    ABSENT = "absent"  # called, the citizen did not come
    EXPIRED = "expired"  # not called by the end of its day (its draft is deleted)

    @property
    def open(self) -> bool:
        return self in (TicketStatus.WAITING, TicketStatus.CALLED)


#: What an officer may do to a ticket, and the status it leaves: recall keeps it called, skip puts it
#: back at the end of its group's line, absent closes it.
ACTIONS: dict[str, tuple[frozenset[TicketStatus], TicketStatus]] = {
    "recall": (frozenset({TicketStatus.CALLED}), TicketStatus.CALLED),
    "skip": (frozenset({TicketStatus.CALLED}), TicketStatus.WAITING),
    "absent": (frozenset({TicketStatus.CALLED, TicketStatus.WAITING}), TicketStatus.ABSENT),
    "received": (frozenset({TicketStatus.CALLED, TicketStatus.WAITING}), TicketStatus.RECEIVED),
}


class TicketNumberError(ValueError):
    pass


def ticket_number(letter: str, slot: int, nth: int) -> str:
    """`A015` (slot 0) or `A2-015` (slot 2): the group's letter, the kiosk's block, the day's sequence."""
    if not re.fullmatch(r"[A-Z]", letter) or not 0 <= slot <= 9:
        raise TicketNumberError(f"bad group letter or slot: {letter!r} {slot}")
    if not 1 <= nth <= MAX_PER_DAY:
        raise TicketNumberError(f"ticket {nth} of the day is beyond {MAX_PER_DAY}")
    return f"{letter}{nth:03d}" if slot == 0 else f"{letter}{slot}-{nth:03d}"


def parse_ticket_number(text: str) -> tuple[str, int, int] | None:
    """(letter, slot, sequence) of a ticket number as printed, or None."""
    m = _NUMBER_RE.fullmatch(text.strip().upper())
    if m is None:
        return None
    return m["letter"], int(m["slot"] or 0), int(m["n"])


def estimated_wait_minutes(ahead: int, minutes_per_ticket: float, counters: int) -> int:
    """Tickets ahead of this one × the group's average handling time, shared by the counters serving it."""
    if ahead <= 0:
        return 0
    return max(1, round(ahead * max(minutes_per_ticket, 1.0) / max(counters, 1)))


@dataclass(frozen=True)
class ServiceGroup:
    """A group of services in plain words: the guide's heading and the queue's counter group (its letter)."""

    letter: str
    name_vi: str
    name_en: str
    services: tuple[int, ...]


@dataclass(frozen=True)
class GuideEntry:
    """What a service is for and who may ask, in plain words (the catalog holds the rules)."""

    purpose_vi: str
    purpose_en: str
    who_vi: str
    who_en: str
    confirmed: bool = True


class GuideDataError(ValueError):
    pass


@dataclass(frozen=True)
class Guide:
    groups: tuple[ServiceGroup, ...]
    entries: Mapping[int, GuideEntry]

    def group_of(self, service_no: int) -> ServiceGroup:
        for group in self.groups:
            if service_no in group.services:
                return group
        raise KeyError(service_no)

    def group(self, letter: str) -> ServiceGroup:
        for group in self.groups:
            if group.letter == letter:
                return group
        raise KeyError(letter)

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(g.letter for g in self.groups)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], services: Sequence[int]) -> Guide:
        """Parse the guide file; every service in exactly one group and with an entry, letters unique."""
        try:
            groups = tuple(
                ServiceGroup(str(g["letter"]), str(g["vi"]), str(g["en"]), tuple(int(n) for n in g["services"]))
                for g in data["groups"]
            )
            entries = {
                int(n): GuideEntry(str(e["purpose_vi"]), str(e["purpose_en"]), str(e["who_vi"]), str(e["who_en"]),
                                   bool(e.get("confirmed", True)))
                for n, e in data["services"].items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise GuideDataError(f"guide file: {exc!r}") from None
        letters = [g.letter for g in groups]
        if len(set(letters)) != len(letters) or not all(re.fullmatch(r"[A-Z]", x) for x in letters):
            raise GuideDataError("guide file: group letters must be distinct capital letters")
        placed = sorted(n for g in groups for n in g.services)
        if placed != sorted(services):
            raise GuideDataError(f"guide file: the groups must hold each service once (have {placed})")
        if sorted(entries) != sorted(services):
            raise GuideDataError("guide file: one entry per service")
        return cls(groups, entries)


class RatingLevel(enum.IntEnum):
    """The three levels of the public-service satisfaction rating (rất hài lòng / hài lòng / không hài lòng)."""

    NOT_SATISFIED = 1
    SATISFIED = 2
    VERY_SATISFIED = 3

    @property
    def label_vi(self) -> str:
        return {1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng"}[self.value]

    @property
    def label_en(self) -> str:
        return {1: "Not satisfied", 2: "Satisfied", 3: "Very satisfied"}[self.value]


MAX_RATING_REASON = 500


def summarise_ratings(month: str, ratings: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per level and per service, the share satisfied (levels 2 and 3), the reasons given for level 1."""
    levels = {str(n): 0 for n in (1, 2, 3)}
    services: dict[int, dict[str, int]] = {}
    for r in ratings:
        levels[str(r["level"])] += 1
        if isinstance(r.get("service_no"), int):
            counts = services.setdefault(r["service_no"], {str(n): 0 for n in (1, 2, 3)})
            counts[str(r["level"])] += 1
    total = sum(levels.values())
    return {
        "month": month, "total": total, "levels": levels,
        "satisfied_percent": round(100 * (levels["2"] + levels["3"]) / total, 1) if total else None,
        "by_service": [{"service_no": n, "total": sum(c.values()), "levels": c} for n, c in sorted(services.items())],
        "reasons_not_satisfied": [r["reason"] for r in ratings if r["level"] == 1 and r.get("reason")],
    }


@dataclass(frozen=True)
class TicketPrint:
    """What the printed queue ticket shows (no personal data in clear: the draft travels in the sealed QR)."""

    unit_name: str
    number: str
    service_no: int
    service_vi: str
    service_en: str
    group: str
    group_vi: str
    group_en: str
    ahead: int
    estimated_wait_min: int
    issued_at: datetime  # station time
    qr_text: str
    has_draft: bool


@dataclass(frozen=True)
class ChecklistLine:
    text_vi: str
    text_en: str = ""


@dataclass(frozen=True)
class Checklist:
    """A service's guide on paper: the documents to bring as boxes to tick, fees, time, result."""

    unit_name: str
    service_no: int
    title_vi: str
    title_en: str
    purpose: ChecklistLine
    who: ChecklistLine
    documents: tuple[ChecklistLine, ...]
    fees: tuple[ChecklistLine, ...]
    processing: ChecklistLine
    ready: ChecklistLine
    result: tuple[ChecklistLine, ...]
    where: ChecklistLine
    printed_at: datetime
    unconfirmed: bool = False
