"""Staff accounts on the real encrypted database: passwords, lockout, inactivity, roles."""

import pytest
from sqlalchemy import select

from kiosk.db.models import AuditEntry
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.services.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidInput,
    NotAuthenticated,
    PermissionDenied,
    SessionExpired,
)


def actions(db):
    with db.sessions() as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_first_start_creates_admin_with_a_one_time_password(staff_service):
    password = staff_service.ensure_first_admin()
    assert password and len(password) >= 12
    assert staff_service.ensure_first_admin() is None
    result = staff_service.login("admin", password)
    assert result.principal.role is Role.ADMIN
    assert result.must_change_password
    staff_service.change_own_password(result.principal, password, "mot-mat-khau-moi")
    again = staff_service.login("admin", "mot-mat-khau-moi")
    assert not again.must_change_password


def test_password_is_stored_as_argon2id(staff_service, operator, db):
    from kiosk.db.models import StaffMember

    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "mat-khau-1")
    with db.sessions() as s:
        stored = s.scalar(select(StaffMember.password_hash).where(StaffMember.username == "lan"))
    assert stored.startswith("$argon2id$")
    assert "mat-khau-1" not in stored


def test_five_failures_lock_for_five_minutes(staff_service, operator, clock):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            staff_service.login("lan", "sai")
    with pytest.raises(AccountLocked):
        staff_service.login("lan", "sai")
    with pytest.raises(AccountLocked):
        staff_service.login("lan", "dung-mat-khau")  # even the right password waits
    clock.advance(minutes=4, seconds=59)
    with pytest.raises(AccountLocked):
        staff_service.login("lan", "dung-mat-khau")
    clock.advance(seconds=2)
    assert staff_service.login("lan", "dung-mat-khau").principal.username == "lan"


def test_a_success_resets_the_failure_count(staff_service, operator):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            staff_service.login("lan", "sai")
    staff_service.login("lan", "dung-mat-khau")
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            staff_service.login("lan", "sai")
    staff_service.login("lan", "dung-mat-khau")


def test_session_ends_after_inactivity(staff_service, operator, clock, db):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    principal = staff_service.login("lan", "dung-mat-khau").principal
    clock.advance(minutes=9)
    staff_service.check(principal)  # activity keeps it open
    clock.advance(minutes=9)
    staff_service.check(principal)
    clock.advance(minutes=10, seconds=1)
    with pytest.raises(SessionExpired):
        staff_service.check(principal)
    with pytest.raises(SessionExpired):
        staff_service.check(principal)
    assert "logout.idle" in actions(db)


def test_logout_ends_the_session(staff_service, operator):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    principal = staff_service.login("lan", "dung-mat-khau").principal
    staff_service.logout(principal)
    with pytest.raises(SessionExpired):
        staff_service.check(principal)


def test_deactivated_staff_cannot_log_in(staff_service, operator):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    principal = staff_service.login("lan", "dung-mat-khau").principal
    staff_service.set_active(operator, "lan", False)
    with pytest.raises(SessionExpired):
        staff_service.check(principal)
    with pytest.raises(InvalidCredentials):
        staff_service.login("lan", "dung-mat-khau")


@pytest.mark.parametrize("role", ["officer", "supervisor", "selfservice"])
def test_only_admins_manage_staff_whatever_the_ui_shows(staff_service, operator, role):
    staff_service.add(operator, "someone", "Người Dùng", role, "dung-mat-khau")
    principal = staff_service.login("someone", "dung-mat-khau").principal
    with pytest.raises(PermissionDenied):
        staff_service.add(principal, "intruder", "Kẻ Lạ", "admin", "dung-mat-khau")
    with pytest.raises(PermissionDenied):
        staff_service.reset_password(principal, "someone")


def test_audit_read_needs_supervisor_or_admin(staff_service, operator, db):
    staff_service.add(operator, "officer1", "Cán Bộ", "officer", "dung-mat-khau")
    staff_service.add(operator, "sup1", "Tổ Trưởng", "supervisor", "dung-mat-khau")
    officer = staff_service.login("officer1", "dung-mat-khau").principal
    supervisor = staff_service.login("sup1", "dung-mat-khau").principal
    with pytest.raises(PermissionDenied):
        audit.verify(db, officer)
    assert audit.verify(db, supervisor).ok
    with pytest.raises(NotAuthenticated):
        audit.verify(db, None)


def test_bad_new_staff_input_names_each_field(staff_service, operator):
    with pytest.raises(InvalidInput) as err:
        staff_service.add(operator, "A B", " ", "chief", "short")
    assert {f for f, _ in err.value.errors} == {"username", "full_name", "role", "password"}
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    with pytest.raises(InvalidInput) as err:
        staff_service.add(operator, "LAN", "Khác", "officer", "dung-mat-khau")
    assert err.value.errors[0][0] == "username"


def test_every_act_is_audited_without_the_password(staff_service, operator, db):
    staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    with pytest.raises(InvalidCredentials):
        staff_service.login("lan", "sai-mat-khau")
    principal = staff_service.login("lan", "dung-mat-khau").principal
    staff_service.logout(principal)
    assert actions(db) == ["staff.added", "login.failed", "login", "logout"]
    with db.sessions() as s:
        dump = " ".join(f"{e.actor} {e.detail} {e.target_id}" for e in s.scalars(select(AuditEntry)))
    assert "dung-mat-khau" not in dump and "sai-mat-khau" not in dump and "Nguyễn" not in dump
    assert "operator:" in dump


def test_operator_principal_is_named_in_the_audit(operator):
    assert operator.role is Role.OPERATOR
    assert operator.audit_name.startswith("operator:")
    kiosk_user = Principal("hall", Role.SELFSERVICE)
    assert kiosk_user.audit_name == "hall"


def test_an_admin_cannot_lock_themselves_out_nor_lock_the_last_admin(staff_service, operator):
    password = staff_service.ensure_first_admin()
    admin = staff_service.login("admin", password).principal
    with pytest.raises(InvalidInput) as own:
        staff_service.set_active(admin, "admin", False)
    assert "chính mình" in own.value.errors[0][1]
    with pytest.raises(InvalidInput) as last:  # the operator (headless) is not a staff account
        staff_service.set_active(operator, "admin", False)
    assert "quản trị viên cuối cùng" in last.value.errors[0][1]
    staff_service.add(operator, "hai", "Trần Văn Hải", "admin", "mat-khau-cua-hai")
    staff_service.set_active(operator, "admin", False)  # another admin remains: allowed
    assert not next(s for s in staff_service.list(operator) if s.username == "admin").active
