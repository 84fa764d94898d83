"""Running a print job from a command (`kiosk receipt print|retry`, `kiosk account print`): one outcome format.

Not a `_cmd` module: it registers no commands, the print commands call it.
"""

from __future__ import annotations

from kiosk.commands.base import EXIT_FAILED, EXIT_OK, CommandError, emit


def system_printer_ready(ctx, kind: str | None = None) -> None:
    """The QPrinter back end (registered by `kiosk.app`) needs a QGuiApplication, which headless use lacks.
    `kind`: the printer about to be used or chosen (default: the current one)."""
    if (kind or ctx.kiosk.printing.kind) == "system":
        from kiosk.devices import qt_printer

        qt_printer.ensure_application()


def run_print(args, ctx, job) -> int:
    """Run `job` (PrintService.print or retry) here; a failed printer exits 1 naming the job to retry."""
    from kiosk.services.printing import DOCUMENTS, PrintFailed
    from kiosk.support.jobs import run_inline

    try:
        info = run_inline(job)
    except PrintFailed as exc:
        payload = {"printed": False, "reason": exc.reason, "job_id": exc.job_id, "partial": exc.partial,
                   "message": exc.message_vi}
        raise CommandError(f"{exc.message_vi} (lệnh in {exc.job_id}: kiosk receipt retry {exc.job_id})",
                           EXIT_FAILED, payload) from None
    what = DOCUMENTS[info.document].name_vi
    emit(args, {"printed": True, **info.to_json()},
         f"Đã in {what} {info.tracking_code} ({info.layout}) → {info.output}.")
    return EXIT_OK
