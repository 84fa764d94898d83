"""What a received dossier stores and sends: its rows, its outbox payload, and the record read back.

A submitted dossier is one transaction: the dossier with its persons, first history line, scans, index row,
audit entry and outbox row commit together or not at all (the service opens it; this module fills it).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiosk.db.models import KioskMeta
from kiosk.db.models_dossier import DossierAttachment, DossierHistoryRow, DossierPerson, DossierRow
from kiosk.domain.catalog import FeeQuote, ProcedureCode, Service, parse_date
from kiosk.domain.dossier import HistoryEntry, Status, mask_id, next_statuses
from kiosk.services import audit
from kiosk.services.clock import iso_utc, utc_now
from kiosk.services.dossier_checks import AttachmentIn, Checked
from kiosk.services.search import index_dossier

HUB_ACTOR = "hub"


@dataclass(frozen=True)
class Prepared:
    """Everything a dossier's rows and outbox payload hold, worked out before the transaction opens."""

    service: Service
    checked: Checked
    received: datetime
    due: date | None
    kiosk_id: str
    persons: list[dict[str, Any]]
    subject: str
    fees: dict[str, Any]
    procedure: ProcedureCode | None
    basis: dict[str, Any]
    form: Any
    actor: str
    at: str

    @property
    def applicant(self) -> dict[str, Any] | None:
        return next((p for p in self.persons if p["role"] == "applicant"), None)


def persist(session: Session, p: Prepared, code: str, attachments: Sequence[AttachmentIn]
            ) -> tuple[DossierRow, list[dict[str, Any]]]:
    """Add the dossier under `code` with its persons, first history line, scans and search index; returns the
    row and the metadata of the stored scans."""
    applicant = p.applicant
    row = DossierRow(
        tracking_code=code, uid=str(uuid.uuid4()), service_no=p.service.number, status=Status.RECEIVED.value,
        applicant_kind=p.service.applicant_kind, subject_name=p.subject[:250],
        applicant_id_number=applicant["id_number"] if applicant else None,
        received_at=p.received.isoformat(timespec="seconds"), received_on=p.received.date().isoformat(),
        appointment_date=p.due.isoformat() if p.due else None, kiosk_id=p.kiosk_id, created_by=p.actor,
        identity_source="chip" if p.checked.citizen else "typed",
        chip_verdict=p.checked.citizen.verdict if p.checked.citizen else None,
        legal_basis=json.dumps(p.basis, ensure_ascii=False), form=json.dumps(p.form, ensure_ascii=False),
        fees=json.dumps(p.fees, ensure_ascii=False), updated_at=p.at,
    )
    session.add(row)
    session.flush()
    for person in p.persons:
        session.add(DossierPerson(
            dossier_id=row.id, role=person["role"], source=person["source"], id_number=person["id_number"],
            full_name=person["full_name"], birth_date=person["birth_date"],
            snapshot=json.dumps(person["chip"], ensure_ascii=False) if person["chip"] else None,
        ))
    session.add(DossierHistoryRow(dossier_id=row.id, seq=1, at=p.at, actor=p.actor, from_status=None,
                                  to_status=Status.RECEIVED.value, note="", origin="kiosk"))
    stored = []
    for a in attachments:
        digest = hashlib.sha256(a.data).hexdigest()
        meta = {"document_id": a.document_id, "filename": clean_filename(a.filename),
                "media_type": a.media_type, "size": len(a.data), "sha256": digest}
        session.add(DossierAttachment(dossier_id=row.id, data=bytes(a.data), created_at=p.at, **meta))
        stored.append(meta)
    ids, names, places = _index_values(p.service, p.checked.form, p.persons)
    index_dossier(session, row.id, code, ids, [p.subject, *names], places)
    return row, stored


def outbox_payload(p: Prepared, row: DossierRow, stored: list[dict[str, Any]], unit_id: str) -> dict[str, Any]:
    """What the hub receives for a new dossier: the row as stored, its persons, form, fees, scans and history."""
    first = HistoryEntry(1, p.at, p.actor, None, Status.RECEIVED, "")
    return {
        "tracking_code": row.tracking_code, "dossier_uid": row.uid, "service_no": p.service.number,
        # The hub files the dossier under the national procedure code (the number when none is known).
        "service_code": (p.procedure.code if p.procedure and p.procedure.code else str(p.service.number)),
        "procedure_code": p.procedure.code if p.procedure else None,
        "procedure_code_confirmed": bool(p.procedure and p.procedure.confirmed),
        "status": Status.RECEIVED.value,
        "received_at": row.received_at, "received_on": row.received_on,
        "appointment_date": row.appointment_date, "kiosk_id": p.kiosk_id, "unit_id": unit_id,
        "applicant_kind": p.service.applicant_kind, "subject_name": row.subject_name, "created_by": p.actor,
        "identity_source": row.identity_source, "chip_verdict": row.chip_verdict, "legal_basis": p.basis,
        "persons": p.persons, "form": p.form, "fees": p.fees, "attachments": stored,
        "history": [first.as_json()],
    }


