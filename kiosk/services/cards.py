"""Reading the citizen's card (đọc chip CCCD): the thin use case over the chip stack.

All PC/SC calls run on the one device thread; this layer adds the role check, the trust store of
the data folder, the choice of reader, and the audit entry (which never holds the personal data).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.devices.icao.errors import ChipError
from kiosk.domain import chip_verdict
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.explain import explain
from kiosk.services.permissions import require
from kiosk.support.jobs import CancelToken, ProgressFn, ignore_progress

if TYPE_CHECKING:
    from kiosk.db.engine import Database
    from kiosk.devices.device_thread import DeviceThread
    from kiosk.devices.icao.access import CardKey
    from kiosk.devices.icao.bac import AccessKey
    from kiosk.devices.icao.document import ChipReadResult
    from kiosk.devices.icao.passive import TrustAnchor, TrustStore

log = logging.getLogger(__name__)


#: The fields of a key that DG1 contradicted, as the officer reads them.
KEY_FIELD_NAMES: dict[str, tuple[str, str]] = {
    "document_number": ("số định danh", "ID number"),
    "birth_date": ("ngày sinh", "birth date"),
    "expiry_date": ("ngày hết hạn", "expiry date"),
}


def key_mismatch_sentence(fields: Iterable[str], language: str = "vi") -> str:
    """What the officer is told when the key they gave contradicts the chip (the chip opened anyway)."""
    names = ", ".join(KEY_FIELD_NAMES[f][1 if language == "en" else 0] for f in fields)
    if language == "en":
        return f"The key typed does not match the chip: {names}. Check the card and the papers."
    return f"Khóa đã nhập không khớp với chip: {names}. Kiểm tra lại thẻ và giấy tờ."


def error_kind(exc: BaseException) -> str:
    """The name of a chip error for the audit and the CLI's JSON (its class, or the nearest known base)."""
    return explain(exc).code if isinstance(exc, ChipError) else ChipError.__name__


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
