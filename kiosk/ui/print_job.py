"""Printing a document from a page: a background `PrintService` job, its progress and outcome on a label.

Each page keeps one `PrintRunner` for its print button. A failed job stays recorded (the dossier or the
request is saved); the next press retries that same job by its id rather than opening another one, unless
the printer kind was changed meanwhile (the job's paper size may not fit the new printer: a new job).
The page passes its own translated texts, so the strings stay in the page's translation context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QLabel

from kiosk.services.errors import ServiceError
from kiosk.services.explain import explain
from kiosk.ui.i18n import current_language
from kiosk.ui.worker import Task, run_job


@dataclass(frozen=True)
class PrintTexts:
    """What the label says, already translated by the page (`%1` is replaced, never formatted)."""

    busy: str  # "Đang in …"
    progress: str  # "%1" = percent done
    done: str  # the place the document went is appended: "(…/printed/x.pdf)"
    failed: str  # "%1" = the printer's message


class PrintRunner:
    """Runs `kiosk.printing.print(..., document=…)` (or `retry` after a failure) for one button and label."""

    def __init__(self, kiosk: Any, button: QAbstractButton, status: QLabel) -> None:
        self.kiosk = kiosk
        self.button = button
        self.status = status
        self.failed_job: tuple[str, str, str, str] | None = None  # (document, code, printer kind, job id)
        self.task: Task | None = None

    def start(self, principal: Any, code: str, document: str, texts: PrintTexts) -> Task | None:
        printing = self.kiosk.printing
        kind = printing.kind
        self.button.setEnabled(False)
        self.status.setText(texts.busy)

        def printed(info) -> None:
            self.failed_job = None
            self.button.setEnabled(True)
            where = f" ({info.output})" if info.output else ""
            self.status.setText(texts.done + where)

        def failed(exc: Exception) -> None:
            job_id = getattr(exc, "job_id", None)
            self.failed_job = (document, code, kind, job_id) if job_id else None
            self.button.setEnabled(True)
            self.status.setText(texts.failed.replace("%1", explain(exc).text(current_language())))

        def progress(p) -> None:
            if p.fraction is not None:
                self.status.setText(texts.progress.replace("%1", str(int(p.fraction * 100))))

        try:
            if self.failed_job is not None and self.failed_job[:3] == (document, code, kind):
                job = printing.retry(principal, self.failed_job[3])
            else:
                job = printing.print(principal, code, document=document)
        except ServiceError as exc:  # refused before starting (permission, unknown job): say so, free the button
            failed(exc)
            return None
        self.task = run_job(job, on_result=printed, on_error=failed, on_progress=progress)
        return self.task
