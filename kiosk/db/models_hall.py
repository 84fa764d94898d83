"""Tables of the hall: queue tickets (with the citizen's draft until it is received) and service ratings."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db.models import Base


class QueueTicket(Base):
    """A queue ticket this kiosk printed, was handed by the hub, or read from a ticket's QR code.

    `draft` (the form and chip snapshot, JSON) is deleted when the ticket is received, closed or left
    over from an earlier day; `hub_state` says whether the hub still has to hear about a change.
    """

    __tablename__ = "queue_ticket"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[str] = mapped_column(String(10))  # station-local date, ISO
    number: Mapped[str] = mapped_column(String(8))
    group_letter: Mapped[str] = mapped_column(String(1))
    service_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(8))  # taken (here) | hub | scanned
    kiosk_id: Mapped[str] = mapped_column(String(64))  # the hall kiosk that printed it
    created_at: Mapped[str] = mapped_column(String(32))
    requeued_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    called_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    counter: Mapped[str | None] = mapped_column(String(40), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    estimated_wait_min: Mapped[int] = mapped_column(Integer, default=0)
    draft: Mapped[str | None] = mapped_column(Text, nullable=True)
    chip_verdict: Mapped[str | None] = mapped_column(String(30), nullable=True)
    qr_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    hub_state: Mapped[str] = mapped_column(String(8), default="pending")  # pending | sent | none
    updated_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_queue_ticket_day_status", "day", "status", "group_letter"),
                      UniqueConstraint("day", "number", name="uq_queue_ticket_number"))


class ServiceRating(Base):
    """A citizen's rating of a received dossier (three levels, an optional reason); synced through the outbox."""

    __tablename__ = "service_rating"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(40), unique=True)
    service_no: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))  # station-local YYYY-MM

    __table_args__ = (Index("ix_service_rating_month", "month"),)
