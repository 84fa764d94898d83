"""A drawn portrait for DG2: a simple face, deterministic from a seed, encoded as JPEG or JPEG 2000."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 240, 320

SKIN = ((241, 206, 170), (224, 172, 130), (198, 144, 104), (236, 192, 150))
HAIR = ((25, 20, 18), (45, 32, 25), (70, 50, 35))
BACKGROUNDS = ((235, 240, 248), (225, 232, 240), (245, 245, 245))


def draw_face(seed: int, sex: str = "M") -> Image.Image:
    rng = random.Random(f"kiosk-vchip-face-{seed}")
    img = Image.new("RGB", (WIDTH, HEIGHT), rng.choice(BACKGROUNDS))
    d = ImageDraw.Draw(img)
    skin, hair = rng.choice(SKIN), rng.choice(HAIR)
    cx, cy = WIDTH // 2 + rng.randint(-6, 6), 150 + rng.randint(-6, 6)
    fw, fh = rng.randint(62, 72), rng.randint(84, 94)
    # Shoulders and shirt.
    d.ellipse((cx - 120, cy + fh - 10, cx + 120, cy + fh + 170), fill=(250, 250, 252))
    d.polygon([(cx - 25, cy + fh), (cx + 25, cy + fh), (cx, cy + fh + 40)], fill=skin)
    d.rectangle((cx - 22, cy + fh - 30, cx + 22, cy + fh + 5), fill=skin)
    # Hair behind the face, longer for women.
    if sex == "F":
        d.ellipse((cx - fw - 18, cy - fh - 16, cx + fw + 18, cy + 40), fill=hair)
        d.rectangle((cx - fw - 18, cy, cx - fw + 14, cy + fh + 25), fill=hair)
        d.rectangle((cx + fw - 14, cy, cx + fw + 18, cy + fh + 25), fill=hair)
    else:
        d.ellipse((cx - fw - 6, cy - fh - 14, cx + fw + 6, cy + 10), fill=hair)
    d.ellipse((cx - fw, cy - fh, cx + fw, cy + fh), fill=skin)
    d.ellipse((cx - fw - 10, cy - 12, cx - fw + 8, cy + 22), fill=skin)
    d.ellipse((cx + fw - 8, cy - 12, cx + fw + 10, cy + 22), fill=skin)
    d.chord((cx - fw - 4, cy - fh - 12, cx + fw + 4, cy - fh + 70), 180, 360, fill=hair)
    ey = cy - 10
    for side in (-1, 1):
        ex = cx + side * 27
        d.ellipse((ex - 13, ey - 7, ex + 13, ey + 7), fill=(255, 255, 255))
        d.ellipse((ex - 6, ey - 6, ex + 6, ey + 6), fill=(40, 30, 25))
        d.line((ex - 15, ey - 17, ex + 15, ey - 19 + rng.randint(-2, 2)), fill=hair, width=4)
    d.line((cx, ey + 5, cx - 6, cy + 28), fill=tuple(int(c * 0.8) for c in skin), width=3)
    d.line((cx - 6, cy + 28, cx + 6, cy + 30), fill=tuple(int(c * 0.8) for c in skin), width=3)
    mw = rng.randint(18, 26)
    d.arc((cx - mw, cy + 30, cx + mw, cy + 56), 20, 160, fill=(150, 70, 70), width=4)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    # Sensor-like noise so the JPEG has realistic size (about 15 KB), still deterministic.
    noise = Image.frombytes("L", (WIDTH, HEIGHT), rng.randbytes(WIDTH * HEIGHT))
    return Image.blend(img, Image.merge("RGB", (noise, noise, noise)), 0.06)


def encode_portrait(img: Image.Image, fmt: str = "jpeg", target_bytes: int = 15_000) -> bytes:
    """JPEG near `target_bytes` (quality chosen by bisection) or lossy JPEG 2000 of similar size."""
    if fmt == "jpeg2000":
        buf = io.BytesIO()
        ratio = max(2, WIDTH * HEIGHT * 3 // target_bytes)
        img.save(buf, "JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
        return buf.getvalue()
    best = b""
    lo, hi = 10, 95
    while lo <= hi:
        q = (lo + hi) // 2
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q, optimize=False)
        data = buf.getvalue()
        if len(data) <= target_bytes:
            best, lo = data, q + 1
        else:
            hi = q - 1
    if not best:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=10)
        best = buf.getvalue()
    return best


def pad_jpeg(jpeg: bytes, size: int) -> bytes:
    """Grow a JPEG to at least `size` bytes with COM segments after SOI (ITU T.81 §B.2.4.5), so
    a DG ≥ 32 KB can be built without changing the picture."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    out = bytearray(jpeg[:2])
    missing = size - len(jpeg)
    while missing > 0:
        chunk = min(missing, 65533)
        chunk = max(chunk, 1)
        out += b"\xff\xfe" + (chunk + 2).to_bytes(2, "big") + bytes(chunk)
        missing -= chunk + 4
    out += jpeg[2:]
    return bytes(out)