def fees_record(fees: FeeQuote) -> dict[str, Any]:
    """The fee as the dossier keeps it: each line with the rate in force and its source, and the
    exemption with its evidence and article (the receipt prints them)."""
    ex = fees.exemption
    return {
        "on": fees.on.isoformat() if fees.on else None,
        "lines": [{"id": ln.item.id, "label_vi": ln.item.label_vi, "amount": ln.amount, "set_by": ln.item.set_by,
                   "count": ln.count, "per": ln.item.per,
                   "source": (ln.rate.source if ln.rate else "") or ln.item.source,
                   "confirmed": ln.item.confirmed and (ln.rate is None or ln.rate.confirmed)}
                  for ln in fees.lines],
        "total": fees.total,
        "exempt": fees.exempt,
        "exemption": None if ex is None else {
            "id": ex.id, "who_vi": ex.who_vi, "evidence_vi": ex.evidence_vi, "law": ex.law, "confirmed": ex.confirmed},
    }


def person_records(service: Service, checked: Checked) -> list[dict[str, Any]]:
    """One record per person of the dossier: from the chip, or from the typed fields of that role."""
    form = checked.form
    snaps = dict(checked.persons)
    if checked.citizen is not None:
        snaps["applicant"] = checked.citizen
    visible = service.visible_fields(form)
    out = []
    for person in service.persons:
        snap = snaps.get(person.role)
        if snap is not None:
            birth = snap.birth_date
            out.append({"role": person.role, "source": "chip", "id_number": snap.id_number,
                        "full_name": snap.full_name, "birth_date": birth if birth and len(birth) == 10 else None,
                        "chip": snap.stored()})
            continue
        mine = [f for f in visible if f.person == person.role and form.get(f.id) not in (None, "")]
        name = next((form[f.id] for f in mine if f.prefill == "full_name" or f.id.endswith("full_name")), None)
        if not isinstance(name, str):
            continue
        id_number = next((form[f.id] for f in mine if f.type == "id_number"), None)
        birth = next((form[f.id] for f in mine if f.prefill == "birth_date"
                      or (f.type == "date" and f.id.endswith("birth_date"))), None)
        try:
            birth_iso = parse_date(birth).isoformat() if birth else None
        except ValueError:
            birth_iso = None
        out.append({"role": person.role, "source": "typed",
                    "id_number": id_number.strip() if isinstance(id_number, str) else None,
                    "full_name": " ".join(name.split()), "birth_date": birth_iso, "chip": None})
    return out


def subject_name(service: Service, form: Mapping[str, Any], persons: list[dict[str, Any]]) -> str:
    """Whom the dossier is about, as the list and the receipt name it."""
    if service.applicant_kind == "organisation" and isinstance(form.get("org_name"), str):
        return " ".join(form["org_name"].split())
    applicant = next((p for p in persons if p["role"] == "applicant"), None)
    if applicant is not None:
        return applicant["full_name"]
    return " và ".join(p["full_name"] for p in persons) or "—"


def _index_values(
    service: Service, form: Mapping[str, Any], persons: list[dict[str, Any]]
) -> tuple[list[str], list[Any], list[Any]]:
    ids = [p["id_number"] for p in persons if p["id_number"]]
    names: list[Any] = [p["full_name"] for p in persons]
    places: list[Any] = []
    for f in service.visible_fields(form):
        value = form.get(f.id)
        if value in (None, ""):
            continue
        if f.type == "id_number" and isinstance(value, str):
            ids.append(value.strip())
        elif f.type == "text" and f.id.endswith("_name"):
            names.append(value)
        elif f.type == "address":
            places.append(value)
    return list(dict.fromkeys(ids)), names, places


def summary(row: DossierRow, name_vi: str) -> dict[str, Any]:
    """A dossier as the list shows it (`name_vi` is its service's name); the ID number is masked."""
    status = Status(row.status)
    return {
        "tracking_code": row.tracking_code, "service_no": row.service_no, "service_name_vi": name_vi,
        "status": status.value, "status_label_vi": status.label_vi, "subject_name": row.subject_name,
        "applicant_id_number": mask_id(row.applicant_id_number), "received_at": row.received_at,
        "appointment_date": row.appointment_date,
    }


def attachment_meta(att: DossierAttachment) -> dict[str, Any]:
    return {"id": att.id, "document_id": att.document_id, "filename": att.filename, "media_type": att.media_type,
            "size": att.size, "sha256": att.sha256, "purged_at": att.purged_at}


