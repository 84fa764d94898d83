"""Pull: the station's changes from the cursor, applied with the new cursor in one transaction, and the
station's kiosk keys."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.db.models import KioskMeta
from kiosk.db.models_sync import RecodedRecord, RemoteChange, SyncState
from kiosk.services import audit
from kiosk.services.clock import iso_utc
from kiosk.services.errors import InvalidInput
from kiosk.services.sync.errors import _Cancelled
from kiosk.services.sync.state import KEYS_ALARM, _drop_meta, _state
from kiosk.services.sync_client import HubClient
from kiosk.support.jobs import CancelToken, Progress, ProgressFn
from kiosk.wire import protocol
from kiosk.wire.ops import OpKind, RecodedChange

#: One logger for the whole of sync (its name predates the package).
log = logging.getLogger("kiosk.services.sync")


class Pulling:
    """SyncService's pull: the station's changes and keys."""

    def _refresh_keys(self, client: HubClient, version: int, cancel: CancelToken) -> None:
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st.keys_version == version:
                return
        keys = self._call(client, client.keys, cancel)
        # The receipts' trust store verifies QR codes offline; the hub's list replaces its previous one.
        from kiosk.services.receipts import KEY_ALIASES_META, station_key_aliases, store_station_keys

        try:
            pairs = [(str(k["kiosk_id"]), str(k["public_key"])) for k in keys["keys"]]
            aliases = station_key_aliases([(str(k["public_key"]), k.get("local_id")) for k in keys["keys"]])
            store_station_keys(self.db, pairs, source="hub", complete=True, actor="system:sync", clock=self.clock)
            version = int(keys["version"])
        except (InvalidInput, KeyError, TypeError, ValueError) as exc:
            # Never silent: an alarm with the reason until a list is stored (the previous list stays meanwhile).
            reason = _keys_reason(exc, keys)
            log.error("the hub's station keys were not stored: %s", reason)
            with self.db.transaction() as session:
                if session.get(KioskMeta, KEYS_ALARM) is None:
                    audit.append(session, "system:sync", "sync.keys_refused", "hub", "", {"reason": reason},
                                 clock=self.clock)
                session.merge(KioskMeta(key=KEYS_ALARM, value=reason))
            return
        with self.db.transaction() as session:
            _state(session).keys_version = version
            session.merge(KioskMeta(key=KEY_ALIASES_META, value=json.dumps(aliases, sort_keys=True)))
            _drop_meta(session, KEYS_ALARM)

    def _pull_all(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken, report: ProgressFn) -> None:
        while True:
            if cancel.cancelled:
                raise _Cancelled()
            with self.db.sessions() as session:
                st = session.get(SyncState, 1)
                after, after_uid = st.cursor, st.cursor_uid
            result = self._call(client, lambda a=after, u=after_uid: client.pull(a, u, self.policy.pull_limit), cancel)
            with self.db.transaction() as session:
                st = _state(session)
                if (st.cursor, st.cursor_uid) != (after, after_uid):
                    continue  # another sync moved the cursor meanwhile; ask again from there
                if result["reset"]:
                    log.warning("the hub no longer has change %d as this kiosk saw it (restored?); pulling again", after)
                    st.cursor, st.cursor_uid = 0, ""
                    continue
                for change in result["changes"]:
                    self._apply_change(session, change)
                st.cursor, st.cursor_uid = int(result["next_cursor"]), str(result["next_uid"])
            counts["pulled"] += len(result["changes"])
            report(Progress("pull", None, f"{result['next_cursor']}/{result['last_change_id']}"))
            if not result["more"]:
                return

    def _apply_change(self, session: Session, change: dict[str, Any]) -> None:
        """Apply one pulled change inside the cursor's transaction; applying it twice changes nothing."""
        existing = session.get(RemoteChange, int(change["change_id"]))
        if existing is not None and existing.uid == change["uid"]:
            return
        payload = change["payload"]
        kind = change["kind"]
        outcome = "stored"
        target = ""
        own = payload.get("kiosk_id") == self.who.kiosk_id
        if kind == OpKind.DOSSIER_STATUS:
            # Matched on the dossier's identity: a code alone may name another citizen's dossier.
            target = str(payload.get("dossier_uid") or "")
            if own and target and _apply_dossier_status(session, payload):
                outcome = "applied"
        elif kind == OpKind.DOSSIER_RECODED:
            target = str(payload.get("dossier_uid") or "")
            if own and target and self._apply_recode(session, change, payload):
                outcome = "applied"
        elif kind == OpKind.OP_REJECTED:
            target = f"seq:{payload.get('seq')}" if payload.get("kiosk_id") == self.who.kiosk_id else ""
            if target:
                log.warning("the hub rejected op %s (%s): %s", payload.get("seq"), payload.get("kind"),
                            payload.get("reason"))
        row = existing or RemoteChange(change_id=int(change["change_id"]))
        row.uid, row.kind, row.target = change["uid"], kind, target[:80]
        row.payload = protocol.canonical_json(payload)
        row.created_at = str(change.get("created_at", ""))
        row.applied_at = iso_utc(self.clock())
        row.outcome = outcome
        if existing is None:
            session.add(row)

    def _apply_recode(self, session: Session, change: dict[str, Any], payload: RecodedChange) -> bool:
        """The hub keeps one of this kiosk's dossiers (or account requests) under a new code: the record takes
        it, keeps answering to the old one, and its receipt waits for a reprint (an alarm until then)."""
        from kiosk.services.dossiers import apply_recode

        uid, code = str(payload["dossier_uid"]), str(payload.get("tracking_code") or "")
        if not code or session.scalar(select(RecodedRecord.id).where(RecodedRecord.record_uid == uid,
                                                                     RecodedRecord.tracking_code == code)):
            return False
        kind, previous = "dossier", apply_recode(session, uid, code)
        for hook in self.on_recode:
            if previous is not None:
                break
            kind, previous = "account", hook(session, uid, code)
        if previous is None:
            return False
        session.add(RecodedRecord(record_kind=kind, record_uid=uid, previous_code=previous, tracking_code=code,
                                  change_id=int(change["change_id"]), recoded_at=iso_utc(self.clock())))
        log.warning("the hub gave a %s of this kiosk a new code (its code clashed); its receipt must be printed again",
                    kind)
        return True


def _keys_reason(exc: Exception, keys: Any) -> str:
    """Why a station-key list could not be stored, in words an administrator can act on (Vietnamese)."""
    from kiosk.domain.qr_payload import KIOSK_ID_RE

    if isinstance(exc, InvalidInput):
        bad = ""
        for entry in keys.get("keys", []) if isinstance(keys, dict) else []:
            kiosk_id = str(entry.get("kiosk_id", "")) if isinstance(entry, dict) else ""
            if not KIOSK_ID_RE.fullmatch(kiosk_id):
                bad = f" (kiosk {kiosk_id[:30]!r})"
                break
        return "; ".join(message for _field, message in exc.errors) + bad
    return f"danh sách khóa không đúng dạng ({type(exc).__name__})"


def _apply_dossier_status(session: Session, payload: dict[str, Any]) -> bool:
    """Hand a hub-decided status to the dossier it was decided on, in the sync's transaction."""
    from kiosk.services.dossiers import apply_remote_status

    return apply_remote_status(session, payload["dossier_uid"], payload["status"], payload.get("note", ""),
                               payload.get("at", ""), source=payload.get("source", ""))
