"""Touch-sized pieces of the hall's self-service pages."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from kiosk.ui.touch_input import touch_min_size, touch_px


def big_button(button: QPushButton, height_mm: float = 18.0) -> QPushButton:
    """A button a finger hits: at least 30 mm wide and `height_mm` high on the hall's screen."""
    touch_min_size(button, touch_px(button, 30.0), touch_px(button, height_mm))
    return button


def hall_label(parent: QWidget, name: str, wrap: bool = True) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label
