"""The officer's dossier list: found again by name (accents optional) or code, its detail, status moves as
the role allows, the receipt reprinted to the PDF folder, nothing left on screen after reset()."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from dossier_samples import sample_dossier
from PySide6.QtCore import QCoreApplication, Qt, QThreadPool
from qt_typing import type_text

from kiosk.domain.catalog import fold
from kiosk.domain.dossier import mask_id
from kiosk.domain.roles import Permission, Principal, Role
from kiosk.ui import i18n
from kiosk.ui.dossier_list import COLUMNS, DossierListPage

CODE, SERVICE, SUBJECT, ID_NUMBER, STATUS = (COLUMNS.index(k) for k in ("code", "service", "subject", "id_number",
                                                                         "status"))


def submit(officer, seed: int):
    kiosk = officer.kiosk
    sample = sample_dossier(kiosk.catalog.get(3), seed=seed)
    done = kiosk.dossiers.submit(officer.principal, 3, sample["citizen"], sample["persons"], sample["form"],
                                 sample["attachments"])
    return done, sample["citizen"]["personal"]


@pytest.fixture
def page(qtbot, officer):
    page = DossierListPage(officer.kiosk, lambda: officer.principal)
    qtbot.addWidget(page)
    page.show()
    return page


def run_search(qtbot, page, text: str, accents: bool = False) -> list[dict]:
    page.search_box.clear()
    if accents:
        type_text(qtbot, page.search_box, text)
    else:
        qtbot.keyClicks(page.search_box, text)
    with qtbot.waitSignal(page.searched, timeout=10_000) as blocker:
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    return blocker.args[0]


def shown(page, code: str) -> None:
    assert page.record is not None and page.record["tracking_code"] == code


def cells(page) -> list[list[str]]:
    return [[page.table.item(r, c).text() for c in range(page.table.columnCount())] for r in range(page.table.rowCount())]


def choose_move(page, status: str) -> None:
    index = page.move_box.move_combo.findData(status)
    assert index >= 0, page.move_box.offered_moves()
    page.move_box.move_combo.setCurrentIndex(index)


def test_a_name_typed_without_accents_finds_the_dossier_with_its_id_masked(qtbot, page, officer) -> None:
    first, person = submit(officer, seed=4)
    other, _ = submit(officer, seed=9)
    name = person["full_name"]
    assert fold(name) != name.lower()  # the sample name has accents: the search must fold them

    run_search(qtbot, page, fold(name))
    rows = cells(page)
    codes = [r[CODE] for r in rows]
    assert first.tracking_code in codes and other.tracking_code not in codes
    row = rows[codes.index(first.tracking_code)]
    assert row[SUBJECT] == name
    assert row[ID_NUMBER] == mask_id(person["id_number"]) and "*" in row[ID_NUMBER]
    assert row[SERVICE].startswith("3. ") and row[STATUS] == "Đã tiếp nhận"
    assert all(person["id_number"] not in text for r in rows for text in r)
    assert "Tìm thấy" in page.message.text()

    run_search(qtbot, page, name, accents=True)  # typed with its accents, through an input method
    assert first.tracking_code in [r[CODE] for r in cells(page)]
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    assert person["id_number"] not in page.detail.text()

    assert run_search(qtbot, page, "khong co ai ten nay") == []
    assert page.table.rowCount() == 0
    assert page.message.text() == "Không có hồ sơ nào khớp với nội dung tìm."


def test_a_code_search_finds_one_row_and_enter_opens_it(qtbot, page, officer) -> None:
    done, person = submit(officer, seed=4)
    submit(officer, seed=9)
    assert [s["tracking_code"] for s in run_search(qtbot, page, done.tracking_code)] == [done.tracking_code]
    assert page.table.rowCount() == 1

    page.search_box.setFocus()
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)  # from the box to the results
    assert page.table.hasFocus() and page.table.currentRow() == 0
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the row
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    shown(page, done.tracking_code)
    assert page.move_box.move_combo.hasFocus()
    detail = page.detail.text()
    service = officer.kiosk.catalog.get(3)
    for expected in (done.tracking_code, service.name_vi, person["full_name"], "Đã tiếp nhận",
                     "Quá trình xử lý", officer.principal.username):
        assert expected in detail, expected
    assert not page.prints.notice_button.isVisibleTo(page)  # just received: no Mẫu 02/03 to print
    if done.appointment_date:
        y, m, d = done.appointment_date.split("-")
        assert f"{d}/{m}/{y}" in detail

    # The status filter applies to a code search too.
    page.status_filter.setCurrentIndex(page.status_filter.findData("processing"))
    assert run_search(qtbot, page, done.tracking_code) == []
    page.status_filter.setCurrentIndex(0)


def test_status_moves_follow_the_role_and_the_note_rule(qtbot, page, officer) -> None:
    kiosk, principal = officer.kiosk, officer.principal
    assert principal.role is Role.OFFICER and not principal.can(Permission.DOSSIER_DECIDE)
    done, _ = submit(officer, seed=4)
    code = done.tracking_code
    run_search(qtbot, page, code)
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    # A rejection is the leader's decision (DOSSIER_DECIDE): not offered to a counter officer.
    assert page.move_box.offered_moves() == ["processing", "supplement_requested", "withdrawn"]

    choose_move(page, "processing")
    assert page.move_box.note_label.text() == "Ghi chú (không bắt buộc)"
    with qtbot.waitSignal(page.status_changed, timeout=10_000):
        qtbot.mouseClick(page.move_box.apply_button, Qt.MouseButton.LeftButton)
    assert kiosk.dossiers.get(principal, code)["status"] == "processing"
    assert page.table.item(0, STATUS).text() == "Đang giải quyết"
    assert page.record["status"] == "processing" and "Đang giải quyết" in page.detail.text()
    assert page.move_box.message.text() == "Đã chuyển hồ sơ sang 'Đang giải quyết'."
    assert page.move_box.offered_moves() == ["supplement_requested", "withdrawn"]  # no result_ready, no rejection

    choose_move(page, "supplement_requested")
    assert page.move_box.note_label.text() == "Ghi chú (bắt buộc)"
    qtbot.mouseClick(page.move_box.apply_button, Qt.MouseButton.LeftButton)  # no note: refused here, no call made
    assert "cần ghi rõ lý do" in page.move_box.message.text()
    assert page.move_box.message.property("state") == "error"
    QThreadPool.globalInstance().waitForDone(10_000)
    assert kiosk.dossiers.get(principal, code)["status"] == "processing"

    note = "Bổ sung bản sao giấy đăng ký kết hôn"
    type_text(qtbot, page.move_box.note, note)
    with qtbot.waitSignal(page.status_changed, timeout=10_000):
        qtbot.mouseClick(page.move_box.apply_button, Qt.MouseButton.LeftButton)
    record = kiosk.dossiers.get(principal, code)
    assert record["status"] == "supplement_requested" and record["history"][-1]["note"] == note
    assert page.table.item(0, STATUS).text() == "Yêu cầu bổ sung, hoàn thiện hồ sơ"
    assert note in page.detail.text() and page.move_box.note.toPlainText() == ""
    assert page.move_box.offered_moves() == ["processing", "withdrawn"]

    # The status asks for the residence sector's own request to supplement (CT05, Circular 66/2023/TT-BCA):
    # offered at once, printed with the officer's note as its item.
    assert page.prints.notice_button.isVisibleTo(page) and "CT05" in page.prints.notice_button.text()
    qtbot.mouseClick(page.prints.notice_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.prints.print_status.text().startswith("Đã in phiếu"), timeout=30_000)
    notices = [j for j in kiosk.printing.jobs(principal, code) if j.document == "status_notice"]
    assert [j.status for j in notices] == ["printed"]
    text = subprocess.run(["pdftotext", notices[0].output, "-"], capture_output=True, text=True, check=True).stdout
    assert "PHIẾU HƯỚNG DẪN BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and f"1. {note}" in text

    # The same dossier seen by a leader: the decision is offered (the list follows the role).
    leader = DossierListPage(kiosk, lambda: Principal(principal.username, Role.SUPERVISOR))
    qtbot.addWidget(leader)
    run_search(qtbot, leader, code)
    qtbot.waitUntil(lambda: leader.record is not None, timeout=10_000)
    assert leader.move_box.offered_moves() == ["processing", "rejected", "withdrawn"]


def test_refusals_show_the_services_sentence(qtbot, page, officer) -> None:
    kiosk, principal = officer.kiosk, officer.principal
    done, _ = submit(officer, seed=4)
    run_search(qtbot, page, done.tracking_code)
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    # Someone else withdrew the dossier after this page showed it: the machine refuses the stale move.
    kiosk.dossiers.change_status(principal, done.tracking_code, "withdrawn")
    choose_move(page, "processing")
    qtbot.mouseClick(page.move_box.apply_button, Qt.MouseButton.LeftButton)
    expected = "Không thể chuyển hồ sơ từ 'Công dân rút hồ sơ' sang 'Đang giải quyết'."
    qtbot.waitUntil(lambda: page.move_box.message.text() == expected, timeout=10_000)
    assert page.move_box.message.property("state") == "error"
    qtbot.waitUntil(lambda: page.record is not None and page.record["status"] == "withdrawn", timeout=10_000)
    assert page.move_box.offered_moves() == [] and "Công dân rút hồ sơ" in page.detail.text()  # shown as it is now
    assert page.table.item(0, STATUS).text() == "Công dân rút hồ sơ"
    assert page.move_box.message.text() == expected

    # A role without the dossier list (the self-service kiosk) is refused by the service, in words.
    hall = DossierListPage(kiosk, lambda: Principal("selfservice:test", Role.SELFSERVICE))
    qtbot.addWidget(hall)
    assert run_search(qtbot, hall, "nguyen") == []
    assert hall.message.text() == "Tài khoản của bạn không được làm việc này."
    assert hall.message.property("state") == "error"


def test_reprint_writes_the_receipt_to_the_pdf_folder(qtbot, page, officer, tmp_path) -> None:
    kiosk = officer.kiosk
    assert kiosk.printing.kind == "pdf"
    done, _ = submit(officer, seed=4)
    run_search(qtbot, page, done.tracking_code)
    qtbot.waitUntil(lambda: page.record is not None and page.prints.reprint_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(page.prints.reprint_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.prints.print_status.text().startswith("Đã in lại phiếu hẹn."), timeout=30_000)
    jobs = kiosk.printing.jobs(officer.principal, done.tracking_code)
    assert [(j.document, j.status) for j in jobs] == [("receipt", "printed")]
    out = Path(jobs[0].output)
    assert out.parent == kiosk.settings.pdf_dir and out.read_bytes().startswith(b"%PDF")
    assert str(out) in page.prints.print_status.text()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert done.tracking_code in text
    assert page.prints.reprint_button.isEnabled()


def test_reset_leaves_nothing_on_screen_and_drops_late_answers(qtbot, page, officer) -> None:
    done, person = submit(officer, seed=4)
    run_search(qtbot, page, fold(person["full_name"]))
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    choose_move(page, "supplement_requested")
    qtbot.mouseClick(page.move_box.apply_button, Qt.MouseButton.LeftButton)
    assert page.move_box.message.text()

    page.reset()
    assert page.search_box.text() == "" and page.status_filter.currentIndex() == 0
    assert page.table.rowCount() == 0 and page.results == [] and page.record is None
    assert page.message.text() == "" and page.move_box.message.text() == "" and page.prints.print_status.text() == ""
    assert page.move_box.move_combo.count() == 0 and not page.prints.reprint_button.isEnabled()
    assert done.tracking_code not in page.detail.text() and person["full_name"] not in page.detail.text()

    # A search still running when the officer logs out does not fill the screen afterwards.
    page.search_box.setText(done.tracking_code)
    page.search()
    page.reset()
    QThreadPool.globalInstance().waitForDone(10_000)
    QCoreApplication.sendPostedEvents()  # the search's queued answer is delivered (and must be dropped)
    assert page.table.rowCount() == 0 and page.message.text() == "" and page.record is None


def test_english_headers_and_status_labels(qtbot, page, officer, english_qm) -> None:
    """The page follows a language change: Qt Linguist for its words, the machine's label_en for statuses."""
    done, _ = submit(officer, seed=4)
    run_search(qtbot, page, done.tracking_code)
    qtbot.waitUntil(lambda: page.record is not None, timeout=10_000)
    try:
        assert i18n.set_language("en")
        qtbot.waitUntil(lambda: page.search_button.text() == "Search", timeout=5_000)
        headers = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
        assert headers == ["Dossier code", "Service", "Name", "ID number", "Received", "Appointment", "Status"]
        assert page.table.item(0, STATUS).text() == "Received"
        assert page.table.item(0, SERVICE).text() == "3. " + officer.kiosk.catalog.get(3).name_en
        assert "Processing history" in page.detail.text()
        assert page.move_box.move_combo.itemText(0) == "Being processed"
    finally:
        i18n.set_language("vi")
    qtbot.waitUntil(lambda: page.search_button.text() == "Tìm", timeout=5_000)
    assert page.table.item(0, STATUS).text() == "Đã tiếp nhận"


def test_the_period_filter_keeps_what_was_received_in_it(qtbot, page, officer) -> None:
    from datetime import datetime, timedelta

    kiosk = officer.kiosk
    today, _ = submit(officer, seed=11)
    sample = sample_dossier(kiosk.catalog.get(3), seed=12)
    old = kiosk.dossiers.submit(officer.principal, 3, sample["citizen"], sample["persons"], sample["form"],
                                sample["attachments"], received_at=datetime.now() - timedelta(days=12))
    assert {s["tracking_code"] for s in run_search(qtbot, page, "")} >= {today.tracking_code, old.tracking_code}
    for label, expected in (("Nhận hôm nay", {today.tracking_code}), ("7 ngày gần đây", {today.tracking_code}),
                            ("30 ngày gần đây", {today.tracking_code, old.tracking_code})):
        page.period_filter.setCurrentIndex(page.period_filter.findText(label))
        assert {s["tracking_code"] for s in run_search(qtbot, page, "")} == expected, label
    page.reset()
    assert page.period_filter.currentText() == "Mọi ngày"
