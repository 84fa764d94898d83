"""Fixtures for the real PC/SC stack (a plugin of tests/conftest.py, used by integration and UI tests): pyscard → pcscd → vsmartcard's vpcd → our virtual CCCD chip.

The stack is required, never optional: a missing pcscd or vpcd driver fails the session with what
to install. The vpcd port comes from KIOSK_TEST_VPCD_PORT (default 35963 = "Virtual PCD 00 00").
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from kiosk.devices.connection import split_response
from kiosk.devices.icao import apdu
from kiosk.devices.icao.bac import AccessKey, BacProtocol
from kiosk.devices.icao.ca import ChipAuthentication
from kiosk.devices.icao.errors import status_error
from kiosk.devices.icao.lds.security_infos import parse_dg14
from kiosk.devices.icao.reader import FILES, ChipReader
from kiosk.devices.icao.sm import SecureMessaging
from kiosk.devices.vchip.card import ChipKeys, ChipOptions, VirtualCard
from kiosk.devices.vchip.citizen import Citizen, generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI
from kiosk.devices.vchip.vpcd import VPCD_BASE_PORT, VirtualReaderSlot, reader_name_for_port

INSTALL_HINT = (
    "The integration tests need the real PC/SC stack: pcscd and vsmartcard's vpcd driver "
    "(Debian/Ubuntu: `apt-get install pcscd vsmartcard-vpcd`; Fedora: `dnf install pcsc-lite "
    "virtualsmartcard`), and pyscard in the venv (`pip install pyscard`)."
)
VPCD_DRIVER_GLOBS = (
    "/usr/lib/pcsc/drivers/serial/libifdvpcd.so*",
    "/usr/lib*/pcsc/drivers/serial/libifdvpcd.so*",
    "/usr/lib/*/pcsc/drivers/serial/libifdvpcd.so*",
    "/usr/local/lib/pcsc/drivers/serial/libifdvpcd.so*",
)

try:
    from smartcard import scard
except ImportError:  # pragma: no cover - reported as a failure below
    scard = None


def vpcd_port() -> int:
    return int(os.environ.get("KIOSK_TEST_VPCD_PORT", str(VPCD_BASE_PORT)))


def _context() -> int | None:
    rc, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    return ctx if rc == scard.SCARD_S_SUCCESS else None


def _reader_state(ctx: int, reader: str) -> tuple[int, bytes]:
    rc, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
    if rc != scard.SCARD_S_SUCCESS:
        return 0, b""
    return states[0][1], bytes(states[0][2])


def reader_reaches_state(reader: str, *, present: bool, atr: bytes | None = None, timeout: float = 10.0) -> bool:
    """Whether pcscd reports the card in `reader` as present (with `atr`) or absent within `timeout`."""
    ctx = _context()
    assert ctx is not None, "pcscd went away during the test"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, card_atr = _reader_state(ctx, reader)
            is_present = bool(state & scard.SCARD_STATE_PRESENT)
            if is_present == present and (atr is None or card_atr == atr):
                return True
            time.sleep(0.05)
        return False
    finally:
        scard.SCardReleaseContext(ctx)


def wait_for_reader_state(reader: str, *, present: bool, atr: bytes | None = None, timeout: float = 10.0) -> None:
    """Block until pcscd reports the card in `reader` as present (with `atr`) or absent."""
    if not reader_reaches_state(reader, present=present, atr=atr, timeout=timeout):
        pytest.fail(f"pcscd did not report {reader!r} as {'present' if present else 'empty'} within {timeout} s")


def empty_slot(slot: VirtualReaderSlot, card: VirtualCard, reader: str) -> None:
    """Take the card out and make sure pcscd sees the slot empty.

    After a card vanished in the middle of a command, pcscd can keep reporting the slot as holding
    a card; a card that connects and then leaves cleanly resets its view.
    """
    slot.remove()
    if reader_reaches_state(reader, present=False, timeout=3.0):
        return
    slot.insert(card)
    slot.wait_until_powered(3.0)
    slot.remove()
    wait_for_reader_state(reader, present=False)


def insert_card(slot: VirtualReaderSlot, card: VirtualCard, reader: str) -> None:
    """Put `card` in the slot and wait until pcscd has seen it.

    vpcd misses a card that connects within a few hundred milliseconds after a card left in the
    middle of a command (its presence poll is still settling); such an insert is retried.
    """
    for _ in range(4):
        empty_slot(slot, card, reader)
        try:
            slot.insert(card)
        except ConnectionError as exc:
            pytest.fail(f"{exc}. {INSTALL_HINT}")
        if reader_reaches_state(reader, present=True, atr=card.atr, timeout=2.0) and slot.wait_until_powered(2.0):
            return
        time.sleep(0.5)
    pytest.fail(f"pcscd never reported the virtual card in {reader!r}")


@pytest.fixture(scope="session")
def pcsc_reader() -> Iterator[str]:
    """The PC/SC name of our vpcd slot, with pcscd up (started here if it was not running)."""
    if scard is None:
        pytest.fail("pyscard is not importable. " + INSTALL_HINT)
    if not any(glob.glob(pattern) for pattern in VPCD_DRIVER_GLOBS):
        pytest.fail("the vsmartcard vpcd driver (libifdvpcd.so) is not installed. " + INSTALL_HINT)
    started: subprocess.Popen | None = None
    ctx = _context()
    if ctx is None:
        binary = shutil.which("pcscd") or next((p for p in ("/usr/sbin/pcscd", "/sbin/pcscd") if os.path.exists(p)), None)
        if binary is None:
            pytest.fail("pcscd is neither running nor installed. " + INSTALL_HINT)
        started = subprocess.Popen([binary, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while ctx is None and time.monotonic() < deadline:
            time.sleep(0.2)
            ctx = _context()
        if ctx is None:
            started.terminate()
            pytest.fail(f"started {binary} -f but could not reach it within 10 s. " + INSTALL_HINT)
    reader = reader_name_for_port(vpcd_port())
    try:
        deadline = time.monotonic() + 10
        while True:
            rc, readers = scard.SCardListReaders(ctx, [])
            if rc == scard.SCARD_S_SUCCESS and reader in readers:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"pcscd lists no reader {reader!r} (readers: {readers if rc == 0 else []}); is the "
                            f"vpcd driver configured in /etc/reader.conf.d? " + INSTALL_HINT)
            time.sleep(0.2)
    finally:
        scard.SCardReleaseContext(ctx)
    yield reader
    if started is not None:
        started.terminate()
        started.wait(timeout=10)


@pytest.fixture(scope="session")
def vpcd_port_number() -> int:
    """The vpcd TCP port of the slot under test (KIOSK_TEST_VPCD_PORT, default 35963)."""
    return vpcd_port()


@pytest.fixture(scope="session")
def wait_reader() -> Callable[..., None]:
    """`wait_reader(reader, present=…, atr=…, timeout=…)`: wait for pcscd to see the change."""
    return wait_for_reader_state


@dataclass(frozen=True)
class InsertedCard:
    """What a test gets back from `virtual_card(...)`."""

    card: VirtualCard
    citizen: Citizen
    access_key: dict[str, str]
    pki: TestPKI
    csca_pem: Path
    reader: str
    slot: VirtualReaderSlot


@pytest.fixture()
def virtual_card(pcsc_reader, tmp_path) -> Iterator[Callable[..., InsertedCard]]:
    """Factory: `virtual_card(seed=…, citizen=…, options=ChipOptions(…), pki_options=PKIOptions(…))`
    inserts a card into the vpcd slot, waits until pcscd sees it, and removes it at teardown.
    `keys=ChipKeys` reuses a card's private keys (a fresh card without new RSA key generation)."""
    slot = VirtualReaderSlot(vpcd_port())

    def insert(
        *,
        seed: int = 0,
        citizen: Citizen | None = None,
        options: ChipOptions | None = None,
        pki: TestPKI | None = None,
        pki_options: PKIOptions | None = None,
        today: date | None = None,
        keys: ChipKeys | None = None,
    ) -> InsertedCard:
        citizen = citizen or generate_citizen(seed, today=today)
        pki = pki or TestPKI.generate(pki_options)
        card = VirtualCard(citizen, pki, options, keys=keys)
        csca = tmp_path / f"csca-{seed}.pem"
        csca.write_bytes(pki.csca_pem())
        insert_card(slot, card, pcsc_reader)
        last.append(card)
        return InsertedCard(card, citizen, citizen.access_key(), pki, csca, pcsc_reader, slot)

    last: list[VirtualCard] = []
    yield insert
    error = slot.error
    if last:
        empty_slot(slot, last[-1], pcsc_reader)
    else:
        slot.remove()
    assert error is None, f"the virtual card crashed: {error!r}"


