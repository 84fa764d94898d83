"""The dossier (hồ sơ): its status machine, who may move it, the chip snapshot it keeps, its legal basis.

No I/O here: the service layer stores these values and the hub applies the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from kiosk.domain.catalog import CHIP_FIELDS, Service, fold
from kiosk.domain.chip_verdict import overall_verdict
from kiosk.domain.history import HistoryEntry, LabelledStatus
from kiosk.domain.roles import Permission

#: Vietnam keeps one offset all year (no daylight saving): the station's clock for receipt times.
VN_TZ = timezone(timedelta(hours=7), "ICT")


class Status(LabelledStatus):
    """Where a dossier stands (Decree 118/2025/NĐ-CP one-stop steps; forms of Circular 03/2025/TT-VPCP)."""

    RECEIVED = "received"  # Mẫu 01 issued
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"  # Mẫu 02
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REJECTED = "rejected"  # Mẫu 03 / Mẫu 05
    WITHDRAWN = "withdrawn"

    @classmethod
    def labels(cls) -> Mapping[Status, tuple[str, str]]:
        return STATUS_LABELS

    @property
    def final(self) -> bool:
        return not any(src is self for src, _ in TRANSITIONS)


STATUS_LABELS: Mapping[Status, tuple[str, str]] = {
    Status.RECEIVED: ("Đã tiếp nhận", "Received"),
    Status.PROCESSING: ("Đang giải quyết", "Being processed"),
    Status.SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement requested"),
    Status.RESULT_READY: ("Đã có kết quả, chờ trả", "Result ready for collection"),
    Status.RETURNED: ("Đã trả kết quả", "Result returned"),
    Status.REJECTED: ("Từ chối giải quyết", "Rejected"),
    Status.WITHDRAWN: ("Công dân rút hồ sơ", "Withdrawn by the applicant"),
}

#: Each allowed move and the permission it needs. DOSSIER_UPDATE is the counter's (officer, supervisor,
#: operator); DOSSIER_DECIDE is a decision of the leader (supervisor, operator). The hub's own moves
#: arrive through sync and are applied, not checked here.
TRANSITIONS: Mapping[tuple[Status, Status], Permission] = {
    (Status.RECEIVED, Status.PROCESSING): Permission.DOSSIER_UPDATE,
    (Status.RECEIVED, Status.SUPPLEMENT_REQUESTED): Permission.DOSSIER_UPDATE,
    (Status.RECEIVED, Status.REJECTED): Permission.DOSSIER_DECIDE,
    (Status.RECEIVED, Status.WITHDRAWN): Permission.DOSSIER_UPDATE,
    (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED): Permission.DOSSIER_UPDATE,
    (Status.PROCESSING, Status.RESULT_READY): Permission.DOSSIER_DECIDE,
    (Status.PROCESSING, Status.REJECTED): Permission.DOSSIER_DECIDE,
    (Status.PROCESSING, Status.WITHDRAWN): Permission.DOSSIER_UPDATE,
    (Status.SUPPLEMENT_REQUESTED, Status.PROCESSING): Permission.DOSSIER_UPDATE,
    (Status.SUPPLEMENT_REQUESTED, Status.REJECTED): Permission.DOSSIER_DECIDE,
    (Status.SUPPLEMENT_REQUESTED, Status.WITHDRAWN): Permission.DOSSIER_UPDATE,
    (Status.RESULT_READY, Status.RETURNED): Permission.DOSSIER_UPDATE,
}

#: A note is required where the citizen must be told why (Mẫu 02 lists what is missing, Mẫu 03 the reason).
NOTE_REQUIRED = frozenset({Status.SUPPLEMENT_REQUESTED, Status.REJECTED})


class TransitionError(ValueError):
    """A move the machine does not allow; `reason` is `not_allowed`, `permission` or `note_required`."""

    def __init__(self, reason: str, src: Status, dst: Status, permission: Permission | None = None) -> None:
        super().__init__(f"{reason}: {src} -> {dst}")
        self.reason = reason
        self.src = src
        self.dst = dst
        self.permission = permission

    @property
    def message_vi(self) -> str:
        if self.reason == "note_required":
            return f"Chuyển sang '{self.dst.label_vi}' cần ghi rõ lý do hoặc nội dung cần bổ sung."
        if self.reason == "permission":
            return f"Chỉ lãnh đạo (chỉ huy, tổ trưởng) mới được chuyển hồ sơ sang '{self.dst.label_vi}'."
        return f"Không thể chuyển hồ sơ từ '{self.src.label_vi}' sang '{self.dst.label_vi}'."

    @property
    def message_en(self) -> str:
        if self.reason == "note_required":
            return f"Moving to '{self.dst.label_en}' needs the reason or what must be supplemented."
        if self.reason == "permission":
            return f"Only a leader (commander, team head) may move a dossier to '{self.dst.label_en}'."
        return f"A dossier cannot move from '{self.src.label_en}' to '{self.dst.label_en}'."


def next_statuses(src: Status) -> list[Status]:
    return [dst for (s, dst) in TRANSITIONS if s is src]


def check_transition(src: Status, dst: Status, permissions: frozenset[Permission] | set[Permission], note: str = "") -> None:
    """Raise TransitionError unless `dst` follows `src` and the actor holds the move's permission."""
    needed = TRANSITIONS.get((src, dst))
    if needed is None:
        raise TransitionError("not_allowed", src, dst)
    if needed not in permissions:
        raise TransitionError("permission", src, dst, needed)
    if dst in NOTE_REQUIRED and not note.strip():
        raise TransitionError("note_required", src, dst)


