"""The citizen's status check (tra cứu hồ sơ): a scanned receipt QR or a typed tracking code in,
the dossier's status, appointment date and what to bring out — never personal data.

A QR is verified offline against the station's kiosk keys before its code is looked up; a forged,
altered, foreign or expired code is refused with the reason in plain words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kiosk.domain.account import Status as AccountStatus
from kiosk.domain.dossier import Status as DossierStatus
from kiosk.domain.roles import Permission, Principal
from kiosk.services.errors import NotFound
from kiosk.services.permissions import require

log = logging.getLogger(__name__)
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
    #: Where the status came from: "local" (this kiosk's database), "hub" (asked just now) or
    #: "receipt" (only what the verified QR code itself says: the hub could not be asked).
    source: str = "local"
    #: The hub at the time of the check: "online", "offline" or "none" (the kiosk is not enrolled).
    hub: str = "none"
    details: dict[str, Any] = field(default_factory=dict)
    #: The code the citizen's receipt may still show, when the hub gave the dossier a new one (it clashed).
    previous_code: str = ""
    #: Other dossiers that answer to the code asked about, under their own code now (a clash the hub resolved).
    other_codes: tuple[str, ...] = ()


#: Asks the hub about a code (and the kiosk that signed the receipt, when a QR code was scanned): its answer
#: (`found` true or false), None when the kiosk has no hub; raises `HubUnreachable` when the network or the
#: hub is down (kiosk.services.sync.SyncService.lookup).
HubLookup = Callable[[Principal, str, str], "dict[str, Any] | None"]


class StatusCheckService:
    """Looks a receipt up for anyone allowed to check statuses (self-service kiosks included).

    The kiosk's own database answers first; when the kiosk is enrolled, the hub is asked too, and
    its status wins when it is newer (a decision of the back office not pulled yet, a dossier taken
    at another kiosk of the station). Offline, a verified QR code still tells the service and the
    appointment date it was issued with.
    """

    def __init__(self, receipts, dossiers, catalog, accounts=None, hub_lookup: HubLookup | None = None) -> None:
        self.receipts = receipts
        self.dossiers = dossiers
        self.catalog = catalog
        self.accounts = accounts
        self.hub_lookup = hub_lookup

    def check(self, principal: Principal, text: str) -> StatusAnswer:
        require(principal, Permission.STATUS_CHECK)
        from kiosk.domain.qr_payload import PREFIX

        text = text.strip()
        if not text:
            return StatusAnswer(False, "Hãy quét mã QR trên phiếu hẹn hoặc nhập mã hồ sơ.",
                                "Scan the QR code on the receipt or type the dossier code.")
        claims = None
        if text.upper().startswith(PREFIX):
            verdict = self.receipts.verify(principal, text)
            if not verdict.valid:
                return StatusAnswer(False, verdict.message_vi, verdict.message_en)
            claims = verdict.claims
            code = claims.tracking_code
        else:
            code = text.upper()
            if not CODE_RE.match(code):
                return StatusAnswer(
                    False,
                    "Mã hồ sơ không đúng dạng. Mã có dạng 000.00.24.H57-261125-0001 (in trên phiếu hẹn).",
                    "That is not a dossier code. Codes look like 000.00.24.H57-261125-0001 (printed on the receipt).",
                )
        issuer = claims.kiosk_id if claims is not None else ""
        local = self._local(principal, code, issuer)
        remote, hub = self._remote(principal, code, issuer)
        if remote is not None and remote.get("found") and (local is None or _newer(remote, local)):
            return _recoded(replace(self._from_hub(remote, local), hub=hub), code, remote)
        if local is not None:
            return _recoded(replace(local, hub=hub), code, remote if remote and remote.get("found") else None)
        if claims is not None and claims.service_number in self.catalog:
            return self._from_receipt(claims, hub)
        if hub == "offline":
            return StatusAnswer(
                False,
                "Kiosk này chưa có hồ sơ này và đang mất kết nối máy chủ. Thử lại sau ít phút, hoặc hỏi cán bộ tại quầy.",
                "This kiosk does not hold this dossier and cannot reach the hub. Try again in a few minutes, or ask "
                "at the counter.",
                tracking_code=code, hub=hub,
            )
        return StatusAnswer(
            False,
            "Không tìm thấy hồ sơ có mã này tại trạm. Kiểm tra lại mã, hoặc hỏi cán bộ tại quầy.",
            "No dossier with this code at this station. Check the code, or ask at the counter.",
            tracking_code=code, hub=hub,
        )

    # Where an answer comes from.

    def _local(self, principal: Principal, code: str, issuer: str = "") -> StatusAnswer | None:
        """This kiosk's own answer; with a scanned receipt, only for the dossier that receipt was issued for."""
        try:
            status = self.dossiers.status_of(principal, code, issuer)
        except NotFound:
            return self._account(principal, code)
        return self._dossier_answer(status["tracking_code"], status["service_no"], DossierStatus(status["status"]),
                                    status.get("appointment_date"), "local", status.get("updated_at", ""))

    def _remote(self, principal: Principal, code: str, issuer: str = "") -> tuple[dict[str, Any] | None, str]:
        if self.hub_lookup is None:
            return None, "none"
        from kiosk.services.sync_client import HubRefused, HubUnreachable

        try:
            answer = self.hub_lookup(principal, code, issuer)
        except HubUnreachable:
            return None, "offline"
        except HubRefused as exc:  # a halted or refused kiosk answers from what it holds
            log.warning("the hub refused a status lookup: %s", exc.reason)
            return None, "offline"
        return answer, "none" if answer is None else "online"

    def _from_hub(self, remote: dict[str, Any], local: StatusAnswer | None) -> StatusAnswer:
        code, updated = str(remote["tracking_code"]), str(remote.get("updated_at") or "")
        if remote.get("kind") == "account":
            try:
                status = AccountStatus(remote["status"])
            except ValueError:
                return local or self._unknown_status(code)
            return self._account_answer(code, int(remote.get("level") or 1), status, "", "hub", updated)
        try:
            status = DossierStatus(remote["status"])
        except ValueError:
            return local or self._unknown_status(code)
        service_no = remote.get("service_no") or (local.service_no if local else None)
        if service_no not in self.catalog:
            return local or self._unknown_status(code)
        appointment = remote.get("appointment_date") or (local.appointment_date if local else None)
        return self._dossier_answer(code, service_no, status, appointment, "hub", updated)

    def _from_receipt(self, claims, hub: str) -> StatusAnswer:
        service = self.catalog.get(claims.service_number)
        appointment = claims.appointment.isoformat() if claims.appointment else None
        return StatusAnswer(
            True,
            "Phiếu hẹn hợp lệ. Kiosk này chưa nhận được trạng thái mới nhất của hồ sơ; ngày hẹn theo phiếu.",
            "The receipt is genuine. This kiosk has not received the dossier's latest status yet; the appointment "
            "date is the one on the receipt.",
            tracking_code=claims.tracking_code, service_no=service.number, service_vi=service.name_vi,
            service_en=service.name_en, status="unknown", status_vi="Chưa rõ (chưa đồng bộ)",
            status_en="Not known yet (not synchronised)", appointment_date=appointment,
            next_vi=NEXT_STEPS["received"][0], next_en=NEXT_STEPS["received"][1], source="receipt", hub=hub,
        )

    def _unknown_status(self, code: str) -> StatusAnswer:
        return StatusAnswer(False, "Máy chủ trả về trạng thái kiosk này không hiểu; hỏi cán bộ tại quầy.",
                            "The hub answered with a status this kiosk does not know; ask at the counter.",
                            tracking_code=code)

    def _dossier_answer(self, code: str, service_no: int, status: DossierStatus, appointment: str | None,
                        source: str, updated_at: str) -> StatusAnswer:
        service = self.catalog.get(service_no)
        next_vi, next_en = NEXT_STEPS.get(status.value, ("", ""))
        return StatusAnswer(
            True, "Đã tìm thấy hồ sơ.", "Dossier found.",
            tracking_code=code, service_no=service_no, service_vi=service.name_vi, service_en=service.name_en,
            status=status.value, status_vi=status.label_vi, status_en=status.label_en,
            appointment_date=appointment, next_vi=next_vi, next_en=next_en, source=source,
            details={"kind": "dossier", "updated_at": updated_at},
        )

    def _account(self, principal: Principal, code: str) -> StatusAnswer | None:
        """An account request shares the code space of dossiers (one daily sequence per kiosk)."""
        if self.accounts is None:
            return None
        try:
            status = self.accounts.status_of(principal, code)
        except NotFound:
            return None
        return self._account_answer(status["tracking_code"], status["level"], AccountStatus(status["status"]),
                                    status.get("note") or "", "local", status.get("updated_at", ""))

    def _account_answer(self, code: str, level: int, status: AccountStatus, note: str, source: str,
                        updated_at: str) -> StatusAnswer:
        next_vi, next_en = ACCOUNT_NEXT_STEPS.get(status.value, ("", ""))
        if status is AccountStatus.REJECTED and note:
            next_vi, next_en = f"{next_vi} Lý do: {note}", f"{next_en} Reason: {note}"
        return StatusAnswer(
            True, "Đã tìm thấy đề nghị cấp tài khoản định danh điện tử.",
            "Electronic identification account request found.",
            tracking_code=code, service_vi=f"Cấp tài khoản định danh điện tử mức {level}",
            service_en=f"Electronic identification account, level {level}", status=status.value,
            status_vi=status.label_vi, status_en=status.label_en, next_vi=next_vi, next_en=next_en, source=source,
            details={"kind": "account", "level": level, "updated_at": updated_at},
        )


