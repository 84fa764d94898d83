"""The card page driven by qtbot against the virtual chip, through the real pcscd and vpcd."""

import os
from datetime import date
from pathlib import Path

import pytest
from gui_steps import key_text
from gui_steps import type_key as type_text_key
from pcsc_fixtures import empty_slot
from PySide6.QtCore import Qt
from qt_typing import type_text

from kiosk.devices.vchip.card import ChipOptions
from kiosk.devices.vchip.citizen import generate_citizen


@pytest.fixture
def card_window(officer, pcsc_reader):
    officer.shell.show_page("card")
    return officer


def lift_card(qtbot, window, inserted) -> None:
    """The officer takes the card off the reader: pcscd sees the slot empty and the window's reader
    monitor has reported the card gone, so the next card laid on it is a new arrival."""
    qtbot.waitUntil(lambda: window.card_page.task is None, timeout=20_000)  # the read has let go of the card
    empty_slot(inserted.slot, inserted.card, inserted.reader)
    qtbot.waitUntil(lambda: inserted.reader not in window.watcher.cards, timeout=10_000)


def type_key(qtbot, page, citizen, expiry=None):
    """The ID number, birth date and expiry date typed in the one key field."""
    type_text_key(qtbot, page, key_text(citizen, expiry))


def test_insert_type_key_read_and_use_the_citizen(qtbot, card_window, virtual_card):
    page = card_window.card_page
    assert page.state == "no_card"
    inserted = virtual_card(seed=11)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    view = page.result_view
    assert view.values["full_name"].text() == inserted.citizen.full_name
    assert view.values["id_number"].text() == inserted.citizen.id_number
    assert view.values["birth_date"].text() == inserted.citizen.birth_date.strftime("%d/%m/%Y")
    assert not view.photo.pixmap().isNull()
    # No CSCA in this data folder's trust store: the officer must see the difference.
    assert "chưa có chứng thư gốc" in view.verdict.text()
    with qtbot.waitSignal(card_window.citizen_chosen, timeout=2_000) as chosen:
        qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
    assert chosen.args[0].personal["id_number"] == inserted.citizen.id_number


def test_trusted_csca_gives_genuine_and_tampered_data_gives_not_genuine(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=12)
    trust_dir = card_window.kiosk.settings.data_dir / "trust"
    trust_dir.mkdir(parents=True, exist_ok=True)
    (trust_dir / "test-csca.pem").write_bytes(inserted.pki.csca_pem())
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result_view.verdict.text().startswith("THẺ THẬT")

    first = page.result
    virtual_card(seed=12, pki=inserted.pki, options=ChipOptions(tamper_dg=13))
    # A new card discards the citizen; the same holder's key, kept from the read before, opens it at once.
    qtbot.waitUntil(lambda: page.state == "result" and page.result is not first, timeout=20_000)
    verdict = page.result_view.verdict.text()
    assert verdict.startswith("THẺ KHÔNG HỢP LỆ")
    assert "DG13" in verdict


def test_wrong_key_is_denied_then_the_right_key_reads(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=13)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen, expiry=date(2099, 1, 1))
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "denied", timeout=20_000)
    assert "từ chối khóa truy cập: kiểm tra lại số định danh, ngày sinh và ngày hết hạn" in page.message.text()
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result_view.values["full_name"].text() == inserted.citizen.full_name
    assert page.result_view.values["id_number"].text() == inserted.citizen.id_number


def test_key_typed_ahead_reads_as_soon_as_the_card_arrives(qtbot, card_window, virtual_card):
    from kiosk.devices.vchip.citizen import generate_citizen

    page = card_window.card_page
    citizen = generate_citizen(14)
    type_key(qtbot, page, citizen)
    virtual_card(citizen=citizen)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    # The citizen on screen is the one the card was issued to.
    assert page.result_view.values["full_name"].text() == citizen.full_name
    assert page.result_view.values["id_number"].text() == citizen.id_number


