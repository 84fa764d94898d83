"""How long a citizen identity card is valid: the renewal ages of the card laws.

Law on Citizen Identification 59/2014/QH13, Art. 21: the card is renewed at 25, 40 and 60; a card
issued, renewed or reissued within the 2 years before one of these ages stays valid until the next
one. Law on Identification 26/2023/QH15 (in force from 1 July 2024), Art. 21: the same with the ages
14, 25, 40 and 60. A card issued after the last renewal age (or in the 2 years before it) has no
expiry. The card expires on the holder's birthday (its MRZ expiry has the birth's month and day,
docs/card.md); a card without expiry carries `991231` in the MRZ.
"""

from __future__ import annotations

from datetime import date

from kiosk.domain.partial_date import PartialDate

#: Law 59/2014/QH13 Art. 21 §1 and Law 26/2023/QH15 Art. 21 §1.
RENEWAL_AGES_2014 = (25, 40, 60)
RENEWAL_AGES_2023 = (14, 25, 40, 60)
#: Law 26/2023/QH15 Art. 46: in force from 1 July 2024; cards issued before keep the 2014 rule.
LAW_2023_START = date(2024, 7, 1)
#: Art. 21 §2 of both laws: "trong thời hạn 2 năm trước tuổi" (within the 2 years before the age).
GRACE_YEARS = 2


def birthday(birth: date, years: int) -> date:
    """The day the holder turns `years` (a 29 February birth: 28 February of a common year)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def renewal_ages(issue: date) -> tuple[int, ...]:
    """The renewal ages of the law the card was issued under."""
    return RENEWAL_AGES_2023 if issue >= LAW_2023_START else RENEWAL_AGES_2014


def card_expiry(birth: date, issue: date) -> date | None:
    """The card's expiry: the birthday at the first renewal age whose 2-year window the issue date
    has not reached; None when no renewal age is left (no expiry)."""
    for age in renewal_ages(issue):
        if issue < birthday(birth, age - GRACE_YEARS):
            return birthday(birth, age)
    return None


def no_expiry_certain(birth: PartialDate, issue: date) -> bool | None:
    """For a birth date with unknown day or month: True when every possible birth gives a card
    without expiry, False when none does, None when it depends on the unknown part."""
    ends = {card_expiry(birth.earliest(), issue) is None, card_expiry(birth.latest(), issue) is None}
    return ends.pop() if len(ends) == 1 else None
