"""`kiosk services`, `kiosk dossier` and `kiosk calendar` as an operator runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from dossier_samples import cli_files, person, snapshot, write_json

from kiosk.services.catalog import load_catalog

CATALOG = load_catalog()


def kiosk(*args: str):
    result = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                            env=dict(os.environ), timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def files_for(tmp_path: Path, number: int, seed: int = 1) -> tuple[list[str], dict]:
    """Command-line arguments for a valid dossier of service `number`, files written to tmp_path."""
    return cli_files(tmp_path, CATALOG.get(number), seed, today=datetime.now().date())


def test_services_list_and_show() -> None:
    listed = kiosk("services", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    services = json.loads(listed.stdout)
    assert sorted(s["number"] for s in services) == list(range(1, 26))
    for s in services:
        assert {"number", "name_vi", "name_en", "agency", "fees", "processing_days", "fields", "documents"} <= set(s)
        assert s["fields"] and all({"id", "type", "label_vi", "required"} <= set(f) for f in s["fields"])
    by_number = {s["number"]: s for s in services}
    assert by_number[4]["processing_days"] == 3 and by_number[9]["processing_days"] == 0
    assert by_number[6]["processing_days"] is None
    shown = kiosk("services", "show", "11", "--json")
    detail = json.loads(shown.stdout)
    assert detail["name_vi"] == "Đăng ký kết hôn"
    assert {p["role"] for p in detail["persons"]} == {"applicant", "bride", "groom"}
    missing = kiosk("services", "show", "26")
    assert missing.returncode == 2 and "1–25" in missing.stderr


def test_create_show_search_and_move_a_dossier(tmp_path: Path) -> None:
    args, sample = files_for(tmp_path, 3)
    created = kiosk("dossier", "create", *args, "--received-at", "2026-02-13T10:00", "--json")
    assert created.returncode == 0, created.stderr
    out = json.loads(created.stdout)
    assert out["appointment_date"] == "2026-03-03" and out["status"] == "received"
    code = out["tracking_code"]
    assert code == "000.00.24.H57-260213-0001"

    human = kiosk("dossier", "create", *args)
    assert human.returncode == 0 and "hẹn trả kết quả ngày" in human.stdout

    shown = json.loads(kiosk("dossier", "show", code, "--json").stdout)
    chip = sample["citizen"]["personal"]
    assert shown["applicant_id_number"] == chip["id_number"]  # the full record, unmasked
    assert shown["persons"][0]["chip"]["verdict"] == "chain_verified"

    surname = chip["full_name"].split()[0]
    from kiosk.domain.catalog import fold

    for query in (chip["full_name"], fold(chip["full_name"]), fold(surname)):
        found = json.loads(kiosk("dossier", "search", query, "--json").stdout)
        assert code in [r["tracking_code"] for r in found], query
    by_id = json.loads(kiosk("dossier", "search", chip["id_number"], "--json").stdout)
    assert len(by_id) == 2 and chip["id_number"] not in json.dumps(by_id)
    assert by_id[0]["applicant_id_number"].count("*") == 6

    moved = kiosk("dossier", "status", code, "processing", "--json")
    assert moved.returncode == 0 and json.loads(moved.stdout)["status"] == "processing"
    filtered = json.loads(kiosk("dossier", "search", "", "--status", "processing", "--json").stdout)
    assert [r["tracking_code"] for r in filtered] == [code]
    dated = json.loads(kiosk("dossier", "search", "--from", "2026-02-01", "--to", "2026-02-28", "--json").stdout)
    assert [r["tracking_code"] for r in dated] == [code]
    refused = kiosk("dossier", "status", code, "returned")
    assert refused.returncode == 1 and "Không thể chuyển hồ sơ" in refused.stderr
    unknown = kiosk("dossier", "show", "000.00.24.H57-260213-0999")
    assert unknown.returncode == 1 and "Không tìm thấy" in unknown.stderr


def test_bad_form_exits_2_naming_fields_in_vietnamese(tmp_path: Path) -> None:
    args, sample = files_for(tmp_path, 4)
    form = dict(sample["form"], applicant_phone="0123", registration_kind="forever")
    args[args.index("--data") + 1] = write_json(tmp_path / "bad.json", form)
    result = kiosk("dossier", "create", *args, "--json")
    assert result.returncode == 2
    errors = json.loads(result.stdout)["errors"]
    assert {e["field"] for e in errors} == {"applicant_phone", "registration_kind"}
    assert all(e["message"] for e in errors)
    assert "số di động Việt Nam" in result.stderr
    not_json = tmp_path / "broken.json"
    not_json.write_text("{", encoding="utf-8")
    args[args.index("--data") + 1] = str(not_json)
    broken = kiosk("dossier", "create", *args)
    assert broken.returncode == 2 and "không phải JSON" in broken.stderr


def test_several_persons_and_a_scan(tmp_path: Path) -> None:
    args, sample = files_for(tmp_path, 16)
    assert "--attach" in args and "--person" in args
    created = kiosk("dossier", "create", *args, "--json")
    assert created.returncode == 0, created.stderr
    code = json.loads(created.stdout)["tracking_code"]
    shown = json.loads(kiosk("dossier", "show", code, "--json").stdout)
    assert {p["role"] for p in shown["persons"]} >= {"applicant", "deceased"}
    assert [a["document_id"] for a in shown["attachments"]] == ["death_notice"]

    groom = person(77, sex="M", age=30)
    args11, _ = files_for(tmp_path, 11)
    i = args11.index("--person")
    args11[i + 1] = "witness=" + write_json(tmp_path / "w.json", snapshot(groom))
    wrong_role = kiosk("dossier", "create", *args11, "--json")
    assert wrong_role.returncode == 2
    assert "persons.witness" in {e["field"] for e in json.loads(wrong_role.stdout)["errors"]}


def test_slot_gives_this_kiosk_its_own_block(tmp_path: Path) -> None:
    assert json.loads(kiosk("dossier", "slot", "--json").stdout)["slot"] == 0
    assert kiosk("dossier", "slot", "12").returncode == 2
    assert json.loads(kiosk("dossier", "slot", "3", "--json").stdout) == {"slot": 3, "first": "3001", "last": "3999",
                                                                        "source": "local"}
    args, _ = files_for(tmp_path, 5)
    created = json.loads(kiosk("dossier", "create", *args, "--json").stdout)
    assert created["tracking_code"].startswith("000.00.24.H57-") and created["tracking_code"].endswith("-3001")


def test_calendar_import_and_show(tmp_path: Path) -> None:
    before = json.loads(kiosk("calendar", "show", "2027", "--json").stdout)
    assert before["provisional"] is True
    assert "2027-04-29" not in {d["date"] for d in before["non_working_weekdays"]}
    decision = {"years": [{
        "year": 2027, "official": True,
        "decisions": [{"reference": "Công văn thử nghiệm 2027", "about_vi": "Nghỉ 29/4, làm bù 8/5"}],
        "days_off": [{"date": "2027-04-29", "reason_vi": "Nghỉ hoán đổi"}],
        "saturdays_worked": [{"date": "2027-05-08", "reason_vi": "Làm bù cho 29/4"}],
        "weekdays_worked": [],
    }]}
    imported = kiosk("calendar", "import", write_json(tmp_path / "cal.json", decision), "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["imported_years"] == [2027]
    after = json.loads(kiosk("calendar", "show", "2027", "--json").stdout)
    assert after["provisional"] is False
    assert "2027-04-29" in {d["date"] for d in after["non_working_weekdays"]}
    assert [d["date"] for d in after["worked_saturdays"]] == ["2027-05-08"]
    assert after["working_days"] == before["working_days"]
    bad = dict(decision)
    bad["years"] = [dict(decision["years"][0], saturdays_worked=[{"date": "2027-05-07"}])]
    refused = kiosk("calendar", "import", write_json(tmp_path / "bad.json", bad))
    assert refused.returncode == 2 and "saturdays_worked[0].date" in refused.stderr
