"""Demo mode's hub as a child process of the kiosk (`kiosk __child hub …`, through `kiosk.support.children`).

Serves the hub on loopback over an SQLite file, prints one JSON line once it answers (its address and
public signing key, or why it did not start), then reads requests on its standard input, one JSON
line each (`{"enrol_code": {"station": …, "units": […]}}`, answered with `{"code": …}`), until that
input closes: the kiosk that started it ended, however it ended.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk __child hub", description="Demo mode's hub on loopback.")
    p.add_argument("--db", type=Path, required=True, help="the hub's SQLite file")
    p.add_argument("--port", type=int, required=True)
    return p


def _say(message: dict) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from kiosk.hub.core import Hub
    from kiosk.hub.db import open_hub_database
    from kiosk.hub.embedded import EmbeddedHub

    try:
        hub = Hub(open_hub_database(f"sqlite:///{args.db}"))
        served = EmbeddedHub(hub, port=args.port).start()
    except Exception as exc:  # told to the kiosk, which goes on without a hub
        _say({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    _say({"url": served.url, "hub_key": hub.signer.public_b64})
    try:
        for line in sys.stdin:
            asked = json.loads(line).get("enrol_code")
            if isinstance(asked, dict):
                _say({"code": hub.create_enrol_code(str(asked["station"]), units=list(asked.get("units") or []))})
    finally:
        served.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
