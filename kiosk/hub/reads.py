"""What enrolled kiosks read: the station's changes after their cursor, and a code's status for a citizen."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import or_, select

from kiosk.hub.models import HubDossier, HubKiosk, InboxOp, StationChange, StationCounter
from kiosk.hub.records import ACCOUNT_PROCEDURE
from kiosk.hub.shared import _payload

MAX_PULL = 1000


class Reads:
    """The Hub's answers to a kiosk's reads."""

    def pull(self, method: str, path: str, body: bytes, headers: Any, after: int, after_uid: str,
             limit: int) -> dict[str, Any]:
        limit = max(1, min(limit, MAX_PULL))
        with self.db.transaction() as s:
            kiosk = self.authenticate(s, method, path, body, headers)
            last = s.scalar(select(StationCounter.value).where(StationCounter.station == kiosk.station)) or 0
            if after > 0:
                # The change the kiosk saw last must still be there, unchanged: a hub restored from a
                # backup hands out those ids again, and the kiosk must start over rather than skip them.
                seen = s.scalar(select(StationChange.uid).where(StationChange.station == kiosk.station,
                                                                StationChange.change_id == after))
                if seen != after_uid:
                    return {"reset": True, "changes": [], "next_cursor": 0, "next_uid": "", "last_change_id": last,
                            "more": last > 0}
            rows = s.execute(
                select(StationChange.change_id, StationChange.uid, StationChange.kind, StationChange.payload,
                       StationChange.created_at)
                .where(StationChange.station == kiosk.station, StationChange.change_id > after)
                .order_by(StationChange.change_id).limit(limit)
            ).all() if last > after else []
            changes = [{"change_id": r.change_id, "uid": r.uid, "kind": r.kind, "payload": json.loads(r.payload),
                        "created_at": r.created_at} for r in rows]
            next_cursor, next_uid = (rows[-1].change_id, rows[-1].uid) if rows else (after, after_uid)
            return {"reset": False, "changes": changes, "next_cursor": next_cursor, "next_uid": next_uid,
                    "last_change_id": last, "more": next_cursor < last}

    def lookup(self, method: str, path: str, body: bytes, headers: Any, tracking_code: str,
               issuer: str = "") -> dict[str, Any]:
        """A dossier's or account request's status for the citizen's status check at a kiosk of its station.

        No personal data: the code, the procedure, the status and when it changed, the appointment
        date. A code of another station is answered as unknown, like a code nobody issued. A dossier the
        hub gave a new code is found under both; when two dossiers answer to one code (the one that
        keeps it, and the one that printed it first and was given another), `issuer` (the kiosk that
        signed the receipt's QR code) says which, else the one holding the code answers, and the
        other codes are named so the citizen can check theirs.
        """
        with self.db.transaction() as s:
            kiosk = self.authenticate(s, method, path, body, headers)
            rows = s.scalars(select(HubDossier).where(
                HubDossier.station == kiosk.station,
                or_(HubDossier.tracking_code == tracking_code, HubDossier.previous_code == tracking_code))).all()
            if not rows:
                return {"found": False, "tracking_code": tracking_code}
            issuers = {issuer} if issuer else set()
            if issuer:  # a receipt printed before its kiosk enrolled names the id the kiosk had made itself
                issuers |= set(s.scalars(select(HubKiosk.kiosk_id).where(HubKiosk.station == kiosk.station,
                                                                         HubKiosk.local_id == issuer)))
            by_issuer = [r for r in rows if r.kiosk_id in issuers]
            holder = [r for r in rows if r.tracking_code == tracking_code]
            dossier = (by_issuer or holder or rows)[0]
            created = s.get(InboxOp, (dossier.kiosk_id, dossier.seq))
            data = _payload(created) if created is not None else {}
            service_no = data.get("service_no")
            appointment = data.get("appointment_date")
            account = dossier.service_code == ACCOUNT_PROCEDURE
            return {
                "found": True, "tracking_code": dossier.tracking_code, "kind": "account" if account else "dossier",
                "service_code": dossier.service_code, "status": dossier.status, "updated_at": dossier.updated_at,
                "service_no": service_no if isinstance(service_no, int) else None,
                "appointment_date": appointment if isinstance(appointment, str) else None,
                "level": data.get("level") if account else None,
                "previous_code": dossier.previous_code,
                "other_codes": sorted(r.tracking_code for r in rows if r is not dossier),
            }
