"""Staff accounts, login with lockout, sessions that end after inactivity (argon2id hashes)."""

from __future__ import annotations

import functools
import re
import secrets
import string
import uuid
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from kiosk.db.engine import Database
from kiosk.db.models import StaffMember, StaffSession
from kiosk.domain import text
from kiosk.domain.roles import STAFF_ROLES, Permission, Principal, Role
from kiosk.services import audit
from kiosk.services.clock import Clock, utc_now
from kiosk.services.errors import AccountLocked, InvalidCredentials, InvalidInput, NotFound, SessionExpired
from kiosk.services.password_policy import MIN_LENGTH, password_problems, password_refusals
from kiosk.services.permissions import require

MAX_FAILED_LOGINS = 5
#: The first lock; each further run of failures locks twice as long, up to a day.
LOCKOUT = timedelta(minutes=5)
MAX_LOCKOUT = timedelta(days=1)
MIN_PASSWORD_LENGTH = MIN_LENGTH
DEMO_USERNAME, DEMO_PASSWORD = "canbo", "TiepDan@2025"
#: The demo officer's password before the password rules: a demo folder that still has it gets the new one.
OLD_DEMO_PASSWORD = "canbo-demo"
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")

_hasher = PasswordHasher()  # argon2id, the library's default profile (~100 ms here)


@dataclass(frozen=True)
class StaffInfo:
    username: str
    full_name: str
    role: str
    active: bool
    locked: bool
    must_change_password: bool
    created_at: str
    last_login_at: str | None

    def as_json(self) -> dict:
        return self.__dict__.copy()


@dataclass(frozen=True)
class LoginResult:
    principal: Principal
    full_name: str
    must_change_password: bool


class WrongCurrentPassword(InvalidCredentials):
    """Changing one's own password with a wrong current one (not a failed login: nothing is counted)."""

    message_vi = "Mật khẩu hiện tại không đúng."
    message_en = "The current password is wrong."


def generate_password(length: int = 14) -> str:
    """A one-time password that the password rules accept (letters of both cases and digits)."""
    alphabet = string.ascii_letters + string.digits
    alphabet = "".join(c for c in alphabet if c not in "0OIl1")
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(password):
            return password


def lockout_for(lockouts: int) -> timedelta:
    """The n-th lock in a row (n ≥ 1) lasts 5 minutes · 2^(n-1), never more than a day."""
    return min(LOCKOUT * 2 ** min(max(lockouts, 1) - 1, 20), MAX_LOCKOUT)


