"""The citizen's status check (tra cứu hồ sơ): a scanned receipt QR or a typed tracking code in,
the dossier's status, appointment date and what to bring out — never personal data.

A QR is verified offline against the station's kiosk keys before its code is looked up; a forged,
altered, foreign or expired code is refused with the reason in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kiosk.domain.roles import Permission, Principal
from kiosk.services.errors import NotFound
from kiosk.services.permissions import require

CODE_RE = re.compile(r"^[0-9A-Za-z.]{5,20}-\d{6}-\d{4}$")

#: What the citizen should do next, by status (vi, en).
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "received": (
        "Hồ sơ đang chờ giải quyết. Đến ngày hẹn, mang theo phiếu hẹn và thẻ căn cước để nhận kết quả.",
        "Your dossier is waiting to be processed. On the appointment date bring the receipt and your identity card.",
    ),
    "processing": (
        "Hồ sơ đang được giải quyết. Đến ngày hẹn, mang theo phiếu hẹn và thẻ căn cước để nhận kết quả.",
        "Your dossier is being processed. On the appointment date bring the receipt and your identity card.",
    ),
    "supplement_requested": (
        "Hồ sơ cần bổ sung giấy tờ. Mang theo phiếu yêu cầu bổ sung, các giấy tờ còn thiếu, phiếu hẹn và thẻ căn cước "
        "đến bộ phận một cửa.",
        "Your dossier needs more documents. Bring the supplement request, the missing documents, the receipt and your "
        "identity card to the one-stop counter.",
    ),
    "result_ready": (
        "Đã có kết quả. Mang theo phiếu hẹn và thẻ căn cước đến bộ phận một cửa để nhận.",
        "The result is ready. Bring the receipt and your identity card to the one-stop counter to collect it.",
    ),
    "returned": ("Kết quả đã được trả.", "The result has been handed over."),
    "rejected": (
        "Hồ sơ không được giải quyết. Lý do ghi trong phiếu từ chối; hỏi cán bộ tại quầy nếu cần.",
        "The dossier was refused. The reason is on the refusal notice; ask at the counter if needed.",
    ),
    "withdrawn": ("Hồ sơ đã được rút.", "The dossier was withdrawn."),
}


@dataclass(frozen=True)
class StatusAnswer:
    found: bool
    message_vi: str
    message_en: str
    tracking_code: str = ""
    service_no: int | None = None
    service_vi: str = ""
    service_en: str = ""
    status: str = ""
    status_vi: str = ""
    status_en: str = ""
    appointment_date: str | None = None
    next_vi: str = ""
    next_en: str = ""
    source: str = "local"
    details: dict[str, Any] = field(default_factory=dict)


class StatusCheckService:
    """Looks a receipt up for anyone allowed to check statuses (self-service kiosks included)."""

    def __init__(self, receipts, dossiers, catalog, accounts=None) -> None:
        self.receipts = receipts
        self.dossiers = dossiers
        self.catalog = catalog
        self.accounts = accounts

    def check(self, principal: Principal, text: str) -> StatusAnswer:
        require(principal, Permission.STATUS_CHECK)
        from kiosk.domain.qr_payload import PREFIX

        text = text.strip()
        if not text:
            return StatusAnswer(False, "Hãy quét mã QR trên phiếu hẹn hoặc nhập mã hồ sơ.",
                                "Scan the QR code on the receipt or type the dossier code.")
        if text.upper().startswith(PREFIX):
            verdict = self.receipts.verify(principal, text)
            if not verdict.valid:
                return StatusAnswer(False, verdict.message_vi, verdict.message_en)
            code = verdict.claims.tracking_code
        else:
            code = text.upper()
            if not CODE_RE.match(code):
                return StatusAnswer(
                    False,
                    "Mã hồ sơ không đúng dạng. Mã có dạng 000.00.24.H57-261125-0001 (in trên phiếu hẹn).",
                    "That is not a dossier code. Codes look like 000.00.24.H57-261125-0001 (printed on the receipt).",
                )
        try:
            status = self.dossiers.status_of(principal, code)
        except NotFound:
            account = self._account(principal, code)
            if account is not None:
                return account
            return StatusAnswer(
                False,
                "Không tìm thấy hồ sơ có mã này tại trạm. Kiểm tra lại mã, hoặc hỏi cán bộ tại quầy.",
                "No dossier with this code at this station. Check the code, or ask at the counter.",
                tracking_code=code,
            )
        service = self.catalog.get(status["service_no"])
        next_vi, next_en = NEXT_STEPS.get(status["status"], ("", ""))
        return StatusAnswer(
            True,
            "Đã tìm thấy hồ sơ.",
            "Dossier found.",
            tracking_code=status["tracking_code"],
            service_no=status["service_no"],
            service_vi=service.name_vi,
            service_en=service.name_en,
            status=status["status"],
            status_vi=status["status_label_vi"],
            status_en=status["status_label_en"],
            appointment_date=status.get("appointment_date"),
            next_vi=next_vi,
            next_en=next_en,
        )

    def _account(self, principal: Principal, code: str) -> StatusAnswer | None:
        """An account request shares the code space of dossiers (one daily sequence per kiosk)."""
        if self.accounts is None:
            return None
        try:
            status = self.accounts.status_of(principal, code)
        except NotFound:
            return None
        next_vi, next_en = ACCOUNT_NEXT_STEPS.get(status["status"], ("", ""))
        if status["status"] == "rejected" and status.get("note"):
            next_vi, next_en = f"{next_vi} Lý do: {status['note']}", f"{next_en} Reason: {status['note']}"
        return StatusAnswer(
            True, "Đã tìm thấy đề nghị cấp tài khoản định danh điện tử.",
            "Electronic identification account request found.",
            tracking_code=status["tracking_code"], service_vi=f"Cấp tài khoản định danh điện tử mức {status['level']}",
            service_en=f"Electronic identification account, level {status['level']}", status=status["status"],
            status_vi=status["status_label_vi"], status_en=status["status_label_en"], next_vi=next_vi,
            next_en=next_en, details={"kind": "account", "level": status["level"]},
        )


#: What the citizen should do next with an account request, by status (vi, en).
ACCOUNT_NEXT_STEPS: dict[str, tuple[str, str]] = {
    "submitted": ("Đề nghị đang chờ hệ thống định danh điện tử xử lý; kết quả được báo qua ứng dụng VNeID, tin nhắn "
                  "hoặc thư điện tử.",
                  "The request awaits the identity system; the result comes through VNeID, SMS or e-mail."),
    "activated": ("Tài khoản đã được kích hoạt: đăng nhập VNeID bằng số định danh cá nhân và mật khẩu gửi qua tin nhắn.",
                  "The account is active: log in to VNeID with your ID number and the password sent by SMS."),
    "rejected": ("Đề nghị không được chấp nhận; hỏi cán bộ tại quầy nếu cần.",
                 "The request was not accepted; ask at the counter if needed."),
    "withdrawn": ("Đề nghị đã được rút.", "The request was withdrawn."),
}
