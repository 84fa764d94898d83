"""Steps several GUI tests share: reading a card on the card page as an officer does."""

from __future__ import annotations

from PySide6.QtCore import Qt


def key_text(citizen, expiry=None) -> str:
    """The ID number, birth date and expiry date as the officer types them in the one key field."""
    if expiry is None and citizen.expiry_date is None:
        return f"{citizen.id_number} {citizen.birth_date:%d/%m/%Y} không thời hạn"
    return f"{citizen.id_number} {citizen.birth_date:%d/%m/%Y} {(expiry or citizen.expiry_date):%d/%m/%Y}"


def type_key(qtbot, page, text: str) -> None:
    """Clear the key field and type `text` into it (Vietnamese letters through the input method)."""
    from qt_typing import type_text

    page.key_form.clear()
    type_text(qtbot, page.key_form.edit, text)


def read_and_use(qtbot, window, virtual_card, citizen) -> None:
    """Lay the card on the reader, type its key, read it, and press "use this citizen"."""
    window.shell.show_page("card")
    page = window.card_page
    virtual_card(citizen=citizen)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, key_text(citizen))
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
