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


def require_any(principal: Principal | None, *permissions: Permission) -> Principal:
    """At least one of `permissions` (a use case two roles reach by different doors)."""
    if principal is None:
        raise NotAuthenticated("no one is logged in")
    if not any(principal.can(p) for p in permissions):
        raise PermissionDenied(principal.audit_name, "|".join(p.value for p in permissions))
    return principal
