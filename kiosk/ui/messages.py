"""Coloured lines of text: the `state` property the style sheet colours by, and a label that keeps its
sentence as a function so that a language change says it again in the new language."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QWidget

#: A sentence to show, asked again at each language change (a page's `self.tr(...)` inside a lambda).
TextFn = Callable[[], str]


def set_state(widget: QWidget, state: str) -> None:
    """Set the `state` property the style sheet colours by ("ok", "warn", "error", or "") and repaint."""
    widget.setProperty("state", state)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class MessageLabel(QLabel):
    """One word-wrapped message of a page: `say(lambda: self.tr("…"), "error")`, `say(None)` to clear;
    the page calls `rerender()` from its `retranslate()`."""

    def __init__(self, parent: QWidget, object_name: str, hide_when_empty: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWordWrap(True)
        self.hide_when_empty = hide_when_empty
        self._message: tuple[TextFn, str] | None = None

    def say(self, text_fn: TextFn | None, state: str = "") -> None:
        self._message = (text_fn, state) if text_fn is not None else None
        self.rerender()

    def rerender(self) -> None:
        text, state = (self._message[0](), self._message[1]) if self._message else ("", "")
        self.setText(text)
        if self.hide_when_empty:
            self.setVisible(bool(text))
        set_state(self, state)
