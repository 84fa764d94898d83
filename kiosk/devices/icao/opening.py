"""Opening the chip: SELECT the LDS1 application, then the access control a key allows (PACE with
each of its passwords, BAC with the MRZ data), as an `Opener` the reader calls again after every
session restart; and `read_document`, which opens and reads in one go.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from types import MappingProxyType

from kiosk.support.jobs import CancelToken, Progress, ProgressFn, ignore_progress

from ..connection import Connection
from . import apdu
from .access import Attempt, CardKey
from .bac import AccessKey, BacProtocol, RandomFn
from .errors import (
    AccessDenied,
    FileNotFound,
    ParseError,
    SecureMessagingError,
    SecurityStatusNotSatisfied,
    UnexpectedStatus,
    UnsupportedDocument,
)
from .reader import DEFAULT_FILES, ChipReader, DocumentFiles, Opener, read_card_access, read_files
from .status import SM_ERRORS
from .status import StatusWord as SW

log = logging.getLogger(__name__)


def select_lds1(raw: Connection) -> None:
    command = apdu.select_aid().to_bytes()
    _, sw = raw.transmit(command)
    if sw in SM_ERRORS:
        # A chip still in a broken secure-messaging session may refuse the first plain command
        # and drop the session (ISO 7816-4 §10.2); the second SELECT then succeeds.
        _, sw = raw.transmit(command)
    if sw != SW.OK:
        raise UnsupportedDocument("SELECT", "no ICAO LDS1 application", sw)


def bac_opener(key: AccessKey, rng: RandomFn = os.urandom) -> Opener:
    """SELECT the LDS1 application, then BAC; the channel is 3DES secure messaging."""

    def open_(raw: Connection) -> tuple[Connection, str]:
        select_lds1(raw)
        return BacProtocol(raw, rng).run(key).sm, "BAC"

    return open_


#: What a chip answers when it will not run PACE (with this password reference) at all, as opposed
#: to refusing the password itself (AccessDenied at the mutual authentication).
_PACE_REFUSALS = (SecureMessagingError, UnexpectedStatus, UnsupportedDocument, SecurityStatusNotSatisfied)
#: What a chip answers when it will not run BAC: it may not implement it (a PACE-only chip).
_BAC_REFUSALS = (UnexpectedStatus, UnsupportedDocument, SecurityStatusNotSatisfied, FileNotFound)


class KeyOpener:
    """Opens the chip with a `CardKey`: PACE with each of its passwords in order when EF.CardAccess
    offers a suite we implement, BAC with the MRZ data only when PACE is not offered or refused
    (docs/card.md); the key that opened it is kept for every later session of the same read.

    `access` names how it opened ("PACE-CAN", "PACE-MRZ", "BAC"); `opened_with` the attempt.
    """

    def __init__(self, key: CardKey | AccessKey, rng: RandomFn = os.urandom) -> None:
        self.key = CardKey.of(key)
        self.rng = rng
        self.offered: list | None = None
        self.working: tuple[str, Attempt] | None = None
        self.opened_with: Attempt | None = None
        self.refused: list[str] = []

    def __call__(self, raw: Connection) -> tuple[Connection, str]:
        if self.offered is None:
            self.offered = self._pace_suites(raw)
        if self.working is not None:
            return self._open(raw, *self.working)  # the same key again, after a session restart
        return self._first_open(raw)

    def _pace_suites(self, raw: Connection) -> list:
        from .lds.security_infos import parse_card_access
        from .pace import supported

        data = read_card_access(raw)
        if not data:
            return []
        try:
            return [i for i in parse_card_access(data).pace_infos if supported(i)]
        except ParseError as exc:
            log.warning("EF.CardAccess unreadable (%s): BAC", exc.detail)
            return []

    def _first_open(self, raw: Connection) -> tuple[Connection, str]:
        tried = False
        for attempt in self.key.attempts():
            if self.offered:
                tried = True
                try:
                    return self._open(raw, "PACE", attempt)
                except AccessDenied:
                    self.refused.append(f"PACE-{attempt.kind}")
                    continue
                except _PACE_REFUSALS as exc:
                    # The chip will not run PACE with this password. docs/card.md: BAC with the MRZ key
                    # works on the CCCD. Anything else (a removed card, a reader failure, a bug) is
                    # raised, not hidden behind BAC.
                    log.warning("PACE refused with the %s password (%s)", attempt.kind, exc)
            if attempt.kind != "MRZ":
                continue  # BAC knows no CAN
            tried = True
            try:
                return self._open(raw, "BAC", attempt)
            except AccessDenied:
                self.refused.append("BAC")
            except _BAC_REFUSALS as exc:
                if not self.offered:
                    raise  # neither PACE nor BAC: not a chip this reader can open
                log.warning("BAC refused after PACE (%s)", exc)
                self.refused.append("BAC")
        if not tried:
            # A CAN and a chip without PACE: only the MRZ data can open it.
            raise AccessDenied("ACCESS", "the chip offers no PACE: a CAN cannot open it", check="can_needs_pace")
        raise AccessDenied("ACCESS", "the chip refused " + ", ".join(self.refused), check=self.key.source)

    def _open(self, raw: Connection, protocol: str, attempt: Attempt) -> tuple[Connection, str]:
        from .pace import PacePassword, PaceProtocol

        if protocol == "PACE":
            assert self.offered
            if attempt.kind == "CAN":
                assert attempt.can is not None
                password = PacePassword.can(attempt.can)
            else:
                assert attempt.mrz is not None
                password = PacePassword.mrz(attempt.mrz)
            sm = PaceProtocol(raw, self.rng).run(self.offered[0], password).sm
            _, sw = sm.transmit(apdu.select_aid().to_bytes())
            if sw != SW.OK:
                raise UnsupportedDocument("SELECT", "no ICAO LDS1 application", sw)
            channel, label = sm, f"PACE-{attempt.kind}"
        else:
            assert attempt.mrz is not None
            select_lds1(raw)
            channel, label = BacProtocol(raw, self.rng).run(attempt.mrz).sm, "BAC"
        self.working = (protocol, attempt)
        self.opened_with = attempt
        return channel, label


def access_opener(key: CardKey | AccessKey, rng: RandomFn = os.urandom) -> KeyOpener:
    """The opener for a key (see `KeyOpener`)."""
    return KeyOpener(key, rng)


def plain_opener(raw: Connection) -> tuple[Connection, str]:
    """SELECT only, no access control: for chips without BAC and for tests of the read logic."""
    select_lds1(raw)
    return raw, "none"


def read_document(
    conn: Connection,
    key: CardKey | AccessKey,
    report: ProgressFn = ignore_progress,
    cancel: CancelToken | None = None,
    files: Iterable[str] = DEFAULT_FILES,
    *,
    rng: RandomFn = os.urandom,
) -> DocumentFiles:
    """Open (PACE or BAC), then read the named files; absent (6A82) and refused (6982) files are listed."""
    reader = ChipReader(conn, access_opener(key, rng))
    report(Progress("BAC", None))  # the access step, PACE or BAC (the UI weighs it so)
    reader.open()
    got, absent, denied = read_files(reader, files, report, cancel)
    return DocumentFiles(
        MappingProxyType(got), tuple(absent), tuple(denied), reader.access, reader.apdu_count, reader.restarts
    )
