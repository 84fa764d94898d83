"""What sync keeps and shows: its policy, its reports, its state row and the kiosk facts it stores."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kiosk.db.models import KioskMeta
from kiosk.db.models_sync import SyncState
from kiosk.services import audit
from kiosk.services.clock import Clock, utc_now
from kiosk.services.outbox import REJOIN_REQUIRED
from kiosk.services.sync.errors import MESSAGES_VI
from kiosk.services.sync_client import HubAnswerForged
from kiosk.wire import protocol


@dataclass(frozen=True)
class SyncPolicy:
    """Batch sizes, retry schedule (exponential backoff with jitter) and retention of acknowledged rows."""

    #: Ops per push, and the payload bytes a push may carry: account requests hold a portrait, and
    #: the hub refuses bodies over 32 MiB. Larger batches cost the hub less per op (bench/sync.py).
    batch_size: int = 2000
    batch_bytes: int = 4 * 1024 * 1024
    pull_limit: int = 500
    attempts: int = 5
    wait_initial_s: float = 0.5
    wait_max_s: float = 60.0
    jitter_s: float = 1.0
    keep_acked_days: int = 14
    timeout_s: float = 15.0
    loop_interval_s: float = 30.0
    #: A citizen waits in front of the status check: a hub that does not answer in this time is "offline".
    lookup_timeout_s: float = 3.0
    #: After a lookup found the hub unreachable, status checks answer locally for this long without asking.
    lookup_pause_s: float = 30.0


@dataclass(frozen=True)
class SyncReport:
    """What one `run_once` did; `status` is ok, attention (synced, but an alarm waits for an officer: never
    "done"), offline, not_enrolled, halted, refused or cancelled."""

    status: str
    message_vi: str
    pushed: int = 0
    duplicates: int = 0
    rejected: list[int] = field(default_factory=list)
    pulled: int = 0
    pending: int = 0
    hub_position: int = 0
    cursor: int = 0
    error: str | None = None
    #: The hub refused this kiosk's audit chain (`audit_entry_invalid`, `audit_forked`, `audit_went_back`):
    #: an administrator must look at `kiosk audit verify`; the ops still sync.
    audit_alarm: str | None = None
    #: What waits for an officer (SyncAlarm.as_json()): while any is here, `status` is not "ok".
    alarms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SyncStatus:
    """The state a status bar or a supervisor screen shows."""

    enrolled: bool
    kiosk_id: str
    hub_url: str
    station: str
    pending: int
    hub_position: int
    last_seq: int
    cursor: int
    last_attempt_at: str | None
    last_success_at: str | None
    last_error_code: str | None
    last_error_message: str | None
    consecutive_failures: int
    halted: bool
    halted_reason: str | None
    halted_detail: str | None
    #: The hub's last audit alarm about this kiosk's chain (see SyncReport.audit_alarm), until a rejoin.
    audit_alarm: str | None = None
    #: The block of the daily sequence this kiosk numbers its dossiers in, and who gave it ("hub" or "local").
    block: int | None = None
    block_source: str = "local"
    #: What waits for an officer (SyncAlarm.as_json()).
    alarms: list[dict[str, Any]] = field(default_factory=list)
    #: The fingerprint of the hub key this kiosk pinned (compare with `kiosk-hub identity`), and how it was trusted.
    hub_key_fingerprint: str | None = None
    hub_key_source: str | None = None
    #: A lab kiosk allowed plain HTTP to a hub on another machine: the warning (vi, en) every screen shows.
    insecure_http: bool = False
    transport_warning: str | None = None
    transport_warning_en: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


#: The last audit entry the hub holds for this kiosk (its epoch), as its last answer said.
AUDIT_CURSOR = "audit_hub_seq"
AUDIT_ALARM = "audit_hub_alarm"
#: The hub had no block of the daily sequence for this kiosk (its station is full).
NUMBERING_ALARM = "numbering_alarm"
#: The hub's list of station keys could not be stored (its reason): QR codes of other kiosks are not trusted anew.
KEYS_ALARM = "keys_alarm"
#: The hub's public signing key this kiosk pinned (base64url), how it was trusted, and whether a lab hub on
#: another machine may be spoken to over plain HTTP.
HUB_KEY_META = "hub_public_key"
HUB_KEY_SOURCE_META = "hub_public_key_source"
INSECURE_META = "hub_insecure_http"
INSECURE_WARNING = (
    "CẢNH BÁO: kiosk nói chuyện với máy chủ đồng bộ qua http:// KHÔNG MÃ HÓA (--insecure-http, chỉ dùng trong phòng thử "
    "nghiệm). Không dùng với dữ liệu thật.",
    "WARNING: this kiosk talks to its hub over UNENCRYPTED http:// (--insecure-http, for labs only). Do not use it "
    "with real data.")
#: The outcome of a pulled rejection an administrator has dealt with (`kiosk sync --acknowledge SEQ`).
ACKNOWLEDGED = "acknowledged"

#: Told, inside the renumbering transaction, that outbox numbers above `position` grew by `shift`
#: (a capability that remembers its op's number moves it too).
Renumbered = Callable[[Session, int, int], None]
#: Told, inside the pull's transaction, that the hub keeps the record with this identity under a new code;
#: returns the old code when the capability holds that record, else None.
Recoded = Callable[[Session, str, str], "str | None"]


def _pin(session: Session, hub_key_b64: str, source: str) -> None:
    """Pin the hub's public signing key: from now on every answer must be signed with it."""
    if len(protocol.unb64u(hub_key_b64)) != 32:
        raise HubAnswerForged(200, "hub_key_unproven", "Khóa của máy chủ không hợp lệ.")
    session.merge(KioskMeta(key=HUB_KEY_META, value=hub_key_b64))
    session.merge(KioskMeta(key=HUB_KEY_SOURCE_META, value=source))


def _drop_meta(session: Session, key: str) -> None:
    row = session.get(KioskMeta, key)
    if row is not None:
        session.delete(row)


def _state(session: Session) -> SyncState:
    row = session.get(SyncState, 1)
    if row is None:
        row = SyncState(id=1, hub_url="", station="", hub_position=0, cursor=0, cursor_uid="", keys_version=0,
                        clock_offset_s=0, consecutive_failures=0, halted=False)
        session.add(row)
        session.flush()
    return row


def halt_for_rejoin(session: Session, detail: dict[str, Any], clock: Clock = utc_now) -> bool:
    """A database restored from a backup: stop sync and new tracking codes until the kiosk rejoins its hub.

    Returns False (and changes nothing) for a kiosk never enrolled: it has no hub to rejoin. In the
    caller's transaction."""
    st = session.get(SyncState, 1)
    if st is None or st.enrolled_at is None:
        return False
    session.merge(KioskMeta(key=REJOIN_REQUIRED, value=protocol.canonical_json(detail)))
    st.halted, st.halted_reason = True, "restored"
    st.halted_detail = protocol.canonical_json(detail)
    st.last_error_code, st.last_error_message = "restored", MESSAGES_VI["restored"]
    audit.append(session, "system:sync", "sync.halted", "hub", st.station, {"reason": "restored"}, clock=clock)
    return True
