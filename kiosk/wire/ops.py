"""The kinds of what travels between kiosk and hub, and the payload each kind carries.

A kiosk pushes ops (its outbox rows); the hub hands a station's kiosks changes (its station feed).
Both are named by an `OpKind`; the value is what is stored and signed on both sides, so a value
never changes. The payloads are TypedDicts: plain dicts at run time, so the canonical JSON on the
wire (and every op hash over it) is the same as before they had a type.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypedDict


class OpKind(StrEnum):
    """Every kind either side writes or reads."""

    #: Kiosk → hub: a dossier (hồ sơ) received at the counter.
    DOSSIER_CREATED = "dossier.created"
    #: Kiosk → hub: a dossier the kiosk moved; hub → kiosks: a status decided for a dossier or an account
    #: request (both share the code space, so a decision on either travels as this kind).
    DOSSIER_STATUS = "dossier.status"
    #: Hub → kiosk: the hub keeps one of the kiosk's records under a new code (its code clashed).
    DOSSIER_RECODED = "dossier.recoded"
    #: Kiosk → hub: an electronic identification account request.
    ACCOUNT_REQUESTED = "account.requested"
    #: Kiosk → hub: an account request the kiosk moved (withdrawn).
    ACCOUNT_STATUS = "account.status"
    #: Kiosk → hub: an account issued. No kiosk of this version writes it; the hub keeps what an older one sent
    #: as an account row.
    ACCOUNT_ISSUED = "account.issued"
    #: Hub → kiosks of a station: a request another kiosk took (their duplicate and phone checks).
    ACCOUNT_KNOWN = "account.known"
    #: Hub → kiosk: an op of this kiosk the hub refused by a business rule.
    OP_REJECTED = "op.rejected"
    #: Kiosk → hub: a citizen's rating of a received dossier.
    RATING_ADDED = "rating.added"


#: The account kinds the hub keeps as account rows.
ACCOUNT_KINDS = frozenset({OpKind.ACCOUNT_REQUESTED, OpKind.ACCOUNT_ISSUED})
#: The kinds that move a record the hub already holds.
STATUS_KINDS = frozenset({OpKind.DOSSIER_STATUS, OpKind.ACCOUNT_STATUS})


class DossierCreated(TypedDict, total=False):
    """`dossier.created`: the dossier as the kiosk received it (the hub reads the code, identity, procedure
    and status; the rest is kept as sent)."""

    tracking_code: str
    dossier_uid: str
    service_no: int
    service_code: str
    procedure_code: str | None
    procedure_code_confirmed: bool
    status: str
    received_at: str
    received_on: str
    appointment_date: str | None
    kiosk_id: str
    unit_id: str
    applicant_kind: str
    subject_name: str
    created_by: str
    identity_source: str
    chip_verdict: str
    legal_basis: Any
    persons: list[dict[str, Any]]
    form: Any
    fees: Any
    attachments: list[dict[str, Any]]
    history: list[dict[str, Any]]


#: `dossier.status` and `account.status` pushed by a kiosk: the record by identity (`dossier_uid`, or
#: `request_id` for an account request; an older kiosk sent neither) and the move. `from` is a keyword,
#: hence the functional form.
StatusMoved = TypedDict("StatusMoved", {
    "tracking_code": str, "dossier_uid": str, "request_id": str, "kiosk_id": str,
    "status": str, "from": str, "note": str, "at": str, "actor": str, "history_seq": int,
}, total=False)


class AccountRequested(TypedDict, total=False):
    """`account.requested`: the request as the kiosk took it (the hub reads the code, identity, citizen's ID
    number and phone; the rest is kept as sent)."""

    tracking_code: str
    request_id: str
    procedure_code: str
    kiosk_id: str
    unit_id: str
    level: int
    status: str
    received_at: str
    created_by: str
    citizen: dict[str, Any]
    guardian: dict[str, Any] | None
    relationship: str | None
    phone: str
    phone_owner: str
    email: str
    integrations: list[str]
    consents: list[dict[str, Any]]
    legal_basis: Any
    face_match: dict[str, Any]
    fingerprint_checked: bool
    portrait: Any
    history: list[dict[str, Any]]


class RatingAdded(TypedDict):
    """`rating.added`: a citizen's rating (the reason is the citizen's own words)."""

    rating: str
    tracking_code: str
    service_no: int | None
    level: int
    reason: str
    month: str
    at: str
    kiosk_id: str


class StatusDecided(TypedDict):
    """`dossier.status` from the hub: a status for the kiosks of the record's station, naming the record by its
    identity and its kiosk, so only that kiosk applies it, to that record, whatever code either side prints."""

    tracking_code: str
    dossier_uid: str
    kiosk_id: str
    status: str
    note: str
    source: str
    at: str


class RecodedChange(TypedDict):
    """`dossier.recoded`: the hub keeps the kiosk's record `dossier_uid` under `tracking_code`."""

    dossier_uid: str
    kiosk_id: str
    seq: int
    kind: str  # "dossier" or "account"
    previous_code: str
    tracking_code: str
    at: str


class Rejected(TypedDict):
    """`op.rejected`: the kiosk's op `seq` refused for `reason` (kiosk.services.sync names each reason)."""

    kiosk_id: str
    seq: int
    op_id: str
    kind: str
    reason: str | None
    tracking_code: str


class AccountKnown(TypedDict):
    """`account.known`: a request another kiosk of the station took."""

    tracking_code: str
    dossier_uid: str
    kiosk_id: str
    status: str
    id_number: str | None
    phone: str | None
    phone_owner: str | None
