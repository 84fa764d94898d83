"""`kiosk sync` (push and pull once, show the state, resume after a halt) and `kiosk enrol`."""

from __future__ import annotations

from kiosk.commands.base import EXIT_FAILED, EXIT_OK, CommandError, emit

EXIT_HALTED = 3  # sync stopped on a refusal no retry can fix: an administrator must look
EXIT_ATTENTION = 4  # synced, but something waits for an officer (a receipt to reprint, a refused op)


def register(sub) -> None:
    sync = sub.add_parser("sync", help="sync with the central hub: push the outbox, pull status changes")
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one sync now (the default)")
    mode.add_argument("--status", action="store_true", help="show the sync state without contacting the hub")
    mode.add_argument("--resume", action="store_true", help="clear a halt after the cause was fixed")
    mode.add_argument("--acknowledge", type=int, metavar="SEQ",
                      help="an op the hub refused has been dealt with: clear its alarm")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(func=_sync)
    enrol = sub.add_parser("enrol", help="register this kiosk with a hub using a one-time code")
    enrol.add_argument("--hub", metavar="URL", help="the hub's address (default: the hub_url setting)")
    enrol.add_argument("--code", required=True, help="the code printed by `kiosk-hub enrol-code`")
    enrol.add_argument("--rejoin", action="store_true",
                       help="enrol again after this kiosk's database was restored or moved (a code from "
                            "`kiosk-hub enrol-code --rejoin KIOSK_ID`): new instance, next epoch")
    enrol.add_argument("--json", action="store_true")
    enrol.set_defaults(func=_enrol)


def _block_text(st) -> str:
    from kiosk.domain.tracking import block_range

    first, last = block_range(st.block)
    who = "do máy chủ cấp" if st.block_source == "hub" else "đặt tại kiosk, chưa do máy chủ cấp"
    return f"Khối số thứ tự hồ sơ: {st.block} (số {first}–{last} mỗi ngày, {who})"


def _alarm_lines(alarms) -> list[str]:
    return [f"CẦN XỬ LÝ: {a['message_vi']}" + (f" [kiosk sync --acknowledge {a['seq']}]" if a["kind"] == "rejected"
                                                else "")
            for a in alarms]


def _status_text(st) -> str:
    if not st.enrolled:
        return "Kiosk chưa đăng ký với máy chủ đồng bộ.\n" + _block_text(st)
    lines = [
        f"Kiosk {st.kiosk_id}, trạm {st.station}, máy chủ {st.hub_url}",
        _block_text(st),
        f"Chờ gửi: {st.pending} (máy chủ đã nhận đến số {st.hub_position}/{st.last_seq}); đã nhận thay đổi đến {st.cursor}",
        f"Lần thành công gần nhất: {st.last_success_at or 'chưa có'}",
    ]
    if st.halted:
        lines.append(f"ĐỒNG BỘ ĐÃ DỪNG: {st.halted_reason} — cần quản trị viên kiểm tra.")
    elif st.last_error_code:
        lines.append(f"Lỗi gần nhất: {st.last_error_message} ({st.consecutive_failures} lần liên tiếp)")
    lines += _alarm_lines(st.alarms)
    return "\n".join(lines)


def _sync(args, ctx) -> int:
    from kiosk.services.sync import SyncService

    service: SyncService = ctx.kiosk.sync
    if args.status:
        st = service.state()
        emit(args, st.as_json(), _status_text(st))
        return EXIT_OK
    if args.resume:
        service.resume(ctx.operator)
        st = service.state()
        emit(args, st.as_json(), "Đã cho phép đồng bộ trở lại.\n" + _status_text(st))
        return EXIT_OK
    if args.acknowledge is not None:
        refused = service.acknowledge(ctx.operator, args.acknowledge)
        st = service.state()
        emit(args, {"acknowledged": refused, "state": st.as_json()},
             f"Đã ghi nhận xử lý thao tác số {args.acknowledge} bị máy chủ từ chối.\n" + _status_text(st))
        return EXIT_OK
    result = service.run_once(ctx.operator)
    human = (
        f"{result.message_vi} Đã gửi {result.pushed}, trùng {result.duplicates}, nhận về {result.pulled} thay đổi; "
        f"còn chờ {result.pending}."
    )
    if result.rejected:
        human += f" Máy chủ từ chối theo quy tắc nghiệp vụ các thao tác số: {', '.join(map(str, result.rejected))}."
    if result.alarms:
        human += "\n" + "\n".join(_alarm_lines(result.alarms))
    if result.audit_alarm:
        human += (f" CẢNH BÁO: máy chủ phát hiện nhật ký kiểm toán của kiosk không khớp ({result.audit_alarm}); "
                  "quản trị viên chạy `kiosk audit verify` và báo trung tâm.")
    emit(args, result.as_json(), human)
    if result.status == "halted":
        return EXIT_HALTED
    if result.status == "attention":
        return EXIT_ATTENTION
    return EXIT_OK if result.ok else EXIT_FAILED


def _enrol(args, ctx) -> int:
    from kiosk.services.sync_client import HubRefused, HubUnreachable

    try:
        if args.rejoin:
            result = ctx.kiosk.sync.rejoin(ctx.operator, args.code)
        else:
            result = ctx.kiosk.sync.enrol(ctx.operator, args.code, args.hub)
    except HubUnreachable as exc:
        raise CommandError(f"Không kết nối được máy chủ đồng bộ ({exc}).", EXIT_FAILED,
                           {"error": "hub_unreachable"}) from exc
    except HubRefused as exc:
        raise CommandError(f"Máy chủ từ chối đăng ký: {exc.message_vi}", EXIT_FAILED,
                           {"error": exc.reason, "message_vi": exc.message_vi}) from exc
    if args.rejoin:
        emit(args, result, f"Kiosk {result['kiosk_id']} đã đăng ký lại (kỷ nguyên {result['epoch']}); máy chủ giữ đến số "
                           f"{result['hub_position']}, {result['renumbered']} thao tác chờ gửi được đánh số tiếp theo.")
    else:
        emit(args, result,
             f"Đã đăng ký kiosk {result['kiosk_id']} với máy chủ {result['hub_url']} (trạm {result['station']}); "
             + (f"máy chủ cấp khối số thứ tự {result['block']}." if result.get("block") is not None
                else "máy chủ CHƯA cấp được khối số thứ tự (trạm đã đủ kiosk): báo quản trị viên."))
    return EXIT_OK
