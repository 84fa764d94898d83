"""Reading the LDS1 application: select, open the secure channel, READ BINARY with fallbacks.

The reader owns the session: after a secure-messaging or transport error it restarts from
SELECT (docs/card.md: "any secure-messaging MAC failure or transport error ends the session") and
resumes at the same offset, at most `max_restarts` times per read.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ...jobs import CancelToken, Progress, ProgressFn, ignore_progress
from ..connection import Connection, CountingConnection
from . import apdu
from .access import Attempt, CardKey
from .bac import AccessKey, BacProtocol, RandomFn
from .errors import (
    AccessDenied,
    ChipError,
    FileNotFound,
    ParseError,
    SecureMessagingError,
    SecurityStatusNotSatisfied,
    TransportError,
    UnexpectedStatus,
    UnsupportedDocument,
    status_error,
)
from .lds.tlv import read_header
from .sm import SecureMessaging
from .status import SM_ERRORS
from .status import StatusWord as SW

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LdsFile:
    name: str
    fid: int
    sfi: int


FILES: Mapping[str, LdsFile] = MappingProxyType(
    {
        "COM": LdsFile("COM", 0x011E, 0x1E),
        "SOD": LdsFile("SOD", 0x011D, 0x1D),
        "CardAccess": LdsFile("CardAccess", 0x011C, 0x1C),
        **{f"DG{n}": LdsFile(f"DG{n}", 0x0100 + n, n) for n in range(1, 17)},
    }
)

DEFAULT_FILES = ("COM", "SOD", "DG1", "DG13", "DG14", "DG15", "DG2")

#: Plaintext bytes per short secure-messaging READ BINARY: 223 keeps the protected response
#: within 256 bytes with 3DES padding and MAC (docs/card.md; a chip may allow up to 231).
SHORT_CHUNK = 0xDF
EXTENDED_CHUNK = 0x7F00
_HEADER_READ = 8
_MAX_RETRIES_PER_CHUNK = 8

Opener = Callable[[Connection], tuple[Connection, str]]


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


class ChipReader:
    """An open LDS1 session with file reading, chunk-size fallback and session restart."""

    def __init__(
        self,
        conn: Connection,
        opener: Opener,
        *,
        short_chunk: int = SHORT_CHUNK,
        try_extended: bool = True,
        extended_chunk: int = EXTENDED_CHUNK,
        max_restarts: int = 3,
    ) -> None:
        self.raw = CountingConnection(conn)
        self.opener = opener
        self.short_chunk = short_chunk
        self.extended_chunk = extended_chunk
        # None = not probed yet; the probe happens once, on the first read that would profit.
        self.extended: bool | None = None if try_extended else False
        self.max_restarts = max_restarts
        self.restarts = 0
        self.access = ""
        self._secure: Connection | None = None
        self._current: str | None = None
        self._allow_restart = True

    @property
    def apdu_count(self) -> int:
        return self.raw.count

    @property
    def secure(self) -> Connection:
        if self._secure is None:
            self.open()
        assert self._secure is not None
        return self._secure

    def open(self) -> None:
        self._current = None
        self._secure, self.access = self.opener(self.raw)

    def replace_channel(self, channel: Connection) -> None:
        """Continue on a new secure channel (after chip authentication)."""
        self._secure = channel
        self._current = None

    def restart(self, cause: ChipError) -> None:
        if not self._allow_restart:
            raise cause
        self.restarts += 1
        if self.restarts > self.max_restarts:
            raise cause
        self.open()

    def _needs_restart(self) -> bool:
        chan = self._secure
        return isinstance(chan, SecureMessaging) and (chan.broken or chan.desynchronised)

    def transmit(self, command: apdu.CommandApdu) -> tuple[bytes, int]:
        """Send one command on the secure channel (no retry: for AA/CA, which are not idempotent)."""
        if self._needs_restart():
            self.open()
        return self.secure.transmit(command.to_bytes())

    def read_file(
        self,
        name: str,
        on_progress: Callable[[float], None] | None = None,
        cancel: CancelToken | None = None,
        *,
        restart: bool = True,
        first_read: int = _HEADER_READ,
    ) -> bytes:
        """Read a whole elementary file; raises FileNotFound (6A82) or SecurityStatusNotSatisfied
        (6982). With `restart` false a broken session raises instead of being reopened (used to
        test a channel, e.g. after chip authentication). The first command asks for `first_read`
        bytes (the TLV header; a small file read whole takes a larger first read)."""
        f = FILES[name]
        self._allow_restart = restart
        step = f"READ {name}"
        head = self._read_chunk(f, 0, first_read, step, allow_extended=False)
        if not head:
            # An empty file is the parser's problem (BSI TR-03105-5 "empty file"), not the reader's.
            return b""
        try:
            _, value_start, length = read_header(head, 0, step)
        except ParseError:
            raise ParseError(step, "file does not start with a TLV header") from None
        total = value_start + length
        buf = bytearray(head[:total])
        while len(buf) < total:
            if cancel is not None:
                cancel.raise_if_cancelled()
            chunk = self._read_chunk(f, len(buf), total - len(buf), step)
            if not chunk:
                raise ParseError(step, f"file ends at {len(buf)} of its declared {total} bytes")
            buf += chunk[: total - len(buf)]
            if on_progress is not None:
                on_progress(len(buf) / total)
        return bytes(buf)

    def probe(self, name: str) -> None:
        """One READ BINARY of a file's first bytes on the current channel, never reopened: proves that
        the chip answers under the channel's keys (after chip authentication) without a whole re-read.
        Raises SecureMessagingError when the answer does not verify, ChipError on a refusal."""
        self._allow_restart = False
        step = f"READ {name}"
        self._current = None  # by short file identifier: one command, whatever was selected before
        self._read_chunk(FILES[name], 0, _HEADER_READ, step, allow_extended=False)

    def _read_chunk(self, f: LdsFile, offset: int, want: int, step: str, allow_extended: bool = True) -> bytes:
        probe = allow_extended and self.extended is None and want > self.short_chunk
        use_ext = probe or (allow_extended and self.extended is True and want > self.short_chunk)
        ne = min(want, self.extended_chunk if use_ext else self.short_chunk)
        for _ in range(_MAX_RETRIES_PER_CHUNK):
            try:
                data, sw = self._read_raw(f, offset, ne, use_ext)
            except (SecureMessagingError, TransportError) as exc:
                if use_ext and self.extended is not True:
                    # A reader or chip that cannot carry extended length may break the session.
                    self.extended = False
                    use_ext = False
                    ne = min(want, self.short_chunk)
                self.restart(exc)
                continue
            if sw == SW.OK:
                if use_ext and data:
                    self.extended = True
                return data
            if sw == SW.END_OF_FILE:
                # ISO 7816-4: end of file reached before Ne bytes; keep what came back. A chip that
                # says so in the middle of a file caps its answers: ask for less from now on.
                if data and len(data) < min(ne, want) and not use_ext:
                    self.short_chunk = min(self.short_chunk, len(data))
                return data
            if sw == SW.WRONG_P1P2:
                return b""
            if sw >> 8 == 0x6C:
                exact = (sw & 0xFF) or 256
                if use_ext and exact <= self.short_chunk:
                    self.extended = False
                    use_ext = False
                ne = min(ne, exact)
                if not use_ext:
                    self.short_chunk = min(self.short_chunk, exact)
                continue
            if sw == SW.WRONG_LENGTH:
                if use_ext:
                    self.extended = False
                    use_ext = False
                    ne = min(want, self.short_chunk)
                    continue
                if ne <= 1:
                    break
                ne = max(1, ne // 2)
                self.short_chunk = ne
                continue
            if use_ext and sw not in (SW.FILE_NOT_FOUND, SW.SECURITY_STATUS_NOT_SATISFIED):
                self.extended = False
                use_ext = False
                ne = min(want, self.short_chunk)
                continue
            raise status_error(step, sw)
        raise ParseError(step, "chip kept refusing every read length")

    def _read_raw(self, f: LdsFile, offset: int, ne: int, extended: bool) -> tuple[bytes, int]:
        if self._needs_restart():
            if not self._allow_restart:
                raise SecureMessagingError("SM", "session ended")
            self.open()
        chan = self.secure
        if self._current != f.name:
            if offset <= 0xFF:
                data, sw = chan.transmit(apdu.read_binary(offset, ne, sfi=f.sfi, extended=extended).to_bytes())
                if sw in (SW.OK, SW.END_OF_FILE):
                    self._current = f.name
                return data, sw
            _, sw = chan.transmit(apdu.select_ef(f.fid).to_bytes())
            if sw != SW.OK:
                return b"", sw
            self._current = f.name
        return chan.transmit(apdu.read_binary(offset, ne, extended=extended).to_bytes())


@dataclass(frozen=True, slots=True)
class DocumentFiles:
    """What a read produced: raw file bytes by name, and which files were absent or refused."""

    files: Mapping[str, bytes]
    absent: tuple[str, ...]
    denied: tuple[str, ...]
    access: str
    apdu_count: int
    restarts: int


def read_files(
    reader: ChipReader,
    names: Iterable[str],
    report: ProgressFn = ignore_progress,
    cancel: CancelToken | None = None,
) -> tuple[dict[str, bytes], list[str], list[str]]:
    files: dict[str, bytes] = {}
    absent: list[str] = []
    denied: list[str] = []
    for name in names:
        if cancel is not None:
            cancel.raise_if_cancelled()
        report(Progress(name, 0.0))
        try:
            files[name] = reader.read_file(name, lambda frac, n=name: report(Progress(n, frac)), cancel)
        except FileNotFound:
            absent.append(name)
        except SecurityStatusNotSatisfied:
            # docs/card.md: DG3 answers 6982 (needs terminal authentication); skip it.
            denied.append(name)
        report(Progress(name, 1.0))
    return files, absent, denied


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


def read_card_access(conn: Connection) -> bytes | None:
    """EF.CardAccess, read in the master file without secure messaging; None when absent.

    docs/card.md: SELECT MF answers 6D00 on the CCCD, so select the EF directly.
    """
    f = FILES["CardAccess"]
    reader = ChipReader(conn, lambda raw: (raw, "none"), try_extended=False, max_restarts=0)
    reader.open()
    try:
        # A few hundred bytes outside secure messaging: ask for a whole short answer at once.
        return reader.read_file(f.name, first_read=reader.short_chunk)
    except (FileNotFound, SecurityStatusNotSatisfied, UnsupportedDocument):
        return None
    except ChipError as exc:
        if exc.sw is not None:
            return None
        raise
