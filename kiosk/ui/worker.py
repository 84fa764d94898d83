"""Runs `kiosk.support.jobs` jobs off the GUI thread and reports through Qt signals.

    task = run_job(job, on_result=..., on_error=..., on_progress=...)
    task.cancel()

Signals are delivered on the GUI thread (queued connections). A cancelled job ends silently.
Jobs that touch a device are serialised per resource by passing the same `pool` (one thread).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from kiosk.support.jobs import Cancelled, CancelToken, Job, Progress

log = logging.getLogger(__name__)

_live: set[Task] = set()  # a Task with no Python reference would be collected before it reports


class _Signals(QObject):
    started = Signal()
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()


class Task(QRunnable):
    """One background job with its cancel token and signals."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.job = job
        self.token = CancelToken()
        self.signals = _Signals()
        self.done = False

    def cancel(self) -> None:
        self.token.cancel()

    def run(self) -> None:
        self.signals.started.emit()
        try:
            result = self.job(self.signals.progress.emit, self.token)
        except Cancelled:
            log.info("background job cancelled")
        except Exception as exc:
            log.warning("background job failed: %s", type(exc).__name__, exc_info=not _is_expected(exc))
            self.signals.errored.emit(exc)
        else:
            self.signals.returned.emit(result)
        finally:
            self.done = True
            self.signals.finished.emit()


def _is_expected(exc: Exception) -> bool:
    from kiosk.services.errors import ServiceError

    return isinstance(exc, ServiceError)


def run_job(
    job: Job[Any],
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Start `job` in the background; the callbacks run on the GUI thread."""
    task = Task(job)
    if on_result:
        task.signals.returned.connect(on_result)
    if on_error:
        task.signals.errored.connect(on_error)
    if on_progress:
        task.signals.progress.connect(on_progress)
    if on_finished:
        task.signals.finished.connect(on_finished)
    _live.add(task)
    task.signals.finished.connect(lambda: _live.discard(task))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def run_call(fn: Callable[[], Any], on_result=None, on_error=None, pool: QThreadPool | None = None) -> Task:
    """Shorthand for a job that neither reports progress nor checks for cancel."""
    return run_job(lambda _report, _cancel: fn(), on_result=on_result, on_error=on_error, pool=pool)


def single_thread_pool(parent: QObject | None = None) -> QThreadPool:
    """A pool with one thread: jobs on the same resource (the card reader, the printer) never overlap."""
    pool = QThreadPool(parent)
    pool.setMaxThreadCount(1)
    return pool
