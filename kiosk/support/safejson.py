"""JSON from outside (hub requests, files given to the CLI) parsed with limits, so hostile input is refused.

Python's own parser recurses once per nesting level (100,000 levels raise RecursionError), turns
`1e999` into infinity (then `int()` raises OverflowError) and accepts `NaN`. Here nesting is
counted before parsing, and every number must be finite and within the range I-JSON says a
receiver can take exactly. No other imports: the hub and the kiosk's commands both use it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

#: Nesting levels allowed; our deepest documents (a chip snapshot inside a form) use about six.
MAX_DEPTH = 64
#: RFC 7493 (I-JSON) §2.2: "an I-JSON sender cannot expect a receiver to treat an integer whose
#: absolute value is greater than 9007199254740991 (i.e., that is outside the range
#: [-(2**53)+1, (2**53)-1]) as an exact value."
MAX_SAFE_INTEGER = 2**53 - 1
_MAX_NUMBER_CHARS = 40

# One token per match: a string (with its escapes), a bracket, a number or a named constant.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|-?[0-9][0-9.eE+\-]*|NaN|-?Infinity', re.DOTALL)
# An escaped UTF-16 surrogate: json.loads turns a lone one into a str that cannot be encoded again.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonRefused(ValueError):
    """Input that is not JSON we accept; `reason` is a short code, `message_vi`/`message_en` say why."""

    MESSAGES = {
        "json_invalid": ("không phải JSON hợp lệ", "not valid JSON"),
        "json_encoding": ("không phải văn bản UTF-8", "not UTF-8 text"),
        "json_too_deep": (f"lồng nhau quá {MAX_DEPTH} cấp", f"nested deeper than {MAX_DEPTH} levels"),
        "json_bad_number": ("có số quá lớn, vô hạn hoặc không phải số (NaN)",
                            "holds a number that is too large, infinite or not a number"),
        "json_bad_text": ("có ký tự Unicode không hợp lệ (nửa cặp thay thế)",
                          "holds an invalid Unicode character (a lone surrogate)"),
    }

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.message_vi, self.message_en = self.MESSAGES[reason]
        self.detail = detail
        super().__init__(f"{reason}: {self.message_en}" + (f" ({detail})" if detail else ""))


def check(data: str | bytes) -> str:
    """Refuse what Python's parser would turn into trouble, without parsing: nesting deeper than
    MAX_DEPTH, numbers out of range, NaN and Infinity, escaped lone surrogates. Returns the text.

    Brackets and numbers inside strings are skipped; malformed text passes here and is refused by
    the parser afterwards (which then cannot recurse deeply or overflow)."""
    if isinstance(data, bytes | bytearray):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonRefused("json_encoding", f"byte {exc.start}") from None
    depth = 0
    for match in _TOKENS.finditer(data):
        token = match.group()
        first = token[0]
        if first == '"':
            if "\\u" in token and _SURROGATE_ESCAPE.search(token):
                _check_string(token)
        elif first in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise JsonRefused("json_too_deep")
        elif first in "]}":
            depth -= 1
        elif token[-1] in "Ny":  # NaN, Infinity
            raise JsonRefused("json_bad_number", token)
        else:
            _number(token)
    return data


def _check_string(token: str) -> None:
    try:
        json.loads(token).encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused("json_bad_text") from None
    except ValueError:
        pass  # malformed: the parser says so


def _number(text: str) -> None:
    if len(text) > _MAX_NUMBER_CHARS:
        raise JsonRefused("json_bad_number", text[:20] + "…")
    try:
        value = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return  # not a JSON number: the parser refuses it
    if not math.isfinite(value) or abs(value) > MAX_SAFE_INTEGER:
        raise JsonRefused("json_bad_number", text)


def _constant(text: str) -> Any:
    raise JsonRefused("json_bad_number", text)


def loads(data: str | bytes) -> Any:
    """Parse JSON text (str, or UTF-8 bytes) within the limits above; anything else raises JsonRefused."""
    text = check(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_constant=_constant)
    except JsonRefused:
        raise
    except (ValueError, RecursionError) as exc:
        raise JsonRefused("json_invalid", str(exc)[:120]) from None
