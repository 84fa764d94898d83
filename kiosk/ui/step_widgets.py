"""Pieces shared by the step-by-step pages (the dossier wizard, the account request, the hall's form):
the row of step buttons, a scrolled text, the language pick of a catalog text, and retranslation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QWidget

from kiosk.ui.i18n import current_language


def pick(vi: str, en: str) -> str:
    """The catalog text of the window's language (the Vietnamese when no English was written)."""
    return en if current_language() == "en" and en else vi


def money(amount: int | None) -> str:
    return "—" if amount is None else f"{amount:,}".replace(",", ".") + " đ"


def scrolled_text(parent: QWidget, name: str) -> tuple[QLabel, QScrollArea]:
    """A wrapped, top-aligned text in a vertical scroll area (the service panel, the review)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    scroll = QScrollArea(parent)
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(label)
    return label, scroll


def step_buttons(parent: QWidget, prefix: str, first: str):
    """The row under a step-by-step page: a leading button, then Back, Next and Submit on the right."""
    buttons = QHBoxLayout()
    made = []
    for name in (first, "Back", "Next", "Submit"):
        button = QPushButton(parent)
        button.setObjectName(f"{prefix}{name}")
        button.setAutoDefault(True)  # Enter presses the button that has the cursor
        made.append(button)
    made[2].setDefault(True)
    buttons.addWidget(made[0])
    buttons.addStretch(1)
    for button in made[1:]:
        buttons.addWidget(button)
    return (*made, buttons)


class Retranslating:
    """Mixin for a widget with `retranslate()`: a switch of language redoes its texts. List it before
    the Qt class (`class Page(Retranslating, QWidget)`) so Qt's `changeEvent` finds it first."""

    def retranslate(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)  # type: ignore[misc]
