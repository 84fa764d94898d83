"""Offline-first sync with the hub: push the outbox from the hub's position, pull the station's changes.

At-least-once delivery with an idempotent apply on both sides gives an exactly-once effect:
- push sends outbox rows after the hub's last acknowledged sequence; the hub's answer (its high-water
  mark) and the local "acknowledged" marks are written in one transaction, only after the answer;
- a hub behind the kiosk (restored from a backup) makes the kiosk resend from the hub's position,
  so acknowledged rows are kept `keep_acked_days` before they are purged;
- a 409 (different content under a number the hub holds) or a refused identity stops sync and
  raises an alert: retrying would never succeed and might hide a cloned kiosk;
- pulled changes are applied together with the new cursor in one transaction;
- transient failures are retried with exponential backoff and jitter; `run_loop` keeps trying
  without any new local write. Clocks are for display only.

The parts: `service` (one sync, retries, halts), `enrolment` (enrol, rejoin, the pinned hub key) and
`numbering` (what a rejoin renumbers), `push`, `pull`, `office` (state, status lookups, refusals),
`alarms`, `state` and `errors`.
"""

from kiosk.services.sync.alarms import SyncAlarm
from kiosk.services.sync.errors import HALTING, MESSAGES_VI
from kiosk.services.sync.service import SyncService
from kiosk.services.sync.state import SyncPolicy, SyncReport, SyncStatus, halt_for_rejoin

__all__ = ["HALTING", "MESSAGES_VI", "SyncAlarm", "SyncPolicy", "SyncReport", "SyncService", "SyncStatus",
           "halt_for_rejoin"]
