"""Offline-first sync with the hub: push the outbox from the hub's position, pull the station's changes.

At-least-once delivery with an idempotent apply on both sides gives an exactly-once effect:
- push sends outbox rows after the hub's last acknowledged sequence; the hub's answer (its high-water
  mark) and the local "acknowledged" marks are written in one transaction, only after the answer;
- a hub behind the kiosk (restored from a backup) makes the kiosk resend from the hub's position,
  so acknowledged rows are kept `keep_acked_days` before they are purged;
- a 409 (different content under a number the hub holds) or a refused identity stops sync and
  raises an alert: retrying would never succeed and might hide a cloned kiosk;
- pulled changes are applied together with the new cursor in one transaction;
- transient failures are retried with exponential backoff and jitter; `run_loop` keeps trying
  without any new local write. Clocks are for display only.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import AuditEntry, Counter, KioskMeta, OutboxOp
from kiosk.db.models_sync import RecodedRecord, RemoteChange, SyncState
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.tracking import (
    BLOCK,
    HUB_BLOCK,
    KIOSK_BLOCKS,
    UNENROLLED_BLOCK,
    TrackingCode,
    TrackingCodeError,
    day_counter_name,
    slot_of,
)
from kiosk.hub import protocol
from kiosk.jobs import CancelToken, Progress, ProgressFn, ignore_progress
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput
from kiosk.services.identity import (
    SLOT_META,
    SLOT_SOURCE_META,
    KioskIdentity,
    identity,
    public_key_b64,
    signing_key,
)
from kiosk.services.outbox import REJOIN_REQUIRED, SEQUENCE
from kiosk.services.permissions import require
from kiosk.services.sync_client import ClockSkew, HubClient, HubRefused, HubUnreachable, Replayed

log = logging.getLogger(__name__)

DOSSIER_STATUS = "dossier.status"
OP_REJECTED = "op.rejected"
# Refusals that no retry can fix: an operator must look (a cloned or restored kiosk, a foreign key).
HALTING = frozenset({"conflict", "cloned_kiosk", "epoch_mismatch", "bad_signature", "unknown_kiosk",
                     "hub_behind_purged", "kiosk_retired", "restored"})

MESSAGES_VI = {
    "ok": "Đồng bộ xong.",
    "offline": "Không kết nối được máy chủ đồng bộ; dữ liệu vẫn an toàn trên kiosk và sẽ được gửi lại sau.",
    "not_enrolled": "Kiosk chưa đăng ký với máy chủ đồng bộ (kiosk enrol --hub URL --code MÃ).",
    "halted": "Đồng bộ đã DỪNG vì máy chủ từ chối dữ liệu của kiosk; cần quản trị viên kiểm tra.",
    "refused": "Máy chủ đồng bộ từ chối yêu cầu.",
    "cancelled": "Đã hủy đồng bộ.",
    "conflict": "Máy chủ giữ nội dung KHÁC cho cùng số thứ tự (kiosk bị khôi phục hoặc sao chép?). Đồng bộ đã dừng.",
    "cloned_kiosk": "Máy chủ thấy một bản sao của kiosk này (cùng mã, khác cơ sở dữ liệu). Đồng bộ đã dừng.",
    "epoch_mismatch": "Kỷ nguyên của kiosk không khớp với máy chủ. Đồng bộ đã dừng.",
    "bad_signature": "Máy chủ không nhận khóa ký của kiosk này. Đồng bộ đã dừng.",
    "unknown_kiosk": "Máy chủ không biết kiosk này (đăng ký lại). Đồng bộ đã dừng.",
    "hub_behind_purged": "Máy chủ thiếu dữ liệu mà kiosk đã xóa sau khi được xác nhận. Đồng bộ đã dừng.",
    "kiosk_retired": "Máy chủ đã cho kiosk này thôi sử dụng; không nhận dữ liệu của kiosk nữa. Đồng bộ đã dừng.",
    "attention": "Dữ liệu đã gửi lên máy chủ, nhưng CÓ VIỆC CẦN XỬ LÝ (xem cảnh báo): {alarms}",
    "restored": "Dữ liệu của kiosk vừa được khôi phục từ bản sao lưu: cần đăng ký lại với máy chủ "
                "(kiosk enrol --rejoin, mã do máy chủ cấp: kiosk-hub enrol-code --rejoin) trước khi đồng bộ.",
}

#: Why the hub refused an op (a business rule), and what the officer does: (Vietnamese, English); {code}
#: is the record's code and {seq} the op's number.
REJECTION_MESSAGES: dict[str, tuple[str, str]] = {
    "duplicate_tracking_code": (
        "Máy chủ KHÔNG NHẬN hồ sơ {code}: mã trùng với hồ sơ khác và máy chủ không cấp được mã mới. Báo quản trị "
        "viên ngay; công dân đang giữ phiếu hẹn mã này.",
        "The hub REFUSED dossier {code}: its code clashes with another dossier's and the hub could not give it a "
        "new one. Tell the administrator now; a citizen holds a receipt with this code."),
    "missing_tracking_code": (
        "Máy chủ không nhận một hồ sơ (thao tác số {seq}) vì thiếu mã hồ sơ. Báo quản trị viên.",
        "The hub refused a dossier (op {seq}) that has no code. Tell the administrator."),
    "duplicate_dossier": (
        "Máy chủ đã có hồ sơ {code} này từ trước (gửi lại lần hai) nên không nhận thêm. Báo quản trị viên kiểm tra.",
        "The hub already holds dossier {code} (sent a second time). Ask the administrator to check."),
    "unknown_dossier": (
        "Máy chủ không có hồ sơ {code} nên không nhận thay đổi trạng thái của hồ sơ. Báo quản trị viên.",
        "The hub does not hold dossier {code}, so it refused its status change. Tell the administrator."),
    "foreign_dossier": (
        "Hồ sơ {code} thuộc trạm khác: máy chủ không nhận thay đổi trạng thái từ kiosk này. Báo quản trị viên.",
        "Dossier {code} belongs to another station: the hub refused this kiosk's status change. Tell the "
        "administrator."),
    "bad_status": (
        "Máy chủ không nhận trạng thái mới của hồ sơ {code} (trạng thái không hợp lệ). Báo quản trị viên.",
        "The hub refused the new status of dossier {code} (not a valid status). Tell the administrator."),
}
REJECTION_OTHER = ("Máy chủ không nhận thao tác số {seq} của kiosk ({reason}). Báo quản trị viên.",
                   "The hub refused this kiosk's op {seq} ({reason}). Tell the administrator.")
REPRINT_MESSAGES = {
    "dossier": (
        "Hồ sơ {previous} trùng mã với một hồ sơ khác trên máy chủ; máy chủ giữ hồ sơ này với MÃ MỚI {code}. In "
        "lại phiếu hẹn mã mới cho công dân (kiosk receipt print {code}) và thu lại phiếu cũ.",
        "Dossier {previous} clashed with another dossier's code; the hub keeps it under the NEW CODE {code}. Print "
        "the receipt again with the new code for the citizen (kiosk receipt print {code}) and take back the old one."),
    "account": (
        "Đề nghị cấp tài khoản {previous} trùng mã với hồ sơ khác; máy chủ giữ đề nghị với MÃ MỚI {code}. In lại "
        "giấy xác nhận mã mới cho công dân (kiosk account print {code}).",
        "Account request {previous} clashed with another code; the hub keeps it under the NEW CODE {code}. Print the "
        "confirmation again with the new code (kiosk account print {code})."),
}
NUMBERING_MESSAGE = (
    "Máy chủ chưa cấp được khối số thứ tự hồ sơ cho kiosk này (trạm đã đủ kiosk); mã hồ sơ có thể trùng với kiosk "
    "khác. Báo quản trị viên (kiosk-hub kiosk retire một kiosk không còn dùng).",
    "The hub could not give this kiosk a block of the daily sequence (the station is full); its codes may clash "
    "with another kiosk's. Tell the administrator (kiosk-hub kiosk retire a kiosk no longer used).")


@dataclass(frozen=True)
class SyncPolicy:
    """Batch sizes, retry schedule (exponential backoff with jitter) and retention of acknowledged rows."""

    #: Ops per push, and the payload bytes a push may carry: account requests hold a portrait, and
    #: the hub refuses bodies over 32 MiB. Larger batches cost the hub less per op (bench/sync.py).
    batch_size: int = 2000
    batch_bytes: int = 4 * 1024 * 1024
    pull_limit: int = 500
    attempts: int = 5
    wait_initial_s: float = 0.5
    wait_max_s: float = 60.0
    jitter_s: float = 1.0
    keep_acked_days: int = 14
    timeout_s: float = 15.0
    loop_interval_s: float = 30.0
    #: A citizen waits in front of the status check: a hub that does not answer in this time is "offline".
    lookup_timeout_s: float = 3.0
    #: After a lookup found the hub unreachable, status checks answer locally for this long without asking.
    lookup_pause_s: float = 30.0


@dataclass(frozen=True)
class SyncAlarm:
    """Something an officer must act on after a sync: a receipt to print again with the code the hub gave
    (`reprint`), an op the hub refused (`rejected`), or no block of the daily sequence (`numbering`)."""

    kind: str
    message_vi: str
    message_en: str
    tracking_code: str = ""
    previous_code: str = ""
    record_kind: str = ""
    seq: int | None = None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SyncReport:
    """What one `run_once` did; `status` is ok, attention (synced, but an alarm waits for an officer: never
    "done"), offline, not_enrolled, halted, refused or cancelled."""

    status: str
    message_vi: str
    pushed: int = 0
    duplicates: int = 0
    rejected: list[int] = field(default_factory=list)
    pulled: int = 0
    pending: int = 0
    hub_position: int = 0
    cursor: int = 0
    error: str | None = None
    #: The hub refused this kiosk's audit chain (`audit_entry_invalid`, `audit_forked`, `audit_went_back`):
    #: an administrator must look at `kiosk audit verify`; the ops still sync.
    audit_alarm: str | None = None
    #: What waits for an officer (SyncAlarm.as_json()): while any is here, `status` is not "ok".
    alarms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SyncStatus:
    """The state a status bar or a supervisor screen shows."""

    enrolled: bool
    kiosk_id: str
    hub_url: str
    station: str
    pending: int
    hub_position: int
    last_seq: int
    cursor: int
    last_attempt_at: str | None
    last_success_at: str | None
    last_error_code: str | None
    last_error_message: str | None
    consecutive_failures: int
    halted: bool
    halted_reason: str | None
    halted_detail: str | None
    #: The hub's last audit alarm about this kiosk's chain (see SyncReport.audit_alarm), until a rejoin.
    audit_alarm: str | None = None
    #: The block of the daily sequence this kiosk numbers its dossiers in, and who gave it ("hub" or "local").
    block: int | None = None
    block_source: str = "local"
    #: What waits for an officer (SyncAlarm.as_json()).
    alarms: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class _Halt(Exception):
    def __init__(self, reason: str, detail: dict[str, Any]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class _Batch:
    """Outbox rows to push after `position`, read with the kiosk's last sequence number, the audit
    entries after `audit_after` (the last one the hub holds) and the signed audit-chain head."""

    position: int
    ops: list[dict[str, Any]]
    last_seq: int
    head: dict[str, Any]
    ops_more: bool  # the ops were cut (by count or bytes): more may follow
    audit_after: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def audit_more(self) -> bool:
        return len(self.entries) >= AUDIT_BATCH

    @property
    def audit_last(self) -> int:
        return self.entries[-1]["seq"] if self.entries else self.audit_after


#: Audit entries per push (each a few hundred bytes); a backlog drains over several pushes.
AUDIT_BATCH = 1000
#: The last audit entry the hub holds for this kiosk (its epoch), as its last answer said.
AUDIT_CURSOR = "audit_hub_seq"
AUDIT_ALARM = "audit_hub_alarm"
#: The hub had no block of the daily sequence for this kiosk (its station is full).
NUMBERING_ALARM = "numbering_alarm"
#: The outcome of a pulled rejection an administrator has dealt with (`kiosk sync --acknowledge SEQ`).
ACKNOWLEDGED = "acknowledged"
DOSSIER_RECODED = "dossier.recoded"


#: Told, inside the renumbering transaction, that outbox numbers above `position` grew by `shift`
#: (a capability that remembers its op's number moves it too).
Renumbered = Callable[[Session, int, int], None]
#: Told, inside the pull's transaction, that the hub keeps the record with this identity under a new code;
#: returns the old code when the capability holds that record, else None.
Recoded = Callable[[Session, str, str], "str | None"]


def _renumber_unaccepted(session: Session, position: int, mark: int, hooks: Sequence[Renumbered]) -> int:
    """Move the ops after `position` (never accepted by the hub) to follow the hub's `mark`, in order.

    Returns how many moved. Nothing moves when the hub is behind (it will ask for them again).
    """
    shift = mark - position
    if shift <= 0:
        return 0
    moved = session.query(OutboxOp).filter(OutboxOp.seq > position).count()
    # Two steps, so that no number is ever taken twice during the move.
    session.execute(update(OutboxOp).where(OutboxOp.seq > position).values(seq=-OutboxOp.seq))
    session.execute(update(OutboxOp).where(OutboxOp.seq < 0).values(seq=-OutboxOp.seq + shift))
    counter = session.get(Counter, SEQUENCE)
    if counter is not None:
        counter.value += shift
    for hook in hooks:
        hook(session, position, shift)
    return moved


def _skip_issued_codes(session: Session, codes: Sequence[str], block: int | None = None) -> int:
    """Move this kiosk's daily tracking-code counters past the codes the hub holds from it in its block
    (`block`; None: any), so a restored database never hands one out again. Returns how many days'
    counters moved. Codes the hub gave anew are in the hub's own block and move nothing."""
    highest: dict[str, int] = {}
    for text in codes:
        try:
            code = TrackingCode.parse(text)
        except TrackingCodeError:
            continue
        if (block is not None and slot_of(code.sequence) != block) or slot_of(code.sequence) == HUB_BLOCK:
            continue
        name = day_counter_name(code.day)
        highest[name] = max(highest.get(name, 0), code.sequence % BLOCK)
    moved = 0
    for name, nth in highest.items():
        counter = session.get(Counter, name)
        if counter is None:
            session.add(Counter(name=name, value=nth))
            moved += 1
        elif counter.value < nth:
            counter.value = nth
            moved += 1
    return moved


