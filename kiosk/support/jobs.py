"""The one background-work contract: a job is a callable taking a progress reporter and a cancel token.

Devices and services write jobs as plain functions `job(report, cancel) -> result`; the Qt layer
(`kiosk.ui.worker`) runs them off the GUI thread and turns the calls into signals (started,
progress, returned, errored, finished). Nothing here imports Qt, so every layer may use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

T_co = TypeVar("T_co", covariant=True)


class Cancelled(Exception):
    """Raised inside a job when its cancel token was set; the UI accepts it silently."""


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report: a step name ("DG2"), its completion 0..1 (None = unknown), a short text."""

    step: str
    fraction: float | None = None
    message: str = ""


ProgressFn = Callable[[Progress], None]


class CancelToken:
    """Thread-safe cancellation flag checked by a job between steps."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Job(Protocol[T_co]):
    def __call__(self, report: ProgressFn, cancel: CancelToken) -> T_co: ...


def ignore_progress(_: Progress) -> None:
    """A reporter for callers that do not show progress (CLI, tests)."""


def run_inline(job: Job[T_co]) -> T_co:
    """Run a job on the calling thread with no progress display (headless commands)."""
    return job(ignore_progress, CancelToken())
