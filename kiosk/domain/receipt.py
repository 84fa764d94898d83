"""What a receipt says: the plain values the Mẫu 01/02/03 forms, the thermal slip and the account
confirmation print. No I/O: the receipt service fills them from a dossier or a request, the layouts
draw them, tests and benchmarks build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from kiosk.domain.dossier import VN_TZ

LAYOUTS = ("a4", "a5", "thermal")
COPIES = ("applicant", "kept")
COPY_LABELS = {
    "applicant": "Liên 1: Giao người nộp hồ sơ",
    "kept": "Liên 2: Lưu tại Bộ phận tiếp nhận và trả kết quả",
}
DOCUMENT_KINDS_VI = {
    "original": "bản chính",
    "copy": "bản sao",
    "certified_copy": "bản sao chứng thực",
    "original_or_certified_copy": "bản chính hoặc bản sao chứng thực",
    "show_original": "xuất trình bản chính",
    "present": "xuất trình",
    "copy_or_photo_with_original": "bản sao, hoặc bản chụp kèm bản chính để đối chiếu",
}
#: The dossier statuses that ask for a notice to the applicant, and which form it is.
NOTICE_FORMS = {"supplement_requested": "Mẫu 02", "rejected": "Mẫu 03"}
# A code stays verifiable this long after its appointment (or its issue, when there is no appointment).
QR_VALIDITY = timedelta(days=366)
DEFAULT_RESULT_TIME = time(8, 0)


@dataclass(frozen=True)
class ReceivedDocument:
    """One paper handed in: what it is, original or copy (a key of DOCUMENT_KINDS_VI), how many."""

    name: str
    kind: str = "original"
    count: int = 1


@dataclass(frozen=True)
class ReceiptData:
    """Everything Mẫu 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả) shows; times are station time (ICT)."""

    tracking_code: str
    service_number: int
    procedure: str
    parent_agency: str
    receiving_unit: str
    place: str
    applicant_name: str
    received_at: datetime
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    documents: tuple[ReceivedDocument, ...] = ()
    sets: int = 1
    processing_days: int | None = None
    processing_text: str = ""
    due_at: datetime | None = None
    result_at: str = ""
    register_book: str = ""
    register_number: str = ""
    receiver_name: str = ""
    qr_text: str = ""
    # Which paper this is: the one-stop Mẫu 01, or the sector's own (residence CT04, identity CC02).
    form_code: str = "Mẫu 01"
    form_title: str = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    form_source: str = "Thông tư 03/2025/TT-VPCP"
    procedure_code: str = ""
    applicant_id_number: str = ""
    fee: FeeText | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FeeText:
    """The fee as printed: each line with its amount, the total, and an exemption with its ground."""

    lines: tuple[tuple[str, str], ...] = ()
    total: str = ""
    exemption: str = ""
    unconfirmed: bool = False


@dataclass(frozen=True)
class AccountConfirmationData:
    """A confirmation for an identity-account request (or any request that is not a dossier of the 25)."""

    reference_code: str
    parent_agency: str
    receiving_unit: str
    place: str
    applicant_name: str
    received_at: datetime
    title: str = "GIẤY XÁC NHẬN TIẾP NHẬN ĐỀ NGHỊ CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ"
    rows: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    receiver_name: str = ""
    qr_text: str = ""


@dataclass(frozen=True)
class SupplementItem:
    """One thing to add or correct (Mẫu 02), and why."""

    what: str
    why: str = ""


@dataclass(frozen=True)
class NoticeData:
    """What Mẫu 02 and Mẫu 03 both say: which dossier, whose, for what, from which unit and when."""

    tracking_code: str
    parent_agency: str
    receiving_unit: str
    place: str
    applicant_name: str
    procedure: str
    issued_at: datetime
    form_code: str = field(default="", kw_only=True)
    form_title: str = field(default="", kw_only=True)
    form_source: str = field(default="", kw_only=True)


@dataclass(frozen=True)
class SupplementRequestData(NoticeData):
    """Mẫu 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ: what is missing and why."""

    received_at: datetime
    items: tuple[SupplementItem, ...]
    reason: str = ""
    contact: str = ""
    officer_name: str = ""


@dataclass(frozen=True)
class RefusalData(NoticeData):
    """Mẫu 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ: the reason, in words the applicant understands."""

    reasons: tuple[str, ...]
    officer_name: str = ""


def money_vi(amount: int) -> str:
    """`20.000 đồng`."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def station_time(moment: datetime) -> datetime:
    """Naive UTC (as stored) or aware → naive station time (ICT)."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(VN_TZ).replace(tzinfo=None)


def place_of(parent_agency: str) -> str:
    """The locality on the date line ("Hà Nội, ngày …") from the parent agency's name."""
    name = parent_agency.strip()
    for prefix in ("Công an", "Ủy ban nhân dân", "UBND"):
        if name.lower().startswith(prefix.lower()):
            name = name[len(prefix):].strip()
    for prefix in ("Thành phố", "Tỉnh", "TP.", "tỉnh", "thành phố"):
        if name.startswith(prefix):
            name = name[len(prefix):].strip()
    return name or parent_agency
