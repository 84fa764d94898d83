"""Generated citizens for the virtual CCCD chip: plausible, internally consistent, deterministic.

Everything that a reader cross-checks is consistent: the 12-digit ID number encodes the province,
the century and sex and the birth year (Circular 07/2016/TT-BCA Art. 7); the MRZ document number
is its last 9 digits; the expiry follows the renewal ages of the card law (docs/card.md).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from kiosk.domain.card_expiry import LAW_2023_START, card_expiry
from kiosk.domain.card_expiry import birthday as _birthday

#: Province codes of Circular 07/2016/TT-BCA Art. 7, with the name used in addresses.
PROVINCES: dict[str, str] = {
    "001": "thành phố Hà Nội", "002": "tỉnh Hà Giang", "004": "tỉnh Cao Bằng", "006": "tỉnh Bắc Kạn",
    "008": "tỉnh Tuyên Quang", "010": "tỉnh Lào Cai", "011": "tỉnh Điện Biên", "012": "tỉnh Lai Châu",
    "014": "tỉnh Sơn La", "015": "tỉnh Yên Bái", "017": "tỉnh Hòa Bình", "019": "tỉnh Thái Nguyên",
    "020": "tỉnh Lạng Sơn", "022": "tỉnh Quảng Ninh", "024": "tỉnh Bắc Giang", "025": "tỉnh Phú Thọ",
    "026": "tỉnh Vĩnh Phúc", "027": "tỉnh Bắc Ninh", "030": "tỉnh Hải Dương", "031": "thành phố Hải Phòng",
    "033": "tỉnh Hưng Yên", "034": "tỉnh Thái Bình", "035": "tỉnh Hà Nam", "036": "tỉnh Nam Định",
    "037": "tỉnh Ninh Bình", "038": "tỉnh Thanh Hóa", "040": "tỉnh Nghệ An", "042": "tỉnh Hà Tĩnh",
    "044": "tỉnh Quảng Bình", "045": "tỉnh Quảng Trị", "046": "tỉnh Thừa Thiên Huế",
    "048": "thành phố Đà Nẵng", "049": "tỉnh Quảng Nam", "051": "tỉnh Quảng Ngãi", "052": "tỉnh Bình Định",
    "054": "tỉnh Phú Yên", "056": "tỉnh Khánh Hòa", "058": "tỉnh Ninh Thuận", "060": "tỉnh Bình Thuận",
    "062": "tỉnh Kon Tum", "064": "tỉnh Gia Lai", "066": "tỉnh Đắk Lắk", "067": "tỉnh Đắk Nông",
    "068": "tỉnh Lâm Đồng", "070": "tỉnh Bình Phước", "072": "tỉnh Tây Ninh", "074": "tỉnh Bình Dương",
    "075": "tỉnh Đồng Nai", "077": "tỉnh Bà Rịa - Vũng Tàu", "079": "thành phố Hồ Chí Minh",
    "080": "tỉnh Long An", "082": "tỉnh Tiền Giang", "083": "tỉnh Bến Tre", "084": "tỉnh Trà Vinh",
    "086": "tỉnh Vĩnh Long", "087": "tỉnh Đồng Tháp", "089": "tỉnh An Giang", "091": "tỉnh Kiên Giang",
    "092": "thành phố Cần Thơ", "093": "tỉnh Hậu Giang", "094": "tỉnh Sóc Trăng", "095": "tỉnh Bạc Liêu",
    "096": "tỉnh Cà Mau",
}

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh")
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Đình", "Gia")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Thùy", "Bảo", "Mỹ", "Phương", "Hải")
GIVEN_MALE = ("Anh", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng", "Khánh", "Long",
              "Minh", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vũ")
GIVEN_FEMALE = ("An", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hương", "Lan", "Linh", "Mai", "My",
                "Ngân", "Nhung", "Oanh", "Phương", "Quỳnh", "Thảo", "Trang", "Uyên", "Yến")
ETHNICITIES = ("Kinh",) * 12 + ("Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "H'Mông")
RELIGIONS = ("Không",) * 10 + ("Phật giáo", "Công giáo", "Cao Đài", "Phật giáo Hòa Hảo", "Tin Lành")
STREETS = ("Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Đình Phùng",
           "Hoàng Hoa Thám", "Nguyễn Thị Minh Khai", "Điện Biên Phủ", "Cách Mạng Tháng Tám")
WARDS = ("Phúc Xá", "Trúc Bạch", "Bến Nghé", "Tân Định", "Hòa Cường Bắc", "Quang Trung", "Minh Khai",
         "Thạch Thang", "Đông Thọ", "Phú Hội")
DISTRICTS = ("quận Ba Đình", "quận Hoàn Kiếm", "Quận 1", "quận Hải Châu", "quận Ngô Quyền",
             "quận Thanh Xuân", "quận Cầu Giấy", "quận Ninh Kiều", "thành phố Thủ Dầu Một", "thành phố Biên Hòa")
RURAL_DISTRICTS = ("huyện Gia Lâm", "huyện Đông Anh", "huyện Thạch Thất", "huyện Yên Phong", "huyện Hòa Vang",
                   "huyện Củ Chi", "huyện Nghĩa Hưng", "huyện Quỳnh Lưu", "huyện Cái Nước", "huyện Tam Nông")
VILLAGES = ("Yên Lạc", "Tân Phong", "Đông Hưng", "Hòa Bình", "Thanh Sơn", "Phú Lộc", "An Khánh",
            "Vĩnh Tuy", "Tam Hiệp", "Xuân Đỉnh")
MARKS = ("Nốt ruồi C:1cm trên sau đuôi mắt trái", "Sẹo chấm C:2cm dưới trước mép phải",
         "Nốt ruồi C:1,5cm dưới sau cánh mũi phải", "Sẹo chấm C:3cm trên trước đầu lông mày trái")

NO_EXPIRY_TEXT = "Không thời hạn"


@dataclass(frozen=True, slots=True)
class Citizen:
    """One generated card holder: what the card's face, MRZ and DG13 say."""

    id_number: str
    surname: str
    middle_name: str
    given_name: str
    birth_date: date
    sex: str  # "M" or "F" as in the MRZ
    ethnicity: str
    religion: str
    place_of_origin: str
    place_of_residence: str
    personal_marks: str
    issue_date: date
    expiry_date: date | None  # None = no expiry (MRZ 991231, DG13 "Không thời hạn")
    father_name: str
    mother_name: str
    spouse_name: str | None
    old_id_number: str | None
    card_serial: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.middle_name, self.given_name) if p)

    @property
    def document_number(self) -> str:
        """The MRZ document number: the last 9 digits of the ID number (docs/card.md)."""
        return self.id_number[-9:]

    @property
    def can(self) -> str:
        """The card access number that phone apps use: last 6 digits of the ID (docs/card.md)."""
        return self.id_number[-6:]

    @property
    def birth_yymmdd(self) -> str:
        return self.birth_date.strftime("%y%m%d")

    @property
    def expiry_yymmdd(self) -> str:
        return "991231" if self.expiry_date is None else self.expiry_date.strftime("%y%m%d")

    @property
    def sex_vi(self) -> str:
        return "Nam" if self.sex == "M" else "Nữ"

    def access_key(self) -> dict[str, str]:
        """The BAC key material as demo mode and tests hand it to the reader."""
        return {
            "id_number": self.id_number,
            "document_number": self.document_number,
            "birth": self.birth_yymmdd,
            "expiry": self.expiry_yymmdd,
            "can": self.can,
        }


