"""One kiosk of a station for the tests: its own encrypted database and the real services a counter runs
(dossiers, receipts with signed QR codes, a PDF-folder printer, sync with the hub, the status check)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dossier_samples import StationClock, sample_dossier

from kiosk.db.engine import open_database
from kiosk.domain.roles import Principal, Role
from kiosk.services.accounts import AccountService
from kiosk.services.calendar import CalendarService
from kiosk.services.dossiers import DossierService
from kiosk.services.printing import PrintService
from kiosk.services.receipts import ReceiptService
from kiosk.services.status_check import StatusCheckService
from kiosk.services.sync import SyncPolicy, SyncService
from kiosk.support.config import Settings
from kiosk.support.jobs import run_inline

OFFICER = Principal("lan", Role.OFFICER)
CITIZEN = Principal("kiosk-sanh", Role.SELFSERVICE)
FAST = SyncPolicy(attempts=1, wait_initial_s=0.001, wait_max_s=0.01, jitter_s=0.001, lookup_timeout_s=2.0)
READERS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}


class StationKiosk:
    """A counter PC or the hall kiosk: what it stores, prints and syncs is all real."""

    def __init__(self, folder: Path, catalog, transport, unit: str = "000.00.24.H57",
                 policy: SyncPolicy = FAST) -> None:
        self.folder = folder
        self.catalog = catalog
        self.unit = unit
        self.transport = transport
        self.policy = policy
        self.open()

    def open(self) -> None:
        self.db = open_database(self.folder, use_keyring=False)
        # The station's clock follows the real one: the hub stamps its own changes with real time.
        self.clock = StationClock(datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=7))
        self.dossiers = DossierService(self.db, self.catalog, CalendarService(imported_path=self.folder / "cal.json"),
                                       self.unit, clock=self.clock)
        self.receipts = ReceiptService(self.db, Settings(data_dir=self.folder), lambda: self.dossiers,
                                       lambda: self.catalog, clock=self.clock)
        self.printing = PrintService(self.db, self.receipts, "pdf", "", pdf_folder=self.folder / "printed")
        self.sync = SyncService(self.db, policy=self.policy, transport=self.transport, sleep=lambda _s: None,
                                unit_id=self.unit, on_recode=[AccountService.recoded])
        self.status = StatusCheckService(self.receipts, self.dossiers, self.catalog, hub_lookup=self.sync.lookup)

    def close(self) -> None:
        self.db.dispose()

    def submit(self, number: int, seed: int) -> tuple[str, str]:
        """A dossier taken at this counter: (its tracking code, the text of its receipt's QR code)."""
        sample = sample_dossier(self.catalog.get(number), seed)
        done = self.dossiers.submit(OFFICER, number, sample["citizen"], sample["persons"], sample["form"],
                                    sample["attachments"])
        return done.tracking_code, self.receipts.receipt_data(OFFICER, done.tracking_code).qr_text

    def print_receipt(self, code: str) -> Path:
        """The receipt (Mẫu 01) through the PDF-folder printer, as a recorded print job."""
        info = run_inline(self.printing.print(OFFICER, code, document="receipt"))
        assert info.status == "printed", info
        return Path(info.output)


def need_readers() -> None:
    missing = sorted({pkg for tool, pkg in READERS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"these tests read the printed PDFs with real tools: apt-get install {' '.join(missing)}")


def pdf_text(path: Path) -> str:
    """The page text (poppler's pdftotext), runs of white space made single spaces."""
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def pdf_qr(path: Path, work: Path, dpi: int = 200) -> str:
    """Page 1 rasterised by pdftoppm, its QR code read by zbarimg."""
    prefix = work / f"{path.stem}-page"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(path), str(prefix)], check=True)
    png = next(work.glob(f"{prefix.name}*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()
