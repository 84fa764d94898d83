"""The `kiosk` command as an operator runs it: real process, real encrypted data folder."""

import json
import os
import subprocess
import sys

import pytest


def kiosk(*args, stdin: str = "", env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_staff_add_and_list_as_operator(data_dir):
    first = kiosk("staff", "list", "--json")
    assert first.returncode == 0, first.stderr
    assert "admin" in first.stderr and "một lần" in first.stderr  # the one-time password, shown once
    added = kiosk(
        "staff", "add", "--username", "lan", "--full-name", "Nguyễn Thị Lan", "--role", "officer",
        "--password-stdin", "--json", stdin="mat-khau-dai\n",
    )
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["role"] == "officer"
    listed = kiosk("staff", "list", "--json")
    people = {p["username"]: p for p in json.loads(listed.stdout)}
    assert set(people) == {"admin", "lan"}
    assert people["lan"]["full_name"] == "Nguyễn Thị Lan"
    assert "một lần" not in listed.stderr  # shown only at the first start


def test_bad_staff_input_exits_2_with_field_errors(data_dir):
    result = kiosk("staff", "add", "--username", "x y", "--full-name", "A", "--role", "officer",
                   "--password-stdin", "--json", stdin="short\n")
    assert result.returncode == 2
    fields = {e["field"] for e in json.loads(result.stdout)["errors"]}
    assert fields == {"username", "password"}


def test_audit_verify_names_the_first_broken_entry(data_dir):
    for name in ("a1", "b2", "c3"):
        kiosk("staff", "add", "--username", name, "--full-name", "Tên", "--role", "officer", "--password-stdin",
              stdin="mat-khau-dai\n")
    ok = kiosk("audit", "verify", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True

    from sqlalchemy import text

    from kiosk.db.engine import open_database

    db = open_database(data_dir, use_keyring=False)
    with db.engine.begin() as conn:
        conn.execute(text("update audit_log set target_id='zz' where seq=3"))
    db.dispose()
    broken = kiosk("audit", "verify", "--json")
    assert broken.returncode == 1
    report = json.loads(broken.stdout)
    assert report["first_broken_seq"] == 3 and report["reason"] == "edited"
    human = kiosk("audit", "verify")
    assert "mục số 3" in human.stdout


def test_operator_commands_are_audited_as_operator(data_dir):
    kiosk("staff", "add", "--username", "lan", "--full-name", "Lan", "--role", "officer", "--password-stdin",
          stdin="mat-khau-dai\n")
    entries = json.loads(kiosk("audit", "list", "--json").stdout)
    added = next(e for e in entries if e["action"] == "staff.added")
    assert added["actor"].startswith("operator:")


def test_wrong_key_gives_a_sentence_not_a_traceback(data_dir):
    assert kiosk("staff", "list").returncode == 0
    (data_dir / "kiosk.key").write_text("22" * 32)
    result = kiosk("staff", "list")
    assert result.returncode == 1
    assert "khóa không đúng" in result.stderr
    assert "Traceback" not in result.stderr


def test_config_show_json_reports_sources_and_locks(isolated_settings):
    machine = isolated_settings / "machine" / "kiosk.toml"
    machine.parent.mkdir(parents=True)
    machine.write_text('locked = ["hub_url"]\n[settings]\nhub_url = "http://hub.local"\n')
    result = kiosk("config", "show", "--json", env_extra={"KIOSK_HUB_URL": "http://other", "KIOSK_LANGUAGE": "en"})
    data = json.loads(result.stdout)["settings"]
    assert data["hub_url"] == {"value": "http://hub.local", "source": str(machine), "locked": True}
    assert data["language"]["source"] == "environment"


@pytest.mark.parametrize("args", [["staff", "add", "--username", "x"], ["nonsense"]])
def test_bad_arguments_exit_2(args):
    assert kiosk(*args).returncode == 2
