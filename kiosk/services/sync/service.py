"""SyncService: one sync (`run_once`), the loop, retries with backoff, halts; the use cases live in its parts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete

from kiosk.db.engine import Database
from kiosk.db.models import OutboxOp
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.identity import KioskIdentity, identity, signing_key
from kiosk.services.permissions import require
from kiosk.services.sync.enrolment import Enrolment
from kiosk.services.sync.errors import HALTING, MESSAGES_VI, _Cancelled, _Halt
from kiosk.services.sync.numbering import _numbering_hint
from kiosk.services.sync.office import BackOffice
from kiosk.services.sync.pull import Pulling
from kiosk.services.sync.push import Pushing
from kiosk.services.sync.state import (
    HUB_KEY_META,
    INSECURE_META,
    Recoded,
    Renumbered,
    SyncPolicy,
    SyncReport,
    _state,
)
from kiosk.services.sync_client import (
    ClockSkew,
    HubAnswerForged,
    HubClient,
    HubRefused,
    HubUnreachable,
    Replayed,
    transport_problem,
)
from kiosk.support.jobs import CancelToken, ProgressFn, ignore_progress
from kiosk.wire import protocol

#: One logger for the whole of sync (its name predates the package).
log = logging.getLogger("kiosk.services.sync")


class SyncService(Enrolment, Pushing, Pulling, BackOffice):
    """Sync use cases for the GUI worker (Qt-free) and `kiosk sync`; every call checks the principal."""

    def __init__(
        self,
        db: Database,
        hub_url: str = "",
        policy: SyncPolicy | None = None,
        clock: Clock = utc_now,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
        after_sync: Sequence[Callable[[], object]] = (),
        on_renumber: Sequence[Renumbered] = (),
        on_recode: Sequence[Recoded] = (),
        unit_id: str = "",
        ca_file: str = "",
    ) -> None:
        self.db = db
        #: The CA file (PEM) the hub's TLS certificate is checked against (setting `hub_ca_file`); "" for the
        #: system's store.
        self.ca_file = ca_file
        self.on_renumber = tuple(on_renumber)
        # Records other than dossiers that the hub may give a new code (account requests), told in the pull's
        # transaction; each returns the old code when it holds the record.
        self.on_recode = tuple(on_recode)
        self.unit_id = unit_id
        # Work that follows a successful sync (apply pulled account decisions, purge acknowledged
        # portraits): given by the composition root, so sync knows no other capability.
        self.after_sync = tuple(after_sync)
        self.default_hub_url = hub_url
        self.policy = policy or SyncPolicy()
        self.clock = clock
        self.transport = transport
        self.sleep = sleep
        self.wall = wall
        self._who: KioskIdentity | None = None
        self._key: Ed25519PrivateKey | None = None
        self._lookups_paused_until = 0.0

    # Every session takes the write lock (BEGIN IMMEDIATE): read the identity once, outside them.
    @property
    def who(self) -> KioskIdentity:
        if self._who is None:
            self._who = identity(self.db)
        return self._who

    @property
    def key(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = signing_key(self.db)
        return self._key

    def _client(self, hub_url: str, clock_offset_s: int = 0, timeout_s: float | None = None,
                who: KioskIdentity | None = None, cls: type[HubClient] = HubClient) -> HubClient:
        return cls(hub_url, who or self.who, self.key, clock_offset_s, self.transport,
                   timeout_s or self.policy.timeout_s, self.wall, hub_key=self.hub_key(), ca_file=self.ca_file)

    def hub_client(self, hub_url: str, clock_offset_s: int, timeout_s: float, cls: type[HubClient] = HubClient,
                   transport: httpx.BaseTransport | None = None) -> HubClient:
        """A client of this kiosk's hub for other services (the hall's queue): the pinned hub key checks every
        answer, the `hub_ca_file` setting checks the certificate, and a hub address this kiosk must not use
        (plain HTTP to another machine without the lab flag) is refused before any contact. A service that
        meets an answer the hub did not sign calls `answer_forged`."""
        self._allowed(hub_url)
        return cls(hub_url, self.who, self.key, clock_offset_s, transport or self.transport, timeout_s, self.wall,
                   hub_key=self.hub_key(), ca_file=self.ca_file)

    def answer_forged(self, exc: HubAnswerForged, during: str) -> None:
        """Another service met a hub answer without the pinned key's signature: sync stops with the alarm, as it
        does for its own calls (nothing of the answer is used)."""
        self._halt(exc.reason, exc.detail | {"during": during})

    def hub_key(self) -> bytes | None:
        """The hub's public key this kiosk pinned at enrolment (None before)."""
        raw = self.db.meta(HUB_KEY_META)
        return protocol.unb64u(raw) if raw else None

    def _allowed(self, url: str) -> None:
        """Refuse a hub address this kiosk must not send citizens' data to (http:// to another machine without the
        lab flag), before any contact."""
        problem = transport_problem(url, self.db.meta(INSECURE_META) == "1")
        if problem:
            raise HubRefused(0, "insecure_transport", problem)

    def job(self, principal: Principal) -> Callable[[ProgressFn, CancelToken], SyncReport]:
        """`run_once` as a background job (kiosk.support.jobs contract) for the GUI worker."""
        return lambda report, cancel: self.run_once(principal, cancel, report)

    def run_once(self, principal: Principal, cancel: CancelToken | None = None,
                 report: ProgressFn = ignore_progress) -> SyncReport:
        """Push everything pending, pull the station's changes; retries transient failures with backoff."""
        require(principal, Permission.SYNC_RUN)
        cancel = cancel or CancelToken()
        with self.db.transaction() as session:
            st = _state(session)
            halted, halted_reason, enrolled = st.halted, st.halted_reason, bool(st.enrolled_at)
            if enrolled and not halted:
                st.last_attempt_at = iso_utc(self.clock())
            hub_url, offset = st.hub_url, st.clock_offset_s
        if halted:
            return self._report("halted", error=halted_reason)
        if not enrolled:
            return self._report("not_enrolled")
        counts = {"pushed": 0, "duplicates": 0, "rejected": [], "pulled": 0}
        try:
            self._allowed(hub_url)
            client = self._client(hub_url, offset)
        except HubRefused as exc:
            self._failed(exc.reason, exc.message_vi)
            return self._report("refused", error=exc.reason, **counts)
        try:
            if client.hub_key is None:
                self._pin_first_use(client, hub_url, cancel)
            self._cycle(client, counts, cancel, report)
        except HubUnreachable as exc:
            self._failed("offline", str(exc))
            return self._report("offline", error=str(exc), **counts)
        except _Halt as exc:
            self._halt(exc.reason, exc.detail)
            return self._report("halted", error=exc.reason, **counts)
        except HubRefused as exc:
            if exc.reason in HALTING:
                self._halt(exc.reason, exc.detail)
                return self._report("halted", error=exc.reason, **counts)
            self._failed(exc.reason, exc.message_vi)
            return self._report("refused", error=exc.reason, **counts)
        except _Cancelled:
            return self._report("cancelled", **counts)
        finally:
            client.close()
        with self.db.transaction() as session:
            st = _state(session)
            st.last_success_at = iso_utc(self.clock())
            st.consecutive_failures = 0
            st.last_error_code = st.last_error_message = None
        for hook in self.after_sync:
            try:
                hook()
            except Exception:  # the sync itself succeeded; a follow-up is retried at the next sync
                log.exception("a follow-up of the sync failed")
        return self._report("ok", **counts)

    def run_loop(self, principal: Principal, cancel: CancelToken, report: ProgressFn = ignore_progress) -> None:
        """Sync every `loop_interval_s` and after failures with growing pauses, whether or not anything new was written."""
        while not cancel.cancelled:
            result = self.run_once(principal, cancel, report)
            if result.status == "halted":
                return
            failures = self.state().consecutive_failures
            pause = self.policy.loop_interval_s if failures == 0 else min(
                self.policy.wait_max_s, self.policy.wait_initial_s * 2 ** min(failures, 16))
            self._pause(pause, cancel)

    def _pause(self, seconds: float, cancel: CancelToken) -> None:
        end = self.wall() + seconds
        while not cancel.cancelled and self.wall() < end:
            self.sleep(min(0.2, max(0.0, end - self.wall())))

    def _call(self, client: HubClient, request: Callable[[], dict[str, Any]], cancel: CancelToken) -> dict[str, Any]:
        """One hub request, retried on transient failures with exponential backoff and jitter."""
        from tenacity import (
            Retrying,
            retry_if_exception_type,
            stop_after_attempt,
            wait_exponential,
            wait_random,
        )

        retrying = Retrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=wait_exponential(multiplier=self.policy.wait_initial_s, max=self.policy.wait_max_s)
            + wait_random(0, self.policy.jitter_s),
            retry=retry_if_exception_type((HubUnreachable, ClockSkew, Replayed)),
            sleep=self.sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                if cancel.cancelled:
                    raise _Cancelled()
                try:
                    return request()
                except ClockSkew as exc:
                    self._learn_offset(client, exc)
                    raise
        raise AssertionError("unreachable")  # Retrying re-raises the last failure

    def _learn_offset(self, client: HubClient, exc: ClockSkew) -> None:
        offset = int(exc.detail.get("hub_time", self.wall())) - int(self.wall())
        client.clock_offset_s = offset
        with self.db.transaction() as session:
            _state(session).clock_offset_s = offset
        log.warning("kiosk clock is %+d s off the hub's; signing with the hub's time", -offset)

    def _cycle(self, client: HubClient, counts: dict[str, Any], cancel: CancelToken, report: ProgressFn) -> None:
        with self.db.sessions() as session:
            client.numbering = _numbering_hint(session)
        keys_version = self._push_all(client, counts, cancel, report)
        if keys_version is not None:
            self._refresh_keys(client, keys_version, cancel)
        self._pull_all(client, counts, cancel, report)
        self._purge_acknowledged()

    def _purge_acknowledged(self) -> int:
        """Forget acknowledged rows the hub holds once they are older than the retention (resend window)."""
        cutoff = iso_utc(self.clock() - timedelta(days=self.policy.keep_acked_days))
        with self.db.transaction() as session:
            st = _state(session)
            result = session.execute(delete(OutboxOp).where(
                OutboxOp.acked_at.is_not(None), OutboxOp.acked_at < cutoff, OutboxOp.seq <= st.hub_position))
            return result.rowcount or 0

    def _failed(self, code: str, message: str) -> None:
        with self.db.transaction() as session:
            st = _state(session)
            st.consecutive_failures += 1
            st.last_error_code, st.last_error_message = code, message[:500]

    def _halt(self, reason: str, detail: dict[str, Any]) -> None:
        log.error("sync halted: %s %s", reason, {k: v for k, v in detail.items() if k != "message_vi"})
        with self.db.transaction() as session:
            st = _state(session)
            st.halted, st.halted_reason = True, reason
            st.halted_detail = protocol.canonical_json(detail)
            st.last_error_code, st.last_error_message = reason, MESSAGES_VI.get(reason, reason)
            st.consecutive_failures += 1
            audit.append(session, "system:sync", "sync.halted", "hub", st.station, {"reason": reason},
                         clock=self.clock)

    def _report(self, status: str, error: str | None = None, **counts: Any) -> SyncReport:
        st = self.state()
        if status == "ok" and st.alarms:
            status = "attention"  # never "done" while an officer has something to act on
        message = MESSAGES_VI.get(error or "", "") if status == "halted" else ""
        message = message or MESSAGES_VI.get(status, status)
        if status == "attention":
            message = message.format(alarms=" ".join(a["message_vi"] for a in st.alarms))
        return SyncReport(
            status=status, message_vi=message, pending=st.pending,
            hub_position=st.hub_position, cursor=st.cursor, error=error, alarms=st.alarms, **counts,
        )
