"""Leaving the hall's full-screen mode: only with the administrator's exit PIN (argon2id hash, lockout).

Citizens have no way out of the self-service window; staff type the PIN on the kiosk's own numpad.
Every attempt is audited; five wrong PINs lock the exit for five minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.db.engine import Database
from kiosk.db.models import KioskMeta
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, ServiceError
from kiosk.services.permissions import require

PIN_META = "selfservice_exit_pin"
LOCK_META = "selfservice_exit_lock"  # "<failures>|<locked until, ISO UTC>"
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=5)
DEMO_PIN = "246810"
_hasher = PasswordHasher()


class ExitLocked(ServiceError):
    """Too many wrong exit PINs; the kiosk refuses more until `until` (UTC)."""

    code = "exit_locked"

    def __init__(self, until: datetime) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until
        at = until.strftime("%H:%M")
        self.message_vi = f"Nhập sai quá nhiều lần; thử lại sau {at} (giờ UTC)."
        self.message_en = f"Too many wrong PINs; try again after {at} (UTC)."


class ExitPinService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self.db = db
        self.clock = clock

    def has_pin(self) -> bool:
        return self.db.meta(PIN_META) is not None

    def set_pin(self, principal: Principal, pin: str) -> None:
        require(principal, Permission.SETTINGS_CHANGE)
        if not (pin.isdigit() and 6 <= len(pin) <= 12):
            raise InvalidInput([("pin", "Mã PIN gồm 6 đến 12 chữ số.", "The PIN has 6 to 12 digits.")])
        digest = _hasher.hash(pin)
        with self.db.transaction() as session:
            session.merge(KioskMeta(key=PIN_META, value=digest))
            row = session.get(KioskMeta, LOCK_META)
            if row is not None:
                session.delete(row)
            audit.append(session, principal.audit_name, "selfservice.pin_set", "kiosk", "", {}, self.clock)

    def ensure_demo_pin(self, principal: Principal) -> None:
        """Demo mode only: the published exit PIN, so a newcomer can leave the hall's screen."""
        if not self.has_pin():
            self.set_pin(principal, DEMO_PIN)

    def check(self, actor: str, pin: str) -> bool:
        """Whether `pin` opens the exit; raises ExitLocked after too many wrong ones."""
        now = self.clock()
        raw_lock = self.db.meta(LOCK_META) or "0|"
        failures_text, _sep, until_text = raw_lock.partition("|")
        failures = int(failures_text or 0)
        if until_text:
            until = datetime.fromisoformat(until_text.rstrip("Z"))
            if now < until:
                raise ExitLocked(until)
            failures = 0
        digest = self.db.meta(PIN_META)
        ok = False
        if digest is not None and pin.isdigit():
            try:
                ok = _hasher.verify(digest, pin)
            except (VerificationError, InvalidHashError):
                ok = False
        with self.db.transaction() as session:
            if ok:
                row = session.get(KioskMeta, LOCK_META)
                if row is not None:
                    session.delete(row)
                audit.append(session, actor, "selfservice.exit", "kiosk", "", {}, self.clock)
            else:
                failures += 1
                locked = iso_utc(now + LOCK_FOR) if failures >= MAX_FAILURES else ""
                session.merge(KioskMeta(key=LOCK_META, value=f"{failures}|{locked}"))
                audit.append(session, actor, "selfservice.exit_refused", "kiosk", "",
                             {"failures": failures, "locked": bool(locked)}, self.clock)
        return ok