@pytest.fixture(scope="session")
def session_pki() -> TestPKI:
    """One CSCA and Document Signer for every test that does not care which."""
    return TestPKI.generate()


class Terminal:
    """A thin inspection-system driver over the product's own BAC, secure messaging and chip
    authentication, for tests that send single commands to the chip and check its answers.

    `transmit` takes a command and returns the raw response (data ‖ SW): `VirtualCard.process`
    in unit tests, pyscard in integration tests. The ICAO 9303-11 worked examples pin both the
    reader and the chip independently, so they need no second, private implementation here.
    """

    def __init__(self, transmit: Callable[[bytes], bytes]) -> None:
        self.conn = _RawConnection(transmit)
        self.sm: SecureMessaging | None = None

    def plain(self, apdu: bytes) -> tuple[bytes, int]:
        return self.conn.transmit(apdu)

    def select_aid(self) -> int:
        return self.plain(apdu.select_aid().to_bytes())[1]

    def get_challenge(self) -> bytes:
        data, sw = self.plain(apdu.get_challenge().to_bytes())
        if sw != 0x9000:
            raise status_error("GET CHALLENGE", sw)
        return data

    def bac(self, document_number: str, birth: str, expiry: str, *,
            rnd_ifd: bytes | None = None, k_ifd: bytes | None = None) -> SecureMessaging:
        chosen = [rnd_ifd, k_ifd]

        def rng(n: int) -> bytes:
            value = chosen.pop(0) if chosen else None
            return value if value is not None else os.urandom(n)

        self.sm = BacProtocol(self.conn, rng).run(AccessKey(document_number, birth, expiry)).sm
        return self.sm

    def send(self, ins: int, p1: int, p2: int, data: bytes = b"", ne: int = 0,
             extended: bool = False) -> tuple[bytes, int]:
        assert self.sm is not None, "no secure-messaging session"
        command = apdu.CommandApdu(0x00, ins, p1, p2, data, ne or None, extended)
        return self.sm.transmit(command.to_bytes())

    def select_ef(self, fid: int) -> int:
        return self.send(0xA4, 0x02, 0x0C, fid.to_bytes(2, "big"))[1]

    def _reader(self) -> ChipReader:
        assert self.sm is not None, "no secure-messaging session"
        sm = self.sm
        reader = ChipReader(self.conn, lambda raw: (sm, "test"), max_restarts=0)
        reader.open()
        return reader

    def read_file(self, sfi: int) -> bytes:
        """A whole EF by short file identifier, read by the product's reader in this session."""
        name = next(n for n, f in FILES.items() if f.sfi == sfi)
        return self._reader().read_file(name, restart=False)

    def internal_authenticate(self, challenge: bytes) -> bytes:
        data, sw = self.send(0x88, 0, 0, challenge, ne=256)
        if sw != 0x9000:
            raise status_error("INTERNAL AUTHENTICATE", sw)
        return data

    def chip_authenticate(self, dg14: bytes) -> None:
        result = ChipAuthentication(self._reader()).run(parse_dg14(dg14))
        assert result.verdict == "verified", result
        self.sm = result.channel


class _RawConnection:
    def __init__(self, transmit: Callable[[bytes], bytes]) -> None:
        self._transmit = transmit

    def transmit(self, command: bytes) -> tuple[bytes, int]:
        return split_response(self._transmit(command))

    def close(self) -> None:
        pass


#: A small portrait keeps a read to a few dozen APDUs; tests where size matters set their own.
SMALL_CARD = {"dg2_size": 2_000}


@pytest.fixture(scope="session")
def chip_keys() -> ChipKeys:
    """One set of chip private keys (RSA AA, brainpool CA) for the cards that do not care."""
    return ChipKeys.generate(ChipOptions())


@pytest.fixture()
def small_card(virtual_card, session_pki, chip_keys) -> Callable[..., InsertedCard]:
    """`small_card(seed, pki=None, **chip_options)`: a card with a small portrait, the session PKI
    and the shared chip keys, so inserting it costs no key generation."""

    def insert(seed: int = 1, pki: TestPKI | None = None, **options) -> InsertedCard:
        return virtual_card(seed=seed, pki=pki or session_pki, keys=chip_keys,
                            options=ChipOptions(**{**SMALL_CARD, **options}))

    return insert
