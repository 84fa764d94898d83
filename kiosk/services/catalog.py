"""Loads the 25 service files (and a station's override file), validating each at start."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kiosk.domain.catalog import Service, ServiceDataError, fold, service_from_dict
from kiosk.support import safejson
from kiosk.support.resources import resource_path

SERVICE_COUNT = 25
_FILE_RE = re.compile(r"^(\d{2})-[a-z0-9-]+\.json$")
_PATH_SYNTAX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*")
_PATH_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


@dataclass(frozen=True)
class CatalogProblem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class CatalogError(Exception):
    """The catalog cannot start; every problem names its file and the field path inside it."""

    def __init__(self, problems: list[CatalogProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UnconfirmedValue:
    """A value marked `"confirmed": false`, for the administrator to check and correct."""

    service: int
    path: str
    value: Any
    file: str


def _display(path: Path) -> str:
    """`resources/services/07-….json` for our own files, the full path for anything else."""
    root = resource_path().resolve()
    try:
        return str(Path("resources") / path.resolve().relative_to(root))
    except ValueError:
        return str(path)


def _type_ok(value: Any, expected: str) -> bool:
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, {
        "string": str, "boolean": bool, "object": dict, "array": list, "null": type(None),
    }[expected])


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def schema_problems(value: Any, schema: Mapping[str, Any], root: Mapping[str, Any], path: str = "") -> list[tuple[str, str]]:
    """(path, message) for each way `value` breaks the JSON-Schema subset that schema.json uses."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return schema_problems(value, root["$defs"][name], root, path)
    if "anyOf" in schema:
        for alternative in schema["anyOf"]:
            if not schema_problems(value, alternative, root, path):
                return []
        return [(path, f"{_short(value)} matches none of the allowed forms")]
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(x) for x in schema["enum"])
        return [(path, f"{_short(value)} is not one of {allowed}")]
    expected = schema.get("type")
    if expected is not None:
        kinds = expected if isinstance(expected, list) else [expected]
        if not any(_type_ok(value, k) for k in kinds):
            return [(path, f"{_short(value)} is not of type {' or '.join(kinds)}")]
    out: list[tuple[str, str]] = []
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            out.append((path, "must not be empty" if schema["minLength"] == 1 else f"shorter than {schema['minLength']}"))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            out.append((path, f"longer than {schema['maxLength']} characters"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append((path, f"{_short(value)} does not match {schema['pattern']}"))
        if schema.get("format") == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                out.append((path, f"{_short(value)} is not a date YYYY-MM-DD"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((path, f"{value} is less than the minimum {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((path, f"{value} is more than the maximum {schema['maximum']}"))
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            out.append((path, f"needs at least {schema['minItems']} item(s)"))
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            out.append((path, f"has more than {schema['maxItems']} items"))
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            out.append((path, "has duplicate items"))
        if "items" in schema:
            for i, item in enumerate(value):
                out.extend(schema_problems(item, schema["items"], root, _join(path, i)))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                out.append((_join(path, key), "required but missing"))
        for key, item in value.items():
            if key in props:
                out.extend(schema_problems(item, props[key], root, _join(path, key)))
            elif schema.get("additionalProperties") is False:
                out.append((_join(path, key), "is not a known property (misspelt?)"))
    return out


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def parse_json_path(path: str) -> list[str | int]:
    """`fees.items[0].amount` -> ['fees', 'items', 0, 'amount']; raises ValueError on bad syntax."""
    if not _PATH_SYNTAX.fullmatch(path):
        raise ValueError(f"cannot read the path {path!r} (expected e.g. fees.items[0].amount)")
    return [m.group(1) or int(m.group(2)) for m in _PATH_TOKEN.finditer(path)]


def _set_path(doc: Any, tokens: list[str | int], value: Any) -> None:
    target = doc
    for tok in tokens[:-1]:
        if isinstance(tok, int):
            if not isinstance(target, list) or tok >= len(target):
                raise KeyError(f"[{tok}] does not exist")
        elif not isinstance(target, dict) or tok not in target:
            raise KeyError(f"{tok!r} does not exist")
        target = target[tok]
    last = tokens[-1]
    if isinstance(last, int):
        if not isinstance(target, list) or last >= len(target):
            raise KeyError(f"[{last}] does not exist")
    elif not isinstance(target, dict):
        raise KeyError(f"{last!r}: the parent is not an object")
    target[last] = copy.deepcopy(value)


def _unconfirmed(doc: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(doc, dict):
        if doc.get("confirmed") is False:
            yield path or "(service)", {k: v for k, v in doc.items() if k != "confirmed"}
        for key, item in doc.items():
            yield from _unconfirmed(item, _join(path, key))
    elif isinstance(doc, list):
        for i, item in enumerate(doc):
            yield from _unconfirmed(item, _join(path, i))


class Catalog:
    """The loaded services; `all()` lists the most requested first."""

    def __init__(self, services: Mapping[int, Service], unconfirmed: list[UnconfirmedValue]) -> None:
        self._services = dict(services)
        self._unconfirmed = list(unconfirmed)
        self._keys = {n: _search_key(f"{s.name_vi} {s.name_en}") for n, s in self._services.items()}

    def get(self, number: int) -> Service:
        try:
            return self._services[number]
        except KeyError:
            raise KeyError(f"no service number {number}") from None

    def all(self) -> list[Service]:
        return sorted(self._services.values(), key=lambda s: (s.popularity, s.number))

    def __len__(self) -> int:
        return len(self._services)

    def __contains__(self, number: object) -> bool:
        return number in self._services

    def __iter__(self) -> Iterator[Service]:
        return iter(self.all())

    def search(self, text: str) -> list[Service]:
        """Services whose number is `text` (`7`, `#7`, `số 7`) or whose name matches it, accents ignored.

        A name holding the whole phrase wins; otherwise every word must start a word of the name.
        """
        query = _search_key(text)
        if not query:
            return self.all()
        hits = []
        m = re.fullmatch(r"(?:#|so\s*|dv\s*)?(\d{1,2})", query)
        if m and int(m.group(1)) in self._services:
            hits.append(self._services[int(m.group(1))])
        phrase = [s for s in self.all() if f" {query}" in f" {self._keys[s.number]}"]
        if phrase:
            return hits + [s for s in phrase if s not in hits]
        words = query.split()
        for s in self.all():
            name_words = self._keys[s.number].split()
            if s not in hits and all(any(w.startswith(q) for w in name_words) for q in words):
                hits.append(s)
        return hits

    def unconfirmed(self, number: int | None = None) -> list[UnconfirmedValue]:
        """Values not confirmed by a source, for the administrator view; one service or all."""
        return [u for u in self._unconfirmed if number is None or u.service == number]


def _search_key(text: str) -> str:
    # "Đăng kí" (seed #21) and "Đăng ký" are the same word: i and y are interchangeable here.
    return fold(text).replace("y", "i")


def _load_schema() -> dict[str, Any]:
    return json.loads(resource_path("services", "schema.json").read_text(encoding="utf-8"))


def _read_json(path: Path, problems: list[CatalogProblem]) -> Any:
    try:
        return safejson.loads(path.read_bytes())
    except OSError as exc:
        problems.append(CatalogProblem(_display(path), "", f"cannot read: {exc.strerror}"))
    except safejson.JsonRefused as exc:
        problems.append(CatalogProblem(_display(path), "", f"{exc.message_en}: {exc.detail}" if exc.detail
                                       else exc.message_en))
    return None


def _apply_overrides(
    docs: dict[int, dict[str, Any]], override_path: Path, problems: list[CatalogProblem]
) -> set[int]:
    """Apply `{"overrides": [{"service": n, "path": "...", "value": ...}]}`; returns the services touched."""
    shown = _display(override_path)
    data = _read_json(override_path, problems)
    if data is None:
        return set()
    if not isinstance(data, dict) or not isinstance(data.get("overrides"), list):
        problems.append(CatalogProblem(shown, "overrides", "the file must hold {\"overrides\": [ … ]}"))
        return set()
    touched: set[int] = set()
    for i, entry in enumerate(data["overrides"]):
        here = f"overrides[{i}]"
        if not isinstance(entry, dict) or set(entry) - {"service", "path", "value", "note"} or not {"service", "path", "value"} <= set(entry):
            problems.append(CatalogProblem(shown, here, "needs exactly 'service', 'path', 'value' (and an optional 'note')"))
            continue
        number, raw_path = entry["service"], entry["path"]
        if number not in docs:
            problems.append(CatalogProblem(shown, f"{here}.service", f"{number!r} is not a service number 1–25"))
            continue
        try:
            tokens = parse_json_path(raw_path) if isinstance(raw_path, str) else None
            if not tokens:
                raise ValueError(raw_path)
            if tokens[0] == "number":
                raise ValueError("the service number cannot be overridden")
            _set_path(docs[number], tokens, entry["value"])
        except (ValueError, KeyError) as exc:
            problems.append(CatalogProblem(shown, f"{here}.path", f"{raw_path!r}: {exc.args[0] if exc.args else exc}"))
            continue
        touched.add(number)
    return touched


def load_catalog(override_path: Path | None = None, directory: Path | None = None) -> Catalog:
    """Load, validate and return the catalog; raises CatalogError listing every broken file and field."""
    directory = Path(directory) if directory else resource_path("services")
    schema = _load_schema()
    problems: list[CatalogProblem] = []
    docs: dict[int, dict[str, Any]] = {}
    files: dict[int, Path] = {}
    for path in sorted(directory.glob("*.json")):
        if path.name == "schema.json":
            continue
        m = _FILE_RE.match(path.name)
        if not m:
            problems.append(CatalogProblem(_display(path), "", "file name must be NN-name.json (NN = service number)"))
            continue
        data = _read_json(path, problems)
        if data is None:
            continue
        found = [CatalogProblem(_display(path), p, msg) for p, msg in schema_problems(data, schema, schema)]
        if not found and data["number"] != int(m.group(1)):
            found.append(CatalogProblem(_display(path), "number", f"{data['number']} does not match the file name"))
        if found:
            problems.extend(found)
            continue
        if data["number"] in files:
            problems.append(CatalogProblem(_display(path), "number", f"service {data['number']} is also in {files[data['number']].name}"))
            continue
        docs[data["number"]] = data
        files[data["number"]] = path
    missing = sorted(set(range(1, SERVICE_COUNT + 1)) - set(files))
    if missing and not problems:
        problems.append(CatalogProblem(_display(directory), "", f"no file for service(s) {', '.join(map(str, missing))}"))

    touched: set[int] = set()
    if override_path is not None and not problems:
        touched = _apply_overrides(docs, Path(override_path), problems)
        if problems:
            raise CatalogError(problems)

    services: dict[int, Service] = {}
    unconfirmed: list[UnconfirmedValue] = []
    for number in sorted(docs):
        doc = docs[number]
        shown = _display(files[number])
        if number in touched:
            shown = f"{shown} (with overrides from {_display(Path(override_path))})"  # type: ignore[arg-type]
            bad = schema_problems(doc, schema, schema)
            if bad:
                problems.extend(CatalogProblem(shown, p, msg) for p, msg in bad)
                continue
        try:
            services[number] = service_from_dict(doc)
        except ServiceDataError as exc:
            problems.append(CatalogProblem(shown, exc.path, exc.message))
            continue
        unconfirmed.extend(UnconfirmedValue(number, p, v, _display(files[number])) for p, v in _unconfirmed(doc))
    if problems:
        raise CatalogError(problems)
    return Catalog(services, unconfirmed)
