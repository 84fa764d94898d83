"""A scripted card connection for protocol unit tests: expected command → response pairs, loud on anything else."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kiosk.devices.connection import split_response


class ScriptError(AssertionError):
    """A scripted connection received a command it did not expect."""


Expected = bytes | str | Callable[[bytes], bool] | None
Response = bytes | str | Callable[[bytes], bytes] | BaseException


def _hex(value: bytes | str) -> bytes:
    return bytes.fromhex(value) if isinstance(value, str) else value


class ScriptedConnection:
    """A test double that replays expected command → response pairs and fails loudly otherwise.

    An expected command is bytes/hex, a predicate, or None (anything). A response is bytes/hex
    ending in the status word, a function of the command, or an exception to raise.
    """

    def __init__(self, script: Iterable[tuple[Expected, Response]]) -> None:
        self._script = list(script)
        self._pos = 0
        self.sent: list[bytes] = []
        self.closed = False

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu)
        if self._pos >= len(self._script):
            raise ScriptError(f"script exhausted; unexpected command {apdu.hex().upper()}")
        expected, response = self._script[self._pos]
        self._pos += 1
        if callable(expected):
            if not expected(apdu):
                raise ScriptError(f"step {self._pos}: command {apdu.hex().upper()} rejected by predicate")
        elif expected is not None and _hex(expected) != apdu:
            raise ScriptError(
                f"step {self._pos}: expected {_hex(expected).hex().upper()}, got {apdu.hex().upper()}"
            )
        if isinstance(response, BaseException):
            raise response
        raw = response(apdu) if callable(response) else _hex(response)
        return split_response(raw)

    @property
    def remaining(self) -> int:
        return len(self._script) - self._pos

    def assert_done(self) -> None:
        if self.remaining:
            raise ScriptError(f"{self.remaining} scripted exchanges were never sent")

    def close(self) -> None:
        self.closed = True
