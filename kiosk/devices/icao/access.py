"""The key that opens a chip: the MRZ data, a card access number (CAN), or both, with where they
came from, and the order in which they are tried (ICAO 9303-11 §4.4: PACE takes the MRZ as
password reference 01 and the CAN as reference 02; BAC takes the MRZ only).

The order follows what the officer gave, never overriding it:
- a CAN the officer typed first (then MRZ data given with it);
- MRZ data the officer typed (ID number and dates, or the MRZ) first, then once the CAN guessed
  from the ID number (its last six digits, docs/card.md: likely, not certain);
- the card's QR code: its ID number's CAN first, then the MRZ key with the expiry the law gives;
- an ID number alone: the guessed CAN only.
At most two keys per card (the chip may slow down or block after wrong ones); then the officer is
asked. What the officer typed is compared with DG1 after the read, so a wrong date is shown even
when the chip opened with the CAN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...domain.key_entry import KeyEntry
from ...domain.partial_date import PartialDate
from .bac import NO_EXPIRY, AccessKey
from .lds.dg1 import Mrz

#: Where a key came from; each names the sentence the officer reads when the chip refuses it.
SOURCES = ("can", "numbers", "mrz", "qr", "id")

_CAN = re.compile(r"\d{6}")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One password to try: "CAN" (PACE only) or "MRZ" (PACE, or BAC when PACE is not to be had)."""

    kind: str
    can: str | None = None
    mrz: AccessKey | None = None
    guessed: bool = False

    def __repr__(self) -> str:
        return f"Attempt({self.kind}{', guessed' if self.guessed else ''}, <hidden>)"


@dataclass(frozen=True, slots=True)
class CardKey:
    """What opens one card. Its repr hides the values: they are personal data and never reach a log.

    `expected` holds what the officer (or the card's QR code) stated about the card, as DG1 writes
    it (document number, birth and expiry YYMMDD): it is compared with DG1 after the read.
    """

    mrz: AccessKey | None = None
    can: str | None = None
    can_guessed: bool = False
    source: str = "mrz"
    expected: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.can is not None and not _CAN.fullmatch(self.can):
            raise ValueError("a CAN is six digits")
        if self.mrz is None and self.can is None:
            raise ValueError("a key needs MRZ data or a CAN")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")

    def __repr__(self) -> str:
        return f"CardKey({self.source}, <hidden>)"

    __str__ = __repr__

    @classmethod
    def typed_can(cls, can: str) -> CardKey:
        """A CAN as printed on the card and typed by the officer (or the holder at the hall kiosk)."""
        return cls(can=can.strip(), source="can")

    @classmethod
    def from_mrz_key(cls, key: AccessKey, source: str = "mrz") -> CardKey:
        """Typed MRZ data (the MRZ, or an ID number with the dates): all of it is checked against DG1."""
        expected = (("document_number", key.document_number), ("birth_date", key.birth_date),
                    ("expiry_date", key.expiry_date))
        return cls(mrz=key, can=key.can, can_guessed=key.can is not None, source=source, expected=expected)

    @classmethod
    def from_id_number(cls, id_number: str, birth: PartialDate | None = None) -> CardKey:
        """An ID number alone (and perhaps the birth date): the guessed CAN, then DG1 is compared."""
        expected = [("document_number", id_number[-9:])]
        if birth is not None:
            expected.append(("birth_date", birth.yymmdd()))
        return cls(can=id_number[-6:], can_guessed=True, source="id", expected=tuple(expected))

    @classmethod
    def from_entry(cls, entry: KeyEntry) -> CardKey:
        """The key for what the officer typed or scanned in the card page's one field."""
        if entry.kind == "can":
            assert entry.can is not None
            return cls.typed_can(entry.can)
        if entry.kind == "mrz":
            assert entry.mrz is not None
            return cls.from_mrz_key(AccessKey.from_mrz(entry.mrz), "mrz")
        if entry.kind == "numbers":
            assert entry.id_number is not None and entry.birth is not None
            expiry = entry.expiry.strftime("%y%m%d") if entry.expiry is not None else None
            mrz = AccessKey.from_document_number(entry.id_number, entry.birth.yymmdd(), expiry)
            return cls.from_mrz_key(mrz, "numbers")
        if entry.kind == "qr":
            assert entry.qr is not None
            qr = entry.qr
            expected = (("document_number", qr.document_number), ("birth_date", qr.birth.yymmdd()))
            known, expiry = qr.expiry()
            mrz = None
            if known:
                mrz = AccessKey(qr.document_number, qr.birth.yymmdd(),
                                expiry.strftime("%y%m%d") if expiry is not None else NO_EXPIRY)
            return cls(mrz=mrz, can=qr.can, can_guessed=True, source="qr", expected=expected)
        assert entry.id_number is not None
        return cls.from_id_number(entry.id_number, entry.birth)

    @classmethod
    def of(cls, key: CardKey | AccessKey) -> CardKey:
        """A `CardKey` as is; MRZ data alone (the older API) as typed MRZ data."""
        return key if isinstance(key, CardKey) else cls.from_mrz_key(key)

    def narrowed(self, access: str) -> CardKey:
        """The key with only the password that opened the chip (`access` as the read reports it:
        "PACE-CAN", "PACE-MRZ" or "BAC"): what is kept to open the same card again, so that a
        kept key costs another card one attempt, never two."""
        if access == "PACE-CAN" and self.can is not None and self.mrz is not None:
            return CardKey(can=self.can, can_guessed=self.can_guessed, source=self.source, expected=self.expected)
        if access in ("PACE-MRZ", "BAC") and self.can is not None and self.mrz is not None:
            return CardKey(mrz=self.mrz, source=self.source, expected=self.expected)
        return self

    def attempts(self) -> tuple[Attempt, ...]:
        """The passwords to try, in order: at most two, the guessed CAN at most once."""
        can = Attempt("CAN", can=self.can, guessed=self.can_guessed) if self.can else None
        mrz = Attempt("MRZ", mrz=self.mrz) if self.mrz else None
        # A typed CAN, or the QR code's ID number, goes first (docs/card.md: PACE-CAN first); typed MRZ
        # data goes before its guessed CAN: a guess never replaces what the officer typed.
        order = (can, mrz) if self.source in ("can", "qr", "id") else (mrz, can)
        return tuple(a for a in order if a is not None)

    def mismatches(self, mrz: Mrz) -> tuple[str, ...]:
        """The stated fields DG1 contradicts (`<` in either date marks a digit as unknown)."""
        chip = {"document_number": mrz.document_number, "birth_date": mrz.birth_date,
                "expiry_date": mrz.expiry_date}
        out = []
        for name, stated in self.expected:
            actual = chip[name]
            if name == "document_number":
                if stated.rstrip("<") != actual.rstrip("<"):
                    out.append(name)
            elif len(stated) != len(actual) or any(
                    a != b for a, b in zip(stated, actual, strict=True) if a != "<" and b != "<"):
                out.append(name)
        return tuple(out)


class CanKey(CardKey):
    """A CAN alone, as its holder types it (six digits): PACE only, there is no MRZ behind it."""

    __slots__ = ()

    def __init__(self, can: str) -> None:
        super().__init__(can=can.strip() if isinstance(can, str) else can, source="can")
