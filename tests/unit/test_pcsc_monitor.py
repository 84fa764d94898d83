"""The PC/SC monitor's state tracking against a fake winscard backend (no pcscd needed)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from smartcard import scard

from kiosk.devices.device_thread import DeviceThread
from kiosk.devices.icao.errors import CardRemoved, NoCard, ReaderUnavailable
from kiosk.devices.pcsc import (
    MonitorCallbacks,
    PcscConnection,
    PcscMonitor,
    ServiceStatus,
    probe,
    readers_with_card,
)


class FakeScard(SimpleNamespace):
    def __init__(self) -> None:
        super().__init__(**{k: getattr(scard, k) for k in dir(scard) if k.startswith("SCARD_")})
        self.service = True
        self.readers: dict[str, bytes | None] = {}
        self.transmit_error: int | None = None

    def SCardEstablishContext(self, scope):
        return (self.SCARD_S_SUCCESS, 1) if self.service else (self.SCARD_E_NO_SERVICE, 0)

    def SCardReleaseContext(self, ctx):
        return self.SCARD_S_SUCCESS

    def SCardListReaders(self, ctx, groups):
        if not self.service:
            return self.SCARD_E_NO_SERVICE, []
        if not self.readers:
            return self.SCARD_E_NO_READERS_AVAILABLE, []
        return self.SCARD_S_SUCCESS, list(self.readers)

    def SCardGetStatusChange(self, ctx, timeout, states):
        out = []
        for reader, _ in states:
            atr = self.readers.get(reader)
            event = self.SCARD_STATE_PRESENT if atr else self.SCARD_STATE_EMPTY
            out.append((reader, event | self.SCARD_STATE_CHANGED, list(atr or b"")))
        return self.SCARD_S_SUCCESS, out

    def SCardConnect(self, ctx, reader, share, protocols):
        if reader not in self.readers:
            return self.SCARD_E_UNKNOWN_READER, 0, 0
        if self.readers[reader] is None:
            return self.SCARD_E_NO_SMARTCARD, 0, 0
        return self.SCARD_S_SUCCESS, 7, self.SCARD_PROTOCOL_T1

    def SCardTransmit(self, card, pci, apdu):
        if self.transmit_error is not None:
            return self.transmit_error, []
        return self.SCARD_S_SUCCESS, [0x90, 0x00]

    def SCardDisconnect(self, card, disposition):
        return self.SCARD_S_SUCCESS


def test_probe_distinguishes_service_and_reader():
    fake = FakeScard()
    assert probe(fake).status is ServiceStatus.NO_READER
    fake.readers["R1"] = None
    assert probe(fake).status is ServiceStatus.READY
    fake.readers["R2"] = b"\x3b\x80"
    assert readers_with_card(["R1", "R2"], fake) == ["R2"]
    fake.service = False
    assert probe(fake).status is ServiceStatus.NO_SERVICE


def test_monitor_reports_transitions():
    fake = FakeScard()
    events: list[tuple] = []
    callbacks = MonitorCallbacks(
        on_service=lambda up: events.append(("service", up)),
        on_reader_added=lambda r: events.append(("added", r)),
        on_reader_removed=lambda r: events.append(("removed", r)),
        on_card_inserted=lambda r, atr: events.append(("card", r, atr)),
        on_card_removed=lambda r: events.append(("nocard", r)),
    )
    device = DeviceThread("test-pcsc")
    monitor = PcscMonitor(device, callbacks, backend=fake)
    try:
        poll = lambda: device.call(monitor.poll_once)  # noqa: E731
        poll()
        fake.readers["R1"] = None
        poll()
        fake.readers["R1"] = b"\x3b\x80"
        poll()
        poll()
        fake.readers["R1"] = None
        poll()
        fake.readers["R1"] = b"\x3b\x81"
        poll()
        fake.service = False
        poll()
    finally:
        device.shutdown()
    assert events == [
        ("service", True),
        ("added", "R1"),
        ("card", "R1", b"\x3b\x80"),
        ("nocard", "R1"),
        ("card", "R1", b"\x3b\x81"),
        ("nocard", "R1"),
        ("removed", "R1"),
        ("service", False),
    ]


def test_connection_error_mapping():
    fake = FakeScard()
    fake.readers["R1"] = None
    with pytest.raises(NoCard):
        PcscConnection.open("R1", backend=fake)
    with pytest.raises(ReaderUnavailable):
        PcscConnection.open("R2", backend=fake)
    fake.readers["R1"] = b"\x3b"
    conn = PcscConnection.open("R1", backend=fake)
    assert conn.transmit(b"\x00\x84\x00\x00\x08") == (b"", 0x9000)
    fake.transmit_error = fake.SCARD_W_REMOVED_CARD
    with pytest.raises(CardRemoved):
        conn.transmit(b"\x00\x84\x00\x00\x08")
    conn.close()
