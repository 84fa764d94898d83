"""What signing every hub answer costs: the hub's signature and the kiosk's check, per answer size.

Signs and verifies answers the way the hub's ASGI layer and the kiosk's client do (SHA-256 of the body, then
Ed25519 over the status, the request and its nonce), with a key made for the run, and prints microseconds
per answer for a push acknowledgement, a pull page, a station-key list and the largest pull page.

    python bench/hub_signing.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.hub.signing import HubSigner  # noqa: E402
from kiosk.wire import protocol  # noqa: E402

SIZES = {"push answer": 300, "pull page (100 changes)": 40_000, "station keys (8 kiosks)": 1_500,
         "largest pull page": 1_000_000}


def per_call_us(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    signer = HubSigner.generate()
    public = signer.public_raw
    out = {}
    for name, size in SIZES.items():
        body = os.urandom(size)
        nonce = secrets.token_hex(16)
        runs = max(20, args.runs // max(1, size // 40_000))
        signature = signer.sign(200, "GET", "/v1/pull?after=0&after_uid=&limit=100", nonce, body)
        assert protocol.verify_answer(public, signature, 200, "GET", "/v1/pull?after=0&after_uid=&limit=100",
                                      nonce, body)
        out[name] = {
            "bytes": size,
            "hub_sign_us": round(per_call_us(
                lambda b=body, n=nonce: signer.sign(200, "GET", "/v1/pull", n, b), runs), 1),
            "kiosk_verify_us": round(per_call_us(
                lambda b=body, n=nonce, s=signature: protocol.verify_answer(public, s, 200, "GET", "/v1/pull", n, b),
                runs), 1),
        }
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
