"""Prime-curve point arithmetic for PACE generic mapping (ICAO 9303-11 §4.4.3.3.2), which needs
point addition and multiplication by an arbitrary generator that `cryptography` does not expose.

Affine coordinates with Python integers: about 5 ms per 256-bit multiplication, run a handful
of times per PACE. Not constant-time; the keys it handles are ephemeral and used once.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ec

from .keys import curve_parameters

Point = tuple[int, int] | None  # None is the point at infinity

#: Standardized domain parameters of ICAO 9303-11 §9.5.1 (prime curves `cryptography` knows).
STANDARD_CURVES: dict[int, type[ec.EllipticCurve]] = {
    8: ec.SECP192R1, 10: ec.SECP224R1, 12: ec.SECP256R1, 13: ec.BrainpoolP256R1,
    15: ec.SECP384R1, 16: ec.BrainpoolP384R1, 17: ec.BrainpoolP512R1, 18: ec.SECP521R1,
}


@dataclass(frozen=True, slots=True)
class Curve:
    p: int
    a: int
    b: int
    g: tuple[int, int]
    n: int

    @classmethod
    def standard(cls, parameter_id: int) -> Curve:
        c = curve_parameters(STANDARD_CURVES[parameter_id])
        return cls(c.p, c.a, c.b, (c.gx, c.gy), c.n)

    @property
    def size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def contains(self, point: Point) -> bool:
        if point is None:
            return False
        x, y = point
        return 0 <= x < self.p and 0 <= y < self.p and (y * y - x * x * x - self.a * x - self.b) % self.p == 0

    def add(self, p1: Point, p2: Point) -> Point:
        if p1 is None:
            return p2
        if p2 is None:
            return p1
        (x1, y1), (x2, y2) = p1, p2
        if x1 == x2:
            if (y1 + y2) % self.p == 0:
                return None
            slope = (3 * x1 * x1 + self.a) * pow(2 * y1, -1, self.p)
        else:
            slope = (y2 - y1) * pow(x2 - x1, -1, self.p)
        x3 = (slope * slope - x1 - x2) % self.p
        return x3, (slope * (x1 - x3) - y1) % self.p

    def multiply(self, k: int, point: Point) -> Point:
        result: Point = None
        addend = point
        while k:
            if k & 1:
                result = self.add(result, addend)
            addend = self.add(addend, addend)
            k >>= 1
        return result

    def encode(self, point: Point) -> bytes:
        """Uncompressed X9.62 encoding (BSI TR-03111 §3.2.1)."""
        assert point is not None
        return b"\x04" + point[0].to_bytes(self.size, "big") + point[1].to_bytes(self.size, "big")

    def decode(self, data: bytes) -> Point:
        """An uncompressed point on this curve, or None when it is anything else."""
        if len(data) != 1 + 2 * self.size or data[0] != 0x04:
            return None
        point = (int.from_bytes(data[1 : 1 + self.size], "big"), int.from_bytes(data[1 + self.size :], "big"))
        return point if self.contains(point) else None

    def scalar(self, rng) -> int:
        """A private key in [1, n−1] from `rng(bytes)`; values out of range are drawn again."""
        while True:
            k = int.from_bytes(rng(self.size), "big")
            if 1 <= k < self.n:
                return k
