"""The PyInstaller bundle, built from a clean copy of the checkout and run with no virtual environment on PATH.

Everything the source tree does, through the bundle's own executables: the console commands, a card read in
demo mode through pcscd (the GUI starts the virtual card as a child of the bundle), an ESC/POS print to a
loopback printer, a level-2 account request whose portrait dlib matches, the GUI in English under Xvfb
(screenshot in test-output/), and `kiosk-hub serve` with two kiosks syncing to it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from dossier_samples import cli_files, person, snapshot, write_json
from escpos_sim import GS_V0, LoopbackPrinter, decode_qr, raster_from_escpos
from kiosk_cli import KioskCli
from photos import astronaut_path, hopper_path
from PIL import Image

from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.hub.embedded import free_port
from kiosk.services.catalog import load_catalog

pytestmark = [pytest.mark.frozen, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SKIP_COPY = {".git", ".venv", "build", "dist", "test-output", "demo-data", "__pycache__", ".pytest_cache",
             ".ruff_cache", ".hypothesis"}


def clean_copy(dest: Path) -> None:
    """The files a fresh clone has (tracked and new, not ignored): no .qm, no build output, no venv."""
    try:
        listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                                capture_output=True).stdout.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        listed = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                  if p.is_file() and not SKIP_COPY & set(p.relative_to(ROOT).parts) and p.suffix != ".qm"]
    for name in filter(None, listed):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Path:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("the bundle test needs PyInstaller: pip install -e '.[package]' (./setup.sh test installs it)")
    base = tmp_path_factory.mktemp("bundle")
    checkout = base / "checkout"
    clean_copy(checkout)
    assert not list(checkout.rglob("*.qm")), "the copy must be as clean as a fresh clone"
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(base / "dist"),
         "--workpath", str(base / "work"), str(checkout / "kiosk.spec")],
        cwd=checkout, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-4000:]
    folder = base / "dist" / "kiosk"
    suffix = ".exe" if sys.platform == "win32" else ""
    for name in ("kiosk", "kiosk-console", "kiosk-hub"):
        assert (folder / (name + suffix)).is_file(), f"{name} missing from the bundle"
    assert list((folder / "_internal" / "resources" / "i18n").glob("kiosk_en.qm")), "English not compiled"
    return folder


def station_of(bundle: Path, home: Path, **settings: str) -> KioskCli:
    """A kiosk run through the bundle's executables with a PATH that holds no virtual environment."""
    suffix = ".exe" if sys.platform == "win32" else ""
    commands = {"kiosk": [str(bundle / f"kiosk-console{suffix}")], "kiosk-hub": [str(bundle / f"kiosk-hub{suffix}")],
                "gui": [str(bundle / f"kiosk{suffix}")]}
    return KioskCli(home, commands, path="/usr/local/bin:/usr/bin:/bin", **settings)


def source_kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ))


@pytest.fixture
def station(bundle, tmp_path) -> KioskCli:
    return station_of(bundle, tmp_path / "kiosk-1")


def new_dossier(station: KioskCli, folder: Path, number: int = 3, seed: int = 1) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    args, _sample = cli_files(folder, load_catalog().get(number), seed, today=datetime.now().date())
    return station.json("dossier", "create", *args)["tracking_code"]


def test_console_commands_answer_like_the_source_tree(station, tmp_path):
    listed = station.json("services", "list")
    assert sorted(s["number"] for s in listed) == list(range(1, 26))
    assert listed == json.loads(source_kiosk("services", "list", "--json").stdout)
    code = new_dossier(station, tmp_path)
    pdf = tmp_path / "receipt.pdf"
    station.run("receipt", "render", code, "--layout", "a5", "--out", str(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert code in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text.upper()  # the receipt, with its Vietnamese fonts
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True)
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(next(tmp_path.glob("page*.png")))],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert scanned.startswith("VNK1:")
    verified = station.json("qr", "verify", scanned)
    assert verified["valid"] is True and verified["claims"]["tracking_code"] == code
    tampered = scanned[:-6] + ("A" if scanned[-6] != "A" else "B") + scanned[-5:]
    refused = station.run("qr", "verify", tampered, ok=False)
    assert refused.returncode == 1
    backup = tmp_path / "usb" / "kiosk.kbak"
    backup.parent.mkdir()
    made = station.json("backup", "create", "--out", str(backup))
    assert made["records"]["dossiers"] == 1
    assert station.json("backup", "verify", str(backup))["backup_id"] == made["backup_id"]
    purge = station.json("retention", "run", "--dry-run")
    assert purge["dry_run"] is True and {k["kind"] for k in purge["kinds"]} >= {"dossier_scans", "logs"}


