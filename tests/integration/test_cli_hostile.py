"""Hostile files and paths given to the `kiosk` command: exit 2 with a reason, never a traceback.

Issue 15, finding 2: the CLI printed a traceback (exit 1) for deeply nested citizen or form JSON.
Finding 9: `account confirmation --out` followed a symbolic link and overwrote its target (0644).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from dossier_samples import person, sample_dossier, snapshot

from kiosk.services.catalog import load_catalog

CATALOG = load_catalog()

HOSTILE_FILES: dict[str, tuple[bytes, str]] = {
    "deep_array": (b"[" * 100_000 + b"]" * 100_000, "json_too_deep"),
    "deep_object": (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "json_too_deep"),
    "number_1e999": (b'{"personal":{"id_number":1e999}}', "json_bad_number"),
    "huge_integer": (b'{"n":' + b"9" * 5000 + b"}", "json_bad_number"),
    "nan": (b'{"n":NaN}', "json_bad_number"),
    "infinity": (b'{"n":-Infinity}', "json_bad_number"),
    "lone_surrogate": (b'{"full_name":"\\udc80"}', "json_bad_text"),
    "invalid_utf8": (b'{"full_name":"\xc3\x28"}', "json_encoding"),
    "truncated": (b'{"personal":{"full_name":"Nguy', "json_invalid"),
    "empty": (b"", "json_invalid"),
}


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def json_commands(tmp_path: Path) -> dict[str, list[str | Path]]:
    """Each command and option that reads a JSON file, with valid files for every other option."""
    marriage = sample_dossier(CATALOG.get(11), 3, today=datetime.now().date())
    citizen = write(tmp_path / "citizen.json", marriage["citizen"])
    form = write(tmp_path / "form.json", marriage["form"])
    persons = {role: write(tmp_path / f"{role}.json", chip) for role, chip in marriage["persons"].items()}
    role = sorted(persons)[0]
    others = [a for r, p in persons.items() if r != role for a in ("--person", f"{r}={p}")]
    adult = write(tmp_path / "adult.json", snapshot(person(31, age=40)))
    child = write(tmp_path / "child.json", snapshot(person(32, age=10)))
    dossier = ["dossier", "create", "--service", "11", "--json"]
    account = ["account", "request", "--level", "1", "--phone", "0912000031", "--json"]
    return {
        "dossier --citizen": [*dossier, "--data", form, *others, "--person", f"{role}={persons[role]}", "--citizen"],
        "dossier --data": [*dossier, "--citizen", citizen, *others, "--person", f"{role}={persons[role]}", "--data"],
        "dossier --person": [*dossier, "--citizen", citizen, "--data", form, *others, "--person", f"{role}="],
        "account --citizen": [*account, "--citizen"],
        "account --guardian": [*account, "--citizen", child, "--relationship", "mother", "--guardian"],
        "calendar import": ["calendar", "import"],
        "account --citizen (adult)": [*account, "--citizen", adult],
    }


@pytest.mark.slow
def test_every_command_that_reads_json_refuses_the_hostile_set_with_exit_2_and_a_reason(tmp_path, data_dir):
    commands = json_commands(tmp_path)
    valid = kiosk(*map(str, commands.pop("account --citizen (adult)")))
    assert valid.returncode == 0, valid.stderr  # the valid files pass: the refusals below are the hostile file's
    for name, (content, reason) in HOSTILE_FILES.items():
        hostile = tmp_path / f"{name}.json"
        hostile.write_bytes(content)
        for command, args in commands.items():
            argv = [str(a) for a in args]
            argv[-1] = argv[-1] + str(hostile) if argv[-1].endswith("=") else argv[-1]
            if not argv[-1].endswith(".json"):
                argv.append(str(hostile))
            result = kiosk(*argv)
            what = f"{name} → kiosk {command}"
            assert result.returncode == 2, f"{what}: exit {result.returncode}\n{result.stderr[-500:]}"
            assert "Traceback" not in result.stderr and 'File "' not in result.stderr, what
            assert result.stderr.strip(), what
            if "--json" in argv:
                errors = json.loads(result.stdout)["errors"]
                assert errors[0]["reason"] == reason, what
    assert "Traceback" not in (data_dir / "logs" / "kiosk.log").read_text()  # refused, not crashed


def test_an_unexpected_error_shows_a_reference_and_logs_the_traceback_only_in_the_log(data_dir, tmp_path):
    # A damaged key file is not a known failure of `kiosk qr key`: the operator sees a reference, the
    # log file holds the traceback under it.
    assert kiosk("staff", "list").returncode == 0
    from kiosk.db.engine import open_database

    db = open_database(data_dir, use_keyring=False)
    with db.transaction() as s:
        from sqlalchemy import text

        s.execute(text("UPDATE kiosk_meta SET value = 'not-hex' WHERE key = 'signing_key'"))
    db.dispose()
    result = kiosk("qr", "key")
    assert result.returncode == 1 and "Traceback" not in result.stderr and 'File "' not in result.stderr
    reference = result.stderr.split("mã tham chiếu ")[1].split(")")[0]
    log = (data_dir / "logs" / "kiosk.log").read_text()
    assert reference in log and "Traceback" in log.split(reference, 1)[1]


def test_out_never_follows_a_symlink_writes_0600_and_only_into_existing_folders(tmp_path, data_dir):
    made = kiosk("receipt", "sample", "--out", str(tmp_path / "sample.pdf"), "--json")
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE((tmp_path / "sample.pdf").stat().st_mode) == 0o600

    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch")
    victim.chmod(0o644)
    link = tmp_path / "link.pdf"
    link.symlink_to(victim)
    adult = write(tmp_path / "adult.json", snapshot(person(33, age=40)))
    code = json.loads(kiosk("account", "request", "--citizen", str(adult), "--level", "1", "--phone", "0912000033",
                            "--json").stdout)["tracking_code"]
    dossier_args = [str(a) for a in json_commands(tmp_path)["dossier --data"]] + [str(tmp_path / "form.json")]
    dossier = json.loads(kiosk(*dossier_args).stdout)["tracking_code"]
    writers = {
        "account confirmation": ["account", "confirmation", code],
        "receipt render": ["receipt", "render", dossier],
        "receipt sample": ["receipt", "sample"],
    }
    for name, args in writers.items():
        refused = kiosk(*args, "--out", str(link), "--json")
        assert refused.returncode == 2, f"{name}: {refused.returncode} {refused.stderr}"
        assert json.loads(refused.stdout)["errors"][0]["reason"] == "symlink", name
        assert "symlink" in refused.stderr and "Traceback" not in refused.stderr
        assert victim.read_text() == "do not touch" and link.is_symlink()
        nowhere = kiosk(*args, "--out", str(tmp_path / "no-such-folder" / "x.pdf"), "--json")
        assert nowhere.returncode == 2 and json.loads(nowhere.stdout)["errors"][0]["reason"] == "no_folder", name
        assert not (tmp_path / "no-such-folder").exists()
        out = tmp_path / f"{name.replace(' ', '-')}.pdf"
        out.write_bytes(b"old")
        out.chmod(0o644)
        done = kiosk(*args, "--out", str(out), "--json")
        assert done.returncode == 0, done.stderr
        assert out.read_bytes().startswith(b"%PDF") and stat.S_IMODE(out.stat().st_mode) == 0o600, name
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
