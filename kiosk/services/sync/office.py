"""What staff and the back office ask of sync: its state, the hub's answer for a code now, the refusals to
acknowledge."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from kiosk.db.models import Counter, KioskMeta, OutboxOp
from kiosk.db.models_sync import RemoteChange, SyncState
from kiosk.domain.roles import Permission, Principal
from kiosk.domain.tracking import UNENROLLED_BLOCK
from kiosk.services import audit
from kiosk.services.errors import InvalidInput
from kiosk.services.identity import SLOT_META, SLOT_SOURCE_META
from kiosk.services.outbox import SEQUENCE
from kiosk.services.permissions import require
from kiosk.services.sync.alarms import _alarms
from kiosk.services.sync.state import (
    ACKNOWLEDGED,
    AUDIT_ALARM,
    HUB_KEY_META,
    HUB_KEY_SOURCE_META,
    INSECURE_WARNING,
    SyncStatus,
    _state,
)
from kiosk.services.sync_client import HubAnswerForged, HubRefused, HubUnreachable, loopback_url
from kiosk.wire import protocol
from kiosk.wire.ops import OpKind


class BackOffice:
    """SyncService's status and back-office use cases."""

    def state(self) -> SyncStatus:
        who = self.who
        with self.db.transaction() as session:
            st = _state(session)
            last_seq = session.get(Counter, SEQUENCE)
            pending = session.query(OutboxOp).filter(OutboxOp.seq > st.hub_position).count()
            alarm = session.get(KioskMeta, AUDIT_ALARM)
            block, source = session.get(KioskMeta, SLOT_META), session.get(KioskMeta, SLOT_SOURCE_META)
            pinned, pinned_by = session.get(KioskMeta, HUB_KEY_META), session.get(KioskMeta, HUB_KEY_SOURCE_META)
            insecure = bool(st.hub_url) and not loopback_url(st.hub_url) and st.hub_url.lower().startswith("http:")
            return SyncStatus(
                enrolled=st.enrolled_at is not None, kiosk_id=who.kiosk_id,
                hub_url=st.hub_url, station=st.station, pending=pending, hub_position=st.hub_position,
                last_seq=last_seq.value if last_seq else 0, cursor=st.cursor, last_attempt_at=st.last_attempt_at,
                last_success_at=st.last_success_at, last_error_code=st.last_error_code,
                last_error_message=st.last_error_message, consecutive_failures=st.consecutive_failures,
                halted=st.halted, halted_reason=st.halted_reason, halted_detail=st.halted_detail,
                audit_alarm=alarm.value if alarm is not None else None,
                block=int(block.value) if block is not None else UNENROLLED_BLOCK,
                block_source=source.value if source is not None else "local",
                alarms=[a.as_json() for a in _alarms(session, who.kiosk_id)],
                hub_key_fingerprint=protocol.fingerprint(protocol.unb64u(pinned.value)) if pinned is not None else None,
                hub_key_source=pinned_by.value if pinned_by is not None else None,
                insecure_http=insecure,
                transport_warning=INSECURE_WARNING[0] if insecure else None,
                transport_warning_en=INSECURE_WARNING[1] if insecure else None,
            )

    def acknowledge(self, principal: Principal, seq: int) -> dict[str, Any]:
        """An administrator has dealt with an op the hub refused: its alarm goes (the refusal stays recorded)."""
        require(principal, Permission.SYNC_MANAGE)
        kiosk_id = self.who.kiosk_id  # read before the transaction takes the write lock
        with self.db.transaction() as session:
            for row in session.scalars(select(RemoteChange).where(RemoteChange.kind == OpKind.OP_REJECTED,
                                                                  RemoteChange.target == f"seq:{seq}")):
                data = json.loads(row.payload)
                if data.get("kiosk_id") != kiosk_id:
                    continue
                row.outcome = ACKNOWLEDGED
                audit.append(session, principal.audit_name, "sync.rejection_acknowledged", "outbox", str(seq),
                             {"reason": str(data.get("reason") or "")}, clock=self.clock)
                return data
        raise InvalidInput([("seq", f"Máy chủ không từ chối thao tác số {seq} nào của kiosk này.",
                                 f"The hub refused no operation number {seq} of this kiosk.")])

    def lookup(self, principal: Principal, tracking_code: str, issuer: str = "") -> dict[str, Any] | None:
        """Ask the hub now for a code's status (the citizen's status check); None when not enrolled.

        Raises `HubUnreachable` when the hub cannot be reached within `lookup_timeout_s`, and
        `HubRefused` when it refuses this kiosk (halted kiosks are not asked at all).
        """
        require(principal, Permission.STATUS_CHECK)
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st is None or st.enrolled_at is None or not st.hub_url:
                return None
            if st.halted:
                raise HubRefused(0, st.halted_reason or "halted", "Đồng bộ đang dừng; kiosk không hỏi máy chủ.")
            url, offset = st.hub_url, st.clock_offset_s
        if time.monotonic() < self._lookups_paused_until:
            raise HubUnreachable("not asked: the hub did not answer a moment ago")
        self._allowed(url)
        client = self._client(url, offset, self.policy.lookup_timeout_s)
        try:
            return client.status(tracking_code, issuer)
        except HubAnswerForged as exc:
            self._halt(exc.reason, exc.detail | {"during": "status_check"})  # never silent, never used
            raise
        except HubUnreachable:
            # The next citizens in the queue get their answer from the kiosk at once, not after a timeout each.
            self._lookups_paused_until = time.monotonic() + self.policy.lookup_pause_s
            raise
        finally:
            client.close()

    def remote_status(self, principal: Principal, tracking_code: str) -> dict[str, Any] | None:
        """The latest status the hub decided for a dossier, as pulled (None when none was pulled)."""
        require(principal, Permission.STATUS_CHECK)
        from kiosk.db.models_account import AccountRequestRow
        from kiosk.services.dossiers import find_dossier

        legacy = protocol.legacy_dossier_uid(self.who.kiosk_id, tracking_code)  # an op pushed without an identity
        with self.db.sessions() as session:
            dossier = find_dossier(session, tracking_code)
            request = session.scalar(select(AccountRequestRow.id).where(AccountRequestRow.tracking_code == tracking_code))
            uid = dossier.uid if dossier is not None else request or legacy
            row = session.scalars(
                select(RemoteChange).where(RemoteChange.kind == OpKind.DOSSIER_STATUS, RemoteChange.target == uid)
                .order_by(RemoteChange.change_id.desc()).limit(1)
            ).first()
            return json.loads(row.payload) | {"change_id": row.change_id} if row else None

    def rejections(self, principal: Principal) -> list[dict[str, Any]]:
        """Ops of this kiosk the hub rejected by a business rule (acknowledged, never blocking the queue)."""
        require(principal, Permission.SYNC_RUN)
        with self.db.sessions() as session:
            rows = session.scalars(select(RemoteChange).where(RemoteChange.kind == OpKind.OP_REJECTED,
                                                              RemoteChange.target != "")
                                   .order_by(RemoteChange.change_id))
            return [json.loads(r.payload) for r in rows]