def test_card_pulled_mid_read_says_so_and_retry_works(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=15, options=ChipOptions(remove_after=8))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "error", timeout=20_000)
    assert "rút ra" in page.message.text() or "mất liên lạc" in page.message.text()
    # The card is put back only after the page has seen it leave (vpcd misses a card put back within
    # a few hundred milliseconds of a failed transmit; inserting waits until pcscd reports it).
    lift_card(qtbot, card_window, inserted)
    virtual_card(seed=15, pki=inserted.pki)
    # The key typed for the first attempt is kept: the card put back is read without asking again.
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result_view.values["full_name"].text() == inserted.citizen.full_name


def test_bad_key_input_is_explained_inline(qtbot, card_window, virtual_card):
    page = card_window.card_page
    virtual_card(seed=16)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    qtbot.keyClicks(page.key_form.edit, "12345")
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    assert page.state == "key"
    assert page.key_form.error.text() == "Số CAN gồm 6 chữ số; số định danh gồm 12 chữ số."
    page.key_form.clear()
    qtbot.keyClicks(page.key_form.edit, "IDVNM123<<")
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    assert page.state == "key" and "90 ký tự (đang có 10)" in page.key_form.error.text()
    page.key_form.clear()
    type_text(qtbot, page.key_form.edit, "https://vneid.gov.vn/qr?c=AEX3J0Q8ZK2M9R7T5W1Y4B6D8F0H2K4M6P8R0T2V4")
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    assert page.state == "key" and "2024" in page.key_form.error.text()


def test_logout_wipes_the_citizen_from_the_screen(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=17)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    qtbot.mouseClick(card_window.shell.logout_button, Qt.MouseButton.LeftButton)
    assert page.result is None
    assert page.result_view.values == {}
    assert page.remembered_key is None and page.key_form.is_empty()


def test_the_log_holds_no_personal_data_after_a_read(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=18)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    logs = "".join(p.read_text(encoding="utf-8") for p in (card_window.kiosk.settings.log_dir).glob("kiosk.log*"))
    assert "card" in logs.lower() or "database" in logs  # the log is written at all
    for secret in (inserted.citizen.full_name, inserted.citizen.id_number, inserted.citizen.document_number,
                   inserted.citizen.birth_date.strftime("%y%m%d")):
        assert secret not in logs


def read_with_trusted_csca(qtbot, window, virtual_card, seed, options):
    """Insert a card whose CSCA the kiosk trusts, type its key, read it; returns the inserted card."""
    page = window.card_page
    inserted = virtual_card(seed=seed, options=options)
    trust_dir = window.kiosk.settings.data_dir / "trust"
    trust_dir.mkdir(parents=True, exist_ok=True)
    (trust_dir / f"csca-{seed}.pem").write_bytes(inserted.pki.csca_pem())
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    return inserted


def screenshot(window, name: str) -> None:
    """Keep a picture of the window for a person to look at, when CARD_PAGE_SCREENSHOTS names a folder."""
    folder = os.environ.get("CARD_PAGE_SCREENSHOTS")
    if folder:
        from PySide6.QtWidgets import QApplication

        from kiosk.ui.main import load_style

        app = QApplication.instance()
        load_style(app, "counter")  # the style sheet the application starts with
        try:
            app.processEvents()
            assert window.grab().save(str(Path(folder) / f"{name}.png"))
        finally:
            app.setStyleSheet("")


def test_a_genuine_card_with_the_icao_ecdsa_plain_oid_is_green(qtbot, card_window, virtual_card):
    page = card_window.card_page
    read_with_trusted_csca(qtbot, card_window, virtual_card, 19,
                           ChipOptions(dg2_size=2_000, aa_kind="ecdsa", aa_oid="ecdsa-plain"))
    verdict = page.result_view.verdict
    assert verdict.text().startswith("THẺ THẬT") and verdict.property("state") == "ok"
    assert page.use_button.isEnabled()


