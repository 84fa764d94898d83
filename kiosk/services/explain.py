"""What an error means for the person at the kiosk, in Vietnamese and English (giải thích lỗi).

One table, keyed by exception type (the nearest class in the exception's MRO wins), turns every error a
use case, the chip stack, the database or a printer raises into an `Explanation`: the two sentences and a
severity. The window picks the sentence of its language, the CLI prints the Vietnamese. Importable
without Qt or SQLAlchemy; services keep their own sentences (`message_vi`/`message_en`) when they know
better, and the table only fills in for errors that carry a code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kiosk.db.errors import MESSAGES_VI as DB_MESSAGES_VI
from kiosk.db.errors import DatabaseOpenError
from kiosk.devices.icao import errors as chip
from kiosk.devices.printers import PrinterError
from kiosk.domain.issue import Issue
from kiosk.services.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    ServiceError,
    SessionExpired,
)

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass(frozen=True)
class Explanation:
    """The sentence in each language, how loud to show it, and the code a caller may act on
    (`session_expired` logs out, a chip error's class name goes into the CLI's JSON)."""

    vi: str
    en: str
    severity: str = ERROR
    code: str = "error"
    issues: tuple[Issue, ...] = ()
    #: False when no rule knew the error (a bug or a failing environment); `kind` is its class name.
    expected: bool = True
    kind: str = ""

    def text(self, language: str, unexpected: str = "", sep: str = " ") -> str:
        """The sentence for a window in `language` ("vi"/"en"). A refusal of several fields joins them
        with `sep`; an unexpected error uses the caller's own sentence `unexpected` ("%1" = class name)
        when given, since each screen says what was not done."""
        if not self.expected and unexpected:
            return unexpected.replace("%1", self.kind)
        if self.issues:
            return sep.join(i.message_en if language == "en" and i.message_en else i.message_vi
                            for i in self.issues)
        return self.en if language == "en" and self.en else self.vi


Rule = Callable[[BaseException], Explanation]

#: What a printer failure means, by `PrinterError.reason` (the dossier is always saved before printing).
PRINTER_MESSAGES: dict[str, tuple[str, str]] = {
    "offline": ("Máy in không phản hồi (tắt, mất kết nối hoặc sai địa chỉ). Hồ sơ đã được lưu; hãy kiểm tra "
                "máy in rồi in lại.",
                "The printer does not answer (off, disconnected or wrong address). The dossier is saved; check "
                "the printer and print again."),
    "out_of_paper": ("Máy in hết giấy. Hồ sơ đã được lưu; hãy thay cuộn giấy rồi in lại phiếu.",
                     "The printer is out of paper. The dossier is saved; load paper and print the receipt again."),
    "cover_open": ("Nắp máy in đang mở. Hồ sơ đã được lưu; hãy đóng nắp rồi in lại.",
                   "The printer cover is open. The dossier is saved; close it and print again."),
    "not_found": ("Không tìm thấy máy in hoặc thư mục in đã chọn. Hồ sơ đã được lưu; hãy chọn lại máy in.",
                  "The chosen printer or folder was not found. The dossier is saved; choose the printer again."),
    "driver_missing": ("Máy tính này thiếu trình điều khiển cho loại máy in đã chọn. Hồ sơ đã được lưu.",
                       "This computer lacks the driver for the chosen printer kind. The dossier is saved."),
    "bad_target": ("Địa chỉ máy in trong cấu hình không hợp lệ. Hồ sơ đã được lưu; hãy sửa cấu hình máy in.",
                   "The printer address in the settings is invalid. The dossier is saved; fix the printer setting."),
    "io_error": ("Không ghi được tệp in. Hồ sơ đã được lưu; hãy kiểm tra ổ đĩa rồi in lại.",
                 "The print file could not be written. The dossier is saved; check the disk and print again."),
    "interrupted": ("Máy in ngừng giữa chừng, phiếu có thể bị in dở. Hồ sơ đã được lưu; hãy kiểm tra máy in "
                    "rồi in lại phiếu.",
                    "The printer stopped mid-job; the receipt may be incomplete. The dossier is saved; check the "
                    "printer and print the receipt again."),
}


def printer_message(reason: str, default: str = "offline") -> tuple[str, str]:
    """The (Vietnamese, English) sentence for a printer failure reason; `default`'s for an unknown one."""
    return PRINTER_MESSAGES.get(reason, PRINTER_MESSAGES[default])


#: What the database's refusal to open means (kiosk.db.errors holds the Vietnamese the CLI printed first).
DB_MESSAGES_EN = {
    "wrong_key_or_damaged": "The database could not be opened: the key is wrong or the file is damaged. "
                            "No new database was created.",
    "not_encrypted": "The database file is not encrypted; the kiosk refuses to use it.",
    "key_missing": "The database exists but its key was not found. No new database was created.",
    "unwritable": "The data folder cannot be written to.",
}

