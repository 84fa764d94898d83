"""`kiosk card read` and `kiosk trust import|list`: the chip for operators and scripts.

Exit codes of `card read`: 0 read (verdict in the JSON; a check the kiosk could not carry out, or a
key that contradicts the chip, is listed in `warnings`), 2 bad arguments, 3 access denied (the chip
refused every key given; the message names the key to check), 4 card removed or reader error
mid-read, 5 no card or no reader, 6 data read but a check failed. Never a traceback.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_OK, CommandError, emit, write_output_file

EXIT_ACCESS_DENIED = 3
EXIT_READ_ERROR = 4
EXIT_NO_CARD = 5
EXIT_NOT_GENUINE = 6


def register(sub) -> None:
    card = sub.add_parser("card", help="read and verify a citizen identity card")
    card_sub = card.add_subparsers(dest="card_command", required=True)
    read = card_sub.add_parser("read", help="read the chip through a PC/SC reader")
    read.add_argument("--reader", default="", metavar="NAME")
    read.add_argument("--id-number", metavar="12DIGITS", help="the ID number (alone: its last six digits as the CAN)")
    read.add_argument("--birth", metavar="YYYY-MM-DD")
    read.add_argument("--expiry", metavar="YYYY-MM-DD|none")
    read.add_argument("--mrz", metavar="90 CHARACTERS")
    read.add_argument("--can", metavar="6DIGITS", help="the card access number printed on the card (PACE)")
    read.add_argument("--qr", metavar="TEXT", help="the text of the QR code on the card's front, as scanned")
    read.add_argument("--trust", action="append", default=[], metavar="PATH", help="extra CSCA PEM file, folder or master list")
    read.add_argument("--photo-out", metavar="FILE")
    read.add_argument("--json", action="store_true")
    read.set_defaults(func=_read)

    trust = sub.add_parser("trust", help="the CSCA trust store of this kiosk")
    trust_sub = trust.add_subparsers(dest="trust_command", required=True)
    imp = trust_sub.add_parser("import", help="import CSCA certificates (PEM, DER or an ICAO master list)")
    imp.add_argument("file")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=_trust_import)
    lst = trust_sub.add_parser("list", help="list trusted CSCA certificates")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_trust_list)


def _date_arg(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: cần ngày dạng YYYY-MM-DD, nhận được '{text}'.", EXIT_BAD_INPUT) from None


def access_key_from_args(args):
    """The card key from exactly one source: --can, --qr, --mrz, or --id-number (with --birth and
    --expiry for the MRZ key; alone, its last six digits are tried as the CAN)."""
    from kiosk.devices.icao.access import CardKey
    from kiosk.devices.icao.bac import AccessKey
    from kiosk.domain.key_entry import KeyEntryError, interpret, message

    given = [name for name, value in (("--can", args.can), ("--qr", args.qr), ("--mrz", args.mrz),
                                      ("--id-number", args.id_number)) if value]
    if len(given) > 1:
        raise CommandError(f"Chỉ dùng một nguồn khóa: {', '.join(given)} không dùng cùng nhau.", EXIT_BAD_INPUT)
    if not given:
        if args.birth or args.expiry:
            raise CommandError("--birth và --expiry đi cùng --id-number.", EXIT_BAD_INPUT)
        raise CommandError("Cần một khóa mở chip: --can, --qr, --mrz, hoặc --id-number (với --birth và --expiry).",
                           EXIT_BAD_INPUT)
    if not args.id_number and (args.birth or args.expiry):
        raise CommandError(f"{given[0]}: không dùng cùng --birth/--expiry (chúng đi cùng --id-number).", EXIT_BAD_INPUT)
    if args.can:
        if not re.fullmatch(r"\d{6}", args.can.strip()):
            raise CommandError("--can: số CAN gồm đúng 6 chữ số in trên thẻ.", EXIT_BAD_INPUT)
        return CardKey.typed_can(args.can)
    if args.qr:
        try:
            entry = interpret(args.qr)
        except KeyEntryError as exc:
            raise CommandError(f"--qr: {message(exc.reason)}", EXIT_BAD_INPUT) from None
        if entry.kind != "qr":
            raise CommandError(f"--qr: {message('unknown_format')}", EXIT_BAD_INPUT)
        return CardKey.from_entry(entry)
    if args.mrz:
        mrz = re.sub(r"\s", "", args.mrz)
        if len(mrz) != 90:
            raise CommandError(f"--mrz: MRZ của thẻ căn cước có 90 ký tự, nhận được {len(mrz)}.", EXIT_BAD_INPUT)
        try:
            return CardKey.from_mrz_key(AccessKey.from_mrz(mrz), "mrz")
        except ValueError as exc:
            raise CommandError(f"--mrz: không đọc được MRZ ({exc}).", EXIT_BAD_INPUT) from None
    if not re.fullmatch(r"\d{12}", args.id_number):
        raise CommandError("--id-number: số định danh cá nhân gồm đúng 12 chữ số.", EXIT_BAD_INPUT)
    if args.expiry and not args.birth:
        raise CommandError("--expiry cần cả --birth.", EXIT_BAD_INPUT)
    birth = _date_arg(args.birth, "--birth") if args.birth else None
    if not args.expiry:
        from kiosk.domain.partial_date import PartialDate

        stated = PartialDate(birth.year, birth.month, birth.day) if birth else None
        return CardKey.from_id_number(args.id_number, stated)
    assert birth is not None
    expiry = None if args.expiry.lower() == "none" else _date_arg(args.expiry, "--expiry").strftime("%y%m%d")
    return CardKey.from_mrz_key(AccessKey.from_document_number(args.id_number, birth.strftime("%y%m%d"), expiry),
                                "numbers")


def _read(args, ctx) -> int:
    from kiosk.devices.icao import errors
    from kiosk.domain import chip_verdict
    from kiosk.services.cards import key_mismatch_sentence, overall_verdict, verdict_reasons, warnings
    from kiosk.services.explain import explain

    key = access_key_from_args(args)
    for path in args.trust:
        if not Path(path).exists():
            raise CommandError(f"--trust: không tìm thấy {path}.", EXIT_BAD_INPUT)
    kiosk = ctx.kiosk
    try:
        result = kiosk.cards.read(ctx.operator, key, args.reader, extra_trust=[Path(p) for p in args.trust])
    except errors.ChipError as exc:
        said = explain(exc)
        kind = said.code
        code = {
            "AccessDenied": EXIT_ACCESS_DENIED,
            "NoCard": EXIT_NO_CARD,
            "ReaderUnavailable": EXIT_NO_CARD,
        }.get(kind, EXIT_READ_ERROR)
        text = said.vi
        payload = {"error": kind, "step": exc.step, "message": text}
        if kind == "AccessDenied":
            payload["key"] = getattr(exc, "check", "mrz")
        raise CommandError(text, code, payload) from None
    if args.photo_out and result.photo:
        write_output_file(args.photo_out, result.photo, "--photo-out")
    verdict = overall_verdict(result)
    data = result.to_json()
    data["warnings"] = warnings(result)
    p = result.personal
    human = "\n".join(
        [
            f"Họ và tên: {p.get('full_name', '')}",
            f"Số định danh: {p.get('id_number', result.mrz.id_number or '')}",
            f"Ngày sinh: {p.get('birth_date', '')}   Giới tính: {p.get('sex', '')}",
            f"Nơi thường trú: {p.get('place_of_residence', '')}",
            f"Kết luận: {verdict} — {chip_verdict.headline(verdict)}"
            + "".join(f"\n  - {chip_verdict.sentence(r)}" for r in verdict_reasons(result)),
            f"Mở chip bằng: {result.verification.access}"
            + (f"\n{key_mismatch_sentence(result.key_mismatch)}" if result.key_mismatch else ""),
            f"{result.apdu_count} APDU, {result.seconds:.2f} s",
        ]
    )
    emit(args, data, human)
    return EXIT_NOT_GENUINE if verdict == "failed" else EXIT_OK


def _trust_import(args, ctx) -> int:
    from kiosk.devices.icao.passive import TrustStoreError

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"Không tìm thấy tệp {path}.", EXIT_BAD_INPUT)
    try:
        anchors = ctx.kiosk.cards.import_trust(ctx.operator, path)
    except TrustStoreError as exc:
        raise CommandError(f"Không nhập được chứng thư CSCA: {exc}", EXIT_BAD_INPUT) from None
    emit(args, [_anchor_json(a) for a in anchors], f"Đã nhập {len(anchors)} chứng thư CSCA.")
    return EXIT_OK


def _trust_list(args, ctx) -> int:
    anchors = ctx.kiosk.cards.list_trust(ctx.operator)
    lines = [f"{a.subject}  hết hạn {a.not_after:%Y-%m-%d}  {a.fingerprint[:16]}" for a in anchors]
    emit(args, [_anchor_json(a) for a in anchors], "\n".join(lines) or "Chưa có chứng thư CSCA nào.")
    return EXIT_OK


def _anchor_json(anchor) -> dict:
    return {
        "subject": anchor.subject,
        "serial": str(anchor.serial),
        "not_before": anchor.not_before.isoformat(),
        "not_after": anchor.not_after.isoformat(),
        "fingerprint": anchor.fingerprint,
        "source": anchor.source,
    }
