"""The hub's tables for the hall: the station's queue tickets and each station's queue key."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.hub.models import HubBase


class HubQueueTicket(HubBase):
    """A ticket a hall kiosk printed; counters of the station call it here, one at a time.

    `qr_text` is the ticket's sealed QR text (the draft encrypted under the station's queue key), kept
    until the ticket is received or closed, or its day is over.
    """

    __tablename__ = "hub_queue_ticket"
    ticket_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    day: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(8))
    group_letter: Mapped[str] = mapped_column(String(1))
    service_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[str] = mapped_column(String(32))
    requeued_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    called_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    called_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    counter: Mapped[str | None] = mapped_column(String(40), nullable=True)
    calls: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    tracking_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    qr_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    updated_at: Mapped[str] = mapped_column(String(32))

    __table_args__ = (Index("ix_hub_queue_line", "station", "day", "status", "group_letter"),
                      UniqueConstraint("station", "day", "number", name="uq_hub_queue_number"))


class HubQueueKey(HubBase):
    """The station's queue key: kiosks of the station seal and open tickets' drafts with it."""

    __tablename__ = "hub_queue_key"
    station: Mapped[str] = mapped_column(String(64), primary_key=True)
    kid: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))  # hex of 32 random bytes
    created_at: Mapped[str] = mapped_column(String(32))
