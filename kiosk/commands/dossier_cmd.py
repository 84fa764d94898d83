"""`kiosk dossier create|show|search|status|slot`: dossiers for operators and scripts.

Exit codes: 0 done, 1 refused or not found, 2 bad input (with `{"errors": [{field, message}]}`).
"""

from __future__ import annotations

import mimetypes
from datetime import date, datetime
from pathlib import Path

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit, read_json_file


def register(sub) -> None:
    dos = sub.add_parser("dossier", help="create, show, search dossiers and move their status")
    dos_sub = dos.add_subparsers(dest="dossier_command", required=True)

    create = dos_sub.add_parser("create", help="receive a dossier: tracking code and appointment date")
    create.add_argument("--service", type=int, required=True, metavar="N")
    create.add_argument("--citizen", metavar="CITIZEN.json", help="the applicant's chip (kiosk card read --json)")
    create.add_argument("--person", action="append", default=[], metavar="ROLE=CHIP.json",
                        help="another person's chip (mother, father, bride, groom, deceased, …)")
    create.add_argument("--data", required=True, metavar="FORM.json", help="the form: {field: value}")
    create.add_argument("--attach", action="append", default=[], metavar="DOCUMENT=FILE", help="a scan (PDF, JPEG, PNG)")
    create.add_argument("--received-at", metavar="ISO-DATETIME", help="when it was received (station time if no offset)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(func=_create)

    show = dos_sub.add_parser("show", help="the full dossier (audited)")
    show.add_argument("code")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_show)

    search = dos_sub.add_parser("search", help="by code, ID number, name or address (accents optional)")
    search.add_argument("text", nargs="?", default="")
    search.add_argument("--status", action="append", default=[], metavar="S")
    search.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    search.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    search.add_argument("--limit", type=int, default=50)
    search.add_argument("--json", action="store_true")
    search.set_defaults(func=_search)

    status = dos_sub.add_parser("status", help="move a dossier to a new status")
    status.add_argument("code")
    status.add_argument("new_status")
    status.add_argument("--note", default="")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)

    slot = dos_sub.add_parser("slot", help="show this kiosk's block of the daily numbers, or set it (0–9) "
                                                 "while no hub gave one")
    slot.add_argument("value", nargs="?", type=int)
    slot.add_argument("--json", action="store_true")
    slot.set_defaults(func=_slot)


def _pair(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise CommandError(f"{option}: cần dạng TÊN=TỆP, nhận được '{text}'.", EXIT_BAD_INPUT)
    return key.strip(), value.strip()


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option}: cần ngày dạng YYYY-MM-DD, nhận được '{text}'.", EXIT_BAD_INPUT) from None


def read_attachments(items: list[str]) -> list:
    """The scans of `--attach DOCUMENT=FILE` options (PDF, JPEG or PNG files)."""
    from kiosk.services.dossier_checks import MEDIA_TYPES, AttachmentIn

    attachments = []
    for item in items:
        doc, path_text = _pair(item, "--attach")
        path = Path(path_text)
        if not path.is_file():
            raise CommandError(f"--attach: không tìm thấy tệp {path}.", EXIT_BAD_INPUT)
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media not in MEDIA_TYPES:
            raise CommandError(f"--attach: {path.name} không phải PDF, JPEG hoặc PNG.", EXIT_BAD_INPUT)
        attachments.append(AttachmentIn(doc, path.name, media, path.read_bytes()))
    return attachments


def _create(args, ctx) -> int:
    citizen = read_json_file(args.citizen, "--citizen") if args.citizen else None
    persons = {}
    for item in args.person:
        role, path = _pair(item, "--person")
        persons[role] = read_json_file(path, "--person")
    form = read_json_file(args.data, "--data")
    attachments = read_attachments(args.attach)
    received_at = None
    if args.received_at:
        try:
            received_at = datetime.fromisoformat(args.received_at)
        except ValueError:
            raise CommandError(f"--received-at: cần thời điểm ISO (2026-11-25T09:30), nhận được '{args.received_at}'.",
                               EXIT_BAD_INPUT) from None
    done = ctx.kiosk.dossiers.submit(ctx.operator, args.service, citizen, persons, form, attachments, received_at)
    due = f"; hẹn trả kết quả ngày {date.fromisoformat(done.appointment_date):%d/%m/%Y}" if done.appointment_date else ""
    human = f"Đã tiếp nhận hồ sơ {done.tracking_code}{due}."
    human += "".join(f"\nLưu ý: {w.message_vi}" for w in done.warnings)
    emit(args, done.as_json(), human)
    return EXIT_OK


def _show(args, ctx) -> int:
    record = ctx.kiosk.dossiers.get(ctx.operator, args.code, full=True)
    lines = [
        f"Mã hồ sơ: {record['tracking_code']}",
        f"Dịch vụ: {record['service_no']}. {record['service_name_vi']}",
        f"Người nộp: {record['subject_name']}",
        f"Trạng thái: {record['status_label_vi']}",
        f"Tiếp nhận: {record['received_at']}   Hẹn trả: {record['appointment_date'] or '—'}",
        "Quá trình:",
        *[f"  {h['seq']}. {h['at']} {h['actor']}: {h['from'] or '—'} → {h['to']}" + (f" ({h['note']})" if h["note"] else "")
          for h in record["history"]],
    ]
    emit(args, record, "\n".join(lines))
    return EXIT_OK


def _search(args, ctx) -> int:
    results = ctx.kiosk.dossiers.search(
        ctx.operator, args.text, args.status, _day(args.date_from, "--from"), _day(args.date_to, "--to"), args.limit
    )
    lines = [f"{r['tracking_code']}  {r['status_label_vi']:<22} {r['applicant_id_number'] or '':<12} {r['subject_name']}"
             for r in results]
    emit(args, results, "\n".join(lines) or "Không tìm thấy hồ sơ nào.")
    return EXIT_OK


def _status(args, ctx) -> int:
    record = ctx.kiosk.dossiers.change_status(ctx.operator, args.code, args.new_status, args.note)
    emit(args, record, f"Hồ sơ {record['tracking_code']}: {record['status_label_vi']}.")
    return EXIT_OK


def _slot(args, ctx) -> int:
    dossiers = ctx.kiosk.dossiers
    if args.value is not None:
        dossiers.set_slot(ctx.operator, args.value)
    from kiosk.domain.tracking import block_range

    slot = dossiers.slot()
    first, last = block_range(slot)
    source = dossiers.slot_source()
    payload = {"slot": slot, "first": first, "last": last, "source": source}
    who = "do máy chủ trung tâm cấp" if source == "hub" else "đặt tại kiosk"
    emit(args, payload, f"Kiosk này cấp số thứ tự {first}–{last} mỗi ngày (khối {slot}, {who}).")
    return EXIT_OK
