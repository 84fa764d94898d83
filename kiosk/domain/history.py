"""What dossiers and account requests share: a status with labels in both languages, and its history lines."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar


class LabelledStatus(enum.StrEnum):
    """A status whose members have a Vietnamese and an English label; a subclass says where they are."""

    @classmethod
    def labels(cls) -> Mapping[Any, tuple[str, str]]:
        raise NotImplementedError

    @property
    def label_vi(self) -> str:
        return type(self).labels()[self][0]

    @property
    def label_en(self) -> str:
        return type(self).labels()[self][1]


S = TypeVar("S", bound=LabelledStatus)


@dataclass(frozen=True, slots=True)
class HistoryEntry(Generic[S]):
    """One line of a record's history (for a dossier, Mẫu 06 phiếu kiểm soát): append-only."""

    seq: int
    at: str
    actor: str
    from_status: S | None
    to_status: S
    note: str = ""
    origin: str = "kiosk"

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": self.at, "actor": self.actor,
            "from": self.from_status.value if self.from_status else None, "to": self.to_status.value,
            "note": self.note, "origin": self.origin,
        }