def replay(history: Sequence[HistoryEntry]) -> Status:
    """The status a history leads to; raises ValueError if a link does not follow the machine."""
    if not history or history[0].from_status is not None or history[0].to_status is not Status.RECEIVED:
        raise ValueError("a history starts with the receipt")
    status = Status.RECEIVED
    for i, entry in enumerate(history[1:], start=2):
        if entry.seq != i or entry.from_status is not status or (status, entry.to_status) not in TRANSITIONS:
            raise ValueError(f"history entry {entry.seq} does not follow")
        status = entry.to_status
    return status


#: Personal Data Protection Law 91/2025/QH15: a state agency processes without consent where a law
#: requires it for the procedure; the basis is written on every dossier.
LEGAL_BASIS_CODE = "legal_obligation"
LEGAL_BASIS_VI = (
    "Xử lý dữ liệu cá nhân theo quy định của pháp luật để giải quyết thủ tục hành chính "
    "(Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15, Nghị định 356/2025/NĐ-CP): không cần sự đồng ý."
)
LEGAL_BASIS_EN = (
    "Processing required by law for the administrative procedure (Personal Data Protection Law "
    "91/2025/QH15, Decree 356/2025/ND-CP): consent not needed."
)


def legal_basis(service: Service) -> dict[str, Any]:
    return {
        "basis": LEGAL_BASIS_CODE,
        "text_vi": LEGAL_BASIS_VI,
        "text_en": LEGAL_BASIS_EN,
        "procedure_law": [ref.ref for ref in service.legal_basis],
    }


class SnapshotError(ValueError):
    """The citizen JSON is not what `kiosk card read --json` prints; `message_vi` says what is wrong."""

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


_SNAPSHOT_KEYS = ("mrz", "personal", "verification")


