"""An ESC/POS printer for tests: a loopback TCP printer that records the bytes it gets, and the reading back
of what it printed (the GS v 0 raster, the QR code on it)."""

from __future__ import annotations

import socket
import struct
import threading

import zxingcpp
from PIL import Image

#: ESC/POS "GS v 0": print a raster bit image (1D 76 30 m xL xH yL yH d1…dk).
GS_V0 = b"\x1dv0"


def raster_from_escpos(data: bytes) -> Image.Image:
    """Rebuild the bitmap from the GS v 0 raster commands a printer would receive."""
    rows: list[bytes] = []
    width = 0
    at = data.find(GS_V0)
    assert at >= 0, "no GS v 0 raster command"
    while at >= 0:
        width, height = struct.unpack_from("<HH", data, at + 4)
        start = at + 8
        block = data[start:start + width * height]
        rows.extend(block[i * width:(i + 1) * width] for i in range(height))
        at = data.find(GS_V0, start + width * height)
    image = Image.frombytes("1", (width * 8, len(rows)), b"".join(rows))
    # ESC/POS: a set bit is a black dot; PIL mode "1": a set bit is white.
    return image.point(lambda v: 255 - v)


def decode_qr(image: Image.Image) -> str:
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    return found[0].text


class LoopbackPrinter(threading.Thread):
    """An ESC/POS printer on 127.0.0.1: answers DLE EOT status queries; can run out of paper or die mid-job."""

    def __init__(self, paper: int = 0x12, die_after: int | None = None) -> None:
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.paper = paper
        self.die_after = die_after
        self.received = bytearray()

    def run(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            while chunk := conn.recv(65536):
                self.received += chunk
                if self.die_after is not None and len(self.received) > self.die_after:
                    # Power cut: reset the connection instead of closing it politely.
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    break
                if chunk.endswith(b"\x10\x04\x04"):
                    conn.sendall(bytes([self.paper]))
                elif chunk[-3:] in (b"\x10\x04\x01", b"\x10\x04\x02"):
                    conn.sendall(b"\x12")
        self.server.close()