def test_escpos_print_reaches_a_socket_printer(station, bundle, tmp_path):
    printer = LoopbackPrinter()
    printer.start()
    shop = station_of(bundle, tmp_path / "kiosk-escpos", printer_kind="escpos",
                   printer_target=f"tcp://127.0.0.1:{printer.port}")
    code = new_dossier(shop, tmp_path)
    job = shop.json("receipt", "print", code)
    printer.join(10)
    assert job["status"] == "printed" and job["printer_kind"] == "escpos"
    sent = bytes(printer.received)
    # Epson ESC/POS command reference: ESC @ initialises the printer, GS v 0 prints a raster bit image,
    # GS V cuts the paper.
    assert b"\x1b@" in sent and GS_V0 in sent and b"\x1dV" in sent
    assert sent.index(b"\x1b@") < sent.index(GS_V0) < sent.rindex(b"\x1dV")
    qr = decode_qr(raster_from_escpos(sent))
    assert shop.json("qr", "verify", qr)["claims"]["tracking_code"] == code


def test_a_usb_printer_is_looked_for_through_the_bundled_libusb(bundle, tmp_path):
    """No USB printer is plugged in here: the job is recorded and fails as "offline" (pyusb ran, with a libusb,
    and found no such device), not as a missing backend or a crash. That it is the bundled libusb is shown by
    tests/unit/test_printer_choice.py (here the system's would do as well)."""
    shop = station_of(bundle, tmp_path / "kiosk-usb", printer_kind="escpos", printer_target="usb://04b8:0e15")
    code = new_dossier(shop, tmp_path)
    failed = shop.run("receipt", "print", code, "--json", ok=False)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["reason"] == "offline", failed.stdout


def test_level_two_account_request_with_a_portrait_runs_the_face_match(station, tmp_path):
    citizen = write_json(tmp_path / "citizen.json", snapshot(person(41, age=34)))
    astronaut, hopper = str(astronaut_path()), str(hopper_path())
    same = station.json("account", "request", "--citizen", citizen, "--level", "2", "--phone", "0912345678",
                        "--portrait", astronaut, "--chip-photo", astronaut, "--fingerprint-checked")
    match = same["face_match"]
    # dlib's published threshold: two photos of one person are closer than 0.6.
    assert match["engine"] == "dlib_face_recognition_resnet_model_v1" and match["outcome"] == "match"
    assert match["distance"] < 0.6
    other = write_json(tmp_path / "other.json", snapshot(person(42, age=40)))
    differ = station.json("account", "request", "--citizen", other, "--level", "2", "--phone", "0912345679",
                          "--portrait", hopper, "--chip-photo", astronaut, "--fingerprint-checked")
    assert differ["face_match"]["outcome"] == "no_match" and differ["face_match"]["distance"] >= 0.6


class Xvfb:
    """A virtual X screen of our own (-displayfd picks a free display number)."""

    def __init__(self) -> None:
        if shutil.which("Xvfb") is None:
            pytest.fail("Xvfb is missing (./setup.sh installs xvfb)")
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.display = ":" + self.proc.stdout.readline().strip()

    def screenshot(self, out: Path) -> None:
        grab = ("import sys\nfrom PySide6.QtGui import QGuiApplication\n"
                "app = QGuiApplication(['grab'])\n"
                "assert app.primaryScreen().grabWindow(0).save(sys.argv[1])\n")
        subprocess.run([sys.executable, "-c", grab, str(out)], check=True, timeout=60,
                       env=dict(os.environ, DISPLAY=self.display, QT_QPA_PLATFORM="xcb"))

    def window_titles(self) -> list[str]:
        tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=True,
                              env=dict(os.environ, DISPLAY=self.display)).stdout
        return [line.split('"')[1] for line in tree.splitlines() if line.count('"') >= 2]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def english(source: str) -> str:
    """The English of a Vietnamese source string, from the translation file the bundle compiles."""
    import xml.etree.ElementTree as ET

    for message in ET.parse(ROOT / "resources" / "i18n" / "kiosk_en.ts").iter("message"):
        if message.findtext("source") == source:
            return message.findtext("translation")
    raise AssertionError(f"no English for {source!r}")


