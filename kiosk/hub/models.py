"""The hub's tables (SQLite for one station, PostgreSQL for a province); changed only through Alembic."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only aliases INTEGER PRIMARY KEY to its rowid (autoincrement); BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer, "sqlite")


class HubBase(DeclarativeBase):
    pass


class HubMeta(HubBase):
    __tablename__ = "hub_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class EnrolCode(HubBase):
    """A one-time enrolment code (only its SHA-256 is kept) for one station."""

    __tablename__ = "hub_enrol_code"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    station: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[int] = mapped_column(BigInteger)
    used_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    used_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: Set for a re-enrolment code: only this already enrolled kiosk may use it, to rejoin.
    rejoin_kiosk: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: HMAC key derived from the code (kiosk.wire.protocol.code_confirm_key): the hub proves with it that the key
    #: it announces at enrolment is its own. None for a code issued before (refused: issue a new one).
    confirm_key: Mapped[str | None] = mapped_column(String(64), nullable=True)


class StationUnit(HubBase):
    """A receiving unit's identifier (the first part of its tracking codes) bound to the one station whose
    kiosks may number dossiers under it."""

    __tablename__ = "hub_station_unit"
    unit_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    station: Mapped[str] = mapped_column(String(64), index=True)
    bound_at: Mapped[str] = mapped_column(String(32))
    #: "operator" (kiosk-hub enrol-code --unit, kiosk-hub station unit), "enrolment" (the station's first
    #: kiosk), "upgrade" (what the kiosks had declared before units were bound).
    source: Mapped[str] = mapped_column(String(16))


class HubKiosk(HubBase):
    """An enrolled kiosk: what the hub pins (key, instance, epoch) and how far its stream has come."""

    __tablename__ = "hub_kiosk"
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    station: Mapped[str] = mapped_column(String(64), index=True)
    public_key: Mapped[str] = mapped_column(String(64))
    instance_uuid: Mapped[str] = mapped_column(String(36))
    epoch: Mapped[int] = mapped_column(Integer)
    enrolled_at: Mapped[str] = mapped_column(String(32))
    key_serial: Mapped[int] = mapped_column(Integer)
    high_water_mark: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicates_acked: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicates_refused: Mapped[int] = mapped_column(Integer, default=0)
    refusals: Mapped[int] = mapped_column(Integer, default=0)
    last_refusal: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_seen_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    audit_head_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_head_hash: Mapped[str] = mapped_column(String(64), default="")
    audit_alarm: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: The last entry of this epoch's copy of the kiosk's audit chain (hub_kiosk_audit), kept with the row the
    #: push locks so a push reads it for free.
    audit_copy_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    audit_copy_hash: Mapped[str] = mapped_column(String(64), default="")
    #: The block of the daily sequence the hub gave this kiosk (kiosk.domain.tracking), unique in its station;
    #: None until it has one (a kiosk enrolled before blocks were the hub's gets one at its next push).
    block: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The receiving unit's identifier the kiosk numbers its codes with, as it said when it enrolled.
    unit_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: A kiosk taken out of use (`kiosk-hub kiosk retire`): refused from then on; its block is given back,
    #: and handed out again only after RELEASE_HOLD_S (its last codes of the day stay its own).
    retired_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    retired_block: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The id the kiosk had made itself before it enrolled (well-formed ones only): the receipts it printed
    #: then carry it in their QR codes. Never the kiosk's id; only a name its older receipts go by.
    local_id: Mapped[str | None] = mapped_column(String(24), nullable=True)

    __table_args__ = (UniqueConstraint("station", "block", name="uq_hub_kiosk_station_block"),
                      Index("ix_hub_kiosk_public_key", "public_key"))


class RequestNonce(HubBase):
    """Nonces seen inside the replay window; a second use of one is a replayed request."""

    __tablename__ = "hub_nonce"
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_hub_nonce_seen", "kiosk_id", "seen_at"),)


class InboxOp(HubBase):
    """Every op a kiosk pushed, stored once under (kiosk, seq), with its content hash and outcome."""

    __tablename__ = "hub_inbox"
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    op_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    schema_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))  # applied | stored | rejected
    reason: Mapped[str | None] = mapped_column(String(80), nullable=True)


class HubDossier(HubBase):
    """A dossier (hồ sơ) as the hub knows it; the workflow status belongs to the hub.

    Its content stays in the inbox row that created it (kiosk_id, seq): written once, not twice. Its
    identity is `uid` (given by the kiosk), not the printed code: when two dossiers reach the hub under
    one code, the later one gets a new code here and keeps the printed one in `previous_code`.
    """

    __tablename__ = "hub_dossier"
    tracking_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    previous_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    station: Mapped[str] = mapped_column(String(64), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    service_code: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class AccountRequest(HubBase):
    """A request for an electronic identification account received from a kiosk."""

    __tablename__ = "hub_account_request"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger)
    station: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str] = mapped_column(String(32))


class StationCounter(HubBase):
    """Change ids per station, handed out under this row's lock so they commit in order (never a DB sequence)."""

    __tablename__ = "hub_station_counter"
    station: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class CodeCounter(HubBase):
    """The hub's own block of one unit's day (`<unit>-<yymmdd>`): the new codes it gives clashing dossiers."""

    __tablename__ = "hub_code_counter"
    unit_day: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class StationChange(HubBase):
    """A change a station's kiosks pull: a status decided on the hub, an op rejected by a business rule."""

    __tablename__ = "hub_change"
    station: Mapped[str] = mapped_column(String(64), primary_key=True)
    change_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(32))


class HubAudit(HubBase):
    """Append-only (triggers refuse UPDATE and DELETE): kiosk audit-head anchors and back-office acts."""

    __tablename__ = "hub_audit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")


class HubKioskAudit(HubBase):
    """A copy of each kiosk's audit chain (append-only, checked link by link when it arrives), per epoch:
    a kiosk that rejoins after a restore starts a new copy, and the old one stays."""

    __tablename__ = "hub_kiosk_audit"
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[str] = mapped_column(String(32))


class StatusToken(HubBase):
    """Back-office API tokens (SHA-256 only) that may change dossier statuses over HTTP, until they
    expire or are revoked."""

    __tablename__ = "hub_backoffice_token"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Unix seconds after which the token is refused.
    expires_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)

    __table_args__ = (UniqueConstraint("name"),)
