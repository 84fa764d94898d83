"""Benchmark a full chip read over the real PC/SC stack: APDUs against the minimum, reader CPU, wall time.

The virtual CCCD chip (DG2 ≈ 15 KB) is served through vpcd; the read is COM, SOD, DG1, DG2, DG13,
DG14, DG15 with passive, chip and active authentication. The reader's CPU is the CPU time of the
reading thread only (`time.thread_time`), so the chip's work on its own thread is not counted.
Each way of opening the chip is measured in the same run: BAC (a chip without PACE, the MRZ key),
PACE-MRZ (the ID number and dates typed) and PACE-CAN (the six digits typed).

    python bench/card_read.py [--runs 10] [--access bac,pace-mrz,pace-can] [--short-apdu-only]
                              [--aa ecdsa --aa-curve p384]
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import time

from smartcard import scard

from kiosk.devices.icao.access import CardKey
from kiosk.devices.icao.bac import AccessKey
from kiosk.devices.icao.document import read_and_verify
from kiosk.devices.icao.passive import TrustStore
from kiosk.devices.icao.reader import DEFAULT_FILES, EXTENDED_CHUNK, FILES
from kiosk.devices.pcsc import PcscConnection
from kiosk.devices.vchip import (
    ChipKeys,
    ChipOptions,
    TestPKI,
    VirtualCard,
    VirtualReaderSlot,
    generate_citizen,
)

#: Plaintext bytes one short secure-messaging READ BINARY can carry at most (docs/card.md: 231 under BAC).
SHORT_PLAIN_MAX = 231


def ensure_pcscd() -> subprocess.Popen | None:
    rc, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rc == scard.SCARD_S_SUCCESS:
        scard.SCardReleaseContext(ctx)
        return None
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    proc = subprocess.Popen([binary, "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return proc


def wait_present(reader: str, timeout: float = 10.0) -> None:
    rc, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            rc, states = scard.SCardGetStatusChange(ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
            if rc == scard.SCARD_S_SUCCESS and states[0][1] & scard.SCARD_STATE_PRESENT:
                return
            time.sleep(0.05)
    finally:
        scard.SCardReleaseContext(ctx)
    raise SystemExit(f"pcscd never saw the virtual card in {reader!r}")


def minimum_apdus(card: VirtualCard, short_only: bool, pace: bool) -> tuple[int, str]:
    """The fewest commands a reader needs for this chip's read, and how it was counted."""
    per_read = SHORT_PLAIN_MAX if short_only else EXTENDED_CHUNK
    reads = 0
    for name in DEFAULT_FILES:
        fid = FILES[name].fid
        size = len(card.files.get(fid, b""))
        if size:
            # One short read learns the length from the TLV header (8 bytes), then whole chunks.
            reads += 1 + math.ceil(max(0, size - 8) / per_read)
    access = 1 + (5 if pace else 2)  # READ EF.CardAccess, then MSE + 4 GENERAL AUTHENTICATE, or BAC
    fixed = 1 + access + 2 + 1  # SELECT, access, CA (MSE:Set AT + GENERAL AUTHENTICATE), AA
    how = (f"{reads} READ BINARY ({'≤ 231' if short_only else 'extended'} bytes each, header read first) "
           f"+ {fixed} fixed (SELECT, {'PACE' if pace else 'BAC'}, CA, AA)")
    return reads + fixed, how


#: Each way of opening the chip: what the chip offers (EF.CardAccess) and the key the officer gives.
ACCESS_MODES = {
    "bac": ("none", lambda c: AccessKey(c.document_number, c.birth_yymmdd, c.expiry_yymmdd)),
    "pace-mrz": ("pace", lambda c: CardKey.from_mrz_key(AccessKey(c.document_number, c.birth_yymmdd,
                                                                    c.expiry_yymmdd), "numbers")),
    "pace-can": ("pace", lambda c: CardKey.typed_can(c.can)),
}


def measure(mode: str, args, citizen, pki, trust, slot) -> None:
    card_access, make_key = ACCESS_MODES[mode]
    options = ChipOptions(short_apdu_only=args.short_apdu_only, card_access=card_access,
                          aa_kind=args.aa, aa_curve=args.aa_curve)
    keys = ChipKeys.generate(options)
    key = make_key(citizen)
    apdus, cpu, wall = [], [], []
    card = result = None
    for _ in range(args.runs):
        card = VirtualCard(citizen, pki, options, keys=keys)
        slot.insert(card)
        wait_present(slot.reader_name)
        slot.wait_until_powered()
        t_wall, t_cpu = time.perf_counter(), time.thread_time()
        with PcscConnection.open(slot.reader_name) as conn:
            result = read_and_verify(conn, key, trust)
        cpu.append(time.thread_time() - t_cpu)
        wall.append(time.perf_counter() - t_wall)
        apdus.append(result.apdu_count)
        v = result.verification
        if (v.passive, v.active, v.chip) != ("chain_verified", "verified", "verified"):
            raise SystemExit(f"unexpected verdict: {v}")
        slot.remove()
    assert card is not None and result is not None
    pace = mode != "bac"
    minimum, how = minimum_apdus(card, args.short_apdu_only, pace)
    sizes = ", ".join(f"{n} {len(card.files.get(FILES[n].fid, b''))}" for n in DEFAULT_FILES)
    median_apdus = statistics.median(apdus)
    print(f"[{mode}] opened with {result.verification.access}; chip: "
          f"{'short APDUs only' if args.short_apdu_only else 'extended length'}, AA {args.aa}"
          f"{' on ' + args.aa_curve if args.aa == 'ecdsa' else ''}; file bytes: {sizes}")
    print(f"[{mode}] APDUs per read (median of {args.runs}): {median_apdus:.0f}; minimum {minimum} = {how}; "
          f"ratio {median_apdus / minimum:.2f} (target ≤ 1.10)")
    print(f"[{mode}] reader-side CPU per read (reading thread, median): {1000 * statistics.median(cpu):.1f} ms "
          f"(target ≤ 100 ms)")
    print(f"[{mode}] wall time per read (median): {1000 * statistics.median(wall):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--short-apdu-only", action="store_true")
    parser.add_argument("--access", default="bac,pace-mrz,pace-can",
                        help="comma-separated: bac (no PACE offered), pace-mrz, pace-can")
    parser.add_argument("--aa", choices=("rsa", "ecdsa"), default="rsa", help="active-authentication key")
    parser.add_argument("--aa-curve", default="p256", help="curve of an ECDSA key (DG14 names ecdsa-plain)")
    args = parser.parse_args()
    modes = [m.strip() for m in args.access.split(",") if m.strip()]
    unknown = [m for m in modes if m not in ACCESS_MODES]
    if unknown or not modes:
        parser.error(f"--access: choose from {', '.join(ACCESS_MODES)}")

    started = ensure_pcscd()
    citizen = generate_citizen(1)
    pki = TestPKI.generate()
    trust_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"kiosk-bench-csca-{os.getpid()}.pem")
    with open(trust_file, "wb") as out:
        out.write(pki.csca_pem())
    trust = TrustStore.load([trust_file])
    slot = VirtualReaderSlot()
    try:
        for mode in modes:
            measure(mode, args, citizen, pki, trust, slot)
    finally:
        slot.remove()
        os.unlink(trust_file)
        if started is not None:
            started.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