@dataclass(frozen=True)
class ChipSnapshot:
    """A person's data as read from their chip (ChipReadResult.to_json()), with its verification verdict."""

    data: Mapping[str, Any]

    @classmethod
    def parse(cls, data: Any) -> ChipSnapshot:
        if not isinstance(data, Mapping) or any(not isinstance(data.get(k), Mapping) for k in _SNAPSHOT_KEYS):
            raise SnapshotError("Dữ liệu công dân không phải kết quả đọc chip (cần các mục mrz, personal, verification).")
        personal = data["personal"]
        if not isinstance(personal.get("id_number") or data["mrz"].get("id_number"), str):
            raise SnapshotError("Dữ liệu chip không có số định danh cá nhân.")
        if not isinstance(personal.get("full_name"), str):
            raise SnapshotError("Dữ liệu chip không có họ và tên (DG13).")
        return cls(data)

    @property
    def personal(self) -> Mapping[str, Any]:
        return self.data["personal"]

    @property
    def id_number(self) -> str:
        return self.personal.get("id_number") or self.data["mrz"]["id_number"]

    @property
    def full_name(self) -> str:
        return self.personal["full_name"]

    @property
    def birth_date(self) -> str | None:
        return self.personal.get("birth_date") or self.data["mrz"].get("birth_date")

    @property
    def document_number(self) -> str:
        return str(self.data["mrz"].get("document_number", ""))

    @property
    def verdict(self) -> str:
        """failed / unverifiable / chain_verified / signature_valid_untrusted (the rule of `kiosk card read`)."""
        v = self.data["verification"]
        return overall_verdict(v.get("passive"), v.get("active"), v.get("chip"))

    def chip_fields(self) -> dict[str, Any]:
        """Values by catalog chip-field name (CHIP_FIELDS); the MRZ fills what DG13 lacks."""
        out = {k: v for k, v in self.personal.items() if k in CHIP_FIELDS and v not in (None, "")}
        mrz = self.data["mrz"]
        out.setdefault("id_number", mrz.get("id_number"))
        if mrz.get("birth_date"):
            out.setdefault("birth_date", mrz["birth_date"])
        return {k: v for k, v in out.items() if v not in (None, "")}

    def stored(self) -> dict[str, Any]:
        """What the dossier keeps: the chip's data and verdict, not the reader's timings."""
        return {
            "mrz": dict(self.data["mrz"]),
            "personal": dict(self.personal),
            "verification": dict(self.data["verification"]),
            "verdict": self.verdict,
        }


def mask_id(value: str | None) -> str | None:
    """`001******123`: enough for staff to tell people apart in a list, not to copy the number."""
    if not value:
        return value
    if len(value) <= 6:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 6) + value[-3:]


def local_received_at(moment: datetime | None, utc_now: datetime) -> datetime:
    """The receipt time in station time (ICT): naive input is station time, aware input is converted."""
    if moment is None:
        return utc_now.replace(tzinfo=UTC).astimezone(VN_TZ)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


_TOKEN_RE = re.compile(r"[0-9a-z]+")


def search_tokens(text: str) -> list[str]:
    """Folded words of a query: `Đỗ Thị Hà` and `do thi ha` give the same tokens."""
    return _TOKEN_RE.findall(fold(text))


def fts_match(text: str, columns: Sequence[str] = ("names", "places", "ids", "code")) -> str | None:
    """An FTS5 MATCH expression: every word must appear, the last as a prefix (type-ahead).

    Words are quoted so FTS5 operators typed by a user (AND, NEAR, `:`) are plain words. The column
    filter wraps the whole group: `{a b}: (x y)`; written `{a b}: x y` it would restrict only `x`.
    """
    tokens = search_tokens(text)
    if not tokens:
        return None
    terms = [f'"{t}"' for t in tokens[:-1]] + [f'"{tokens[-1]}"*']
    return "{" + " ".join(columns) + "}: (" + " AND ".join(terms) + ")"


def index_text(values: Sequence[Any]) -> str:
    """Folded, space-joined text for one FTS column (addresses may be objects with parts)."""
    parts: list[str] = []
    for v in values:
        if isinstance(v, Mapping):
            parts.extend(str(x) for x in v.values() if isinstance(x, str | int))
        elif isinstance(v, str):
            parts.append(v)
    return fold(" ".join(parts))


