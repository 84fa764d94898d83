"""Dossier lookups and accent-free name search over many dossiers in the encrypted database.

    python bench/dossiers.py [--dossiers 1000000] [--queries 1000] [--keep DIR]

Fills the SQLCipher database (through the real migrations) and, in the same run, a bare
unencrypted SQLite file (stdlib sqlite3) with the same tables, FTS5 index and rows. Then times, p50
and p95 over the same queries on both: lookup by tracking code, by 12-digit ID number, and name
search typed without accents (last word as a prefix), through `kiosk.services.search.find_ids`; and
the same through `DossierService.get` / `.search` (what the GUI calls). Targets: lookups ≤ 2 ms,
name search p95 ≤ 30 ms and ≤ 1.5 × the bare table. Rows are bulk-inserted in large transactions
straight into the tables (not through `submit`), in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

from kiosk.db.engine import open_database
from kiosk.devices.vchip.citizen import (
    GIVEN_FEMALE,
    GIVEN_MALE,
    MIDDLE_FEMALE,
    MIDDLE_MALE,
    PROVINCES,
    STREETS,
    SURNAMES,
    WARDS,
)
from kiosk.domain.catalog import fold
from kiosk.domain.roles import Principal, Role
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import load_catalog
from kiosk.services.dossiers import DossierService
from kiosk.services.search import SearchQuery, find_ids

UNIT = "000.00.24.H57"
BATCH = 50_000
FIRST_DAY = date(2023, 1, 2)
# A dossier's form is about this size in practice (service #3 with its addresses); pages are filled alike.
FORM = json.dumps({"case": "own_home", "applicant_phone": "0912345678", "relationship_to_head": "head",
                   "proof_type": "in_database", "fee_exempt": False, "new_residence": "x" * 160,
                   "co_registrants": "y" * 200}, ensure_ascii=False)


def person(rng: random.Random) -> tuple[str, str, str]:
    female = rng.random() < 0.5
    name = " ".join((rng.choice(SURNAMES), rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
                     rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)))
    born = rng.randint(1940, 2008)
    century = 2 * (born // 100 - 19) + (1 if female else 0)
    return name, f"{born}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{century}{born % 100:02d}"


def rows(n: int, seed: int = 6) -> Iterator[tuple[tuple, tuple, tuple]]:
    """(dossier, person, fts) rows; codes follow the daily blocks, ID numbers are unique."""
    rng = random.Random(seed)
    provinces = sorted(PROVINCES)
    for i in range(1, n + 1):
        day = FIRST_DAY + timedelta(days=(i - 1) // 999)
        code = f"{UNIT}-{day:%y%m%d}-{(i - 1) % 999 + 1:04d}"
        name, born, cy = person(rng)
        id_number = f"{rng.choice(provinces)}{cy}{i % 1_000_000:06d}"
        address = f"Số {rng.randint(1, 399)}, đường {rng.choice(STREETS)}, phường {rng.choice(WARDS)}"
        status = "returned" if rng.random() < 0.8 else rng.choice(("received", "processing", "result_ready"))
        when = f"{day.isoformat()}T09:{rng.randint(0, 59):02d}:00+07:00"
        dossier = (i, code, rng.randint(1, 25), status, "citizen", name, id_number, when, day.isoformat(),
                   (day + timedelta(days=7)).isoformat(), "K-BENCH", "canbo", "chip", "chain_verified",
                   '{"basis":"legal_obligation"}', FORM, '{"total":0}', when)
        yield dossier, (i, i, "applicant", "chip", id_number, name, born), (i, fold(code), id_number, fold(name),
                                                                            fold(address))


DOSSIER_SQL = ("INSERT INTO dossier (id, tracking_code, service_no, status, applicant_kind, subject_name, "
               "applicant_id_number, received_at, received_on, appointment_date, kiosk_id, created_by, "
               "identity_source, chip_verdict, legal_basis, form, fees, updated_at) "
               "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
PERSON_SQL = "INSERT INTO dossier_person (id, dossier_id, role, source, id_number, full_name, birth_date) VALUES (?,?,?,?,?,?,?)"
FTS_SQL = "INSERT INTO dossier_fts (rowid, code, ids, names, places) VALUES (?,?,?,?,?)"


def bare_schema(conn: sqlite3.Connection) -> None:
    """The same tables and indexes the migration makes (only what the queries touch)."""
    conn.executescript("""
        CREATE TABLE dossier (id INTEGER PRIMARY KEY, tracking_code VARCHAR(40) NOT NULL UNIQUE, service_no INTEGER,
          status VARCHAR(24), applicant_kind VARCHAR(16), subject_name VARCHAR(250), applicant_id_number VARCHAR(12),
          received_at VARCHAR(40), received_on VARCHAR(10), appointment_date VARCHAR(10), kiosk_id VARCHAR(40),
          created_by VARCHAR(120), identity_source VARCHAR(10), chip_verdict VARCHAR(32), legal_basis TEXT, form TEXT,
          fees TEXT, updated_at VARCHAR(32));
        CREATE INDEX ix_dossier_status_day ON dossier (status, received_on);
        CREATE INDEX ix_dossier_day ON dossier (received_on);
        CREATE TABLE dossier_person (id INTEGER PRIMARY KEY, dossier_id INTEGER REFERENCES dossier(id), role VARCHAR(40),
          source VARCHAR(10), id_number VARCHAR(12), full_name VARCHAR(200), birth_date VARCHAR(10), snapshot TEXT);
        CREATE INDEX ix_dossier_person_id_number ON dossier_person (id_number);
        CREATE INDEX ix_dossier_person_dossier ON dossier_person (dossier_id);
        CREATE VIRTUAL TABLE dossier_fts USING fts5(code, ids, names, places,
          tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3');
    """)


def fill(encrypted: sqlite3.Connection, bare: sqlite3.Connection, n: int) -> tuple[list, float, float]:
    """Insert n dossiers into both databases; returns a sample of (code, id, name) and the seconds each took."""
    sample: list[tuple[str, str, str]] = []
    spent = {"enc": 0.0, "bare": 0.0}
    it = rows(n)
    done = 0
    while done < n:
        batch = [next(it) for _ in range(min(BATCH, n - done))]
        done += len(batch)
        sample.extend((d[1], d[6], d[5]) for d, _, _ in batch[:: max(1, n // 4000)])
        for key, conn in (("enc", encrypted), ("bare", bare)):
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(DOSSIER_SQL, [d for d, _, _ in batch])
            conn.executemany(PERSON_SQL, [p for _, p, _ in batch])
            conn.executemany(FTS_SQL, [f for _, _, f in batch])
            conn.execute("COMMIT")
            spent[key] += time.perf_counter() - start
        print(f"\r  {done:,} / {n:,} dossiers", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    for conn in (encrypted, bare):
        conn.execute("INSERT INTO dossier_fts (dossier_fts) VALUES ('optimize')")
        conn.execute("ANALYZE")
    return sample, spent["enc"], spent["bare"]


def timed(fn: Callable[[str], object], queries: list[str]) -> tuple[float, float]:
    for q in queries[:100]:
        fn(q)  # warm the page caches (each pooled connection has its own) as a running kiosk would have them
    times = []
    for q in queries:
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def name_queries(sample: list[tuple[str, str, str]], rng: random.Random, count: int) -> list[str]:
    """Typed as staff type them: no accents, whole name, surname and given name, or a prefix at the end."""
    out = []
    for _ in range(count):
        words = fold(rng.choice(sample)[2]).split()
        shape = rng.random()
        if shape < 0.5:
            out.append(" ".join(words))
        elif shape < 0.8:
            out.append(f"{words[0]} {words[-1]}")
        else:
            out.append(" ".join(words[:-1]) + " " + words[-1][: max(1, len(words[-1]) - 2)])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return run(folder, args.dossiers, args.queries)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path, n: int, query_count: int) -> int:
    db = open_database(folder / "encrypted", use_keyring=False)
    bare_path = folder / "bare.db"
    bare_path.unlink(missing_ok=True)
    bare = sqlite3.connect(bare_path, isolation_level=None)
    bare.execute("PRAGMA journal_mode=WAL")
    bare.execute("PRAGMA synchronous=FULL")
    bare_schema(bare)
    raw = db.engine.raw_connection()
    print(f"Filling {n:,} dossiers into {folder} …", file=sys.stderr)
    sample, enc_s, bare_s = fill(raw.driver_connection, bare, n)
    raw.close()
    bare.close()
    sizes = {"encrypted": sum(p.stat().st_size for p in (folder / "encrypted").glob("kiosk.db*")),
             "bare": sum(p.stat().st_size for p in folder.glob("bare.db*"))}

    bare_engine = create_engine(f"sqlite:///{bare_path}")

    @event.listens_for(bare_engine, "connect")
    def _autocommit(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    bare_sessions = sessionmaker(bare_engine)
    rng = random.Random(25)
    codes = [rng.choice(sample)[0] for _ in range(query_count)]
    ids = [rng.choice(sample)[1] for _ in range(query_count)]
    names = name_queries(sample, rng, query_count)

    service = DossierService(db, load_catalog(), CalendarService(), UNIT)
    officer = Principal("canbo", Role.OFFICER)
    results: list[tuple[str, tuple[float, float], tuple[float, float] | None]] = []
    with db.sessions() as enc_session, bare_sessions() as bare_session:
        for label, queries in (("lookup by code", codes), ("lookup by ID number", ids), ("name search, no accents", names)):
            enc = timed(lambda q: find_ids(enc_session, SearchQuery(q)), queries)
            plain = timed(lambda q: find_ids(bare_session, SearchQuery(q)), queries)
            results.append((label, enc, plain))
        hits = [len(find_ids(enc_session, SearchQuery(q))) for q in names[:200]]
    results.append(("DossierService.get(code)", timed(lambda q: service.get(officer, q), codes), None))
    results.append(("DossierService.search(name)", timed(lambda q: service.search(officer, q), names), None))
    db.dispose()
    bare_engine.dispose()

    print(f"\nDossiers: {n:,}; {query_count:,} queries each; name searches return {statistics.mean(hits):.1f} "
          f"rows on average (page of 50)")
    print(f"Fill time: encrypted {enc_s:.0f} s, bare {bare_s:.0f} s; size: encrypted {sizes['encrypted'] / 2**20:.0f} MiB,"
          f" bare {sizes['bare'] / 2**20:.0f} MiB")
    print(f"{'query':<30} {'SQLCipher p50':>14} {'p95':>9} {'bare p50':>10} {'p95':>9} {'ratio p95':>10}")
    for label, enc, plain in results:
        line = f"{label:<30} {enc[0]:>11.3f} ms {enc[1]:>6.3f} ms"
        if plain:
            line += f" {plain[0]:>7.3f} ms {plain[1]:>6.3f} ms {enc[1] / plain[1]:>9.2f}×"
        print(line)
    print("Targets: lookups ≤ 2 ms; name search p95 ≤ 30 ms and ≤ 1.5 × the bare table.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
