"""The virtual chip through the real stack: pyscard raw APDUs → pcscd → vpcd → VirtualCard."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time

import pytest
from pcsc_fixtures import Terminal
from smartcard.Exceptions import CardConnectionException
from smartcard.System import readers

from kiosk.devices.icao.errors import ChipError
from kiosk.devices.icao.sm import AesCipher
from kiosk.devices.vchip.card import ChipOptions

pytestmark = pytest.mark.pcsc


def connect(reader_name: str):
    reader = next(r for r in readers() if str(r) == reader_name)
    connection = reader.createConnection()
    connection.connect()
    return connection


def transmitter(connection):
    def transmit(apdu: bytes) -> bytes:
        data, sw1, sw2 = connection.transmit(list(apdu))
        return bytes(data) + bytes([sw1, sw2])

    return transmit


@pytest.fixture()
def session(virtual_card):
    """Open a connection to an inserted card; yields (inserted card, connection, terminal)."""
    opened = []

    def open_(**kwargs):
        inserted = virtual_card(**kwargs)
        connection = connect(inserted.reader)
        opened.append(connection)
        return inserted, connection, Terminal(transmitter(connection))

    yield open_
    for connection in opened:
        # release(), not only disconnect(): each connection holds a PC/SC context of its own. Left to the garbage
        # collector it is freed after the session's pcscd stopped, and pyscard's __del__ then raises
        # "Service not available" into pytest's summary.
        with contextlib.suppress(CardConnectionException):
            connection.release()


def test_atr_and_select_application(session):
    inserted, connection, term = session(seed=1)
    assert bytes(connection.getATR()) == inserted.card.atr
    assert term.select_aid() == 0x9000
    assert term.plain(bytes.fromhex("00A4040C07A0000002471009"))[1] == 0x6A82


def test_get_challenge_is_fresh(session):
    _, _, term = session(seed=2)
    term.select_aid()
    first, second = term.get_challenge(), term.get_challenge()
    assert len(first) == len(second) == 8 and first != second


def test_bac_and_read_files_with_secure_messaging(session):
    inserted, _, term = session(seed=3)
    term.select_aid()
    key = inserted.access_key
    term.bac(key["document_number"], key["birth"], key["expiry"])
    card = inserted.card
    assert term.read_file(0x1E) == card.files[0x011E]
    dg1 = term.read_file(1)
    assert dg1 == card.dg(1) and inserted.citizen.id_number.encode() in dg1
    assert term.read_file(2) == card.dg(2)
    assert term.read_file(0x1D) == card.files[0x011D]
    assert term.send(0xB0, 0x83, 0, ne=4)[1] == 0x6982


def test_bac_with_wrong_key_is_refused(session):
    inserted, _, term = session(seed=4)
    term.select_aid()
    key = inserted.access_key
    wrong_doc = key["document_number"][:-1] + str((int(key["document_number"][-1]) + 1) % 10)
    with pytest.raises(ChipError) as info:
        term.bac(wrong_doc, key["birth"], key["expiry"])
    assert info.value.sw == 0x6300
    assert term.plain(bytes.fromhex("00B0810004"))[1] == 0x6982


def test_reading_without_bac_is_refused(session):
    _, _, term = session(seed=5)
    term.select_aid()
    assert term.plain(bytes.fromhex("00A4020C020101"))[1] == 0x6982


def test_extended_length_read_through_pcscd(session):
    inserted, _, term = session(seed=6)
    term.select_aid()
    key = inserted.access_key
    term.bac(key["document_number"], key["birth"], key["expiry"])
    size = len(inserted.card.dg(2))
    data, sw = term.send(0xB0, 0x82, 0, ne=size, extended=True)
    assert sw == 0x9000 and data == inserted.card.dg(2)


def test_active_and_chip_authentication_through_pcscd(session):
    inserted, _, term = session(seed=7, options=ChipOptions(aa_kind="ecdsa", ca_cipher="aes128"))
    term.select_aid()
    key = inserted.access_key
    term.bac(key["document_number"], key["birth"], key["expiry"])
    assert len(term.internal_authenticate(bytes(range(8)))) == 64
    term.chip_authenticate(term.read_file(14))
    assert isinstance(term.sm.cipher, AesCipher)
    assert term.read_file(13) == inserted.card.dg(13)


def test_card_removed_after_n_commands(session, wait_reader):
    inserted, connection, term = session(seed=8, options=ChipOptions(remove_after=6))
    term.select_aid()
    key = inserted.access_key
    term.bac(key["document_number"], key["birth"], key["expiry"])  # commands 2 and 3
    term.read_file(1)  # commands 4..6 at most
    with pytest.raises(CardConnectionException):
        for _ in range(5):
            term.read_file(1)
    wait_reader(inserted.reader, present=False)
    with pytest.raises(CardConnectionException, match="(?i)removed|no smart card|reset"):
        connection.transmit(list(bytes.fromhex("00A4040C07A0000002471001")))


def test_slot_removal_and_reinsertion(virtual_card, wait_reader):
    first = virtual_card(seed=9)
    first.slot.remove()
    wait_reader(first.reader, present=False)
    second = virtual_card(seed=10)
    connection = connect(second.reader)
    try:
        term = Terminal(transmitter(connection))
        term.select_aid()
        key = second.access_key
        term.bac(key["document_number"], key["birth"], key["expiry"])
        assert second.citizen.id_number.encode() in term.read_file(1)
    finally:
        connection.release()


def test_response_mac_error_reaches_the_reader(session):
    inserted, _, term = session(seed=11, options=ChipOptions(mac_error_response=1))
    term.select_aid()
    key = inserted.access_key
    term.bac(key["document_number"], key["birth"], key["expiry"])
    with pytest.raises(ChipError, match="MAC"):
        term.read_file(1)


def test_demo_command_serves_a_card(pcsc_reader, vpcd_port_number, wait_reader, tmp_path):
    csca = tmp_path / "csca.pem"
    command = [sys.executable, "-m", "kiosk.devices.vchip", "--port", str(vpcd_port_number), "--seed", "12",
               "--child", "10", "--print-key", "--csca-out", str(csca)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as proc:
        _run_demo_card(proc, csca, pcsc_reader, wait_reader)
    assert proc.returncode == 0
    wait_reader(pcsc_reader, present=False)


def _run_demo_card(proc, csca, pcsc_reader, wait_reader) -> None:
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        info = json.loads(line)
        assert info["reader"] == pcsc_reader and info["csca_pem"] == str(csca)
        assert csca.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
        key = info["access_key"]
        assert key["id_number"][3] in "23" and key["document_number"] == key["id_number"][-9:]
        wait_reader(pcsc_reader, present=True)
        connection = connect(pcsc_reader)
        term = Terminal(transmitter(connection))
        term.select_aid()
        term.bac(key["document_number"], key["birth"], key["expiry"])
        assert key["id_number"].encode() in term.read_file(1)
        connection.release()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_demo_card_leaves_the_reader_when_the_kiosk_that_started_it_dies(pcsc_reader, vpcd_port_number,
                                                                         wait_reader, tmp_path):
    """A kiosk killed outright (kill -9, a crash) cannot stop its demo card; the card notices and frees the
    vpcd slot instead of holding it for the next kiosk."""
    import signal

    kiosk = subprocess.Popen([sys.executable, "-c", (
        "import subprocess, sys, time\n"
        "from kiosk.support import children\n"
        f"p = children.start('vchip', ['--port', '{vpcd_port_number}', '--seed', '13', '--lifeline'])\n"
        "print(p.pid, p.stdout.readline().strip() != '', flush=True)\n"
        "time.sleep(600)\n")], stdout=subprocess.PIPE, text=True)
    try:
        pid, served = kiosk.stdout.readline().split()
        assert served == "True"
        wait_reader(pcsc_reader, present=True)
        kiosk.send_signal(signal.SIGKILL)
        kiosk.wait(timeout=10)
        wait_reader(pcsc_reader, present=False, timeout=10)
        for _ in range(100):  # the card process itself is gone, not just the card
            if not _running(int(pid)):
                break
            time.sleep(0.1)
        else:
            os.kill(int(pid), signal.SIGTERM)
            pytest.fail("the demo card outlived the kiosk that started it")
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait(timeout=10)
        kiosk.stdout.close()


def _running(pid: int) -> bool:
    """Whether `pid` still runs (an exited child nobody has reaped yet is a zombie: not running)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