def ascii_fold(text: str) -> str:
    """Strip Vietnamese diacritics for the MRZ (Đ/đ have no decomposition, so map them by hand)."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def id_number_for(province: str, birth: date, sex: str, serial: int) -> str:
    """PPP G YY RRRRRR (Circular 07/2016/TT-BCA Art. 7): G = 2×(century − 19) + (1 if female)."""
    century_digit = 2 * (birth.year // 100 - 19) + (1 if sex == "F" else 0)
    if not 0 <= century_digit <= 9:
        raise ValueError("birth year outside the ID number's range")
    return f"{province}{century_digit}{birth.year % 100:02d}{serial:06d}"


def _name(rng: random.Random, sex: str, surname: str | None = None) -> tuple[str, str, str]:
    middle = MIDDLE_MALE if sex == "M" else MIDDLE_FEMALE
    given = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    return surname or rng.choice(SURNAMES), rng.choice(middle), rng.choice(given)


def _residence(rng: random.Random, province: str, long: bool) -> str:
    ward, district = rng.choice(WARDS), rng.choice(DISTRICTS)
    street = rng.choice(STREETS)
    tail = f"phường {ward}, {district}, {PROVINCES[province]}"
    if long:
        # Long addresses (> 127 bytes UTF-8) force long-form DER lengths in DG13 (docs/card.md).
        return (f"Phòng {rng.randint(101, 2405)}, tòa nhà {rng.choice(VILLAGES)}, số {rng.randint(1, 399)}"
                f" ngõ {rng.randint(1, 199)} ngách {rng.randint(1, 99)} đường {street},"
                f" tổ dân phố số {rng.randint(1, 30)}, {tail}")
    return f"Số {rng.randint(1, 399)}, đường {street}, {tail}"


def generate_citizen(
    seed: int = 0,
    *,
    today: date | None = None,
    age: int | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
    surname: str | None = None,
    father_name: str | None = None,
    mother_name: str | None = None,
    long_residence: bool | None = None,
    no_expiry: bool = False,
) -> Citizen:
    """A citizen deterministic from `seed` (and `today`, which fixes ages and dates).

    `age` or `birth_date` makes a chosen person (a child of 5 or 10 for the child features);
    `father_name`/`mother_name` tie a child to a generated parent (the child takes the father's
    surname, as is customary). `no_expiry` makes a holder of 58+ whose card never expires.
    One function on purpose: every value is drawn from one seeded stream in a fixed order, and tests
    name their citizens by seed, so a split that reordered the draws would change who they are.
    """
    rng = random.Random(f"kiosk-vchip-citizen-{seed}")
    today = today or date.today()
    sex = sex or rng.choice("MF")
    if birth_date is None:
        if no_expiry:
            age = age if age is not None else rng.randint(60, 80)
        if age is None:
            age = rng.randint(18, 75)
        latest = _birthday(today, -age)
        birth_date = latest - timedelta(days=rng.randint(1, 364))
    adult = age_on(birth_date, today) >= 14
    province = rng.choice(sorted(PROVINCES))
    id_number = id_number_for(province, birth_date, sex, rng.randint(0, 999_999))
    if father_name and not surname:
        surname = father_name.split()[0]
    surname, middle, given = _name(rng, sex, surname)

    # Issue date: the 2021 chip cards began on 2021-01-01; a child's card is a 2024 card.
    first_issue = max(date(2021, 1, 1) if adult else LAW_2023_START, _birthday(birth_date, 0 if not adult else 14))
    for _ in range(200):
        span = max(0, (today - first_issue).days)
        issue = first_issue + timedelta(days=rng.randint(0, span))
        expiry = card_expiry(birth_date, issue)
        if no_expiry and expiry is not None:
            continue
        if expiry is None or expiry > today:
            break
    else:
        issue, expiry = today, card_expiry(birth_date, today)

    f_surname, f_mid, f_given = _name(rng, "M", surname)
    m_surname, m_mid, m_given = _name(rng, "F")
    spouse = None
    if age_on(birth_date, today) >= 22 and rng.random() < 0.6:
        spouse = " ".join(_name(rng, "F" if sex == "M" else "M"))
    old_id = f"{rng.randint(0, 999_999_999):09d}" if birth_date.year < 2003 and rng.random() < 0.6 else None
    if long_residence is None:
        long_residence = rng.random() < 0.5
    origin = f"xã {rng.choice(VILLAGES)}, {rng.choice(RURAL_DISTRICTS)}, {PROVINCES[rng.choice(sorted(PROVINCES))]}"
    return Citizen(
        id_number=id_number,
        surname=surname,
        middle_name=middle,
        given_name=given,
        birth_date=birth_date,
        sex=sex,
        ethnicity=rng.choice(ETHNICITIES),
        religion=rng.choice(RELIGIONS),
        place_of_origin=origin,
        place_of_residence=_residence(rng, province, long_residence),
        personal_marks=rng.choice(MARKS),
        issue_date=issue,
        expiry_date=expiry,
        father_name=father_name or f"{f_surname} {f_mid} {f_given}",
        mother_name=mother_name or f"{m_surname} {m_mid} {m_given}",
        spouse_name=spouse,
        old_id_number=old_id,
        card_serial="".join(rng.choice("0123456789ABCDEF") for _ in range(16)),
    )


def generate_child_of(parent: Citizen, age: int, seed: int = 0, *, today: date | None = None) -> Citizen:
    """A child whose DG13 names `parent` as father or mother (and the other parent as generated)."""
    if parent.sex == "M":
        child = generate_citizen(seed, today=today, age=age, father_name=parent.full_name)
    else:
        child = generate_citizen(seed, today=today, age=age, mother_name=parent.full_name)
    if parent.sex == "F" and parent.spouse_name:
        child = replace(child, father_name=parent.spouse_name, surname=parent.spouse_name.split()[0])
    elif parent.sex == "M" and parent.spouse_name:
        child = replace(child, mother_name=parent.spouse_name)
    return replace(child, spouse_name=None, old_id_number=None)
