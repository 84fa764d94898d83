"""The card page driven by qtbot against the virtual chip, through the real pcscd and vpcd."""

import os
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from kiosk.devices.vchip.card import ChipOptions
from kiosk.devices.vchip.citizen import generate_citizen


@pytest.fixture
def card_window(officer, pcsc_reader):
    officer.shell.show_page("card")
    return officer


def type_key(qtbot, page, citizen, expiry=None):
    form = page.key_form
    form.clear()
    qtbot.keyClicks(form.id_number, citizen.id_number)
    qtbot.keyClicks(form.birth, citizen.birth_date.strftime("%d/%m/%Y"))
    if citizen.expiry_date is None:
        form.no_expiry.setChecked(True)
    else:
        qtbot.keyClicks(form.expiry, (expiry or citizen.expiry_date).strftime("%d/%m/%Y"))


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
    qtbot.keyClick(page.key_form.id_number, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result_view.verdict.text().startswith("THẺ THẬT")

    tampered = virtual_card(seed=12, pki=inserted.pki, options=ChipOptions(tamper_dg=13))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)  # a new card discards the citizen
    assert page.result is None
    type_key(qtbot, page, tampered.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
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
    assert "từ chối khóa truy cập" in page.message.text()
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)


def test_key_typed_ahead_reads_as_soon_as_the_card_arrives(qtbot, card_window, virtual_card):
    from kiosk.devices.vchip.citizen import generate_citizen

    page = card_window.card_page
    citizen = generate_citizen(14)
    type_key(qtbot, page, citizen)
    virtual_card(citizen=citizen)
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)


def test_card_pulled_mid_read_says_so_and_retry_works(qtbot, card_window, virtual_card):
    page = card_window.card_page
    inserted = virtual_card(seed=15, options=ChipOptions(remove_after=8))
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    type_key(qtbot, page, inserted.citizen)
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state == "error", timeout=20_000)
    assert "rút ra" in page.message.text() or "mất liên lạc" in page.message.text()
    # vpcd misses a card put back within a few hundred milliseconds of a failed transmit; no hand
    # is that fast, so the test waits like one.
    qtbot.wait(1500)
    virtual_card(seed=15, pki=inserted.pki)
    # The key typed for the first attempt is kept: the card put back is read without asking again.
    qtbot.waitUntil(lambda: page.state == "result", timeout=20_000)
    assert page.result_view.values["full_name"].text() == inserted.citizen.full_name


def test_bad_key_input_is_explained_inline(qtbot, card_window, virtual_card):
    page = card_window.card_page
    virtual_card(seed=16)
    qtbot.waitUntil(lambda: page.state == "key", timeout=10_000)
    qtbot.keyClicks(page.key_form.id_number, "12345")
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    assert page.state == "key"
    assert page.key_form.error.text() == "Số định danh cá nhân gồm đúng 12 chữ số."
    page.key_form.setCurrentIndex(1)
    qtbot.keyClicks(page.key_form.mrz, "IDVNM123")
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    assert "90 ký tự" in page.key_form.error.text()


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