def test_an_algorithm_the_kiosk_does_not_know_is_amber_and_the_officer_may_go_on(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = read_with_trusted_csca(qtbot, card_window, virtual_card, 20,
                                      ChipOptions(dg2_size=2_000, aa_kind="ecdsa", aa_oid="unknown"))
    verdict = page.result_view.verdict
    assert verdict.property("state") == "warn"
    text = verdict.text()
    assert text.startswith("KHÔNG KIỂM TRA ĐƯỢC")
    assert "không phải dấu hiệu giả mạo; kiểm tra bằng mắt các đặc điểm bảo an của thẻ" in text
    assert "xác thực chủ động: chip dùng thuật toán chữ ký kiosk chưa hỗ trợ" in text
    assert "THẺ KHÔNG HỢP LỆ" not in text and "sao chép" not in text
    screenshot(card_window, "card-unverifiable")
    assert page.use_button.isEnabled()
    with qtbot.waitSignal(card_window.citizen_chosen, timeout=2_000) as chosen:
        qtbot.mouseClick(page.use_button, Qt.MouseButton.LeftButton)
    assert chosen.args[0].personal["id_number"] == inserted.citizen.id_number


def test_a_forged_active_authentication_answer_is_red_and_blocks(qtbot, card_window, virtual_card):
    from kiosk.devices.vchip.card import ChipKeys

    page = card_window.card_page
    citizen = generate_citizen(21)
    genuine, clone = ChipKeys.generate(ChipOptions(aa_kind="ecdsa")), ChipKeys.generate(ChipOptions(aa_kind="ecdsa"))
    inserted = virtual_card(citizen=citizen, keys=genuine, options=ChipOptions(dg2_size=2_000, aa_kind="ecdsa"))
    inserted.card.keys = ChipKeys(clone.aa, genuine.ca)  # a genuine chip's files, answering with another key
    trust_dir = card_window.kiosk.settings.data_dir / "trust"
    trust_dir.mkdir(parents=True, exist_ok=True)
    (trust_dir / "csca-21.pem").write_bytes(inserted.pki.csca_pem())
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    verdict = page.result_view.verdict
    assert verdict.property("state") == "error"
    assert verdict.text().startswith("THẺ KHÔNG HỢP LỆ") and "xác thực chủ động thất bại" in verdict.text()
    screenshot(card_window, "card-failed")
    assert not page.use_button.isEnabled()


def test_the_amber_verdict_speaks_english_after_a_language_switch(qtbot, card_window, virtual_card, english_qm):
    from kiosk.ui import i18n

    page = card_window.card_page
    read_with_trusted_csca(qtbot, card_window, virtual_card, 22,
                           ChipOptions(dg2_size=2_000, aa_kind="ecdsa", aa_oid="unknown"))
    assert i18n.set_language("en")
    try:
        qtbot.waitUntil(lambda: page.result_view.verdict.text().startswith("COULD NOT CHECK"), timeout=2_000)
        assert "not a sign of forgery" in page.result_view.verdict.text()
        assert "active authentication" in page.result_view.verdict.text()
    finally:
        i18n.set_language("vi")


# The one key field, the card's QR code through a keyboard-wedge scanner, the key kept until logout --

#: The CCCD as reported (docs/card.md): PACE with the CAN or the MRZ, BAC too.
CCCD = {"dg2_size": 2_000, "card_access": "pace"}


def qr_text(citizen) -> str:
    """The 2021 card's front QR code (docs/card.md layout) for a generated holder."""
    return (f"{citizen.id_number}|{citizen.old_id_number or ''}|{citizen.full_name}|{citizen.birth_date:%d%m%Y}|"
            f"{citizen.sex_vi}|{citizen.place_of_residence}|{citizen.issue_date:%d%m%Y}")


def test_six_digits_typed_open_the_chip_with_pace_can(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=31, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    assert page.key_form.edit.hasFocus() or not card_window.isActiveWindow()
    qtbot.keyClicks(page.key_form.edit, inserted.citizen.can)
    assert page.key_form.hint.text() == "Số CAN: mở chip bằng PACE."
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result.verification.access == "PACE-CAN"
    assert page.result_view.values["full_name"].text() == inserted.citizen.full_name


def test_a_wedge_scanner_typing_into_the_page_reads_the_card_without_clicking_the_field(qtbot, card_window,
                                                                                      virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=32, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    page.read_button.setFocus()
    # What the scanner types: its AIM prefix, the code, Enter — as key presses sent to the page itself.
    type_text(qtbot, page, "]Q1" + qr_text(inserted.citizen))
    assert page.key_form.edit.text() == "]Q1" + qr_text(inserted.citizen)  # as scanned; the key ignores "]Q1"
    assert f"số định danh {inserted.citizen.id_number}" in page.key_form.hint.text()
    screenshot(card_window, "card-key-qr")
    qtbot.keyClick(page, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert (page.result.verification.access, page.result.key_source) == ("PACE-CAN", "qr")
    assert page.result.key_mismatch == ()

    # On the result page a stray letter changes nothing; a scan (it starts with digits) starts over,
    # and its Enter does not press the focused "use this citizen" button.
    first = page.result
    qtbot.keyClicks(page.use_button, "x")
    assert page.state == "result" and page.result is first
    with qtbot.assertNotEmitted(card_window.citizen_chosen):
        type_text(qtbot, page.use_button, qr_text(inserted.citizen))
        qtbot.keyClick(page.use_button, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.state == "result" and page.result is not first, timeout=20_000)


def test_a_scan_reaches_the_key_field_from_the_navigation_list(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=33, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    nav = card_window.shell.nav
    nav.setFocus()
    type_text(qtbot, nav, qr_text(inserted.citizen))
    qtbot.keyClick(nav, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert card_window.shell.stack.currentWidget() is page
    assert page.result_view.values["id_number"].text() == inserted.citizen.id_number


def test_the_key_that_opened_a_card_opens_it_again_until_logout(qtbot, card_window, virtual_card):
    page = card_window.card_page
    citizen = generate_citizen(34)
    first = virtual_card(citizen=citizen, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    qtbot.keyClicks(page.key_form.edit, citizen.can)
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    # The same card laid on the reader again (another service for the same citizen): nothing to type.
    first_read = page.result
    lift_card(qtbot, card_window, first)
    again = virtual_card(citizen=citizen, pki=first.pki, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "result" and page.result is not None
                    and page.result is not first_read, timeout=20_000)
    assert page.result.mrz.id_number == citizen.id_number and page.key_form.is_empty()
    # Another citizen's card: the kept key is tried once, then the officer is asked, without alarm.
    lift_card(qtbot, card_window, again)
    virtual_card(seed=35, pki=first.pki, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=20_000)
    assert "Khóa của thẻ đọc trước không mở được thẻ này" in page.message.text()
    qtbot.mouseClick(card_window.shell.logout_button, Qt.MouseButton.LeftButton)
    assert page.remembered_key is None


def test_a_chip_with_its_own_can_and_no_bac_denies_wrong_dates_and_opens_with_its_can(qtbot, card_window,
                                                                                      virtual_card):
    """The issue's chip written from ICAO 9303-11: PACE only, a CAN that is not the ID number's end."""
    page = card_window.card_page
    own_can = "482915"
    inserted = virtual_card(seed=36, options=ChipOptions(**CCCD, can=own_can, bac_status=0x6985))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen, expiry=date(2099, 1, 1))
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "denied", timeout=20_000)
    assert "kiểm tra lại số định danh, ngày sinh và ngày hết hạn" in page.message.text()
    assert "Không đọc được chip" not in page.message.text()
    assert page.key_form.isVisible()
    page.key_form.clear()
    qtbot.keyClicks(page.key_form.edit, own_can)
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result.verification.access == "PACE-CAN"


def test_a_typed_date_the_chip_contradicts_is_shown(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=37, options=ChipOptions(**CCCD))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen, expiry=date(2099, 1, 1))
    qtbot.keyClick(page.key_form.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result.verification.access == "PACE-CAN"  # the guessed CAN, after the typed MRZ data
    assert "Khóa đã nhập không khớp với chip: ngày hết hạn" in page.result_view.verdict.text()
    screenshot(card_window, "card-key-mismatch")
