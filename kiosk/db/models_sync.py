"""Kiosk-side sync state: enrolment, the hub's position, the pull cursor, errors, pulled changes."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiosk.db.models import Base


class SyncState(Base):
    """One row (id 1): where this kiosk stands with its hub."""

    __tablename__ = "sync_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hub_url: Mapped[str] = mapped_column(String(300), default="")
    station: Mapped[str] = mapped_column(String(64), default="")
    enrolled_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The last sequence the hub said it holds (its high-water mark); the next push starts after it.
    hub_position: Mapped[int] = mapped_column(Integer, default=0)
    # The last pulled change (id and uid): applied in the same transaction as the change itself.
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    cursor_uid: Mapped[str] = mapped_column(String(36), default="")
    keys_version: Mapped[int] = mapped_column(Integer, default=0)
    clock_offset_s: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_success_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    halted: Mapped[bool] = mapped_column(Boolean, default=False)
    halted_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    halted_detail: Mapped[str | None] = mapped_column(Text, nullable=True)


class RemoteChange(Base):
    """A change pulled from the hub (a status decided there, an op it rejected), applied once."""

    __tablename__ = "sync_remote_change"
    change_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="", index=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    applied_at: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))  # applied | stored



class RecodedRecord(Base):
    """A dossier or account request of this kiosk that the hub keeps under a new code (its first code clashed
    with another dossier's). The first code stays findable; the citizen's receipt must be printed again."""

    __tablename__ = "recoded_record"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(10))  # dossier | account
    record_uid: Mapped[str] = mapped_column(String(36), index=True)
    previous_code: Mapped[str] = mapped_column(String(40), index=True)
    tracking_code: Mapped[str] = mapped_column(String(40), index=True)
    change_id: Mapped[int] = mapped_column(Integer)
    recoded_at: Mapped[str] = mapped_column(String(32))
