"""The status-check page: a receipt rendered to paper (PDF → PNG by poppler) held to the camera,
decoded by zxing-cpp, verified, and answered from this kiosk or from the station's hub."""

from __future__ import annotations

import subprocess

import pytest
from dossier_samples import sample_dossier
from PySide6.QtGui import QImage

from kiosk.app import operator_principal
from kiosk.domain.roles import Principal, Role
from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub

OFFICER = Principal("demo", Role.OFFICER)


def photograph(pdf: bytes, tmp_path) -> QImage:
    """The receipt as a camera would see it: a page at 150 dpi, in grey."""
    (tmp_path / "receipt.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", "-singlefile", str(tmp_path / "receipt.pdf"),
                    str(tmp_path / "photo")], check=True)
    image = QImage(str(tmp_path / "photo.png"))
    assert not image.isNull()
    return image


@pytest.fixture
def hub(officer, tmp_path):
    """The station's hub on loopback, with the window's kiosk enrolled."""
    db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    server = EmbeddedHub(Hub(db)).start()
    officer.kiosk.sync.enrol(operator_principal(), server.hub.create_enrol_code("CA-THANH-XUAN"), server.url)
    yield server.hub
    server.stop()
    db.dispose()


def test_a_receipt_held_to_the_camera_is_checked_and_the_hub_decision_shows(qtbot, officer, hub, tmp_path):
    kiosk = officer.kiosk
    sample = sample_dossier(kiosk.catalog.get(3), seed=4)
    done = kiosk.dossiers.submit(OFFICER, 3, sample["citizen"], sample["persons"], sample["form"],
                                 sample["attachments"])
    officer.shell.show_page("status")
    page = officer.status_page
    blank = QImage(640, 480, QImage.Format.Format_Grayscale8)
    blank.fill(255)
    assert page.use_frame(blank) is False  # a frame without a code: keep looking
    assert page.use_frame(photograph(kiosk.receipts.render(OFFICER, done.tracking_code, "a5"), tmp_path))
    qtbot.waitUntil(lambda: page.answer is not None, timeout=10_000)
    assert page.answer.found and page.answer.tracking_code == done.tracking_code
    assert (page.answer.source, page.answer.hub) == ("local", "online")
    assert "Đã tiếp nhận" in page.result.text()

    assert kiosk.sync.run_once(operator_principal()).ok
    hub.set_status(done.tracking_code, "processing")
    page.answer = None
    page.input.setText(done.tracking_code)
    page.check()
    qtbot.waitUntil(lambda: page.answer is not None, timeout=10_000)
    assert (page.answer.source, page.answer.status) == ("hub", "processing")
    assert "Đang giải quyết" in page.result.text() and "máy chủ" in page.result.text()
