"""The reader monitor on the real pcscd: a card swapped for another between two polls.

Every CCCD answers with the same ATR, so a monitor that compared ATRs alone would see one card
that never left and keep the previous citizen's key and data on screen.
"""

from __future__ import annotations

import pytest
from pcsc_fixtures import insert_card

from kiosk.devices.device_thread import DeviceThread
from kiosk.devices.pcsc import MonitorCallbacks, PcscMonitor
from kiosk.devices.vchip.card import VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen

pytestmark = pytest.mark.pcsc


def test_card_swapped_between_polls_is_a_removal_and_an_insertion(virtual_card, session_pki):
    first = virtual_card(seed=31, pki=session_pki)
    events: list[tuple[str, str]] = []
    callbacks = MonitorCallbacks(
        on_card_inserted=lambda reader, atr: events.append(("inserted", reader)),
        on_card_removed=lambda reader: events.append(("removed", reader)),
    )
    device = DeviceThread("test-monitor")
    monitor = PcscMonitor(device, callbacks)
    try:
        device.call(monitor.poll_once)
        assert events == [("inserted", first.reader)]
        second = VirtualCard(generate_citizen(32), session_pki, None, keys=first.card.keys)
        assert second.atr == first.card.atr
        insert_card(first.slot, second, first.reader)  # out and in again, no poll in between
        device.call(monitor.poll_once)
        assert events[1:] == [("removed", first.reader), ("inserted", first.reader)]
        device.call(monitor.poll_once)
        assert len(events) == 3, "a card that stays must not be reported again"
    finally:
        device.call(monitor._release)
        device.shutdown()
