"""The `kiosk-hub` command: serve the hub, issue enrolment codes, change dossier statuses, show stats."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("kiosk.hub")


def _db_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="sqlite:///FILE or postgresql://… (KIOSK_HUB_DB, else a file "
                        "in the hub's data folder)")
    parser.add_argument("--allow-plain-postgres", action="store_true",
                        help="talk to a PostgreSQL server on another machine without TLS (only on a network "
                             "protected some other way)")
    parser.add_argument("--signing-key", metavar="FILE",
                        help="the hub's signing key file (KIOSK_HUB_SIGNING_KEY; default: beside the SQLite file, or "
                             "the hub's data folder for PostgreSQL); replicas on several hosts share one, mode 0600")
    parser.add_argument("--json", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    """`kiosk-hub`'s command line: long because it is one declaration per command and option."""
    parser = argparse.ArgumentParser(prog="kiosk-hub", description="Máy chủ đồng bộ trung tâm của các kiosk tiếp dân.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the hub (uvicorn)")
    _db_arg(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8470)
    serve.add_argument("--log-level", default="warning")
    serve.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file")
    serve.add_argument("--tls-key", metavar="PEM", help="the certificate's private key file (0600)")
    serve.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                       help="a load balancer's address (repeatable): its X-Forwarded-For names the kiosk, so refusals "
                            "count against the kiosk's address, not the balancer's (loopback is always trusted)")
    serve.add_argument("--max-refusals", type=_positive_int, default=20, metavar="N",
                       help="refused requests a source address may make at once before it gets 429 "
                            "(then one more every 3 seconds)")
    serve.set_defaults(func=_serve)
    code = sub.add_parser("enrol-code", help="print a one-time enrolment code for a station's kiosk")
    _db_arg(code)
    code.add_argument("--station", required=True)
    code.add_argument("--ttl-hours", type=_hours, default=24.0,
                      help="how long the code stays valid: more than 0, at most 168 hours (default 24)")
    code.add_argument("--rejoin", metavar="KIOSK_ID",
                      help="a code for this enrolled kiosk to rejoin after its database was restored or moved")
    code.add_argument("--unit", action="append", default=[], metavar="UNIT_ID",
                      help="bind this receiving unit's id (000.00.24.H57) to the station first (repeatable): its "
                           "kiosks may number dossiers only under their station's units")
    code.set_defaults(func=_enrol_code)
    station = sub.add_parser("station", help="the stations' receiving units")
    station_sub = station.add_subparsers(dest="station_command", required=True)
    unit = station_sub.add_parser("unit", help="bind a receiving unit's id to a station (one station per unit)")
    _db_arg(unit)
    unit.add_argument("station")
    unit.add_argument("unit_id")
    unit.set_defaults(func=_station_unit)
    ident = sub.add_parser("identity", help="the hub's public signing key and its fingerprint (kiosks pin it)")
    _db_arg(ident)
    ident.set_defaults(func=_identity)
    dossier = sub.add_parser("dossier", help="back-office acts on dossiers")
    dossier_sub = dossier.add_subparsers(dest="dossier_command", required=True)
    status = dossier_sub.add_parser("status", help="set a dossier's status; its station's kiosks pull it")
    _db_arg(status)
    status.add_argument("tracking_code")
    status.add_argument("new_status")
    status.add_argument("--note", default="")
    status.set_defaults(func=_status)
    kiosk = sub.add_parser("kiosk", help="the enrolled kiosks")
    kiosk_sub = kiosk.add_subparsers(dest="kiosk_command", required=True)
    retire = kiosk_sub.add_parser("retire", help="take a kiosk out of use after its last sync: refuse it from now "
                                                 "on and give its block of the daily sequence back to the station")
    _db_arg(retire)
    retire.add_argument("kiosk_id")
    retire.set_defaults(func=_retire)
    stats = sub.add_parser("stats", help="dossiers, account requests, each kiosk's position and block")
    _db_arg(stats)
    stats.set_defaults(func=_stats)
    token = sub.add_parser("backoffice-token", help="create, list or revoke bearer tokens of the back-office "
                                                    "status endpoint (they expire)")
    _db_arg(token)
    what = token.add_mutually_exclusive_group(required=True)
    what.add_argument("--name", help="create a token under this name (shown once)")
    what.add_argument("--revoke", metavar="NAME", help="refuse the token of this name from now on")
    what.add_argument("--list", action="store_true", help="names, expiry and state of every token (never the tokens)")
    token.add_argument("--ttl-days", type=_days, default=90,
                       help="how long a new token is valid: 1 to 365 days (default 90)")
    token.set_defaults(func=_token)
    migrate = sub.add_parser("migrate", help="bring the hub's schema up to date")
    _db_arg(migrate)
    migrate.set_defaults(func=_migrate)
    return parser


