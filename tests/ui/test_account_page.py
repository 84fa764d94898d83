"""The account page driven by qtbot: a child's request with a parent, both cards read through pcscd."""

from __future__ import annotations

from gui_steps import read_and_use as _read_card
from PySide6.QtCore import Qt

from kiosk.devices.vchip.citizen import generate_child_of, generate_citizen


def face_photo() -> bytes:
    """A real photograph that ships with scikit-image (a face)."""
    import io

    from PIL import Image
    from skimage import data

    out = io.BytesIO()
    Image.fromarray(data.astronaut()).save(out, format="JPEG")
    return out.getvalue()


def next_step(qtbot, page) -> None:
    before = page.index
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.index != before or bool(page.message.text()), timeout=10_000)
    assert page.index != before, page.message.text()


def test_a_childs_request_with_the_mother_present(qtbot, officer, virtual_card):
    mother = generate_citizen(41, sex="F", age=36)
    child = generate_child_of(mother, age=10, seed=42)
    officer.shell.show_page("account")
    page = officer.account_page
    # The child's card first: "use this citizen" brings the officer back to the account page.
    _read_card(qtbot, officer, virtual_card, child)
    assert officer.shell.stack.currentWidget() is page
    qtbot.mouseClick(page.take_citizen, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check is not None, timeout=10_000)
    assert page.check.needs_guardian and page.check.age == 10
    assert set(page.check.levels) == {1, 2}
    next_step(qtbot, page)
    assert page.step() == "guardian"
    _read_card(qtbot, officer, virtual_card, mother)
    qtbot.mouseClick(page.take_guardian, Qt.MouseButton.LeftButton)
    assert mother.full_name in page.guardian_info.text()
    page.relationship.setCurrentIndex(page.relationship.findData("mother"))
    next_step(qtbot, page)
    assert page.step() == "portrait"
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.step() == "portrait" and "ảnh chân dung" in page.message.text()  # level 2 needs one
    page.use_portrait(face_photo())  # what the camera's still gives
    qtbot.waitUntil(lambda: page.portrait is not None, timeout=30_000)
    # The chip's portrait of the virtual card is a drawing: the match asks for a look, never passes silently.
    assert page.face_result.text()
    next_step(qtbot, page)
    assert page.step() == "contacts"
    qtbot.keyClicks(page.phone, "+84 912 345 678")
    page.fingerprint.setFocus()
    qtbot.keyClick(page.fingerprint, Qt.Key.Key_Space)
    next_step(qtbot, page)
    assert page.phone.text() == "0912345678"
    assert page.step() == "consent"
    qtbot.waitUntil(lambda: bool(page.consent_text.toPlainText()), timeout=10_000)
    # A child of 10 consents too (Law 91/2025: from 7 years), beside the parent.
    assert page.consent_holder.isVisibleTo(page) and page.consent_guardian.isVisibleTo(page)
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.step() == "consent" and page.message.text()
    for box in (page.consent_holder, page.consent_guardian):
        box.setFocus()
        qtbot.keyClick(box, Qt.Key.Key_Space)
    next_step(qtbot, page)
    assert page.step() == "review"
    qtbot.waitUntil(lambda: bool(page.review.text()), timeout=10_000)
    assert page.submit_button.isEnabled(), page.review.text()
    qtbot.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.submitted is not None or bool(page.message.text()), timeout=10_000)
    assert page.submitted is not None, page.message.text()
    stored = officer.kiosk.accounts.get(officer.principal, page.submitted.tracking_code)
    assert stored["level"] == page.level.currentData()
    qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "xac-nhan-" in page.result.text(), timeout=10_000)


def test_an_adult_alone_skips_the_guardian_step(qtbot, officer, virtual_card):
    adult = generate_citizen(43, age=30)
    officer.shell.show_page("account")
    page = officer.account_page
    _read_card(qtbot, officer, virtual_card, adult)
    qtbot.mouseClick(page.take_citizen, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check is not None, timeout=10_000)
    assert not page.check.needs_guardian
    next_step(qtbot, page)
    assert page.step() == "portrait"


def test_a_bad_phone_is_refused_with_its_reason(qtbot, officer, virtual_card):
    adult = generate_citizen(44, age=40)
    officer.shell.show_page("account")
    page = officer.account_page
    _read_card(qtbot, officer, virtual_card, adult)
    qtbot.mouseClick(page.take_citizen, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.check is not None, timeout=10_000)
    page.level.setCurrentIndex(page.level.findData(1))  # level 1: no portrait needed
    next_step(qtbot, page)
    next_step(qtbot, page)
    qtbot.keyClicks(page.phone, "0123")
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=10_000)
    assert page.step() == "contacts"
    assert "điện thoại" in page.message.text().lower()
