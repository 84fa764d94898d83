"""The dossier service on a real SQLCipher database: all 25 services from a chip, validation, drafts,
appointment dates, the status machine, atomicity, attachments and what the raw file reveals."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from dossier_samples import (
    PDF_BYTES,
    TODAY,
    StationClock,
    person,
    sample_dossier,
    snapshot,
)
from sqlalchemy import text

from kiosk.db.engine import open_database
from kiosk.domain.catalog import fold
from kiosk.domain.roles import Principal, Role
from kiosk.services import audit, outbox
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import AttachmentIn, DossierError, DossierService, apply_remote_status
from kiosk.services.errors import InvalidInput, NotFound, PermissionDenied

UNIT = "000.00.24.H57"
CODE_RE = re.compile(r"000\.00\.24\.H57-\d{6}-\d{4}")
OFFICER = Principal("lan", Role.OFFICER)
OTHER_OFFICER = Principal("minh", Role.OFFICER)
SUPERVISOR = Principal("hung", Role.SUPERVISOR)
SELFSERVICE = Principal("kiosk-sanh", Role.SELFSERVICE)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def station_clock() -> StationClock:
    return StationClock(datetime(2026, 11, 25, 10, 0))


@pytest.fixture
def dossiers(db, catalog, station_clock, tmp_path) -> DossierService:
    calendar = CalendarService(imported_path=tmp_path / "calendar" / "imported.json")
    return DossierService(db, catalog, calendar, UNIT, clock=station_clock)


def count(db, table: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def submit_sample(dossiers: DossierService, number: int, seed: int = 1, principal: Principal = OFFICER, **changes):
    sample = sample_dossier(dossiers.catalog.get(number), seed)
    sample["form"].update(changes.pop("form", {}))
    return dossiers.submit(principal, number, sample["citizen"], sample["persons"], sample["form"],
                           sample["attachments"], **changes), sample


@pytest.mark.parametrize("number", range(1, 26))
def test_every_service_accepts_a_dossier_from_the_chip(dossiers: DossierService, db, number: int) -> None:
    service = dossiers.catalog.get(number)
    done, sample = submit_sample(dossiers, number)
    assert CODE_RE.fullmatch(done.tracking_code)
    assert done.tracking_code.endswith("-261125-0001")
    assert done.status == "received"
    cal = dossiers.calendar.calendar
    if service.processing.days_for(None) is None:
        assert done.appointment_date is None
    else:
        due = date.fromisoformat(done.appointment_date)
        assert cal.is_working_day(due) and due >= TODAY

    record = dossiers.get(OFFICER, done.tracking_code, full=True)
    by_role = {p["role"]: p for p in record["persons"]}
    applicant_chip = sample["citizen"]["personal"]
    assert by_role["applicant"]["source"] == "chip"
    assert by_role["applicant"]["id_number"] == applicant_chip["id_number"]
    assert by_role["applicant"]["chip"]["verdict"] == "chain_verified"
    for role, snap in sample["persons"].items():
        assert by_role[role]["source"] == "chip" and by_role[role]["full_name"] == snap["personal"]["full_name"]
    # Chip values reached the form even though the sample left them out.
    for fid, chip_name in service.prefill_map("applicant").items():
        if chip_name in applicant_chip and service.person("applicant").reads_card:
            assert record["form"][fid] in (applicant_chip[chip_name], "male", "female")
    assert record["legal_basis"]["basis"] == "legal_obligation"
    assert "91/2025/QH15" in record["legal_basis"]["text_vi"]
    if service.applicant_kind == "organisation":
        assert record["subject_name"] == sample["form"]["org_name"]

    with db.sessions() as session:
        op = session.execute(text("SELECT kind, payload FROM outbox ORDER BY seq")).all()
    assert [k for k, _ in op] == ["dossier.created"]
    payload = json.loads(op[0][1])
    assert payload["tracking_code"] == done.tracking_code and payload["service_no"] == number
    assert payload["kiosk_id"].startswith("K-") and payload["legal_basis"]["basis"] == "legal_obligation"
    assert len(payload["attachments"]) == len(sample["attachments"])
    assert "data" not in json.dumps(payload["attachments"])  # scans travel separately, not in the outbox
    entries = audit.recent(db, Principal("a", Role.OPERATOR))
    assert {(e["action"], e["target_id"]) for e in entries} >= {("dossier.create", done.tracking_code)}
    assert applicant_chip["full_name"] not in json.dumps(entries, ensure_ascii=False)


def test_bad_input_names_each_field(dossiers: DossierService) -> None:
    form = {
        "applicant_full_name": "Trần Văn Bình",
        "applicant_id_number": "001290012345",  # century digit 2 → born 2090
        "applicant_birth_date": "1990-05-04",
        "applicant_residence": "Số 3, phố Huế, phường Hai Bà Trưng, Hà Nội",
        "applicant_phone": "0123 456",
        "old_id_number": "12345",
        "old_id_issue_date": "31/02/2010",
        "purpose": "ngân hàng",
        "copies": 1,
        "result_delivery": "counter",
        "old_number_in_database": True,
    }
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 1, None, {}, form)
    messages = dict(err.value.errors)
    assert set(messages) == {"applicant_id_number", "applicant_phone", "old_id_number", "old_id_issue_date", "purpose"}
    assert "tương lai" in messages["applicant_id_number"]
    assert "10 chữ số" in messages["applicant_phone"]
    assert "có thật" in messages["old_id_issue_date"]
    assert "lựa chọn" in messages["purpose"]

    mismatched = dict(form, applicant_id_number="001085012345", applicant_phone="0912345678", old_id_number="123456789",
                      old_id_issue_date="2030-01-01", purpose="bank")
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 1, None, {}, mismatched)
    messages = dict(err.value.errors)
    assert set(messages) == {"applicant_id_number", "old_id_issue_date"}
    assert "1990" in messages["applicant_id_number"]
    assert "sau ngày hôm nay" in messages["old_id_issue_date"]

    wrong_province = dict(mismatched, applicant_id_number="003090012345", old_id_issue_date="2010-01-01")
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 1, None, {}, wrong_province)
    assert [f for f, _ in err.value.errors] == ["applicant_id_number"]
    assert "mã tỉnh" in err.value.errors[0][1]

    done = dossiers.submit(OFFICER, 1, None, {}, dict(wrong_province, applicant_id_number="001090012345"))
    assert dossiers.get(OFFICER, done.tracking_code)["persons"][0]["source"] == "typed"


def test_unknown_service_field_and_person_are_named(dossiers: DossierService) -> None:
    sample = sample_dossier(dossiers.catalog.get(4))
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 4, sample["citizen"], {"bride": snapshot(person(3))}, {**sample["form"], "shoe_size": 42})
    assert {f for f, _ in err.value.errors} == {"shoe_size", "persons.bride"}
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 26, sample["citizen"], {}, {})
    assert err.value.errors[0][0] == "service"
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 4, {"name": "not a chip"}, {}, sample["form"])
    assert err.value.errors[0][0] == "citizen"


def test_chip_values_are_locked(dossiers: DossierService) -> None:
    sample = sample_dossier(dossiers.catalog.get(2))
    chip = sample["citizen"]["personal"]
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 2, sample["citizen"], {}, {**sample["form"], "applicant_full_name": "Tên Khác"})
    assert [f for f, _ in err.value.errors] == ["applicant_full_name"]
    assert "chip" in err.value.errors[0][1]
    # The same values written another way are the chip's values.
    born = date.fromisoformat(chip["birth_date"])
    same = {**sample["form"], "applicant_full_name": "  " + chip["full_name"].replace(" ", "  "),
            "applicant_birth_date": born.strftime("%d/%m/%Y")}
    done = dossiers.submit(OFFICER, 2, sample["citizen"], {}, same)
    form = dossiers.get(OFFICER, done.tracking_code, full=True)["form"]
    assert form["applicant_full_name"] == chip["full_name"]
    assert form["applicant_sex"] in ("male", "female")

    prefill = dossiers.prefill(OFFICER, 2, sample["citizen"])
    assert prefill.values["applicant_id_number"] == chip["id_number"]
    assert prefill.locked["applicant_full_name"] == "applicant"


def test_a_chip_that_failed_verification_is_refused(dossiers: DossierService) -> None:
    sample = sample_dossier(dossiers.catalog.get(4))
    forged = snapshot(person(5, age=35), passive="failed")
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 4, forged, {}, sample["form"])
    fields = [f for f, _ in err.value.errors]
    assert fields[0] == "citizen" and "thẻ giả" in err.value.errors[0][1]


def test_validate_one_step_for_the_wizard(dossiers: DossierService) -> None:
    service = dossiers.catalog.get(3)
    sample = sample_dossier(service)
    form = {**sample["form"], "applicant_phone": "12"}
    step_of_phone = next(s.id for s in service.steps if "applicant_phone" in s.fields)
    other = next(s.id for s in service.steps if "applicant_phone" not in s.fields and s.fields)
    assert [i.field for i in dossiers.validate(OFFICER, 3, form, sample["citizen"], step=step_of_phone)] == ["applicant_phone"]
    assert dossiers.validate(OFFICER, 3, form, sample["citizen"], step=other) == []
    with pytest.raises(InvalidInput):
        dossiers.validate(OFFICER, 3, form, step="no-such-step")
    forged = snapshot(person(5, age=35), passive="failed")
    assert [i.field for i in dossiers.validate(OFFICER, 3, sample["form"], forged, step=other)] == ["citizen"]
    assert dossiers.validate(OFFICER, 3, sample["form"], sample["citizen"]) == []


@pytest.mark.parametrize(
    ("number", "received", "due"),
    [
        (3, datetime(2026, 2, 13, 10, 0), date(2026, 3, 3)),  # 7 days across Tết Bính Ngọ
        (4, datetime(2026, 4, 28, 10, 0), date(2026, 5, 5)),  # 3 days across 30/4 – 1/5
        (4, datetime(2026, 8, 21, 10, 0), date(2026, 8, 25)),  # the worked Saturday 22/8 counts
        (4, datetime(2026, 8, 28, 10, 0), date(2026, 9, 7)),  # 3 days across the 2/9 break (31/8 swapped)
        (5, datetime(2026, 11, 23, 10, 0), date(2026, 11, 25)),  # 24/11 Vietnam Culture Day
        (9, datetime(2026, 2, 13, 15, 30), date(2026, 2, 23)),  # same-day procedure after 15:00, then Tết
        (9, datetime(2026, 2, 13, 14, 30), date(2026, 2, 13)),
    ],
)
def test_appointment_dates_through_the_service(dossiers, station_clock, number, received, due) -> None:
    station_clock.set(datetime(2026, 11, 25, 10, 0))
    done, _ = submit_sample(dossiers, number, received_at=received)
    assert done.appointment_date == due.isoformat()
    assert done.tracking_code.split("-")[1] == received.strftime("%y%m%d")


def test_an_announced_swap_moves_the_appointment(dossiers, station_clock, tmp_path) -> None:
    station_clock.set(datetime(2027, 5, 7, 10, 0))
    before, _ = submit_sample(dossiers, 4, received_at=datetime(2027, 4, 28, 10, 0))
    assert before.appointment_date == "2027-05-05"  # 29/4 (1), 30/4 – 3/5 off, 4/5 (2), 5/5 (3)
    decision = {"years": [{
        "year": 2027, "official": True,
        "decisions": [{"reference": "Công văn thử nghiệm về hoán đổi ngày làm việc 2027", "about_vi": "Nghỉ 29/4, làm bù 8/5"}],
        "days_off": [{"date": "2027-04-29", "reason_vi": "Nghỉ hoán đổi"}],
        "saturdays_worked": [{"date": "2027-05-08", "reason_vi": "Làm bù cho 29/4"}],
        "weekdays_worked": [],
    }]}
    path = tmp_path / "swap-2027.json"
    path.write_text(json.dumps(decision, ensure_ascii=False), encoding="utf-8")
    dossiers.calendar.import_calendar(path)
    after, _ = submit_sample(dossiers, 4, received_at=datetime(2027, 4, 28, 10, 0))
    assert after.appointment_date == "2027-05-06"
    saturday, _ = submit_sample(dossiers, 5, received_at=datetime(2027, 5, 7, 10, 0))
    assert saturday.appointment_date == "2027-05-08"


def test_received_at_in_the_future_is_refused(dossiers) -> None:
    with pytest.raises(InvalidInput) as err:
        submit_sample(dossiers, 4, received_at=datetime(2026, 11, 26, 9, 0))
    assert err.value.errors == [("received_at", "Thời điểm tiếp nhận không được ở tương lai.")]


def test_drafts_belong_to_their_author(dossiers, db) -> None:
    sample = sample_dossier(dossiers.catalog.get(4))
    partial = {k: v for k, v in list(sample["form"].items())[:3]}
    info = dossiers.save_draft(OFFICER, 4, partial, sample["citizen"], step="applicant")
    assert [d.id for d in dossiers.list_drafts(OFFICER)] == [info.id]
    assert dossiers.list_drafts(OTHER_OFFICER) == []
    with pytest.raises(NotFound):
        dossiers.load_draft(OTHER_OFFICER, info.id)
    with pytest.raises(NotFound):
        dossiers.discard_draft(OTHER_OFFICER, info.id)
    again = dossiers.save_draft(OFFICER, 4, sample["form"], sample["citizen"], step="review", draft_id=info.id)
    assert again.id == info.id and again.step == "review"
    loaded = dossiers.load_draft(OFFICER, info.id)
    assert loaded.form == sample["form"] and loaded.citizen == sample["citizen"]
    done = dossiers.submit(OFFICER, 4, loaded.citizen, loaded.persons, loaded.form, draft_id=info.id)
    assert CODE_RE.fullmatch(done.tracking_code)
    assert dossiers.list_drafts(OFFICER) == []
    other = dossiers.save_draft(OFFICER, 4, {})
    dossiers.discard_draft(OFFICER, other.id)
    assert count(db, "dossier_draft") == 0


TABLES = ("dossier", "dossier_person", "dossier_history", "dossier_attachment", "dossier_fts", "audit_log", "outbox")


@pytest.mark.parametrize("failing", ["outbox", "audit", "index"])
def test_nothing_is_half_saved(dossiers, db, monkeypatch, failing) -> None:
    submit_sample(dossiers, 16)
    before = {t: count(db, t) for t in TABLES}

    def boom(*args, **kwargs):
        raise RuntimeError("disk pulled")

    if failing == "outbox":
        monkeypatch.setattr(outbox, "enqueue", boom)
    elif failing == "audit":
        monkeypatch.setattr(audit, "append", boom)
    else:
        monkeypatch.setattr("kiosk.services.dossier_records.index_dossier", boom)
    with pytest.raises(RuntimeError):
        submit_sample(dossiers, 16, seed=2)
    assert {t: count(db, t) for t in TABLES} == before
    monkeypatch.undo()
    done, _ = submit_sample(dossiers, 16, seed=2)
    assert done.tracking_code.endswith("-0002")  # the failed attempt did not use up a number


def test_status_machine_with_roles_history_audit_and_outbox(dossiers, db) -> None:
    done, _ = submit_sample(dossiers, 3)
    code = done.tracking_code
    assert dossiers.change_status(OFFICER, code, "processing")["status"] == "processing"
    with pytest.raises(PermissionDenied):
        dossiers.change_status(OFFICER, code, "result_ready")
    with pytest.raises(DossierError) as err:
        dossiers.change_status(OFFICER, code, "supplement_requested")
    assert "lý do" in err.value.message_vi
    dossiers.change_status(OFFICER, code, "supplement_requested", "Bổ sung hợp đồng thuê nhà có công chứng")
    dossiers.change_status(OFFICER, code, "processing", "Đã nhận bản bổ sung")
    dossiers.change_status(SUPERVISOR, code, "result_ready")
    record = dossiers.change_status(OFFICER, code, "returned")
    assert record["next_statuses"] == []
    with pytest.raises(DossierError):
        dossiers.change_status(SUPERVISOR, code, "processing")
    with pytest.raises(InvalidInput):
        dossiers.change_status(SUPERVISOR, code, "lost")
    history = record["history"]
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "received"), ("received", "processing"), ("processing", "supplement_requested"),
        ("supplement_requested", "processing"), ("processing", "result_ready"), ("result_ready", "returned"),
    ]
    assert [h["seq"] for h in history] == list(range(1, 7))
    assert history[4]["actor"] == "hung"
    with db.sessions() as session:
        kinds = [k for (k,) in session.execute(text("SELECT kind FROM outbox ORDER BY seq"))]
        seqs = [s for (s,) in session.execute(text("SELECT seq FROM outbox ORDER BY seq"))]
    assert kinds == ["dossier.created"] + ["dossier.status"] * 5
    assert seqs == list(range(1, 7))
    # The history is append-only in the database itself.
    with db.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("UPDATE dossier_history SET note = 'sửa' WHERE seq = 2"))
    with db.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.execute(text("DELETE FROM dossier_history"))
    assert audit.verify(db, Principal("x", Role.OPERATOR)).ok


def test_self_service_sees_only_the_status(dossiers) -> None:
    done, _ = submit_sample(dossiers, 4)
    status = dossiers.status_of(SELFSERVICE, done.tracking_code)
    assert status == {"tracking_code": done.tracking_code, "service_no": 4, "status": "received",
                      "status_label_vi": "Đã tiếp nhận", "status_label_en": "Received",
                      "appointment_date": done.appointment_date, "updated_at": "2026-11-25T03:00:00.000Z"}
    with pytest.raises(PermissionDenied):
        dossiers.search(SELFSERVICE, "a")
    with pytest.raises(PermissionDenied):
        dossiers.get(SELFSERVICE, done.tracking_code)
    with pytest.raises(NotFound):
        dossiers.status_of(SELFSERVICE, "000.00.24.H57-261125-0999")


def test_attachments_are_kept_and_checked(dossiers) -> None:
    sample = sample_dossier(dossiers.catalog.get(16))
    args = (OFFICER, 16, sample["citizen"], sample["persons"], sample["form"])
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(*args, [])
    assert [f for f, _ in err.value.errors] == ["documents.death_notice"]
    bad = [AttachmentIn("death_notice", "x.exe", "application/x-msdownload", b"MZ"),
           AttachmentIn("unknown_doc", "y.pdf", "application/pdf", PDF_BYTES)]
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(*args, bad)
    assert [f for f, _ in err.value.errors] == ["attachments[0]", "attachments[1]"]
    scan = PDF_BYTES + b"%death notice scan\n"
    done = dossiers.submit(*args, [AttachmentIn("death_notice", "../../giay-bao-tu.pdf", "application/pdf", scan)])
    record = dossiers.get(OFFICER, done.tracking_code)
    (meta,) = record["attachments"]
    assert meta["filename"] == "giay-bao-tu.pdf" and meta["size"] == len(scan)
    got_meta, data = dossiers.attachment(OFFICER, done.tracking_code, meta["id"])
    assert data == scan and got_meta["sha256"] == meta["sha256"]
    # The card itself is shown, never scanned (data minimisation).
    s1 = sample_dossier(dossiers.catalog.get(1))
    with pytest.raises(InvalidInput) as err:
        dossiers.submit(OFFICER, 1, s1["citizen"], {}, s1["form"], [AttachmentIn("citizen_card", "the.jpg", "image/jpeg", b"\xff\xd8")])
    assert "không lưu bản quét" in err.value.errors[0][1]


def _named(seed: int, surname: str):
    # An address with no word that folds like a surname ("đường" would fold to "duong").
    return replace(person(seed, surname=surname, age=40),
                   place_of_residence="Số 5 phố Huế, phường Bến Nghé, Quận 1, thành phố Hồ Chí Minh")


@pytest.fixture
def searchable(dossiers, station_clock):
    """Five dossiers with known names, days and statuses."""
    people = [_named(11, "Đặng"), _named(12, "Đỗ"), _named(13, "Nguyễn"), _named(14, "Dương"), _named(15, "Nguyễn")]
    service = dossiers.catalog.get(4)
    codes = []
    for i, c in enumerate(people):
        sample = sample_dossier(service, seed=20 + i)
        received = datetime(2026, 11, 20 + i, 9, 0)
        station_clock.set(datetime(2026, 11, 25, 10, 0))
        done = dossiers.submit(OFFICER, 4, snapshot(c), {}, sample["form"], received_at=received)
        codes.append(done.tracking_code)
    dossiers.change_status(OFFICER, codes[2], "processing")
    return people, codes


def _codes(results) -> list[str]:
    return [r["tracking_code"] for r in results]


def test_search_by_name_with_or_without_accents(dossiers, searchable) -> None:
    people, codes = searchable
    dang = people[0]
    assert _codes(dossiers.search(OFFICER, dang.full_name)) == [codes[0]]
    assert _codes(dossiers.search(OFFICER, "dang " + " ".join(dang.full_name.split()[1:]).lower())) == [codes[0]]
    assert codes[0] in _codes(dossiers.search(OFFICER, "đặng"))
    assert codes[0] in _codes(dossiers.search(OFFICER, "DANG"))
    assert codes[1] in _codes(dossiers.search(OFFICER, "do"))  # Đỗ folds to do
    nguyen = _codes(dossiers.search(OFFICER, "nguyen"))
    assert nguyen == [codes[4], codes[2]]  # newest first
    assert _codes(dossiers.search(OFFICER, "nguy")) == nguyen  # prefix
    # "Dương" and "đường" fold alike: people named so come before addresses on such a street.
    duong = _codes(dossiers.search(OFFICER, "Dương"))
    assert duong[0] == codes[3] and set(duong) == set(codes)


def test_search_by_id_number_and_code_masks_ids(dossiers, searchable) -> None:
    people, codes = searchable
    results = dossiers.search(OFFICER, people[1].id_number)
    assert _codes(results) == [codes[1]]
    masked = results[0]["applicant_id_number"]
    assert masked == people[1].id_number[:3] + "******" + people[1].id_number[-3:]
    assert people[1].id_number not in json.dumps(results)
    assert _codes(dossiers.search(OFFICER, codes[3].lower())) == [codes[3]]
    assert _codes(dossiers.search(OFFICER, people[2].id_number[:6])) == [codes[2]]  # ID prefix through the index
    full = dossiers.get(OFFICER, codes[1], full=True)
    assert full["applicant_id_number"] == people[1].id_number


def test_search_filters_by_status_and_days(dossiers, searchable) -> None:
    _, codes = searchable
    assert _codes(dossiers.search(OFFICER, "", ["processing"])) == [codes[2]]
    assert _codes(dossiers.search(OFFICER, "nguyen", ["received"])) == [codes[4]]
    assert _codes(dossiers.search(OFFICER, "", date_from=date(2026, 11, 21), date_to=date(2026, 11, 22))) == [codes[2], codes[1]]
    assert _codes(dossiers.search(OFFICER, "nguyen", date_to=date(2026, 11, 23))) == [codes[2]]
    assert dossiers.search(OFFICER, "khong co ai ten nay") == []
    with pytest.raises(InvalidInput):
        dossiers.search(OFFICER, "", ["lost"])
    with pytest.raises(InvalidInput):
        dossiers.search(OFFICER, "", date_from=date(2026, 11, 23), date_to=date(2026, 11, 22))


def test_search_by_address(dossiers, searchable) -> None:
    _, codes = searchable
    found = _codes(dossiers.search(OFFICER, "ben nghe", limit=10))
    assert set(codes) <= set(found)


def test_two_kiosks_on_the_same_day_never_collide(tmp_path, catalog) -> None:
    clock = StationClock(datetime(2026, 11, 25, 10, 0))
    operator = Principal("root@station", Role.OPERATOR)
    issued: dict[int, list[str]] = {}
    for slot in (0, 1):
        db = open_database(tmp_path / f"kiosk-{slot}", use_keyring=False)
        try:
            service = DossierService(db, catalog, CalendarService(), UNIT, clock=clock)
            service.set_slot(operator, slot)
            issued[slot] = [submit_sample(service, 4, seed=i)[0].tracking_code for i in range(1, 13)]
        finally:
            db.dispose()
    assert not set(issued[0]) & set(issued[1])
    assert issued[0][0].endswith("-0001") and issued[0][-1].endswith("-0012")
    assert issued[1][0].endswith("-1001") and issued[1][-1].endswith("-1012")


def test_the_raw_database_file_holds_no_citizen_data(dossiers, db, data_dir: Path) -> None:
    done, sample = submit_sample(dossiers, 9)
    names = [sample["citizen"]["personal"]["full_name"]] + [p["personal"]["full_name"] for p in sample["persons"].values()]
    raw = b"".join(p.read_bytes() for p in data_dir.glob("kiosk.db*"))
    assert len(raw) > 10_000
    for name in names:
        assert name.encode() not in raw
        assert fold(name).encode() not in raw
    assert sample["citizen"]["personal"]["id_number"].encode() not in raw
    assert done.tracking_code.encode() not in raw
    assert b"SQLite format 3" not in raw[:16]


def test_a_status_pulled_from_the_hub_is_recorded_once(dossiers, db) -> None:
    done, _ = submit_sample(dossiers, 4)
    code = done.tracking_code
    uid = dossiers.get(OFFICER, code)["uid"]
    with db.transaction() as session:
        assert not apply_remote_status(session, code, "processing")  # by identity, never by the printed code
        assert apply_remote_status(session, uid, "result_ready", "Đã ký kết quả", "2026-11-26T02:00:00.000Z")
        assert apply_remote_status(session, uid, "result_ready", "Đã ký kết quả", "2026-11-26T02:00:00.000Z")
        assert not apply_remote_status(session, uid, "lost")
        assert not apply_remote_status(session, "7d2f0c1e-0000-4000-8000-000000000000", "processing")
    kiosk_id = db.meta("kiosk_id")
    with db.transaction() as session:  # the hub echoing this kiosk's own push changes nothing
        assert apply_remote_status(session, uid, "processing", source=f"kiosk:{kiosk_id}")
    record = dossiers.get(OFFICER, code)
    assert record["status"] == "result_ready"
    assert [(h["to"], h["origin"], h["actor"]) for h in record["history"]] == [
        ("received", "kiosk", "lan"), ("result_ready", "hub", "hub")]
    assert count(db, "outbox") == 1  # a pulled change is not pushed back
