"""Dossiers (hồ sơ), their persons, history, encrypted attachments and the staff's drafts.

Everything lives in the SQLCipher database: personal data and scans are encrypted at rest with the
same key, committed in the same transaction as the audit entry and the outbox row. The full-text
index `dossier_fts` (FTS5, folded text) is created by the migration and written by
`kiosk.services.search`; it has no ORM model.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db.models import Base


class DossierRow(Base):
    """One dossier received at this kiosk (or pulled from the hub)."""

    __tablename__ = "dossier"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(40), unique=True)
    #: The dossier's identity (a UUID given when it was taken), the one the hub matches its statuses, notes and
    #: a new code on; the printed code alone can name another dossier (kiosk.services.sync).
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    service_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))
    applicant_kind: Mapped[str] = mapped_column(String(16))
    subject_name: Mapped[str] = mapped_column(String(250))
    applicant_id_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    received_at: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[str] = mapped_column(String(10))
    appointment_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    kiosk_id: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(120))
    identity_source: Mapped[str] = mapped_column(String(10))
    chip_verdict: Mapped[str | None] = mapped_column(String(32), nullable=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    form: Mapped[str] = mapped_column(Text)
    fees: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_dossier_status_day", "status", "received_on"),
        Index("ix_dossier_day", "received_on"),
    )


class DossierPerson(Base):
    """A person the dossier is about (applicant, child, mother, bride, …): from a chip or typed."""

    __tablename__ = "dossier_person"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    role: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # "chip" or "typed"
    id_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        Index("ix_dossier_person_id_number", "id_number"),
        Index("ix_dossier_person_dossier", "dossier_id"),
    )


class DossierHistoryRow(Base):
    """One status change; triggers in the migration refuse UPDATE and DELETE (append-only)."""

    __tablename__ = "dossier_history"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(10), default="kiosk")

    __table_args__ = (UniqueConstraint("dossier_id", "seq", name="uq_dossier_history_seq"),)


class DossierAttachment(Base):
    """A scan or photo handed in with the dossier, kept as a BLOB inside the encrypted database."""

    __tablename__ = "dossier_attachment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"))
    document_id: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(32))
    #: When retention emptied `data` (the scan is gone; what was handed in stays on record).
    purged_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_dossier_attachment_dossier", "dossier_id"),)


class DossierDraft(Base):
    """A wizard's unfinished dossier, visible only to the staff member who saved it."""

    __tablename__ = "dossier_draft"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner: Mapped[str] = mapped_column(String(120))
    service_no: Mapped[int] = mapped_column(Integer)
    step: Mapped[str | None] = mapped_column(String(60), nullable=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_dossier_draft_owner", "owner"),)
