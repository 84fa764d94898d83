"""Composition root: builds settings, database, devices and services; nothing else lives here."""

from __future__ import annotations

import dataclasses
import functools
import getpass
import json
import logging
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from kiosk.db.engine import Database, open_database
from kiosk.devices.camera import Camera, SimulatedCamera
from kiosk.devices.device_thread import DeviceThread
from kiosk.devices.printers import register_printer_kind
from kiosk.domain.roles import Principal, Role
from kiosk.services.cards import CardService
from kiosk.services.staff import StaffService
from kiosk.support.config import LoadedSettings, Settings
from kiosk.support.logsetup import setup_logging

log = logging.getLogger(__name__)


@dataclass
class Kiosk:
    """Everything a front end (GUI or CLI) needs, wired together."""

    loaded: LoadedSettings
    db: Database
    staff: StaffService
    device: DeviceThread
    cards: CardService
    first_admin_password: str | None = None
    #: The counter camera; headless and under test a simulated one with no frames (no camera).
    camera: Camera = field(default_factory=SimulatedCamera)

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @functools.cached_property
    def catalog(self):
        """The 25 services (resources/services), loaded on first use."""
        from kiosk.services.catalog import load_catalog

        return load_catalog()

    @functools.cached_property
    def calendar(self):
        """Working days: the official calendar plus what the administrator imported into the data folder."""
        from kiosk.services.calendar import CalendarService

        return CalendarService(imported_path=self.settings.data_dir / "calendar" / "imported.json")

    @functools.cached_property
    def dossiers(self):
        from kiosk.services.dossiers import DossierService

        return DossierService(self.db, self.catalog, self.calendar, self.settings.unit_id,
                              province=self.settings.province)

    @functools.cached_property
    def sync(self):
        """Push/pull with the central hub (kiosk.services.sync); the GUI worker calls `run_once`."""
        from kiosk.services.accounts import AccountService
        from kiosk.services.sync import SyncService

        return SyncService(self.db, self.settings.hub_url,
                           after_sync=[lambda: self.accounts.after_sync(), lambda: self.queue.after_sync()],
                           on_renumber=[AccountService.outbox_renumbered], on_recode=[AccountService.recoded],
                           unit_id=self.settings.unit_id, ca_file=self.settings.hub_ca_file)

    @functools.cached_property
    def receipts(self):
        """Receipts (Mẫu 01/02/03), signed QR codes and their offline verification."""
        from kiosk.services.receipts import ReceiptService

        return ReceiptService(self.db, self.settings, lambda: self.dossiers, lambda: self.catalog,
                              accounts=lambda: self.accounts)

    @functools.cached_property
    def printing(self):
        """Print jobs on the chosen printer (settings printer_kind / printer_target; a staff member may choose
        another while the kiosk runs, so ask this service, not the settings, which printer is in use)."""
        from kiosk.services.printing import PrintService

        s = self.settings
        # The folder of an empty "pdf" target: data/printed, whichever printer was chosen at start-up.
        return PrintService(self.db, self.receipts, s.printer_kind, s.printer_target, s.data_dir / "printed",
                            sources={"queue": lambda: self.queue, "guide": lambda: self.guide})

    @functools.cached_property
    def status_check(self):
        """The citizen's status check: a receipt's QR or a typed code → status, date, what to bring."""
        from kiosk.services.status_check import StatusCheckService

        return StatusCheckService(self.receipts, self.dossiers, self.catalog, accounts=self.accounts,
                                  hub_lookup=self.sync.lookup)

    @functools.cached_property
    def accounts(self):
        """Electronic identification account requests (Decree 69/2024), with the optional face match."""
        from kiosk.services.accounts import AccountService

        return AccountService(self.db, self.settings.unit_id,
                              portrait_retention_days=self.settings.portrait_retention_days)

    @functools.cached_property
    def backups(self):
        """Encrypted, self-checking backups: by hand and daily into the backup folder (kiosk.services.backup)."""
        from kiosk.services.backup import BackupService

        s = self.settings
        return BackupService(self.db, s.data_dir, s.backup_folder, s.backup_keep)

    @functools.cached_property
    def retention(self):
        """The retention policy per kind of personal data (kiosk.services.retention)."""
        from kiosk.services.retention import RetentionService

        return RetentionService(self.db, self.settings, self.loaded.locked)

    @functools.cached_property
    def guide(self):
        """The citizens' service guide: the 25 services in plain-word groups (also the queue's counter groups)."""
        from kiosk.services.guide import GuideService

        return GuideService(self.catalog, self.calendar, self.settings.unit_name)

    @functools.cached_property
    def hub_link(self):
        """Short, signed requests to the hub for the hall's queue and the ratings (a citizen is waiting)."""
        from kiosk.services.queue_hub import HubLink

        return HubLink(self.db, self.sync)

    @functools.cached_property
    def queue(self):
        """Queue tickets with the citizen's draft (hall), calls, recalls and receipt of the draft (counter)."""
        from kiosk.services.queue import QueueService

        s = self.settings
        groups = [g for g in s.queue_groups.replace(";", ",").split(",") if g.strip()]
        return QueueService(self.db, self.dossiers, self.guide, self.receipts, self.sync, counter_name=s.counter_name,
                            groups=groups, minutes_per_ticket=s.queue_minutes_per_ticket, unit_name=s.unit_name,
                            link=self.hub_link)

    @functools.cached_property
    def exit_pin(self):
        """The administrator's PIN that leaves the hall's full-screen mode."""
        from kiosk.services.lockdown import ExitPinService

        return ExitPinService(self.db)

    @functools.cached_property
    def ratings(self):
        from kiosk.services.ratings import RatingService

        return RatingService(self.db, self.status_check, self.hub_link)

    demo_card: DemoCard | None = None
    demo_hub: DemoHub | None = None

    def close(self) -> None:
        if self.demo_card is not None:
            self.demo_card.stop()
        if self.demo_hub is not None:
            self.demo_hub.stop()
        self.device.shutdown(wait=True)
        self.db.dispose()


