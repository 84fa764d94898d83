"""Face match of the counter portrait against the chip's DG2 photo, as advice for the officer.

The model is dlib's ResNet face descriptor with its 5-point landmark model, both shipped in the
`face-recognition-models` package and run by `dlib-bin` (the optional `face` extra). Two photos of one
person give descriptors closer than 0.6 (dlib's published threshold, 99.38 % on LFW). Without the
extra there is no score, only a note; a photo with no face found is a warning to retake, never a pass.
Images and descriptors never reach a log.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

#: dlib's distance threshold for "same person" with dlib_face_recognition_resnet_model_v1.
MATCH_THRESHOLD = 0.6
#: Portraits are stored at most this size (ICAO 9303-10 DG2 images are about 480×640 or smaller).
MAX_SIDE = 640
#: Margin around the detected face box, as a share of its size: hair, chin and ears stay in the crop.
CROP_MARGIN = 0.6

MESSAGES = {
    "match": ("Ảnh chụp tại quầy KHỚP với ảnh trong chip (điểm {score}). Đây là gợi ý; cán bộ quyết định.",
              "The counter portrait MATCHES the chip photo (score {score}). Advice only; the officer decides."),
    "no_match": ("Ảnh chụp tại quầy KHÔNG KHỚP với ảnh trong chip (điểm {score}). Cán bộ đối chiếu trực tiếp "
                 "khuôn mặt với ảnh trên thẻ; chụp lại nếu ảnh mờ hoặc lệch.",
                 "The counter portrait does NOT match the chip photo (score {score}). Compare the face with the "
                 "card in person; retake if the photo is blurred or turned."),
    "no_face_portrait": ("Không tìm thấy khuôn mặt trong ảnh chụp tại quầy: hãy chụp lại (nhìn thẳng, đủ sáng).",
                         "No face found in the counter portrait: retake it (facing the camera, well lit)."),
    "no_face_reference": ("Không tìm thấy khuôn mặt trong ảnh của chip: cán bộ đối chiếu bằng mắt.",
                          "No face found in the chip photo: compare by eye."),
    "no_reference": ("Không có ảnh trong chip (DG2) để so khớp: cán bộ đối chiếu bằng mắt với ảnh trên thẻ.",
                     "No chip photo (DG2) to compare with: compare by eye with the card."),
    "not_installed": ("Chưa cài bộ so khớp khuôn mặt (gói tùy chọn 'face'): không có điểm so khớp; cán bộ đối chiếu "
                      "hai ảnh bằng mắt.",
                      "Face match not installed (optional 'face' extra): no score; compare the two photos by eye."),
    "no_portrait": ("Chưa có ảnh chụp tại quầy.", "No counter portrait taken."),
}


class PortraitError(ValueError):
    """The file is not a still image the kiosk can use; `message_vi`/`message_en` say why."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class FaceMatch:
    """The advice: `outcome` is a key of MESSAGES; `score` (0–1, higher is closer) only when both faces were found."""

    outcome: str
    distance: float | None = None
    threshold: float = MATCH_THRESHOLD
    engine: str = ""

    @property
    def score(self) -> float | None:
        # 1 at distance 0, 0.5 at the threshold, towards 0 beyond: easier for staff than a distance.
        if self.distance is None:
            return None
        return round(1.0 / (1.0 + math.exp(6.0 * (self.distance - self.threshold) / self.threshold)), 3)

    @property
    def matched(self) -> bool:
        return self.outcome == "match"

    @property
    def warning(self) -> bool:
        return self.outcome != "match"

    @property
    def message_vi(self) -> str:
        return MESSAGES[self.outcome][0].format(score=self.score)

    @property
    def message_en(self) -> str:
        return MESSAGES[self.outcome][1].format(score=self.score)

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "score": self.score,
                "distance": None if self.distance is None else round(self.distance, 4),
                "threshold": self.threshold, "engine": self.engine, "message": self.message_vi,
                "message_en": self.message_en}


def load_image(data: bytes) -> Image.Image:
    """A still RGB image upright by its EXIF orientation; refuses anything else in plain words."""
    if not data:
        raise PortraitError("Tệp ảnh chân dung rỗng.", "The portrait file is empty.")
    try:
        img = Image.open(io.BytesIO(data))
        if getattr(img, "is_animated", False):
            raise PortraitError("Ảnh chân dung phải là ảnh tĩnh (JPEG hoặc PNG), không phải ảnh động.",
                                "The portrait must be a still image (JPEG or PNG), not an animation.")
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise PortraitError("Tệp chân dung không phải ảnh JPEG, PNG hoặc JPEG 2000 đọc được.",
                            "The portrait file is not a readable JPEG, PNG or JPEG 2000 image.") from None
    if min(img.size) < 64:
        raise PortraitError("Ảnh chân dung quá nhỏ (cần ít nhất 64 điểm ảnh mỗi chiều).",
                            "The portrait is too small (at least 64 pixels each way).")
    return ImageOps.exif_transpose(img).convert("RGB")


