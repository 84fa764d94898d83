"""Steps several GUI tests share: reading a card on the card page as an officer does, walking the wizard's steps."""

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


def walk_form(qtbot, wizard, form, enter, press_next, on_step=None, who="the wizard") -> None:
    """Walk every step to the review: `enter(editor, value)` what is shown and not locked, `on_step(step)`
    for anything else a step asks, `press_next()`; each press must move on, and a step passed over may hold
    only representatives the law does not ask for in this dossier."""
    for _ in range(len(wizard.steps) + 2):
        step = wizard.current_step_id()
        if step == "review":
            return
        if step in wizard.form_steps:
            for _pass in range(3):  # answers open further fields
                for fid, editor in wizard.form_steps[step].editors.items():
                    if editor.isVisibleTo(wizard) and editor.input.isEnabled() and fid in form \
                            and editor.value() != form[fid]:
                        enter(editor, form[fid])
        if on_step is not None:
            on_step(step)
        before = wizard.stack.currentIndex()
        press_next()
        qtbot.waitUntil(lambda b=before: wizard.stack.currentIndex() != b or wizard.message.text()
                        or any(e.error.text() for e in wizard.editors().values()), timeout=10_000)
        errors = {fid: e.error.text() for fid, e in wizard.editors().items() if e.error.text()}
        after = wizard.stack.currentIndex()
        assert after > before, (step, wizard.message.text(), errors)
        assert all(wizard._idle(i, wizard.values()) for i in range(before + 1, after)), (step, after)
    raise AssertionError(f"{who} never reached its review step")
