"""Errors that use cases raise; the UI and the CLI turn each into a plain Vietnamese sentence."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of refusals a user can act on (not programming errors)."""

    code = "error"


class PermissionDenied(ServiceError):
    code = "permission_denied"

    def __init__(self, who: str, permission: str) -> None:
        super().__init__(f"{who} may not {permission}")
        self.who = who
        self.permission = permission


class NotAuthenticated(ServiceError):
    code = "not_authenticated"


class SessionExpired(ServiceError):
    code = "session_expired"


class InvalidCredentials(ServiceError):
    code = "invalid_credentials"


class AccountLocked(ServiceError):
    code = "account_locked"

    def __init__(self, until) -> None:
        super().__init__(f"locked until {until.isoformat()}")
        self.until = until


class InvalidInput(ServiceError):
    """One or more fields are wrong; `errors` lists (field, message in Vietnamese)."""

    code = "invalid_input"

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


class NotFound(ServiceError):
    code = "not_found"