def encode_jpeg(img: Image.Image, quality: int = 90) -> bytes:
    img = img.copy()
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


#: The two model files of `face-recognition-models` the match uses (its other two are never loaded).
SHAPE_MODEL = "shape_predictor_5_face_landmarks.dat"
ENCODER_MODEL = "dlib_face_recognition_resnet_model_v1.dat"


def model_dir() -> Path | None:
    """Where `face-recognition-models` keeps its model files, found without importing the package: its
    `__init__` imports pkg_resources, which costs every start of the bundle a run-time hook."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        folder = Path(frozen) / "face_recognition_models" / "models"
    else:
        spec = importlib.util.find_spec("face_recognition_models")
        if spec is None or not spec.submodule_search_locations:
            return None
        folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    return folder if (folder / SHAPE_MODEL).is_file() and (folder / ENCODER_MODEL).is_file() else None


@functools.cache
def _dlib_models() -> tuple[Any, Any, Any] | None:
    folder = model_dir()
    if folder is None:
        return None
    try:
        import dlib
    except ImportError:
        return None
    detector = dlib.get_frontal_face_detector()
    shape = dlib.shape_predictor(str(folder / SHAPE_MODEL))
    encoder = dlib.face_recognition_model_v1(str(folder / ENCODER_MODEL))
    return detector, shape, encoder


def installed() -> bool:
    """Whether the optional face extra (dlib-bin + face-recognition-models) can run here."""
    return _dlib_models() is not None


class FaceMatcher:
    """Detects, crops and compares faces; every method works (with less) when the extra is missing."""

    ENGINE = "dlib_face_recognition_resnet_model_v1"

    def __init__(self, threshold: float = MATCH_THRESHOLD) -> None:
        self.threshold = threshold
        self._recent: dict[bytes, Any] = {}

    @property
    def available(self) -> bool:
        return installed()

    def _largest_face(self, img: Image.Image):
        import numpy as np

        models = _dlib_models()
        assert models is not None
        detector = models[0]
        pixels = np.asarray(img)
        # Upsample once for small faces (a DG2 photo is about 240×320); twice if that finds nothing.
        for upsample in (1, 2):
            found = list(detector(pixels, upsample))
            if found:
                return pixels, max(found, key=lambda r: r.width() * r.height())
        return pixels, None

    def crop(self, img: Image.Image) -> tuple[Image.Image, bool]:
        """The portrait cropped to the face with a margin (3:4, as ID photos); (image, face found)."""
        if not self.available:
            return img, False
        _pixels, box = self._largest_face(img)
        if box is None:
            return img, False
        w, h = box.width(), box.height()
        cx, cy = box.left() + w / 2, box.top() + h / 2
        half_w = w * (1 + CROP_MARGIN) / 2
        half_h = half_w * 4 / 3
        left, top = max(0, int(cx - half_w)), max(0, int(cy - half_h))
        right, bottom = min(img.width, int(cx + half_w)), min(img.height, int(cy + half_h))
        return img.crop((left, top, right, bottom)), True

    def descriptor(self, img: Image.Image):
        import numpy as np

        models = _dlib_models()
        assert models is not None
        _detector, shape, encoder = models
        pixels, box = self._largest_face(img)
        if box is None:
            return None
        return np.asarray(encoder.compute_face_descriptor(pixels, shape(pixels, box), 1))

    def _descriptor_of(self, image: bytes):
        """A photo's descriptor, remembered for the few photos of the request on screen (the portrait
        step, the review and the submit compare the same two photos; a descriptor costs ~1 s here).
        Kept in memory only, a handful at most."""
        import hashlib

        key = hashlib.sha256(image).digest()
        cache = self._recent
        if key not in cache:
            if len(cache) >= 4:
                cache.pop(next(iter(cache)))
            cache[key] = self.descriptor(load_image(image))
        return cache[key]

    def compare(self, portrait: bytes | None, reference: bytes | None) -> FaceMatch:
        """Compare the counter portrait with the chip's photo; never raises for a photo without a face."""
        if not portrait:
            return FaceMatch("no_portrait", threshold=self.threshold)
        if not self.available:
            return FaceMatch("not_installed", threshold=self.threshold)
        if not reference:
            return FaceMatch("no_reference", threshold=self.threshold, engine=self.ENGINE)
        import numpy as np

        mine = self._descriptor_of(portrait)
        if mine is None:
            return FaceMatch("no_face_portrait", threshold=self.threshold, engine=self.ENGINE)
        try:
            chip = self._descriptor_of(reference)
        except PortraitError:
            chip = None
        if chip is None:
            return FaceMatch("no_face_reference", threshold=self.threshold, engine=self.ENGINE)
        distance = float(np.linalg.norm(mine - chip))
        return FaceMatch("match" if distance < self.threshold else "no_match", distance, self.threshold, self.ENGINE)
