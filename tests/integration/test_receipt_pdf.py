"""Receipts of real dossiers rendered to PDF, read back with poppler (pdftotext, pdftoppm) and zbarimg.

The dossier comes from the real DossierService on SQLCipher; the QR code read from the rendered
page must verify offline, and tampered, foreign and expired codes must be refused with their reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import zxingcpp
from dossier_samples import StationClock, sample_dossier
from PIL import Image

from kiosk.db.engine import open_database
from kiosk.domain.receipt import RefusalData, SupplementItem, SupplementRequestData
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import DossierService
from kiosk.services.errors import PermissionDenied
from kiosk.services.receipt_layouts import render
from kiosk.services.receipts import ReceiptService, render_receipt
from kiosk.support.config import Settings

OFFICER = Principal("lan", Role.OFFICER)
SELFSERVICE = Principal("kiosk-sanh", Role.SELFSERVICE)
TOOLS = {"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}


@pytest.fixture(scope="module", autouse=True)
def tools() -> None:
    missing = sorted({pkg for tool, pkg in TOOLS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"these tests read the PDFs with real tools: apt-get install {' '.join(missing)}")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def station_clock() -> StationClock:
    return StationClock(datetime(2026, 11, 25, 10, 0))


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, unit_name="Công an phường Thanh Xuân", parent_agency="Công an Thành phố Hà Nội")


@pytest.fixture
def dossiers(db, catalog, station_clock, tmp_path) -> DossierService:
    return DossierService(db, catalog, CalendarService(imported_path=tmp_path / "cal.json"), "000.00.24.H57",
                          clock=station_clock)


@pytest.fixture
def receipts(db, settings, dossiers, catalog, station_clock) -> ReceiptService:
    return ReceiptService(db, settings, lambda: dossiers, lambda: catalog, clock=station_clock)


def submit(dossiers: DossierService, number: int = 3, seed: int = 1):
    sample = sample_dossier(dossiers.catalog.get(number), seed)
    done = dossiers.submit(OFFICER, number, sample["citizen"], sample["persons"], sample["form"], sample["attachments"])
    return done, sample


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    """The page text in reading order, with line breaks and runs of spaces made single spaces."""
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())


def qr_from_page(pdf: bytes, tmp_path: Path, dpi: int = 200) -> str:
    """Rasterise page 1 with pdftoppm and read the QR code with zbarimg."""
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    png = next(tmp_path.glob("page*.png"))
    out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_a5_receipt_holds_the_exact_vietnamese_strings_and_a_verifying_qr(receipts, dossiers, tmp_path) -> None:
    done, sample = submit(dossiers)
    name = sample["citizen"]["personal"]["full_name"]
    data = receipts.receipt_data(OFFICER, done.tracking_code)
    pdf = render_receipt(data, "a5")
    text = pdftotext(pdf, tmp_path)
    # Procedure 1.004222 as published: "tiếp nhận hồ sơ và cấp Phiếu tiếp nhận hồ sơ và hẹn trả kết quả
    # (Mẫu CT04 ban hành kèm theo Thông tư số 66/2023/TT-BCA) cho người đăng ký".
    assert "Mẫu CT04 ban hành kèm theo Thông tư 66/2023/TT-BCA" in text
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Mã thủ tục hành chính: 1.004222" in text
    # "Trường hợp công dân nộp hồ sơ trực tiếp thu 20.000 đồng/lần đăng ký" (Circular 75/2022/TT-BTC).
    assert "Lệ phí: 20.000 đồng" in text
    assert f"Mã hồ sơ: {done.tracking_code}" in text
    assert name in text
    assert "Đăng ký thường trú" in text
    assert "Hà Nội, ngày 25 tháng 11 năm 2026" in text
    assert "4. Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 25 tháng 11 năm 2026" in text
    # Seven working days counted from Thursday 26/11/2026: Friday 4/12/2026.
    assert "08 giờ 00 phút, ngày 04 tháng 12 năm 2026" in text
    assert "07 ngày làm việc" in text
    assert "Liên 1: Giao người nộp hồ sơ" in text and "Liên 2: Lưu tại Bộ phận tiếp nhận" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: " + done.tracking_code[-4:] in text
    for doc in data.documents:
        assert doc.name.split(" ")[0] in text

    scanned = qr_from_page(pdf, tmp_path)
    assert scanned == data.qr_text
    result = receipts.verify(SELFSERVICE, scanned)
    assert result.valid, result.reason
    assert result.claims.tracking_code == done.tracking_code
    assert result.claims.appointment.isoformat() == "2026-12-04"
    assert result.claims.kiosk_id == receipts.own_key().kiosk_id
    assert name not in scanned and sample["citizen"]["personal"]["id_number"] not in scanned


def test_reprint_gives_the_same_qr_code(receipts, dossiers, station_clock) -> None:
    done, _ = submit(dossiers)
    first = receipts.receipt_data(OFFICER, done.tracking_code).qr_text
    station_clock.set(datetime(2026, 11, 27, 15, 0))
    assert receipts.receipt_data(OFFICER, done.tracking_code).qr_text == first


def test_tampered_foreign_and_expired_codes_are_refused(receipts, dossiers, settings, tmp_path, station_clock) -> None:
    done, _ = submit(dossiers)
    text = receipts.receipt_data(OFFICER, done.tracking_code).qr_text
    from kiosk.domain.qr_payload import PREFIX, b45decode

    # One character of the signature changed into another that still decodes as Base45 (some
    # triples would exceed 65535 and be refused earlier, as not_base45).
    i = len(text) - 5
    tampered = next(
        candidate
        for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if ch != text[i]
        for candidate in [text[:i] + ch + text[i + 1:]]
        if _decodes(b45decode, candidate[len(PREFIX):])
    )
    refused = receipts.verify(SELFSERVICE, tampered)
    assert (refused.valid, refused.reason) == (False, "bad_signature")
    assert refused.message_vi == "Mã QR đã bị sửa đổi hoặc giả mạo: chữ ký không khớp."

    other_db = open_database(tmp_path / "other-kiosk", use_keyring=False)
    try:
        other = ReceiptService(other_db, settings, clock=station_clock)
        foreign = other.sign("000.00.24.H57-261125-2001", 3, datetime(2026, 11, 25, 3, 0))
        assert receipts.verify(SELFSERVICE, foreign).reason == "unknown_key"
        with pytest.raises(PermissionDenied):
            receipts.trust_add(OFFICER, other.own_key().kiosk_id, other.own_key().public_key)
        receipts.trust_add(Principal("root", Role.ADMIN), other.own_key().kiosk_id, other.own_key().public_key)
        assert receipts.verify(SELFSERVICE, foreign).valid
        receipts.trust_remove(Principal("root", Role.ADMIN), other.own_key().kid)
        assert receipts.verify(SELFSERVICE, foreign).reason == "unknown_key"
    finally:
        other_db.dispose()

    claims = receipts.verify(SELFSERVICE, text).claims
    late = receipts.verify(SELFSERVICE, text, now=claims.expires_at + timedelta(seconds=1))
    assert late.reason == "expired" and late.claims.tracking_code == done.tracking_code


def test_thermal_slip_is_80_mm_wide_and_its_qr_reads_with_zxing(receipts, dossiers, tmp_path) -> None:
    done, sample = submit(dossiers, number=4)
    data = receipts.receipt_data(OFFICER, done.tracking_code)
    pdf = render_receipt(data, "thermal")
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width = float(info.split("Page size:")[1].split("x")[0])
    assert abs(width - 80 / 25.4 * 72) < 0.5
    assert "Pages:           1" in info
    text = pdftotext(pdf, tmp_path)
    assert "Đăng ký tạm trú" in text and done.tracking_code in text
    subprocess.run(["pdftoppm", "-r", "203", "-png", str(path), str(tmp_path / "slip")], check=True)
    with Image.open(next(tmp_path.glob("slip*.png"))) as img:
        found = zxingcpp.read_barcodes(img.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [b.text for b in found] == [data.qr_text]
    assert receipts.verify(SELFSERVICE, found[0].text).valid


def test_a_long_document_list_flows_onto_a_second_page_of_the_copy(receipts, dossiers, tmp_path) -> None:
    from dataclasses import replace

    from kiosk.domain.receipt import ReceivedDocument

    done, _ = submit(dossiers)
    data = receipts.receipt_data(OFFICER, done.tracking_code)
    many = replace(data, documents=tuple(ReceivedDocument(f"Giấy tờ số {i}", "copy", i) for i in range(1, 41)))
    path = tmp_path / "long.pdf"
    path.write_bytes(render_receipt(many, "a5", ("applicant",)))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert int(info.split("Pages:")[1].split()[0]) >= 2
    text = pdftotext(path.read_bytes(), tmp_path)
    assert "Giấy tờ số 40 (bản sao, số lượng: 40)" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


def test_supplement_request_and_refusal_say_what_and_why(tmp_path) -> None:
    at = datetime(2026, 11, 25, 10, 0)
    supplement = SupplementRequestData(
        "000.00.24.H57-261125-0001", "Công an Thành phố Hà Nội", "Công an phường Thanh Xuân", "Hà Nội",
        "Lê Thị Hoa", "Đăng ký thường trú", at, at,
        (SupplementItem("Văn bản đồng ý của chủ hộ", "Chủ hộ chưa ký xác nhận đồng ý cho nhập hộ khẩu"),), "",
        "Bộ phận một cửa, số điện thoại 024 3858 0000", "Trần Văn Bình")
    text = pdftotext(render(supplement, "pdf", "a4"), tmp_path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "1. Văn bản đồng ý của chủ hộ" in text
    assert "Lý do: Chủ hộ chưa ký xác nhận đồng ý cho nhập hộ khẩu" in text
    refusal = RefusalData("000.00.24.H57-261125-0002", "Công an Thành phố Hà Nội", "Công an phường Thanh Xuân",
                          "Hà Nội", "Lê Thị Hoa", "Đăng ký khai tử", at,
                          ("Việc khai tử thuộc thẩm quyền của Ủy ban nhân dân xã nơi cư trú cuối cùng",))
    text = pdftotext(render(refusal, "pdf", "a5"), tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "- Việc khai tử thuộc thẩm quyền của Ủy ban nhân dân xã nơi cư trú cuối cùng" in text


def test_account_confirmation_renders_its_rows_and_qr(receipts, tmp_path) -> None:
    from kiosk.domain.receipt import AccountConfirmationData

    qr = receipts.sign("TK-261125-0001", 0, datetime(2026, 11, 25, 3, 0))
    data = AccountConfirmationData("TK-261125-0001", "Công an Thành phố Hà Nội", "Công an phường Thanh Xuân",
                                   "Hà Nội", "Phạm Minh Đức", datetime(2026, 11, 25, 10, 5),
                                   rows=(("Mức tài khoản", "Mức 2"), ("Số điện thoại", "091****678")), qr_text=qr)
    pdf = render(data, "pdf", "a5")
    text = pdftotext(pdf, tmp_path)
    assert "Mức tài khoản: Mức 2" in text and "Phạm Minh Đức" in text
    assert "10 giờ 05 phút, ngày 25 tháng 11 năm 2026" in text
    assert qr_from_page(pdf, tmp_path) == qr


def test_keys_from_the_hub_replace_the_previous_hub_list(receipts, db, tmp_path, settings) -> None:
    from kiosk.services.receipts import store_station_keys

    other_db = open_database(tmp_path / "k2", use_keyring=False)
    try:
        other = ReceiptService(other_db, settings)
        key = other.own_key()
        code = other.sign("000.00.24.H57-261125-3001", 4, datetime(2026, 11, 25, 3, 0))
    finally:
        other_db.dispose()
    stored = store_station_keys(db, [(key.kiosk_id, key.public_key)])
    assert (stored.added, stored.removed) == (1, 0)
    assert receipts.verify(SELFSERVICE, code).valid
    assert store_station_keys(db, [(key.kiosk_id, key.public_key)]).added == 0  # applying twice is harmless
    assert store_station_keys(db, []).removed == 1  # the hub revoked the station
    assert receipts.verify(SELFSERVICE, code).reason == "unknown_key"
    actions = [e["action"] for e in audit.recent(db, Principal("root", Role.ADMIN))]
    assert actions.count("qr.keys_stored") == 2


def kiosk_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=90,
                          env=dict(os.environ))


def test_cli_renders_a_receipt_and_verifies_its_code(data_dir, catalog, tmp_path) -> None:
    db = open_database(data_dir, use_keyring=False)
    try:
        dossiers = DossierService(db, catalog, CalendarService(imported_path=tmp_path / "cal.json"), "000.00.24.H57")
        done, sample = submit(dossiers)
    finally:
        db.dispose()
    out = tmp_path / "receipt.pdf"
    rendered = kiosk_cli("receipt", "render", done.tracking_code, "--layout", "a5", "--out", str(out), "--json")
    assert rendered.returncode == 0, rendered.stderr
    payload = json.loads(rendered.stdout)
    assert payload["out"] == str(out) and out.read_bytes().startswith(b"%PDF")
    assert sample["citizen"]["personal"]["full_name"] in pdftotext(out.read_bytes(), tmp_path)

    ok = kiosk_cli("qr", "verify", payload["qr"], "--json")
    assert ok.returncode == 0, ok.stderr
    verdict = json.loads(ok.stdout)
    assert verdict["valid"] is True and verdict["claims"]["tracking_code"] == done.tracking_code

    bad = kiosk_cli("qr", "verify", payload["qr"][:-4] + ("0000" if not payload["qr"].endswith("0000") else "1111"),
                    "--json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["valid"] is False
    human = kiosk_cli("qr", "verify", "hello")
    assert human.returncode == 1 and "không phải mã QR" in human.stdout and "Traceback" not in human.stderr

    missing = kiosk_cli("receipt", "render", "000.00.24.H57-261125-9999", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode == 1 and "Không tìm thấy" in missing.stderr and "Traceback" not in missing.stderr


def _decodes(decode, text: str) -> bool:
    try:
        decode(text)
    except ValueError:
        return False
    return True


def test_a_dossiers_status_gives_its_notice_mau_02_or_03_printed_and_rendered(receipts, dossiers, db, tmp_path,
                                                                              station_clock) -> None:
    """Supplement requested → Mẫu 02 with one item per line of the officer's note; refused → Mẫu 03 with
    the reason; any other status has no notice. Printed as a recorded job and rendered by the CLI."""
    from kiosk.services.errors import InvalidInput
    from kiosk.services.printing import PrintService
    from kiosk.support.jobs import run_inline

    done, sample = submit(dossiers, 3, seed=7)
    with pytest.raises(InvalidInput):
        receipts.status_notice(OFFICER, done.tracking_code)  # just received: nothing to notify
    station_clock.set(datetime(2026, 11, 26, 9, 30))
    dossiers.change_status(OFFICER, done.tracking_code, "supplement_requested",
                           "- Bản sao Giấy khai sinh\n- Tờ khai CT01 có chữ ký của chủ hộ\n")
    notice = receipts.status_notice(OFFICER, done.tracking_code)
    assert [item.what for item in notice.items] == ["Bản sao Giấy khai sinh", "Tờ khai CT01 có chữ ký của chủ hộ"]
    printing = PrintService(db, receipts, "pdf", "", pdf_folder=tmp_path / "printed")
    job = run_inline(printing.print(OFFICER, done.tracking_code, document="status_notice"))
    assert job.document == "status_notice" and Path(job.output).name.startswith("thong-bao-")
    text = pdftotext(Path(job.output).read_bytes(), tmp_path)
    # Residence hands out its own forms: "Phiếu hướng dẫn bổ sung, hoàn thiện hồ sơ (mẫu CT05 ...)" and
    # "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (mẫu CT06 ban hành kèm theo Thông tư số 66/2023/TT-BCA)".
    for expected in ("PHIẾU HƯỚNG DẪN BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mẫu CT05", done.tracking_code, "1. Bản sao Giấy khai sinh",
                     "2. Tờ khai CT01 có chữ ký của chủ hộ", sample["citizen"]["personal"]["full_name"],
                     "ngày 26 tháng 11 năm 2026"):
        assert expected in text, expected

    supervisor = Principal("truong", Role.SUPERVISOR)
    dossiers.change_status(OFFICER, done.tracking_code, "processing")
    dossiers.change_status(supervisor, done.tracking_code, "rejected",
                           "Nơi đăng ký không thuộc địa bàn phường Thanh Xuân")
    out = tmp_path / "mau03.pdf"
    rendered = kiosk_cli("receipt", "render", done.tracking_code, "--notice", "--layout", "a5", "--out", str(out),
                         "--json")
    assert rendered.returncode == 0, rendered.stderr
    assert json.loads(rendered.stdout)["form"] == "CT06"
    text = pdftotext(out.read_bytes(), tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ" in text and "Mẫu CT06" in text
    assert "- Nơi đăng ký không thuộc địa bàn phường Thanh Xuân" in text
