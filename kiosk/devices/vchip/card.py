"""The virtual CCCD chip: an ICAO 9303 LDS1 application answering APDUs like the real card.

`VirtualCard.process()` is a real state machine (selection, BAC, secure messaging, READ BINARY,
active and chip authentication) and is what the vpcd bridge puts behind pcscd. Behaviour of the
real Vietnamese card follows docs/card.md; each fault-injection option in `ChipOptions`
maps to a BSI TR-03105-5 inspection-system test category.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from kiosk.devices.icao import errors as reader_errors
from kiosk.devices.icao.status import StatusWord as SW
from kiosk.devices.vchip.access import AccessControl
from kiosk.devices.vchip.auth import Authentication
from kiosk.devices.vchip.citizen import Citizen
from kiosk.devices.vchip.files import FileSystem
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.devices.vchip.options import (
    AA_OID_FAMILIES,
    CURVES,
    POST_2024_DG13,
    ChipKeys,
    ChipOptions,
    curve_hash,
)
from kiosk.devices.vchip.session import LDS1_AID, Command, LeftTheField, Session, parse_apdu
from kiosk.devices.vchip.sm import CardSM, SMError

__all__ = [
    "AA_OID_FAMILIES", "ATR", "CURVES", "LDS1_AID", "POST_2024_DG13", "ChipKeys", "ChipOptions",
    "InProcessConnection", "LeftTheField", "VirtualCard", "curve_hash", "parse_apdu",
]

#: The ATR a PC/SC reader builds for an ISO 14443-4 card: 3B 8n 80 01, n historical bytes, TCK
#: (PC/SC Part 3 §3.1.3.2.3); ours has 8 historical bytes, "KIOSK-VN".
_ATR_BODY = bytes([0x88, 0x80, 0x01]) + b"KIOSK-VN"


def _make_atr() -> bytes:
    tck = 0
    for b in _ATR_BODY:
        tck ^= b
    return bytes([0x3B]) + _ATR_BODY + bytes([tck])


ATR = _make_atr()


class VirtualCard(AccessControl, Authentication, FileSystem):
    """A CCCD chip holding `citizen`'s data, signed by `pki`'s Document Signer."""

    atr = ATR

    def __init__(
        self,
        citizen: Citizen,
        pki: TestPKI,
        options: ChipOptions | None = None,
        *,
        keys: ChipKeys | None = None,
        rng: Callable[[int], bytes] = os.urandom,
        bac_key: tuple[str, str, str] | None = None,
    ) -> None:
        """`rng` and `bac_key` (document number, birth, expiry) exist for the ICAO worked examples."""
        self.citizen = citizen
        self._bac_key = bac_key or (citizen.document_number, citizen.birth_yymmdd, citizen.expiry_yymmdd)
        self.pki = pki
        self.options = options or ChipOptions()
        self.keys = keys or ChipKeys.generate(self.options)
        self._rng = rng
        self.files: dict[int, bytes] = self._build_files()
        self.commands = 0
        self.protected_responses = 0
        self.removed = False
        self._s = Session()
        self._pending_sm: CardSM | None = None
        self._pace_keys = (b"", b"")

    @property
    def can(self) -> str:
        """The card access number this chip takes for PACE (printed on the card's face)."""
        return self.options.can or self.citizen.can

    def power_on(self) -> bytes:
        """Cold reset: all session state is lost; returns the ATR."""
        self._s = Session()
        self._pending_sm = None
        return ATR

    def reset(self) -> bytes:
        return self.power_on()

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU: response data followed by SW1 SW2."""
        if self.removed:
            raise LeftTheField
        o = self.options
        if o.remove_after is not None and self.commands >= o.remove_after:
            self.removed = True
            raise LeftTheField
        self.commands += 1
        if o.slow:
            time.sleep(o.slow)
        try:
            cmd = parse_apdu(apdu)
        except ValueError:
            return SW.WRONG_LENGTH.to_bytes(2, "big")
        if cmd.cla & 0x0C == 0x0C:
            return self._process_protected(cmd)
        if cmd.cla & 0xEF not in (0x00, 0x80):  # bit 0x10: command chaining (GENERAL AUTHENTICATE)
            return SW.CLA_NOT_SUPPORTED.to_bytes(2, "big")
        if self._s.sm is not None:
            # A plain command during secure messaging ends the session (ICAO 9303-11 §9.8.4).
            self._s.sm = None
            self._s.ca_pending_cipher = None
        if cmd.extended and o.short_apdu_only:
            return SW.WRONG_LENGTH.to_bytes(2, "big")
        data, sw = self._execute(cmd, protected=False, outer_extended=cmd.extended)
        return data + sw.to_bytes(2, "big")

    def _process_protected(self, cmd: Command) -> bytes:
        sm = self._s.sm
        if sm is None:
            return SW.SM_DATA_INCORRECT.to_bytes(2, "big")  # no session keys: the SM objects cannot be right
        try:
            inner = sm.unwrap(cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data)
        except SMError as exc:
            # Any secure-messaging fault ends the session (ICAO 9303-11 §9.8.4).
            self._s = Session(app_selected=self._s.app_selected)
            return exc.sw.to_bytes(2, "big")
        plain = Command(cmd.cla & 0xF3, inner.ins, inner.p1, inner.p2, inner.data, inner.ne, cmd.extended)
        if cmd.extended and self.options.short_apdu_only:
            data, sw = b"", SW.WRONG_LENGTH
        else:
            data, sw = self._execute(plain, protected=True, outer_extended=cmd.extended)
        self.protected_responses += 1
        o = self.options
        if o.plain_error_status and sw in (SW.FILE_NOT_FOUND, SW.SECURITY_STATUS_NOT_SATISFIED) and not data:
            sm.ssc += 1  # the answer still counts, but carries no secure-messaging objects
            return sw.to_bytes(2, "big")
        corrupt = o.mac_error_response == self.protected_responses or (
            o.mac_error_after is not None and self.protected_responses >= o.mac_error_after)
        response = sm.wrap(data, sw, odd_ins=bool(inner.ins & 1) and bool(data), corrupt_mac=corrupt)
        if self._pending_sm is not None:
            # Chip authentication: this answer used the old keys; the next command uses the new.
            self._s.sm, self._pending_sm = self._pending_sm, None
        return response

    def _execute(self, cmd: Command, *, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        handlers = {
            0xA4: self._select,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0xB0: self._read_binary,
            0xB1: self._read_binary,
            0x88: self._internal_authenticate,
            0x22: self._mse,
            0x86: self._general_authenticate,
        }
        handler = handlers.get(cmd.ins)
        if handler is None:
            return b"", SW.INS_NOT_SUPPORTED
        return handler(cmd, protected, outer_extended)

    @property
    def in_secure_messaging(self) -> bool:
        return self._s.sm is not None

    @property
    def sm_cipher(self) -> str | None:
        return self._s.sm.cipher if self._s.sm else None


class InProcessConnection:
    """A `kiosk.devices.connection.Connection` straight to a virtual card, without PC/SC: for unit
    tests and for measuring the reader apart from the transport."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        card.power_on()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            response = self.card.process(apdu)
        except LeftTheField:
            raise reader_errors.CardRemoved("TRANSMIT", "virtual card removed") from None
        return response[:-2], int.from_bytes(response[-2:], "big")

    def close(self) -> None:
        self.card.power_on()
