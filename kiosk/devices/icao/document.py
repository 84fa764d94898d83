"""Read and verify a CCCD chip in one job: the result the UI and CLI show (hồ sơ đọc chip)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from kiosk.support.jobs import CancelToken, Progress, ProgressFn, ignore_progress

from ...domain import chip_verdict
from ...domain.chip_verdict import ReasonCode, code
from ..connection import Connection
from .aa import ActiveAuthResult, active_authenticate
from .access import CardKey
from .apdu import parse_command
from .bac import NO_EXPIRY, AccessKey, RandomFn
from .ca import ChipAuthResult, chip_authenticate
from .crosscheck import cross_check
from .errors import FileNotFound, ParseError, SecureMessagingError, UnknownAlgorithm
from .lds.dg1 import Mrz, parse_dg1
from .lds.dg2 import parse_dg2
from .lds.dg13 import Dg13, parse_dg13, parse_partial_date
from .lds.dg15 import parse_dg15
from .lds.security_infos import SecurityInfos, parse_dg14
from .lds.sod import parse_sod
from .opening import access_opener
from .passive import PassiveAuthResult, TrustStore, verify_passive
from .reader import DEFAULT_FILES, ChipReader, read_files

PERSONAL_FIELDS = (
    "id_number", "full_name", "birth_date", "sex", "nationality", "ethnicity", "religion",
    "place_of_origin", "place_of_residence", "identifying_features", "issue_date", "expiry_date",
    "father_name", "mother_name", "spouse_name", "old_id_number",
)
_DATE_FIELDS = {"birth_date", "issue_date", "expiry_date"}


@dataclass(frozen=True, slots=True)
class MrzData:
    document_number: str
    id_number: str | None
    birth_date: str | None  # ISO, or None when the MRZ leaves it unknown
    expiry_date: str | None  # ISO; None for a card without expiry (991231)
    sex: str
    surname: str
    given_names: str
    nationality: str

    @classmethod
    def from_mrz(cls, mrz: Mrz) -> MrzData:
        id_number = mrz.id_number
        century = None
        if id_number is not None:
            century = 1900 + 100 * (int(id_number[3]) // 2)
        return cls(
            mrz.document_number, id_number, _mrz_birth(mrz.birth_date, century),
            None if mrz.expiry_date == NO_EXPIRY else _mrz_date(mrz.expiry_date, 2000),
            mrz.sex, mrz.surname, mrz.given_names, mrz.nationality,
        )


def _mrz_date(yymmdd: str, century: int) -> str | None:
    if not yymmdd.isdigit():
        return None
    try:
        return date(century + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])).isoformat()
    except ValueError:
        return None


def _mrz_birth(yymmdd: str, century: int | None) -> str | None:
    if century is None:
        # ICAO 9303-3: the MRZ has two-digit years; a birth year cannot lie in the future.
        yy = int(yymmdd[:2]) if yymmdd[:2].isdigit() else 0
        century = 2000 if yy <= date.today().year % 100 else 1900
    return _mrz_date(yymmdd, century)


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict of each check with its reason codes (kiosk.domain.chip_verdict). `access` is how
    the chip was opened: "PACE-CAN", "PACE-MRZ" or "BAC"."""

    access: str
    passive: str
    passive_reasons: tuple[str, ...]
    active: str
    chip: str
    active_reasons: tuple[str, ...] = ()
    chip_reasons: tuple[str, ...] = ()
    consistency: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """failed, unverifiable, chain_verified or signature_valid_untrusted (the overall rule)."""
        return chip_verdict.overall_verdict(self.passive, self.active, self.chip)

    def to_json(self) -> dict[str, Any]:
        return {
            "access": self.access,
            "verdict": self.verdict,
            "passive": self.passive,
            "passive_reasons": list(self.passive_reasons),
            "active": self.active,
            "active_reasons": list(self.active_reasons),
            "chip": self.chip,
            "chip_reasons": list(self.chip_reasons),
        }


