"""The hall's values: ticket numbers, the wait estimate, the guide file, the ticket's sealed QR code, Telex."""

from __future__ import annotations

import zlib
from datetime import date

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.domain.qr_payload import b45decode, b45encode, key_id, raw_public_key
from kiosk.domain.queue import (
    Guide,
    GuideDataError,
    RatingLevel,
    estimated_wait_minutes,
    parse_ticket_number,
    summarise_ratings,
    ticket_number,
)
from kiosk.domain.ticket_qr import TicketBody, TicketQrError, open_ticket, seal, station_key_id

SIGNER = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
STATION = bytes(range(100, 132))
TRUSTED = {key_id(SIGNER.public_key()): ("sanh-1", raw_public_key(SIGNER.public_key()))}
CITIZEN = {"mrz": {"id_number": "001090001234"}, "personal": {"full_name": "Nguyễn Văn An", "id_number": "001090001234"},
           "verification": {"passive": "chain_verified", "active": "verified", "chip": "verified"}}


def body(**changes) -> TicketBody:
    values = dict(ticket_id="6f1c2a7e-4b1d-4c3e-9a55-0d2b8c9e7f10", number="A015", service_no=4, group="A",
                  kiosk_id="sanh-1", day=date(2026, 11, 25), issued_at=1_795_000_000,
                  form={"reason": "Đi làm", "stay_from": "2026-12-01"}, citizen=CITIZEN)
    values.update(changes)
    return TicketBody(**values)


def test_ticket_numbers_keep_two_hall_kiosks_apart():
    assert ticket_number("A", 0, 15) == "A015"
    assert ticket_number("A", 2, 15) == "A2-015"
    assert parse_ticket_number("a2-015") == ("A", 2, 15)
    assert parse_ticket_number("A015") == ("A", 0, 15)
    assert parse_ticket_number("A0-015") is None and parse_ticket_number("AB15") is None
    with pytest.raises(ValueError):
        ticket_number("A", 0, 1000)
    with pytest.raises(ValueError):
        ticket_number("a", 0, 1)


def test_the_wait_is_the_line_ahead_times_the_handling_time_shared_by_the_counters():
    assert estimated_wait_minutes(0, 8, 1) == 0
    assert estimated_wait_minutes(3, 8, 1) == 24
    assert estimated_wait_minutes(3, 8, 2) == 12
    assert estimated_wait_minutes(1, 0.2, 5) == 1  # never "0 minutes" while someone is ahead


def test_the_guide_file_must_place_every_service_once():
    good = {"groups": [{"letter": "A", "vi": "Nơi ở", "en": "Home", "services": [1, 2]}],
            "services": {"1": {"purpose_vi": "a", "purpose_en": "a", "who_vi": "b", "who_en": "b"},
                         "2": {"purpose_vi": "a", "purpose_en": "a", "who_vi": "b", "who_en": "b"}}}
    guide = Guide.from_dict(good, [1, 2])
    assert guide.group_of(2).letter == "A" and guide.letters == ("A",)
    with pytest.raises(GuideDataError):
        Guide.from_dict(good, [1, 2, 3])
    twice = {**good, "groups": good["groups"] + [{"letter": "B", "vi": "x", "en": "x", "services": [2]}]}
    with pytest.raises(GuideDataError):
        Guide.from_dict(twice, [1, 2])


def test_the_shipped_guide_groups_all_25_services():
    from kiosk.services.catalog import load_catalog
    from kiosk.services.guide import load_guide

    guide = load_guide([s.number for s in load_catalog().all()])
    assert sorted(n for g in guide.groups for n in g.services) == list(range(1, 26))
    assert len(guide.groups) == 10  # residence, identity, birth and death, vehicles, family, tax and land,
    # insurance, electricity, education, seals: the ten groups issue 18 names


def test_rating_levels_and_the_monthly_summary():
    assert [RatingLevel(n).label_vi for n in (1, 2, 3)] == ["Không hài lòng", "Hài lòng", "Rất hài lòng"]
    report = summarise_ratings("2026-11", [
        {"tracking_code": "a", "level": 3, "service_no": 4}, {"tracking_code": "b", "level": 1, "service_no": 4,
                                                              "reason": "Chờ lâu"},
        {"tracking_code": "c", "level": 2, "service_no": 9}, {"tracking_code": "d", "level": 3, "service_no": 9}])
    assert report["total"] == 4 and report["levels"] == {"1": 1, "2": 1, "3": 2}
    assert report["satisfied_percent"] == 75.0
    assert report["by_service"][0] == {"service_no": 4, "total": 2, "levels": {"1": 1, "2": 0, "3": 1}}
    assert report["reasons_not_satisfied"] == ["Chờ lâu"]
    assert summarise_ratings("2026-12", [])["satisfied_percent"] is None


def test_a_sealed_ticket_opens_only_with_the_station_key_and_a_trusted_signer():
    text = seal(body(), SIGNER, STATION)
    assert text.startswith("VNQ1:")
    opened = open_ticket(text, {station_key_id(STATION): STATION}, TRUSTED)
    assert opened == body()
    assert opened.citizen["personal"]["full_name"] == "Nguyễn Văn An"
    assert "Nguy" not in text and "001090001234" not in text  # nothing in clear

    with pytest.raises(TicketQrError) as no_key:
        open_ticket(text, {}, TRUSTED)
    assert no_key.value.reason == "unknown_station_key"
    other_station = bytes(32)
    with pytest.raises(TicketQrError) as foreign:
        open_ticket(text, {station_key_id(other_station): other_station}, TRUSTED)
    assert foreign.value.reason == "not_for_this_station"
    with pytest.raises(TicketQrError) as unknown:
        open_ticket(text, {station_key_id(STATION): STATION}, {})
    assert unknown.value.reason == "unknown_signer"


