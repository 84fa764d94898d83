"""A refusal or a point for the officer about one field of a form, Vietnamese first."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One refusal (`error`, blocks submission) or a point for the officer (`warning`, shown and recorded)."""

    field: str
    message_vi: str
    message_en: str
    severity: str = "error"

    def as_json(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message_vi, "message_en": self.message_en,
                "severity": self.severity}