def _catch_up_statuses(session: Session, statuses: dict[str, str]) -> int:
    """A rejoining kiosk takes the hub's status of each of its dossiers (by identity): moves made after its backup was taken
    live only on the hub, and the pull skips this kiosk's own echoes. Nothing new was written since the restore
    (the outbox refuses until the rejoin), so the hub's status is the latest. Returns how many changed."""
    from kiosk.db.models_dossier import DossierRow

    if not statuses:
        return 0
    local = dict(session.execute(select(DossierRow.uid, DossierRow.status)
                                 .where(DossierRow.uid.in_(list(statuses)))).all())
    changed = 0
    for uid, status in statuses.items():
        if uid in local and local[uid] != status and _apply_dossier_status(
                session, {"dossier_uid": uid, "status": status, "note": "", "source": "hub:rejoin"}):
            changed += 1
    return changed


def _store_numbering(session: Session, numbering: Any, actor: str, clock: Clock) -> int | None:
    """Keep the block of the daily sequence the hub gave this kiosk (enrolment, rejoin, every push answer);
    a change is audited. A hub with no block left for it leaves the kiosk's block and raises an alarm."""
    if not isinstance(numbering, dict):
        return None  # a hub from before blocks were the hub's
    block = numbering.get("block")
    if not isinstance(block, int) or block not in KIOSK_BLOCKS:
        session.merge(KioskMeta(key=NUMBERING_ALARM, value=str(numbering.get("error") or "no_block")))
        return None
    alarm = session.get(KioskMeta, NUMBERING_ALARM)
    if alarm is not None:
        session.delete(alarm)
    current, source = session.get(KioskMeta, SLOT_META), session.get(KioskMeta, SLOT_SOURCE_META)
    if current is not None and current.value == str(block) and source is not None and source.value == "hub":
        return block
    audit.append(session, actor, "dossier.slot", "kiosk", "", {"from": current.value if current else None,
                                                                 "to": block, "source": "hub"}, clock=clock)
    session.merge(KioskMeta(key=SLOT_META, value=str(block)))
    session.merge(KioskMeta(key=SLOT_SOURCE_META, value="hub"))
    return block


