"""The electronic identification account request (đề nghị cấp tài khoản định danh điện tử, Mẫu TK01).

Who may have which level (Decree 69/2024/NĐ-CP Art. 7), the guardian link of a child's request, the
consent record (Personal Data Protection Law 91/2025/QH15), and the request's status machine. No I/O:
the service stores these values; every refusal is an `Issue` naming the field and the reason.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kiosk.domain.catalog import fold, normalize_phone
from kiosk.domain.dossier import ChipSnapshot
from kiosk.domain.history import HistoryEntry, LabelledStatus
from kiosk.domain.issue import Issue

#: National public-service portal code of the procedure "cấp tài khoản định danh điện tử" (services reference).
PROCEDURE_CODE = "1.011411"
ADULT_AGE = 18
OWN_REQUEST_AGE = 14  # Decree 69/2024 Art. 7: 14 and over ask on their own
LEVEL2_MIN_AGE = 6  # under 6: level 1 only
CHILD_CONSENT_AGE = 7  # Law 91/2025: a child of 7 or more consents too
RELATIONSHIPS = ("father", "mother", "guardian")
RELATIONSHIP_VI = {"father": "cha", "mother": "mẹ", "guardian": "người giám hộ"}

#: What the citizen may ask to integrate into the account (Mẫu TK01), name → (vi, en).
INTEGRATIONS: Mapping[str, tuple[str, str]] = {
    "health_insurance": ("Thẻ bảo hiểm y tế", "Health insurance card"),
    "driving_licence": ("Giấy phép lái xe", "Driving licence"),
    "vehicle_registration": ("Giấy chứng nhận đăng ký xe", "Vehicle registration"),
    "tax_code": ("Mã số thuế", "Tax code"),
    "social_insurance": ("Sổ bảo hiểm xã hội", "Social insurance book"),
    "birth_certificate": ("Giấy khai sinh", "Birth certificate"),
    "marriage_certificate": ("Giấy chứng nhận kết hôn", "Marriage certificate"),
}

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
                       r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}")


class Level(enum.IntEnum):
    ONE = 1  # self-service features
    TWO = 2  # the electronic identity; equals presenting the card


class Status(LabelledStatus):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACTIVATED = "activated"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> Mapping[Status, tuple[str, str]]:
        return STATUS_LABELS

    @property
    def open(self) -> bool:
        """A request that still blocks another for the same person (waiting, or already an account)."""
        return self in (Status.DRAFT, Status.SUBMITTED, Status.ACTIVATED)


STATUS_LABELS: Mapping[Status, tuple[str, str]] = {
    Status.DRAFT: ("Đang lập", "Being prepared"),
    Status.SUBMITTED: ("Đã tiếp nhận, chờ hệ thống định danh xử lý", "Received, awaiting the identity system"),
    Status.ACTIVATED: ("Đã kích hoạt tài khoản", "Account activated"),
    Status.REJECTED: ("Bị từ chối", "Rejected"),
    Status.WITHDRAWN: ("Công dân rút đề nghị", "Withdrawn by the citizen"),
}

#: Moves and who makes them: the kiosk submits and records a withdrawal; the national system (through
#: the hub's back office) activates or rejects.
TRANSITIONS: Mapping[tuple[Status, Status], str] = {
    (Status.DRAFT, Status.SUBMITTED): "kiosk",
    (Status.DRAFT, Status.WITHDRAWN): "kiosk",
    (Status.SUBMITTED, Status.WITHDRAWN): "kiosk",
    (Status.SUBMITTED, Status.ACTIVATED): "hub",
    (Status.SUBMITTED, Status.REJECTED): "hub",
}
NOTE_REQUIRED = frozenset({Status.REJECTED})


class TransitionError(ValueError):
    def __init__(self, src: Status, dst: Status, reason: str = "not_allowed") -> None:
        super().__init__(f"{reason}: {src} -> {dst}")
        self.src, self.dst, self.reason = src, dst, reason

    @property
    def message_vi(self) -> str:
        if self.reason == "note_required":
            return f"Chuyển sang '{self.dst.label_vi}' cần ghi rõ lý do."
        if self.reason == "wrong_side":
            return f"Chỉ hệ thống định danh (qua máy chủ) mới chuyển đề nghị sang '{self.dst.label_vi}'."
        return f"Không thể chuyển đề nghị từ '{self.src.label_vi}' sang '{self.dst.label_vi}'."

    @property
    def message_en(self) -> str:
        if self.reason == "note_required":
            return f"Moving to '{self.dst.label_en}' needs the reason."
        if self.reason == "wrong_side":
            return f"Only the identity system (through the server) moves a request to '{self.dst.label_en}'."
        return f"A request cannot move from '{self.src.label_en}' to '{self.dst.label_en}'."


def check_transition(src: Status, dst: Status, side: str, note: str = "") -> None:
    who = TRANSITIONS.get((src, dst))
    if who is None:
        raise TransitionError(src, dst)
    if who != side:
        raise TransitionError(src, dst, "wrong_side")
    if dst in NOTE_REQUIRED and not note.strip():
        raise TransitionError(src, dst, "note_required")


def replay(history: Sequence[HistoryEntry]) -> Status:
    """The status a history leads to; raises ValueError when a link does not follow the machine."""
    if not history or history[0].from_status is not None:
        raise ValueError("a history starts from nothing")
    status = history[0].to_status
    for entry in history[1:]:
        if entry.from_status is not status or (status, entry.to_status) not in TRANSITIONS:
            raise ValueError(f"history entry {entry.seq} does not follow")
        status = entry.to_status
    return status


def birthday_in(year: int, birth: date) -> date:
    """The birthday in `year`; 29 February falls on 28 February in a common year (Civil Code 2015 Art. 148:
    a period that ends in a month without the corresponding day ends on that month's last day)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


def age_on(birth: date, day: date) -> int:
    """Completed years on `day`."""
    years = day.year - birth.year
    return years if day >= birthday_in(day.year, birth) else years - 1


def parse_chip_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def chip_expired(snap: ChipSnapshot, day: date) -> bool:
    expiry = parse_chip_date(snap.personal.get("expiry_date") or snap.data["mrz"].get("expiry_date"))
    return expiry is not None and expiry < day


def check_phone(raw: str | None, where: str = "phone") -> tuple[str | None, list[Issue]]:
    """A Vietnamese mobile number, normalised to 10 digits (`+84` and spaces accepted)."""
    if raw is None or not str(raw).strip():
        return None, [Issue(where, "Cần số điện thoại di động chính chủ (đăng ký tên người đề nghị).",
                            "A mobile number registered in the applicant's own name is required.")]
    phone = normalize_phone(str(raw))
    if phone is None:
        return None, [Issue(where, "Số điện thoại không phải số di động Việt Nam: cần 10 chữ số, bắt đầu bằng đầu số "
                                   "di động hiện hành (ví dụ 09x, 03x, 07x, 08x, 05x); có thể viết +84.",
                            "Not a Vietnamese mobile number: 10 digits with a current mobile prefix (+84 accepted).")]
    return phone, []


def check_email(raw: str | None) -> tuple[str | None, list[Issue]]:
    if raw is None or not str(raw).strip():
        return None, []
    email = str(raw).strip()
    if len(email) > 254 or not _EMAIL_RE.fullmatch(email) or ".." in email:
        return None, [Issue("email", "Địa chỉ thư điện tử không đúng dạng (ví dụ ten@example.vn).",
                            "The e-mail address is not well formed (e.g. name@example.vn).")]
    local, _, domain = email.partition("@")
    return f"{local}@{domain.lower()}", []


def check_integrations(names: Sequence[str]) -> tuple[tuple[str, ...], list[Issue]]:
    out: list[str] = []
    issues = []
    for name in names:
        key = str(name).strip().lower().replace("-", "_")
        if key not in INTEGRATIONS:
            issues.append(Issue("integrations", f"Không có thông tin tích hợp '{name}'; chọn trong: "
                                                f"{', '.join(INTEGRATIONS)}.", f"Unknown integration '{name}'."))
        elif key not in out:
            out.append(key)
    return tuple(out), issues


@dataclass(frozen=True)
class Eligibility:
    """What Decree 69/2024 Art. 7 allows this person on this day."""

    age: int
    levels: tuple[int, ...]
    needs_guardian: bool
    child_consents: bool


def eligibility(birth: date, day: date) -> Eligibility:
    """14+: level 1 or 2 on their own; 6 to under 14: 1 or 2 with a parent or guardian; under 6: level 1
    with a parent or guardian (Decree 69/2024/NĐ-CP Art. 7). Children of 7+ consent too (Law 91/2025)."""
    age = age_on(birth, day)
    levels = (1, 2) if age >= LEVEL2_MIN_AGE else (1,)
    return Eligibility(age, levels, age < OWN_REQUEST_AGE, age >= CHILD_CONSENT_AGE)


def check_person(snap: ChipSnapshot, level: int, day: date, where: str = "citizen") -> tuple[Eligibility | None,
                                                                                              list[Issue]]:
    """The applicant's chip and level: genuine chip, card in force for level 2, age allows the level."""
    issues: list[Issue] = []
    if level not in (1, 2):
        issues.append(Issue("level", "Mức tài khoản chỉ có 1 hoặc 2.", "The level is 1 or 2."))
    if snap.verdict == "failed":
        issues.append(Issue(where, "Chip của thẻ không qua kiểm tra xác thực thụ động (có thể là thẻ giả hoặc dữ liệu "
                                   "bị sửa): không cấp tài khoản theo dữ liệu chip này.",
                            "The chip failed passive authentication: no account on this data."))
    birth = parse_chip_date(snap.birth_date)
    adult_card = birth is not None and birth <= day and age_on(birth, day) >= OWN_REQUEST_AGE
    # Decree 69/2024/NĐ-CP Art. 7: "Công dân Việt Nam từ đủ 14 tuổi trở lên đã có thẻ Căn cước công dân/thẻ
    # Căn cước còn hiệu lực được cấp tài khoản định danh điện tử mức độ 01, mức độ 02" — a valid card for
    # both levels from 14; below 14 only level 2 asks for it here.
    if chip_expired(snap, day) and (level == 2 or adult_card):
        issues.append(Issue(where, f"Thẻ căn cước đã hết hạn: không cấp tài khoản mức {level}; công dân cần làm thủ tục "
                                   "cấp đổi thẻ (đề nghị tài khoản đi kèm hồ sơ cấp thẻ).",
                            f"The card has expired: no level-{level} account; the citizen needs a new card first."))
    if birth is None:
        issues.append(Issue(where, "Chip không có ngày sinh đầy đủ: không xác định được độ tuổi để cấp tài khoản.",
                            "The chip has no full birth date: the age cannot be known."))
        return None, issues
    if birth > day:
        issues.append(Issue(where, "Ngày sinh trên chip ở sau ngày đề nghị.", "The birth date is after today."))
        return None, issues
    elig = eligibility(birth, day)
    if level == 2 and 2 not in elig.levels:
        issues.append(Issue("level", f"Trẻ dưới {LEVEL2_MIN_AGE} tuổi (hiện {elig.age} tuổi) chỉ được cấp tài khoản "
                                     "mức 1 (Nghị định 69/2024/NĐ-CP Điều 7).",
                            f"Children under {LEVEL2_MIN_AGE} get level 1 only (Decree 69/2024 Art. 7)."))
    return elig, issues


def names_match(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and " ".join(fold(a).split()) == " ".join(fold(b).split())


def check_guardian(child: ChipSnapshot, guardian: ChipSnapshot | None, relationship: str | None,
                   elig: Eligibility | None, day: date) -> list[Issue]:
    """The representative of a child (or of a person under guardianship) and the link to the child's chip."""
    issues: list[Issue] = []
    if guardian is None:
        if relationship:
            issues.append(Issue("guardian", "Đã chọn quan hệ nhưng chưa đọc thẻ của cha, mẹ hoặc người giám hộ.",
                                "A relationship was given but no guardian card was read."))
        if elig is not None and elig.needs_guardian:
            issues.append(Issue("guardian", f"Người đề nghị {elig.age} tuổi (dưới {OWN_REQUEST_AGE}): cần cha, mẹ hoặc "
                                            "người giám hộ có mặt, đọc thẻ căn cước của họ tại quầy.",
                                f"Under {OWN_REQUEST_AGE}: a parent or guardian must be present with their card."))
        return issues
    if relationship not in RELATIONSHIPS:
        issues.append(Issue("relationship", "Quan hệ với người được đề nghị phải là father (cha), mother (mẹ) hoặc "
                                            "guardian (người giám hộ).", "Relationship: father, mother or guardian."))
    if elig is not None and not elig.needs_guardian and relationship in ("father", "mother"):
        issues.append(Issue("guardian", f"Người đề nghị đã đủ {OWN_REQUEST_AGE} tuổi: tự đề nghị với số điện thoại của "
                                        "mình; chỉ người giám hộ theo quyết định mới thay mặt.",
                            f"Aged {OWN_REQUEST_AGE}+: they ask on their own; only an appointed guardian acts for them."))
    if guardian.id_number == child.id_number:
        issues.append(Issue("guardian", "Thẻ của người giám hộ là thẻ của chính người được đề nghị.",
                            "The guardian's card is the applicant's own."))
        return issues
    if guardian.verdict == "failed":
        issues.append(Issue("guardian", "Chip thẻ của cha, mẹ hoặc người giám hộ không qua kiểm tra xác thực: không "
                                        "dùng được.", "The guardian's chip failed verification."))
    if chip_expired(guardian, day):
        issues.append(Issue("guardian", "Thẻ căn cước của cha, mẹ hoặc người giám hộ đã hết hạn.",
                            "The guardian's card has expired."))
    g_birth = parse_chip_date(guardian.birth_date)
    if g_birth is None or age_on(g_birth, day) < ADULT_AGE:
        age_text = f" (hiện {age_on(g_birth, day)} tuổi)" if g_birth else ""
        issues.append(Issue("guardian", f"Người đại diện phải là người đã thành niên, đủ {ADULT_AGE} tuổi{age_text}.",
                            f"The representative must be an adult ({ADULT_AGE}+)."))
    if relationship in ("father", "mother"):
        on_chip = child.personal.get(f"{relationship}_name")
        label = RELATIONSHIP_VI[relationship]
        if on_chip and not names_match(on_chip, guardian.full_name):
            issues.append(Issue("relationship", f"Họ tên {label} trên chip của trẻ ({on_chip}) khác họ tên trên thẻ người "
                                                f"đi cùng ({guardian.full_name}): cán bộ kiểm tra giấy tờ chứng minh quan "
                                                "hệ (giấy khai sinh).",
                                f"The {relationship}'s name on the child's chip differs from the guardian's card.",
                                "warning"))
        elif not on_chip:
            issues.append(Issue("relationship", f"Chip của trẻ không ghi họ tên {label}: cán bộ kiểm tra giấy khai sinh.",
                                f"The child's chip names no {relationship}: check the birth certificate.", "warning"))
        sex = str(guardian.data["mrz"].get("sex") or guardian.personal.get("sex") or "").upper()[:1]
        expected = "M" if relationship == "father" else "F"
        if sex in ("M", "F") and sex != expected:
            issues.append(Issue("relationship", f"Giới tính trên thẻ người đi cùng không hợp với quan hệ '{label}'.",
                                f"The guardian's sex does not fit '{relationship}'.", "warning"))
    return issues


@dataclass(frozen=True)
class Consent:
    """Who consented (role and ID number), to which purposes, when, under which text version."""

    role: str  # "holder" or "guardian"
    id_number: str
    full_name: str
    at: str
    text_version: str
    purposes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"role": self.role, "id_number": self.id_number, "full_name": self.full_name, "at": self.at,
                "text_version": self.text_version, "purposes": list(self.purposes)}


def consent_needed_from(elig: Eligibility | None, has_guardian: bool) -> tuple[str, ...]:
    """Law 91/2025 and Decree 356/2025: the holder; for a child, the representative, and the child too from 7."""
    if not has_guardian:
        return ("holder",)
    if elig is not None and elig.needs_guardian and not elig.child_consents:
        return ("guardian",)
    return ("holder", "guardian")


def check_consent(given: Sequence[str], needed: Sequence[str], version: str, current: str) -> list[Issue]:
    issues = []
    if version != current:
        issues.append(Issue("consent", f"Văn bản đồng ý đã đọc (phiên bản {version}) không phải phiên bản hiện hành "
                                       f"({current}): đọc lại văn bản mới.",
                            f"The consent text read ({version}) is not the current one ({current})."))
    who = {"holder": "người được cấp tài khoản", "guardian": "cha, mẹ hoặc người giám hộ"}
    for role in needed:
        if role not in given:
            issues.append(Issue(f"consent.{role}", f"Chưa ghi nhận sự đồng ý của {who[role]}.",
                                f"The {role}'s consent is not recorded."))
    return issues


#: Personal Data Protection Law 91/2025/QH15: the account is issued on request, so its processing rests on
#: the holder's consent, within the procedure Decree 69/2024/NĐ-CP sets (written on every request).
LEGAL_BASIS = {
    "basis": "consent",
    "procedure_law": ["69/2024/NĐ-CP", "91/2025/QH15", "356/2025/NĐ-CP"],
    "text_vi": "Xử lý dữ liệu cá nhân (kể cả ảnh chân dung là dữ liệu sinh trắc học) trên cơ sở sự đồng ý của chủ thể "
               "dữ liệu để cấp tài khoản định danh điện tử theo Nghị định 69/2024/NĐ-CP; Luật Bảo vệ dữ liệu cá nhân "
               "số 91/2025/QH15, Nghị định 356/2025/NĐ-CP.",
    "text_en": "Processing of personal data (including the portrait, a biometric) on the data subject's consent, to "
               "issue an electronic identification account under Decree 69/2024/ND-CP; Law 91/2025/QH15, Decree "
               "356/2025/ND-CP.",
}


@dataclass(frozen=True)
class AccountRequest:
    """The request as the hub receives it: chip snapshots, level, contacts, options, portrait, consents."""

    citizen: ChipSnapshot
    level: int
    phone: str
    email: str | None
    integrations: tuple[str, ...]
    guardian: ChipSnapshot | None = None
    relationship: str | None = None
    portrait_sha256: str | None = None
    fingerprint_checked: bool = False
    consents: tuple[Consent, ...] = field(default=())

    @property
    def phone_owner(self) -> str:
        """Whose number it is: the child's request uses the representative's own phone."""
        return self.guardian.id_number if self.guardian is not None else self.citizen.id_number
