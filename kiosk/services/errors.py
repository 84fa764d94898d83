"""Errors that use cases raise; each carries its sentence in both languages or a code that maps to one."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.domain.issue import Issue


class ServiceError(Exception):
    """Base of refusals a user can act on (not programming errors). `message_vi`/`message_en`, when set,
    are what the person at the kiosk reads; otherwise the sentence comes from `code`."""

    code = "error"
    message_vi = ""
    message_en = ""


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
    """One or more fields are wrong. `issues` holds each refusal in both languages; `errors` lists
    (field, Vietnamese message) pairs, what the CLI prints and a form marks beside its field.

    Each refusal is an `Issue` or a (field, Vietnamese, English) triple."""

    code = "invalid_input"

    def __init__(self, issues: Iterable[Issue | tuple[str, str, str]]) -> None:
        self.issues = tuple(i if isinstance(i, Issue) else Issue(*i) for i in issues)
        self.errors = [(i.field, i.message_vi) for i in self.issues]
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))
        self.message_vi = " ".join(i.message_vi for i in self.issues)
        self.message_en = " ".join(i.message_en for i in self.issues)


class NotFound(ServiceError):
    code = "not_found"