def _numbering_hint(session: Session) -> dict[str, Any]:
    """What this kiosk numbers in now, sent to the hub (it keeps a free block the kiosk already uses)."""
    current = session.get(KioskMeta, SLOT_META)
    source = session.get(KioskMeta, SLOT_SOURCE_META)
    return {"block": int(current.value) if current else UNENROLLED_BLOCK,
            "source": source.value if source else "local"}


def _alarms(session: Session, kiosk_id: str) -> list[SyncAlarm]:
    """What waits for an officer: receipts to print again under the hub's new code (until a print job of the
    new code has printed), ops the hub refused (until acknowledged), no block from the hub."""
    from kiosk.db.models_receipts import PrintJob

    alarms = []
    printed = select(PrintJob.id).where(PrintJob.tracking_code == RecodedRecord.tracking_code,
                                        PrintJob.status == "printed", PrintJob.printed_at >= RecodedRecord.recoded_at)
    for rec in session.scalars(select(RecodedRecord).where(~printed.exists()).order_by(RecodedRecord.id)):
        vi, en = REPRINT_MESSAGES.get(rec.record_kind, REPRINT_MESSAGES["dossier"])
        alarms.append(SyncAlarm("reprint", vi.format(previous=rec.previous_code, code=rec.tracking_code),
                                en.format(previous=rec.previous_code, code=rec.tracking_code), rec.tracking_code,
                                rec.previous_code, rec.record_kind))
    for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == OP_REJECTED, RemoteChange.target != "",
                                                          RemoteChange.outcome != ACKNOWLEDGED)
                               .order_by(RemoteChange.change_id)):
        data = json.loads(row.payload)
        if data.get("kiosk_id") != kiosk_id:
            continue
        reason, seq, code = str(data.get("reason") or ""), data.get("seq"), str(data.get("tracking_code") or "")
        vi, en = REJECTION_MESSAGES.get(reason, REJECTION_OTHER)
        if not code and "{code}" in vi:
            vi, en = REJECTION_OTHER
        alarms.append(SyncAlarm("rejected", vi.format(code=code, seq=seq, reason=reason),
                                en.format(code=code, seq=seq, reason=reason), code, seq=seq, reason=reason))
    if session.get(KioskMeta, NUMBERING_ALARM) is not None:
        alarms.append(SyncAlarm("numbering", *NUMBERING_MESSAGE))
    return alarms


def _state(session: Session) -> SyncState:
    row = session.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1, hub_url="", station="", hub_position=0, cursor=0, cursor_uid="", keys_version=0,
                        clock_offset_s=0, consecutive_failures=0, halted=False)
        session.add(row)
        session.flush()
    return row


def halt_for_rejoin(session: Session, detail: dict[str, Any], clock: Clock = utc_now) -> bool:
    """A database restored from a backup: stop sync and new tracking codes until the kiosk rejoins its hub.

    Returns False (and changes nothing) for a kiosk never enrolled: it has no hub to rejoin. In the
    caller's transaction."""
    st = session.get(SyncState, 1)
    if st is None or st.enrolled_at is None:
        return False
    session.merge(KioskMeta(key=REJOIN_REQUIRED, value=protocol.canonical_json(detail)))
    st.halted, st.halted_reason = True, "restored"
    st.halted_detail = protocol.canonical_json(detail)
    st.last_error_code, st.last_error_message = "restored", MESSAGES_VI["restored"]
    audit.append(session, "system:sync", "sync.halted", "hub", st.station, {"reason": "restored"}, clock=clock)
    return True


