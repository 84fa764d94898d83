"""Median render time of the A5 receipt (one copy, signed QR) against a bare reportlab page.

    python bench/receipt.py [--runs N]

The bare page draws the same lines of text with drawString at fixed positions and the same QR
matrix the simplest way (one canvas.rect per dark module), with the same embedded fonts. Both are
rendered to bytes in memory, in the same process, alternately. Target: ≤ 1.3 × bare and ≤ 40 ms.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.domain import qr_payload
from kiosk.domain.receipt import ReceiptData, ReceivedDocument
from kiosk.services import layout_surfaces as ls
from kiosk.services import receipt_layouts as rl


def sample() -> ReceiptData:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    claims = qr_payload.QrClaims("000.00.24.H57-261125-1001", 3, "K-1A2B3C4D", datetime(2026, 11, 25, 3, 0),
                                 datetime(2027, 12, 4), date(2026, 12, 4))
    return ReceiptData(
        tracking_code="000.00.24.H57-261125-1001", service_number=3, procedure="Đăng ký thường trú",
        parent_agency="Công an Thành phố Hà Nội", receiving_unit="Công an phường Thanh Xuân", place="Hà Nội",
        applicant_name="Nguyễn Thị Hồng Nhung", received_at=datetime(2026, 11, 25, 10, 0),
        applicant_address="Số 12 ngõ 34 phố Nguyễn Trãi, phường Thanh Xuân, thành phố Hà Nội",
        applicant_phone="0912345678", applicant_email="nhung@example.vn",
        documents=(ReceivedDocument("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)", "original", 1),
                   ReceivedDocument("Giấy tờ chứng minh chỗ ở hợp pháp", "copy", 1),
                   ReceivedDocument("Văn bản đồng ý của chủ hộ", "original", 1)),
        processing_days=7, due_at=datetime(2026, 12, 4, 8, 0),
        result_at="Bộ phận tiếp nhận và trả kết quả, Công an phường Thanh Xuân", register_book="2026",
        register_number="1001", receiver_name="Trần Văn Bình", qr_text=qr_payload.encode(claims, key),
    )


def page_lines(data: ReceiptData) -> list[tuple[str, bool]]:
    """The receipt's text as the lines the bare page draws (pre-broken, no layout work)."""
    lines = [("CÔNG AN THÀNH PHỐ HÀ NỘI", False), ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
             ("CÔNG AN PHƯỜNG THANH XUÂN", True), ("Độc lập - Tự do - Hạnh phúc", True),
             (f"{data.place}, {rl.vn_date(data.received_at)}", False),
             ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", True), (f"Mã hồ sơ: {data.tracking_code}", True),
             ("(Liên 1: Giao người nộp hồ sơ)", False),
             (f"Bộ phận tiếp nhận và trả kết quả {data.receiving_unit}", False),
             (f"tiếp nhận hồ sơ của: {data.applicant_name}", False), (f"Địa chỉ: {data.applicant_address}", False),
             (f"Số điện thoại: {data.applicant_phone}", False), (f"Email: {data.applicant_email}", False),
             (f"Nội dung yêu cầu giải quyết: {data.procedure}", False), ("1. Thành phần hồ sơ nộp gồm:", False)]
    lines += [(f"   {d.name} ({d.kind}, {d.count:02d})", False) for d in data.documents]
    lines += [(f"2. Số lượng hồ sơ: {data.sets:02d} (bộ)", False),
              (f"3. Thời gian giải quyết hồ sơ theo quy định là: {data.processing_days:02d} ngày làm việc", False),
              (f"4. Thời gian nhận hồ sơ: {rl.vn_datetime(data.received_at)}", False),
              (f"5. Thời gian trả kết quả: {rl.vn_datetime(data.due_at)}", False),
              (f"6. Đăng ký nhận kết quả tại: {data.result_at}", False),
              ("Vào Sổ theo dõi hồ sơ, Quyển số: 2026, Số thứ tự: 1001", False),
              ("NGƯỜI NỘP HỒ SƠ          NGƯỜI TIẾP NHẬN HỒ SƠ", True),
              ("(Ký và ghi rõ họ tên)          (Ký và ghi rõ họ tên)", False),
              (f"{data.applicant_name}          {data.receiver_name}", True)]
    return lines


def bare_page(data: ReceiptData) -> bytes:
    out = io.BytesIO()
    c = Canvas(out, pagesize=A5, pageCompression=1, invariant=1)
    y = A5[1] - 12 * mm
    for text, bold in page_lines(data):
        c.setFont(ls.FONT_BOLD if bold else ls.FONT_REGULAR, 9)
        c.drawString(11 * mm, y, text)
        y -= 12
    matrix = ls.qr_matrix(data.qr_text)
    m = 0.5 * mm
    x0, y0 = A5[0] - 45 * mm, A5[1] - 80 * mm
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x0 + col * m, y0 - r * m, m, m, stroke=0, fill=1)
    c.showPage()
    c.save()
    return out.getvalue()


def ours(data: ReceiptData) -> bytes:
    return rl.render(data, "pdf", "a5", copies=("applicant",))


def median_ms(fn, data: ReceiptData, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(data)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    data = sample()
    ls.register_fonts()  # once per process in the kiosk too; not part of a render
    for _ in range(3):
        ours(data), bare_page(data)
    ours_ms, bare_ms = [], []
    for _ in range(5):  # alternate in rounds so both see the same machine load
        ours_ms.append(median_ms(ours, data, args.runs // 5))
        bare_ms.append(median_ms(bare_page, data, args.runs // 5))
    o, b = statistics.median(ours_ms), statistics.median(bare_ms)
    both = median_ms(lambda d: rl.render(d, "pdf", "a5"), data, max(5, args.runs // 5))
    thermal = median_ms(lambda d: rl.render(d, "pdf", "thermal"), data, max(5, args.runs // 5))
    raster = median_ms(lambda d: rl.render(d, "raster"), data, max(5, args.runs // 5))
    print(f"A5 receipt, one copy, signed QR: {o:6.1f} ms (median of {args.runs})")
    print(f"bare reportlab page, same text and QR: {b:6.1f} ms")
    print(f"ratio: {o / b:.2f}x   (target <= 1.3x and <= 40 ms: {'met' if o <= 40 and o / b <= 1.3 else 'NOT met'})")
    print(f"A5 both copies: {both:6.1f} ms   thermal PDF: {thermal:6.1f} ms   thermal raster 576 dots: {raster:6.1f} ms")


if __name__ == "__main__":
    main()
