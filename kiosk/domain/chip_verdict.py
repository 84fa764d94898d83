"""The verdicts of a chip check (kiểm tra chip) and the one table of their reason codes.

Each check — passive authentication (PA), active authentication (AA), chip authentication (CA) —
ends with reason codes such as ``dg_hash_mismatch:DG13`` (code, then an optional argument after
the colon). The table below says, for every code, which check gives it, what it makes of that
check, and the sentence staff read, in Vietnamese and English. The devices derive each check's
verdict from its codes, and the UI, the CLI and the dossiers read the same table, so a code can
never be "failed" in one place and "amber" in another.

Outcomes: ``failed`` — the check ran and got a wrong answer (red, blocks); ``unverifiable`` — the
kiosk could not carry the check out (amber, the officer checks the card by eye and may go on);
``untrusted`` — the signature is valid but no CSCA is configured; ``absent`` — the chip does not
offer the protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, Literal

Step = Literal["passive", "active", "chip"]
Outcome = Literal["failed", "unverifiable", "untrusted", "absent"]

FAILED = "failed"
UNVERIFIABLE = "unverifiable"
CHAIN_VERIFIED = "chain_verified"
UNTRUSTED = "signature_valid_untrusted"
VERIFIED = "verified"
NOT_SUPPORTED = "not_supported"


class ReasonCode(StrEnum):
    """The name of a reason, before its argument; a `str`, so stored and printed codes are unchanged."""

    DG_HASH_MISMATCH = "dg_hash_mismatch"
    DG_MISSING_IN_SOD = "dg_missing_in_sod"
    SOD_MISSING = "sod_missing"
    SOD_UNREADABLE = "sod_unreadable"
    SOD_MESSAGE_DIGEST_MISMATCH = "sod_message_digest_mismatch"
    SOD_CONTENT_TYPE_MISMATCH = "sod_content_type_mismatch"
    SOD_SIGNATURE_INVALID = "sod_signature_invalid"
    NO_DS_CERTIFICATE = "no_ds_certificate"
    DS_CERTIFICATE_EXPIRED = "ds_certificate_expired"
    DS_CERTIFICATE_NOT_YET_VALID = "ds_certificate_not_yet_valid"
    DS_CERTIFICATE_SIGNATURE_INVALID = "ds_certificate_signature_invalid"
    UNKNOWN_CSCA = "unknown_csca"
    CSCA_CERTIFICATE_EXPIRED = "csca_certificate_expired"
    NO_TRUST_STORE = "no_trust_store"
    UNSUPPORTED_HASH_ALGORITHM = "unsupported_hash_algorithm"
    UNSUPPORTED_SIGNATURE_ALGORITHM = "unsupported_signature_algorithm"
    DS_CERTIFICATE_UNPARSABLE = "ds_certificate_unparsable"
    CSCA_ALGORITHM_UNSUPPORTED = "csca_algorithm_unsupported"
    AA_NOT_OFFERED = "aa_not_offered"
    AA_SIGNATURE_INVALID = "aa_signature_invalid"
    AA_BAD_SIGNATURE = "aa_bad_signature"
    AA_SECURE_MESSAGING_ERROR = "aa_secure_messaging_error"
    AA_UNSUPPORTED_ALGORITHM = "aa_unsupported_algorithm"
    AA_UNSUPPORTED_HASH = "aa_unsupported_hash"
    AA_UNSUPPORTED_KEY = "aa_unsupported_key"
    AA_INFOS_UNREADABLE = "aa_infos_unreadable"
    AA_UNSUPPORTED_RECOVERY = "aa_unsupported_recovery"
    AA_STATUS = "aa_status"
    CA_NOT_OFFERED = "ca_not_offered"
    CA_KEYS_REJECTED = "ca_keys_rejected"
    CA_SECURE_MESSAGING_ERROR = "ca_secure_messaging_error"
    CA_UNSUPPORTED_KEY = "ca_unsupported_key"
    CA_UNSUPPORTED_PROTOCOL = "ca_unsupported_protocol"
    CA_UNREADABLE_INFOS = "ca_unreadable_infos"
    CA_STATUS = "ca_status"


@dataclass(frozen=True, slots=True)
class Reason:
    code: ReasonCode
    step: Step
    outcome: Outcome
    vi: str  # "%1" stands for the code's argument (a data group, an OID, a status word)
    en: str


_P, _A, _C = "passive", "active", "chip"
_F, _U, _T, _N = "failed", "unverifiable", "untrusted", "absent"

_TABLE = (
    # Passive authentication (ICAO 9303-11 §5.1).
    Reason(ReasonCode.DG_HASH_MISMATCH, _P, _F, "dữ liệu %1 đã bị thay đổi so với bản được ký",
           "data group %1 was changed after it was signed"),
    Reason(ReasonCode.DG_MISSING_IN_SOD, _P, _F, "dữ liệu %1 không có trong danh sách được ký",
           "data group %1 is not in the signed list"),
    Reason(ReasonCode.SOD_MISSING, _P, _F, "chip không có tệp dữ liệu được ký (EF.SOD)",
           "the chip has no signed security object (EF.SOD)"),
    Reason(ReasonCode.SOD_UNREADABLE, _P, _F, "tệp dữ liệu được ký (EF.SOD) sai cấu trúc",
           "the signed security object (EF.SOD) is malformed"),
    Reason(ReasonCode.SOD_MESSAGE_DIGEST_MISMATCH, _P, _F, "dữ liệu được ký không khớp với chữ ký",
           "the signed data does not match its signature"),
    Reason(ReasonCode.SOD_CONTENT_TYPE_MISMATCH, _P, _F, "dữ liệu được ký không khớp với chữ ký",
           "the signed content type does not match its signature"),
    Reason(ReasonCode.SOD_SIGNATURE_INVALID, _P, _F, "chữ ký số của chip không đúng",
           "the chip's digital signature is wrong"),
    Reason(ReasonCode.NO_DS_CERTIFICATE, _P, _F, "chip không kèm chứng thư của bên ký",
           "the chip carries no document-signer certificate"),
    Reason(ReasonCode.DS_CERTIFICATE_EXPIRED, _P, _F, "chứng thư của bên ký đã hết hạn",
           "the document-signer certificate has expired"),
    Reason(ReasonCode.DS_CERTIFICATE_NOT_YET_VALID, _P, _F, "chứng thư của bên ký chưa có hiệu lực",
           "the document-signer certificate is not valid yet"),
    Reason(ReasonCode.DS_CERTIFICATE_SIGNATURE_INVALID, _P, _F,
           "chứng thư của bên ký không được cơ quan cấp (CSCA) ký đúng",
           "the document-signer certificate is not correctly signed by its CSCA"),
    Reason(ReasonCode.UNKNOWN_CSCA, _P, _F, "bên ký không do cơ quan cấp (CSCA) nào kiosk tin cậy chứng nhận",
           "the signer is not certified by any CSCA this kiosk trusts"),
    Reason(ReasonCode.CSCA_CERTIFICATE_EXPIRED, _P, _F, "chứng thư gốc (CSCA) đã hết hạn",
           "the CSCA certificate has expired"),
    Reason(ReasonCode.NO_TRUST_STORE, _P, _T, "kiosk chưa có chứng thư gốc (CSCA) nào để xác nhận cơ quan cấp",
           "this kiosk has no CSCA certificate to confirm the issuer"),
    Reason(ReasonCode.UNSUPPORTED_HASH_ALGORITHM, _P, _U, "chip dùng thuật toán băm kiosk chưa hỗ trợ (%1)",
           "the chip uses a hash algorithm this kiosk does not support (%1)"),
    Reason(ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM, _P, _U, "chữ ký của chip dùng thuật toán kiosk chưa hỗ trợ (%1)",
           "the chip's signature uses an algorithm this kiosk does not support (%1)"),
    Reason(ReasonCode.DS_CERTIFICATE_UNPARSABLE, _P, _U, "kiosk không đọc được chứng thư của bên ký (%1)",
           "this kiosk cannot parse the document-signer certificate (%1)"),
    Reason(ReasonCode.CSCA_ALGORITHM_UNSUPPORTED, _P, _U,
           "chứng thư của bên ký dùng thuật toán kiosk chưa hỗ trợ (%1)",
           "the document-signer certificate uses an algorithm this kiosk does not support (%1)"),
    # Active authentication (ICAO 9303-11 §6.1).
    Reason(ReasonCode.AA_NOT_OFFERED, _A, _N, "chip không có xác thực chủ động",
           "the chip offers no active authentication"),
    Reason(ReasonCode.AA_SIGNATURE_INVALID, _A, _F,
           "chip không chứng minh được là chip gốc (xác thực chủ động thất bại — có thể là chip sao chép)",
           "the chip could not prove it is the original (active authentication failed — it may be a copy)"),
    Reason(ReasonCode.AA_BAD_SIGNATURE, _A, _F,
           "xác thực chủ động thất bại: câu trả lời của chip sai cấu trúc (có thể là chip sao chép)",
           "active authentication failed: the chip's answer is malformed (it may be a copy)"),
    Reason(ReasonCode.AA_SECURE_MESSAGING_ERROR, _A, _F,
           "câu trả lời xác thực chủ động không qua được kênh bảo mật (có thể là chip sao chép)",
           "the active-authentication answer failed secure messaging (it may be a copy)"),
    Reason(ReasonCode.AA_UNSUPPORTED_ALGORITHM, _A, _U,
           "xác thực chủ động: chip dùng thuật toán chữ ký kiosk chưa hỗ trợ (%1)",
           "active authentication: the chip names a signature algorithm this kiosk does not support (%1)"),
    Reason(ReasonCode.AA_UNSUPPORTED_HASH, _A, _U, "xác thực chủ động: chip dùng hàm băm kiosk chưa hỗ trợ (%1)",
           "active authentication: the chip uses a hash this kiosk does not support (%1)"),
    Reason(ReasonCode.AA_UNSUPPORTED_KEY, _A, _U,
           "xác thực chủ động: khóa của chip (DG15) dùng thuật toán hoặc đường cong kiosk chưa hỗ trợ",
           "active authentication: the chip's key (DG15) uses an algorithm or curve this kiosk does not support"),
    Reason(ReasonCode.AA_INFOS_UNREADABLE, _A, _U,
           "xác thực chủ động: kiosk không đọc được thuật toán chữ ký mà chip ghi trong DG14",
           "active authentication: this kiosk cannot read the signature algorithm the chip names in DG14"),
    Reason(ReasonCode.AA_UNSUPPORTED_RECOVERY, _A, _U,
           "xác thực chủ động: chữ ký RSA theo kiểu khôi phục toàn bộ, kiosk chưa hỗ trợ",
           "active authentication: an RSA signature with full message recovery, which this kiosk does not support"),
    Reason(ReasonCode.AA_STATUS, _A, _U, "xác thực chủ động: chip trả lời mã trạng thái %1 không mong đợi",
           "active authentication: the chip answered the unexpected status %1"),
    # Chip authentication (ICAO 9303-11 §6.2).
    Reason(ReasonCode.CA_NOT_OFFERED, _C, _N, "chip không có xác thực chip", "the chip offers no chip authentication"),
    Reason(ReasonCode.CA_KEYS_REJECTED, _C, _F,
           "xác thực chip (chip authentication) thất bại — có thể là chip sao chép",
           "chip authentication failed — it may be a copy"),
    Reason(ReasonCode.CA_SECURE_MESSAGING_ERROR, _C, _F,
           "xác thực chip không qua được kênh bảo mật — có thể là chip sao chép",
           "chip authentication failed secure messaging — it may be a copy"),
    Reason(ReasonCode.CA_UNSUPPORTED_KEY, _C, _U, "xác thực chip: khóa của chip dùng thuật toán kiosk chưa hỗ trợ (%1)",
           "chip authentication: the chip's key uses an algorithm this kiosk does not support (%1)"),
    Reason(ReasonCode.CA_UNSUPPORTED_PROTOCOL, _C, _U, "xác thực chip: chip dùng giao thức kiosk chưa hỗ trợ (%1)",
           "chip authentication: the chip names a protocol this kiosk does not support (%1)"),
    Reason(ReasonCode.CA_UNREADABLE_INFOS, _C, _U, "xác thực chip: kiosk không đọc được thông tin DG14",
           "chip authentication: this kiosk cannot read DG14"),
    Reason(ReasonCode.CA_STATUS, _C, _U, "xác thực chip: chip trả lời mã trạng thái %1 không mong đợi",
           "chip authentication: the chip answered the unexpected status %1"),
)

REASONS: Mapping[str, Reason] = MappingProxyType({r.code: r for r in _TABLE})

#: The first sentence staff read, by overall verdict (Vietnamese, English).
HEADLINES: Mapping[str, tuple[str, str]] = MappingProxyType({
    CHAIN_VERIFIED: ("THẺ THẬT: chữ ký của chip hợp lệ và được cơ quan cấp (CSCA) tin cậy xác nhận.",
                     "GENUINE CARD: the chip's signature is valid and confirmed by a trusted issuer (CSCA)."),
    UNTRUSTED: ("Chữ ký của chip hợp lệ nhưng kiosk chưa có chứng thư gốc (CSCA) để xác nhận cơ quan cấp. "
                "Báo quản trị nhập danh sách CSCA.",
                "The chip's signature is valid, but this kiosk has no root certificate (CSCA) to confirm the "
                "issuer. Ask the administrator to import the CSCA list."),
    UNVERIFIABLE: ("KHÔNG KIỂM TRA ĐƯỢC một phần của chip — không phải dấu hiệu giả mạo; kiểm tra bằng mắt các "
                   "đặc điểm bảo an của thẻ rồi có thể tiếp tục.",
                   "COULD NOT CHECK part of the chip — not a sign of forgery; check the card's security "
                   "features by eye, then you may go on."),
    FAILED: ("THẺ KHÔNG HỢP LỆ: dữ liệu trên chip không qua được kiểm tra.",
             "INVALID CARD: the data on the chip failed the checks."),
})


class UnknownReason(KeyError):
    """A reason code missing from the table: a programming error, never a verdict."""


def reason(code: str) -> Reason:
    """The table row of a code such as ``dg_hash_mismatch:DG13``."""
    try:
        return REASONS[code.partition(":")[0]]
    except KeyError:
        raise UnknownReason(code) from None


def code(name: ReasonCode | str, argument: object = None) -> str:
    """A reason code, checked against the table (``code(ReasonCode.AA_STATUS, "6A80")`` → ``aa_status:6A80``);
    a plain `str`, as the verdicts store and print it."""
    reason(name)
    text = str(name)  # the value, never the enum's repr
    return text if argument is None or argument == "" else f"{text}:{argument}"


def sentence(code_text: str, language: str = "vi") -> str:
    """The reason in plain words, in Vietnamese or English."""
    row = reason(code_text)
    argument = code_text.partition(":")[2]
    return (row.en if language == "en" else row.vi).replace("%1", argument)


def headline(verdict: str, language: str = "vi") -> str:
    vi, en = HEADLINES[verdict]
    return en if language == "en" else vi


def step_verdict(step: Step, codes: Iterable[str]) -> str:
    """A check's verdict from its reason codes: any failed code makes it failed, else any
    unverifiable one makes it unverifiable; then untrusted (PA) or not offered (AA, CA)."""
    outcomes = set()
    for c in codes:
        row = reason(c)
        if row.step != step:
            raise UnknownReason(f"{c} is a reason of {row.step}, not {step}")
        outcomes.add(row.outcome)
    if FAILED in outcomes:
        return FAILED
    if UNVERIFIABLE in outcomes:
        return UNVERIFIABLE
    if step == "passive":
        return UNTRUSTED if "untrusted" in outcomes else CHAIN_VERIFIED
    return NOT_SUPPORTED if "absent" in outcomes else VERIFIED


def overall_verdict(passive: str | None, active: str | None, chip: str | None) -> str:
    """What the officer must know first: failed (red), unverifiable (amber), chain verified (green),
    or a valid signature without a configured CSCA."""
    verdicts = (passive, active, chip)
    if FAILED in verdicts:
        return FAILED
    if UNVERIFIABLE in verdicts:
        return UNVERIFIABLE
    return CHAIN_VERIFIED if passive == CHAIN_VERIFIED else UNTRUSTED


def notable_codes(verification: Mapping[str, object]) -> list[str]:
    """The codes behind a red or amber verdict, failures first: what the officer is told."""
    failed: list[str] = []
    amber: list[str] = []
    for step in ("passive", "active", "chip"):
        for c in verification.get(f"{step}_reasons", ()) or ():  # type: ignore[union-attr]
            outcome = reason(str(c)).outcome
            if outcome == FAILED:
                failed.append(str(c))
            elif outcome == UNVERIFIABLE:
                amber.append(str(c))
    return failed + amber


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The reason codes one check ended with; its verdict follows from the table."""

    STEP: ClassVar[Step]
    reasons: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return step_verdict(self.STEP, self.reasons)

    @property
    def reason(self) -> str:
        return self.reasons[0] if self.reasons else ""

