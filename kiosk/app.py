"""Composition root: builds settings, database, devices and services; nothing else lives here."""

from __future__ import annotations

import getpass
import logging
import socket
from dataclasses import dataclass, field
from datetime import timedelta

from kiosk.config import LoadedSettings, Settings
from kiosk.db.engine import Database, open_database
from kiosk.domain.roles import Principal, Role
from kiosk.logsetup import setup_logging
from kiosk.services.staff import StaffService

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """Everything a front end (GUI or CLI) needs, wired together."""

    loaded: LoadedSettings
    db: Database
    staff: StaffService
    first_admin_password: str | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    def close(self) -> None:
        self.db.dispose()


def operator_principal() -> Principal:
    """The machine's operator: whoever runs a headless command with access to the data folder's key."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        user = "unknown"
    return Principal(f"{user}@{socket.gethostname()}", Role.OPERATOR)


def build(loaded: LoadedSettings, console_log: bool = False) -> Kiosk:
    """Open the data folder: logging, the encrypted database (migrated), the first administrator."""
    settings = loaded.settings
    setup_logging(settings.log_dir, settings.log_level, console=console_log)
    db = open_database(settings.data_dir, use_keyring=settings.use_keyring)
    log.info("database open (key from %s)", db.key_source)
    staff = StaffService(db, timedelta(seconds=settings.staff_idle_timeout_s))
    kiosk = Kiosk(loaded, db, staff)
    kiosk.first_admin_password = staff.ensure_first_admin()
    if settings.demo:
        staff.ensure_demo_officer(operator_principal())
    return kiosk
