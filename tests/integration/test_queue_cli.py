"""`kiosk queue take|list|call|receive` and `kiosk rating add|report` as scripts run them: real processes on
two data folders enrolled with a real hub over HTTP; bad input exits 2 with field errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dossier_samples import sample_dossier

from kiosk.hub.core import Hub
from kiosk.hub.db import open_hub_database
from kiosk.hub.embedded import EmbeddedHub
from kiosk.services.catalog import load_catalog

CATALOG = load_catalog()


def kiosk(folder: Path, *args: str, stdin: str | None = None):
    env = dict(os.environ, KIOSK_DATA_DIR=str(folder))
    result = subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, env=env,
                            timeout=120, input=stdin)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def ok(folder: Path, *args: str) -> dict:
    result = kiosk(folder, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def write(path: Path, data) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def station(tmp_path):
    hub_db = open_hub_database(f"sqlite:///{tmp_path / 'hub.db'}")
    hub = Hub(hub_db)
    server = EmbeddedHub(hub).start()
    hall, counter = tmp_path / "sanh", tmp_path / "quay-1"
    for folder, slot in ((hall, "0"), (counter, "1")):
        assert kiosk(folder, "dossier", "slot", slot).returncode == 0
        assert kiosk(folder, "enrol", "--hub", server.url, "--code", hub.create_enrol_code("CA-CLI")).returncode == 0
    for folder in (hall, counter):
        assert ok(folder, "sync", "--once")["status"] == "ok"
    yield hall, counter
    server.stop()
    hub_db.dispose()


def test_take_list_call_receive_and_rate_from_the_command_line(station, tmp_path):
    from datetime import datetime

    hall, counter = station
    sample = sample_dossier(CATALOG.get(3), 4, today=datetime.now().date())
    citizen, form = write(tmp_path / "citizen.json", sample["citizen"]), write(tmp_path / "form.json", sample["form"])
    taken = ok(hall, "queue", "take", "--service", "3", "--citizen", citizen, "--data", form)
    assert {"ticket", "number", "service_no", "estimated_wait_min"} <= set(taken)
    from kiosk.domain.queue import ticket_number

    first = ticket_number("A", ok(hall, "dossier", "slot")["slot"], 1)  # the hall kiosk's block is in the number
    assert (taken["number"], taken["service_no"], taken["estimated_wait_min"]) == (first, 3, 0)
    assert taken["print"]["printed"] and taken["print"]["output"].endswith(".pdf")

    listed = ok(counter, "queue", "list")
    assert listed["source"] == "hub" and listed["groups"]["A"]["waiting"] == 1 and listed["tickets"] == []
    called = ok(counter, "queue", "call", "--counter", "Quầy 1", "--groups", "A")
    assert called["number"] == first and called["draft"]["form"] == sample["form"]
    assert called["draft"]["citizen"]["personal"]["id_number"] == sample["citizen"]["personal"]["id_number"]
    assert ok(counter, "queue", "call", "--counter", "Quầy 1")["ticket"] is None

    args = []
    for a in sample["attachments"]:
        scan = tmp_path / a.filename
        scan.write_bytes(a.data)
        args += ["--attach", f"{a.document_id}={scan}"]
    received = ok(counter, "queue", "receive", first, *args)
    code = received["tracking_code"]
    assert received["ticket"]["status"] == "received" and received["appointment_date"]
    assert received["receipt"]["printed"] and received["receipt"]["tracking_code"] == code
    again = kiosk(counter, "queue", "receive", first, "--json")
    assert again.returncode == 1 and first in again.stderr

    unknown = kiosk(hall, "rating", "add", code, "--level", "2", "--json")
    assert unknown.returncode == 2  # the hub has not heard of the dossier yet: nothing to rate
    assert ok(counter, "sync", "--once")["status"] == "ok"
    rated = ok(hall, "rating", "add", code, "--level", "2", "--reason", "Cán bộ hướng dẫn kỹ")
    assert (rated["level"], rated["label_vi"]) == (2, "Hài lòng")
    assert ok(hall, "sync", "--once")["status"] == "ok"
    report = ok(counter, "rating", "report", "--month", rated["month"])
    assert (report["source"], report["total"], report["levels"]["2"]) == ("hub", 1, 1)


def test_bad_input_exits_2_with_field_errors(station, tmp_path):
    hall, counter = station
    form = write(tmp_path / "empty.json", {})

    def errors(folder: Path, *args: str) -> set[str]:
        result = kiosk(folder, *args, "--json")
        assert result.returncode == 2, (result.returncode, result.stderr)
        return {e["field"] for e in json.loads(result.stdout)["errors"]} if result.stdout.strip() else set()

    assert "service" in errors(hall, "queue", "take", "--service", "26", "--data", form)
    missing = errors(hall, "queue", "take", "--service", "4", "--data", form)
    assert missing and all(f in {x.id for x in CATALOG.get(4).fields} for f in missing)
    (tmp_path / "broken.json").write_text("{nope", encoding="utf-8")
    broken = kiosk(hall, "queue", "take", "--service", "4", "--data", str(tmp_path / "broken.json"))
    assert broken.returncode == 2 and "--data" in broken.stderr
    assert errors(counter, "queue", "call", "--groups", "Q") == {"groups"}
    assert errors(hall, "rating", "add", "000.00.24.H57-261125-9999", "--level", "4") == {"level", "code"}
    assert errors(hall, "rating", "report", "--month", "2026-13") == {"month"}
    assert errors(hall, "queue", "list", "--day", "hôm nay") == set()  # a CommandError: exit 2 with its reason
    unknown = kiosk(counter, "queue", "receive", "B999", "--json")
    assert unknown.returncode == 1 and "B999" in unknown.stderr


def test_the_exit_pin_is_set_from_standard_input(tmp_path):
    folder = tmp_path / "sanh"
    assert kiosk(folder, "selfservice", "pin", "--pin-stdin", stdin="12\n").returncode == 2
    assert kiosk(folder, "selfservice", "pin", "--pin-stdin", stdin="24681357\n").returncode == 0
