"""Tables of receipts and printing: the public keys of trusted stations, and print jobs (retryable)."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db.models import Base


class StationKey(Base):
    """A trusted kiosk's Ed25519 public key, for verifying its QR codes offline (this kiosk's own is implicit)."""

    __tablename__ = "qr_station_key"
    kid: Mapped[str] = mapped_column(String(16), primary_key=True)  # hex of the 8-byte COSE kid
    kiosk_id: Mapped[str] = mapped_column(String(24))
    public_key: Mapped[str] = mapped_column(String(64))  # hex of the raw 32-byte key
    source: Mapped[str] = mapped_column(String(10))  # "manual" or "hub"
    added_at: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(120))


class PrintJob(Base):
    """One request to print a document of a dossier or an account request; failed jobs stay here to be retried."""

    __tablename__ = "print_job"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(40))
    document: Mapped[str] = mapped_column(String(20))  # "receipt", "account_confirmation" (printing.DOCUMENTS)
    layout: Mapped[str] = mapped_column(String(10))
    printer_kind: Mapped[str] = mapped_column(String(10))
    printer_target: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12))  # pending, printed, failed, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(30), nullable=True)
    output: Mapped[str | None] = mapped_column(String(500), nullable=True)
    requested_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    printed_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (Index("ix_print_job_code", "tracking_code"), Index("ix_print_job_status", "status"))
