"""What the home screen and the status bar show: card reader, printer, hub, records waiting to sync, backup.

Each probe is quick but may block (PC/SC, network): callers run `snapshot` as a background job.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.support.config import Settings

if TYPE_CHECKING:
    from kiosk.db.engine import Database
    from kiosk.devices.device_thread import DeviceThread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    reader: str  # "ready" (a reader is present), "no_reader", "no_service"
    reader_detail: str
    printer: str  # "ready", "unavailable"
    printer_detail: str
    hub: str  # "online", "offline", "not_configured"
    hub_detail: str
    pending: int
    #: The last backup ({"at", "path", "backup_id"}) and the last failure of one since ({"at", "message"}).
    backup_last: dict | None = None
    backup_error: dict | None = None
    backup_folder: str = ""


def reader_state(settings: Settings, device: DeviceThread) -> tuple[str, str]:
    from kiosk.devices.pcsc import ServiceStatus, probe

    result = device.call(probe)
    if result.status is ServiceStatus.NO_SERVICE:
        return "no_service", ""
    if result.status is ServiceStatus.NO_READER:
        return "no_reader", ""
    if settings.reader_name and settings.reader_name not in result.readers:
        return "no_reader", settings.reader_name
    return "ready", settings.reader_name or result.readers[0]


def printer_state(kind: str, target: str, pdf_folder: Path) -> tuple[str, str]:
    """The printer as it is chosen now (`PrintService.kind`/`target`; `pdf_folder` when a PDF target is empty)."""
    if kind == "pdf":
        folder = Path(target) if target else pdf_folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return "unavailable", str(folder)
        return ("ready" if os.access(folder, os.W_OK) else "unavailable"), str(folder)
    if kind == "escpos":
        from kiosk.devices.printers import PrinterError, check_escpos_target

        try:
            check_escpos_target(target)
        except PrinterError:
            return "unavailable", target
    if not target:
        return "unavailable", ""
    return "ready", target


def hub_state(hub_url: str, timeout: float = 2.0, ca_file: str = "") -> tuple[str, str]:
    if not hub_url:
        return "not_configured", ""
    import httpx

    from kiosk.services.errors import ServiceError
    from kiosk.services.sync_client import tls_context

    try:
        response = httpx.get(hub_url.rstrip("/") + "/health", timeout=timeout, verify=tls_context(ca_file))
    except httpx.HTTPError as exc:
        return "offline", type(exc).__name__
    except ServiceError as exc:  # the CA file of the settings cannot be read
        return "offline", exc.code
    return ("online" if response.status_code == 200 else "offline"), hub_url


def hub_url(settings: Settings, db: Database) -> str:
    """The hub this kiosk talks to: the one it enrolled with (`kiosk enrol`), else the configured one."""
    from kiosk.db.models_sync import SyncState

    with db.sessions() as session:
        state = session.get(SyncState, 1)
        return state.hub_url if state is not None and state.hub_url else settings.hub_url


def snapshot(settings: Settings, db: Database, device: DeviceThread,
             printer: tuple[str, str, Path] | None = None) -> Health:
    """`printer`: (kind, target, PDF folder) of the running PrintService, which a staff member may have changed
    since start-up; without it, the printer of the settings."""
    from kiosk.services import outbox

    reader, reader_detail = reader_state(settings, device)
    kind, target, folder = printer or (settings.printer_kind, settings.printer_target, settings.data_dir / "printed")
    printer_ready, printer_detail = printer_state(kind, target, folder)
    hub, hub_detail = hub_state(hub_url(settings, db), ca_file=settings.hub_ca_file)
    last, error = backup_state(db)
    return Health(reader, reader_detail, printer_ready, printer_detail, hub, hub_detail, outbox.pending_count(db),
                  last, error, str(settings.backup_folder))


def backup_state(db: Database) -> tuple[dict | None, dict | None]:
    """The last backup and the last failure after it (None when the backup after it succeeded)."""
    import json

    from kiosk.services.backup import LAST_BACKUP, LAST_BACKUP_ERROR

    last, error = db.meta(LAST_BACKUP), db.meta(LAST_BACKUP_ERROR)
    return (json.loads(last) if last else None), (json.loads(error) if error else None)
