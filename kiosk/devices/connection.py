"""The one transport seam of the card stack: send an APDU, get (data, status word) back.

Everything above it (secure messaging, BAC, LDS reading) receives a `Connection`, never a reader,
so the same protocol code runs over PC/SC, over the tests' scripted double or over a wrapper.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Connection(Protocol):
    def transmit(self, apdu: bytes) -> tuple[bytes, int]: ...

    def close(self) -> None: ...


def split_response(response: bytes) -> tuple[bytes, int]:
    """Split a raw response APDU into its data and its trailing status word."""
    if len(response) < 2:
        raise ValueError("a response APDU has at least two status bytes")
    return response[:-2], int.from_bytes(response[-2:], "big")


class CountingConnection:
    """Counts the APDUs that cross a connection (for the read report and benchmarks)."""

    def __init__(self, inner: Connection) -> None:
        self.inner = inner
        self.count = 0

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.count += 1
        return self.inner.transmit(apdu)

    def close(self) -> None:
        self.inner.close()
