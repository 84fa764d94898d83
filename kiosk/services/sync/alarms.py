"""What waits for an officer after a sync, and the sentence (Vietnamese, English) that says so."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db.models import KioskMeta
from kiosk.db.models_sync import RecodedRecord, RemoteChange
from kiosk.services.sync.state import ACKNOWLEDGED, KEYS_ALARM, NUMBERING_ALARM
from kiosk.wire.ops import OpKind

#: Why the hub refused an op (a business rule), and what the officer does: (Vietnamese, English); {code}
#: is the record's code and {seq} the op's number.
REJECTION_MESSAGES: dict[str, tuple[str, str]] = {
    "duplicate_tracking_code": (
        "Máy chủ KHÔNG NHẬN hồ sơ {code}: mã trùng với hồ sơ khác và máy chủ không cấp được mã mới. Báo quản trị "
        "viên ngay; công dân đang giữ phiếu hẹn mã này.",
        "The hub REFUSED dossier {code}: its code clashes with another dossier's and the hub could not give it a "
        "new one. Tell the administrator now; a citizen holds a receipt with this code."),
    "missing_tracking_code": (
        "Máy chủ không nhận một hồ sơ (thao tác số {seq}) vì thiếu mã hồ sơ. Báo quản trị viên.",
        "The hub refused a dossier (op {seq}) that has no code. Tell the administrator."),
    "duplicate_dossier": (
        "Máy chủ đã có hồ sơ {code} này từ trước (gửi lại lần hai) nên không nhận thêm. Báo quản trị viên kiểm tra.",
        "The hub already holds dossier {code} (sent a second time). Ask the administrator to check."),
    "unknown_dossier": (
        "Máy chủ không có hồ sơ {code} nên không nhận thay đổi trạng thái của hồ sơ. Báo quản trị viên.",
        "The hub does not hold dossier {code}, so it refused its status change. Tell the administrator."),
    "foreign_dossier": (
        "Hồ sơ {code} thuộc trạm khác: máy chủ không nhận thay đổi trạng thái từ kiosk này. Báo quản trị viên.",
        "Dossier {code} belongs to another station: the hub refused this kiosk's status change. Tell the "
        "administrator."),
    "bad_status": (
        "Máy chủ không nhận trạng thái mới của hồ sơ {code} (trạng thái không hợp lệ). Báo quản trị viên.",
        "The hub refused the new status of dossier {code} (not a valid status). Tell the administrator."),
}
REJECTION_MESSAGES.update({
    "foreign_unit": (
        "Máy chủ KHÔNG NHẬN hồ sơ {code}: mã đơn vị trong mã hồ sơ không phải của trạm này (mỗi trạm chỉ đánh số theo "
        "mã đơn vị của mình). Kiểm tra cài đặt unit_id của kiosk và báo quản trị viên ngay; công dân đang giữ phiếu "
        "hẹn mã này.",
        "The hub REFUSED dossier {code}: the unit in its code is not this station's (each station numbers under its "
        "own unit only). Check the kiosk's unit_id setting and tell the administrator now; a citizen holds a "
        "receipt with this code."),
    "bad_tracking_code": (
        "Máy chủ KHÔNG NHẬN hồ sơ {code}: mã hồ sơ không đúng dạng mã đơn vị-ngày-số thứ tự. Báo quản trị viên.",
        "The hub REFUSED dossier {code}: its code is not in the unit-date-number form. Tell the administrator."),
})
REJECTION_OTHER = ("Máy chủ không nhận thao tác số {seq} của kiosk ({reason}). Báo quản trị viên.",
                   "The hub refused this kiosk's op {seq} ({reason}). Tell the administrator.")
REPRINT_MESSAGES = {
    "dossier": (
        "Hồ sơ {previous} trùng mã với một hồ sơ khác trên máy chủ; máy chủ giữ hồ sơ này với MÃ MỚI {code}. In "
        "lại phiếu hẹn mã mới cho công dân (kiosk receipt print {code}) và thu lại phiếu cũ.",
        "Dossier {previous} clashed with another dossier's code; the hub keeps it under the NEW CODE {code}. Print "
        "the receipt again with the new code for the citizen (kiosk receipt print {code}) and take back the old one."),
    "account": (
        "Đề nghị cấp tài khoản {previous} trùng mã với hồ sơ khác; máy chủ giữ đề nghị với MÃ MỚI {code}. In lại "
        "giấy xác nhận mã mới cho công dân (kiosk account print {code}).",
        "Account request {previous} clashed with another code; the hub keeps it under the NEW CODE {code}. Print the "
        "confirmation again with the new code (kiosk account print {code})."),
}
NUMBERING_MESSAGE = (
    "Máy chủ chưa cấp được khối số thứ tự hồ sơ cho kiosk này (trạm đã đủ kiosk); mã hồ sơ có thể trùng với kiosk "
    "khác. Báo quản trị viên (kiosk-hub kiosk retire một kiosk không còn dùng).",
    "The hub could not give this kiosk a block of the daily sequence (the station is full); its codes may clash "
    "with another kiosk's. Tell the administrator (kiosk-hub kiosk retire a kiosk no longer used).")
KEYS_MESSAGE = (
    "Không cập nhật được danh sách khóa của các kiosk trong trạm từ máy chủ ({reason}); mã QR do kiosk khác mới in có "
    "thể không kiểm tra được. Báo quản trị viên.",
    "The station's kiosk keys from the hub could not be stored ({reason}); QR codes printed by other kiosks may not "
    "verify. Tell the administrator.")


@dataclass(frozen=True)
class SyncAlarm:
    """Something an officer must act on after a sync: a receipt to print again with the code the hub gave
    (`reprint`), an op the hub refused (`rejected`), or no block of the daily sequence (`numbering`)."""

    kind: str
    message_vi: str
    message_en: str
    tracking_code: str = ""
    previous_code: str = ""
    record_kind: str = ""
    seq: int | None = None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _alarms(session: Session, kiosk_id: str) -> list[SyncAlarm]:
    """What waits for an officer: receipts to print again under the hub's new code (until a print job of the
    new code has printed), ops the hub refused (until acknowledged), no block from the hub."""
    from kiosk.db.models_receipts import PrintJob

    alarms = []
    printed = select(PrintJob.id).where(PrintJob.tracking_code == RecodedRecord.tracking_code,
                                        PrintJob.status == "printed", PrintJob.printed_at >= RecodedRecord.recoded_at)
    for rec in session.scalars(select(RecodedRecord).where(~printed.exists()).order_by(RecodedRecord.id)):
        vi, en = REPRINT_MESSAGES.get(rec.record_kind, REPRINT_MESSAGES["dossier"])
        alarms.append(SyncAlarm("reprint", vi.format(previous=rec.previous_code, code=rec.tracking_code),
                                en.format(previous=rec.previous_code, code=rec.tracking_code), rec.tracking_code,
                                rec.previous_code, rec.record_kind))
    for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == OpKind.OP_REJECTED,
                                                          RemoteChange.target != "", RemoteChange.outcome != ACKNOWLEDGED)
                               .order_by(RemoteChange.change_id)):
        data = json.loads(row.payload)
        if data.get("kiosk_id") != kiosk_id:
            continue
        reason, seq, code = str(data.get("reason") or ""), data.get("seq"), str(data.get("tracking_code") or "")
        vi, en = REJECTION_MESSAGES.get(reason, REJECTION_OTHER)
        if not code and "{code}" in vi:
            vi, en = REJECTION_OTHER
        alarms.append(SyncAlarm("rejected", vi.format(code=code, seq=seq, reason=reason),
                                en.format(code=code, seq=seq, reason=reason), code, seq=seq, reason=reason))
    if session.get(KioskMeta, NUMBERING_ALARM) is not None:
        alarms.append(SyncAlarm("numbering", *NUMBERING_MESSAGE))
    keys = session.get(KioskMeta, KEYS_ALARM)
    if keys is not None:
        vi, en = KEYS_MESSAGE
        alarms.append(SyncAlarm("keys", vi.format(reason=keys.value), en.format(reason=keys.value), reason=keys.value))
    return alarms
