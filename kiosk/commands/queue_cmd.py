"""`kiosk queue take|list|call|receive|recall|skip|absent`: the hall's queue for scripts and tests.

Exit codes: 0 done, 1 refused, not found, or the hub cannot be reached for a call (scan the ticket's QR
code), 2 bad input (with `{"errors": [{field, message}]}`).
"""

from __future__ import annotations

from datetime import date

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit, read_json_file
from kiosk.commands.dossier_cmd import read_attachments


def register(sub) -> None:
    q = sub.add_parser("queue", help="queue tickets with the citizen's draft: take, list, call, receive")
    q_sub = q.add_subparsers(dest="queue_command", required=True)

    take = q_sub.add_parser("take", help="a citizen's draft and queue ticket (as the hall kiosk takes it)")
    take.add_argument("--service", type=int, required=True, metavar="N")
    take.add_argument("--citizen", metavar="CITIZEN.json", help="the citizen's chip (kiosk card read --json)")
    take.add_argument("--data", required=True, metavar="FORM.json", help="the form: {field: value}")
    take.add_argument("--no-print", action="store_true", help="do not print the ticket")
    take.add_argument("--json", action="store_true")
    take.set_defaults(func=_take)

    lst = q_sub.add_parser("list", help="today's tickets of this kiosk and the line per counter group")
    lst.add_argument("--day", metavar="YYYY-MM-DD")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_list)

    call = q_sub.add_parser("call", help="call the next ticket of this counter's groups; prints its draft")
    call.add_argument("--counter", metavar="NAME", help="the counter (default: setting counter_name)")
    call.add_argument("--groups", metavar="A,B", help="the groups it serves (default: setting queue_groups)")
    call.add_argument("--json", action="store_true")
    call.set_defaults(func=_call)

    receive = q_sub.add_parser("receive", help="turn a called ticket's draft into a dossier (code, date, receipt)")
    receive.add_argument("ticket", metavar="TICKET", help="the ticket's id, today's number, or its QR text")
    receive.add_argument("--counter", metavar="NAME")
    receive.add_argument("--attach", action="append", default=[], metavar="DOCUMENT=FILE", help="a scan (PDF, JPEG, PNG)")
    receive.add_argument("--no-print", action="store_true", help="do not print the receipt")
    receive.add_argument("--json", action="store_true")
    receive.set_defaults(func=_receive)

    for action, text in (("recall", "call a ticket again (the hall display shows it again)"),
                         ("skip", "put a called ticket back at the end of its line"),
                         ("absent", "close a ticket whose citizen did not come")):
        act = q_sub.add_parser(action, help=text)
        act.add_argument("ticket", metavar="TICKET", help="the ticket's id or today's number")
        act.add_argument("--json", action="store_true")
        act.set_defaults(func=_act, action=action)


def _print_job(ctx, principal, code: str, document: str) -> dict:
    from kiosk.services.printing import PrintFailed
    from kiosk.support.jobs import run_inline

    try:
        return {"printed": True, **run_inline(ctx.kiosk.printing.print(principal, code, document=document)).to_json()}
    except PrintFailed as exc:
        return {"printed": False, "reason": exc.reason, "job_id": exc.job_id, "message": exc.message_vi}


def _take(args, ctx) -> int:
    citizen = read_json_file(args.citizen, "--citizen") if args.citizen else None
    form = read_json_file(args.data, "--data")
    taken = ctx.kiosk.queue.take(ctx.operator, args.service, form, citizen)
    payload = taken.as_json()
    if not args.no_print:
        payload["print"] = _print_job(ctx, ctx.operator, taken.ticket_id, "queue_ticket")
    emit(args, payload, f"Số thứ tự {taken.number} (dịch vụ {taken.service_no}); chờ khoảng "
                        f"{taken.estimated_wait_min} phút.")
    return EXIT_OK


def _list(args, ctx) -> int:
    if args.day:
        try:
            date.fromisoformat(args.day)
        except ValueError:
            raise CommandError(f"--day: cần ngày dạng YYYY-MM-DD, nhận được '{args.day}'.", EXIT_BAD_INPUT) from None
    result = ctx.kiosk.queue.list(ctx.operator, args.day)
    lines = [f"{g}: {v['waiting']} người chờ" for g, v in sorted(result["groups"].items())]
    lines += [f"{t['number']:<7} {t['status']:<9} dịch vụ {t['service_no']:<3} {t['counter'] or ''}"
              for t in result["tickets"]]
    emit(args, result, "\n".join(lines) or "Hôm nay chưa có phiếu nào.")
    return EXIT_OK


def _call(args, ctx) -> int:
    groups = [g for g in args.groups.split(",")] if args.groups is not None else None
    called = ctx.kiosk.queue.call(ctx.operator, args.counter, groups)
    if called is None:
        emit(args, {"ticket": None}, "Không còn ai chờ ở các nhóm của quầy này.")
        return EXIT_OK
    emit(args, called.as_json(), f"Mời số {called.number} đến {called.counter} (dịch vụ {called.service_no}).")
    return EXIT_OK


def _receive(args, ctx) -> int:
    attachments = read_attachments(args.attach)
    done, ticket = ctx.kiosk.queue.receive(ctx.operator, args.ticket, attachments, args.counter)
    payload = done.as_json() | {"ticket": ticket}
    if not args.no_print:
        payload["receipt"] = _print_job(ctx, ctx.operator, done.tracking_code, "receipt")
    due = f"; hẹn trả ngày {date.fromisoformat(done.appointment_date):%d/%m/%Y}" if done.appointment_date else ""
    emit(args, payload, f"Phiếu {ticket['number']}: đã tiếp nhận hồ sơ {done.tracking_code}{due}.")
    return EXIT_OK


def _act(args, ctx) -> int:
    queue = ctx.kiosk.queue
    ticket = queue.find(ctx.operator, args.ticket)
    result = queue.act(ctx.operator, ticket["ticket"], args.action)
    emit(args, result, f"Phiếu {result['number']}: {result['status']}.")
    return EXIT_OK
