"""The vpcd bridge against a stand-in vpcd server: framing, control commands, removal, reconnect."""

from __future__ import annotations

import socket
import threading

import pytest

from kiosk.devices.vchip.card import LeftTheField
from kiosk.devices.vchip.vpcd import VirtualReaderSlot, reader_name_for_port


class EchoCard:
    """Answers every APDU with its INS byte and 9000; counts power-ons; can remove itself."""

    atr = bytes.fromhex("3B800180")

    def __init__(self, remove_on: int | None = None) -> None:
        self.powered = 0
        self.seen = 0
        self.remove_on = remove_on

    def power_on(self) -> bytes:
        self.powered += 1
        return self.atr

    def process(self, apdu: bytes) -> bytes:
        self.seen += 1
        if self.remove_on is not None and self.seen >= self.remove_on:
            raise LeftTheField
        return bytes([apdu[1]]) + b"\x90\x00"


class FakeVpcd:
    """Plays vpcd's server side on an ephemeral port (vsmartcard vpcd: length-prefixed frames)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.server.settimeout(5)
        self.conn: socket.socket | None = None

    def accept(self) -> None:
        self.conn, _ = self.server.accept()
        self.conn.settimeout(5)

    def send(self, payload: bytes) -> None:
        assert self.conn is not None
        self.conn.sendall(len(payload).to_bytes(2, "big") + payload)

    def recv(self) -> bytes | None:
        assert self.conn is not None
        header = self.conn.recv(2)
        if not header:
            return None
        n = int.from_bytes(header, "big")
        data = b""
        while len(data) < n:
            data += self.conn.recv(n - len(data))
        return data

    def close(self) -> None:
        if self.conn:
            self.conn.close()
        self.server.close()


@pytest.fixture()
def vpcd():
    server = FakeVpcd()
    yield server
    server.close()


def insert(vpcd: FakeVpcd, card, **kwargs) -> VirtualReaderSlot:
    slot = VirtualReaderSlot(vpcd.port)
    accepted = threading.Thread(target=vpcd.accept)
    accepted.start()
    slot.insert(card, **kwargs)
    accepted.join()
    return slot


def test_reader_names():
    assert reader_name_for_port(35963) == "Virtual PCD 00 00"
    assert reader_name_for_port(35964) == "Virtual PCD 00 01"


def test_control_commands_and_apdus(vpcd):
    card = EchoCard()
    slot = insert(vpcd, card)
    try:
        vpcd.send(b"\x04")
        assert vpcd.recv() == card.atr
        assert not slot.wait_until_powered(0.01), "an ATR poll before power-on is not an insertion"
        vpcd.send(b"\x01")
        vpcd.send(b"\x04")
        assert vpcd.recv() == card.atr
        assert slot.wait_until_powered(2)
        assert card.powered == 1, "ATR polls must not reset the card"
        vpcd.send(bytes.fromhex("00A4040C"))
        assert vpcd.recv() == bytes.fromhex("A49000")
        vpcd.send(b"\x02")
        vpcd.send(bytes.fromhex("0084000008"))
        assert vpcd.recv() == bytes.fromhex("849000")
        assert card.powered == 2
    finally:
        slot.remove()
    assert vpcd.recv() is None, "removal closes the connection"


def test_card_removing_itself_closes_the_connection(vpcd):
    card = EchoCard(remove_on=2)
    slot = insert(vpcd, card)
    vpcd.send(bytes.fromhex("00A4040C"))
    assert vpcd.recv() == bytes.fromhex("A49000")
    vpcd.send(bytes.fromhex("00B00000"))
    assert vpcd.recv() is None
    slot.remove()
    assert slot.error is None


def test_reconnects_when_vpcd_drops_the_connection(vpcd):
    card = EchoCard()
    slot = insert(vpcd, card, reconnect=True)
    try:
        vpcd.conn.close()
        vpcd.accept()  # the bridge comes back on its own
        vpcd.send(bytes.fromhex("00CA0000"))
        assert vpcd.recv() == bytes.fromhex("CA9000")
    finally:
        slot.remove()


def test_unreachable_vpcd_names_the_package():
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    with pytest.raises(ConnectionError, match="vpcd"):
        VirtualReaderSlot(port, connect_timeout=1).insert(EchoCard())