def _bounded(text: str, low_exclusive: float, high: float, unit_vi: str, unit_en: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not low_exclusive < value <= high:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"cần số {unit_vi} lớn hơn {low_exclusive:g} và không quá {high:g} "
            f"(more than {low_exclusive:g} and at most {high:g} {unit_en}), nhận được '{text}'")
    return value


def _hours(text: str) -> float:
    from kiosk.hub.core import MAX_ENROL_CODE_TTL_S

    return _bounded(text, 0, MAX_ENROL_CODE_TTL_S / 3600, "giờ", "hours")


def _days(text: str) -> float:
    from kiosk.hub.core import MAX_BACKOFFICE_TOKEN_TTL_S

    return _bounded(text, 0, MAX_BACKOFFICE_TOKEN_TTL_S / 86400, "ngày", "days")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"cần một số nguyên dương (a positive integer), nhận được '{text}'")
    return value


def _emit(args: argparse.Namespace, payload: Any, human: str) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2) if args.json else human)


def _hub(args: argparse.Namespace):
    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database
    from kiosk.hub.signing import load_signer

    db = open_hub_database(args.db, allow_plain_postgres=args.allow_plain_postgres)
    return Hub(db, signer=load_signer(db, args.signing_key))


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from kiosk.hub.app import create_app
    from kiosk.hub.guard import FailureLimiter

    if bool(args.tls_cert) != bool(args.tls_key):
        print("Cần cả --tls-cert và --tls-key (both --tls-cert and --tls-key are needed).", file=sys.stderr)
        return 2
    for path in (args.tls_cert, args.tls_key):
        if path and not os.path.isfile(path):
            print(f"Không có tệp {path} (no such file).", file=sys.stderr)
            return 2
    hub = _hub(args)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheme = "https" if args.tls_cert else "http"
    log.info("kiosk-hub on %s://%s:%s, database %s, signing key %s", scheme, args.host, args.port, hub.db.dialect,
             hub.signer.fingerprint)
    if scheme == "http" and not _loopback(args.host):
        log.warning("serving plain HTTP on %s: kiosks refuse a hub on another machine without HTTPS; put TLS on the "
                    "balancer in front (README) or give --tls-cert/--tls-key", args.host)
    try:
        # Behind a balancer the peer is the balancer: its X-Forwarded-For is believed from these addresses only.
        trusted = ",".join(["127.0.0.1", "::1", *args.trusted_proxy])
        uvicorn.run(create_app(hub, FailureLimiter(burst=args.max_refusals)), host=args.host, port=args.port,
                    log_level=args.log_level, access_log=False, proxy_headers=True, forwarded_allow_ips=trusted,
                    ssl_certfile=args.tls_cert, ssl_keyfile=args.tls_key)
    finally:
        hub.db.dispose()
    return 0


def _loopback(host: str) -> bool:
    from kiosk.hub.db import _local

    return _local(host)


def _enrol_code(args: argparse.Namespace) -> int:
    hub = _hub(args)
    code = hub.create_enrol_code(args.station, int(args.ttl_hours * 3600), rejoin_kiosk=args.rejoin, units=args.unit)
    who = f"kiosk {args.rejoin} (đăng ký lại) của trạm {args.station}" if args.rejoin else f"trạm {args.station}"
    ident = hub.identity()
    _emit(args, {"code": code, "station": args.station, "ttl_hours": args.ttl_hours, "rejoin": args.rejoin,
                 "units": hub.units(args.station),
                 "hub_fingerprint": ident["fingerprint"]},
          f"Mã đăng ký một lần cho {who}: {code} (hết hạn sau {args.ttl_hours:g} giờ).\n"
          f"Dấu vân tay khóa của máy chủ (kiosk hiện sau khi đăng ký, so cho khớp): {ident['fingerprint']}")
    return 0


def _station_unit(args: argparse.Namespace) -> int:
    result = _hub(args).bind_unit(args.station, args.unit_id)
    _emit(args, result, f"Trạm {result['station']} đánh số hồ sơ theo mã đơn vị: {', '.join(result['units'])}.")
    return 0


