"""The hub's use cases behind one object: enrolment, signed push and pull, back-office status changes, keys, stats.

`Hub` is composed of its parts: `enrolment` (codes, enrolment, rejoin, the check of every signed
request), `push` (the outbox protocol and the audit copy), `records` (the per-kind apply table),
`reads` (pull, a code's status) and `office` (the back office); `stations` holds units and blocks,
`shared` what they all use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from kiosk.hub.db import HubDatabase
from kiosk.hub.enrolment import MAX_ENROL_CODE_TTL_S, Enrolment
from kiosk.hub.office import BACKOFFICE_TOKEN_TTL_S, MAX_BACKOFFICE_TOKEN_TTL_S, BackOffice, backoffice_moves
from kiosk.hub.push import Pushing
from kiosk.hub.reads import Reads
from kiosk.hub.records import ACCOUNT_PROCEDURE, Applying
from kiosk.hub.shared import HubError
from kiosk.hub.signing import HubSigner
from kiosk.hub.stations import RELEASE_HOLD_S

__all__ = ["ACCOUNT_PROCEDURE", "BACKOFFICE_TOKEN_TTL_S", "MAX_BACKOFFICE_TOKEN_TTL_S", "MAX_ENROL_CODE_TTL_S",
           "RELEASE_HOLD_S", "Hub", "HubError", "backoffice_moves"]


@dataclass
class Hub(Enrolment, Pushing, Applying, Reads, BackOffice):
    """The hub's behaviour over its database; `clock` gives Unix seconds (tests move it); `signer` signs every
    answer (loaded from where the database's keys live when not given)."""

    db: HubDatabase
    clock: Callable[[], float] = field(default=time.time)
    signer: HubSigner | None = None

    def __post_init__(self) -> None:
        if self.signer is None:
            from kiosk.hub.signing import load_signer

            self.signer = load_signer(self.db)
