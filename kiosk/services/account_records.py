"""What a received account request stores and sends, and the record read back.

A submitted request is one transaction: the request, its first history line, its encrypted portrait, the
consent and request audit entries and its outbox row (the service opens it; this module fills it).
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db.models import OutboxOp
from kiosk.db.models_account import AccountHistoryRow, AccountPortrait, AccountRequestRow
from kiosk.domain import account as acc
from kiosk.domain.account import Status
from kiosk.domain.dossier import mask_id
from kiosk.services.account_checks import AccountRequestInput, Checked
from kiosk.services.errors import NotFound
from kiosk.services.face import FaceMatch
from kiosk.services.outbox import canonical_json


@dataclass(frozen=True)
class NewRequest:
    """A checked request with its code and consents, ready to be written."""

    request: AccountRequestInput
    checked: Checked
    code: str
    kiosk_id: str
    consents: list[acc.Consent]
    actor: str
    received: datetime
    at: str

    @property
    def face_json(self) -> dict[str, Any]:
        portrait = self.checked.portrait
        return portrait.match.as_json() if portrait else FaceMatch("no_portrait").as_json()

    @property
    def snapshot(self) -> dict[str, Any]:
        g = self.checked.guardian
        return {"citizen": self.checked.citizen.stored(), "guardian": g.stored() if g else None}

    @property
    def phone_owner(self) -> str:
        """Whose number it is: the guardian's for a child's account."""
        g = self.checked.guardian
        return g.id_number if g is not None else self.checked.citizen.id_number


def persist(session: Session, n: NewRequest) -> tuple[AccountRequestRow, dict[str, Any] | None]:
    """Add the request with its first history line and portrait; returns the row and the portrait as the
    outbox carries it (None without one)."""
    c, request, at = n.checked, n.request, n.at
    snap, g = c.citizen, c.guardian
    row = AccountRequestRow(
        id=str(uuid.uuid4()), tracking_code=n.code, status=Status.SUBMITTED.value, level=int(request.level),
        id_number=snap.id_number, full_name=snap.full_name[:250], birth_date=str(snap.birth_date or ""),
        chip_verdict=snap.verdict, phone=c.phone, phone_owner=n.phone_owner, email=c.email,
        integrations=json.dumps(list(c.integrations)), guardian_id_number=g.id_number if g else None,
        guardian_name=g.full_name[:250] if g else None, relationship=request.relationship if g else None,
        snapshot=json.dumps(n.snapshot, ensure_ascii=False),
        consents=json.dumps([x.as_json() for x in n.consents], ensure_ascii=False),
        legal_basis=json.dumps(acc.LEGAL_BASIS, ensure_ascii=False),
        face_match=json.dumps(n.face_json, ensure_ascii=False),
        fingerprint_checked=bool(request.fingerprint_checked),
        warnings=json.dumps([w.as_json() for w in c.warnings], ensure_ascii=False),
        received_at=n.received.isoformat(timespec="seconds"), received_on=n.received.date().isoformat(),
        kiosk_id=n.kiosk_id, created_by=n.actor, updated_at=at, outbox_seq=0, hub_change_id=0,
    )
    session.add(row)
    session.flush()
    session.add(AccountHistoryRow(request_id=row.id, seq=1, at=at, actor=n.actor, from_status=None,
                                  to_status=Status.SUBMITTED.value, note="", origin="kiosk"))
    if c.portrait is None:
        return row, None
    session.add(AccountPortrait(request_id=row.id, media_type="image/jpeg", size=len(c.portrait.jpeg),
                                sha256=c.portrait.sha256, face_found=c.portrait.face_found,
                                data=c.portrait.jpeg, created_at=at))
    return row, {"media_type": "image/jpeg", "sha256": c.portrait.sha256,
                 "data_b64": base64.b64encode(c.portrait.jpeg).decode()}


def outbox_payload(n: NewRequest, row: AccountRequestRow, portrait: dict[str, Any] | None,
                   unit_id: str) -> dict[str, Any]:
    """What the hub receives for a new request (it forwards it to the national system)."""
    c, request = n.checked, n.request
    return {
        "tracking_code": n.code, "request_id": row.id, "procedure_code": acc.PROCEDURE_CODE,
        "kiosk_id": n.kiosk_id, "unit_id": unit_id, "level": int(request.level),
        "status": Status.SUBMITTED.value, "received_at": row.received_at, "created_by": n.actor,
        "citizen": n.snapshot["citizen"], "guardian": n.snapshot["guardian"], "relationship": row.relationship,
        "phone": c.phone, "phone_owner": n.phone_owner, "email": c.email, "integrations": list(c.integrations),
        "consents": [x.as_json() for x in n.consents], "legal_basis": acc.LEGAL_BASIS, "face_match": n.face_json,
        "fingerprint_checked": bool(request.fingerprint_checked), "portrait": portrait,
        "history": [acc.HistoryEntry(1, n.at, n.actor, None, Status.SUBMITTED).as_json()],
    }


def find_request(session: Session, ref: str) -> AccountRequestRow:
    """A request by id or tracking code, also under a code the hub replaced; NotFound otherwise."""
    from kiosk.db.models_sync import RecodedRecord

    ref = ref.strip()
    row = session.get(AccountRequestRow, ref) or session.scalar(
        select(AccountRequestRow).where(AccountRequestRow.tracking_code == ref.upper()))
    if row is None:  # a code the hub replaced (it clashed with another dossier's)
        uid = session.scalar(select(RecodedRecord.record_uid).where(
            RecodedRecord.previous_code == ref.upper(), RecodedRecord.record_kind == "account")
            .order_by(RecodedRecord.id.desc()))
        row = session.get(AccountRequestRow, uid) if uid else None
    if row is None:
        raise NotFound(f"đề nghị cấp tài khoản {ref}")
    return row


def summary(row: AccountRequestRow) -> dict[str, Any]:
    """A request as the list shows it: ID and phone number masked."""
    status = Status(row.status)
    return {"request_id": row.id, "tracking_code": row.tracking_code, "level": row.level, "status": status.value,
            "status_label_vi": status.label_vi, "status_label_en": status.label_en, "full_name": row.full_name,
            "id_number": mask_id(row.id_number), "phone": row.phone[:3] + "****" + row.phone[-3:],
            "guardian": row.guardian_name, "relationship": row.relationship, "received_at": row.received_at}


def record(session: Session, row: AccountRequestRow) -> dict[str, Any]:
    """The whole request on top of its summary: contacts, consents, face match, portrait and history (masked)."""
    out = summary(row)
    history = session.scalars(select(AccountHistoryRow).where(AccountHistoryRow.request_id == row.id)
                              .order_by(AccountHistoryRow.seq))
    portrait = session.execute(select(AccountPortrait.size, AccountPortrait.sha256, AccountPortrait.face_found)
                               .where(AccountPortrait.request_id == row.id)).first()
    out.update({
        "email": row.email, "integrations": json.loads(row.integrations), "chip_verdict": row.chip_verdict,
        "birth_date": row.birth_date, "consents": json.loads(row.consents),
        "legal_basis": json.loads(row.legal_basis), "face_match": json.loads(row.face_match),
        "fingerprint_checked": row.fingerprint_checked, "warnings": json.loads(row.warnings),
        "kiosk_id": row.kiosk_id, "created_by": row.created_by,
        "portrait": ({"size": portrait[0], "sha256": portrait[1], "face_found": portrait[2]} if portrait
                     else {"purged_at": row.portrait_purged_at}),
        "history": [{"seq": h.seq, "at": h.at, "actor": h.actor, "from": h.from_status, "to": h.to_status,
                     "note": h.note, "origin": h.origin} for h in history],
    })
    return out


def append_history(session: Session, row: AccountRequestRow, actor: str, dst: Status, note: str, origin: str,
                     at: str) -> int:
    """Move the request to `dst` with the next history line; returns its number."""
    seq = (session.scalar(select(func.max(AccountHistoryRow.seq)).where(AccountHistoryRow.request_id == row.id))
           or 0) + 1
    session.add(AccountHistoryRow(request_id=row.id, seq=seq, at=at, actor=actor, from_status=row.status,
                                  to_status=dst.value, note=note, origin=origin))
    row.status, row.updated_at = dst.value, at
    return seq


def scrub_outbox_portrait(session: Session, seq: int | None) -> None:
    """Take the portrait out of the acknowledged outbox copy of the request, keeping its digest.

    Safe for the sync protocol: an op is only ever sent again when the hub does not hold it (a
    hub restored to before it); an op the hub holds is never resent, so its stored hash is never
    compared with the scrubbed copy.
    """
    op = session.get(OutboxOp, seq) if seq else None
    if op is None:
        return
    data = json.loads(op.payload)
    picture = data.get("portrait")
    if isinstance(picture, dict) and "data_b64" in picture:
        data["portrait"] = {"media_type": picture.get("media_type"), "sha256": picture.get("sha256"),
                            "deleted_on_kiosk": True}
        op.payload = canonical_json(data)
