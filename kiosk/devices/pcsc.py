"""PC/SC transport, reader listing and hot-plug monitoring; the only module that imports pyscard.

Every function here must run on the `DeviceThread`; the monitor schedules its polls there too.
Errors are mapped to the typed hierarchy: no service or no reader → ReaderUnavailable, empty
reader → NoCard, card pulled mid-session → CardRemoved.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from smartcard import scard

from .device_thread import DeviceThread
from .icao.errors import CardRemoved, NoCard, ReaderUnavailable, TransportError, UnsupportedDocument

__all__ = [
    "DeviceThread", "MonitorCallbacks", "PcscConnection", "PcscMonitor", "ServiceProbe", "ServiceStatus",
    "list_readers", "probe", "readers_with_card",
]

log = logging.getLogger(__name__)

_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE}
_NO_READER = {scard.SCARD_E_NO_READERS_AVAILABLE}
_READER_GONE = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}
_NO_CARD = {scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD}
_REMOVED = {scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_RESET_CARD}
_MUTE = {scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_W_UNPOWERED_CARD, scard.SCARD_E_PROTO_MISMATCH}


def _message(hresult: int) -> str:
    return f"{scard.SCardGetErrorMessage(hresult)} ({hresult & 0xFFFFFFFF:08X})"


class ServiceStatus(Enum):
    NO_SERVICE = "no_service"
    NO_READER = "no_reader"
    READY = "ready"


@dataclass(frozen=True, slots=True)
class ServiceProbe:
    status: ServiceStatus
    readers: tuple[str, ...] = ()


def probe(backend: Any = scard) -> ServiceProbe:
    """Tell "no PC/SC service" from "service up, no reader" from "readers present"."""
    hr, ctx = backend.SCardEstablishContext(backend.SCARD_SCOPE_USER)
    if hr != backend.SCARD_S_SUCCESS:
        return ServiceProbe(ServiceStatus.NO_SERVICE)
    try:
        hr, readers = backend.SCardListReaders(ctx, [])
        if hr in _NO_READER or (hr == backend.SCARD_S_SUCCESS and not readers):
            return ServiceProbe(ServiceStatus.NO_READER)
        if hr != backend.SCARD_S_SUCCESS:
            return ServiceProbe(ServiceStatus.NO_SERVICE)
        return ServiceProbe(ServiceStatus.READY, tuple(readers))
    finally:
        backend.SCardReleaseContext(ctx)


def readers_with_card(readers: Iterable[str], backend: Any = scard) -> list[str]:
    """The readers among `readers` that hold a (responsive) card right now."""
    names = list(readers)
    if not names:
        return []
    hr, ctx = backend.SCardEstablishContext(backend.SCARD_SCOPE_USER)
    if hr != backend.SCARD_S_SUCCESS:
        return []
    try:
        hr, states = backend.SCardGetStatusChange(ctx, 0, [(r, backend.SCARD_STATE_UNAWARE) for r in names])
        if hr not in (backend.SCARD_S_SUCCESS, backend.SCARD_E_TIMEOUT):
            return []
        return [
            reader for reader, event, _ in states
            if event & backend.SCARD_STATE_PRESENT and not event & backend.SCARD_STATE_MUTE
        ]
    finally:
        backend.SCardReleaseContext(ctx)


def list_readers(backend: Any = scard) -> list[str]:
    result = probe(backend)
    if result.status is ServiceStatus.NO_SERVICE:
        raise ReaderUnavailable("LIST READERS", "no PC/SC service")
    return list(result.readers)


class PcscConnection:
    """An exclusive PC/SC connection to the card in one reader (T=1 preferred, T=0 accepted)."""

    def __init__(self, backend: Any, context: int, card: int, protocol: int, reader: str) -> None:
        self._b = backend
        self._context = context
        self._card = card
        self.protocol = protocol
        self.reader = reader
        self._closed = False

    @classmethod
    def open(cls, reader: str, *, exclusive: bool = True, backend: Any = scard) -> PcscConnection:
        b = backend
        step = "CONNECT"
        hr, ctx = b.SCardEstablishContext(b.SCARD_SCOPE_USER)
        if hr != b.SCARD_S_SUCCESS:
            raise ReaderUnavailable(step, "no PC/SC service: " + _message(hr))
        share = b.SCARD_SHARE_EXCLUSIVE if exclusive else b.SCARD_SHARE_SHARED
        hr, card, protocol = b.SCardConnect(ctx, reader, share, b.SCARD_PROTOCOL_T1 | b.SCARD_PROTOCOL_T0)
        if hr != b.SCARD_S_SUCCESS:
            b.SCardReleaseContext(ctx)
            if hr in _NO_CARD:
                raise NoCard(step, _message(hr))
            if hr in _MUTE:
                raise UnsupportedDocument(step, "card does not answer: " + _message(hr))
            if hr == b.SCARD_E_SHARING_VIOLATION:
                raise ReaderUnavailable(step, "reader in use by another program")
            raise ReaderUnavailable(step, _message(hr))
        return cls(b, ctx, card, protocol, reader)

    @property
    def atr(self) -> bytes:
        hr, _, _, _, atr = self._b.SCardStatus(self._card)
        if hr != self._b.SCARD_S_SUCCESS:
            raise CardRemoved("STATUS", _message(hr))
        return bytes(atr)

    def _send(self, apdu: bytes) -> tuple[bytes, int]:
        b = self._b
        if self._closed:
            raise TransportError("TRANSMIT", "connection closed")
        pci = b.SCARD_PCI_T1 if self.protocol == b.SCARD_PROTOCOL_T1 else b.SCARD_PCI_T0
        hr, response = b.SCardTransmit(self._card, pci, list(apdu))
        if hr != b.SCARD_S_SUCCESS:
            if hr in _REMOVED:
                raise CardRemoved("TRANSMIT", _message(hr))
            if hr in _READER_GONE or hr in _NO_SERVICE:
                raise ReaderUnavailable("TRANSMIT", _message(hr))
            self._raise_removed_if_gone(_message(hr))
            raise TransportError("TRANSMIT", _message(hr))
        if len(response) < 2:
            self._raise_removed_if_gone("empty response")
            raise TransportError("TRANSMIT", "response shorter than a status word")
        raw = bytes(response)
        return raw[:-2], int.from_bytes(raw[-2:], "big")

    def _raise_removed_if_gone(self, detail: str, grace: float = 1.0) -> None:
        """A card leaving the field mid-command shows as a failed transaction (80100016) or an
        empty answer before the reader state says "empty"; wait briefly for the state to tell."""
        b = self._b
        deadline = time.monotonic() + grace
        while True:
            hr, states = b.SCardGetStatusChange(self._context, 0, [(self.reader, b.SCARD_STATE_UNAWARE)])
            if hr == b.SCARD_S_SUCCESS and states:
                event = states[0][1]
                if not event & b.SCARD_STATE_PRESENT or event & b.SCARD_STATE_MUTE:
                    raise CardRemoved("TRANSMIT", detail)
            if time.monotonic() >= deadline:
                return
            time.sleep(0.05)

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        data, sw = self._send(apdu)
        # ISO 7816-3 T=0: 61xx says more data waits; fetch it with GET RESPONSE.
        while sw >> 8 == 0x61 and self.protocol != self._b.SCARD_PROTOCOL_T1:
            more, sw = self._send(bytes([apdu[0] & 0x03, 0xC0, 0, 0, sw & 0xFF]))
            data += more
        return data, sw

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Reset so no secure-messaging session outlives the read.
        self._b.SCardDisconnect(self._card, self._b.SCARD_RESET_CARD)
        self._b.SCardReleaseContext(self._context)

    def __enter__(self) -> PcscConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class MonitorCallbacks:
    """Plain callbacks, called on the device thread; the UI turns them into signals."""

    on_service: Callable[[bool], None] = lambda up: None
    on_reader_added: Callable[[str], None] = lambda reader: None
    on_reader_removed: Callable[[str], None] = lambda reader: None
    on_card_inserted: Callable[[str, bytes], None] = lambda reader, atr: None
    on_card_removed: Callable[[str], None] = lambda reader: None


class PcscMonitor:
    """Polls PC/SC on the device thread and reports service, reader and card changes.

    Each poll is one short job (SCardGetStatusChange with timeout 0), so a read submitted to the
    same thread waits at most one poll; a scheduler thread only submits the polls.
    """

    def __init__(
        self, device: DeviceThread, callbacks: MonitorCallbacks, *, interval: float = 0.5, backend: Any = scard
    ) -> None:
        self.device = device
        self.callbacks = callbacks
        self.interval = interval
        self._b = backend
        self._context: int | None = None
        self._service_up: bool | None = None
        self._cards: dict[str, bool] = {}
        self._atrs: dict[str, bytes] = {}
        self._events: dict[str, int] = {}
        self._stop = threading.Event()
        self._scheduler: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._scheduler = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._scheduler.start()

    def stop(self) -> None:
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.join()
            self._scheduler = None
        self.device.call(self._release)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.device.submit(self.poll_once).result()
            except RuntimeError:
                return  # the device thread shut down
            except Exception:  # a callback failed; keep monitoring
                log.exception("PC/SC monitor poll failed")
            self._stop.wait(self.interval)

    def _release(self) -> None:
        if self._context is not None:
            self._b.SCardReleaseContext(self._context)
            self._context = None

    def _service(self, up: bool) -> None:
        if self._service_up is not up:
            self._service_up = up
            self.callbacks.on_service(up)

    def _drop_all_readers(self) -> None:
        for reader in list(self._cards):
            if self._cards.pop(reader):
                self.callbacks.on_card_removed(reader)
            self._atrs.pop(reader, None)
            self._events.pop(reader, None)
            self.callbacks.on_reader_removed(reader)

    def poll_once(self) -> None:
        b = self._b
        if self._context is None:
            hr, ctx = b.SCardEstablishContext(b.SCARD_SCOPE_USER)
            if hr != b.SCARD_S_SUCCESS:
                self._drop_all_readers()
                self._service(False)
                return
            self._context = ctx
        hr, readers = b.SCardListReaders(self._context, [])
        if hr in _NO_READER:
            readers = []
        elif hr != b.SCARD_S_SUCCESS:
            self._release()
            self._drop_all_readers()
            self._service(False)
            return
        self._service(True)
        current = list(readers)
        for reader in [r for r in self._cards if r not in current]:
            if self._cards.pop(reader):
                self.callbacks.on_card_removed(reader)
            self._atrs.pop(reader, None)
            self._events.pop(reader, None)
            self.callbacks.on_reader_removed(reader)
        for reader in current:
            if reader not in self._cards:
                self._cards[reader] = False
                self.callbacks.on_reader_added(reader)
        if not current:
            return
        states = [(r, b.SCARD_STATE_UNAWARE) for r in current]
        hr, changed = b.SCardGetStatusChange(self._context, 0, states)
        if hr not in (b.SCARD_S_SUCCESS, b.SCARD_E_TIMEOUT):
            return
        for reader, event, atr in changed:
            present = bool(event & b.SCARD_STATE_PRESENT) and not event & b.SCARD_STATE_MUTE
            was = self._cards.get(reader, False)
            # The upper word of the event state counts insertions and removals (pcsc-lite and
            # WinSCard alike): a card swapped between two polls has the same ATR as the last one
            # when both are CCCDs, but a new count.
            count = event >> 16
            swapped = was and count != self._events.get(reader, count)
            self._events[reader] = count
            if present and (not was or swapped or bytes(atr) != self._atrs.get(reader)):
                if was:
                    self.callbacks.on_card_removed(reader)
                self._cards[reader] = True
                self._atrs[reader] = bytes(atr)
                self.callbacks.on_card_inserted(reader, bytes(atr))
            elif not present and was:
                self._cards[reader] = False
                self._atrs.pop(reader, None)
                self.callbacks.on_card_removed(reader)
