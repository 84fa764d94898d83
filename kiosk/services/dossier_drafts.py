"""Drafts of the dossier wizard: kept inside the encrypted database, seen again only by their author."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models_dossier import DossierDraft
from kiosk.domain.catalog import Service
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit, dossier_records
from kiosk.services.clock import Clock, iso_utc
from kiosk.services.errors import NotFound
from kiosk.services.permissions import require


@dataclass(frozen=True)
class DraftInfo:
    """A kept wizard state as the list of drafts shows it."""

    id: str
    service_no: int
    step: str | None
    created_at: str
    updated_at: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "service_no": self.service_no, "step": self.step,
                "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass(frozen=True)
class Draft:
    """A kept wizard state with what the officer had entered, to carry on from."""

    info: DraftInfo
    citizen: dict[str, Any] | None
    persons: dict[str, Any]
    form: dict[str, Any]


class DossierDrafts:
    """The draft use cases of `DossierService` (a base class of it, so the wizard keeps one service object)."""

    db: Database
    clock: Clock

    def service(self, number: int) -> Service:
        raise NotImplementedError

    def save_draft(self, principal: Principal, service_no: int, form: Mapping[str, Any], citizen: Any = None,
                   persons: Mapping[str, Any] | None = None, step: str | None = None,
                   draft_id: str | None = None) -> DraftInfo:
        """Keep the wizard's state (inside the encrypted database); only its author sees it again."""
        require(principal, Permission.DOSSIER_CREATE)
        self.service(service_no)
        state = {"citizen": citizen, "persons": dict(persons or {}), "form": dict(form)}
        data = json.dumps(dossier_records.jsonable(state), ensure_ascii=False)
        now = iso_utc(self.clock())
        with self.db.transaction() as session:
            row = self._own_draft(session, principal, draft_id) if draft_id else None
            if row is None:
                row = DossierDraft(id=str(uuid.uuid4()), owner=principal.audit_name, service_no=int(service_no),
                                   step=step, data=data, created_at=now, updated_at=now)
                session.add(row)
                audit.append(session, principal.audit_name, "dossier.draft_save", "draft", row.id,
                             {"service": int(service_no)}, self.clock)
            else:
                row.service_no, row.step, row.data, row.updated_at = int(service_no), step, data, now
            return self._draft_info(row)

    def list_drafts(self, principal: Principal) -> list[DraftInfo]:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.sessions() as session:
            rows = session.scalars(
                select(DossierDraft).where(DossierDraft.owner == principal.audit_name).order_by(DossierDraft.updated_at.desc())
            )
            return [self._draft_info(r) for r in rows]

    def load_draft(self, principal: Principal, draft_id: str) -> Draft:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.sessions() as session:
            row = self._own_draft(session, principal, draft_id)
            if row is None:
                raise NotFound(f"bản nháp {draft_id}")
            data = json.loads(row.data)
            return Draft(self._draft_info(row), data.get("citizen"), data.get("persons") or {}, data.get("form") or {})

    def discard_draft(self, principal: Principal, draft_id: str) -> None:
        require(principal, Permission.DOSSIER_CREATE)
        with self.db.transaction() as session:
            row = self._own_draft(session, principal, draft_id)
            if row is None:
                raise NotFound(f"bản nháp {draft_id}")
            session.delete(row)
            audit.append(session, principal.audit_name, "dossier.draft_discard", "draft", draft_id, {}, self.clock)

    @staticmethod
    def _own_draft(session: Session, principal: Principal, draft_id: str) -> DossierDraft | None:
        row = session.get(DossierDraft, draft_id)
        # Another person's draft is reported as missing: its existence is not theirs to know.
        return row if row is not None and row.owner == principal.audit_name else None

    @staticmethod
    def _draft_info(row: DossierDraft) -> DraftInfo:
        return DraftInfo(row.id, row.service_no, row.step, row.created_at, row.updated_at)
