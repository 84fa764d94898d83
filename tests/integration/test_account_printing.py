"""The identity-account confirmation through the real print pipeline: a request saved by the real
AccountService on SQLCipher, printed by PrintService to the PDF folder, ESC/POS bytes (python-escpos Dummy
and a loopback printer), the QPrinter back end, the account page's print button and `kiosk account print`.

What comes out is read back with poppler and a QR decoder; the code must verify offline."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from dossier_samples import StationClock, person, snapshot
from escpos.printer import Dummy
from escpos_sim import GS_V0, LoopbackPrinter, decode_qr, raster_from_escpos
from test_receipt_pdf import pdftotext, qr_from_page

from kiosk.devices.printers import EscPosPrinter, PdfFolderPrinter
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.services.accounts import AccountRequestInput, AccountService
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.printing import PrintFailed, PrintService
from kiosk.services.receipts import ReceiptService
from kiosk.support.config import Settings
from kiosk.support.jobs import run_inline

UNIT = "000.00.24.H57"
OFFICER = Principal("lan", Role.OFFICER)
ADMIN = Principal("root", Role.ADMIN)
SELFSERVICE = Principal("kiosk-sanh", Role.SELFSERVICE)
DOCUMENT = "account_confirmation"


@pytest.fixture
def station_clock() -> StationClock:
    return StationClock(datetime(2026, 11, 25, 10, 5))


@pytest.fixture
def accounts(db, station_clock) -> AccountService:
    return AccountService(db, UNIT, clock=station_clock)


@pytest.fixture
def receipts(db, data_dir, accounts, station_clock) -> ReceiptService:
    settings = Settings(data_dir=data_dir, unit_name="Công an phường Thanh Xuân",
                        parent_agency="Công an Thành phố Hà Nội")
    return ReceiptService(db, settings, accounts=lambda: accounts, clock=station_clock)


@pytest.fixture
def code(accounts, staff_service, operator) -> str:
    """A level-1 request taken by the officer Trần Thị Lan (her name is printed as the receiver)."""
    staff_service.add(operator, "lan", "Trần Thị Lan", "officer", "mat-khau-rat-dai-2026")
    request = AccountRequestInput(citizen=snapshot(person(21, age=35)), level=1, phone="0912345621",
                                  email="an@example.vn", integrations=["health_insurance"],
                                  consent_by=("holder",), consent_version="2026.1")
    return accounts.submit(OFFICER, request).tracking_code


def verified(receipts: ReceiptService, text: str, code: str) -> None:
    result = receipts.verify(SELFSERVICE, text)
    assert result.valid, result.reason
    assert (result.claims.tracking_code, result.claims.service_number) == (code, 0)


def test_pdf_folder_printer_writes_the_confirmation_with_a_verifying_qr(db, receipts, code, tmp_path) -> None:
    folder = tmp_path / "printed"
    printing = PrintService(db, receipts, "pdf", "", pdf_folder=folder)
    info = run_inline(printing.print(OFFICER, code, document=DOCUMENT))
    assert (info.status, info.document, info.layout, info.printer_kind) == ("printed", DOCUMENT, "a5", "pdf")
    out = Path(info.output)
    assert out.parent == folder and out.name == f"xac-nhan-{code}-a5.pdf"
    pdf = out.read_bytes()
    text = pdftotext(pdf, tmp_path)
    assert code in text and "xác nhận" in text.lower()
    assert "GIẤY XÁC NHẬN TIẾP NHẬN ĐỀ NGHỊ CẤP TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ" in text
    assert "Mức tài khoản: Mức 1" in text and "091****621" in text and "Thẻ bảo hiểm y tế" in text
    assert "10 giờ 05 phút, ngày 25 tháng 11 năm 2026" in text
    assert "Trần Thị Lan" in text  # the receiving officer, from the staff list
    scanned = qr_from_page(pdf, tmp_path)
    assert scanned == receipts.account_confirmation(OFFICER, code).qr_text
    verified(receipts, scanned, code)
    [job] = printing.jobs(OFFICER, code)
    assert (job.document, job.status, job.attempts) == (DOCUMENT, "printed", 1)
    actions = [(e["action"], e["target_kind"], e["detail"].get("document"))
               for e in audit.recent(db, ADMIN) if e["target_id"] == code]
    assert ("account.confirmation_printed", "account_request", DOCUMENT) in actions

    thermal = run_inline(printing.print(OFFICER, code, "thermal", document=DOCUMENT))
    assert Path(thermal.output).name == f"xac-nhan-{code}-thermal.pdf"
    assert code in pdftotext(Path(thermal.output).read_bytes(), tmp_path)


def test_escpos_bytes_carry_the_confirmation_and_a_qr_that_verifies(db, receipts, code) -> None:
    dummy = Dummy(profile="TM-T20II")
    printing = PrintService(db, receipts, printer=lambda: EscPosPrinter("tcp://dummy", connect=lambda: dummy))
    info = run_inline(printing.print(OFFICER, code, document=DOCUMENT))
    assert (info.status, info.document, info.layout, info.printer_kind) == ("printed", DOCUMENT, "thermal", "escpos")
    sent = dummy.output
    assert sent.startswith(b"\x10\x04\x01\x1b@\x1dv0\x00") and b"\x1dV\x00" in sent  # init, raster, ..., cut
    image = raster_from_escpos(sent)
    assert image.width == 576 and image.height > 600  # the whole 80 mm slip, not an empty strip
    text = decode_qr(image)
    assert text == receipts.account_confirmation(OFFICER, code).qr_text
    verified(receipts, text, code)
    with pytest.raises(InvalidInput):
        run_inline(printing.print(OFFICER, code, "a5", document=DOCUMENT))  # a roll takes no A5 sheet


def test_an_empty_printer_records_a_failed_confirmation_job_that_retry_prints(db, receipts, code, accounts) -> None:
    empty = LoopbackPrinter(paper=0x72)
    empty.start()
    printing = PrintService(db, receipts, "escpos", f"tcp://127.0.0.1:{empty.port}")
    with pytest.raises(PrintFailed) as failed:
        run_inline(printing.print(OFFICER, code, document=DOCUMENT))
    empty.join(5)
    assert failed.value.reason == "out_of_paper" and GS_V0 not in empty.received
    [job] = printing.jobs(OFFICER, code)
    assert (job.id, job.document, job.status, job.error, job.attempts) == (
        failed.value.job_id, DOCUMENT, "failed", "out_of_paper", 1)
    assert accounts.get(OFFICER, code)["status"] == "submitted"  # the request is untouched

    working = LoopbackPrinter()
    working.start()
    printing.target = f"tcp://127.0.0.1:{working.port}"
    done = run_inline(printing.retry(OFFICER, job.id))
    working.join(5)
    assert (done.id, done.document, done.status, done.attempts) == (job.id, DOCUMENT, "printed", 2)
    text = decode_qr(raster_from_escpos(bytes(working.received)))
    assert text == receipts.account_confirmation(OFFICER, code).qr_text  # the same confirmation, not a receipt
    actions = [(e["action"], e["detail"].get("reason")) for e in audit.recent(db, ADMIN) if e["target_id"] == code]
    assert ("account.confirmation_print_failed", "out_of_paper") in actions
    assert ("account.confirmation_printed", None) in actions


def test_an_unknown_document_or_a_missing_request_is_refused(db, receipts, code, tmp_path) -> None:
    printing = PrintService(db, receipts, printer=lambda: PdfFolderPrinter(tmp_path))
    with pytest.raises(InvalidInput) as bad:
        printing.print(OFFICER, code, document="passport")
    assert bad.value.errors[0][0] == "document" and "account_confirmation" in bad.value.errors[0][1]
    with pytest.raises(NotFound):
        run_inline(printing.print(OFFICER, f"{UNIT}-261125-9999", document=DOCUMENT))
    assert printing.jobs(OFFICER) == []  # nothing recorded for what does not exist


def test_qt_system_printer_prints_the_confirmation_pages(qapp, db, receipts, code, tmp_path) -> None:
    from PIL import Image

    from kiosk.devices.qt_printer import QtSystemPrinter

    out = tmp_path / "qt.pdf"
    printing = PrintService(db, receipts, printer=lambda: QtSystemPrinter(f"file:{out}"))
    info = run_inline(printing.print(OFFICER, code, document=DOCUMENT))
    assert (info.status, info.printer_kind, info.layout) == ("printed", "system", "a5")
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in pages and "(A5)" in pages
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(out), str(tmp_path / "qt")], check=True)
    with Image.open(next(tmp_path.glob("qt*.png"))) as img:
        verified(receipts, decode_qr(img), code)


def test_the_account_page_prints_in_the_background_and_retries_the_failed_job(
        qtbot, db, receipts, code, tmp_path) -> None:
    from kiosk.ui.account_page import AccountPage

    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    printing = PrintService(db, receipts, "escpos", f"tcp://127.0.0.1:{port}")
    kiosk = SimpleNamespace(printing=printing)
    page = AccountPage(kiosk, lambda: OFFICER, lambda: None, lambda: None)
    qtbot.addWidget(page)
    page.submitted = SimpleNamespace(tracking_code=code)
    page.print_button.show()

    page.print_confirmation()
    assert not page.print_button.isEnabled()
    qtbot.waitUntil(lambda: page.print_button.isEnabled(), timeout=10_000)
    assert page.result.text().startswith("Chưa in được: Máy in không phản hồi")
    [job] = printing.jobs(OFFICER, code)
    assert (job.document, job.status, job.error) == (DOCUMENT, "failed", "offline")

    printing._printer = lambda: PdfFolderPrinter(tmp_path / "printed")
    page.print_confirmation()
    qtbot.waitUntil(lambda: "xac-nhan-" in page.result.text(), timeout=10_000)
    assert page.result.text().startswith("Đã in giấy xác nhận.")
    [again] = printing.jobs(OFFICER, code)
    assert (again.id, again.status, again.attempts) == (job.id, "printed", 2)  # the same job, retried
    assert Path(again.output).read_bytes().startswith(b"%PDF")


def test_after_a_printer_change_the_account_page_starts_a_new_job(qtbot, db, receipts, code, tmp_path) -> None:
    from kiosk.ui.account_page import AccountPage

    printing = PrintService(db, receipts, "escpos", "tcp://127.0.0.1:1")
    page = AccountPage(SimpleNamespace(printing=printing), lambda: OFFICER, lambda: None, lambda: None)
    qtbot.addWidget(page)
    page.submitted = SimpleNamespace(tracking_code=code)
    page.print_confirmation()
    qtbot.waitUntil(lambda: page.print_button.isEnabled(), timeout=10_000)
    assert page.result.text().startswith("Chưa in được:")
    # The officer chose the PDF folder meanwhile: the failed thermal job stays (retryable), A5 prints anew.
    printing.kind, printing.target, printing.pdf_folder = "pdf", "", tmp_path / "printed"
    page.print_confirmation()
    qtbot.waitUntil(lambda: "xac-nhan-" in page.result.text(), timeout=10_000)
    assert str(tmp_path / "printed") in page.result.text()
    jobs = {j.status: j for j in printing.jobs(OFFICER, code)}
    assert set(jobs) == {"failed", "printed"}
    assert (jobs["failed"].layout, jobs["printed"].layout) == ("thermal", "a5")


def kiosk_cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_kiosk_account_print_end_to_end(tmp_path) -> None:
    data = tmp_path / "data"
    citizen = tmp_path / "c.json"
    citizen.write_text(json.dumps(snapshot(person(22, age=30)), ensure_ascii=False), encoding="utf-8")
    made = kiosk_cli(data, "account", "request", "--citizen", str(citizen), "--level", "1", "--phone",
                     "0912000022", "--json")
    assert made.returncode == 0, made.stderr
    code = json.loads(made.stdout)["tracking_code"]

    printed = kiosk_cli(data, "account", "print", code, "--json")
    assert printed.returncode == 0, printed.stderr
    info = json.loads(printed.stdout)
    assert info["printed"] and info["document"] == DOCUMENT and info["layout"] == "a5"
    out = Path(info["output"])
    assert out.parent == data / "printed" and out.name.startswith("xac-nhan-")
    text = pdftotext(out.read_bytes(), tmp_path)
    assert code in text and "xác nhận" in text.lower()

    human = kiosk_cli(data, "account", "print", code, "--layout", "thermal")
    assert human.returncode == 0, human.stderr
    assert human.stdout.startswith(f"Đã in giấy xác nhận đề nghị cấp tài khoản định danh điện tử {code} (thermal)")
    assert "giấy tiếp nhận hồ sơ" not in human.stdout

    # A printer that does not answer: exit 1, the job named; after choosing the PDF folder, the retry prints it.
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert kiosk_cli(data, "receipt", "printer", "escpos", f"tcp://127.0.0.1:{port}").returncode == 0
    failed = kiosk_cli(data, "account", "print", code, "--json")
    assert failed.returncode == 1
    refusal = json.loads(failed.stdout)
    assert refusal["printed"] is False and refusal["reason"] == "offline" and "kiosk receipt retry" in failed.stderr
    assert kiosk_cli(data, "receipt", "printer", "pdf").returncode == 0
    retried = kiosk_cli(data, "receipt", "retry", refusal["job_id"])
    assert retried.returncode == 0, retried.stderr
    assert retried.stdout.startswith(f"Đã in giấy xác nhận đề nghị cấp tài khoản định danh điện tử {code} (thermal)")
    jobs = json.loads(kiosk_cli(data, "receipt", "jobs", code, "--json").stdout)
    assert [(j["document"], j["status"]) for j in jobs] == [(DOCUMENT, "printed")] * 3

    unknown = kiosk_cli(data, "account", "print", f"{UNIT}-261125-9999")
    assert unknown.returncode == 1 and "Không tìm thấy" in unknown.stderr
