"""kiosk.domain.text: NFC (UAX #15) and the characters UAX #9 §2 lists as bidirectional formatting."""

import unicodedata

import pytest

from kiosk.domain.text import has_unsafe, nfc_tree, scrub, unsafe_paths

# UAX #9 §2.1 (LRE, RLE, PDF, LRO, RLO), §2.4 (LRI, RLI, FSI, PDI), §2.6 (LRM, RLM, ALM)
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f",
        "\u061c"]


@pytest.mark.parametrize("char", [*BIDI, "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\ufeff", "\r"])
def test_control_and_direction_characters_are_unsafe(char):
    assert has_unsafe(f"Nguyễn{char}An") and char not in scrub(f"Nguyễn{char}An")


def test_notes_keep_line_breaks_and_tabs_names_do_not():
    assert not has_unsafe("dòng 1\ndòng 2\tx", multiline=True)
    assert has_unsafe("dòng 1\ndòng 2") and scrub("dòng 1\ndòng 2") == "dòng 1 dòng 2"


def test_decomposed_vietnamese_becomes_precomposed_everywhere_in_a_document():
    name = "Nguyễn Thị Phương Thảo"
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert nfc_tree({"personal": {"full_name": decomposed, "aliases": [decomposed]}}) == {
        "personal": {"full_name": name, "aliases": [name]}}
    assert scrub(decomposed) == name


def test_unsafe_paths_name_the_field():
    doc = {"personal": {"full_name": "A\u202eB", "ok": "Hà Nội"}, "list": ["x", "y\x1b[0m"]}
    assert list(unsafe_paths(doc, "citizen")) == ["citizen.personal.full_name", "citizen.list[1]"]
    assert list(unsafe_paths({"note": "a\nb"}, "", frozenset({"note"}))) == []