@dataclass(frozen=True, slots=True)
class ChipReadResult:
    """Everything read and concluded; immutable. `personal` maps field names to text (dates ISO
    when complete or partial, else as written on the chip); missing fields are absent."""

    mrz: MrzData
    personal: Mapping[str, str]
    unknown_fields: Mapping[str, str]
    photo: bytes | None
    photo_mime: str | None
    verification: Verification
    apdu_count: int
    seconds: float
    dg1_sha256: str
    document_number: str
    absent_files: tuple[str, ...] = ()
    denied_files: tuple[str, ...] = ()
    parse_problems: tuple[str, ...] = field(default=())
    key_source: str = "mrz"
    key_mismatch: tuple[str, ...] = ()

    def same_card(self, other: ChipReadResult) -> bool:
        """Whether a re-read is the same card: document number and DG1 hash (a swapped card of
        the same holder has another document number or DG1)."""
        return self.document_number == other.document_number and self.dg1_sha256 == other.dg1_sha256

    def to_json(self) -> dict[str, Any]:
        m = self.mrz
        personal: dict[str, Any] = dict(self.personal)
        personal["unknown_fields"] = dict(self.unknown_fields)
        return {
            "mrz": {
                "document_number": m.document_number,
                "id_number": m.id_number,
                "birth_date": m.birth_date,
                "expiry_date": m.expiry_date,
                "sex": m.sex,
                "surname": m.surname,
                "given_names": m.given_names,
                "nationality": m.nationality,
            },
            "personal": personal,
            "verification": self.verification.to_json(),
            "key": {"source": self.key_source, "opened_with": self.verification.access,
                    "mismatch": list(self.key_mismatch)},
            "apdu_count": self.apdu_count,
            "seconds": self.seconds,
        }


def personal_fields(dg13: Dg13) -> tuple[dict[str, str], dict[str, str]]:
    named: dict[str, str] = {}
    for name in PERSONAL_FIELDS:
        if name == "father_name":
            value = dg13.father_name
        elif name == "mother_name":
            value = dg13.mother_name
        elif name == "spouse_name":
            value = dg13.spouse_name
        else:
            value = dg13.get(name)
        if value is None:
            continue
        if name in _DATE_FIELDS:
            parsed = parse_partial_date(value)
            value = parsed.iso() if parsed is not None else value
        named[name] = value
    unknown = {str(k): v for k, v in sorted(dg13.unknown.items())}
    return named, unknown


def read_and_verify(
    conn: Connection,
    key: CardKey | AccessKey,
    trust: TrustStore | None,
    report: ProgressFn = ignore_progress,
    cancel: CancelToken | None = None,
    *,
    files: Iterable[str] = DEFAULT_FILES,
    now: datetime | None = None,
    rng: RandomFn = os.urandom,
) -> ChipReadResult:
    """Open the chip (PACE, else BAC), read the LDS files, and run passive, chip and active authentication.

    Raises a `ChipError` subclass when the chip cannot be read (wrong key, card removed, no DG1)
    and `Cancelled` when `cancel` is set; verification failures are reported, not raised. What the
    key states about the card (typed dates, the QR code's data) is compared with DG1.
    Long because it is the read's one sequence (open, read, check, authenticate, cross-check) with its
    progress steps and cancellation points between them; each check is its own function.
    """
    started = time.monotonic()
    cancel = cancel or CancelToken()
    opener = access_opener(key, rng)
    reader = ChipReader(conn, opener)
    report(Progress("BAC", None))  # the access step, PACE or BAC (the UI weighs it so)
    reader.open()
    got, absent, denied = read_files(reader, files, report, cancel)
    if "DG1" not in got:
        raise FileNotFound("READ DG1", "the chip has no DG1")
    mrz = parse_dg1(got["DG1"])
    problems: list[str] = []

    dg13 = _parse_optional(got, "DG13", parse_dg13, problems)
    dg2 = _parse_optional(got, "DG2", parse_dg2, problems)
    infos: SecurityInfos | None = _parse_optional(got, "DG14", parse_dg14, problems)
    dg15, active = _active_key(got, problems)

    cancel.raise_if_cancelled()
    report(Progress("PA", None))
    passive = _passive(got, trust, now, problems)

    cancel.raise_if_cancelled()
    report(Progress("CA", None))
    chip = _chip_authentication(reader, got, infos)

    cancel.raise_if_cancelled()
    report(Progress("AA", None))
    active = _active_authentication(reader, got, infos, dg15, rng) or active

    named: dict[str, str] = {}
    unknown: dict[str, str] = {}
    if dg13 is not None:
        named, unknown = personal_fields(dg13)
    verification = Verification(
        access=reader.access,
        passive=passive.verdict,
        passive_reasons=passive.reasons,
        active=active.verdict,
        chip=chip.verdict,
        active_reasons=active.reasons,
        chip_reasons=chip.reasons,
        consistency=cross_check(mrz, dg13),
    )
    photo = dg2.face if dg2 is not None else None
    return ChipReadResult(
        mrz=MrzData.from_mrz(mrz),
        personal=MappingProxyType(named),
        unknown_fields=MappingProxyType(unknown),
        photo=photo.data if photo else None,
        photo_mime=photo.mime if photo else None,
        verification=verification,
        apdu_count=reader.apdu_count,
        seconds=round(time.monotonic() - started, 3),
        dg1_sha256=hashlib.sha256(got["DG1"]).hexdigest(),
        document_number=mrz.document_number,
        absent_files=tuple(absent),
        denied_files=tuple(denied),
        parse_problems=tuple(problems),
        key_source=opener.key.source,
        key_mismatch=opener.key.mismatches(mrz),
    )


