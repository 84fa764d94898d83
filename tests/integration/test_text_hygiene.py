"""Names and addresses as an operator gives them: NFC stored, searched and printed; control and bidi characters
refused by field, and never reaching a terminal or a receipt (real processes, SQLCipher, pdftotext).

Issue 15, finding 8: NFD Vietnamese was stored as given (two spellings for search and duplicate checks),
control characters and ESC sequences were stored and echoed raw by `dossier search`, a right-to-left override
reached the printed receipt, NUL bytes were accepted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

from dossier_samples import sample_dossier
from sqlalchemy import update

from kiosk.services.catalog import load_catalog

SERVICE = 4  # Đăng ký tạm trú: free-text host name and address besides the chip's name
NAME = "Nguyễn Thị Phương Thảo"
HOST = "Trần Văn Hưởng"
RLO, ESC, NUL = "\u202e", "\x1b", "\x00"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def kiosk(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ))
    assert "Traceback" not in result.stderr, result.stderr
    return result


def pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def dossier_files(tmp_path: Path, name: str, host: str, address: str | None = None, tag: str = "") -> list[str]:
    sample = sample_dossier(load_catalog().get(SERVICE), 7, today=datetime.now().date())
    citizen, form = sample["citizen"], sample["form"]
    citizen["personal"]["full_name"] = name
    for key in form:
        if key.endswith("full_name"):
            form[key] = name
    form["host_name"] = host
    if address is not None:
        form["temporary_address"] = address
    c, f = tmp_path / f"citizen{tag}.json", tmp_path / f"form{tag}.json"
    c.write_text(json.dumps(citizen, ensure_ascii=False), encoding="utf-8")
    f.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    return ["dossier", "create", "--service", str(SERVICE), "--citizen", str(c), "--data", str(f), "--json"]


def test_decomposed_vietnamese_is_stored_searched_and_printed_precomposed(tmp_path, data_dir):
    made = kiosk(*dossier_files(tmp_path, nfd(NAME), nfd(HOST)))
    assert made.returncode == 0, made.stderr
    code = json.loads(made.stdout)["tracking_code"]
    shown = json.loads(kiosk("dossier", "show", code, "--json").stdout)
    assert shown["subject_name"] == NAME and shown["form"]["host_name"] == HOST  # UAX #15 NFC
    assert all(p["full_name"] == NAME for p in shown["persons"] if p["role"] == "applicant")

    for query in (NAME, nfd(NAME), "nguyen thi phuong thao"):
        found = kiosk("dossier", "search", query)
        assert code in found.stdout and NAME in found.stdout, query
        assert not any(unicodedata.combining(c) for c in found.stdout)

    out = tmp_path / "receipt.pdf"
    assert kiosk("receipt", "render", code, "--out", str(out)).returncode == 0
    assert NAME in pdftotext(out)


def test_control_and_direction_characters_are_refused_by_field(tmp_path, data_dir):
    cases = [
        (dict(name=NAME, host=HOST, address=f"12 Hàng Bạc{ESC}[2J{ESC}[31m"), "temporary_address"),
        (dict(name=NAME, host=f"Trần{NUL}Văn Hưởng"), "host_name"),
        (dict(name=f"Nguyễn {RLO}Thảo", host=HOST), "citizen.personal.full_name"),
        (dict(name=NAME, host=f"Trần Văn {RLO}gnöưH"), "host_name"),
    ]
    for i, (given, field) in enumerate(cases):
        refused = kiosk(*dossier_files(tmp_path, tag=str(i), **given))
        assert refused.returncode == 2, (field, refused.stderr)
        fields = {e["field"] for e in json.loads(refused.stdout)["errors"]}
        assert field in fields, fields
        assert "ký tự điều khiển" in refused.stderr
    assert "Không tìm thấy" in kiosk("dossier", "search", "Hưởng").stdout  # nothing was stored

    made = kiosk(*dossier_files(tmp_path, NAME, HOST, tag="ok"))
    code = json.loads(made.stdout)["tracking_code"]
    note = kiosk("dossier", "status", code, "processing", "--note", f"đã nhận{RLO} đủ", "--json")
    assert note.returncode == 2 and json.loads(note.stdout)["errors"][0]["field"] == "note"


def test_an_older_rows_escape_sequences_and_overrides_never_reach_the_terminal_or_the_receipt(tmp_path, data_dir):
    code = json.loads(kiosk(*dossier_files(tmp_path, NAME, HOST)).stdout)["tracking_code"]
    from kiosk.db.engine import open_database
    from kiosk.db.models_dossier import DossierPerson, DossierRow

    db = open_database(data_dir, use_keyring=False)  # what an older kiosk let through
    with db.transaction() as s:
        s.execute(update(DossierRow).where(DossierRow.tracking_code == code).values(
            subject_name=f"{ESC}[31m{RLO}{NAME}"))
        s.execute(update(DossierPerson).values(full_name=f"{RLO}{NAME}{ESC}[0m"))
    db.dispose()
    found = kiosk("dossier", "search", code)
    assert code in found.stdout and ESC not in found.stdout and RLO not in found.stdout
    out = tmp_path / "receipt.pdf"
    assert kiosk("receipt", "render", code, "--out", str(out)).returncode == 0
    printed = pdftotext(out)
    assert NAME in printed and RLO not in printed and ESC not in printed


def test_account_requests_and_staff_names_get_the_same_rules(tmp_path, data_dir):
    from dossier_samples import person, snapshot

    chip = snapshot(person(41, age=35))
    chip["personal"]["full_name"] = f"Lê{NUL} Văn Tám"
    path = tmp_path / "chip.json"
    path.write_text(json.dumps(chip, ensure_ascii=False), encoding="utf-8")
    refused = kiosk("account", "request", "--citizen", str(path), "--level", "1", "--phone", "0912000041", "--json")
    assert refused.returncode == 2
    assert json.loads(refused.stdout)["errors"][0]["field"] == "citizen.personal.full_name"
    added = subprocess.run([sys.executable, "-m", "kiosk", "staff", "add", "--username", "ltam", "--full-name",
                            f"Lê Văn {RLO}mắT", "--role", "officer", "--password-stdin"], input="mat-khau-rat-dai-1\n",
                           capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert added.returncode == 2 and "full_name" in added.stderr
    named = subprocess.run([sys.executable, "-m", "kiosk", "staff", "add", "--username", "ltam", "--full-name",
                            nfd("Lê Văn Tám"), "--role", "officer", "--password-stdin", "--json"],
                           input="mat-khau-rat-dai-1\n", capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert json.loads(named.stdout)["full_name"] == "Lê Văn Tám"
