"""Retention (thời hạn lưu giữ): personal data leaves the kiosk when its period ends, per kind of data.

Each kind has a lockable setting (days), a default chosen from the law with its source, and a purge hook.
A run purges every kind (or only counts, `dry_run`), writes one audit entry per kind with how many items went
(never what they held), then makes the deletion real in the file: `secure_delete` (on for every connection)
has zeroed the freed pages, and a WAL checkpoint with TRUNCATE empties the log that still held the old pages.
Other capabilities add their kinds with `register` (a kind with no hook yet is listed, not installed);
the hall's queue drafts go through the queue's own day-end purge (`queue.purge_drafts`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.db.models_dossier import DossierAttachment, DossierHistoryRow, DossierRow
from kiosk.domain.dossier import Status
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.permissions import require
from kiosk.support.config import Settings

log = logging.getLogger(__name__)

#: kiosk_meta key: when the last (real) run finished, for the daily run.
LAST_RUN = "retention_last_run"
ENDED = (Status.RETURNED.value, Status.REJECTED.value, Status.WITHDRAWN.value)


@dataclass(frozen=True)
class PurgeRequest:
    """What a purge hook is given: the data, the period, the moment, and whether to only count."""

    db: Database
    settings: Settings
    days: int
    now: datetime  # naive UTC, like every time the database stores
    dry_run: bool

    @property
    def cutoff(self) -> datetime:
        """`days` before now: what is older goes."""
        return self.now - timedelta(days=self.days)


#: A purge hook: deletes (or with dry_run counts) what is past its period; returns how many items.
Purger = Callable[[PurgeRequest], int]


@dataclass
class RetentionKind:
    """One kind of personal data on the kiosk and when it must go."""

    name: str
    setting: str  # the Settings field holding the days
    label_vi: str
    label_en: str
    rule_vi: str
    source: str  # the legal text the default comes from ([u]: believed, not yet confirmed by a lawyer)
    purger: Purger | None = None
    in_database: bool = True

    def as_json(self, settings: Settings, locked: frozenset[str] = frozenset()) -> dict[str, Any]:
        default = Settings.__dataclass_fields__[self.setting].default
        return {"kind": self.name, "label": self.label_vi, "label_en": self.label_en, "rule": self.rule_vi,
                "setting": self.setting, "days": getattr(settings, self.setting), "default_days": default,
                "locked": self.setting in locked, "source": self.source, "installed": self.purger is not None}


@dataclass(frozen=True)
class KindResult:
    kind: str
    days: int
    count: int
    installed: bool


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    ran_at: str
    results: list[KindResult] = field(default_factory=list)
    checkpoint: dict[str, int] | None = None

    @property
    def total(self) -> int:
        return sum(r.count for r in self.results)

    def as_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "ran_at": self.ran_at, "total": self.total, "checkpoint": self.checkpoint,
                "kinds": [r.__dict__ for r in self.results]}


def purge_dossier_scans(req: PurgeRequest) -> int:
    """Empty the scans and photos of dossiers that ended (returned, refused, withdrawn) `days` ago or more and
    whose every change the hub holds (no outbox op for them waits); the list of what was handed in stays."""
    from kiosk.db.models import OutboxOp
    from kiosk.db.models_sync import SyncState

    cutoff = iso_utc(req.cutoff)
    with req.db.transaction() as session:
        state = session.get(SyncState, 1)
        if state is None or state.enrolled_at is None:
            return 0  # nothing has reached a hub: these scans are the only copy
        waiting = {code for (code,) in session.execute(
            select(func.json_extract(OutboxOp.payload, "$.tracking_code")).where(OutboxOp.seq > state.hub_position))}
        ended_at = (select(DossierHistoryRow.dossier_id, func.max(DossierHistoryRow.at).label("at"))
                    .group_by(DossierHistoryRow.dossier_id).subquery())
        rows = session.execute(
            select(DossierAttachment.id, DossierRow.tracking_code)
            .join(DossierRow, DossierRow.id == DossierAttachment.dossier_id)
            .join(ended_at, ended_at.c.dossier_id == DossierRow.id)
            .where(DossierRow.status.in_(ENDED), ended_at.c.at <= cutoff, DossierAttachment.purged_at.is_(None))
        ).all()
        ids = [att_id for att_id, code in rows if code not in waiting]
        if req.dry_run or not ids:
            return len(ids)
        session.execute(update(DossierAttachment).where(DossierAttachment.id.in_(ids))
                        .values(data=b"", purged_at=iso_utc(req.now)))
        return len(ids)


def purge_account_portraits(req: PurgeRequest) -> int:
    """The counter portraits of account requests the hub holds, `days` after it acknowledged them (the
    account service's own purge, which also scrubs the acknowledged outbox copy)."""
    from kiosk.services.accounts import AccountService

    service = AccountService(req.db, req.settings.unit_id, portrait_retention_days=req.days, clock=lambda: req.now)
    return service.purge_portraits(dry_run=req.dry_run)


def purge_logs(req: PurgeRequest) -> int:
    """Rotated log files not written for `days` (the live `kiosk.log` is never deleted)."""
    folder = req.settings.log_dir
    if not folder.is_dir():
        return 0
    limit = req.cutoff.replace(tzinfo=UTC).timestamp()
    old = [p for p in folder.iterdir() if p.is_file() and p.name != "kiosk.log" and ".log" in p.name
           and p.stat().st_mtime < limit]
    if not req.dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


def purge_queue_drafts(req: PurgeRequest) -> int:
    """The hall's queue drafts (form and chip snapshot) and sealed QR codes of tickets from station days before
    the period (0: every day before today), through the queue's own day-end purge."""
    from kiosk.domain.dossier import local_received_at
    from kiosk.services.queue_desk import purge_drafts

    first_kept = local_received_at(None, req.now - timedelta(days=req.days)).date().isoformat()
    return purge_drafts(req.db, first_kept, lambda: req.now, dry_run=req.dry_run, actor=None)


# Defaults and their sources. [u] marks what a lawyer of the station should confirm.
_PDPL = "Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15"
KINDS: dict[str, RetentionKind] = {}


def register(kind: RetentionKind) -> RetentionKind:
    """Add a kind of data to the policy (its setting must exist in Settings)."""
    if kind.setting not in Settings.__dataclass_fields__:
        raise ValueError(f"retention kind {kind.name}: no setting {kind.setting}")
    KINDS[kind.name] = kind
    return kind


register(RetentionKind(
    "dossier_scans", "retention_scans_days", "Bản quét và ảnh của hồ sơ", "Dossier scans and photos",
    "Xóa sau khi hồ sơ đã kết thúc (đã trả kết quả, từ chối hoặc công dân rút) và máy chủ đã nhận đủ, quá số ngày "
    "cài đặt; danh mục giấy tờ đã nộp vẫn được giữ.",
    f"{_PDPL}, Điều 14 khoản 1: xóa khi mục đích xử lý đã hoàn thành hoặc hết thời hạn lưu trữ, việc xóa phải ngăn "
    "khôi phục trái phép. 90 ngày = thời hiệu khiếu nại quyết định hành chính (Luật Khiếu nại số 02/2011/QH13, "
    "Điều 9) để đối chiếu giấy tờ đã nộp khi có khiếu nại [u]; hồ sơ lưu trữ chính thức do cơ quan giải quyết giữ "
    "theo Luật Lưu trữ, không phải kiosk.",
    purge_dossier_scans))
register(RetentionKind(
    "account_portraits", "portrait_retention_days", "Ảnh chân dung của đề nghị tài khoản định danh",
    "Account request portraits",
    "Xóa khi máy chủ đã nhận đề nghị (trước khi đề nghị được quyết định), quá số ngày cài đặt (mặc định 0: ngay).",
    f"{_PDPL}: ảnh khuôn mặt là dữ liệu cá nhân nhạy cảm (sinh trắc học); Điều 14 khoản 1: xóa khi mục đích đã hoàn "
    "thành — kiosk chỉ tiếp nhận và chuyển đề nghị (Nghị định 69/2024/NĐ-CP), máy chủ đã giữ ảnh.",
    purge_account_portraits))
register(RetentionKind(
    "queue_drafts", "retention_queue_drafts_days", "Bản nháp lấy số thứ tự ở kiosk sảnh", "Hall kiosk queue drafts",
    "Xóa khi hết ngày lấy số (hoặc sau số ngày cài đặt); bản nháp chưa được quầy tiếp nhận không được coi là hồ sơ.",
    f"{_PDPL}: nguyên tắc tối thiểu hóa và Điều 14 khoản 1 — bản nháp chỉ phục vụ lượt chờ trong ngày.",
    purge_queue_drafts))
register(RetentionKind(
    "logs", "retention_log_days", "Tệp nhật ký kỹ thuật", "Technical log files",
    "Xóa tệp nhật ký cũ không còn được ghi quá số ngày cài đặt (nhật ký kiểm toán trong cơ sở dữ liệu không bị xóa).",
    "Nhật ký kỹ thuật không chứa dữ liệu cá nhân (thiết kế của kiosk); không văn bản nào định thời hạn riêng cho "
    "nhật ký của máy tiếp dân [u]. 90 ngày theo thời hiệu khiếu nại (Luật Khiếu nại số 02/2011/QH13, Điều 9) để "
    "truy vết sự cố.",
    purge_logs, in_database=False))


def checkpoint(db: Database) -> dict[str, int]:
    """Copy the WAL into the database file and truncate it: the old page images it held are gone.
    Returns SQLite's (busy, log frames, checkpointed frames); retried briefly while a reader holds a snapshot."""
    for attempt in range(20):
        raw = db.engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
        try:
            busy, frames, done = raw.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            raw.close()
        if not busy:
            break
        time.sleep(0.1 * (attempt + 1))
    if busy:
        log.warning("retention: the WAL could not be truncated (a reader is busy); the next run tries again")
    return {"busy": int(busy), "log_frames": int(frames), "checkpointed": int(done)}


class RetentionService:
    """Runs the policy: `kiosk retention run`, and daily from the running kiosk."""

    def __init__(self, db: Database, settings: Settings, locked: frozenset[str] = frozenset(),
                 clock: Clock = utc_now) -> None:
        self.db, self.settings, self.locked, self.clock = db, settings, locked, clock

    def policy(self) -> list[dict[str, Any]]:
        return [kind.as_json(self.settings, self.locked) for kind in KINDS.values()]

    def run(self, principal: Principal, dry_run: bool = False) -> RetentionReport:
        require(principal, Permission.RETENTION_RUN)
        now = self.clock()
        results, purged_in_db = [], 0
        for kind in KINDS.values():
            days = int(getattr(self.settings, kind.setting))
            if kind.purger is None:
                results.append(KindResult(kind.name, days, 0, False))
                continue
            count = kind.purger(PurgeRequest(self.db, self.settings, days, now, dry_run))
            results.append(KindResult(kind.name, days, count, True))
            if count and kind.in_database and not dry_run:
                purged_in_db += count
        done = None
        if not dry_run:
            with self.db.transaction() as session:
                for r in results:
                    if r.count:
                        audit.append(session, principal.audit_name, "retention.purged", r.kind, "",
                                     {"count": r.count, "days": r.days}, self.clock)
                session.merge(KioskMeta(key=LAST_RUN, value=json.dumps({"at": iso_utc(now), "purged": sum(
                    r.count for r in results)})))
            if purged_in_db:
                done = checkpoint(self.db)
            log.info("retention: %s", ", ".join(f"{r.kind} {r.count}" for r in results))
        return RetentionReport(dry_run, iso_utc(now), results, done)

    def due(self) -> bool:
        last = self.db.meta(LAST_RUN)
        if not last:
            return True
        at = datetime.fromisoformat(json.loads(last)["at"].rstrip("Z"))  # naive UTC, like the clock
        return self.clock() - at >= timedelta(hours=24)

    def daily(self, principal: Principal) -> RetentionReport | None:
        return self.run(principal) if self.due() else None

