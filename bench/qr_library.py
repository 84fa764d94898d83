"""segno against qrcode on the receipt's signed payload: matrix time, symbol size, and decoding.

    python bench/qr_library.py [--runs N]

Both libraries build the module matrix of the same text (a typical receipt payload and the largest
one our claims allow) at error-correction level Q, which the receipt uses. For each payload it
prints the median time to the matrix, the QR version each chose, and whether zbarimg and zxing-cpp
read the text back from an image drawn from that matrix (4 pixels a module, quiet zone of 4).
Needs `pip install qrcode` (not a dependency of the kiosk) and zbarimg (Debian: zbar-tools).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

import qrcode
import segno
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.domain import qr_payload


def payloads() -> dict[str, str]:
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    typical = qr_payload.QrClaims("000.00.24.H57-261125-1001", 3, "K-1A2B3C4D", datetime(2026, 11, 25, 3, 0),
                                  datetime(2027, 12, 4), date(2026, 12, 4))
    largest = qr_payload.QrClaims("9" * qr_payload.MAX_CODE_LENGTH, 999, "K" * qr_payload.MAX_KIOSK_ID_LENGTH,
                                  datetime(2099, 12, 31, 23, 59, 59), datetime(2100, 12, 31), date(2100, 1, 1))
    return {"typical": qr_payload.encode(typical, key), "largest": qr_payload.encode(largest, key)}


def segno_matrix(text: str) -> tuple[int, list]:
    """The symbol the receipt draws: segno's own matrix, as `receipt_layouts.qr_matrix` takes it."""
    qr = segno.make_qr(text, error="q", boost_error=False)
    return qr.version, qr.matrix


def qrcode_matrix(text: str) -> tuple[int, list]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=0)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.version, qr.get_matrix()


def image(matrix: list[list[bool]], scale: int = 4, quiet: int = 4) -> Image.Image:
    size = (len(matrix) + 2 * quiet) * scale
    img = Image.new("L", (size, size), 255)
    px = img.load()
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    for dx in range(scale):
                        px[(c + quiet) * scale + dx, (r + quiet) * scale + dy] = 0
    return img


def zbar_reads(img: Image.Image) -> str:
    with tempfile.TemporaryDirectory() as folder:
        png = Path(folder) / "qr.png"
        img.save(png)
        out = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                             capture_output=True, text=True, check=False)
        return out.stdout.strip()


def zxing_reads(img: Image.Image) -> str:
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else ""


def median_ms(build, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        build(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    if shutil.which("zbarimg") is None:
        raise SystemExit("zbarimg is needed (Debian: apt-get install zbar-tools)")
    for name, text in payloads().items():
        print(f"{name} payload: {len(text)} characters")
        for library, build in (("segno", segno_matrix), ("qrcode", qrcode_matrix)):
            for _ in range(5):
                build(text)
            ms = median_ms(build, text, args.runs)
            version, matrix = build(text)
            img = image(matrix)
            zbar = "yes" if zbar_reads(img) == text else "NO"
            zxing = "yes" if zxing_reads(img) == text else "NO"
            print(f"  {library:7s} matrix {ms:6.2f} ms (median of {args.runs})  version {version:2d}  "
                  f"zbarimg reads it: {zbar}  zxing-cpp reads it: {zxing}")


if __name__ == "__main__":
    main()
