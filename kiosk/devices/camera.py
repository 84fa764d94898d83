"""The counter camera as a device: frames one at a time until the page has what it wants.

Two pages use it: the status check looks for a receipt's QR code in up to 60 frames, the account
page takes one still of the citizen. The pages receive the camera from the composition root
(`kiosk.app`); the real one is QtMultimedia (`kiosk/devices/qt_camera.py`, the GUI only), the simulated
one hands over frames given to it (tests, and machines without a camera). A frame is whatever image
type the implementation delivers (a QImage from the real camera); nothing here imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

#: Called with each frame; True when it was the one wanted (the camera stops).
FrameHandler = Callable[[Any], bool]


def _nothing() -> None:
    return None


class Camera(Protocol):
    def available(self) -> bool:
        """Whether there is a camera to grab from at all."""
        ...

    def grab(self, on_frame: FrameHandler, frames: int = 1, on_none: Callable[[], None] = _nothing) -> None:
        """Take up to `frames` frames, handing each to `on_frame` until it returns True; `on_none` when
        the frames ran out (or the camera stopped) with none wanted. Frames may arrive later, on the
        caller's thread (the real camera answers through the Qt event loop)."""
        ...

    def stop(self) -> None: ...


class SimulatedCamera:
    """A camera that shows the frames it was given, in order, at once; without frames it is absent."""

    def __init__(self, frames: Iterable[Any] = ()) -> None:
        self.frames = list(frames)

    def available(self) -> bool:
        return bool(self.frames)

    def grab(self, on_frame: FrameHandler, frames: int = 1, on_none: Callable[[], None] = _nothing) -> None:
        for frame in self.frames[:frames]:
            if on_frame(frame):
                return
        on_none()

    def stop(self) -> None:
        return None
