"""Dossier search inside the encrypted database: exact code and ID lookups, FTS5 over folded text.

SQLite's `remove_diacritics` leaves `đ` alone, so the index holds text folded by
`kiosk.domain.catalog.fold` (đ→d, NFD, marks dropped, lower case) and queries are folded the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from kiosk.domain.dossier import fts_match, index_text
from kiosk.domain.tracking import looks_like_code

_ID_RE = re.compile(r"\d{12}")
_MAX_LIMIT = 500
PERSON_COLUMNS = ("names", "ids", "code")


@dataclass(frozen=True)
class SearchQuery:
    """Free text (code, ID number, name or address, accents optional) and filters."""

    text: str = ""
    statuses: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    limit: int = 50


def index_dossier(
    session: Session, dossier_id: int, code: str, ids: Sequence[str], names: Sequence[Any], places: Sequence[Any]
) -> None:
    """Write (or replace) the dossier's row of the full-text index, in the caller's transaction."""
    session.execute(text("DELETE FROM dossier_fts WHERE rowid = :id"), {"id": dossier_id})
    session.execute(
        text("INSERT INTO dossier_fts (rowid, code, ids, names, places) VALUES (:id, :code, :ids, :names, :places)"),
        {"id": dossier_id, "code": index_text([code]), "ids": " ".join(i for i in ids if i),
         "names": index_text(names), "places": index_text(places)},
    )


def reindex_code(session: Session, dossier_id: int, codes: Sequence[str]) -> None:
    """The dossier's codes in the full-text index (its code now, and one the hub replaced)."""
    session.execute(text("UPDATE dossier_fts SET code = :code WHERE rowid = :id"),
                    {"id": dossier_id, "code": index_text(list(codes))})


def _filters(query: SearchQuery, params: dict[str, Any]) -> str:
    clauses = []
    if query.statuses:
        names = []
        for i, status in enumerate(query.statuses):
            params[f"st{i}"] = status
            names.append(f":st{i}")
        clauses.append(f"d.status IN ({', '.join(names)})")
    if query.date_from is not None:
        params["from"] = query.date_from.isoformat()
        clauses.append("d.received_on >= :from")
    if query.date_to is not None:
        params["to"] = query.date_to.isoformat()
        clauses.append("d.received_on <= :to")
    return "".join(f" AND {c}" for c in clauses)


def classify(raw: str) -> str:
    """`code`, `id_number`, `text` or `none`: which lookup a query needs."""
    stripped = raw.strip()
    if not stripped:
        return "none"
    if looks_like_code(stripped):
        return "code"
    if _ID_RE.fullmatch(re.sub(r"[\s.\-]", "", stripped)):
        return "id_number"
    return "text" if fts_match(stripped) else "none"


def find_ids(session: Session, query: SearchQuery) -> list[int]:
    """Dossier ids matching the query, newest first."""
    params: dict[str, Any] = {"limit": max(1, min(query.limit, _MAX_LIMIT))}
    where = _filters(query, params)
    kind = classify(query.text)
    if kind == "code":
        params["code"] = query.text.strip().upper()
        # A code the hub replaced (it clashed with another dossier's) still finds its dossier.
        sql = ("SELECT d.id FROM dossier d WHERE (d.tracking_code = :code OR d.uid IN (SELECT r.record_uid FROM "
               f"recoded_record r WHERE r.previous_code = :code AND r.record_kind = 'dossier')){where}")
    elif kind == "id_number":
        params["idn"] = re.sub(r"[\s.\-]", "", query.text)
        sql = (
            "SELECT d.id FROM dossier d WHERE d.id IN "
            f"(SELECT p.dossier_id FROM dossier_person p WHERE p.id_number = :idn){where} "
            "ORDER BY d.id DESC LIMIT :limit"
        )
    elif kind == "text":
        # People first: a name query must not drown in addresses whose street folds the same
        # ("Dương" and "đường"); then the addresses fill the rest of the page.
        sql = (
            "SELECT d.id FROM dossier_fts f JOIN dossier d ON d.id = f.rowid "
            f"WHERE dossier_fts MATCH :match{where} ORDER BY f.rowid DESC LIMIT :limit"
        )
        found = [row[0] for row in session.execute(text(sql), {**params, "match": fts_match(query.text, PERSON_COLUMNS)})]
        if len(found) < params["limit"]:
            seen = set(found)
            rest = session.execute(text(sql), {**params, "match": fts_match(query.text), "limit": params["limit"] + len(found)})
            found += [row[0] for row in rest if row[0] not in seen][: params["limit"] - len(found)]
        return found
    else:
        sql = f"SELECT d.id FROM dossier d WHERE 1 = 1{where} ORDER BY d.id DESC LIMIT :limit"
    return [row[0] for row in session.execute(text(sql), params)]
