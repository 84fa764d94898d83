"""Reading the citizen's card (đọc chip CCCD): the thin use case over the chip stack.

All PC/SC calls run on the one device thread; this layer adds the role check, the trust store of
the data folder, the choice of reader, and the audit entry (which never holds the personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain import chip_verdict
from kiosk.domain.roles import Permission, Principal
from kiosk.jobs import CancelToken, ProgressFn, ignore_progress
from kiosk.services import audit
from kiosk.services.permissions import require

if TYPE_CHECKING:
    from kiosk.db.engine import Database
    from kiosk.devices.device_thread import DeviceThread
    from kiosk.devices.icao.access import CardKey
    from kiosk.devices.icao.bac import AccessKey
    from kiosk.devices.icao.document import ChipReadResult
    from kiosk.devices.icao.passive import TrustAnchor, TrustStore

log = logging.getLogger(__name__)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks a message for Qt Linguist (the GUI translates it; the CLI prints the Vietnamese)."""
    return text

#: One Vietnamese sentence per chip error type, with what to do next.
CARD_ERROR_MESSAGES: dict[str, str] = {
    "AccessDenied": QT_TRANSLATE_NOOP(
        "CardError", "Chip từ chối khóa truy cập: kiểm tra lại số định danh, ngày sinh và ngày hết hạn (hoặc MRZ)."
    ),
    "CardRemoved": QT_TRANSLATE_NOOP(
        "CardError", "Thẻ đã bị rút ra khi đang đọc. Đặt lại thẻ lên đầu đọc và giữ yên cho đến khi đọc xong."
    ),
    "TransportError": QT_TRANSLATE_NOOP(
        "CardError", "Đầu đọc mất liên lạc với thẻ. Đặt lại thẻ ngay ngắn lên đầu đọc rồi thử lại."
    ),
    "SecureMessagingError": QT_TRANSLATE_NOOP(
        "CardError", "Kênh bảo mật với chip bị lỗi. Đặt lại thẻ rồi thử lại; nếu lặp lại, thẻ có thể bị giả mạo."
    ),
    "UnsupportedDocument": QT_TRANSLATE_NOOP(
        "CardError", "Thẻ này không phải thẻ căn cước có chip theo chuẩn ICAO, hoặc chưa được hỗ trợ."
    ),
    "ReaderUnavailable": QT_TRANSLATE_NOOP(
        "CardError", "Không dùng được đầu đọc thẻ: kiểm tra đầu đọc đã cắm và dịch vụ thẻ thông minh (PC/SC) đang chạy."
    ),
    "NoCard": QT_TRANSLATE_NOOP("CardError", "Chưa có thẻ trên đầu đọc. Đặt thẻ căn cước lên đầu đọc."),
    "FileNotFound": QT_TRANSLATE_NOOP("CardError", "Chip thiếu dữ liệu bắt buộc (DG1). Thẻ có thể bị hỏng."),
    "ParseError": QT_TRANSLATE_NOOP("CardError", "Dữ liệu trên chip không đúng cấu trúc. Thẻ có thể bị hỏng hoặc giả mạo."),
    "ChipError": QT_TRANSLATE_NOOP("CardError", "Không đọc được chip. Đặt lại thẻ rồi thử lại."),
}


#: Which key to check when the chip refused it, by `AccessDenied.check` (where the key came from).
ACCESS_DENIED_MESSAGES: dict[str, str] = {
    "can": QT_TRANSLATE_NOOP(
        "CardError", "Chip từ chối số CAN: kiểm tra lại 6 số CAN in trên thẻ, hoặc nhập số định danh, ngày sinh và ngày hết hạn."
    ),
    "numbers": CARD_ERROR_MESSAGES["AccessDenied"],
    "mrz": CARD_ERROR_MESSAGES["AccessDenied"],
    "qr": QT_TRANSLATE_NOOP(
        "CardError", "Chip không mở được bằng mã QR của thẻ: nhập 6 số CAN in trên thẻ, hoặc số định danh, ngày sinh và ngày hết hạn in trên thẻ."
    ),
    "id": QT_TRANSLATE_NOOP(
        "CardError", "Chip không mở được bằng số định danh: nhập thêm ngày sinh và ngày hết hạn, hoặc 6 số CAN in trên thẻ."
    ),
    "can_needs_pace": QT_TRANSLATE_NOOP(
        "CardError", "Thẻ này không mở được bằng số CAN: nhập số định danh, ngày sinh và ngày hết hạn (hoặc MRZ)."
    ),
}

#: The fields of a key that DG1 contradicted, as the officer reads them.
KEY_FIELD_NAMES: dict[str, tuple[str, str]] = {
    "document_number": ("số định danh", "ID number"),
    "birth_date": ("ngày sinh", "birth date"),
    "expiry_date": ("ngày hết hạn", "expiry date"),
}


def error_message(exc: BaseException) -> str:
    """The Vietnamese sentence for a chip error; for a refused key, the one that names the key to check."""
    check = getattr(exc, "check", None)
    if error_kind(exc) == "AccessDenied" and check in ACCESS_DENIED_MESSAGES:
        return ACCESS_DENIED_MESSAGES[check]
    return CARD_ERROR_MESSAGES[error_kind(exc)]


def key_mismatch_sentence(fields: Iterable[str], language: str = "vi") -> str:
    """What the officer is told when the key they gave contradicts the chip (the chip opened anyway)."""
    names = ", ".join(KEY_FIELD_NAMES[f][1 if language == "en" else 0] for f in fields)
    if language == "en":
        return f"The key typed does not match the chip: {names}. Check the card and the papers."
    return f"Khóa đã nhập không khớp với chip: {names}. Kiểm tra lại thẻ và giấy tờ."


