"""`kiosk qr verify|key|trust`: check a receipt's signed QR code offline, manage trusted kiosk keys.

Exit codes of `qr verify`: 0 valid, 1 refused (the reason in the JSON and in a sentence), 2 bad input.
"""

from __future__ import annotations

import sys
from pathlib import Path

from kiosk.commands.base import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, CommandError, emit


def register(sub) -> None:
    qr = sub.add_parser("qr", help="verify receipt QR codes; trusted kiosk keys")
    qr_sub = qr.add_subparsers(dest="qr_command", required=True)
    verify = qr_sub.add_parser("verify", help="verify a scanned QR text (or '-' for stdin, or --image)")
    verify.add_argument("text", nargs="?", help="the text the scanner read, starting with VNK1:")
    verify.add_argument("--image", metavar="FILE", help="decode the QR code from a PNG/JPEG image first")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=_verify)

    key = qr_sub.add_parser("key", help="this kiosk's id and public key, to give to other kiosks")
    key.add_argument("--json", action="store_true")
    key.set_defaults(func=_key)

    trust = qr_sub.add_parser("trust", help="kiosks whose QR codes this kiosk accepts")
    trust_sub = trust.add_subparsers(dest="qr_trust_command", required=True)
    add = trust_sub.add_parser("add", help="trust another kiosk's key (as `kiosk qr key` prints it there)")
    add.add_argument("kiosk_id")
    add.add_argument("public_key")
    add.add_argument("--json", action="store_true")
    add.set_defaults(func=_trust_add)
    lst = trust_sub.add_parser("list", help="trusted keys (this kiosk's own first)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=_trust_list)
    rm = trust_sub.add_parser("remove", help="stop trusting a key (by key id or kiosk id)")
    rm.add_argument("which")
    rm.add_argument("--json", action="store_true")
    rm.set_defaults(func=_trust_remove)


def _scanned_text(args) -> str:
    if args.image:
        path = Path(args.image)
        if not path.is_file():
            raise CommandError(f"--image: không tìm thấy tệp {path}.", EXIT_BAD_INPUT)
        import zxingcpp
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as img:
                found = zxingcpp.read_barcodes(img.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
        except (UnidentifiedImageError, OSError):
            raise CommandError(f"--image: {path} không phải ảnh đọc được.", EXIT_BAD_INPUT) from None
        if not found:
            raise CommandError("Không tìm thấy mã QR nào trong ảnh.", EXIT_FAILED)
        return found[0].text
    if args.text in (None, "-"):
        return sys.stdin.read().strip()
    return args.text


def _verify(args, ctx) -> int:
    text = _scanned_text(args)
    result = ctx.kiosk.receipts.verify(ctx.operator, text)
    payload = result.to_json()
    if result.valid and result.claims:
        c = result.claims
        human = (f"{result.message_vi}\nMã hồ sơ: {c.tracking_code}   Dịch vụ số {c.service_number}   "
                 f"Kiosk: {c.kiosk_id}\nNgày hẹn trả: {c.appointment:%d/%m/%Y}" if c.appointment else
                 f"{result.message_vi}\nMã hồ sơ: {c.tracking_code}   Dịch vụ số {c.service_number}   Kiosk: {c.kiosk_id}")
        emit(args, payload, human)
        return EXIT_OK
    if args.json:
        emit(args, payload, "")
    else:
        print(result.message_vi)
    return EXIT_FAILED


def _key(args, ctx) -> int:
    key = ctx.kiosk.receipts.own_key()
    emit(args, key.to_json(), f"Kiosk {key.kiosk_id}\nMã khóa (kid): {key.kid}\nKhóa công khai: {key.public_key}\n"
                              f"Trên kiosk khác: kiosk qr trust add {key.kiosk_id} {key.public_key}")
    return EXIT_OK


def _trust_add(args, ctx) -> int:
    key = ctx.kiosk.receipts.trust_add(ctx.operator, args.kiosk_id, args.public_key)
    emit(args, key.to_json(), f"Đã tin cậy mã QR của kiosk {key.kiosk_id} (kid {key.kid}).")
    return EXIT_OK


def _trust_list(args, ctx) -> int:
    keys = ctx.kiosk.receipts.list_trust(ctx.operator)
    labels = {"own": "kiosk này", "manual": "nhập tay", "hub": "từ trung tâm"}
    lines = [f"{k.kid}  {k.kiosk_id:<24} {labels.get(k.source, k.source)}" for k in keys]
    emit(args, [k.to_json() for k in keys], "\n".join(lines))
    return EXIT_OK


def _trust_remove(args, ctx) -> int:
    n = ctx.kiosk.receipts.trust_remove(ctx.operator, args.which)
    emit(args, {"removed": n}, f"Đã bỏ {n} khóa; mã QR do khóa đó ký sẽ bị từ chối.")
    return EXIT_OK
