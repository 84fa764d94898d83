"""The labels a page is built from: its title at the top, and lines of text that wrap."""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget


def wrapped_label(parent: QWidget, object_name: str = "") -> QLabel:
    """A label whose text wraps onto as many lines as it needs (the style sheet finds it by `object_name`)."""
    label = QLabel(parent)
    if object_name:
        label.setObjectName(object_name)
    label.setWordWrap(True)
    return label


def page_heading(page: QWidget, layout: QBoxLayout, line_name: str) -> tuple[QLabel, QLabel]:
    """The page's title (#pageTitle) and the wrapped line under it, added to `layout` in that order."""
    title = QLabel(page)
    title.setObjectName("pageTitle")
    layout.addWidget(title)
    line = wrapped_label(page, line_name)
    layout.addWidget(line)
    return title, line
