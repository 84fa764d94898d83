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

from kiosk.devices.vchip.card import ChipOptions, VirtualCard
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


def wait_for_reader_state(reader: str, *, present: bool, atr: bytes | None = None, timeout: float = 10.0) -> None:
    """Block until pcscd reports the card in `reader` as present (with `atr`) or absent."""
    ctx = _context()
    assert ctx is not None, "pcscd went away during the test"
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state, card_atr = _reader_state(ctx, reader)
            is_present = bool(state & scard.SCARD_STATE_PRESENT)
            if is_present == present and (atr is None or card_atr == atr):
                return
            time.sleep(0.05)
        pytest.fail(f"pcscd did not report {reader!r} as {'present' if present else 'empty'} within {timeout} s")
    finally:
        scard.SCardReleaseContext(ctx)


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
    inserts a card into the vpcd slot, waits until pcscd sees it, and removes it at teardown."""
    slot = VirtualReaderSlot(vpcd_port())

    def insert(
        *,
        seed: int = 0,
        citizen: Citizen | None = None,
        options: ChipOptions | None = None,
        pki: TestPKI | None = None,
        pki_options: PKIOptions | None = None,
        today: date | None = None,
    ) -> InsertedCard:
        slot.remove()
        wait_for_reader_state(pcsc_reader, present=False)
        citizen = citizen or generate_citizen(seed, today=today)
        pki = pki or TestPKI.generate(pki_options)
        card = VirtualCard(citizen, pki, options)
        csca = tmp_path / f"csca-{seed}.pem"
        csca.write_bytes(pki.csca_pem())
        try:
            slot.insert(card)
        except ConnectionError as exc:
            pytest.fail(f"{exc}. {INSTALL_HINT}")
        wait_for_reader_state(pcsc_reader, present=True, atr=card.atr)
        return InsertedCard(card, citizen, citizen.access_key(), pki, csca, pcsc_reader, slot)

    yield insert
    slot.remove()
    assert slot.error is None, f"the virtual card crashed: {slot.error!r}"
    wait_for_reader_state(pcsc_reader, present=False)