def error_kind(exc: BaseException) -> str:
    """The message key of a chip error (its class, or the nearest known base class)."""
    for cls in type(exc).__mro__:
        if cls.__name__ in CARD_ERROR_MESSAGES:
            return cls.__name__
    return "ChipError"


def overall_verdict(result: ChipReadResult) -> str:
    """failed / unverifiable / chain_verified / signature_valid_untrusted: what the officer must
    know first (the rule and its sentences are in kiosk.domain.chip_verdict)."""
    return result.verification.verdict


def verdict_reasons(result: ChipReadResult) -> list[str]:
    """The reason codes behind a red or amber verdict, failures first."""
    return chip_verdict.notable_codes(result.verification.to_json())


def warnings(result: ChipReadResult) -> list[dict[str, str]]:
    """What could not be checked, and a key that contradicts the chip, for `kiosk card read --json`:
    step, code and sentence (vi, en)."""
    out = []
    if result.key_mismatch:
        out.append({"step": "KEY", "code": "key_mismatch:" + ",".join(result.key_mismatch),
                    "message": key_mismatch_sentence(result.key_mismatch, "vi"),
                    "message_en": key_mismatch_sentence(result.key_mismatch, "en")})
    for code in verdict_reasons(result):
        row = chip_verdict.reason(code)
        if row.outcome == chip_verdict.UNVERIFIABLE:
            out.append({"step": row.step, "code": code, "message": chip_verdict.sentence(code, "vi"),
                        "message_en": chip_verdict.sentence(code, "en")})
    return out


class CardService:
    """Reads and verifies a card for a principal allowed to; trust anchors live in the data folder."""

    def __init__(self, db: Database | None, device: DeviceThread, trust_dir: Path, preferred_reader: str = "") -> None:
        self.db = db
        self.device = device
        self.trust_dir = trust_dir
        self.preferred_reader = preferred_reader

    def trust_store(self, extra: Iterable[Path] = ()) -> TrustStore:
        from kiosk.devices.icao.passive import TrustStore

        paths = [self.trust_dir, *extra] if self.trust_dir.exists() else list(extra)
        store = TrustStore.load(paths)
        for problem in store.problems:
            log.warning("trust store: %s", problem)
        return store

    def choose_reader(self, requested: str = "") -> str:
        """The requested reader, else the configured one, else the first reader holding a card."""
        from kiosk.devices.icao.errors import ReaderUnavailable
        from kiosk.devices.pcsc import ServiceStatus, probe, readers_with_card

        wanted = requested or self.preferred_reader
        found = self.device.call(probe)
        if found.status is ServiceStatus.NO_SERVICE:
            raise ReaderUnavailable("PC/SC", "no PC/SC service")
        if wanted:
            if wanted not in found.readers:
                raise ReaderUnavailable("PC/SC", "the configured reader is not connected")
            return wanted
        if not found.readers:
            raise ReaderUnavailable("PC/SC", "no reader")
        with_card = self.device.call(readers_with_card, found.readers)
        return with_card[0] if with_card else found.readers[0]

    def read(
        self,
        principal: Principal,
        key: CardKey | AccessKey,
        reader: str = "",
        report: ProgressFn = ignore_progress,
        cancel: CancelToken | None = None,
        extra_trust: Iterable[Path] = (),
    ) -> ChipReadResult:
        """Read and verify the card on `reader`; raises a ChipError subclass when it cannot be read.

        `key` may be a `CardKey` (MRZ data, a CAN or both, with where they came from; `CanKey(six
        digits)` for a CAN alone) or MRZ data alone."""
        require(principal, Permission.CARD_READ)
        from kiosk.devices.icao.document import read_and_verify
        from kiosk.devices.pcsc import PcscConnection

        trust = self.trust_store(extra_trust)
        name = self.choose_reader(reader)

        def work():
            with PcscConnection.open(name, exclusive=True) as conn:
                return read_and_verify(conn, key, trust if len(trust) else None, report, cancel)

        try:
            result = self.device.call(work)
        except Exception as exc:
            detail = {"error": error_kind(exc)}
            if getattr(exc, "check", None):
                detail["key"] = exc.check
            self._audit(principal, "card.read_failed", "", detail)
            raise
        self._audit(
            principal,
            "card.read",
            result.dg1_sha256[:16],
            {"verdict": overall_verdict(result), "passive": result.verification.passive,
             "active": result.verification.active, "chip": result.verification.chip,
             "reasons": verdict_reasons(result), "access": result.verification.access,
             "key": result.key_source, "key_mismatch": list(result.key_mismatch)},
        )
        return result

    def _audit(self, principal: Principal, action: str, target: str, detail: dict) -> None:
        if self.db is None:
            return
        with self.db.transaction() as session:
            audit.append(session, principal.audit_name, action, "card", target, detail)

    def import_trust(self, principal: Principal, path: Path) -> list[TrustAnchor]:
        require(principal, Permission.SETTINGS_CHANGE)
        from kiosk.devices.icao.passive import TrustStore

        anchors = TrustStore.import_file(path, self.trust_dir)
        if self.db is not None:
            with self.db.transaction() as session:
                for anchor in anchors:
                    audit.append(session, principal.audit_name, "trust.imported", "csca", anchor.fingerprint[:16])
        return anchors

    def list_trust(self, principal: Principal) -> list[TrustAnchor]:
        require(principal, Permission.CARD_READ)
        return list(self.trust_store().list())
