"""Printing receipts of real dossiers: the PDF folder, ESC/POS bytes (python-escpos Dummy and a loopback
printer that answers DLE EOT), the QPrinter back end, and failures that lose nothing."""

from __future__ import annotations

import socket
import struct
from datetime import datetime
from pathlib import Path

import pytest
from dossier_samples import StationClock, sample_dossier
from escpos.printer import Dummy
from escpos_sim import GS_V0, LoopbackPrinter, decode_qr, raster_from_escpos
from PIL import Image

from kiosk.db.models_receipts import PrintJob
from kiosk.devices.printers import EscPosPrinter, PdfFolderPrinter, PrinterError
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import DossierService
from kiosk.services.errors import InvalidInput
from kiosk.services.printing import PrintFailed, PrintService
from kiosk.services.receipts import ReceiptService
from kiosk.support.config import Settings
from kiosk.support.jobs import Cancelled, CancelToken, Progress, run_inline

OFFICER = Principal("lan", Role.OFFICER)
ADMIN = Principal("root", Role.ADMIN)
SELFSERVICE = Principal("kiosk-sanh", Role.SELFSERVICE)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def receipts(db, data_dir, catalog, tmp_path) -> ReceiptService:
    clock = StationClock(datetime(2026, 11, 25, 10, 0))
    dossiers = DossierService(db, catalog, CalendarService(imported_path=tmp_path / "cal.json"), "000.00.24.H57",
                              clock=clock)
    return ReceiptService(db, Settings(data_dir=data_dir), lambda: dossiers, lambda: catalog, clock=clock)


@pytest.fixture
def code(receipts) -> str:
    dossiers = receipts.dossiers()
    sample = sample_dossier(dossiers.catalog.get(4), 3)
    return dossiers.submit(OFFICER, 4, sample["citizen"], sample["persons"], sample["form"],
                           sample["attachments"]).tracking_code


def test_escpos_bytes_carry_the_slip_and_a_qr_that_verifies(db, receipts, code) -> None:
    dummy = Dummy(profile="TM-T20II")
    printing = PrintService(db, receipts, printer=lambda: EscPosPrinter("tcp://dummy", connect=lambda: dummy))
    progress: list[Progress] = []
    info = printing.print(OFFICER, code)(progress.append, CancelToken())
    assert (info.status, info.layout, info.printer_kind) == ("printed", "thermal", "escpos")
    sent = dummy.output
    # DLE EOT 1 (status; the Dummy cannot answer, so printing goes on), ESC @, the raster, ...
    assert sent.startswith(b"\x10\x04\x01\x1b@\x1dv0\x00")
    # ... ESC d 6 (feed past the cutter), GS V 0 (full cut), then the status again.
    assert sent.endswith(b"\x1bd\x06\x1dV\x00\x10\x04\x01")
    assert struct.unpack_from("<H", sent, sent.find(GS_V0) + 4)[0] == 576 // 8
    image = raster_from_escpos(sent)
    assert image.width == 576
    text = decode_qr(image)
    assert text == receipts.receipt_data(OFFICER, code).qr_text
    assert receipts.verify(SELFSERVICE, text).valid
    assert progress[-1].fraction == 1.0 and any(p.step == "print" for p in progress)


def test_out_of_paper_is_refused_before_printing_and_the_job_can_be_retried(db, receipts, code, tmp_path) -> None:
    printer = LoopbackPrinter(paper=0x72)
    printer.start()
    target = f"tcp://127.0.0.1:{printer.port}"
    printing = PrintService(db, receipts, "escpos", target)
    with pytest.raises(PrintFailed) as failed:
        run_inline(printing.print(OFFICER, code))
    printer.join(5)
    assert failed.value.reason == "out_of_paper" and not failed.value.partial
    assert failed.value.message_vi == "Máy in hết giấy. Hồ sơ đã được lưu; hãy thay cuộn giấy rồi in lại phiếu."
    assert GS_V0 not in printer.received  # nothing was sent to an empty printer
    [job] = printing.jobs(OFFICER, code)
    assert (job.status, job.error, job.attempts) == ("failed", "out_of_paper", 1)

    working = LoopbackPrinter()
    working.start()
    printing.target = f"tcp://127.0.0.1:{working.port}"
    done = run_inline(printing.retry(OFFICER, job.id))
    working.join(5)
    assert (done.id, done.status, done.attempts) == (job.id, "printed", 2)
    assert decode_qr(raster_from_escpos(bytes(working.received))) == receipts.receipt_data(OFFICER, code).qr_text
    actions = [(e["action"], e["detail"].get("reason")) for e in audit.recent(db, ADMIN) if e["target_id"] == code]
    assert ("receipt.print_failed", "out_of_paper") in actions and ("receipt.printed", None) in actions


