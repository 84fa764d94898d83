"""`kiosk account request|show|list|withdraw|consent|confirmation|print`: electronic identification account requests.

Exit codes: 0 done, 1 refused, not found or the printer failed (the print job is kept: `kiosk receipt retry`),
2 refused input (with `{"errors": [{field, message}]}`).
A headless request records the consent of everyone the law asks (the operator attests it was given on the
signed Mẫu TK01, after the text of `kiosk account consent` was read).
"""

from __future__ import annotations

from pathlib import Path

from kiosk.commands.base import EXIT_OK, bad_input, emit, read_json_file, write_output_file

STATUSES = ("draft", "submitted", "activated", "rejected", "withdrawn")


def register(sub) -> None:
    account = sub.add_parser("account", help="electronic identification account requests (VNeID level 1 and 2)")
    account_sub = account.add_subparsers(dest="account_command", required=True)

    req = account_sub.add_parser("request", help="take a request: tracking code, or the reasons it is refused")
    req.add_argument("--citizen", required=True, metavar="CITIZEN.json", help="the chip (kiosk card read --json)")
    req.add_argument("--level", required=True, type=int, choices=(1, 2))
    req.add_argument("--phone", required=True, metavar="NUMBER", help="mobile number (+84 and spaces accepted)")
    req.add_argument("--email", metavar="ADDRESS")
    req.add_argument("--portrait", metavar="IMAGE", help="the portrait taken at the counter (JPEG, PNG)")
    req.add_argument("--chip-photo", metavar="IMAGE", help="the chip's DG2 photo (kiosk card read --photo-out)")
    req.add_argument("--integrate", action="append", default=[], metavar="NAME",
                     help="health_insurance, driving_licence, vehicle_registration, tax_code, …")
    req.add_argument("--guardian", metavar="GUARDIAN.json", help="the parent's or guardian's chip")
    req.add_argument("--relationship", choices=("father", "mother", "guardian"))
    req.add_argument("--fingerprint-checked", action="store_true", help="the fingerprint check was done (level 2)")
    req.add_argument("--json", action="store_true")
    req.set_defaults(func=_request)

    show = account_sub.add_parser("show", help="one request by id or tracking code")
    show.add_argument("ref")
    show.add_argument("--full", action="store_true", help="unmasked data and the chips (audited)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)

    lst = account_sub.add_parser("list", help="requests, newest first")
    lst.add_argument("--status", choices=STATUSES)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    withdraw = account_sub.add_parser("withdraw", help="the citizen withdraws a request not yet decided")
    withdraw.add_argument("ref")
    withdraw.add_argument("--note", default="")
    withdraw.add_argument("--json", action="store_true")
    withdraw.set_defaults(func=_withdraw)

    consent = account_sub.add_parser("consent", help="print the current consent text")
    consent.add_argument("--language", choices=("vi", "en"), default="vi")
    consent.add_argument("--json", action="store_true")
    consent.set_defaults(func=_consent)

    conf = account_sub.add_parser("confirmation", help="render the confirmation with its QR code to a PDF file")
    conf.add_argument("ref")
    conf.add_argument("--out", required=True, metavar="FILE.pdf")
    conf.add_argument("--layout", choices=("a4", "a5", "thermal"), default="a5")
    conf.add_argument("--json", action="store_true")
    conf.set_defaults(func=_confirmation)

    prt = account_sub.add_parser("print", help="print the confirmation on the chosen printer (printer_kind), "
                                               "recorded as a print job that can be retried")
    prt.add_argument("code", metavar="TRACKING_CODE")
    prt.add_argument("--layout", choices=("a4", "a5", "thermal"),
                     help="default: a5 on sheet printers, thermal on ESC/POS printers")
    prt.add_argument("--json", action="store_true")
    prt.set_defaults(func=_print)


def _read_bytes(path_text: str | None, field: str) -> bytes | None:
    if path_text is None:
        return None
    try:
        return Path(path_text).read_bytes()
    except OSError:
        raise bad_input(field, f"Không đọc được tệp {path_text}.") from None


def _request(args, ctx) -> int:
    from kiosk.services.accounts import AccountRequestInput

    if (args.guardian is None) != (args.relationship is None):
        raise bad_input("relationship", "--guardian và --relationship phải đi cùng nhau.")
    service = ctx.kiosk.accounts
    citizen = read_json_file(args.citizen, "citizen")
    guardian = read_json_file(args.guardian, "guardian") if args.guardian else None
    request = AccountRequestInput(
        citizen=citizen, level=args.level, phone=args.phone, email=args.email, integrations=args.integrate,
        guardian=guardian, relationship=args.relationship, portrait=_read_bytes(args.portrait, "portrait"),
        chip_photo=_read_bytes(args.chip_photo, "chip_photo"), fingerprint_checked=args.fingerprint_checked,
        consent_by=("holder", "guardian"), consent_version=service.consent_index()["current"],
    )
    result = service.submit(ctx.operator, request)
    payload = result.as_json()
    lines = [f"Đã tiếp nhận đề nghị cấp tài khoản mức {result.level}: mã {result.tracking_code}."]
    lines += [f"  ! {w.field}: {w.message_vi}" for w in result.warnings]
    emit(args, payload, "\n".join(lines))
    return EXIT_OK


def _show(args, ctx) -> int:
    record = ctx.kiosk.accounts.get(ctx.operator, args.ref, full=args.full)
    human = (f"{record['tracking_code']} — {record['full_name']} — mức {record['level']} — "
             f"{record['status_label_vi']}")
    emit(args, record, human)
    return EXIT_OK


def _list(args, ctx) -> int:
    rows = ctx.kiosk.accounts.list(ctx.operator, args.status)
    human = "\n".join(f"{r['tracking_code']}  mức {r['level']}  {r['status_label_vi']}  {r['full_name']}"
                      for r in rows) or "Chưa có đề nghị nào."
    emit(args, {"requests": rows}, human)
    return EXIT_OK


def _withdraw(args, ctx) -> int:
    record = ctx.kiosk.accounts.withdraw(ctx.operator, args.ref, args.note)
    emit(args, record, f"Đã ghi nhận rút đề nghị {record['tracking_code']}.")
    return EXIT_OK


def _consent(args, ctx) -> int:
    text = ctx.kiosk.accounts.consent_text(args.language)
    emit(args, {"document": text.document, "version": text.version, "language": text.language, "text": text.text,
                "purposes": list(text.purposes)}, text.text)
    return EXIT_OK


def _confirmation(args, ctx) -> int:
    from kiosk.services.receipt_layouts import render

    data = ctx.kiosk.receipts.account_confirmation(ctx.operator, args.ref)
    out = write_output_file(args.out, render(data, "pdf", args.layout))
    emit(args, {"tracking_code": data.reference_code, "out": str(out), "qr_text": data.qr_text},
         f"Đã ghi giấy xác nhận {data.reference_code} vào {out}.")
    return EXIT_OK


def _print(args, ctx) -> int:
    from kiosk.commands.print_runner import run_print, system_printer_ready

    system_printer_ready(ctx)
    return run_print(args, ctx, ctx.kiosk.printing.print(ctx.operator, args.code, args.layout,
                                                         document="account_confirmation"))
