"""Reading the LDS1 application: READ BINARY with fallbacks, on a channel an `Opener` opens
(`kiosk.devices.icao.opening`: SELECT, then PACE or BAC).

The reader owns the session: after a secure-messaging or transport error it restarts from
SELECT (docs/card.md: "any secure-messaging MAC failure or transport error ends the session") and
resumes at the same offset, at most `max_restarts` times per read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from kiosk.support.jobs import CancelToken, Progress, ProgressFn, ignore_progress

from ..connection import Connection, CountingConnection
from . import apdu
from .errors import (
    ChipError,
    FileNotFound,
    ParseError,
    SecureMessagingError,
    SecurityStatusNotSatisfied,
    TransportError,
    UnsupportedDocument,
    status_error,
)
from .lds.tlv import read_header
from .sm import SecureMessaging
from .status import StatusWord as SW


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
