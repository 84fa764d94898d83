"""Enrolment, rejoin after a restore, and the pinned hub key: how a kiosk becomes (again) one the hub knows."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from kiosk.db.models import Counter, KioskMeta, OutboxOp
from kiosk.db.models_sync import SyncState
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.clock import iso_utc
from kiosk.services.errors import InvalidInput
from kiosk.services.identity import LOCAL_ID_META, KioskIdentity, public_key_b64
from kiosk.services.outbox import REJOIN_REQUIRED, SEQUENCE
from kiosk.services.permissions import require
from kiosk.services.sync.errors import _Halt
from kiosk.services.sync.numbering import (
    _catch_up_statuses,
    _matched_prefix,
    _numbering_hint,
    _renumber_unaccepted,
    _skip_issued_codes,
    _store_numbering,
)
from kiosk.services.sync.state import (
    AUDIT_ALARM,
    AUDIT_CURSOR,
    HUB_KEY_META,
    INSECURE_META,
    SyncStatus,
    _drop_meta,
    _pin,
    _state,
)
from kiosk.services.sync_client import ClockSkew, HubClient, HubRefused, loopback_url, transport_refusal
from kiosk.support.jobs import CancelToken
from kiosk.wire import protocol

#: One logger for the whole of sync (its name predates the package).
log = logging.getLogger("kiosk.services.sync")


class Enrolment:
    """SyncService's enrolment use cases (`enrol`, `rejoin`, `resume`, `set_hub_url`, the hub key)."""

    def enrol(self, principal: Principal, code: str, hub_url: str | None = None,
              insecure_http: bool = False) -> dict[str, Any]:
        """Register this kiosk (public key, instance UUID, epoch, unit) with the hub using a one-time code; the hub
        gives the kiosk its id and its block, and proves its signing key, which the kiosk pins. `insecure_http`
        lets a lab kiosk use plain HTTP to a hub on another machine (warned about on every screen).

        Long because it is one sequence an operator runs once: check the input, ask the hub (learning its
        clock on a skew), then record everything the hub said in one transaction.
        """
        require(principal, Permission.SYNC_MANAGE)
        url = (hub_url or self.default_hub_url).strip()
        errors = []
        problem = transport_refusal(url, insecure_http)
        if problem:
            errors.append(("hub", *problem))
        if not code.strip():
            errors.append(("code", "Cần mã đăng ký do máy chủ cấp.", "The enrolment code the hub issued is needed."))
        with self.db.sessions() as session:
            st = session.get(SyncState, 1)
            if st is not None and st.enrolled_at and st.hub_url.rstrip("/") != url.rstrip("/"):
                errors.append(("hub", f"Kiosk đã đăng ký với máy chủ khác ({st.hub_url}).",
                               f"This kiosk is enrolled with another hub ({st.hub_url})."))
        if errors:
            raise InvalidInput(errors)
        public_key = public_key_b64(self.db)
        with self.db.sessions() as session:
            hint = _numbering_hint(session)
        client = self._client(url)
        client.hub_key = None  # a first enrolment trusts the key the code proves, whatever was pinned before
        try:
            for attempt in range(2):
                try:
                    result = client.enrol(code.strip(), public_key, self.unit_id, hint)
                    break
                except ClockSkew as exc:
                    if attempt:
                        raise
                    client.clock_offset_s = int(exc.detail.get("hub_time", self.wall())) - int(self.wall())
        finally:
            client.close()
        kiosk_id = _hub_given_id(result)
        with self.db.transaction() as session:
            st = _state(session)
            st.hub_url, st.station = url, result["station"]
            st.enrolled_at = iso_utc(self.clock())
            st.hub_position = int(result["high_water_mark"])
            st.clock_offset_s = client.clock_offset_s
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            previous = _adopt_id(session, kiosk_id)
            _pin(session, str(result["hub_key"]), "enrolment")
            if insecure_http and not loopback_url(url) and url.lower().startswith("http:"):
                session.merge(KioskMeta(key=INSECURE_META, value="1"))
            else:
                _drop_meta(session, INSECURE_META)
            audit.append(session, principal.audit_name, "sync.enrolled", "hub", result["station"],
                         {"hub": url, "kiosk_id": kiosk_id, "local_id": previous, "units": result.get("units") or [],
                          "hub_key": protocol.fingerprint(protocol.unb64u(result["hub_key"])),
                          "insecure_http": bool(insecure_http)}, clock=self.clock)
            block = _store_numbering(session, result.get("numbering"), principal.audit_name, self.clock)
        self._who = None
        if insecure_http:
            log.warning("enrolled over plain HTTP to %s (--insecure-http): for labs only", url)
        log.info("enrolled with the hub as %s (station %s, block %s)", kiosk_id, result["station"], block)
        return {"kiosk_id": kiosk_id, "station": result["station"], "hub_url": url, "block": block,
                "numbering": result.get("numbering"), "units": result.get("units") or [],
                "hub_fingerprint": protocol.fingerprint(protocol.unb64u(result["hub_key"])),
                "insecure_http": self.state().insecure_http}

    def rejoin(self, principal: Principal, code: str) -> dict[str, Any]:
        """Enrol again after this kiosk's database was restored from a backup or copied to a new machine.

        The hub refused it (409 under reused numbers, or a cloned instance) and sync stopped. With a
        re-enrolment code the hub's operator issued for this kiosk (`kiosk-hub enrol-code --rejoin`),
        the kiosk takes a new database instance UUID and the next epoch; the hub keeps everything it
        already holds and tells where it stands. The ops the hub never accepted are renumbered after
        that position, in their order, and sync resumes. A lost answer is safe: the new identity is
        kept aside until the hub confirms, and asking again with the same code gets the same answer.

        Long because everything the hub's answer implies (acknowledged ops, renumbered ones, counters,
        statuses, the new identity) is written in one transaction, in an order that matters.
        """
        require(principal, Permission.SYNC_MANAGE)
        if not code.strip():
            raise InvalidInput([("code", "Cần mã đăng ký lại do máy chủ cấp cho kiosk này.",
                                 "The re-enrolment code the hub issued for this kiosk is needed.")])
        current = self.who  # read before the write transaction (it opens its own session)
        with self.db.transaction() as session:
            st = _state(session)
            if st.enrolled_at is None:
                raise InvalidInput([("code", "Kiosk chưa đăng ký với máy chủ nào: dùng đăng ký lần đầu.",
                                     "This kiosk is not enrolled with any hub: use the first enrolment.")])
            pending = session.get(KioskMeta, "rejoin_pending")
            if pending is None:
                pending = KioskMeta(key="rejoin_pending", value=json.dumps(
                    {"instance_uuid": str(uuid.uuid4()), "epoch": current.epoch + 1}))
                session.add(pending)
            fresh = json.loads(pending.value)
            url, offset, position = st.hub_url, st.clock_offset_s, st.hub_position
            hint = _numbering_hint(session)
        self._allowed(url)
        who = KioskIdentity(current.kiosk_id, fresh["instance_uuid"], int(fresh["epoch"]))
        client = self._client(url, offset, who=who)
        try:
            result = client.enrol(code.strip(), public_key_b64(self.db), self.unit_id, hint, after=position)
        finally:
            client.close()
        kiosk_id = _hub_given_id(result)
        mark = int(result["high_water_mark"])
        with self.db.transaction() as session:
            st = _state(session)
            # Ops the hub holds already (pushed after the backup was taken) keep their numbers; only the
            # rest follow the hub's mark, so nothing reaches the hub twice.
            kept = _matched_prefix(session, st.hub_position, result.get("held") or []) if mark > st.hub_position \
                else st.hub_position
            now = iso_utc(self.clock())
            session.execute(update(OutboxOp).where(OutboxOp.seq <= kept, OutboxOp.acked_at.is_(None))
                            .values(acked_at=now))
            moved = _renumber_unaccepted(session, kept, mark, self.on_renumber)
            counter = session.get(Counter, SEQUENCE)
            if counter is not None and counter.value < mark:
                counter.value = mark  # nothing of ours after the mark: the next op follows it
            block = _store_numbering(session, result.get("numbering"), principal.audit_name, self.clock)
            advanced = _skip_issued_codes(session, result.get("issued_codes") or [], block)
            caught_up = _catch_up_statuses(session, result.get("statuses") or {})
            session.merge(KioskMeta(key="instance_uuid", value=who.instance_uuid))
            session.merge(KioskMeta(key="epoch", value=str(who.epoch)))
            _adopt_id(session, kiosk_id)  # a backup from before the enrolment holds the id the kiosk made itself
            if session.get(KioskMeta, HUB_KEY_META) is None:
                _pin(session, str(result["hub_key"]), "rejoin")
            session.delete(session.get(KioskMeta, "rejoin_pending"))
            restored = session.get(KioskMeta, REJOIN_REQUIRED)
            if restored is not None:
                session.delete(restored)
            session.merge(KioskMeta(key=AUDIT_CURSOR, value="0"))  # the hub keeps a new copy per epoch
            alarm = session.get(KioskMeta, AUDIT_ALARM)
            if alarm is not None:
                session.delete(alarm)
            st.hub_position = max(st.hub_position, mark)
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            st.last_error_code = st.last_error_message = None
            audit.append(session, principal.audit_name, "sync.rejoined", "hub", st.station,
                         {"epoch": who.epoch, "hub_position": mark, "renumbered": moved, "already_held": kept - position,
                          "day_counters": advanced, "statuses_caught_up": caught_up}, clock=self.clock)
        self._who = None
        log.warning("rejoined the hub with epoch %d; %d unaccepted ops renumbered after %d", who.epoch, moved, mark)
        return {"kiosk_id": kiosk_id, "station": result["station"], "epoch": who.epoch,
                "hub_position": mark, "renumbered": moved, "already_held": kept - position,
                "day_counters_advanced": advanced, "statuses_caught_up": caught_up, "block": block}

    def resume(self, principal: Principal) -> None:
        """Clear a halt after an administrator has looked into it (the cause must be gone first)."""
        require(principal, Permission.SYNC_MANAGE)
        with self.db.transaction() as session:
            st = _state(session)
            reason = st.halted_reason
            if reason == "restored" or session.get(KioskMeta, REJOIN_REQUIRED) is not None:
                raise InvalidInput([("resume", "Dữ liệu vừa được khôi phục từ bản sao lưu: tiếp tục đồng bộ là chưa đủ, "
                                               "kiosk phải đăng ký lại (kiosk enrol --rejoin).",
                                    "The data was just restored from a backup: resuming sync is not enough, the "
                                    "kiosk must enrol again (kiosk enrol --rejoin).")])
            st.halted, st.halted_reason, st.halted_detail = False, None, None
            audit.append(session, principal.audit_name, "sync.resumed", "hub", st.station,
                         {"reason": reason or ""}, clock=self.clock)

    def _pin_first_use(self, client: HubClient, hub_url: str, cancel: CancelToken) -> None:
        """A kiosk enrolled before hubs signed their answers has no key pinned. Over HTTPS (the certificate
        checked) or on this machine, the key the hub announces is trusted once and pinned (audited); over plain
        HTTP to another machine nothing vouches for it: sync stops until the kiosk rejoins with a code."""
        if not (hub_url.lower().startswith("https:") or loopback_url(hub_url)):
            raise _Halt("hub_key_unpinned", {"hub": hub_url})
        announced = self._call(client, client.identity, cancel)
        source = "tls_first_use" if hub_url.lower().startswith("https:") else "loopback_first_use"
        with self.db.transaction() as session:
            _pin(session, str(announced["public_key"]), source)
            audit.append(session, "system:sync", "sync.hub_key_pinned", "hub", hub_url,
                         {"fingerprint": protocol.fingerprint(protocol.unb64u(announced["public_key"])),
                          "source": source}, clock=self.clock)
        client.hub_key = protocol.unb64u(announced["public_key"])
        log.warning("pinned the hub's signing key %s on first use (%s)", announced.get("fingerprint"), source)

    def pin_hub_key(self, principal: Principal, hub_key_b64: str, source: str) -> None:
        """Pin a hub key known by other means (demo mode: the hub runs in this very process)."""
        require(principal, Permission.SYNC_MANAGE)
        with self.db.transaction() as session:
            _pin(session, hub_key_b64, source)
            audit.append(session, principal.audit_name, "sync.hub_key_pinned", "hub", "",
                         {"fingerprint": protocol.fingerprint(protocol.unb64u(hub_key_b64)), "source": source},
                         clock=self.clock)

    def set_hub_url(self, principal: Principal, url: str, insecure_http: bool = False) -> SyncStatus:
        """Point an enrolled kiosk at its hub's new address (the hub moved to HTTPS, or behind a new balancer).
        Answers from there must still be signed with the pinned key."""
        require(principal, Permission.SYNC_MANAGE)
        url = url.strip()
        problem = transport_refusal(url, insecure_http)
        if problem:
            raise InvalidInput([("hub", *problem)])
        with self.db.transaction() as session:
            st = _state(session)
            if st.enrolled_at is None:
                raise InvalidInput([("hub", "Kiosk chưa đăng ký: dùng kiosk enrol --hub URL --code MÃ.",
                                     "This kiosk is not enrolled: use kiosk enrol --hub URL --code CODE.")])
            before = st.hub_url
            st.hub_url = url
            if insecure_http and not loopback_url(url) and url.lower().startswith("http:"):
                session.merge(KioskMeta(key=INSECURE_META, value="1"))
            else:
                _drop_meta(session, INSECURE_META)
            audit.append(session, principal.audit_name, "sync.hub_moved", "hub", st.station,
                         {"from": before, "to": url, "insecure_http": bool(insecure_http)}, clock=self.clock)
        return self.state()


def _hub_given_id(result: dict[str, Any]) -> str:
    """The id the hub gave this kiosk in its (signed) enrolment answer, checked as QR codes will carry it."""
    from kiosk.domain.qr_payload import KIOSK_ID_RE

    kiosk_id = str(result.get("kiosk_id") or "")
    if not KIOSK_ID_RE.fullmatch(kiosk_id):
        raise HubRefused(200, "bad_kiosk_id", "Máy chủ cấp một mã kiosk không hợp lệ; kiosk không đăng ký.")
    return kiosk_id


def _adopt_id(session: Session, kiosk_id: str) -> str | None:
    """Take the id the hub gave; the id this kiosk made itself stays known (its earlier receipts name it).
    Returns the id the kiosk had before, when it changed."""
    current = session.get(KioskMeta, "kiosk_id")
    if current is not None and current.value == kiosk_id:
        return None
    previous = current.value if current is not None else None
    if previous and session.get(KioskMeta, LOCAL_ID_META) is None:
        session.add(KioskMeta(key=LOCAL_ID_META, value=previous))
    session.merge(KioskMeta(key="kiosk_id", value=kiosk_id))
    return previous
