"""Put a `VirtualCard` behind pcscd through vsmartcard's vpcd driver.

vpcd listens on TCP (35963 for its first slot, 35964 for the second, and so on); a virtual card
connects to it as a client. Every message either way is a 2-byte big-endian length and a payload.
A 1-byte payload from vpcd is a control command (0x00 power off, 0x01 power on, 0x02 reset,
0x04 get ATR — only the last one is answered); anything longer is a command APDU, answered with
the response APDU (vsmartcard, virtualsmartcard/src/vpcd/vpcd.c). Closing the socket is how a
card leaves the reader: pcscd's next presence poll sees the slot empty.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Protocol

log = logging.getLogger(__name__)

VPCD_BASE_PORT = 35963
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)


class Card(Protocol):
    atr: bytes

    def power_on(self) -> bytes: ...

    def process(self, apdu: bytes) -> bytes: ...


def reader_name_for_port(port: int) -> str:
    """The PC/SC name pcscd gives a vpcd slot: "Virtual PCD 00 00" for 35963, "… 00 01" for 35964."""
    return f"Virtual PCD 00 {port - VPCD_BASE_PORT:02d}"


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        if _QUICKACK is not None:
            # vpcd writes the length and the payload separately; with Nagle on its side and our
            # delayed ACK every APDU would stall ~40 ms. Linux re-arms delayed ACK, so ask again.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


class VirtualReaderSlot:
    """One vpcd slot with at most one virtual card in it; the card is served on its own thread."""

    def __init__(self, port: int = VPCD_BASE_PORT, host: str = "127.0.0.1", *,
                 connect_timeout: float = 10.0) -> None:
        self.port = port
        self.host = host
        self.connect_timeout = connect_timeout
        self._card: Card | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._atr_sent = threading.Event()
        self._lock = threading.Lock()
        self.error: BaseException | None = None

    @property
    def reader_name(self) -> str:
        return reader_name_for_port(self.port)

    @property
    def card(self) -> Card | None:
        return self._card

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def insert(self, card: Card, *, reconnect: bool = False) -> None:
        """Connect to vpcd with `card` in the slot. With `reconnect`, a connection that vpcd drops
        (pcscd restarted) is re-established until `remove()`; a card that removes itself is not."""
        self.remove()
        self._card = card
        self._stop.clear()
        self._atr_sent.clear()
        self.error = None
        sock = self._connect()
        with self._lock:
            self._sock = sock
        self._thread = threading.Thread(target=self._serve, args=(sock, reconnect),
                                        name=f"vpcd-{self.port}", daemon=True)
        self._thread.start()

    def wait_until_powered(self, timeout: float = 10.0) -> bool:
        """True once pcscd has powered the card and read its ATR, i.e. it has noticed the card
        (pcscd may publish the new reader state a few milliseconds later)."""
        return self._atr_sent.wait(timeout)

    def remove(self) -> None:
        """Take the card out: close the connection so pcscd sees an empty slot."""
        self._stop.set()
        self._close_socket()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._card = None

    close = remove

    def __enter__(self) -> VirtualReaderSlot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise ConnectionError(
                f"cannot reach vpcd on {self.host}:{self.port} — is pcscd running with the "
                f"vsmartcard vpcd driver (package vsmartcard-vpcd)? ({exc})") from exc
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _close_socket(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _serve(self, sock: socket.socket, reconnect: bool) -> None:
        from kiosk.devices.vchip.card import LeftTheField

        while not self._stop.is_set():
            try:
                self._serve_connection(sock)
            except LeftTheField:
                log.debug("virtual card on port %d removed itself", self.port)
                self._close_socket()
                return
            except OSError as exc:
                if self._stop.is_set():
                    return
                log.debug("vpcd connection on port %d lost: %s", self.port, exc)
            except BaseException as exc:  # a chip bug must not kill pcscd's view silently
                self.error = exc
                log.exception("virtual card crashed")
                self._close_socket()
                return
            self._close_socket()
            if not reconnect or self._stop.wait(0.5):
                return
            try:
                sock = self._connect()
            except ConnectionError:
                continue
            with self._lock:
                self._sock = sock

    def _serve_connection(self, sock: socket.socket) -> None:
        card = self._card
        assert card is not None
        powered = False
        while not self._stop.is_set():
            header = _recv_exact(sock, 2)
            if header is None:
                raise OSError("vpcd closed the connection")
            length = int.from_bytes(header, "big")
            payload = _recv_exact(sock, length) if length else b""
            if payload is None:
                raise OSError("vpcd closed the connection")
            if len(payload) == 1:
                ctrl = payload[0]
                if ctrl in (CTRL_ON, CTRL_RESET):
                    card.power_on()
                    powered = True
                elif ctrl == CTRL_ATR:
                    # vpcd also asks for the ATR to poll presence: answering must not reset the card.
                    self._send(sock, card.atr)
                    if powered:
                        self._atr_sent.set()
                continue
            response = card.process(payload)
            self._send(sock, response)

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(len(payload).to_bytes(2, "big") + payload)
