"""The card's expiry from its holder's birth date and its issue date, on a table written out by hand
from the text of the two laws (the expected dates below were worked out from these articles, not
produced by the code under test).

Law on Citizen Identification 59/2014/QH13, Điều 21 (Độ tuổi đổi thẻ Căn cước công dân):
  "1. Thẻ Căn cước công dân phải được đổi khi công dân đủ 25 tuổi, đủ 40 tuổi và đủ 60 tuổi.
   2. Trường hợp thẻ Căn cước công dân được cấp, đổi, cấp lại trong thời hạn 2 năm trước tuổi quy
   định tại khoản 1 Điều này thì vẫn có giá trị sử dụng đến tuổi đổi thẻ tiếp theo."

Law on Identification 26/2023/QH15, Điều 21 (Độ tuổi cấp đổi thẻ căn cước), in force from 1 July 2024:
  "1. Công dân Việt Nam đã được cấp thẻ căn cước phải thực hiện thủ tục cấp đổi thẻ căn cước khi đủ
   14 tuổi, 25 tuổi, 40 tuổi và 60 tuổi.
   2. Thẻ căn cước đã được cấp, cấp đổi, cấp lại trong thời hạn 02 năm trước độ tuổi cấp đổi thẻ căn
   cước quy định tại khoản 1 Điều này có giá trị sử dụng đến độ tuổi cấp đổi thẻ căn cước tiếp theo."

Reading: a card is valid until the holder's birthday at the next renewal age, unless it was issued
in the 2 years before that age (from the birthday 2 years earlier on), when it runs to the age
after; with no age left ("đủ 60 tuổi" is the last) the card has no expiry.
"""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.domain.card_expiry import card_expiry, no_expiry_certain
from kiosk.domain.partial_date import PartialDate

D = date

LAW_2014 = [
    # (birth, issue, expiry, why)
    (D(2007, 1, 10), D(2021, 3, 1), D(2032, 1, 10), "first card at 14, renewed at 25"),
    (D(1998, 6, 10), D(2021, 6, 9), D(2023, 6, 10), "one day before turning 23: not in the 2 years before 25"),
    (D(1998, 6, 10), D(2021, 6, 10), D(2038, 6, 10), "on the 23rd birthday: in the 2 years before 25, valid to 40"),
    (D(1997, 12, 1), D(2021, 11, 30), D(2037, 12, 1), "aged 23, a day before 24: valid to 40"),
    (D(1996, 7, 7), D(2021, 7, 7), D(2036, 7, 7), "issued on the 25th birthday: next age is 40"),
    (D(1991, 4, 20), D(2021, 5, 5), D(2031, 4, 20), "aged 30: renewed at 40"),
    (D(1983, 2, 1), D(2021, 1, 31), D(2023, 2, 1), "one day before turning 38: renewed at 40"),
    (D(1983, 2, 1), D(2021, 2, 1), D(2043, 2, 1), "on the 38th birthday: in the 2 years before 40, valid to 60"),
    (D(1975, 8, 8), D(2022, 3, 3), D(2035, 8, 8), "aged 46: renewed at 60"),
    (D(1963, 9, 30), D(2021, 9, 29), D(2023, 9, 30), "one day before turning 58: renewed at 60"),
    (D(1963, 9, 30), D(2021, 9, 30), None, "on the 58th birthday: in the 2 years before 60, no age left"),
    (D(1962, 12, 31), D(2021, 1, 15), None, "issued at 58: no expiry"),
    (D(1961, 5, 5), D(2021, 6, 1), None, "issued at 60: no expiry"),
    (D(1955, 1, 1), D(2022, 3, 3), None, "issued at 67: no expiry"),
    (D(2000, 9, 9), D(2024, 6, 30), D(2040, 9, 9), "last day of the 2014 law, aged 23: valid to 40"),
]

LAW_2023 = [
    (D(2016, 3, 1), D(2024, 8, 1), D(2030, 3, 1), "a child of 8: renewed at 14"),
    (D(2014, 1, 1), D(2024, 7, 1), D(2028, 1, 1), "first day of the 2023 law, a child of 10: renewed at 14"),
    (D(2012, 8, 2), D(2024, 8, 1), D(2026, 8, 2), "one day before turning 12: renewed at 14"),
    (D(2012, 8, 1), D(2024, 8, 1), D(2037, 8, 1), "on the 12th birthday: in the 2 years before 14, valid to 25"),
    (D(2001, 10, 10), D(2024, 10, 9), D(2026, 10, 10), "one day before turning 23: renewed at 25"),
    (D(2001, 10, 10), D(2024, 10, 10), D(2041, 10, 10), "on the 23rd birthday: valid to 40"),
    (D(1986, 7, 15), D(2024, 7, 14), D(2026, 7, 15), "one day before turning 38: renewed at 40"),
    (D(1986, 7, 15), D(2024, 7, 15), D(2046, 7, 15), "on the 38th birthday: valid to 60"),
    (D(1966, 11, 20), D(2024, 11, 19), D(2026, 11, 20), "one day before turning 58: renewed at 60"),
    (D(1966, 11, 20), D(2024, 11, 20), None, "on the 58th birthday: no expiry"),
    (D(1966, 1, 5), D(2025, 2, 2), None, "issued at 59: no expiry"),
    (D(1950, 2, 2), D(2025, 1, 10), None, "issued at 74: no expiry"),
]


@pytest.mark.parametrize(("birth", "issue", "expiry", "why"), LAW_2014, ids=[r[3] for r in LAW_2014])
def test_2014_law_article_21(birth, issue, expiry, why):
    assert card_expiry(birth, issue) == expiry, why


@pytest.mark.parametrize(("birth", "issue", "expiry", "why"), LAW_2023, ids=[r[3] for r in LAW_2023])
def test_2023_law_article_21(birth, issue, expiry, why):
    assert card_expiry(birth, issue) == expiry, why


def test_the_card_expires_on_a_birthday():
    """docs/card.md: the MRZ expiry has the birth's month and day; so does every row above."""
    for birth, _issue, expiry, _why in LAW_2014 + LAW_2023:
        if expiry is not None:
            assert (expiry.month, expiry.day) == (birth.month, birth.day)


@pytest.mark.parametrize(
    ("birth", "issue", "certain"),
    [
        (PartialDate(1955), D(2021, 6, 1), True),  # 65 or 66 at issue: past 58 either way
        (PartialDate(1990, 5), D(2021, 6, 1), False),  # 31: renewed at 40 whatever the day
        (PartialDate(1963), D(2021, 6, 1), None),  # 57 or 58 at issue: depends on the unknown birthday
        (PartialDate(1963, 5), D(2021, 6, 1), True),  # born in May 1963: 58 by 1 June 2021
    ],
)
def test_an_incomplete_birth_date_gives_no_expiry_only_when_every_birthday_would(birth, issue, certain):
    assert no_expiry_certain(birth, issue) is certain
