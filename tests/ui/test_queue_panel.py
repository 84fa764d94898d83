"""The counter's side of the hall's queue in the real main window: the line on the home page, F8 calls the
next ticket and opens the wizard at its service with the citizen's draft and the hall's chip verdict,
receiving the dossier closes the ticket; recall, skip and "citizen absent" leave audit entries."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from dossier_samples import sample_dossier
from PySide6.QtCore import Qt
from test_wizard import fill_form_steps, submit

from kiosk.domain.roles import Principal, Role

HALL = Principal("selfservice:K-SANH", Role.SELFSERVICE)


def test_f8_opens_the_hall_draft_in_the_wizard_and_receiving_closes_the_ticket(qtbot, officer, tmp_path):
    from dossier_samples import PDF_BYTES

    kiosk = officer.kiosk
    sample = sample_dossier(kiosk.catalog.get(4), 41, today=date.today())
    kiosk.queue.take(HALL, 4, sample["form"], sample["citizen"], consent="hall-2026.1")
    kiosk.queue.take(HALL, 3)
    panel = officer.queue_panel
    officer.shell.show_page("home")
    officer.activateWindow()  # a window shortcut reaches only the active window
    qtbot.waitUntil(officer.isActiveWindow, timeout=5_000)
    panel.refresh()  # what its timer does every ten seconds
    qtbot.waitUntil(lambda: "2 người chờ" in panel.lines.text(), timeout=10_000)
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)  # the home page with the line, to look at
    folder.mkdir(parents=True, exist_ok=True)
    assert officer.grab().save(str(folder / "counter-queue-panel.png"))
    qtbot.keyClick(officer.windowHandle(), Qt.Key.Key_F8)  # shortcuts go the window-system way
    qtbot.waitUntil(lambda: officer.dossier_page.wizard is not None, timeout=10_000)
    wizard = officer.dossier_page.wizard
    assert officer.shell.stack.currentWidget() is officer.dossier_page
    assert wizard.service.number == 4 and "A001" in wizard.origin.text() and "THẺ THẬT" in wizard.origin.text()
    qtbot.waitUntil(lambda: any(not e.input.isEnabled() for e in wizard.editors().values()), timeout=10_000)
    editors = wizard.editors()
    assert editors["applicant_full_name"].value() == sample["chips"]["applicant"].full_name
    assert not editors["applicant_full_name"].input.isEnabled()
    assert editors["host_name"].value() == sample["form"]["host_name"]  # typed by the citizen in the hall
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    fill_form_steps(qtbot, wizard, sample["form"], scan)
    result = submit(qtbot, officer)
    qtbot.waitUntil(lambda: kiosk.queue.find(officer.principal, "A001")["status"] == "received", timeout=10_000)
    assert kiosk.queue.find(officer.principal, "A001")["tracking_code"] == result.tracking_code
    stored = kiosk.dossiers.get(officer.principal, result.tracking_code, full=True)
    assert stored["identity_source"] == "chip" and stored["chip_verdict"] == "chain_verified"

    officer.shell.show_page("home")
    qtbot.keyClick(officer.windowHandle(), Qt.Key.Key_F8)  # shortcuts go the window-system way
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.number == "A002", timeout=10_000)
    assert "chưa điền tờ khai" in officer.dossier_page.wizard.origin.text()
    officer.shell.show_page("home")
    qtbot.mouseClick(panel.recall_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "gọi lại" in panel.message.text(), timeout=10_000)
    assert panel.current.calls == 2
    qtbot.mouseClick(panel.absent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.current is None, timeout=10_000)
    assert kiosk.queue.find(officer.principal, "A002")["status"] == "absent"
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Không còn ai chờ" in panel.message.text(), timeout=10_000)
    from kiosk.db.models import AuditEntry

    with kiosk.db.sessions() as s:
        actions = [e.action for e in s.query(AuditEntry)]
    assert {"queue.ticket_taken", "queue.called", "queue.recall", "queue.absent", "queue.received"} <= set(actions)