@dataclass
class DemoCard:
    """The virtual CCCD chip of demo mode, served on vpcd's first slot by a child process."""

    process: subprocess.Popen
    reader: str
    id_number: str
    birth_date: date
    expiry_date: date | None
    can: str = ""  # the six digits printed on the card (PACE)

    def stop(self) -> None:
        from kiosk.support import children

        children.stop(self.process)


DEMO_HUB_PORT = 47863


@dataclass
class DemoHub:
    """Demo mode's hub, served on loopback by a child process (`kiosk.hub.demo`) over SQLite in the demo folder."""

    process: subprocess.Popen
    url: str
    hub_key: str  # the hub's public signing key (base64url), pinned by a demo folder enrolled before hubs signed

    def create_enrol_code(self, station: str, units: list[str], timeout: float = 20.0) -> str:
        """A one-time enrolment code of the demo hub for this kiosk."""
        from kiosk.support import children

        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"enrol_code": {"station": station, "units": units}}) + "\n")
        self.process.stdin.flush()
        line = children.read_line(self.process, timeout)
        if not line:
            raise RuntimeError("the demo hub gave no enrolment code")
        return str(json.loads(line)["code"])

    def stop(self) -> None:
        from kiosk.support import children

        children.stop(self.process)


def start_demo_hub(data_dir: Path, log_dir: Path | None = None, timeout: float = 30.0) -> DemoHub | None:
    """Demo mode's hub on loopback (SQLite in the demo folder), a child process like the demo card; None (logged)
    when it does not start (its port is taken)."""
    from kiosk.support import children

    folder = data_dir / "hub"
    log_dir = log_dir or folder
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # the hub's own folder stays private
    args = ["--db", str(folder / "hub.db"), "--port", str(DEMO_HUB_PORT)]
    with (log_dir / "demo-hub.log").open("ab") as errors:  # the child keeps its own copy of the handle
        process = children.start("hub", args, stderr=errors)
    line = children.read_line(process, timeout)
    info = json.loads(line) if line.startswith("{") else {"error": "no answer"}
    if "url" not in info:
        children.stop(process, timeout=2)
        log.warning("demo: the hub did not start (%s); see %s", info.get("error"), log_dir / "demo-hub.log")
        return None
    log.info("demo: hub served on %s", info["url"])
    return DemoHub(process, str(info["url"]), str(info["hub_key"]))