def _identity(args: argparse.Namespace) -> int:
    ident = _hub(args).identity()
    _emit(args, ident, f"Khóa ký của máy chủ: {ident['public_key']}\nDấu vân tay: {ident['fingerprint']}")
    return 0


def _status(args: argparse.Namespace) -> int:
    hub = _hub(args)
    result = hub.set_status(args.tracking_code, args.new_status, args.note)
    _emit(args, result, f"Hồ sơ {args.tracking_code}: {result['previous']} → {result['status']}.")
    return 0


def _numbering_text(numbering: dict[str, Any]) -> str:
    if numbering.get("block") is None:
        return "chưa có khối số (trạm đã hết khối)"
    return f"khối {numbering['block']} (số {numbering['first']}–{numbering['last']})"


def _stats(args: argparse.Namespace) -> int:
    stats = _hub(args).stats()
    lines = [f"Hồ sơ: {stats['dossiers']} (được cấp mã mới do trùng: {stats['recoded']}); "
             f"yêu cầu tài khoản: {stats['account_requests']}"]
    for station, entry in stats["stations"].items():
        units = ", ".join(entry["units"]) or "chưa rõ"
        lines.append(f"Trạm {station} (mã đơn vị {units}): còn {entry['blocks_free']} khối số trống")
        for k in (k for k in stats["kiosks"] if k["station"] == station):
            state = f"thôi dùng từ {k['retired_at']}" if k["retired_at"] else _numbering_text(k["numbering"])
            lines.append(f"  {k['kiosk_id']}: {state}; đã nhận đến {k['high_water_mark']}, "
                         f"từ chối trùng {k['duplicates_refused']}")
    _emit(args, stats, "\n".join(lines))
    return 0


def _retire(args: argparse.Namespace) -> int:
    result = _hub(args).retire(args.kiosk_id)
    _emit(args, result, f"Kiosk {result['kiosk_id']} (trạm {result['station']}) đã thôi sử dụng; máy chủ giữ đến số "
                        f"{result['high_water_mark']} của kiosk. Khối {result['block']} được cấp lại từ "
                        f"{result['block_free_from']}.")
    return 0


def _token(args: argparse.Namespace) -> int:
    hub = _hub(args)
    if args.list:
        tokens = hub.backoffice_tokens()
        states = {"active": "còn hiệu lực", "expired": "đã hết hạn", "revoked": "đã thu hồi"}
        _emit(args, {"tokens": tokens}, "\n".join(
            f"{t['name']}: {states[t['state']]} (hết hạn {t['expires_at'] or '—'})" for t in tokens)
              or "Chưa có mã truy cập nào.")
        return 0
    if args.revoke:
        info = hub.revoke_backoffice_token(args.revoke)
        _emit(args, info, f"Đã thu hồi mã truy cập '{info['name']}'; máy chủ từ chối nó từ bây giờ.")
        return 0
    token = hub.create_backoffice_token(args.name, int(args.ttl_days * 86400))
    info = next(t for t in hub.backoffice_tokens() if t["name"] == args.name)
    _emit(args, {"name": args.name, "token": token, "expires_at": info["expires_at"]},
          f"Mã truy cập (chỉ hiện một lần): {token}\nHết hạn: {info['expires_at']}")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    hub = _hub(args)
    _emit(args, {"ok": True, "database": hub.db.dialect}, "Lược đồ cơ sở dữ liệu đã cập nhật.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError

    from kiosk.hub.core import HubError
    from kiosk.hub.db import HubDatabaseError
    from kiosk.hub.signing import SigningKeyError

    try:
        return args.func(args)
    except SigningKeyError as exc:
        print(exc.message_vi, file=sys.stderr)
        return 1
    except HubDatabaseError as exc:
        print(exc.message_vi, file=sys.stderr)
        return 2 if exc.reason == "plain_postgres" else 1
    except HubError as exc:
        if args.json:
            print(json.dumps(exc.as_json(), ensure_ascii=False, indent=2))
        print(f"{exc.message_vi} ({exc.message_en})", file=sys.stderr)
        return 2 if exc.status == 400 else 1
    except (OperationalError, ArgumentError) as exc:
        print(f"Không kết nối được cơ sở dữ liệu của máy chủ đồng bộ ({type(exc).__name__}).", file=sys.stderr)
        return 1
    except IntegrityError:
        print("Dữ liệu trùng lặp; không ghi gì.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
