"""DG2: the face image, an ISO/IEC 19794-5 record inside a CBEFF biometric template
(ICAO 9303-10 §4.7.2; ISO/IEC 7816-11 tags 7F61, 7F60, A1, 5F2E / 7F2E)."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ParseError
from .tlv import Tlv, parse_single

STEP = "DG2"

_JPEG = b"\xff\xd8\xff"
_JP2 = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
_J2K = b"\xff\x4f\xff\x51"


@dataclass(frozen=True, slots=True)
class FaceImage:
    data: bytes
    mime: str  # "image/jpeg" | "image/jp2"
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Dg2:
    faces: tuple[FaceImage, ...]

    @property
    def face(self) -> FaceImage:
        return self.faces[0]


def _sniff(data: bytes) -> str | None:
    if data.startswith(_JPEG):
        return "image/jpeg"
    if data.startswith(_JP2) or data.startswith(_J2K):
        return "image/jp2"
    return None


def _u(data: bytes, pos: int, size: int) -> int:
    if pos + size > len(data):
        raise ParseError(STEP, "facial record truncated")
    return int.from_bytes(data[pos : pos + size], "big")


def parse_facial_record(bdb: bytes) -> tuple[FaceImage, ...]:
    """ISO/IEC 19794-5:2005 §5.4-5.7: general header, then per face a record with feature points,
    image information and the image."""
    if not bdb.startswith(b"FAC\x00"):
        raise ParseError(STEP, "biometric data block is not a facial record (FAC)")
    count = _u(bdb, 12, 2)
    if count == 0:
        raise ParseError(STEP, "facial record holds no face")
    faces = []
    pos = 14
    for _ in range(count):
        length = _u(bdb, pos, 4)
        if length < 32 or pos + length > len(bdb):
            raise ParseError(STEP, "facial record length out of range")
        points = _u(bdb, pos + 4, 2)
        info = pos + 20 + 8 * points
        image_type = _u(bdb, info + 1, 1)
        width = _u(bdb, info + 2, 2)
        height = _u(bdb, info + 4, 2)
        image_start = info + 12
        image = bdb[image_start : pos + length]
        mime = _sniff(image) or {0: "image/jpeg", 1: "image/jp2"}.get(image_type)
        if mime is None or not image:
            raise ParseError(STEP, "face image type is neither JPEG nor JPEG 2000")
        faces.append(FaceImage(image, mime, width, height))
        pos += length
    return tuple(faces)


def _bdbs(template: Tlv) -> list[bytes]:
    found = []
    for child in template.children(STEP):
        if child.tag in (0x5F2E, 0x7F2E):
            found.append(child.value)
        elif child.tag == 0x7F60:
            found.extend(_bdbs(child))
    return found


def parse_dg2(data: bytes) -> Dg2:
    outer = parse_single(data, 0x75, STEP)
    group = outer.require(0x7F61, STEP)
    faces: list[FaceImage] = []
    for bdb in _bdbs(group):
        if bdb.startswith(b"FAC\x00"):
            faces.extend(parse_facial_record(bdb))
        else:
            # 7F2E may hold the block in further TLVs (ISO 7816-11, encrypted or extended forms).
            raise ParseError(STEP, "unsupported biometric data block format")
    if not faces:
        raise ParseError(STEP, "no face image in DG2")
    return Dg2(tuple(faces))