def test_a_ticket_signed_by_another_key_or_altered_is_refused():
    forged = seal(body(), OTHER, STATION)
    kid = key_id(OTHER.public_key())
    lying = {kid: ("sanh-1", raw_public_key(SIGNER.public_key()))}  # a kid that claims someone else's key
    with pytest.raises(TicketQrError) as bad:
        open_ticket(forged, {station_key_id(STATION): STATION}, lying)
    assert bad.value.reason == "bad_signature"

    plain = seal(body(), SIGNER, None)  # a kiosk without the station's key: signed, no draft
    opened = open_ticket(plain, {}, TRUSTED)
    assert opened.form is None and opened.citizen is None and opened.number == "A015"
    raw = cbor2.loads(b45decode(plain[len("VNQ1:"):]))
    protected, unprotected, payload, signature = raw.value
    changed = cbor2.loads(zlib.decompress(payload))
    changed[2] = "A001"  # another number, same signature
    tampered = cbor2.dumps(cbor2.CBORTag(18, [protected, unprotected, zlib.compress(cbor2.dumps(changed)), signature]))
    with pytest.raises(TicketQrError) as altered:
        open_ticket("VNQ1:" + b45encode(tampered), {}, TRUSTED)
    assert altered.value.reason == "bad_signature"
    for junk in ("VNK1:ABC", "VNQ1:abc", "VNQ1:" + b45encode(b"\x01\x02")):
        with pytest.raises(TicketQrError):
            open_ticket(junk, {}, TRUSTED)


def test_a_ticket_naming_another_kiosk_than_its_signer_is_malformed():
    text = seal(body(kiosk_id="quay-9"), SIGNER, STATION)
    with pytest.raises(TicketQrError) as exc:
        open_ticket(text, {station_key_id(STATION): STATION}, TRUSTED)
    assert exc.value.reason == "malformed"


# Telex, the input convention of Vietnamese keyboards (as UniKey and ibus-bogo document it):
# "aa → â, aw → ă, ee → ê, oo → ô, ow → ơ, uw → ư, dd → đ; s sắc, f huyền, r hỏi, x ngã, j nặng",
# the tone placed on the main vowel of the syllable.
@pytest.mark.parametrize(("keys", "word"), [
    ("Nguyeenx", "Nguyễn"), ("Vieetj", "Việt"), ("ddoongf", "đồng"), ("truwowngf", "trường"),
    ("Thuyr", "Thủy"), ("hoaf", "hòa"), ("quoocs", "quốc"), ("giaf", "già"), ("Trawng", "Trăng"),
    ("nguwowif", "người"), ("DDawngf", "Đằng"), ("Quyeenf", "Quyền"), ("Phuwowng", "Phương"),
    ("email@gmail.com", "email@gmail.com"),
])
def test_telex_keys_compose_vietnamese(keys, word):
    from kiosk.ui.touch_input import compose

    out = ""
    for key in keys:
        out = compose(out, key)
    assert out == word


def test_mark_and_tone_keys_for_citizens_who_do_not_know_telex():
    from kiosk.ui.touch_input import compose, mark

    assert compose(mark("Nguyen", "^"), "x") == "Nguyễn"
    assert mark("Duong", "w") == "Dương" and mark(mark("Duong", "w"), "d") == "Đương"
    assert compose("Tran", "f") == "Tràn" and compose(mark("Tran", "^"), "f") == "Trần"
    assert mark("xyz", "^") == "xyz" and mark("abc", "d") == "abc"
    assert compose("abc", "s", telex=False) == "abcs"


def test_mark_and_tone_keys_never_type_a_letter():
    """A mark or tone key changes the marks of the word before the cursor and nothing else: on a word that takes
    no such mark (a code, a number, a consonant cluster) it leaves the word as it is, where Telex itself would
    append its key ("abc" + x). The tone key pressed a second time takes the tone off, as Telex's "z" does."""
    from kiosk.ui.touch_input import mark, tone

    for word in ("abc", "123", "tr", "xyz"):
        assert tone(word, "x") == word and tone(word, "s") == word
        assert mark(word, "^") == word and mark(word, "w") == word and mark(word, "d") == word
    assert tone("Tran", "f") == "Tràn" and tone("Tràn", "s") == "Trán"  # another tone replaces the first
    assert tone("Nguyễn", "x") == "Nguyên" and tone("mạ", "j") == "ma"


def test_the_guide_quotes_the_fee_in_force_today(tmp_path):
    """Circular 73/2024/TT-BTC: 30,000 (old card to the new one), 50,000 exchange, 70,000 re-issue; Circular
    64/2025/TT-BTC charges 50 % of these from 1/7/2025 to 31/12/2026 (services reference, service 2)."""
    from datetime import datetime

    from kiosk.services.calendar import CalendarService
    from kiosk.services.catalog import load_catalog
    from kiosk.services.guide import GuideService

    guide = GuideService(load_catalog(), CalendarService(imported_path=tmp_path / "cal.json"), "CA")
    halved = " ".join(x.text_vi for x in guide.describe(2, now=datetime(2026, 11, 25, 9)).fees)
    full = " ".join(x.text_vi for x in guide.describe(2, now=datetime(2027, 1, 5, 9)).fees)
    for amount in ("15.000 đ", "25.000 đ", "35.000 đ"):
        assert amount in halved and amount not in full
    for amount in ("30.000 đ", "50.000 đ", "70.000 đ"):
        assert amount in full