class StaffService:
    def __init__(self, db: Database, idle_timeout: timedelta, clock: Clock = utc_now,
                 station_words: tuple[str, ...] = ()) -> None:
        self.db = db
        self.idle_timeout = idle_timeout
        self.clock = clock
        #: The station's id and name: a password must not be built from them.
        self.station_words = station_words

    def password_errors(self, username: str, password: str) -> list[tuple[str, str, str]]:
        return [("password", vi, en) for vi, en in password_refusals(password, username, self.station_words)]

    def ensure_first_admin(self) -> str | None:
        """On the very first start create `admin` with a one-time password; return it (shown once) or None."""
        with self.db.transaction() as session:
            if session.scalar(select(func.count()).select_from(StaffMember)):
                return None
            password = generate_password()
            session.add(
                StaffMember(
                    username="admin",
                    full_name="Quản trị viên",
                    role=Role.ADMIN.value,
                    password_hash=_hasher.hash(password),
                    must_change_password=True,
                    active=True,
                    failed_logins=0,
                    created_at=self.clock(),
                )
            )
            audit.append(session, "system", "staff.first_admin_created", "staff", "admin", clock=self.clock)
        return password

    def ensure_demo_officer(self, actor: Principal) -> None:
        """Demo mode only: an officer account with a published password, so a newcomer can log in."""
        with self.db.transaction() as session:
            member = session.scalar(select(StaffMember).where(StaffMember.username == DEMO_USERNAME))
            if member is not None:
                if _verify(member.password_hash, OLD_DEMO_PASSWORD):  # a demo folder from before the rules
                    member.password_hash = _hasher.hash(DEMO_PASSWORD)
                    audit.append(session, actor.audit_name, "staff.demo_password_updated", "staff", DEMO_USERNAME,
                                 clock=self.clock)
                return
        self.add(actor, DEMO_USERNAME, "Cán bộ trình diễn", Role.OFFICER.value, DEMO_PASSWORD)

    def _validate_new(self, username: str, full_name: str, role: str, password: str) -> list[tuple[str, str, str]]:
        errors = []
        if not USERNAME_RE.match(username):
            errors.append(("username", "Tên đăng nhập gồm 2–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch.",
                           "A username has 2–32 characters: lower-case letters without accents, digits, dots, "
                           "hyphens."))
        if not full_name.strip():
            errors.append(("full_name", "Cần nhập họ và tên.", "The full name is required."))
        elif text.has_unsafe(full_name):
            errors.append(("full_name", f"Họ và tên {text.MESSAGE_VI}.", f"The full name {text.MESSAGE_EN}."))
        if role not in {r.value for r in STAFF_ROLES}:
            errors.append(("role", "Vai trò phải là officer, supervisor, admin hoặc selfservice.",
                           "The role must be officer, supervisor, admin or selfservice."))
        errors += self.password_errors(username, password)
        return errors

    def add(self, actor: Principal, username: str, full_name: str, role: str, password: str) -> StaffInfo:
        require(actor, Permission.STAFF_MANAGE)
        username = username.strip().lower()
        errors = self._validate_new(username, full_name, role, password)
        if errors:
            raise InvalidInput(errors)
        with self.db.transaction() as session:
            if session.scalar(select(StaffMember).where(StaffMember.username == username)):
                raise InvalidInput([("username", f"Tên đăng nhập '{username}' đã có.",
                                     f"The username '{username}' is taken.")])
            member = StaffMember(
                username=username,
                full_name=text.nfc(full_name.strip()),
                role=role,
                password_hash=_hasher.hash(password),
                must_change_password=False,
                active=True,
                failed_logins=0,
                created_at=self.clock(),
            )
            session.add(member)
            audit.append(session, actor.audit_name, "staff.added", "staff", username, {"role": role}, clock=self.clock)
            return self._info(member)

    def set_active(self, actor: Principal, username: str, active: bool) -> None:
        require(actor, Permission.STAFF_MANAGE)
        with self.db.transaction() as session:
            member = self._get(session, username)
            if not active and member.username == actor.username:
                raise InvalidInput([("username", "Không tự khóa tài khoản của chính mình; nhờ một quản trị viên khác.",
                                     "You cannot lock your own account; ask another administrator.")])
            if not active and member.role == Role.ADMIN.value and member.active and session.scalar(
                    select(func.count()).select_from(StaffMember).where(
                        StaffMember.role == Role.ADMIN.value, StaffMember.active.is_(True))) <= 1:
                raise InvalidInput([("username", "Đây là quản trị viên cuối cùng còn hoạt động; không khóa được.",
                                     "This is the last active administrator; it cannot be locked.")])
            member.active = active
            if not active:
                for open_session in session.scalars(
                    select(StaffSession).where(StaffSession.staff_id == member.id, StaffSession.ended_at.is_(None))
                ):
                    open_session.ended_at = self.clock()
                    open_session.end_reason = "deactivated"
            action = "staff.activated" if active else "staff.deactivated"
            audit.append(session, actor.audit_name, action, "staff", username, clock=self.clock)

    def reset_password(self, actor: Principal, username: str) -> str:
        """Give a staff member a new one-time password (they must change it at the next login)."""
        require(actor, Permission.STAFF_MANAGE)
        password = generate_password()
        with self.db.transaction() as session:
            member = self._get(session, username)
            member.password_hash = _hasher.hash(password)
            member.must_change_password = True
            member.failed_logins = 0
            member.locked_until = None
            member.lockouts = 0
            audit.append(session, actor.audit_name, "staff.password_reset", "staff", username, clock=self.clock)
        return password

    def change_own_password(self, principal: Principal, old: str, new: str) -> None:
        self.check(principal)
        problems = self.password_errors(principal.username, new)
        if problems:
            raise InvalidInput(problems)
        with self.db.transaction() as session:
            member = self._get(session, principal.username)
            if not _verify(member.password_hash, old):
                raise WrongCurrentPassword("the current password is wrong")
            if old == new:
                raise InvalidInput([("password", "Mật khẩu mới phải khác mật khẩu cũ.",
                                     "The new password must differ from the old one.")])
            member.password_hash = _hasher.hash(new)
            member.must_change_password = False
            audit.append(session, principal.audit_name, "staff.password_changed", "staff", member.username, clock=self.clock)

    def unlock(self, actor: Principal, username: str) -> None:
        """End a lock after failed logins (and the doubling of the next one) before its time."""
        require(actor, Permission.STAFF_MANAGE)
        with self.db.transaction() as session:
            member = self._get(session, username)
            was = {"locked_until": member.locked_until.isoformat() if member.locked_until else None,
                   "lockouts": member.lockouts}
            member.locked_until, member.failed_logins, member.lockouts = None, 0, 0
            audit.append(session, actor.audit_name, "staff.unlocked", "staff", member.username, was, clock=self.clock)

    def list(self, actor: Principal) -> list[StaffInfo]:
        require(actor, Permission.STAFF_LIST)
        with self.db.sessions() as session:
            return [self._info(m) for m in session.scalars(select(StaffMember).order_by(StaffMember.username))]

    def login(self, username: str, password: str) -> LoginResult:
        """Check the password; five failures lock the account for five minutes, and each further run of five
        twice as long (up to a day) until a good login or an administrator's unlock. Every attempt is audited."""
        username = username.strip().lower()
        now = self.clock()
        outcome: Exception | None = None
        result: LoginResult | None = None
        with self.db.transaction() as session:
            member = session.scalar(select(StaffMember).where(StaffMember.username == username))
            if member is None or not member.active:
                _verify(_dummy_hash(), password)  # same cost as a real check: no username probing by timing
                audit.append(session, "anonymous", "login.failed", "staff", username, {"reason": "unknown_user"}, clock=self.clock)
                outcome = InvalidCredentials("unknown user or wrong password")
            elif member.locked_until is not None and member.locked_until > now:
                audit.append(session, username, "login.refused_locked", "staff", username, clock=self.clock)
                outcome = AccountLocked(member.locked_until)
            elif not _verify(member.password_hash, password):
                member.failed_logins += 1
                detail = {"reason": "wrong_password", "failures": member.failed_logins}
                if member.failed_logins >= MAX_FAILED_LOGINS:
                    member.lockouts = (member.lockouts or 0) + 1
                    member.locked_until = now + lockout_for(member.lockouts)
                    member.failed_logins = 0
                    detail["locked_until"] = member.locked_until.isoformat()
                    detail["lockouts"] = member.lockouts
                    outcome = AccountLocked(member.locked_until)
                else:
                    outcome = InvalidCredentials("unknown user or wrong password")
                audit.append(session, username, "login.failed", "staff", username, detail, clock=self.clock)
            else:
                member.failed_logins = 0
                member.locked_until = None
                member.lockouts = 0
                member.last_login_at = now
                if not member.must_change_password and password_problems(password, username, self.station_words):
                    # Set before the rules existed: the officer chooses one that passes them now.
                    member.must_change_password = True
                session_id = str(uuid.uuid4())
                session.add(StaffSession(id=session_id, staff_id=member.id, started_at=now, last_seen_at=now))
                audit.append(session, username, "login", "staff_session", session_id, {"role": member.role}, clock=self.clock)
                result = LoginResult(Principal(username, Role(member.role), session_id), member.full_name, member.must_change_password)
        if outcome is not None:
            raise outcome
        assert result is not None
        return result

    def check(self, principal: Principal) -> Principal:
        """Confirm the session is open and recently active, and mark it active now; else end it."""
        if principal.role is Role.OPERATOR:
            return principal
        now = self.clock()
        expired = False
        with self.db.transaction() as session:
            row = session.get(StaffSession, principal.session_id)
            if row is None or row.ended_at is not None:
                raise SessionExpired("the session has ended")
            if now - row.last_seen_at > self.idle_timeout:
                row.ended_at = now
                row.end_reason = "idle"
                audit.append(session, principal.username, "logout.idle", "staff_session", row.id, clock=self.clock)
                expired = True
            else:
                row.last_seen_at = now
        if expired:
            raise SessionExpired("the session ended after inactivity")
        return principal

    def logout(self, principal: Principal, reason: str = "logout") -> None:
        with self.db.transaction() as session:
            row = session.get(StaffSession, principal.session_id)
            if row is None or row.ended_at is not None:
                return
            row.ended_at = self.clock()
            row.end_reason = reason
            action = "logout" if reason == "logout" else f"logout.{reason}"
            audit.append(session, principal.username, action, "staff_session", row.id, clock=self.clock)

    def _get(self, session, username: str) -> StaffMember:
        member = session.scalar(select(StaffMember).where(StaffMember.username == username.strip().lower()))
        if member is None:
            raise NotFound(f"no staff member '{username}'")
        return member

    def _info(self, m: StaffMember) -> StaffInfo:
        now = self.clock()
        return StaffInfo(
            username=m.username,
            full_name=m.full_name,
            role=m.role,
            active=m.active,
            locked=bool(m.locked_until and m.locked_until > now),
            must_change_password=m.must_change_password,
            created_at=m.created_at.isoformat() + "Z",
            last_login_at=m.last_login_at.isoformat() + "Z" if m.last_login_at else None,
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("not-a-real-password")
