"""The virtual CCCD chip: a card-side ICAO 9303 implementation served through vpcd/pcscd.

Demo mode and the tests use it instead of a real card; the reader talks to it through the real
PC/SC stack. Nothing here imports the reader (`kiosk.devices.icao` apart from its crypto
primitives and error types), services, UI, database or Qt.
"""

from kiosk.devices.vchip.card import (
    ATR,
    LDS1_AID,
    POST_2024_DG13,
    ChipKeys,
    ChipOptions,
    InProcessConnection,
    LeftTheField,
    VirtualCard,
)
from kiosk.devices.vchip.citizen import Citizen, generate_child_of, generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI
from kiosk.devices.vchip.vpcd import VirtualReaderSlot, reader_name_for_port

__all__ = [
    "ATR",
    "LDS1_AID",
    "POST_2024_DG13",
    "LeftTheField",
    "ChipKeys",
    "ChipOptions",
    "InProcessConnection",
    "Citizen",
    "PKIOptions",
    "TestPKI",
    "VirtualCard",
    "VirtualReaderSlot",
    "generate_child_of",
    "generate_citizen",
    "reader_name_for_port",
]
