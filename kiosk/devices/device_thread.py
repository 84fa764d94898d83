"""One thread per device family: every PC/SC call runs on it, so presence polling and reads
never overlap (a poll racing a read corrupts the reader's session). The UI submits jobs and receives futures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from kiosk.support.jobs import CancelToken, Job, ProgressFn

T = TypeVar("T")


class DeviceThread:
    """A single-worker executor with a name; `call` runs inline when already on the thread."""

    def __init__(self, name: str = "pcsc") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._ident: int | None = None
        self._executor.submit(self._remember).result()

    def _remember(self) -> None:
        self._ident = threading.get_ident()

    def is_current(self) -> bool:
        return threading.get_ident() == self._ident

    def submit(self, fn: Callable[..., T], *args: object, **kwargs: object) -> Future[T]:
        return self._executor.submit(fn, *args, **kwargs)

    def submit_job(self, job: Job[T], report: ProgressFn, cancel: CancelToken) -> Future[T]:
        """Run a `job(report, cancel)`; `report` is called on the device thread."""
        return self._executor.submit(job, report, cancel)

    def call(self, fn: Callable[..., T], *args: object, timeout: float | None = None) -> T:
        if self.is_current():
            return fn(*args)
        return self._executor.submit(fn, *args).result(timeout)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)
