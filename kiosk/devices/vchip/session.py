"""The virtual chip's command format and volatile state: a parsed command APDU, the session a reset
or a secure-messaging fault starts over, and the files' identifiers. The status words it answers are
the reader's own `kiosk.devices.icao.status.StatusWord`."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.devices.icao.ec import Curve, Point
from kiosk.devices.vchip.sm import CardSM

LDS1_AID = bytes.fromhex("A0000002471001")
FID_CARD_ACCESS = 0x011C
FID_COM = 0x011E
FID_SOD = 0x011D
SFI_CARD_ACCESS = 0x1C
SFI_COM = 0x1E
SFI_SOD = 0x1D

#: DGs that exist but need terminal authentication (EAC), which this chip does not offer.
RESTRICTED_DGS = (3, 4)

#: EF.CardAccess of the CCCD offers PACE on brainpoolP256r1, standardized parameter 13 (docs/card.md).
PACE_PARAMETER_ID = 13


def dg_fid(n: int) -> int:
    return 0x0100 + n


class LeftTheField(Exception):
    """The card has left the field: the bridge must drop the connection without answering."""


@dataclass(slots=True)
class Command:
    """A command APDU as the chip sees it (`ne` 0: no Le)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int  # 0 = no Le
    extended: bool


def parse_apdu(apdu: bytes) -> Command:
    """Split a command APDU into its fields, cases 1–4 short and extended (ISO/IEC 7816-3 §12.1)."""
    if len(apdu) < 4:
        raise ValueError("APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", 0, False)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:
        lc = body[0]
        if len(body) == 1 + lc:
            return Command(cla, ins, p1, p2, body[1:], 0, False)
        if len(body) == 2 + lc:
            return Command(cla, ins, p1, p2, body[1:-1], body[-1] or 256, False)
        raise ValueError("Lc does not match the APDU length")
    if len(body) == 3:
        return Command(cla, ins, p1, p2, b"", int.from_bytes(body[1:], "big") or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    if lc and len(body) == 3 + lc:
        return Command(cla, ins, p1, p2, body[3:], 0, True)
    if lc and len(body) == 5 + lc:
        return Command(cla, ins, p1, p2, body[3:-2], int.from_bytes(body[-2:], "big") or 65536, True)
    raise ValueError("extended Lc does not match the APDU length")


@dataclass(slots=True)
class Session:
    """Volatile chip state; a reset or a failed protected command starts it over."""

    app_selected: bool = False
    current_ef: int | None = None
    rnd_ic: bytes | None = None
    sm: CardSM | None = None
    ca_pending_cipher: str | None = None  # set by MSE:SET AT, consumed by GENERAL AUTHENTICATE
    pace: PaceRun | None = None  # a PACE run in progress (MSE:Set AT C1A4 done)


@dataclass(slots=True)
class PaceRun:
    """The chip's side of one PACE run (ICAO 9303-11 §4.4.4.2): which step comes next and its secrets."""

    k_pi: bytes
    curve: Curve
    step: int = 1
    nonce: int = 0
    generator: Point = None
    sk: int = 0
    pk: Point = None
