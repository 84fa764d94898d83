"""Dossiers taken across the New Year 2026 swap and on a Saturday morning, on real SQLCipher, with their
receipts read back by poppler: the fee on the received date, the sector's form, the procedure code, the
appointment counted by the calendar, the representative a child needs, and the code that travels to the hub.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime

import pytest
from dossier_samples import StationClock, person, sample_dossier, snapshot
from sqlalchemy import select

from kiosk.db.models import OutboxOp
from kiosk.domain.roles import Principal, Role
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import DossierService
from kiosk.services.errors import InvalidInput
from kiosk.services.receipts import ReceiptService, render_receipt
from kiosk.support.config import Settings

OFFICER = Principal("lan", Role.OFFICER)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def clock() -> StationClock:
    return StationClock(datetime(2026, 1, 2, 9, 30))


@pytest.fixture
def dossiers(db, catalog, clock, tmp_path) -> DossierService:
    return DossierService(db, catalog, CalendarService(imported_path=tmp_path / "cal.json"), "000.00.24.H57",
                          clock=clock, province={"min_floor_area_m2": 8, "vehicle_fee_area": "area_1"})


@pytest.fixture
def receipts(db, data_dir, dossiers, catalog, clock) -> ReceiptService:
    settings = Settings(data_dir=data_dir, unit_name="Công an phường Thanh Xuân", parent_agency="Công an Thành phố Hà Nội")
    return ReceiptService(db, settings, lambda: dossiers, lambda: catalog, clock=clock)


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    return " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())


def take(dossiers, number, when, seed=1, **form_changes):
    sample = sample_dossier(dossiers.catalog.get(number), seed, today=when.date())
    form = sample["form"] | form_changes
    return dossiers.submit(OFFICER, number, sample["citizen"], sample["persons"], form, sample["attachments"]), sample


# (service, received at, what the receipt must say, appointment) — see each comment for the words it follows.
DAYS = [
    # Fri 2/1/2026 is off (Letter 12729/VPCP-KGVX): received as of Mon 5/1; 1.004222 "07 ngày làm việc", with the
    # worked Saturday: 6/1 (1) 7 (2) 8 (3) 9 (4) 10 (5) 12 (6) 13 (7) → Tue 13/1.
    (3, datetime(2026, 1, 2, 9, 30), ["Mẫu CT04", "Mã thủ tục hành chính: 1.004222", "Lệ phí: 20.000 đồng"],
     date(2026, 1, 13)),
    # The worked Saturday 10/1/2026 is a normal working day; 1.004194 "03 ngày làm việc": 12 (1) 13 (2) 14 (3)
    # → Wed 14/1; "15.000 đồng/lần đăng ký".
    (4, datetime(2026, 1, 10, 9, 30), ["Mẫu CT04", "Mã thủ tục hành chính: 1.004194", "Lệ phí: 15.000 đồng"],
     date(2026, 1, 14)),
    # A Saturday morning 17/1/2026 at the counter: received, counted from the next working day Mon 19/1;
    # identity card exchange: 7 working days → Wed 28/1; Circular 64/2025: 50 % of 50.000 = 25.000 đồng.
    (2, datetime(2026, 1, 17, 8, 45), ["Mẫu CC02", "Mã thủ tục hành chính: 2.001195", "Lệ phí: 25.000 đồng",
                                       "sáng thứ Bảy"], date(2026, 1, 28)),
]


@pytest.mark.parametrize(("number", "when", "printed", "due"), DAYS, ids=["fri-2-1", "sat-10-1", "sat-17-1"])
def test_dossier_across_the_new_year_swap_and_a_saturday(dossiers, receipts, clock, tmp_path, number, when, printed,
                                                          due) -> None:
    clock.set(when)
    extra = {"exchange_case": "on_request", "fee_exemption": "none"} if number == 2 else {}
    if number == 4:
        extra = {"by_list": False, "registration_kind": "new"}
    done, _sample = take(dossiers, number, when, **extra)
    assert done.appointment_date == due.isoformat()
    text = text_of(render_receipt(receipts.receipt_data(OFFICER, done.tracking_code), "a4"), tmp_path)
    for words in printed:
        assert words in text, words
    assert f"ngày {due.day:02d} tháng {due.month:02d} năm {due.year}" in text


def test_a_child_needs_a_representative_read_from_their_card(dossiers, clock) -> None:
    # Exit and Entry Law 2019 Art. 15(3): a person under 14 applies through the legal representative.
    clock.set(datetime(2026, 3, 2, 9, 0))
    service = dossiers.catalog.get(12)
    sample = sample_dossier(service, 3, today=date(2026, 3, 2))
    child = person(77, age=10)
    form = {k: v for k, v in sample["form"].items() if not k.startswith("representative_")}
    form.pop("fingerprints_captured", None)
    with pytest.raises(InvalidInput) as refused:
        dossiers.submit(OFFICER, 12, snapshot(child), {}, form, sample["attachments"])
    assert any(field == "representative_full_name" and "người đại diện" in message.lower()
               for field, message in refused.value.errors)
    parent = person(78, age=40)
    form["representative_relationship"] = "mother"
    done = dossiers.submit(OFFICER, 12, snapshot(child), {"representative": snapshot(parent)}, form,
                           sample["attachments"])
    record = dossiers.get(OFFICER, done.tracking_code, full=True)
    assert {p["role"]: p["source"] for p in record["persons"]} == {"applicant": "chip", "representative": "chip"}


def test_the_procedure_code_and_the_fee_ground_travel_in_the_outbox(dossiers, db, clock) -> None:
    clock.set(datetime(2026, 3, 2, 9, 0))
    done, _ = take(dossiers, 2, datetime(2026, 3, 2, 9, 0), exchange_case="admin_unit_changed", fee_exemption="none")
    with db.sessions() as session:
        row = session.scalars(select(OutboxOp).where(OutboxOp.kind == "dossier.created")).all()[-1]
    payload = json.loads(row.payload)
    assert payload["tracking_code"] == done.tracking_code
    assert payload["service_code"] == payload["procedure_code"] == "2.001195"
    assert payload["fees"]["total"] == 0 and payload["fees"]["exemption"]["id"] == "admin_unit_changed"
    assert payload["fees"]["exemption"]["law"].startswith("Thông tư 73/2024/TT-BTC")