def _matched_prefix(session: Session, position: int, held: Sequence[Sequence[Any]]) -> int:
    """The last outbox number after `position` that the hub holds with the very same content (a restored
    database's ops the hub got before the disk failed): those are acknowledged, not sent again."""
    hashes = {int(seq): str(digest) for seq, digest in held}
    rows = session.execute(
        select(OutboxOp.seq, OutboxOp.op_id, OutboxOp.kind, OutboxOp.payload, OutboxOp.schema_version,
               OutboxOp.created_at).where(OutboxOp.seq > position).order_by(OutboxOp.seq)).all()
    for row in rows:
        if row.seq != position + 1 or hashes.get(row.seq) != protocol.op_hash(
                row.seq, row.op_id, row.kind, row.payload, row.schema_version, row.created_at):
            break
        position = row.seq
    return position


class SyncService:
    """Sync use cases for the GUI worker (Qt-free) and `kiosk sync`; every call checks the principal."""

    def __init__(
        self,
        db: Database,
        hub_url: str = "",
        policy: SyncPolicy | None = None,
        clock: Clock = utc_now,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
        after_sync: Sequence[Callable[[], object]] = (),
        on_renumber: Sequence[Renumbered] = (),
        on_recode: Sequence[Recoded] = (),
        unit_id: str = "",
    ) -> None:
        self.db = db
        self.on_renumber = tuple(on_renumber)
        # Records other than dossiers that the hub may give a new code (account requests), told in the pull's
        # transaction; each returns the old code when it holds the record.
        self.on_recode = tuple(on_recode)
        self.unit_id = unit_id
        # Work that follows a successful sync (apply pulled account decisions, purge acknowledged
        # portraits): given by the composition root, so sync knows no other capability.
        self.after_sync = tuple(after_sync)
        self.default_hub_url = hub_url
        self.policy = policy or SyncPolicy()
        self.clock = clock
        self.transport = transport
        self.sleep = sleep
        self.wall = wall
        self._who: KioskIdentity | None = None
        self._key: Ed25519PrivateKey | None = None
        self._lookups_paused_until = 0.0

    # Every session takes the write lock (BEGIN IMMEDIATE): read the identity once, outside them.
    @property
    def who(self) -> KioskIdentity:
        if self._who is None:
            self._who = identity(self.db)
        return self._who

    @property
    def key(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = signing_key(self.db)
        return self._key

    def state(self) -> SyncStatus:
        who = self.who
        with self.db.transaction() as session:
            st = _state(session)
            last_seq = session.get(Counter, SEQUENCE)
            pending = session.query(OutboxOp).filter(OutboxOp.seq > st.hub_position).count()
            alarm = session.get(KioskMeta, AUDIT_ALARM)
            block, source = session.get(KioskMeta, SLOT_META), session.get(KioskMeta, SLOT_SOURCE_META)
            return SyncStatus(
                enrolled=st.enrolled_at is not None, kiosk_id=who.kiosk_id,
                hub_url=st.hub_url, station=st.station, pending=pending, hub_position=st.hub_position,
                last_seq=last_seq.value if last_seq else 0, cursor=st.cursor, last_attempt_at=st.last_attempt_at,
                last_success_at=st.last_success_at, last_error_code=st.last_error_code,
                last_error_message=st.last_error_message, consecutive_failures=st.consecutive_failures,
                halted=st.halted, halted_reason=st.halted_reason, halted_detail=st.halted_detail,
                audit_alarm=alarm.value if alarm is not None else None,
                block=int(block.value) if block is not None else UNENROLLED_BLOCK,
                block_source=source.value if source is not None else "local",
                alarms=[a.as_json() for a in _alarms(session, who.kiosk_id)],
            )

    def _client(self, hub_url: str, clock_offset_s: int = 0) -> HubClient:
        return HubClient(hub_url, self.who, self.key, clock_offset_s, self.transport,
                         self.policy.timeout_s, self.wall)

    def enrol(self, principal: Principal, code: str, hub_url: str | None = None) -> dict[str, Any]:
        """Register this kiosk (id, public key, instance UUID, epoch) with the hub using a one-time code."""
        require(principal, Permission.SYNC_MANAGE)
        url = (hub_url or self.default_hub_url).strip()
        errors = []
        if not url.startswith(("http://", "https://")):
            errors.append(("hub", "Địa chỉ máy chủ phải bắt đầu bằng http:// hoặc https://."))
        if not code.strip():
            errors.append(("code", "Cần mã đăng ký do máy chủ cấp."))
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st is not None and st.enrolled_at and st.hub_url.rstrip("/") != url.rstrip("/"):
                errors.append(("hub", f"Kiosk đã đăng ký với máy chủ khác ({st.hub_url})."))
        if errors:
            raise InvalidInput(errors)
        public_key = public_key_b64(self.db)
        with self.db.sessions() as session:
            hint = _numbering_hint(session)
        client = self._client(url)
        try:
            for attempt in range(2):
                try:
                    result = client.enrol(code.strip(), public_key, self.unit_id, hint)
                    break
                except ClockSkew as exc:
                    if attempt:
                        raise
                    client.clock_offset_s = int(exc.detail.get("hub_time", self.wall())) - int(self.wall())
        finally:
            client.close()
        with self.db.transaction() as session:
            st = _state(session)
            st.hub_url, st.station = url, result["station"]
            st.enrolled_at = iso_utc(self.clock())
            st.hub_position = int(result["high_water_mark"])
            st.clock_offset_s = client.clock_offset_s
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            audit.append(session, principal.audit_name, "sync.enrolled", "hub", result["station"],
                         {"hub": url}, clock=self.clock)
            block = _store_numbering(session, result.get("numbering"), principal.audit_name, self.clock)
        log.info("enrolled with the hub as %s (station %s, block %s)", result["kiosk_id"], result["station"], block)
        return {"kiosk_id": result["kiosk_id"], "station": result["station"], "hub_url": url, "block": block,
                "numbering": result.get("numbering")}

    def rejoin(self, principal: Principal, code: str) -> dict[str, Any]:
        """Enrol again after this kiosk's database was restored from a backup or copied to a new machine.

        The hub refused it (409 under reused numbers, or a cloned instance) and sync stopped. With a
        re-enrolment code the hub's operator issued for this kiosk (`kiosk-hub enrol-code --rejoin`),
        the kiosk takes a new database instance UUID and the next epoch; the hub keeps everything it
        already holds and tells where it stands. The ops the hub never accepted are renumbered after
        that position, in their order, and sync resumes. A lost answer is safe: the new identity is
        kept aside until the hub confirms, and asking again with the same code gets the same answer.
        """
        require(principal, Permission.SYNC_MANAGE)
        if not code.strip():
            raise InvalidInput([("code", "Cần mã đăng ký lại do máy chủ cấp cho kiosk này.")])
        current = self.who  # read before the write transaction (it opens its own session)
        with self.db.transaction() as session:
            st = _state(session)
            if st.enrolled_at is None:
                raise InvalidInput([("code", "Kiosk chưa đăng ký với máy chủ nào: dùng đăng ký lần đầu.")])
            pending = session.get(KioskMeta, "rejoin_pending")
            if pending is None:
                pending = KioskMeta(key="rejoin_pending", value=json.dumps(
                    {"instance_uuid": str(uuid.uuid4()), "epoch": current.epoch + 1}))
                session.add(pending)
            fresh = json.loads(pending.value)
            url, offset, position = st.hub_url, st.clock_offset_s, st.hub_position
            hint = _numbering_hint(session)
        who = KioskIdentity(current.kiosk_id, fresh["instance_uuid"], int(fresh["epoch"]))
        client = HubClient(url, who, self.key, offset, self.transport, self.policy.timeout_s, self.wall)
        try:
            result = client.enrol(code.strip(), public_key_b64(self.db), self.unit_id, hint, after=position)
        finally:
            client.close()
        mark = int(result["high_water_mark"])
        with self.db.transaction() as session:
            st = _state(session)
            # Ops the hub holds already (pushed after the backup was taken) keep their numbers; only the
            # rest follow the hub's mark, so nothing reaches the hub twice.
            kept = _matched_prefix(session, st.hub_position, result.get("held") or []) if mark > st.hub_position \
                else st.hub_position
            now = iso_utc(self.clock())
            session.execute(update(OutboxOp).where(OutboxOp.seq <= kept, OutboxOp.acked_at.is_(None))
                            .values(acked_at=now))
            moved = _renumber_unaccepted(session, kept, mark, self.on_renumber)
            counter = session.get(Counter, SEQUENCE)
            if counter is not None and counter.value < mark:
                counter.value = mark  # nothing of ours after the mark: the next op follows it
            block = _store_numbering(session, result.get("numbering"), principal.audit_name, self.clock)
            advanced = _skip_issued_codes(session, result.get("issued_codes") or [], block)
            caught_up = _catch_up_statuses(session, result.get("statuses") or {})
            session.merge(KioskMeta(key="instance_uuid", value=who.instance_uuid))
            session.merge(KioskMeta(key="epoch", value=str(who.epoch)))
            session.delete(session.get(KioskMeta, "rejoin_pending"))
            restored = session.get(KioskMeta, REJOIN_REQUIRED)
            if restored is not None:
                session.delete(restored)
            session.merge(KioskMeta(key=AUDIT_CURSOR, value="0"))  # the hub keeps a new copy per epoch
            alarm = session.get(KioskMeta, AUDIT_ALARM)
            if alarm is not None:
                session.delete(alarm)
            st.hub_position = max(st.hub_position, mark)
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            st.last_error_code = st.last_error_message = None
            audit.append(session, principal.audit_name, "sync.rejoined", "hub", st.station,
                         {"epoch": who.epoch, "hub_position": mark, "renumbered": moved, "already_held": kept - position,
                          "day_counters": advanced, "statuses_caught_up": caught_up}, clock=self.clock)
        self._who = None
        log.warning("rejoined the hub with epoch %d; %d unaccepted ops renumbered after %d", who.epoch, moved, mark)
        return {"kiosk_id": who.kiosk_id, "station": result["station"], "epoch": who.epoch,
                "hub_position": mark, "renumbered": moved, "already_held": kept - position,
                "day_counters_advanced": advanced, "statuses_caught_up": caught_up, "block": block}

    def resume(self, principal: Principal) -> None:
        """Clear a halt after an administrator has looked into it (the cause must be gone first)."""
        require(principal, Permission.SYNC_MANAGE)
        with self.db.transaction() as session:
            st = _state(session)
            reason = st.halted_reason
            if reason == "restored" or session.get(KioskMeta, REJOIN_REQUIRED) is not None:
                raise InvalidInput([("resume", "Dữ liệu vừa được khôi phục từ bản sao lưu: tiếp tục đồng bộ là chưa đủ, "
                                               "kiosk phải đăng ký lại (kiosk enrol --rejoin).")])
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            audit.append(session, principal.audit_name, "sync.resumed", "hub", st.station,
                         {"reason": reason or ""}, clock=self.clock)

    def job(self, principal: Principal) -> Callable[[ProgressFn, CancelToken], SyncReport]:
        """`run_once` as a background job (kiosk.jobs contract) for the GUI worker."""
        return lambda report, cancel: self.run_once(principal, cancel, report)

    def run_once(self, principal: Principal, cancel: CancelToken | None = None,
                 report: ProgressFn = ignore_progress) -> SyncReport:
        """Push everything pending, pull the station's changes; retries transient failures with backoff."""
        require(principal, Permission.SYNC_RUN)
        cancel = cancel or CancelToken()
        with self.db.transaction() as session:
            st = _state(session)
            halted, halted_reason, enrolled = st.halted, st.halted_reason, bool(st.enrolled_at)
            if enrolled and not halted:
                st.last_attempt_at = iso_utc(self.clock())
            hub_url, offset = st.hub_url, st.clock_offset_s
        if halted:
            return self._report("halted", error=halted_reason)
        if not enrolled:
            return self._report("not_enrolled")
        client = self._client(hub_url, offset)
        counts = {"pushed": 0, "duplicates": 0, "rejected": [], "pulled": 0}
        try:
            self._cycle(client, counts, cancel, report)
        except HubUnreachable as exc:
            self._failed("offline", str(exc))
            return self._report("offline", error=str(exc), **counts)
        except _Halt as exc:
            self._halt(exc.reason, exc.detail)
            return self._report("halted", error=exc.reason, **counts)
        except HubRefused as exc:
            if exc.reason in HALTING:
                self._halt(exc.reason, exc.detail)
                return self._report("halted", error=exc.reason, **counts)
            self._failed(exc.reason, exc.message_vi)
            return self._report("refused", error=exc.reason, **counts)
        except _Cancelled:
            return self._report("cancelled", **counts)
        finally:
            client.close()
        with self.db.transaction() as session:
            st = _state(session)
            st.last_success_at = iso_utc(self.clock())
            st.consecutive_failures = 0
            st.last_error_code = st.last_error_message = None
        for hook in self.after_sync:
            try:
                hook()
            except Exception:  # the sync itself succeeded; a follow-up is retried at the next sync
                log.exception("a follow-up of the sync failed")
        return self._report("ok", **counts)

    def run_loop(self, principal: Principal, cancel: CancelToken, report: ProgressFn = ignore_progress) -> None:
        """Sync every `loop_interval_s` and after failures with growing pauses, whether or not anything new was written."""
        while not cancel.cancelled:
            result = self.run_once(principal, cancel, report)
            if result.status == "halted":
                return
            failures = self.state().consecutive_failures
            pause = self.policy.loop_interval_s if failures == 0 else min(
                self.policy.wait_max_s, self.policy.wait_initial_s * 2 ** min(failures, 16))
            self._pause(pause, cancel)

    def _pause(self, seconds: float, cancel: CancelToken) -> None:
        end = self.wall() + seconds
        while not cancel.cancelled and self.wall() < end:
            self.sleep(min(0.2, max(0.0, end - self.wall())))

    def _call(self, client: HubClient, request: Callable[[], dict[str, Any]], cancel: CancelToken) -> dict[str, Any]:
        """One hub request, retried on transient failures with exponential backoff and jitter."""
        from tenacity import (
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
            wait_exponential,
            wait_random,
        )

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=wait_exponential(multiplier=self.policy.wait_initial_s, max=self.policy.wait_max_s)
            + wait_random(0, self.policy.jitter_s),
            retry=retry_if_exception_type((HubUnreachable, ClockSkew, Replayed)),
            sleep=self.sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if cancel.cancelled:
                    raise _Cancelled()
                try:
                    return request()
                except ClockSkew as exc:
                    self._learn_offset(client, exc)
                    raise
        raise AssertionError("unreachable")  # Retrying re-raises the last failure

    def _learn_offset(self, client: HubClient, exc: ClockSkew) -> None:
        offset = int(exc.detail.get("hub_time", self.wall())) - int(self.wall())
        client.clock_offset_s = offset
        with self.db.transaction() as session:
            _state(session).clock_offset_s = offset
        log.warning("kiosk clock is %+d s off the hub's; signing with the hub's time", -offset)

    def _cycle(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken, report: ProgressFn) -> None:
        with self.db.sessions() as session:
            client.numbering = _numbering_hint(session)
        keys_version = self._push_all(client, counts, cancel, report)
        if keys_version is not None:
            self._refresh_keys(client, keys_version, cancel)
        self._pull_all(client, counts, cancel, report)
        self._purge_acknowledged()

    def _push_all(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken,
                  report: ProgressFn) -> int | None:
        """Push from the hub's position until the queue is empty.

        While one batch is on the wire, a second thread records the hub's answer to the previous
        one and reads the next from the database: the hub, not the kiosk's disk, sets the pace. The
        read-ahead batch is used only when the hub acknowledged exactly the batch before it (after
        a gap or a resend it is thrown away). Recording an answer late is safe: until it is
        written, a restart resends from the older position and the hub acknowledges the duplicates.
        """
        keys_version = None
        stalls, best = 0, (-1, -1)
        position: int | None = None
        audit_position: int | None = None
        ahead: tuple[tuple[int, int], Future[_Batch]] | None = None
        recorded: Future[None] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="sync-read-ahead") as reader:
            while True:
                if cancel.cancelled:
                    raise _Cancelled()
                if ahead is not None and ahead[0] == (position, audit_position):
                    batch = ahead[1].result()
                else:
                    batch = self._read_batch(position, audit_position)
                ahead = None
                position, audit_position = batch.position, batch.audit_after
                ops = batch.ops
                if (ops and ops[0]["seq"] != position + 1) or (not ops and batch.last_seq > position):
                    raise _Halt("hub_behind_purged", {"hub_position": position,
                                                      "first_kept": ops[0]["seq"] if ops else None})
                # An audit copy the hub stopped (an alarm) does not keep the loop going: ops still do.
                full = batch.ops_more or (batch.audit_more and not counts.get("audit_alarm"))
                if full:
                    expected = (ops[-1]["seq"] if ops else position, batch.audit_last)
                    ahead = (expected, reader.submit(self._read_batch, *expected))
                result = self._call(client, lambda b=batch: self.send_batch(client, b.ops, b.head, b.entries), cancel)
                mark = int(result["high_water_mark"])
                stored = (result.get("audit") or {}).get("stored_seq")
                audit_position = int(stored) if stored is not None else batch.audit_last
                alarm = (result.get("audit") or {}).get("alarm")
                if alarm and not counts.get("audit_alarm"):
                    counts["audit_alarm"] = alarm
                    log.error("the hub raised an audit alarm for this kiosk: %s (audit copy held to %s)",
                              alarm, audit_position)
                keys_version = int(result.get("keys_version", 0))
                counts["pushed"] += int(result.get("accepted", 0))
                counts["duplicates"] += int(result.get("duplicates", 0))
                counts["rejected"].extend(result.get("rejected", []))
                if recorded is not None:
                    recorded.result()  # the previous answer is on disk (or its error surfaces here)
                recorded = reader.submit(self._acknowledge, mark, audit_position, alarm, result.get("numbering"))
                report(Progress("push", None, f"{mark}/{batch.last_seq}"))
                stalls, best = (0, (mark, audit_position)) if (mark, audit_position) > best else (stalls + 1, best)
                if stalls > 3:
                    raise HubRefused(200, "no_progress", "Máy chủ không nhận thêm thao tác nào; sẽ thử lại sau.")
                if result.get("gap") or mark < position:
                    log.warning("the hub is at %d, behind this kiosk's %d; resending from there", mark, position)
                    position = mark
                    continue
                position = mark
                if not full:
                    recorded.result()
                    return keys_version

    def _read_batch(self, after: int | None, audit_after: int | None = None) -> _Batch:
        """The next batch after `after` (None: after the acknowledged position), with the audit entries
        after `audit_after` (None: after the last the hub said it holds) and the audit-chain head."""
        with self.db.sessions() as session:
            position = session.get(SyncState, 1).hub_position if after is None else after
            if audit_after is None:
                cursor = session.get(KioskMeta, AUDIT_CURSOR)
                audit_after = int(cursor.value) if cursor is not None else 0
            entries = [{**audit.entry_dict(row), "prev_hash": row.prev_hash, "hash": row.hash}
                       for row in session.scalars(select(AuditEntry).where(AuditEntry.seq > audit_after)
                                                  .order_by(AuditEntry.seq).limit(AUDIT_BATCH))]
            # Plain rows, not ORM objects: a batch is read once and sent as it is.
            rows = session.execute(
                select(OutboxOp.seq, OutboxOp.op_id, OutboxOp.kind, OutboxOp.payload, OutboxOp.schema_version,
                       OutboxOp.created_at)
                .where(OutboxOp.seq > position).order_by(OutboxOp.seq).limit(self.policy.batch_size)
            ).all()
            last = session.get(Counter, SEQUENCE)
            ops, size = [], 0
            for row in rows:
                size += len(row.payload)
                if ops and size > self.policy.batch_bytes:
                    break
                ops.append(row._asdict())
            more = len(rows) >= self.policy.batch_size or len(ops) < len(rows)
            return _Batch(position, ops, last.value if last else 0, self._audit_head(session), more, audit_after,
                          entries)

    def send_batch(self, client: HubClient, ops: list[dict[str, Any]], head: dict[str, Any],
                   entries: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        """One push request (a seam the chaos tests' broken variants replace)."""
        return client.push(ops, head, entries)

    def _acknowledge(self, mark: int, audit_seq: int | None = None, audit_alarm: str | None = None,
                     numbering: dict[str, Any] | None = None) -> None:
        """Record the hub's answer: rows up to its mark are acknowledged, the next push starts after it;
        the hub holds this kiosk's audit entries up to `audit_seq` (and raised `audit_alarm`); the kiosk
        numbers in the block the hub says (`numbering`)."""
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            if numbering is not None:
                _store_numbering(session, numbering, "system:sync", self.clock)
            if audit_seq is not None:
                session.merge(KioskMeta(key=AUDIT_CURSOR, value=str(audit_seq)))
            if audit_alarm:
                session.merge(KioskMeta(key=AUDIT_ALARM, value=audit_alarm))
            st = _state(session)
            if mark < st.hub_position:
                log.warning("the hub holds only up to %d of this kiosk's %d acknowledged ops (restored?); resending",
                            mark, st.hub_position)
            session.execute(update(OutboxOp).where(OutboxOp.seq <= mark, OutboxOp.acked_at.is_(None))
                            .values(acked_at=now))
            st.hub_position = mark

    def _audit_head(self, session: Session) -> dict[str, Any]:
        seq = int(session.get(KioskMeta, "audit_head_seq").value)
        digest = session.get(KioskMeta, "audit_head_hash").value
        signature = protocol.b64u(self.key.sign(protocol.audit_head_input(self.who.kiosk_id, seq, digest)))
        return {"seq": seq, "hash": digest, "signature": signature}

    def _refresh_keys(self, client: HubClient, version: int, cancel: CancelToken) -> None:
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st.keys_version == version:
                return
        keys = self._call(client, client.keys, cancel)
        # The receipts' trust store verifies QR codes offline; the hub's list replaces its previous one.
        from kiosk.services.receipts import store_station_keys

        try:
            store_station_keys(self.db, [(k["kiosk_id"], k["public_key"]) for k in keys["keys"]], source="hub",
                               complete=True, actor="system:sync", clock=self.clock)
        except InvalidInput as exc:
            log.error("the hub's station keys were not stored: %s", exc)
            return
        with self.db.transaction() as session:
            _state(session).keys_version = int(keys["version"])

    def _pull_all(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken, report: ProgressFn) -> None:
        while True:
            if cancel.cancelled:
                raise _Cancelled()
            with self.db.sessions() as session:
                st = session.get(SyncState, 1)
                after, after_uid = st.cursor, st.cursor_uid
            result = self._call(client, lambda a=after, u=after_uid: client.pull(a, u, self.policy.pull_limit), cancel)
            with self.db.transaction() as session:
                st = _state(session)
                if (st.cursor, st.cursor_uid) != (after, after_uid):
                    continue  # another sync moved the cursor meanwhile; ask again from there
                if result["reset"]:
                    log.warning("the hub no longer has change %d as this kiosk saw it (restored?); pulling again", after)
                    st.cursor, st.cursor_uid = 0, ""
                    continue
                for change in result["changes"]:
                    self._apply_change(session, change)
                st.cursor, st.cursor_uid = int(result["next_cursor"]), str(result["next_uid"])
            counts["pulled"] += len(result["changes"])
            report(Progress("pull", None, f"{result['next_cursor']}/{result['last_change_id']}"))
            if not result["more"]:
                return

    def _apply_change(self, session: Session, change: dict[str, Any]) -> None:
        """Apply one pulled change inside the cursor's transaction; applying it twice changes nothing."""
        existing = session.get(RemoteChange, int(change["change_id"]))
        if existing is not None and existing.uid == change["uid"]:
            return
        payload = change["payload"]
        kind = change["kind"]
        outcome = "stored"
        target = ""
        own = payload.get("kiosk_id") == self.who.kiosk_id
        if kind == DOSSIER_STATUS:
            # Matched on the dossier's identity: a code alone may name another citizen's dossier.
            target = str(payload.get("dossier_uid") or "")
            if own and target and _apply_dossier_status(session, payload):
                outcome = "applied"
        elif kind == DOSSIER_RECODED:
            target = str(payload.get("dossier_uid") or "")
            if own and target and self._apply_recode(session, change, payload):
                outcome = "applied"
        elif kind == OP_REJECTED:
            target = f"seq:{payload.get('seq')}" if payload.get("kiosk_id") == self.who.kiosk_id else ""
            if target:
                log.warning("the hub rejected op %s (%s): %s", payload.get("seq"), payload.get("kind"),
                            payload.get("reason"))
        row = existing or RemoteChange(change_id=int(change["change_id"]))
        row.uid, row.kind, row.target = change["uid"], kind, target[:80]
        row.payload = protocol.canonical_json(payload)
        row.created_at = str(change.get("created_at", ""))
        row.applied_at = iso_utc(self.clock())
        row.outcome = outcome
        if existing is None:
            session.add(row)

    def _apply_recode(self, session: Session, change: dict[str, Any], payload: dict[str, Any]) -> bool:
        """The hub keeps one of this kiosk's dossiers (or account requests) under a new code: the record takes
        it, keeps answering to the old one, and its receipt waits for a reprint (an alarm until then)."""
        from kiosk.services.dossiers import apply_recode

        uid, code = str(payload["dossier_uid"]), str(payload.get("tracking_code") or "")
        if not code or session.scalar(select(RecodedRecord.id).where(RecodedRecord.record_uid == uid,
                                                                     RecodedRecord.tracking_code == code)):
            return False
        kind, previous = "dossier", apply_recode(session, uid, code)
        for hook in self.on_recode:
            if previous is not None:
                break
            kind, previous = "account", hook(session, uid, code)
        if previous is None:
            return False
        session.add(RecodedRecord(record_kind=kind, record_uid=uid, previous_code=previous, tracking_code=code,
                                  change_id=int(change["change_id"]), recoded_at=iso_utc(self.clock())))
        log.warning("the hub gave a %s of this kiosk a new code (its code clashed); its receipt must be printed again",
                    kind)
        return True

    def acknowledge(self, principal: Principal, seq: int) -> dict[str, Any]:
        """An administrator has dealt with an op the hub refused: its alarm goes (the refusal stays recorded)."""
        require(principal, Permission.SYNC_MANAGE)
        kiosk_id = self.who.kiosk_id  # read before the transaction takes the write lock
        with self.db.transaction() as session:
            for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == OP_REJECTED,
                                                                  RemoteChange.target == f"seq:{seq}")):
                data = json.loads(row.payload)
                if data.get("kiosk_id") != kiosk_id:
                    continue
                row.outcome = ACKNOWLEDGED
                audit.append(session, principal.audit_name, "sync.rejection_acknowledged", "outbox", str(seq),
                             {"reason": str(data.get("reason") or "")}, clock=self.clock)
                return data
        raise InvalidInput([("seq", f"Máy chủ không từ chối thao tác số {seq} nào của kiosk này.")])

    def _purge_acknowledged(self) -> int:
        """Forget acknowledged rows the hub holds once they are older than the retention (resend window)."""
        cutoff = iso_utc(self.clock() - timedelta(days=self.policy.keep_acked_days))
        with self.db.transaction() as session:
            st = _state(session)
            result = session.execute(delete(OutboxOp).where(
                OutboxOp.acked_at.is_not(None), OutboxOp.acked_at < cutoff, OutboxOp.seq <= st.hub_position))
            return result.rowcount or 0

    def lookup(self, principal: Principal, tracking_code: str, issuer: str = "") -> dict[str, Any] | None:
        """Ask the hub now for a code's status (the citizen's status check); None when not enrolled.

        Raises `HubUnreachable` when the hub cannot be reached within `lookup_timeout_s`, and
        `HubRefused` when it refuses this kiosk (halted kiosks are not asked at all).
        """
        require(principal, Permission.STATUS_CHECK)
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st is None or st.enrolled_at is None or not st.hub_url:
                return None
            if st.halted:
                raise HubRefused(0, st.halted_reason or "halted", "Đồng bộ đang dừng; kiosk không hỏi máy chủ.")
            url, offset = st.hub_url, st.clock_offset_s
        if time.monotonic() < self._lookups_paused_until:
            raise HubUnreachable("not asked: the hub did not answer a moment ago")
        client = HubClient(url, self.who, self.key, offset, self.transport, self.policy.lookup_timeout_s, self.wall)
        try:
            return client.status(tracking_code, issuer)
        except HubUnreachable:
            # The next citizens in the queue get their answer from the kiosk at once, not after a timeout each.
            self._lookups_paused_until = time.monotonic() + self.policy.lookup_pause_s
            raise
        finally:
            client.close()

    def remote_status(self, principal: Principal, tracking_code: str) -> dict[str, Any] | None:
        """The latest status the hub decided for a dossier, as pulled (None when none was pulled)."""
        require(principal, Permission.STATUS_CHECK)
        from kiosk.db.models_account import AccountRequestRow
        from kiosk.services.dossiers import find_dossier

        legacy = protocol.legacy_dossier_uid(self.who.kiosk_id, tracking_code)  # an op pushed without an identity
        with self.db.sessions() as session:
            dossier = find_dossier(session, tracking_code)
            request = session.scalar(select(AccountRequestRow.id).where(AccountRequestRow.tracking_code == tracking_code))
            uid = dossier.uid if dossier is not None else request or legacy
            row = session.scalars(
                select(RemoteChange).where(RemoteChange.kind == DOSSIER_STATUS, RemoteChange.target == uid)
                .order_by(RemoteChange.change_id.desc()).limit(1)
            ).first()
            return json.loads(row.payload) | {"change_id": row.change_id} if row else None

    def rejections(self, principal: Principal) -> list[dict[str, Any]]:
        """Ops of this kiosk the hub rejected by a business rule (acknowledged, never blocking the queue)."""
        require(principal, Permission.SYNC_RUN)
        with self.db.sessions() as session:
            rows = session.scalars(select(RemoteChange).where(RemoteChange.kind == OP_REJECTED,
                                                              RemoteChange.target != "")
                                   .order_by(RemoteChange.change_id))
            return [json.loads(r.payload) for r in rows]

    def _failed(self, code: str, message: str) -> None:
        with self.db.transaction() as session:
            st = _state(session)
            st.consecutive_failures += 1
            st.last_error_code, st.last_error_message = code, message[:500]

    def _halt(self, reason: str, detail: dict[str, Any]) -> None:
        log.error("sync halted: %s %s", reason, {k: v for k, v in detail.items() if k != "message_vi"})
        with self.db.transaction() as session:
            st = _state(session)
            st.halted, st.halted_reason = True, reason
            st.halted_detail = protocol.canonical_json(detail)
            st.last_error_code, st.last_error_message = reason, MESSAGES_VI.get(reason, reason)
            st.consecutive_failures += 1
            audit.append(session, "system:sync", "sync.halted", "hub", st.station, {"reason": reason},
                         clock=self.clock)

    def _report(self, status: str, error: str | None = None, **counts: Any) -> SyncReport:
        st = self.state()
        if status == "ok" and st.alarms:
            status = "attention"  # never "done" while an officer has something to act on
        message = MESSAGES_VI.get(error or "", "") if status == "halted" else ""
        message = message or MESSAGES_VI.get(status, status)
        if status == "attention":
            message = message.format(alarms=" ".join(a["message_vi"] for a in st.alarms))
        return SyncReport(
            status=status, message_vi=message, pending=st.pending,
            hub_position=st.hub_position, cursor=st.cursor, error=error, alarms=st.alarms, **counts,
        )


class _Cancelled(Exception):
    pass


def _apply_dossier_status(session: Session, payload: dict[str, Any]) -> bool:
    """Hand a hub-decided status to the dossier it was decided on, in the sync's transaction."""
    from kiosk.services.dossiers import apply_remote_status

    return apply_remote_status(session, payload["dossier_uid"], payload["status"], payload.get("note", ""),
                               payload.get("at", ""), source=payload.get("source", ""))
