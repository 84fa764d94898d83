"""The citizens' rating of a received dossier (đánh giá mức độ hài lòng) and the station's monthly report.

A rating names a dossier the station received (looked up like the status check: this kiosk, the hub,
or the receipt's signed QR code), one of three levels and an optional reason. It is stored with an
outbox row in one transaction, so it reaches the hub like every other record; the hub's report counts
the first rating of each dossier across the station's kiosks.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from kiosk.db.engine import Database
from kiosk.db.models_hall import ServiceRating
from kiosk.domain.dossier import local_received_at
from kiosk.domain.queue import MAX_RATING_REASON, RatingLevel, summarise_ratings
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit, outbox
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput
from kiosk.services.identity import identity
from kiosk.services.permissions import require
from kiosk.services.queue_hub import HubLink
from kiosk.services.sync_client import HubRefused, HubUnreachable
from kiosk.wire.ops import OpKind

RATING_KIND = OpKind.RATING_ADDED
_MONTH_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


class RatingService:
    def __init__(self, db: Database, status_check: Any, link: HubLink, clock: Clock = utc_now) -> None:
        self.db = db
        self.status_check = status_check
        self.link = link
        self.clock = clock

    def add(self, principal: Principal, code: str, level: Any, reason: str = "") -> dict[str, Any]:
        """Rate the dossier `code` (its tracking code, or its receipt's QR text)."""
        require(principal, Permission.RATING_ADD)
        errors = []
        try:
            rating = RatingLevel(int(level))
        except (TypeError, ValueError):
            rating = None
            errors.append(("level", "Mức đánh giá phải là 1 (không hài lòng), 2 (hài lòng) hoặc 3 (rất hài lòng).",
                           "The rating must be 1 (dissatisfied), 2 (satisfied) or 3 (very satisfied)."))
        reason = " ".join(str(reason or "").split())
        if len(reason) > MAX_RATING_REASON:
            errors.append(("reason", f"Lý do tối đa {MAX_RATING_REASON} ký tự.",
                           f"The reason has at most {MAX_RATING_REASON} characters."))
        answer = None
        if not str(code or "").strip():
            errors.append(("code", "Cần mã hồ sơ hoặc mã QR trên phiếu hẹn.",
                           "The dossier code or the QR code on the appointment slip is needed."))
        else:
            answer = self.status_check.check(principal, str(code))
            if not answer.found:
                errors.append(("code", answer.message_vi, answer.message_en))
        if errors:
            raise InvalidInput(errors)
        assert rating is not None and answer is not None
        now = self.clock()
        month = local_received_at(None, now).strftime("%Y-%m")
        kiosk_id = identity(self.db).kiosk_id  # read before the transaction: every session takes the write lock
        with self.db.transaction() as session:
            if session.scalar(select(ServiceRating.id).where(ServiceRating.tracking_code == answer.tracking_code)):
                raise InvalidInput([("code", "Hồ sơ này đã được đánh giá tại kiosk này. Cảm ơn bạn!",
                                     "This dossier has already been rated at this kiosk. Thank you!")])
            row = ServiceRating(id=str(uuid.uuid4()), tracking_code=answer.tracking_code, service_no=answer.service_no,
                                level=int(rating), reason=reason, created_at=iso_utc(now), month=month)
            session.add(row)
            outbox.enqueue(session, RATING_KIND, {
                "rating": row.id, "tracking_code": row.tracking_code, "service_no": row.service_no,
                "level": row.level, "reason": reason, "month": month, "at": row.created_at,
                "kiosk_id": kiosk_id,
            }, 1, self.clock)
            # The reason is the citizen's own words: it stays out of the audit log.
            audit.append(session, principal.audit_name, "rating.added", "dossier", row.tracking_code,
                         {"level": row.level, "reason_given": bool(reason)}, self.clock)
        return {"rating": row.id, "tracking_code": row.tracking_code, "service_no": row.service_no,
                "level": row.level, "label_vi": rating.label_vi, "label_en": rating.label_en, "month": month}

    def report(self, principal: Principal, month: str) -> dict[str, Any]:
        """The month's ratings: the station's (from the hub) when it answers, else this kiosk's own."""
        require(principal, Permission.RATING_REPORT)
        if not _MONTH_RE.fullmatch(month or ""):
            raise InvalidInput([("month", "Tháng cần dạng YYYY-MM, ví dụ 2026-11.",
                                 "The month is written YYYY-MM, e.g. 2026-11.")])
        try:
            remote = self.link.ask(lambda c: c.rating_report(month))
        except (HubUnreachable, HubRefused):
            remote = None
        if remote is not None:
            return remote | {"source": "hub"}
        with self.db.sessions() as session:
            rows = session.scalars(select(ServiceRating).where(ServiceRating.month == month)
                                   .order_by(ServiceRating.created_at))
            ratings = [{"tracking_code": r.tracking_code, "level": r.level, "service_no": r.service_no,
                        "reason": r.reason} for r in rows]
        return summarise_ratings(month, ratings) | {"source": "local"}