def test_a_printer_dying_mid_job_loses_nothing_and_says_so(db, receipts, code, tmp_path) -> None:
    printer = LoopbackPrinter(die_after=30_000)
    printer.start()
    printing = PrintService(db, receipts, "escpos", f"tcp://127.0.0.1:{printer.port}")
    with pytest.raises(PrintFailed) as failed:
        run_inline(printing.print(OFFICER, code))
    printer.join(5)
    assert failed.value.reason == "interrupted" and failed.value.partial
    assert "phiếu có thể bị in dở" in failed.value.message_vi and "Hồ sơ đã được lưu" in failed.value.message_vi
    assert receipts.dossiers().get(OFFICER, code)["tracking_code"] == code  # the dossier is intact
    [job] = printing.jobs(OFFICER, status="failed")
    assert job.tracking_code == code and job.error == "interrupted"

    pdf_printer = PdfFolderPrinter(tmp_path / "printed")
    printing._printer = lambda: pdf_printer
    done = run_inline(printing.retry(OFFICER, job.id))
    assert done.status == "printed" and Path(done.output).read_bytes().startswith(b"%PDF")


def test_an_unreachable_printer_is_offline_and_recorded(db, receipts, code) -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    printing = PrintService(db, receipts, "escpos", f"tcp://127.0.0.1:{port}")
    with pytest.raises(PrintFailed) as failed:
        run_inline(printing.print(OFFICER, code))
    assert failed.value.reason == "offline"
    assert printing.jobs(OFFICER, code)[0].status == "failed"


def test_pdf_folder_printer_writes_whole_files_and_a_cancel_is_recorded(db, receipts, code, tmp_path) -> None:
    folder = tmp_path / "printed"
    printing = PrintService(db, receipts, "pdf", "", pdf_folder=folder)
    first = run_inline(printing.print(OFFICER, code, "a5"))
    second = run_inline(printing.print(OFFICER, code, "a5"))
    assert first.output != second.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([Path(first.output).name, Path(second.output).name])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        printing.print(OFFICER, code)(lambda p: None, token)
    statuses = sorted(j.status for j in printing.jobs(OFFICER, code))
    assert statuses == ["cancelled", "printed", "printed"]
    with pytest.raises(InvalidInput):
        printing.print(OFFICER, code, "a6")


def test_a_thermal_printer_refuses_a_page_layout(db, receipts, code) -> None:
    printing = PrintService(db, receipts, printer=lambda: EscPosPrinter("tcp://x", connect=lambda: Dummy()))
    with pytest.raises(InvalidInput):
        run_inline(printing.print(OFFICER, code, "a4"))
    with db.sessions() as session:
        assert session.query(PrintJob).count() == 0


def test_escpos_target_errors_are_typed() -> None:
    with pytest.raises(PrinterError) as bad:
        EscPosPrinter("tcp://127.0.0.1:9100?profile=NO-SUCH-PRINTER")
    assert bad.value.reason == "bad_target"


def test_qt_system_printer_prints_pages_whose_qr_verifies(qapp, db, receipts, code, tmp_path) -> None:
    import subprocess

    from kiosk.devices.qt_printer import QtSystemPrinter

    out = tmp_path / "qt.pdf"
    printing = PrintService(db, receipts, printer=lambda: QtSystemPrinter(f"file:{out}"))
    info = run_inline(printing.print(OFFICER, code, "a5"))
    assert info.status == "printed" and info.printer_kind == "system"
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in pages and "(A5)" in pages
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(out), str(tmp_path / "qt")], check=True)
    with Image.open(next(tmp_path.glob("qt*.png"))) as img:
        text = decode_qr(img)
    assert receipts.verify(SELFSERVICE, text).valid
