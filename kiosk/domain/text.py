"""Text from cards, files and keyboards made safe before it is stored, searched or printed.

Vietnamese typed on one machine arrives precomposed (NFC, "ễ" as one code point) and on another
decomposed (NFD, "e" + two combining marks): both become NFC (Unicode Standard Annex #15), so a name
is stored, compared and searched one way. Characters that change how text is shown rather than what
it says are refused where a person typed or a file gave them, and removed where a card did (a card
cannot be corrected at the counter): control characters (NUL, ESC and its terminal sequences, DEL,
the C1 range), the bidirectional formatting characters of Unicode Standard Annex #9 §2 (LRE, RLE,
PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM), line and paragraph separators, the byte-order
mark and non-characters. Newlines and tabs are kept only in multi-line notes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

#: UAX #9 §2.1–2.6: explicit embeddings, overrides and isolates, and the implicit marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_OTHER_UNSAFE = frozenset("\u2028\u2029\ufeff\ufffe\uffff")
MULTILINE_ALLOWED = frozenset("\n\t")

MESSAGE_VI = ("có ký tự điều khiển hoặc ký tự đảo chiều văn bản (không nhìn thấy được); hãy gõ lại phần này")
MESSAGE_EN = "holds a control or text-direction character (invisible); type this part again"


def unsafe_char(c: str, multiline: bool = False) -> bool:
    if multiline and c in MULTILINE_ALLOWED:
        return False
    return c in BIDI_CONTROLS or c in _OTHER_UNSAFE or unicodedata.category(c) in ("Cc", "Cs")


def has_unsafe(text: str, multiline: bool = False) -> bool:
    return any(unsafe_char(c, multiline) for c in text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def scrub(text: str, multiline: bool = False) -> str:
    """NFC with the unsafe characters removed (a tab or line break becomes a space outside notes)."""
    out = []
    for c in nfc(text):
        if not unsafe_char(c, multiline):
            out.append(c)
        elif c in "\t\n\r\u2028\u2029" and not multiline:
            out.append(" ")
    return "".join(out)


def map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    """`fn` applied to every string of a JSON-like value, keys too."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, Mapping):
        return {fn(k) if isinstance(k, str) else k: map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [map_strings(v, fn) for v in value]
    return value


def nfc_tree(value: Any) -> Any:
    """Every string in a JSON-like value (keys too) in NFC."""
    return map_strings(value, nfc)


def unsafe_paths(value: Any, path: str, multiline: frozenset[str] = frozenset()) -> Iterator[str]:
    """The paths (`citizen.personal.full_name`, `form.note`) of strings holding unsafe characters."""
    if isinstance(value, str):
        if has_unsafe(value, path.rsplit(".", 1)[-1] in multiline):
            yield path
    elif isinstance(value, Mapping):
        for k, v in value.items():
            key = str(k)
            if has_unsafe(key):
                yield f"{path}.{key!r}" if path else repr(key)
            else:
                yield from unsafe_paths(v, f"{path}.{key}" if path else key, multiline)
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            yield from unsafe_paths(v, f"{path}[{i}]", multiline)
