"""Staff roles and what each may do; enforced in `kiosk.services`, whatever the UI shows."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    OFFICER = "officer"  # cán bộ tiếp dân
    SUPERVISOR = "supervisor"  # chỉ huy / tổ trưởng
    ADMIN = "admin"
    SELFSERVICE = "selfservice"  # the kiosk in the hall, used by citizens
    OPERATOR = "operator"  # headless commands run by whoever holds the data folder's key


class Permission(enum.StrEnum):
    STAFF_MANAGE = "staff.manage"
    STAFF_LIST = "staff.list"
    AUDIT_READ = "audit.read"
    SETTINGS_CHANGE = "settings.change"
    CARD_READ = "card.read"
    CITIZEN_VIEW = "citizen.view"
    DOSSIER_CREATE = "dossier.create"
    DOSSIER_VIEW = "dossier.view"
    DOSSIER_UPDATE = "dossier.update"
    DOSSIER_DECIDE = "dossier.decide"
    STATUS_CHECK = "status.check"
    SYNC_RUN = "sync.run"
    SYNC_MANAGE = "sync.manage"  # enrol with a hub, resume a halted sync
    PRINTER_CHOOSE = "printer.choose"
    ACCOUNT_REQUEST = "account.request"  # take an electronic identification account request
    BACKUP = "data.backup"  # make a backup of the kiosk's data, restore one
    RETENTION_RUN = "data.retention"  # run the retention policy (purge personal data past its period)
    QUEUE_TAKE = "queue.take"  # a citizen prepares a draft and takes a queue ticket in the hall
    QUEUE_CALL = "queue.call"  # a counter calls, recalls, skips and receives tickets
    RATING_ADD = "rating.add"  # a citizen rates a received dossier
    RATING_REPORT = "rating.report"  # the station's monthly rating report


_COUNTER = {
    Permission.CARD_READ,
    Permission.CITIZEN_VIEW,
    Permission.DOSSIER_CREATE,
    Permission.DOSSIER_VIEW,
    Permission.DOSSIER_UPDATE,
    Permission.STATUS_CHECK,
    Permission.SYNC_RUN,
    Permission.PRINTER_CHOOSE,
    Permission.ACCOUNT_REQUEST,
    Permission.QUEUE_CALL,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset(_COUNTER),
    Role.SUPERVISOR: frozenset(_COUNTER | {Permission.STAFF_LIST, Permission.AUDIT_READ, Permission.DOSSIER_DECIDE,
                                           Permission.RATING_REPORT}),
    Role.ADMIN: frozenset(Permission) - {Permission.DOSSIER_DECIDE},
    Role.SELFSERVICE: frozenset({Permission.CARD_READ, Permission.STATUS_CHECK, Permission.QUEUE_TAKE,
                                 Permission.RATING_ADD}),
    Role.OPERATOR: frozenset(Permission),
}

STAFF_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.SELFSERVICE)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: a logged-in staff member (with their session) or the machine's operator."""

    username: str
    role: Role
    session_id: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def audit_name(self) -> str:
        return f"operator:{self.username}" if self.role is Role.OPERATOR else self.username
