"""The printer dialog ("Chọn máy in…" on the home page): a PDF folder chosen, remembered and printed into; a
malformed ESC/POS address refused in Vietnamese; the administrator's lock and a role without the permission."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from dossier_samples import sample_dossier
from PySide6.QtCore import QPoint, Qt

from kiosk.app import operator_principal
from kiosk.devices.qt_printer import system_printers
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit
from kiosk.support.config import load_settings
from kiosk.support.jobs import run_inline
from kiosk.ui.printer_dialog import PrinterDialog

LOCKED_FOLDER = "khoa-may-in"


@pytest.fixture
def settings_loaded(isolated_settings, request):
    """The window's settings; a test parametrized with a machine-wide TOML gets that file written first."""
    machine = getattr(request, "param", None)
    if machine:
        path = Path(os.environ["KIOSK_MACHINE_CONFIG"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(machine.replace("{tmp}", str(isolated_settings)), encoding="utf-8")
    return load_settings({"demo": True, "staff_idle_timeout_s": 600})


def user_settings() -> dict:
    path = Path(os.environ["KIOSK_CONFIG_FILE"])
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8")).get("settings", {})


def open_dialog(qtbot, window) -> PrinterDialog:
    qtbot.waitUntil(lambda: window.shell.home._health is not None, timeout=10_000)
    qtbot.mouseClick(window.shell.home.printer_button, Qt.MouseButton.LeftButton)
    dialog = window.printer_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    return dialog


def choose_kind(qtbot, dialog: PrinterDialog, kind: str) -> None:
    """Click the radio button's circle (a radio button answers on its circle and text, not its whole row)."""
    button = dialog.kind_buttons[kind]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    assert button.isChecked()


def refusal(qtbot, dialog: PrinterDialog) -> str:
    qtbot.waitUntil(lambda: dialog._refusal is not None, timeout=10_000)
    assert dialog.message.property("state") == "error"
    return dialog.message.text()


def test_a_chosen_pdf_folder_is_remembered_printed_into_and_shown_on_home(qtbot, officer, tmp_path):
    kiosk = officer.kiosk
    dialog = open_dialog(qtbot, officer)
    assert dialog.windowTitle() == "Chọn máy in"
    assert dialog.current.text() == f"Đang in ra: Thư mục PDF: {kiosk.settings.data_dir / 'printed'}"
    assert dialog.kind_buttons["pdf"].isChecked() and dialog.save_button.isEnabled()
    assert not dialog.notice.isVisible()

    folder = tmp_path / "phieu-in"
    choose_kind(qtbot, dialog, "escpos")
    assert dialog.pages["escpos"].isVisible() and not dialog.pages["pdf"].isVisible()
    choose_kind(qtbot, dialog, "pdf")
    assert dialog.browse.isVisible() and not dialog.pages["escpos"].isVisible()
    dialog.folder.clear()
    qtbot.keyClicks(dialog.folder, str(folder))
    with qtbot.waitSignal(dialog.chosen, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == ["pdf", str(folder)]
    assert not dialog.isVisible()

    # Remembered in the user settings file, used by the running kiosk, audited.
    assert user_settings() == {"printer_kind": "pdf", "printer_target": str(folder)}
    assert (kiosk.printing.kind, kiosk.printing.target) == ("pdf", str(folder))
    chosen = [e for e in audit.recent(kiosk.db, operator_principal()) if e["action"] == "printer.chosen"]
    assert [(e["actor"], e["target_id"], e["detail"]) for e in chosen] == [("canbo", "pdf", {"target": str(folder)})]

    # The home page and the status bar say which printer is in use now.
    qtbot.waitUntil(lambda: str(folder) in officer.shell.home.values["printer"].text(), timeout=10_000)
    assert officer.shell.home.values["printer"].text() == f"Máy in sẵn sàng: {folder}"
    assert officer.status.labels["printer"].text() == "Máy in: sẵn sàng"

    # A receipt printed now lands in the new folder.
    sample = sample_dossier(kiosk.catalog.get(3), seed=4)
    done = kiosk.dossiers.submit(officer.principal, 3, sample["citizen"], sample["persons"], sample["form"],
                                 sample["attachments"])
    info = run_inline(kiosk.printing.print(officer.principal, done.tracking_code))
    out = Path(info.output)
    assert (info.status, info.printer_kind, info.printer_target) == ("printed", "pdf", str(folder))
    assert out.parent == folder and out.name.startswith(done.tracking_code)
    assert out.read_bytes().startswith(b"%PDF")

    # Opened again, the dialog starts from the new choice.
    again = open_dialog(qtbot, officer)
    assert again is not dialog
    assert again.current.text() == f"Đang in ra: Thư mục PDF: {folder}"
    assert again.folder.text() == str(folder)
    again.reject()


def test_a_malformed_escpos_address_is_refused_in_vietnamese_and_nothing_is_saved(qtbot, officer):
    kiosk = officer.kiosk
    dialog = open_dialog(qtbot, officer)
    choose_kind(qtbot, dialog, "escpos")
    assert dialog.escpos_target.isVisible() and "tcp://192.168.1.50:9100" in dialog.escpos_help.text()

    qtbot.keyClicks(dialog.escpos_target, "192.168.1.50:9100")  # no tcp:// in front
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    text = refusal(qtbot, dialog)
    assert text.startswith("Địa chỉ máy in nhiệt «192.168.1.50:9100» không hợp lệ. Hãy nhập dạng tcp://")
    assert "usb://04b8:0e15" in text and "serial:///dev/ttyUSB0" in text
    assert dialog.isVisible() and dialog.save_button.isEnabled()

    dialog.escpos_target.clear()
    qtbot.keyClicks(dialog.escpos_target, "usb://04b8")  # no product id
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "«usb://04b8» không hợp lệ" in refusal(qtbot, dialog)

    dialog.escpos_target.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert refusal(qtbot, dialog).startswith("Hãy nhập địa chỉ máy in nhiệt ESC/POS")

    assert not Path(os.environ["KIOSK_CONFIG_FILE"]).exists()
    assert (kiosk.printing.kind, kiosk.printing.target) == ("pdf", "")
    assert not [e for e in audit.recent(kiosk.db, operator_principal()) if e["action"] == "printer.chosen"]


def test_system_printers_are_listed_or_their_absence_said(qtbot, officer):
    dialog = open_dialog(qtbot, officer)
    choose_kind(qtbot, dialog, "system")
    names = system_printers()
    assert dialog.printer_list.count() == len(names)
    if not names:  # the test machine has no CUPS queue: a sentence instead of an empty list, nothing to save
        assert dialog.system_label.text().startswith("Máy tính này chưa cài máy in nào.")
        assert not dialog.printer_list.isVisible()
        assert not dialog.save_button.isEnabled()
    else:
        assert dialog.printer_list.isVisible()
    choose_kind(qtbot, dialog, "pdf")
    assert dialog.save_button.isEnabled()
    dialog.reject()


def test_the_dialog_follows_a_language_switch(qtbot, officer):
    dialog = open_dialog(qtbot, officer)
    officer.shell.language.setCurrentIndex(1)
    try:
        qtbot.waitUntil(lambda: dialog.save_button.text() == "Save", timeout=5_000)
        assert dialog.windowTitle() == "Choose printer"
        assert officer.shell.home.printer_button.text() == "Choose printer…"
        assert dialog.current.text().startswith("Printing to: PDF folder: ")
        assert dialog.kind_buttons["escpos"].text().startswith("ESC/POS thermal printer")
    finally:
        officer.shell.language.setCurrentIndex(0)
    qtbot.waitUntil(lambda: dialog.save_button.text() == "Lưu", timeout=5_000)
    dialog.reject()


LOCK = f'locked = ["printer_kind"]\n[settings]\nprinter_kind = "pdf"\nprinter_target = "{{tmp}}/{LOCKED_FOLDER}"\n'


@pytest.mark.parametrize("settings_loaded", [LOCK], indirect=True, ids=["machine-lock"])
def test_a_machine_wide_lock_disables_the_controls_and_says_so(qtbot, officer, isolated_settings):
    kiosk = officer.kiosk
    folder = isolated_settings / LOCKED_FOLDER
    dialog = open_dialog(qtbot, officer)
    assert dialog.notice.isVisible() and dialog.notice.property("state") == "error"
    assert dialog.notice.text().startswith("Quản trị viên đã khóa lựa chọn máy in trên máy này")
    assert os.environ["KIOSK_MACHINE_CONFIG"] in dialog.notice.text()
    assert dialog.current.text() == f"Đang in ra: Thư mục PDF: {folder}"
    for widget in (*dialog.kind_buttons.values(), dialog.folder, dialog.browse, dialog.escpos_target,
                   dialog.save_button):
        assert not widget.isEnabled(), widget.objectName()
    assert dialog.close_button.isEnabled()

    # Even asked directly, the service refuses: the sentence is the same, nothing is written.
    dialog.save()
    assert refusal(qtbot, dialog) == dialog.notice.text()
    assert not Path(os.environ["KIOSK_CONFIG_FILE"]).exists()
    assert (kiosk.printing.kind, kiosk.printing.target) == ("pdf", str(folder))
    dialog.reject()


def test_a_role_without_the_permission_sees_the_refusal(qtbot, officer):
    hall = Principal("kiosk-sanh", Role.SELFSERVICE)  # the self-service kiosk's role may not choose printers
    dialog = PrinterDialog(officer.kiosk, hall, officer)
    dialog.open()
    qtbot.waitUntil(dialog.isVisible, timeout=5_000)
    assert dialog.notice.text().startswith("Tài khoản của bạn không được phép chọn máy in.")
    assert not dialog.save_button.isEnabled() and not dialog.kind_buttons["escpos"].isEnabled()
    dialog.save()
    assert refusal(qtbot, dialog).startswith("Tài khoản của bạn không được phép chọn máy in.")
    assert not Path(os.environ["KIOSK_CONFIG_FILE"]).exists()
    dialog.reject()
