"""The queue ticket's sealed QR code: its size for a full draft of each of the 25 services, and the time to
seal and open it, against the receipt's small signed code.

    python bench/hall_ticket.py [--runs N]

Each draft is the service's whole sample form (tests/dossier_samples.py) with a full chip snapshot, which
is more than a citizen usually fills in the hall. Prints, per service: the QR text's length, the QR
version at level M (or L when M would not fit) and the module size on the 72 mm printable width of an
80 mm roll; then the median seal and open times. A version above 40 would not print: the script says so.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from dossier_samples import sample_dossier  # noqa: E402

from kiosk.domain.dossier import ChipSnapshot  # noqa: E402
from kiosk.domain.qr_payload import key_id, raw_public_key  # noqa: E402
from kiosk.domain.ticket_qr import TicketBody, open_ticket, seal, station_key_id  # noqa: E402
from kiosk.services.catalog import load_catalog  # noqa: E402

SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
STATION = bytes(range(100, 132))


def version(text: str) -> tuple[int, str]:
    try:
        return segno.make_qr(text, error="m", boost_error=False).version, "M"
    except segno.DataOverflowError:
        return segno.make_qr(text, error="l", boost_error=False).version, "L"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    catalog = load_catalog()
    worst = ("", 0, 0)
    print("service  chars  version  module(mm)")
    bodies = []
    for service in catalog.all():
        sample = sample_dossier(service, 7, today=date(2026, 11, 25))
        body = TicketBody("6f1c2a7e-4b1d-4c3e-9a55-0d2b8c9e7f10", "A015", service.number, "A", "K-1A2B3C4D",
                          date(2026, 11, 25), 1_795_000_000, sample["form"],
                          ChipSnapshot.parse(sample["citizen"]).stored())
        text = seal(body, SIGNER, STATION)
        v, level = version(text)
        modules = 17 + 4 * v + 8  # with the quiet zone (ISO/IEC 18004 §6.3.8)
        module_mm = 72.0 / modules
        print(f"{service.number:>7}  {len(text):>5}  {v:>4} {level}   {module_mm:.2f}")
        if len(text) > worst[1]:
            worst = (str(service.number), len(text), v)
        bodies.append(body)
    print(f"largest: service {worst[0]}, {worst[1]} characters, version {worst[2]} "
          f"({'fits' if worst[2] <= 40 else 'DOES NOT FIT'} a QR code)")
    trusted = {key_id(SIGNER.public_key()): ("K-1A2B3C4D", raw_public_key(SIGNER.public_key()))}
    keys = {station_key_id(STATION): STATION}
    seal_times, open_times = [], []
    texts = [seal(b, SIGNER, STATION) for b in bodies]
    for i in range(args.runs):
        body, text = bodies[i % len(bodies)], texts[i % len(texts)]
        t0 = time.perf_counter()
        seal(body, SIGNER, STATION)
        t1 = time.perf_counter()
        open_ticket(text, keys, trusted)
        t2 = time.perf_counter()
        seal_times.append(t1 - t0)
        open_times.append(t2 - t1)
    print(f"seal: median {statistics.median(seal_times) * 1000:.2f} ms; open: median "
          f"{statistics.median(open_times) * 1000:.2f} ms ({args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
