"""A kiosk (or hub) driven through its commands as an operator runs them: real processes, own data folder.

The same helper drives the source tree (`python -m kiosk`) and the bundle (`kiosk-console`, `kiosk-hub`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SOURCE = {"kiosk": [sys.executable, "-m", "kiosk"], "kiosk-hub": [sys.executable, "-m", "kiosk.hub"]}


class KioskCli:
    def __init__(self, home: Path, commands: dict[str, Sequence[str]] | None = None, path: str | None = None,
                 **settings: str) -> None:
        self.home = home
        self.commands = {name: list(cmd) for name, cmd in (commands or SOURCE).items()}
        home.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": path if path is not None else os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "KIOSK_DATA_DIR": str(home / "data"), "KIOSK_CONFIG_FILE": str(home / "kiosk.toml"),
            "KIOSK_MACHINE_CONFIG": str(home / "machine.toml"), "KIOSK_USE_KEYRING": "0",
            **{f"KIOSK_{k.upper()}": v for k, v in settings.items()},
        }

    @property
    def data_dir(self) -> Path:
        return Path(self.env["KIOSK_DATA_DIR"])

    def run(self, *args: str, exe: str = "kiosk", ok: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        result = subprocess.run([*self.commands[exe], *args], cwd=self.home, env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        assert "Traceback" not in result.stderr, result.stderr
        if ok:
            assert result.returncode == 0, f"{args}: {result.stderr}"
        return result

    def json(self, *args: str, exe: str = "kiosk", ok: bool = True) -> Any:
        result = self.run(*args, "--json", exe=exe, ok=ok)
        return json.loads(result.stdout) if result.stdout.strip() else None
