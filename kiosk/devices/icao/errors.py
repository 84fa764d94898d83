"""Typed errors of the chip stack; every error names the protocol step that failed.

The UI and CLI translate errors by type into Vietnamese sentences, so no user-facing text lives
here; `detail` is a short English diagnostic for logs and must never contain personal data.
"""

from __future__ import annotations

from . import status
from .status import SM_ERRORS
from .status import StatusWord as SW


class ChipError(Exception):
    """Base of every chip, reader and parse failure. `step` is e.g. "BAC", "READ DG2", "SOD"."""

    def __init__(self, step: str, detail: str = "", sw: int | None = None) -> None:
        self.step = step
        self.detail = detail
        self.sw = sw
        text = step
        if detail:
            text += f": {detail}"
        if sw is not None:
            text += f" (SW {status.text(sw)})"
        super().__init__(text)


class AccessDenied(ChipError):
    """The chip refused the access key (wrong MRZ data, CAN or document number).

    `check` names the key the officer should check: "mrz" (typed MRZ), "numbers" (ID number and
    dates), "can", "qr" (the card's QR code), "id" (an ID number alone) or "can_needs_pace" (a CAN
    for a chip without PACE, which only the MRZ data opens).
    """

    def __init__(self, step: str, detail: str = "", sw: int | None = None, *, check: str = "mrz") -> None:
        super().__init__(step, detail, sw)
        self.check = check


class CardRemoved(ChipError):
    """The card left the reader (or was reset) while a session was open."""


class FileNotFound(ChipError):
    """The chip answered 6A82: the file does not exist."""


class SecurityStatusNotSatisfied(ChipError):
    """The chip answered 6982: the file needs an access right we do not have (e.g. DG3)."""


class SecureMessagingError(ChipError):
    """A secure-messaging MAC, padding or structure check failed; the session is over."""


class TransportError(ChipError):
    """The reader or driver failed to carry an APDU (not a removal); restart the session."""


class UnsupportedDocument(ChipError):
    """The chip is not an ICAO LDS1 document, or uses a protocol this reader does not implement."""


class ReaderUnavailable(ChipError):
    """No PC/SC service, no such reader, or the reader is in use by another program."""


class NoCard(ChipError):
    """The reader is there but holds no card."""


class VerificationFailed(ChipError):
    """A cryptographic verification the caller asked to be mandatory failed."""


class ParseError(ChipError):
    """Malformed data from the chip; the only error a parser may raise."""


class UnknownAlgorithm(ParseError):
    """Well-formed data naming an algorithm, curve or parameter this reader does not implement:
    a check that meets it is "unverifiable", never "failed". `detail` names what was met."""


class UnexpectedStatus(ChipError):
    """The chip answered a status word that this step does not expect."""


def status_error(step: str, sw: int, detail: str = "") -> ChipError:
    """Map an ISO 7816-4 status word to the matching error type."""
    if sw == SW.FILE_NOT_FOUND:
        return FileNotFound(step, detail, sw)
    if sw == SW.SECURITY_STATUS_NOT_SATISFIED:
        return SecurityStatusNotSatisfied(step, detail, sw)
    if sw in SM_ERRORS:
        return SecureMessagingError(step, detail or "chip reported a secure-messaging error", sw)
    if sw in (SW.INS_NOT_SUPPORTED, SW.CLA_NOT_SUPPORTED):
        return UnsupportedDocument(step, detail or "instruction not supported", sw)
    return UnexpectedStatus(step, detail, sw)