def start_demo_card(trust_dir: Path, log_dir: Path, seed: int = 1, timeout: float = 20.0,
                    card_access: str = "pace") -> DemoCard | None:
    """Start the virtual chip and trust its test CSCA; None (logged) when pcscd/vpcd is missing.
    `card_access="pace"` (the default, as the CCCD): PACE with the CAN or the MRZ, BAC too (docs/card.md),
    for the counter's key field and the hall's CAN numpad alike."""
    from kiosk.support import children

    trust_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    args = ["--seed", str(seed), "--print-key", "--csca-out", str(trust_dir / "demo-csca.pem"), "--lifeline",
            "--card-access", card_access]
    with (log_dir / "demo-card.log").open("ab") as errors:  # the child keeps its own copy of the handle
        process = children.start("vchip", args, stderr=errors)
    line = children.read_line(process, timeout)
    if not line:
        children.stop(process, timeout=2)
        log.warning("demo: the virtual card did not start (is pcscd running with vsmartcard-vpcd?); see %s",
                    log_dir / "demo-card.log")
        return None
    info = json.loads(line)
    key = info["access_key"]
    expiry = info.get("expiry_date")
    log.info("demo: virtual card served on %s", info["reader"])
    return DemoCard(
        process, info["reader"], key["id_number"], date.fromisoformat(info["birth_date"]),
        date.fromisoformat(expiry) if expiry else None, str(key.get("can") or ""),
    )


def operator_principal() -> Principal:
    """The machine's operator: whoever runs a headless command with access to the data folder's key."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (service accounts, containers)
        user = "unknown"
    return Principal(f"{user}@{socket.gethostname()}", Role.OPERATOR)


def _system_printer(target: str):
    """The "system" printer kind: Qt's print system, imported only when such a printer is used, so a
    headless command that never prints to it imports neither Qt nor the UI package."""
    from kiosk.devices.qt_printer import QtSystemPrinter

    return QtSystemPrinter(target)


def with_gui_devices(kiosk: Kiosk) -> Kiosk:
    """The devices only a window has: the counter camera through QtMultimedia."""
    from kiosk.devices.qt_camera import QtCamera

    kiosk.camera = QtCamera()
    return kiosk


def build(loaded: LoadedSettings, console_log: bool = False, with_demo_card: bool = False) -> Kiosk:
    """Open the data folder: logging, the encrypted database (migrated), the first administrator."""
    settings = loaded.settings
    setup_logging(settings.log_dir, settings.log_level, console=console_log)
    register_printer_kind("system", _system_printer)
    demo_hub = None
    if settings.demo and with_demo_card and not settings.hub_url:
        demo_hub = start_demo_hub(settings.data_dir, settings.log_dir)
        if demo_hub is not None:
            loaded = dataclasses.replace(loaded, settings=settings.replace(hub_url=demo_hub.url))
            settings = loaded.settings
    db = open_database(settings.data_dir, use_keyring=settings.use_keyring)
    log.info("database open (key from %s)", db.key_source)
    staff = StaffService(db, timedelta(seconds=settings.staff_idle_timeout_s),
                         station_words=(settings.station_id, settings.unit_name))
    device = DeviceThread()
    cards = CardService(db, device, settings.data_dir / "trust", settings.reader_name)
    kiosk = Kiosk(loaded, db, staff, device, cards)
    kiosk.first_admin_password = staff.ensure_first_admin()
    if settings.demo:
        staff.ensure_demo_officer(operator_principal())
        kiosk.exit_pin.ensure_demo_pin(operator_principal())
    if settings.demo and with_demo_card:
        kiosk.demo_card = start_demo_card(settings.data_dir / "trust", settings.log_dir)
    if demo_hub is not None:
        kiosk.demo_hub = demo_hub
        state = kiosk.sync.state()
        if not state.enrolled:
            code = demo_hub.create_enrol_code(settings.station_id, units=[settings.unit_id])
            kiosk.sync.enrol(operator_principal(), code, demo_hub.url)
        elif state.hub_key_fingerprint is None:
            # A demo folder enrolled before hubs signed their answers: its hub is this kiosk's own child.
            kiosk.sync.pin_hub_key(operator_principal(), demo_hub.hub_key, "demo")
    return kiosk