#: One sentence per chip error type, with what to do next.
CHIP_MESSAGES: dict[type[chip.ChipError], tuple[str, str]] = {
    chip.AccessDenied: (
        "Chip từ chối khóa truy cập: kiểm tra lại số định danh, ngày sinh và ngày hết hạn (hoặc MRZ).",
        "The chip refused the access key: check the ID number, birth date and expiry date (or the MRZ)."),
    chip.CardRemoved: (
        "Thẻ đã bị rút ra khi đang đọc. Đặt lại thẻ lên đầu đọc và giữ yên cho đến khi đọc xong.",
        "The card was taken away during the read. Put it back on the reader and keep it still until the read ends."),
    chip.TransportError: (
        "Đầu đọc mất liên lạc với thẻ. Đặt lại thẻ ngay ngắn lên đầu đọc rồi thử lại.",
        "The reader lost contact with the card. Put the card squarely on the reader and try again."),
    chip.SecureMessagingError: (
        "Kênh bảo mật với chip bị lỗi. Đặt lại thẻ rồi thử lại; nếu lặp lại, thẻ có thể bị giả mạo.",
        "The secure channel with the chip failed. Put the card back and try again; if it happens again the card "
        "may be forged."),
    chip.UnsupportedDocument: (
        "Thẻ này không phải thẻ căn cước có chip theo chuẩn ICAO, hoặc chưa được hỗ trợ.",
        "This is not an ICAO chip identity card, or it is not supported yet."),
    chip.ReaderUnavailable: (
        "Không dùng được đầu đọc thẻ: kiểm tra đầu đọc đã cắm và dịch vụ thẻ thông minh (PC/SC) đang chạy.",
        "The card reader cannot be used: check that it is plugged in and that the smart-card service (PC/SC) "
        "is running."),
    chip.NoCard: (
        "Chưa có thẻ trên đầu đọc. Đặt thẻ căn cước lên đầu đọc.",
        "There is no card on the reader. Put the identity card on the reader."),
    chip.FileNotFound: (
        "Chip thiếu dữ liệu bắt buộc (DG1). Thẻ có thể bị hỏng.",
        "The chip lacks required data (DG1). The card may be damaged."),
    chip.ParseError: (
        "Dữ liệu trên chip không đúng cấu trúc. Thẻ có thể bị hỏng hoặc giả mạo.",
        "The data on the chip is malformed. The card may be damaged or forged."),
    chip.ChipError: (
        "Không đọc được chip. Đặt lại thẻ rồi thử lại.",
        "The chip could not be read. Put the card back and try again."),
}

#: Which key to check when the chip refused it, by `AccessDenied.check` (where the key came from).
ACCESS_DENIED_MESSAGES: dict[str, tuple[str, str]] = {
    "can": ("Chip từ chối số CAN: kiểm tra lại 6 số CAN in trên thẻ, hoặc nhập số định danh, ngày sinh và ngày "
            "hết hạn.",
            "The chip refused the CAN: check the 6-digit CAN printed on the card, or type the ID number, birth "
            "date and expiry date."),
    "numbers": CHIP_MESSAGES[chip.AccessDenied],
    "mrz": CHIP_MESSAGES[chip.AccessDenied],
    "qr": ("Chip không mở được bằng mã QR của thẻ: nhập 6 số CAN in trên thẻ, hoặc số định danh, ngày sinh và "
           "ngày hết hạn in trên thẻ.",
           "The card's QR code did not open the chip: type the 6-digit CAN printed on the card, or the ID number, "
           "birth date and expiry date printed on it."),
    "id": ("Chip không mở được bằng số định danh: nhập thêm ngày sinh và ngày hết hạn, hoặc 6 số CAN in trên thẻ.",
           "The ID number did not open the chip: add the birth date and expiry date, or type the 6-digit CAN "
           "printed on the card."),
    "can_needs_pace": ("Thẻ này không mở được bằng số CAN: nhập số định danh, ngày sinh và ngày hết hạn (hoặc MRZ).",
                       "This card does not open with a CAN: type the ID number, birth date and expiry date "
                       "(or the MRZ)."),
}


def _own(exc: BaseException) -> Explanation | None:
    """The error's own sentence, when its raiser wrote one (English falls back to the Vietnamese)."""
    vi = getattr(exc, "message_vi", None)
    if not vi or not isinstance(vi, str):
        return None
    en = getattr(exc, "message_en", None) or vi
    return Explanation(vi, en, code=getattr(exc, "code", None) or getattr(exc, "reason", None) or "error")


