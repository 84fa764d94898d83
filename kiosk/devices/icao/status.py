"""The ISO/IEC 7816-4 §5.6 status words the chip stack compares, and the one way to report one.

Our virtual chip (`kiosk.devices.vchip`) answers with the same names. A status word outside the
enum is still an `int` everywhere (`sw >> 8 == 0x6C` families, vendor codes), so code compares a
received `int` with these members; `text` gives the four hex digits reports and reason codes carry.
"""

from __future__ import annotations

from enum import IntEnum


class StatusWord(IntEnum):
    OK = 0x9000
    END_OF_FILE = 0x6282  # a warning: the file ended before Ne bytes
    VERIFICATION_FAILED = 0x6300
    WRONG_LENGTH = 0x6700
    SECURITY_STATUS_NOT_SATISFIED = 0x6982
    CONDITIONS_NOT_SATISFIED = 0x6985
    NO_CURRENT_EF = 0x6986
    SM_DATA_MISSING = 0x6987
    SM_DATA_INCORRECT = 0x6988
    WRONG_DATA = 0x6A80
    FUNCTION_NOT_SUPPORTED = 0x6A81
    FILE_NOT_FOUND = 0x6A82
    REFERENCE_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00  # READ BINARY: the offset lies beyond the end of the file
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    UNKNOWN = 0x6F00


#: The secure-messaging errors a chip reports (ISO/IEC 7816-4 §10.2).
SM_ERRORS = (StatusWord.SM_DATA_MISSING, StatusWord.SM_DATA_INCORRECT)


def text(sw: int) -> str:
    """A status word as reports and reason codes write it: four upper-case hex digits ("6A82")."""
    return f"{int(sw):04X}"