def record(session: Session, row: DossierRow, summary_: dict[str, Any], full: bool) -> dict[str, Any]:
    """The whole dossier on top of its `summary_`: history, persons, scans; `full` unmasks and adds the form."""
    out = dict(summary_)
    if full:
        out["applicant_id_number"] = row.applicant_id_number
    history = session.scalars(
        select(DossierHistoryRow).where(DossierHistoryRow.dossier_id == row.id).order_by(DossierHistoryRow.seq)
    )
    persons = session.scalars(select(DossierPerson).where(DossierPerson.dossier_id == row.id).order_by(DossierPerson.id))
    atts = session.execute(
        select(DossierAttachment.id, DossierAttachment.document_id, DossierAttachment.filename,
               DossierAttachment.media_type, DossierAttachment.size, DossierAttachment.sha256,
               DossierAttachment.purged_at)
        .where(DossierAttachment.dossier_id == row.id).order_by(DossierAttachment.id)
    )
    from kiosk.db.models_sync import RecodedRecord

    recoded = session.scalars(select(RecodedRecord.previous_code).where(
        RecodedRecord.record_uid == row.uid, RecodedRecord.record_kind == "dossier").order_by(RecodedRecord.id)).all()
    out.update({
        "uid": row.uid, "previous_codes": list(recoded),
        "received_on": row.received_on, "applicant_kind": row.applicant_kind, "kiosk_id": row.kiosk_id,
        "created_by": row.created_by, "identity_source": row.identity_source, "chip_verdict": row.chip_verdict,
        "legal_basis": json.loads(row.legal_basis), "fees": json.loads(row.fees),
        "next_statuses": [s.value for s in next_statuses(Status(row.status))],
        "history": [
            {"seq": h.seq, "at": h.at, "actor": h.actor, "from": h.from_status, "to": h.to_status,
             "note": h.note, "origin": h.origin}
            for h in history
        ],
        "persons": [
            {"role": p.role, "source": p.source, "full_name": p.full_name, "birth_date": p.birth_date,
             "id_number": p.id_number if full else mask_id(p.id_number),
             **({"chip": json.loads(p.snapshot) if p.snapshot else None} if full else {})}
            for p in persons
        ],
        "attachments": [dict(zip(("id", "document_id", "filename", "media_type", "size", "sha256", "purged_at"), a,
                                 strict=True)) for a in atts],
    })
    if full:
        out["form"] = json.loads(row.form)
    return out


def jsonable(value: Any) -> Any:
    """`value` with its dates as ISO strings and its sets and tuples as lists, ready for `json.dumps`."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def clean_filename(name: str) -> str:
    """The file name without any folder a scanner or browser put in front of it, at most 200 characters."""
    base = PurePath(str(name).replace("\\", "/")).name.strip()
    return base[:200] or "scan"


def find_dossier(session: Session, code: str) -> DossierRow | None:
    """The dossier under `code`, or the one whose code the hub replaced with another (it clashed)."""
    from kiosk.db.models_sync import RecodedRecord

    row = session.scalar(select(DossierRow).where(DossierRow.tracking_code == code))
    if row is not None:
        return row
    uid = session.scalar(select(RecodedRecord.record_uid).where(
        RecodedRecord.previous_code == code, RecodedRecord.record_kind == "dossier").order_by(RecodedRecord.id.desc()))
    return session.scalar(select(DossierRow).where(DossierRow.uid == uid)) if uid else None


def apply_remote_status(
    session: Session, dossier_uid: str, status: str, note: str = "", at: str = "", source: str = ""
) -> bool:
    """Apply a status the hub decided to the dossier it was decided on (by identity, never by the printed
    code), inside the sync's transaction; True when the dossier has it now.

    The hub owns the workflow once a dossier is pushed (each field has one writer: the hub after the push), so
    its move is recorded as it comes, with origin "hub". An echo of this kiosk's own push
    (`source` = "kiosk:<this kiosk id>") and a status the dossier already has change nothing.
    """
    try:
        dst = Status(status)
    except ValueError:
        return False
    row = session.scalar(select(DossierRow).where(DossierRow.uid == dossier_uid))
    if row is None:
        return False
    kiosk_id = session.get(KioskMeta, "kiosk_id")
    if row.status == dst.value or (source and kiosk_id is not None and source == f"kiosk:{kiosk_id.value}"):
        return True
    seq = (session.scalar(select(func.max(DossierHistoryRow.seq)).where(DossierHistoryRow.dossier_id == row.id)) or 0) + 1
    when = at or iso_utc(utc_now())
    session.add(DossierHistoryRow(dossier_id=row.id, seq=seq, at=when, actor=HUB_ACTOR, from_status=row.status,
                                  to_status=dst.value, note=note or "", origin="hub"))
    audit.append(session, HUB_ACTOR, "dossier.status_pulled", "dossier", row.tracking_code,
                 {"from": row.status, "to": dst.value})
    row.status, row.updated_at = dst.value, when
    return True


def apply_recode(session: Session, dossier_uid: str, new_code: str) -> str | None:
    """The hub keeps this dossier under `new_code` (its code clashed with another dossier's): the dossier takes
    it, inside the sync's transaction, and stays findable under the old one. Returns the old code, or None
    when this kiosk has no such dossier (or it has the new code already)."""
    from kiosk.services.search import reindex_code

    row = session.scalar(select(DossierRow).where(DossierRow.uid == dossier_uid))
    if row is None or row.tracking_code == new_code:
        return None
    old = row.tracking_code
    row.tracking_code = new_code
    reindex_code(session, row.id, [new_code, old])
    audit.append(session, HUB_ACTOR, "dossier.recoded", "dossier", new_code, {"previous_code": old})
    return old