def _recoded(answer: StatusAnswer, asked: str, remote: dict[str, Any] | None) -> StatusAnswer:
    """Say so when the code asked about is not (or not only) this dossier's code now: the hub gave it a new code
    because it clashed with another dossier's, or another dossier that printed it first now has its own."""
    others = tuple(c for c in (remote or {}).get("other_codes") or () if c != answer.tracking_code)
    if answer.tracking_code and answer.tracking_code != asked:
        answer = replace(
            answer, previous_code=asked,
            message_vi=f"{answer.message_vi} Hồ sơ này nay có MÃ MỚI {answer.tracking_code} (mã {asked} trên phiếu "
                       "hẹn trùng với hồ sơ khác). Hãy đến quầy để nhận phiếu hẹn mới.",
            message_en=f"{answer.message_en} This dossier now has the NEW CODE {answer.tracking_code} (the code "
                       f"{asked} on the receipt clashed with another dossier's). Ask at the counter for a new "
                       "receipt.")
    if others:
        listed = ", ".join(others)
        answer = replace(
            answer, other_codes=others,
            message_vi=f"{answer.message_vi} Mã {asked} cũng từng được in cho hồ sơ khác, nay mang mã {listed}: nếu "
                       f"phiếu hẹn của bạn không phải hồ sơ này, hãy tra mã {listed}.",
            message_en=f"{answer.message_en} The code {asked} was also printed for another dossier, now under "
                       f"{listed}: if your receipt is not for this dossier, check {listed}.")
    return answer


def _newer(remote: dict[str, Any], local: StatusAnswer) -> bool:
    """The hub's status is the one to show: different from the local one and decided later.

    A status this kiosk changed and has not pushed yet is newer than the hub's view, and stays.
    Both sides write `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, so the strings compare as times.
    """
    if remote.get("status") == local.status:
        return False
    return str(remote.get("updated_at") or "") > str(local.details.get("updated_at") or "")


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
