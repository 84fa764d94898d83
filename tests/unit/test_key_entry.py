"""The card page's one key field and the card's QR code: each variant gives the right key or a clear
reason. The QR layout is the 2021 card's (docs/card.md): `id12|cmnd9|name|ddmmyyyy|sex|residence|ddmmyyyy`."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from kiosk.devices.icao.access import CardKey
from kiosk.domain.card_qr import QrError, clean_scan, parse_card_qr
from kiosk.domain.key_entry import KeyEntryError, interpret, message, mrz_in_progress
from kiosk.domain.partial_date import PartialDate

ID = "001099012345"
NAME = "Nguyễn Văn An"
HOME = "Số 12, đường Lê Lợi, phường Bến Nghé, Quận 1, TP Hồ Chí Minh"
FULL = f"{ID}|123456789|{NAME}|05091990|Nam|{HOME}|15082021"


def test_the_2021_layout():
    qr = parse_card_qr(FULL)
    assert (qr.id_number, qr.old_id_number, qr.full_name, qr.sex, qr.residence) == (ID, "123456789", NAME, "M", HOME)
    assert (qr.birth, qr.issue_date, qr.fields) == (PartialDate(1990, 9, 5), date(2021, 8, 15), 7)
    assert qr.can == "012345" and qr.document_number == "099012345"
    # Law 59/2014/QH13 Art. 21: issued at 30, the card is renewed at 40, on the 40th birthday.
    assert qr.expiry() == (True, date(2030, 9, 5))


@pytest.mark.parametrize(
    ("text", "old", "birth", "issue"),
    [
        (f"{ID}||{NAME}|05091990|Nam|{HOME}|15082021", None, PartialDate(1990, 9, 5), date(2021, 8, 15)),
        (f"{ID}|{NAME}|05091990|Nam|{HOME}|15082021", None, PartialDate(1990, 9, 5), date(2021, 8, 15)),
        (f"{ID}|123456789|{NAME}|05091990|Nam|{HOME}", "123456789", PartialDate(1990, 9, 5), None),
        (f"{ID}||{NAME}|091990|Nữ|{HOME}|15082021", None, PartialDate(1990, 9), date(2021, 8, 15)),
        (f"{ID}||{NAME}|1950|Nữ|{HOME}|15082021", None, PartialDate(1950), date(2021, 8, 15)),
    ],
    ids=["empty old number", "six fields without the old number", "six fields without the issue date",
         "mmyyyy birth", "yyyy birth"],
)
def test_layout_variants(text, old, birth, issue):
    qr = parse_card_qr(text)
    assert (qr.id_number, qr.old_id_number, qr.full_name, qr.birth, qr.issue_date) == (ID, old, NAME, birth, issue)


@pytest.mark.parametrize(
    "scanned",
    [
        f"]Q1{FULL}",  # AIM symbology identifier of a QR code (ISO/IEC 15424)
        f"ưQ1{FULL}",  # the same typed through Telex, which turns "]" into "ư"
        f"{FULL}\r\n",  # CR LF suffix
        f"\x02{FULL}\x03",  # STX … ETX framing
        f"{FULL}\t",
        f"CCCD:{FULL}",  # a label configured as the scanner's prefix
        f"{FULL}#",  # a suffix after the last field
        FULL.replace("|", "¦"),  # a keyboard layout that types the broken bar
        f"{ID}|123456789|Nguyeenx Vawn An|05091990|Nam|Soos 12, ddwowfng Lee Looij|15082021",  # Telex off, name as typed
        f"{ID}|123456789|Nguyêñ Văn An|05091990|Nam|Số 12, đđường Lê Lợi|15082021",  # Telex: "dd" → "đ" in words
        unicodedata.normalize("NFD", FULL),  # decomposed accents, as some input methods send them
    ],
    ids=["AIM ]Q1", "Telex ưQ1", "CR LF", "STX ETX", "Tab", "label prefix", "# suffix", "broken bar",
         "ASCII Telex spelling", "Telex đ", "NFD"],
)
def test_what_a_keyboard_wedge_scanner_adds_is_removed(scanned):
    qr = parse_card_qr(scanned)
    assert (qr.id_number, qr.birth, qr.issue_date) == (ID, PartialDate(1990, 9, 5), date(2021, 8, 15))


def test_a_vni_input_method_that_took_a_digit_of_the_issue_date_is_reported_not_guessed():
    # VNI reads a digit after a vowel as a tone mark: "Nội" + "1…" loses the "1".
    with pytest.raises(QrError) as caught:
        parse_card_qr(f"{ID}||{NAME}|05091990|Nam|Hà Nội|508202")
    assert caught.value.reason == "bad_issue_date"
    assert "bộ gõ tiếng Việt" in message("bad_issue_date")


def test_a_garbled_birth_date_is_reported():
    with pytest.raises(QrError) as caught:
        parse_card_qr(f"{ID}||{NAME}|3509199|Nam|{HOME}|15082021")
    assert caught.value.reason == "bad_birth_date"


@pytest.mark.parametrize(
    "text",
    [
        # The 2024 card's QR code (Circular 16/2024/TT-BCA): format not public; neither a URL nor a
        # long token without the 2021 separators is taken for a key.
        "https://vneid.gov.vn/qr?c=AEX3J0Q8ZK2M9R7T5W1Y4B6D8F0H2K4M6P8R0T2V4X6Z8",
        "QVhZMTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDEyMzQ1Ng==",
        "A|B|C",
    ],
)
def test_other_qr_codes_are_an_unknown_format(text):
    with pytest.raises(KeyEntryError) as caught:
        interpret(text)
    assert caught.value.reason == "unknown_format"
    assert "2024" in message("unknown_format") and "2024" in message("unknown_format", "en")


def test_a_qr_without_an_id_number():
    with pytest.raises(QrError) as caught:
        parse_card_qr(f"0010990123|123456789|{NAME}|05091990|Nam|{HOME}|15082021")
    assert caught.value.reason == "no_id_number"


def test_clean_scan_keeps_the_text_itself():
    assert clean_scan(f"]Q1{FULL}\r") == FULL


# The one key field
@pytest.mark.parametrize(
    ("text", "kind", "values"),
    [
        ("012345", "can", {"can": "012345"}),
        (" 012 345 ", "can", {"can": "012345"}),
        (ID, "id", {"id_number": ID, "can": "012345"}),
        ("001 099 012 345", "id", {"id_number": ID}),
        (f"{ID} 05/09/1990", "id", {"id_number": ID, "birth": PartialDate(1990, 9, 5)}),
        (f"{ID} 05/09/1990 05/09/2030", "numbers", {"expiry": date(2030, 9, 5)}),
        (f"{ID} 5-9-1990 05.09.2030", "numbers", {"expiry": date(2030, 9, 5)}),
        (f"{ID} 05091990 05092030", "numbers", {"expiry": date(2030, 9, 5)}),
        (f"{ID}, 05/09/1960, không thời hạn", "numbers", {"expiry": None}),
        ("001 099 012 345 05/09/1960 KTTH", "numbers", {"expiry": None}),
        (FULL, "qr", {"id_number": ID, "can": "012345"}),
    ],
)
def test_the_key_field_understands(text, kind, values):
    entry = interpret(text)
    assert entry.kind == kind
    for name, value in values.items():
        assert getattr(entry, name) == value


def test_an_mrz_typed_on_three_lines():
    mrz = ("IDVNM0990123453001099012345<<2" "9009054M3009053VNM<<<<<<<<<<<4" "NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<")
    entry = interpret("\n".join((mrz[:30], mrz[30:60], mrz[60:])).lower())
    assert (entry.kind, entry.mrz) == ("mrz", mrz)
    assert mrz_in_progress(mrz[:30]) and mrz_in_progress(mrz[:60]) and not mrz_in_progress(mrz)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("12345", "digits"),
        ("0010990123456", "digits"),
        (f"{ID} 31/02/1990 05/09/2030", "dates"),
        (f"{ID} 05/09/1990 mai", "dates"),
        ("IDVNM0990123453<<<", "mrz_length"),
        ("hello", "not_understood"),
    ],
)
def test_what_is_not_a_key_says_why(text, reason):
    with pytest.raises(KeyEntryError) as caught:
        interpret(text)
    assert caught.value.reason == reason
    assert message(reason, count=caught.value.count)


def test_keys_made_from_entries():
    key = CardKey.from_entry(interpret(f"{ID} 05/09/1990 05/09/2030"))
    assert key.source == "numbers" and key.mrz is not None
    assert (key.mrz.document_number, key.mrz.birth_date, key.mrz.expiry_date) == ("099012345", "900905", "300905")
    assert [a.kind for a in key.attempts()] == ["MRZ", "CAN"]  # what was typed first, the guess after

    key = CardKey.from_entry(interpret(FULL))
    assert key.source == "qr" and [a.kind for a in key.attempts()] == ["CAN", "MRZ"]  # docs/card.md: PACE-CAN first
    assert key.mrz is not None and key.mrz.expiry_date == "300905"

    no_day = CardKey.from_entry(interpret(f"{ID}||{NAME}|1990|Nam|{HOME}|15082021"))
    assert no_day.mrz is None and [a.kind for a in no_day.attempts()] == ["CAN"]  # the expiry's day is unknown

    old = CardKey.from_entry(interpret(f"{ID}||{NAME}|1950|Nữ|{HOME}|15082021"))
    assert old.mrz is not None and (old.mrz.birth_date, old.mrz.expiry_date) == ("50<<<<", "991231")

    assert [a.kind for a in CardKey.from_entry(interpret("012345")).attempts()] == ["CAN"]
    assert [a.kind for a in CardKey.from_entry(interpret(ID)).attempts()] == ["CAN"]


def test_a_key_never_shows_its_values():
    for text in ("012345", ID, f"{ID} 05/09/1990 05/09/2030", FULL):
        key = CardKey.from_entry(interpret(text))
        assert "012345" not in repr(key) and "012345" not in str(key) and "1990" not in repr(key)
        assert all("012345" not in repr(a) for a in key.attempts())
    assert "012345" not in repr(interpret(FULL)) and "012345" not in repr(parse_card_qr(FULL))


def test_a_can_is_six_digits():
    from kiosk.devices.icao.access import CanKey

    with pytest.raises(ValueError):
        CanKey("12345")
    assert CanKey("654321").can == "654321" and CanKey("654321").attempts()[0].kind == "CAN"
