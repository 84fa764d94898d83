"""Receipt layout rules without external tools: date wording, wrapping, the QR path, dossier mapping."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import segno
from PIL import Image
from reportlab.lib.pagesizes import A4

from kiosk.domain.receipt import AccountConfirmationData, ReceiptData, place_of, station_time
from kiosk.services import layout_flow as lf
from kiosk.services import layout_surfaces as ls
from kiosk.services import receipt_layouts as rl
from kiosk.services.catalog import load_catalog
from kiosk.services.receipts import receipt_data_from_dossier
from kiosk.support.config import Settings


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2026, 2, 5, 7, 5), "07 giờ 05 phút, ngày 05 tháng 02 năm 2026"),
    (datetime(2026, 1, 31, 16, 45), "16 giờ 45 phút, ngày 31 tháng 01 năm 2026"),
    (datetime(2026, 3, 9, 0, 0), "00 giờ 00 phút, ngày 09 tháng 3 năm 2026"),
    (datetime(2026, 12, 4, 8, 0), "08 giờ 00 phút, ngày 04 tháng 12 năm 2026"),
])
def test_dates_follow_decree_30_zero_padding(moment: datetime, text: str) -> None:
    assert rl.vn_datetime(moment) == text


def test_station_time_is_utc_plus_seven_all_year() -> None:
    assert station_time(datetime(2026, 6, 30, 20, 30)) == datetime(2026, 7, 1, 3, 30)
    assert station_time(datetime(2026, 12, 31, 17, 0)) == datetime(2027, 1, 1, 0, 0)


def test_place_comes_from_the_parent_agency() -> None:
    assert place_of("Công an Thành phố Hà Nội") == "Hà Nội"
    assert place_of("Công an tỉnh Lào Cai") == "Lào Cai"


def test_wrapped_lines_stay_inside_the_column_and_keep_every_word() -> None:
    ls.register_fonts()
    surface = ls.PdfSurface(None, 0)  # type: ignore[arg-type]
    flow = lf.Flow(surface, 150, 10)
    text = ("Giấy tờ, tài liệu chứng minh việc sở hữu chỗ ở hợp pháp của người đăng ký thường trú "
            "nguyen.thi.hong.nhung.rat.dai@mot-ten-mien-rat-dai.example.vn")
    lines = flow._wrap([(text, False)], 10, 12, 8)
    for offset, runs in lines:
        assert offset + sum(surface.width(t, b, 10) for t, b in runs) <= 150 + 0.01
    joined = " ".join("".join(t for t, _ in runs).strip() for _, runs in lines)
    assert joined.replace(" ", "") == text.replace(" ", "")
    assert [o for o, _ in lines][:2] == [12, 20]  # first line indented, the rest hanging


def test_qr_runs_rebuild_the_module_matrix() -> None:
    matrix = ls.qr_matrix("VNK1:ABC123")
    rebuilt = [[0] * len(matrix) for _ in matrix]
    for r, c, n in ls.qr_runs(matrix):
        for k in range(n):
            rebuilt[r][c + k] = 1
    assert rebuilt == [[int(bool(v)) for v in row] for row in matrix]
    assert segno.make_qr("VNK1:ABC123", error="q", boost_error=False).matrix == matrix


def test_raster_slip_is_exactly_the_head_width_with_whole_dot_modules() -> None:
    data = ReceiptData("000.00.24.H57-261125-0001", 4, "Đăng ký tạm trú", "Công an Thành phố Hà Nội",
                       "Công an phường Demo", "Hà Nội", "Lê Văn Tám", datetime(2026, 11, 25, 10, 0),
                       qr_text="VNK1:" + "A" * 200)
    for dots in (576, 640):
        image = rl.render(data, "raster", dots=dots)
        assert image.width == dots and image.mode == "1"
    surface = ls.RasterSurface(Image.new("L", (1, 1)), 203.2)
    assert surface.snap_module(ls.QR_MODULE) * 203.2 / 72 == pytest.approx(4)
    with pytest.raises(ValueError):
        rl.render(data, "raster", dots=384)  # a 58 mm head cannot take the 72 mm slip


def test_any_layout_gives_sheets_and_a_roll_the_account_confirmation_too() -> None:
    data = AccountConfirmationData("000.00.24.H57-261125-0007", "Công an Thành phố Hà Nội", "Công an phường Demo",
                                   "Hà Nội", "Phạm Minh Đức", datetime(2026, 11, 25, 10, 5),
                                   rows=(("Mức tài khoản", "Mức 2"),), notes=("Cán bộ không hỏi mật khẩu.",),
                                   qr_text="VNK1:" + "B" * 200)
    for dots in (576, 640):
        image = rl.render(data, "raster", dots=dots)
        assert image.width == dots and image.mode == "1" and image.height > image.width
    with pytest.raises(ValueError):
        rl.render(data, "raster", dots=384)
    [a4] = rl.render(data, "pages", "a4", dpi=72)
    assert a4.size == (round(A4[0]), round(A4[1])) and a4.mode == "L"
    [roll] = rl.render(data, "pages", "thermal", dpi=203.2)
    assert roll.width == round(ls.THERMAL_WIDTH / 72 * 203.2) and roll.mode == "1"
    # On the roll, "pages" and "raster" printers get the same strip (the paper's width versus the head's).
    receipt = ReceiptData("000.00.24.H57-261125-0001", 4, "Đăng ký tạm trú", "Công an Thành phố Hà Nội",
                          "Công an phường Demo", "Hà Nội", "Lê Văn Tám", datetime(2026, 11, 25, 10, 0))
    [strip] = rl.render(receipt, "pages", "thermal", dpi=203.2)
    assert strip.tobytes() == rl.render(receipt, "raster", dots=strip.width).tobytes()


def test_a_hand_built_dossier_maps_to_the_receipt_values() -> None:
    catalog = load_catalog()
    service = catalog.get(3)
    form = {"applicant_phone": "0912345678", "applicant_email": "hoa@example.vn",
            "new_residence": {"detail": "Số 5 ngõ 7 phố Khương Trung", "commune": "phường Thanh Xuân",
                              "province": "thành phố Hà Nội"}}
    dossier = {
        "tracking_code": "000.00.24.H57-261125-1001", "service_no": 3, "service_name_vi": service.name_vi,
        "received_at": "2026-11-25T10:00:00+07:00", "appointment_date": "2026-12-04", "form": form,
        "persons": [{"role": "applicant", "full_name": "Lê Thị Hoa", "chip": None}], "attachments": [],
        "created_by": "lan",
    }
    settings = Settings(unit_name="Công an phường Thanh Xuân", parent_agency="Công an Thành phố Hà Nội")
    data = receipt_data_from_dossier(dossier, settings, None, catalog, receiver_name="Trần Văn Bình")
    assert data.applicant_name == "Lê Thị Hoa"
    assert data.applicant_address == "Số 5 ngõ 7 phố Khương Trung, phường Thanh Xuân, thành phố Hà Nội"
    assert (data.applicant_phone, data.applicant_email) == ("0912345678", "hoa@example.vn")
    assert data.received_at == datetime(2026, 11, 25, 10, 0)
    assert data.due_at == datetime(2026, 12, 4, 8, 0)
    assert data.processing_days == service.processing.days_for(form) == 7
    assert {d.name for d in data.documents} == {d.what_vi for d in service.documents_for(form) if d.required}
    assert data.place == "Hà Nội" and data.register_number == "1001" and data.qr_text == ""
    assert date.fromisoformat(dossier["appointment_date"]) == data.due_at.date()


def test_a_same_day_service_says_so_instead_of_a_day_count() -> None:
    catalog = load_catalog()
    dossier = {"tracking_code": "000.00.24.H57-261125-1002", "service_no": 9, "received_at": "2026-11-25T10:00:00",
               "appointment_date": "2026-11-25", "form": {}, "persons": [], "subject_name": "Nguyễn Văn Bé"}
    data = receipt_data_from_dossier(dossier, Settings(), None, catalog)
    assert data.processing_days is None and data.processing_text == "Trong ngày làm việc"
    assert data.applicant_name == "Nguyễn Văn Bé"