def _fixed(vi: str, en: str, code: str, severity: str = ERROR) -> Rule:
    """A rule with one sentence, unless the raiser wrote its own."""
    return lambda exc: _own(exc) or Explanation(vi, en, severity, code)


def _invalid_input(exc: BaseException) -> Explanation:
    assert isinstance(exc, InvalidInput)
    return Explanation(exc.message_vi, exc.message_en, ERROR, exc.code, exc.issues)


def _account_locked(exc: BaseException) -> Explanation:
    assert isinstance(exc, AccountLocked)
    at = exc.until.strftime("%H:%M")
    return Explanation(
        f"Tài khoản tạm bị khóa do nhập sai mật khẩu nhiều lần. Thử lại sau {at} (giờ UTC).",
        f"The account is locked after too many wrong passwords. Try again after {at} (UTC).",
        ERROR, exc.code)


def _permission_denied(exc: BaseException) -> Explanation:
    assert isinstance(exc, PermissionDenied)
    return Explanation(f"Không có quyền thực hiện thao tác này ({exc.permission}).",
                       f"You may not do this ({exc.permission}).", ERROR, exc.code)


def _not_found(exc: BaseException) -> Explanation:
    return _own(exc) or Explanation(f"Không tìm thấy: {exc}", f"Not found: {exc}", ERROR, NotFound.code)


def _service_error(exc: BaseException) -> Explanation:
    code = getattr(exc, "code", ServiceError.code)
    return _own(exc) or Explanation(f"Không thực hiện được: {exc}", f"Could not be done: {exc}", ERROR, code)


def _database(exc: BaseException) -> Explanation:
    assert isinstance(exc, DatabaseOpenError)
    vi = DB_MESSAGES_VI.get(exc.reason, "Không mở được cơ sở dữ liệu.")
    en = DB_MESSAGES_EN.get(exc.reason, "The database could not be opened.")
    return Explanation(vi, en, ERROR, "database_" + exc.reason)


def _printer(exc: BaseException) -> Explanation:
    assert isinstance(exc, PrinterError)
    vi, en = printer_message(exc.reason)
    return Explanation(vi, en, ERROR, exc.reason)


def _chip(cls: type[chip.ChipError], severity: str = ERROR) -> Rule:
    vi, en = CHIP_MESSAGES[cls]
    return lambda exc: Explanation(vi, en, severity, cls.__name__)


def _access_denied(exc: BaseException) -> Explanation:
    vi, en = ACCESS_DENIED_MESSAGES.get(getattr(exc, "check", "mrz"), CHIP_MESSAGES[chip.AccessDenied])
    return Explanation(vi, en, ERROR, chip.AccessDenied.__name__)


RULES: dict[type[BaseException], Rule] = {
    InvalidInput: _invalid_input,
    AccountLocked: _account_locked,
    PermissionDenied: _permission_denied,
    NotFound: _not_found,
    InvalidCredentials: _fixed("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.",
                               InvalidCredentials.code),
    SessionExpired: _fixed("Phiên làm việc đã hết. Hãy đăng nhập lại.", "The session has ended. Sign in again.",
                           SessionExpired.code),
    NotAuthenticated: _fixed("Chưa đăng nhập. Hãy đăng nhập lại.", "No one is signed in. Sign in again.",
                             NotAuthenticated.code),
    ServiceError: _service_error,
    DatabaseOpenError: _database,
    PrinterError: _printer,
    chip.AccessDenied: _access_denied,
    # A chip naming an algorithm this reader lacks is "unverifiable", amber rather than red.
    chip.UnknownAlgorithm: (lambda exc: Explanation(*CHIP_MESSAGES[chip.ParseError], WARNING, "ParseError")),
    **{cls: _chip(cls) for cls in CHIP_MESSAGES if cls is not chip.AccessDenied},
}


def explain(exc: BaseException) -> Explanation:
    """The sentences for `exc`: the rule of its nearest class in the table, else its own `message_vi`/
    `message_en`, else "unexpected error (ClassName)"."""
    for cls in type(exc).__mro__:
        rule = RULES.get(cls)
        if rule is not None:
            return rule(exc)
    own = _own(exc)
    if own is not None:
        return own
    name = type(exc).__name__
    return Explanation(f"Lỗi không mong đợi ({name}).", f"Unexpected error ({name}).", ERROR, "unexpected",
                       expected=False, kind=name)


def is_chip_error(exc: BaseException) -> bool:
    """Whether `exc` comes from the card stack (a read that failed, not the service around it)."""
    return isinstance(exc, chip.ChipError)
