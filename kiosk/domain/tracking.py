"""The dossier tracking code (mã hồ sơ) `<unit id>-<yymmdd>-<4-digit daily sequence>`, made offline.

Circular 03/2025/TT-VPCP fixes the form of the code; the sequence is daily per receiving unit. A
station's kiosks number offline without asking the hub, so each kiosk owns one block of the day's
sequence: the kiosk in block n hands out n·1000+1 … n·1000+999. The hub owns the blocks: it gives
each kiosk of a station one of blocks 1–8 when it enrols; block 0 is what a kiosk numbers in before
it is enrolled, and block 9 is the hub's own, for the new code it gives a dossier whose code clashed
with another's. Two kiosks with different blocks never produce the same code; a kiosk that reaches its
999th dossier of the day stops numbering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

BLOCK = 1000
SLOTS = range(10)
PER_DAY = BLOCK - 1
#: The block of a kiosk that is not enrolled with a hub (or was numbered by hand with `kiosk dossier slot`).
UNENROLLED_BLOCK = 0
#: The blocks a hub hands out to the kiosks of one station, one each.
KIOSK_BLOCKS = range(1, 9)
#: The hub's own block: the new codes of dossiers whose code clashed with another dossier's.
HUB_BLOCK = 9

# QCVN 102:2016/BTTTT electronic identifiers of agencies, e.g. 000.00.24.H57 (up to ~13 characters).
_UNIT_RE = re.compile(r"[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,4}")
_CODE_RE = re.compile(r"(?P<unit>[0-9A-Z]{1,5}(?:\.[0-9A-Z]{1,5}){1,4})-(?P<day>\d{6})-(?P<seq>\d{4})")


class TrackingCodeError(ValueError):
    """A unit id, slot or sequence that cannot make a valid tracking code; `reason` is a code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def check_unit_id(unit_id: str) -> str:
    if not _UNIT_RE.fullmatch(unit_id):
        raise TrackingCodeError("bad_unit_id", unit_id)
    return unit_id


def sequence_for(slot: int, nth_today: int) -> int:
    """The 4-digit sequence of this kiosk's `nth_today` dossier (1-based) in the block of `slot`."""
    if slot not in SLOTS:
        raise TrackingCodeError("bad_slot", str(slot))
    if not 1 <= nth_today <= PER_DAY:
        raise TrackingCodeError("block_exhausted", f"slot {slot}, dossier {nth_today} of the day")
    return slot * BLOCK + nth_today


def slot_of(sequence: int) -> int:
    return sequence // BLOCK


def block_range(block: int) -> tuple[str, str]:
    """The first and last sequence of a block, as printed ("3001", "3999")."""
    return f"{block * BLOCK + 1:04d}", f"{block * BLOCK + PER_DAY:04d}"


@dataclass(frozen=True, slots=True, order=True)
class TrackingCode:
    unit_id: str
    day: date
    sequence: int

    def __str__(self) -> str:
        return f"{self.unit_id}-{self.day:%y%m%d}-{self.sequence:04d}"

    @classmethod
    def make(cls, unit_id: str, day: date, slot: int, nth_today: int) -> TrackingCode:
        return cls(check_unit_id(unit_id), day, sequence_for(slot, nth_today))

    @classmethod
    def parse(cls, text: str) -> TrackingCode:
        m = _CODE_RE.fullmatch(text.strip().upper())
        if not m:
            raise TrackingCodeError("bad_code", text)
        raw = m.group("day")
        try:
            day = date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
        except ValueError:
            raise TrackingCodeError("bad_code", text) from None
        sequence = int(m.group("seq"))
        if sequence % BLOCK == 0:
            raise TrackingCodeError("bad_code", text)
        return cls(m.group("unit"), day, sequence)


def looks_like_code(text: str) -> bool:
    return _CODE_RE.fullmatch(text.strip().upper()) is not None


def day_counter_name(day: date) -> str:
    """The name of the counter row that numbers this kiosk's dossiers of `day` (never max()+1)."""
    return f"dossier_day:{day:%Y%m%d}"