def _active_key(got: Mapping[str, bytes], problems: list[str]) -> tuple[Any, ActiveAuthResult]:
    """DG15's key, and the active-authentication verdict should the check not run: not offered, or a
    key the kiosk cannot use (the protocol it advertises cannot be checked)."""
    if "DG15" not in got:
        return None, ActiveAuthResult.of(code(ReasonCode.AA_NOT_OFFERED))
    try:
        return parse_dg15(got["DG15"]), ActiveAuthResult.of(code(ReasonCode.AA_NOT_OFFERED))
    except UnknownAlgorithm:
        return None, ActiveAuthResult.of(code(ReasonCode.AA_UNSUPPORTED_KEY))
    except ParseError:
        problems.append("parse_error:DG15")
        return None, ActiveAuthResult.of(code(ReasonCode.AA_UNSUPPORTED_KEY))


def _chip_authentication(reader: ChipReader, got: Mapping[str, bytes], infos: SecurityInfos | None) -> ChipAuthResult:
    """Chip authentication when DG14 could be read; its new channel carries every later command."""
    if infos is None:
        # A DG14 the chip has but the kiosk cannot use: the protocol it advertises cannot be checked.
        reason = ReasonCode.CA_NOT_OFFERED if "DG14" not in got else ReasonCode.CA_UNREADABLE_INFOS
        return ChipAuthResult.of(code(reason))
    try:
        chip = chip_authenticate(reader, infos)
    except SecureMessagingError:
        return ChipAuthResult.of(code(ReasonCode.CA_SECURE_MESSAGING_ERROR))
    if chip.channel is not None:
        reader.replace_channel(chip.channel)
    return chip


def _active_authentication(
    reader: ChipReader, got: Mapping[str, bytes], infos: SecurityInfos | None, dg15: Any, rng: RandomFn
) -> ActiveAuthResult | None:
    """Active authentication with DG15's key; None when there is no usable key (the verdict stands)."""
    if dg15 is not None and infos is None and "DG14" in got and dg15.algorithm == "ec":
        # DG14 would name the ECDSA hash (ICAO 9303-11 §9.2), but it cannot be read: guessing
        # the curve's hash could call a genuine chip a copy.
        return ActiveAuthResult.of(code(ReasonCode.AA_INFOS_UNREADABLE))
    if dg15 is None:
        return None
    try:
        # The channel is the chip-authentication one, or BAC again after a CA failure.
        return active_authenticate(_ChannelView(reader), dg15, infos.aa_info if infos else None, rng)
    except SecureMessagingError:
        return ActiveAuthResult.of(code(ReasonCode.AA_SECURE_MESSAGING_ERROR))


class _ChannelView:
    """The reader's current secure channel as a `Connection` (reopened if it broke)."""

    def __init__(self, reader: ChipReader) -> None:
        self.reader = reader

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        return self.reader.transmit(parse_command(apdu))

    def close(self) -> None:
        pass


def _parse_optional(got: Mapping[str, bytes], name: str, parser: Any, problems: list[str]) -> Any:
    if name not in got:
        return None
    try:
        return parser(got[name])
    except ParseError:
        problems.append(f"parse_error:{name}")
        return None


def _passive(
    got: Mapping[str, bytes], trust: TrustStore | None, now: datetime | None, problems: list[str]
) -> PassiveAuthResult:
    if "SOD" not in got:
        return PassiveAuthResult("failed", (code(ReasonCode.SOD_MISSING),))
    try:
        sod = parse_sod(got["SOD"])
    except ParseError:
        problems.append("parse_error:SOD")
        return PassiveAuthResult("failed", (code(ReasonCode.SOD_UNREADABLE),))
    dgs = {name: data for name, data in got.items() if name.startswith("DG")}
    return verify_passive(sod, dgs, trust, now)
