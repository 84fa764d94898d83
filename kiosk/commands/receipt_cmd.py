"""`kiosk receipt render|print|jobs|retry|printer|sample`: receipts (Mẫu 01) of saved dossiers.

Exit codes: 0 done, 1 not found or the printer failed (the job is kept and can be retried), 2 bad input.
"""

from __future__ import annotations

from pathlib import Path

from kiosk.commands.base import EXIT_OK, emit, write_output_file
from kiosk.commands.print_runner import run_print, system_printer_ready

LAYOUT_CHOICES = ("a4", "a5", "thermal")
COPY_CHOICES = {"both": None, "applicant": ("applicant",), "kept": ("kept",)}


def register(sub) -> None:
    rec = sub.add_parser("receipt", help="render and print receipts (phiếu hẹn) with the signed QR code")
    rec_sub = rec.add_subparsers(dest="receipt_command", required=True)

    render = rec_sub.add_parser("render", help="write the receipt of a dossier as a PDF file")
    render.add_argument("code", metavar="TRACKING_CODE")
    render.add_argument("--layout", choices=LAYOUT_CHOICES, default="a4")
    render.add_argument("--copy", choices=tuple(COPY_CHOICES), default="both",
                        help="which copy (liên): the applicant's, the one kept, or both (A4/A5)")
    render.add_argument("--notice", action="store_true",
                        help="the notice the dossier's status asks for instead: Mẫu 02 (supplement) or Mẫu 03 (refusal)")
    render.add_argument("--out", required=True, metavar="FILE.pdf")
    render.add_argument("--json", action="store_true")
    render.set_defaults(func=_render)

    prt = rec_sub.add_parser("print", help="print the receipt on the chosen printer (printer_kind)")
    prt.add_argument("code", metavar="TRACKING_CODE")
    prt.add_argument("--layout", choices=LAYOUT_CHOICES)
    prt.add_argument("--notice", action="store_true",
                     help="print Mẫu 02 (supplement requested) or Mẫu 03 (refused) instead of the receipt")
    prt.add_argument("--json", action="store_true")
    prt.set_defaults(func=_print)

    jobs = rec_sub.add_parser("jobs", help="print jobs of every document, newest first (failed ones can be retried)")
    jobs.add_argument("code", nargs="?", metavar="TRACKING_CODE")
    jobs.add_argument("--status", choices=("pending", "printed", "failed", "cancelled"))
    jobs.add_argument("--json", action="store_true")
    jobs.set_defaults(func=_jobs)

    retry = rec_sub.add_parser("retry", help="print a failed job again (a receipt or an account confirmation)")
    retry.add_argument("job_id")
    retry.add_argument("--json", action="store_true")
    retry.set_defaults(func=_retry)

    printer = rec_sub.add_parser("printer", help="show the printer, or choose one (remembered in the settings)")
    printer.add_argument("kind", nargs="?", choices=("pdf", "system", "escpos"))
    printer.add_argument("target", nargs="?", default="",
                         help="pdf: a folder; escpos: tcp://HOST:9100, usb://VID:PID, serial:///dev/ttyUSB0; "
                              "system: the printer's name")
    printer.add_argument("--json", action="store_true")
    printer.set_defaults(func=_printer)

    sample = rec_sub.add_parser("sample", help="a specimen receipt with made-up data, signed by this kiosk")
    sample.add_argument("--layout", choices=LAYOUT_CHOICES, default="a5")
    sample.add_argument("--out", required=True, metavar="FILE.pdf")
    sample.add_argument("--json", action="store_true")
    sample.set_defaults(func=_sample)


def _render(args, ctx) -> int:
    from kiosk.services.receipts import render_receipt

    out = Path(args.out)
    receipts = ctx.kiosk.receipts
    if args.notice:
        from kiosk.domain.receipt import SupplementRequestData
        from kiosk.services.receipt_layouts import render

        notice = receipts.status_notice(ctx.operator, args.code)
        pdf = render(notice, "pdf", args.layout)
        write_output_file(args.out, pdf)
        form = notice.form_code or ("Mẫu 02" if isinstance(notice, SupplementRequestData) else "Mẫu 03")
        emit(args, {"tracking_code": notice.tracking_code, "form": form, "layout": args.layout, "out": str(out),
                    "bytes": len(pdf)}, f"Đã ghi {form} của hồ sơ {notice.tracking_code} vào {out}.")
        return EXIT_OK
    data = receipts.receipt_data(ctx.operator, args.code)
    pdf = render_receipt(data, args.layout, COPY_CHOICES[args.copy])
    write_output_file(args.out, pdf)
    payload = {"tracking_code": data.tracking_code, "layout": args.layout, "copy": args.copy, "out": str(out),
               "bytes": len(pdf), "qr": data.qr_text}
    emit(args, payload, f"Đã ghi giấy tiếp nhận hồ sơ {data.tracking_code} (khổ {args.layout}) vào {out}.")
    return EXIT_OK


def _print(args, ctx) -> int:
    system_printer_ready(ctx)
    document = "status_notice" if args.notice else "receipt"
    return run_print(args, ctx, ctx.kiosk.printing.print(ctx.operator, args.code, args.layout, document=document))


def _retry(args, ctx) -> int:
    system_printer_ready(ctx)
    return run_print(args, ctx, ctx.kiosk.printing.retry(ctx.operator, args.job_id))


def _jobs(args, ctx) -> int:
    jobs = ctx.kiosk.printing.jobs(ctx.operator, args.code, args.status)
    lines = [f"{j.id}  {j.tracking_code:<26} {j.document:<20} {j.layout:<8} {j.printer_kind:<7} {j.status:<9} "
             f"lần {j.attempts}{'  ' + j.error if j.error else ''}" for j in jobs]
    emit(args, [j.to_json() for j in jobs], "\n".join(lines) or "Chưa có lệnh in nào.")
    return EXIT_OK


def _printer(args, ctx) -> int:
    printing = ctx.kiosk.printing
    if args.kind:
        system_printer_ready(ctx, args.kind)  # a system printer is checked through Qt
        printing.choose_printer(ctx.operator, ctx.loaded, args.kind, args.target)
    payload = {"printer_kind": printing.kind, "printer_target": printing.target or str(printing.pdf_folder),
               "locked": sorted({"printer_kind", "printer_target"} & set(ctx.loaded.locked))}
    emit(args, payload, f"Máy in: {printing.kind} {payload['printer_target']}"
                        + (" (quản trị viên đã khóa)" if payload["locked"] else ""))
    return EXIT_OK


def _sample(args, ctx) -> int:
    from kiosk.services.receipt_data import specimen
    from kiosk.services.receipts import render_receipt

    data = specimen(ctx.kiosk.receipts, ctx.kiosk.settings)
    pdf = render_receipt(data, args.layout)
    out = Path(args.out)
    write_output_file(args.out, pdf)
    emit(args, {"tracking_code": data.tracking_code, "layout": args.layout, "out": str(out), "qr": data.qr_text},
         f"Đã ghi phiếu mẫu ({args.layout}) vào {out}.")
    return EXIT_OK
