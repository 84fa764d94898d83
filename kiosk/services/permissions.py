"""The role check every use case calls first: a call without the permission is refused."""

from __future__ import annotations

from kiosk.domain.roles import Permission, Principal
from kiosk.services.errors import NotAuthenticated, PermissionDenied


def require(principal: Principal | None, permission: Permission) -> Principal:
    if principal is None:
        raise NotAuthenticated("no one is logged in")
    if not principal.can(permission):
        raise PermissionDenied(principal.audit_name, permission.value)
    return principal
