"""Tables of electronic identification account requests: the request, its history, its portrait (encrypted)."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db.models import Base


class AccountRequestRow(Base):
    """One request (Mẫu TK01) as received at the counter; personal data stays inside the encrypted file."""

    __tablename__ = "account_request"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)
    id_number: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(250))
    birth_date: Mapped[str] = mapped_column(String(10))
    chip_verdict: Mapped[str] = mapped_column(String(30))
    phone: Mapped[str] = mapped_column(String(10))
    phone_owner: Mapped[str] = mapped_column(String(12))  # ID number of whoever the number belongs to
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    integrations: Mapped[str] = mapped_column(Text)  # JSON list
    guardian_id_number: Mapped[str | None] = mapped_column(String(12), nullable=True)
    guardian_name: Mapped[str | None] = mapped_column(String(250), nullable=True)
    relationship: Mapped[str | None] = mapped_column(String(10), nullable=True)
    snapshot: Mapped[str] = mapped_column(Text)  # JSON: the chips' data and verdicts
    consents: Mapped[str] = mapped_column(Text)  # JSON list of consent records
    legal_basis: Mapped[str] = mapped_column(Text)
    face_match: Mapped[str] = mapped_column(Text)  # JSON advice shown to the officer
    fingerprint_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    warnings: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str] = mapped_column(String(32))
    received_on: Mapped[str] = mapped_column(String(10))
    kiosk_id: Mapped[str] = mapped_column(String(24))
    created_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[str] = mapped_column(String(32))
    outbox_seq: Mapped[int] = mapped_column(Integer)
    hub_change_id: Mapped[int] = mapped_column(Integer, default=0)  # last pulled change applied
    portrait_purged_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (
        Index("ix_account_request_id_number", "id_number"),
        Index("ix_account_request_phone", "phone"),
        Index("ix_account_request_status", "status"),
    )


class AccountHistoryRow(Base):
    """One line of a request's history; append-only."""

    __tablename__ = "account_history"
    request_id: Mapped[str] = mapped_column(ForeignKey("account_request.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    from_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(8))


class AccountPortrait(Base):
    """The counter portrait (biometric, sensitive): a BLOB in the SQLCipher file, deleted after the hub holds it."""

    __tablename__ = "account_portrait"
    request_id: Mapped[str] = mapped_column(ForeignKey("account_request.id", ondelete="CASCADE"), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(20))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    face_found: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[str] = mapped_column(String(32))
