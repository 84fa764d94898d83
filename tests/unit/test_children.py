"""Child processes started as `kiosk __child NAME` (source tree) or `kiosk-console __child NAME` (bundle)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from kiosk.support import children


def test_the_command_is_the_kiosk_itself_frozen_or_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert children.command("vchip", ["--seed", "3"]) == [sys.executable, "-m", "kiosk", "__child", "vchip",
                                                          "--seed", "3"]
    gui = tmp_path / "kiosk"
    gui.write_bytes(b"")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(gui))
    assert children.command("vchip") == [str(gui), "__child", "vchip"]  # no console executable beside it
    (tmp_path / "kiosk-console").write_bytes(b"")
    assert children.command("vchip") == [str(tmp_path / "kiosk-console"), "__child", "vchip"]
    with pytest.raises(children.UnknownChild):
        children.command("rm")


def test_an_unknown_child_is_refused_by_the_hidden_command(capsys) -> None:
    from kiosk.cli import main

    assert main(["__child", "rm", "-rf"]) == 2
    assert "unknown child process: rm" in capsys.readouterr().err


def _gone(pid: int) -> bool:
    """Reaped: no /proc entry at all (a zombie would still have one)."""
    return not Path(f"/proc/{pid}").exists()


def test_a_child_that_never_gets_ready_is_reaped() -> None:
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the card cannot reach vpcd and gives up
    process = children.start("vchip", ["--port", str(port), "--seed", "2", "--lifeline"])
    assert children.read_line(process, timeout=60) == ""
    assert children.stop(process, timeout=5) == 2
    assert _gone(process.pid)


def test_closing_the_lifeline_stops_the_card_by_itself() -> None:
    """A listening socket stands in for vpcd: the card connects and says it is ready; when the starter
    closes its stdin the card ends on its own (exit 0), before any terminate or kill."""
    fake_vpcd = socket.create_server(("127.0.0.1", 0))
    process = children.start("vchip", ["--port", str(fake_vpcd.getsockname()[1]), "--seed", "2", "--lifeline"])
    try:
        conn, _ = fake_vpcd.accept()
        line = children.read_line(process, timeout=60)
        assert '"reader"' in line
        assert process.poll() is None
        assert children.stop(process, timeout=10) == 0
        assert _gone(process.pid)
        conn.close()
    finally:
        fake_vpcd.close()
        if process.poll() is None:
            process.kill()
            process.wait()
