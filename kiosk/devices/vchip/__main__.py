"""`python -m kiosk.devices.vchip`: serve a generated citizen's card on a vpcd slot (demo mode).

Prints one JSON line on stdout once the card is in the reader, then serves until SIGINT/SIGTERM, or with
`--lifeline` until its standard input closes (the kiosk that started it ended, however it ended). Demo
mode starts it through `kiosk.support.children`, which works from the source tree and from the bundle.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from datetime import date
from pathlib import Path

from kiosk.devices.vchip.card import AA_OID_FAMILIES, CURVES, POST_2024_DG13, ChipOptions, VirtualCard
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI
from kiosk.devices.vchip.vpcd import VPCD_BASE_PORT, VirtualReaderSlot


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m kiosk.devices.vchip",
                                description="Serve a virtual CCCD chip through vpcd/pcscd.")
    p.add_argument("--port", type=int, default=VPCD_BASE_PORT, help="vpcd port (35963 = 'Virtual PCD 00 00')")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--seed", type=int, default=0, help="citizen seed (deterministic data)")
    p.add_argument("--child", type=int, metavar="AGE", help="make the holder a child of this age")
    p.add_argument("--today", type=date.fromisoformat, help="reference date YYYY-MM-DD (default today)")
    p.add_argument("--print-key", action="store_true", help="include the access key in the JSON line")
    p.add_argument("--csca-out", type=Path, help="write the test CSCA certificate (PEM) here")
    p.add_argument("--aa", choices=("rsa", "ecdsa", "none"), default="rsa")
    p.add_argument("--aa-curve", choices=sorted(CURVES), default="p256", help="curve of an ECDSA key")
    p.add_argument("--aa-hash", choices=("sha1", "sha224", "sha256", "sha384", "sha512", "ripemd160"),
                   help="hash of the AA signature (default: SHA-1 for RSA, the curve's hash for ECDSA)")
    p.add_argument("--aa-oid", choices=AA_OID_FAMILIES, default="ecdsa-plain",
                   help="how DG14 names an ECDSA key's signature algorithm")
    p.add_argument("--no-ca", action="store_true", help="no DG14, no chip authentication")
    p.add_argument("--ca-cipher", choices=("aes128", "3des"), default="aes128")
    p.add_argument("--card-access", choices=("none", "ca", "pace", "pace-refused"), default="none",
                   help="EF.CardAccess: none (BAC only), ca, pace, or pace advertised and refused")
    p.add_argument("--can", help="the card's own CAN (default: the ID number's last six digits)")
    p.add_argument("--no-bac", action="store_true", help="refuse BAC (GET CHALLENGE answers 6985): PACE only")
    p.add_argument("--pace-passwords", choices=("mrz,can", "mrz", "can"), default="mrz,can",
                   help="the PACE password references the chip takes")
    p.add_argument("--post-2024", action="store_true", help="DG13 with only the fields of a 2024 card")
    p.add_argument("--dg13-nesting", choices=("seq", "nested", "flat"), default="seq")
    p.add_argument("--slow", type=float, default=0.0, help="seconds of delay per APDU")
    p.add_argument("--short-apdu-only", action="store_true")
    p.add_argument("--tamper-dg", type=int, metavar="N")
    p.add_argument("--tamper-signature", action="store_true")
    p.add_argument("--csca-kind", choices=("ecdsa", "rsa"), default="ecdsa")
    p.add_argument("--ds-kind", choices=("ecdsa", "rsa", "rsa-pss"), default="ecdsa")
    p.add_argument("--unknown-csca", action="store_true")
    p.add_argument("--lifeline", action="store_true",
                   help="stop when standard input closes: the kiosk that started the card is gone, even after a "
                        "crash (works on Windows, where a parent's death cannot be polled)")
    return p


def _watch_lifeline(stop: threading.Event) -> None:
    """Block on stdin until it reaches its end (the starter closed it or died), then ask to stop."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except (OSError, ValueError, AttributeError):  # closed, or no stdin at all
        pass
    stop.set()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    citizen = generate_citizen(args.seed, today=args.today, age=args.child)
    pki = TestPKI.generate(PKIOptions(csca_kind=args.csca_kind, ds_kind=args.ds_kind,
                                      unknown_csca=args.unknown_csca))
    try:
        options = chip_options(args)
    except ValueError as exc:
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return 2
    card = VirtualCard(citizen, pki, options)
    return serve(card, pki, args)


def chip_options(args: argparse.Namespace) -> ChipOptions:
    return ChipOptions(
        aa_kind=None if args.aa == "none" else args.aa,
        aa_curve=args.aa_curve,
        aa_hash=args.aa_hash,
        aa_oid=args.aa_oid,
        ca=not args.no_ca,
        ca_cipher=args.ca_cipher,
        card_access=args.card_access,
        can=args.can,
        bac_status=0x6985 if args.no_bac else None,
        pace_passwords=tuple(args.pace_passwords.split(",")),
        dg13_keep=POST_2024_DG13 if args.post_2024 else None,
        dg13_nesting=args.dg13_nesting,
        slow=args.slow,
        short_apdu_only=args.short_apdu_only,
        tamper_dg=args.tamper_dg,
        tamper_signature=args.tamper_signature,
    )


def serve(card: VirtualCard, pki: TestPKI, args: argparse.Namespace) -> int:
    citizen = card.citizen
    csca_path = args.csca_out
    if csca_path is None:
        fd, name = tempfile.mkstemp(prefix="kiosk-vchip-csca-", suffix=".pem")
        os.close(fd)
        csca_path = Path(name)
    csca_path.write_bytes(pki.csca_pem())

    slot = VirtualReaderSlot(args.port, args.host)
    try:
        slot.insert(card, reconnect=True)
    except ConnectionError as exc:
        print(json.dumps({"error": str(exc)}), file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.lifeline:
        threading.Thread(target=_watch_lifeline, args=(stop,), name="lifeline", daemon=True).start()
    info: dict[str, object] = {"reader": slot.reader_name, "port": args.port, "csca_pem": str(csca_path)}
    if args.print_key:
        info["access_key"] = {**citizen.access_key(), "can": card.can}
        info["birth_date"] = citizen.birth_date.isoformat()
        info["expiry_date"] = citizen.expiry_date.isoformat() if citizen.expiry_date else None
    print(json.dumps(info, ensure_ascii=False), flush=True)
    while not stop.wait(0.5):
        if not slot.connected and getattr(card, "removed", False):
            break
    slot.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
