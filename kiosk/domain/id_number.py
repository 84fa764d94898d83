"""The 12-digit personal identification number (số định danh cá nhân), Circular 07/2016/TT-BCA
Art. 7: PPP G YY RRRRRR — place of birth registration, century and sex, year of birth, random."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: Province codes of Circular 07/2016/TT-BCA Appendix (the 63 provinces before the 2025 merger;
#: the number is for life, so the prefix names the province at registration time).
PROVINCES: Mapping[str, str] = MappingProxyType(
    {
        "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
        "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
        "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
        "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
        "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
        "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
        "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam",
        "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa",
        "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
        "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh",
        "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa–Vũng Tàu", "079": "TP Hồ Chí Minh",
        "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
        "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
        "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
    }
)

#: Codes 101–295 name the country of a birth registered abroad (Circular 07/2016 Art. 7 §2).
ABROAD_CODES = range(101, 296)

_SEPARATORS = re.compile(r"[\s.\-]")


class IdNumberError(ValueError):
    """The text is not a valid ID number; `reason` is a machine-readable code."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class IdNumber:
    value: str

    @classmethod
    def parse(cls, text: str, birth_year: int | None = None, sex: str | None = None) -> IdNumber:
        """Parse and check structure; with `birth_year` ("M"/"F" `sex`) also check consistency.

        Reasons: not_12_digits, unknown_province, birth_year_mismatch, sex_mismatch.
        """
        value = _SEPARATORS.sub("", text)
        if len(value) != 12 or not value.isascii() or not value.isdigit():
            raise IdNumberError("not_12_digits")
        number = cls(value)
        code = value[:3]
        if code not in PROVINCES and int(code) not in ABROAD_CODES:
            raise IdNumberError("unknown_province")
        if birth_year is not None and number.birth_year != birth_year:
            raise IdNumberError("birth_year_mismatch")
        if sex is not None and sex in ("M", "F") and number.sex != sex:
            raise IdNumberError("sex_mismatch")
        return number

    @property
    def place_code(self) -> str:
        return self.value[:3]

    @property
    def province(self) -> str | None:
        """Province name, or None for a birth registered abroad."""
        return PROVINCES.get(self.place_code)

    @property
    def registered_abroad(self) -> bool:
        return int(self.place_code) in ABROAD_CODES

    @property
    def century_sex_digit(self) -> int:
        return int(self.value[3])

    @property
    def sex(self) -> str:
        """"M" or "F": even digits are male, odd female (0/1 1900s, 2/3 2000s, …)."""
        return "F" if self.century_sex_digit % 2 else "M"

    @property
    def birth_year(self) -> int:
        century = 1900 + 100 * (self.century_sex_digit // 2)
        return century + int(self.value[4:6])

    @property
    def document_number(self) -> str:
        """The CCCD's 9-character document number: the last 9 digits (docs/card.md)."""
        return self.value[-9:]

    @property
    def can(self) -> str:
        """The PACE card access number phone apps use: the last 6 digits (docs/card.md, likely)."""
        return self.value[-6:]

    def __str__(self) -> str:
        return self.value
