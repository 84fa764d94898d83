"""The real counter camera (`kiosk.devices.camera.Camera`): the machine's first video input, through
QtMultimedia. The composition root gives it to the GUI's pages; headless commands never import it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage

from kiosk.devices.camera import FrameHandler


def jpeg_bytes(image: QImage, quality: int = 92) -> bytes:
    """A camera frame as JPEG (what the account page stores as the counter portrait)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPG", quality)
    return bytes(buffer.data())


class QtCamera:
    """Stills from the first camera QtMultimedia lists. Its Qt objects are made on the first grab, on
    the GUI thread (the composition root may build this object on a worker thread)."""

    def __init__(self) -> None:
        self._parts: tuple | None = None

    def available(self) -> bool:
        from PySide6.QtMultimedia import QMediaDevices

        return bool(QMediaDevices.videoInputs())

    def grab(self, on_frame: FrameHandler, frames: int = 1, on_none: Callable[[], None] = lambda: None) -> None:
        from PySide6.QtMultimedia import QCamera, QImageCapture, QMediaCaptureSession, QMediaDevices

        self.stop()
        devices = QMediaDevices.videoInputs()
        if not devices:
            on_none()
            return
        camera = QCamera(devices[0])
        session = QMediaCaptureSession()
        capture = QImageCapture()
        session.setCamera(camera)
        session.setImageCapture(capture)
        left = [frames]

        def captured(_id: int, image: QImage) -> None:
            if on_frame(image):
                camera.stop()
                return
            left[0] -= 1
            if left[0] > 0 and camera.isActive():
                capture.capture()
            else:
                camera.stop()
                on_none()

        capture.imageCaptured.connect(captured)
        self._parts = (camera, session, capture)
        camera.start()
        capture.capture()

    def stop(self) -> None:
        if self._parts is not None:
            self._parts[0].stop()