def children_of(data_dir: Path) -> list[tuple[int, str]]:
    """(pid, state) of every process whose command line names this data folder (the demo card's does)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if "__child" in cmdline and str(data_dir) in cmdline:
            found.append((int(proc.name), state))
    return found


def wait_for_log(log: Path, needle: str, proc: subprocess.Popen, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if needle in text:
            return text
        assert proc.poll() is None, f"the GUI ended early ({proc.returncode}):\n{text[-3000:]}"
        time.sleep(0.3)
    raise AssertionError(f"'{needle}' never appeared in {log}")


@pytest.mark.pcsc
def test_demo_gui_in_english_reads_its_card_through_pcscd_and_leaves_no_process(bundle, tmp_path, pcsc_reader):
    """`kiosk --demo --lang en` from the bundle: the window is English, the demo card it started (a child of the
    bundle) is read through pcscd by the bundle's console, and SIGTERM closes it all, child reaped."""
    screen = Xvfb()
    station = station_of(bundle, tmp_path / "kiosk-demo")
    data = Path(station.env["KIOSK_DATA_DIR"]) / "demo"
    gui = subprocess.Popen([*station.commands["gui"], "--demo", "--lang", "en", "--data-dir", str(data)],
                           cwd=station.home, env=dict(station.env, DISPLAY=screen.display, QT_QPA_PLATFORM="xcb"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    try:
        wait_for_log(data / "logs" / "kiosk.log", "demo: virtual card served on", gui)
        assert [state for _pid, state in children_of(data)] == ["S"] or all(
            state in "SR" for _pid, state in children_of(data))
        citizen = generate_citizen(1)  # demo mode serves seed 1
        read = station.json("--data-dir", str(data), "card", "read", "--reader", pcsc_reader,
                            "--id-number", citizen.id_number, "--birth", citizen.birth_date.isoformat(),
                            "--expiry", citizen.expiry_date.isoformat() if citizen.expiry_date else "none")
        assert read["personal"]["id_number"] == citizen.id_number
        assert read["verification"]["passive"] == "chain_verified"  # the demo CSCA the child wrote is trusted
        # Demo mode's hub is the bundle's other child: the window enrols the kiosk with it on loopback.
        deadline = time.monotonic() + 60
        while not (status := station.json("--data-dir", str(data), "sync", "--status"))["enrolled"]:
            assert time.monotonic() < deadline, status
            time.sleep(0.5)
        assert status["hub_url"] == "http://127.0.0.1:47863" and status["hub_key_fingerprint"]

        title = english("Kiosk tiếp dân — Công an phường")  # the window's title, as kiosk_en.ts translates it
        deadline = time.monotonic() + 30
        while not any(t.startswith(title) for t in screen.window_titles()):  # Qt appends " — Kiosk"
            assert time.monotonic() < deadline, screen.window_titles()
            time.sleep(0.3)
        assert not any("Kiosk tiếp dân" in t for t in screen.window_titles())
        time.sleep(1.0)  # let it paint
        OUTPUT.mkdir(exist_ok=True)
        shot = OUTPUT / "bundle-gui-en.png"
        screen.screenshot(shot)
        with Image.open(shot) as img:
            assert len(img.convert("RGB").getcolors(1 << 20)) > 16, "the screen is blank: no window was painted"

        gui.send_signal(signal.SIGTERM)
        assert gui.wait(timeout=30) == 0, gui.stderr.read()
        deadline = time.monotonic() + 10
        while children_of(data) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert children_of(data) == [], "the demo card outlived the kiosk (or was left a zombie)"
    finally:
        if gui.poll() is None:
            gui.kill()
            gui.wait(timeout=10)
        gui.stderr.close()
        screen.stop()


def test_the_bundled_hub_serves_and_two_kiosks_sync_to_it(bundle, tmp_path):
    hub_home = tmp_path / "hub"
    hub = station_of(bundle, hub_home)
    db_url = f"sqlite:///{hub_home / 'hub.db'}"
    port = free_port("127.0.0.1")
    server = subprocess.Popen([*hub.commands["kiosk-hub"], "serve", "--db", db_url, "--host", "127.0.0.1", "--port", str(port)],
                              cwd=hub_home, env=hub.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                health = httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "kiosk-hub serve never answered /health"
                time.sleep(0.3)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        codes = []
        for n in (1, 2):
            kiosk = station_of(bundle, tmp_path / f"kiosk-{n}", station_id="CA-PHUONG-1")
            enrol = hub.json("enrol-code", "--station", "CA-PHUONG-1", "--db", db_url, exe="kiosk-hub")["code"]
            kiosk.run("enrol", "--hub", url, "--code", enrol)
            codes.append(new_dossier(kiosk, tmp_path / f"files-{n}", seed=n))
            report = kiosk.json("sync", "--once")
            assert report["status"] == "ok" and report["pushed"] >= 1 and report["pending"] == 0
        stats = hub.json("stats", "--db", db_url, exe="kiosk-hub")
        assert len(stats["kiosks"]) == 2 and stats["dossiers"] == 2
        assert len(set(codes)) == 2
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()
