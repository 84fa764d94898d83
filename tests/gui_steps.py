"""Steps several GUI tests share: reading a card on the card page as an officer does."""

from __future__ import annotations

from PySide6.QtCore import Qt


def read_and_use(qtbot, window, virtual_card, citizen) -> None:
    """Lay the card on the reader, type its key, read it, and press "use this citizen"."""
    window.shell.show_page("card")
    page = window.card_page
    virtual_card(citizen=citizen)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    page.key_form.clear()
    qtbot.keyClicks(page.key_form.id_number, citizen.id_number)
    qtbot.keyClicks(page.key_form.birth, citizen.birth_date.strftime("%d/%m/%Y"))
    if citizen.expiry_date is None:
        page.key_form.no_expiry.setChecked(True)
    else:
        qtbot.keyClicks(page.key_form.expiry, citizen.expiry_date.strftime("%d/%m/%Y"))
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
