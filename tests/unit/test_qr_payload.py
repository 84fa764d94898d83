"""The signed QR payload: Base45 (RFC 9285 vectors), COSE_Sign1/Ed25519, every refusal reason, QR size."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import cbor2
import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.domain import qr_payload as qp

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
CLAIMS = qp.QrClaims("000.00.24.H57-261125-1001", 3, "K-1A2B3C4D", datetime(2026, 11, 25, 3, 0),
                     datetime(2027, 12, 4), date(2026, 12, 4))
NOW = datetime(2026, 11, 26, 9, 0)


def trusted(*keys: tuple[str, Ed25519PrivateKey]) -> dict[bytes, tuple[str, bytes]]:
    return {qp.key_id(k.public_key()): (kiosk, qp.raw_public_key(k.public_key())) for kiosk, k in keys}


TRUST = trusted(("K-1A2B3C4D", KEY))


@pytest.mark.parametrize(("raw", "text"), [
    (b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"), (b"ietf!", "QED8WEX0"), (b"", ""),
])
def test_base45_matches_rfc_9285_examples(raw: bytes, text: str) -> None:
    assert qp.b45encode(raw) == text
    assert qp.b45decode(text) == raw


@pytest.mark.parametrize("bad", ["GGW", "A", "ABCD", "ab", "::::"])
def test_base45_refuses_overflow_bad_length_and_foreign_characters(bad: str) -> None:
    with pytest.raises(ValueError):
        qp.b45decode(bad)


@given(st.binary(max_size=300))
def test_base45_round_trips_any_bytes(raw: bytes) -> None:
    assert qp.b45decode(qp.b45encode(raw)) == raw


def test_a_signed_code_verifies_and_gives_back_its_claims() -> None:
    text = qp.encode(CLAIMS, KEY)
    assert text.startswith("VNK1:")
    result = qp.verify(text, TRUST, NOW)
    assert result.valid and result.reason is None
    assert result.claims == CLAIMS
    assert result.kid == qp.key_id(KEY.public_key()).hex()
    assert qp.encode(CLAIMS, KEY) == text  # Ed25519 is deterministic: a reprint carries the same code


def test_the_code_holds_no_personal_data_only_the_claims() -> None:
    message = qp.parse(qp.encode(CLAIMS, KEY))
    claims = cbor2.loads(message.payload)
    assert set(claims) == {qp.CWT_ISS, qp.CWT_IAT, qp.CWT_EXP, qp.CLAIM_RECEIPT}
    assert set(claims[qp.CLAIM_RECEIPT]) == {qp.RECEIPT_CODE, qp.RECEIPT_SERVICE, qp.RECEIPT_APPOINTMENT}


def test_the_sig_structure_is_the_cose_one() -> None:
    # RFC 9052 §4.4: the signature covers ["Signature1", protected, h'', payload], nothing else.
    message = qp.parse(qp.encode(CLAIMS, KEY))
    expected = cbor2.dumps(["Signature1", message.protected, b"", message.payload])
    KEY.public_key().verify(message.signature, expected)


def _resign(payload: bytes, key: Ed25519PrivateKey = KEY, protected: dict | None = None) -> str:
    prot = cbor2.dumps(protected or {1: -8, 4: qp.key_id(key.public_key())})
    sig = key.sign(cbor2.dumps(["Signature1", prot, b"", payload]))
    return qp.PREFIX + qp.b45encode(cbor2.dumps(cbor2.CBORTag(18, [prot, {}, payload, sig])))


def test_an_altered_claim_under_the_old_signature_is_bad_signature() -> None:
    message = qp.parse(qp.encode(CLAIMS, KEY))
    forged_claims = qp.claims_to_cbor(qp.QrClaims("000.00.24.H57-261125-1002", 3, "K-1A2B3C4D",
                                                  CLAIMS.issued_at, CLAIMS.expires_at, CLAIMS.appointment))
    prot = message.protected
    forged = cbor2.dumps(cbor2.CBORTag(18, [prot, {}, forged_claims, message.signature]))
    assert qp.verify(qp.PREFIX + qp.b45encode(forged), TRUST, NOW).reason == "bad_signature"


def test_one_changed_character_in_the_signature_is_bad_signature() -> None:
    text = qp.encode(CLAIMS, KEY)
    i = len(text) - 10
    changed = text[:i] + ("1" if text[i] != "1" else "2") + text[i + 1:]
    assert qp.verify(changed, TRUST, NOW).reason == "bad_signature"


@settings(max_examples=300)
@given(st.data())
def test_no_single_character_change_is_ever_accepted(data: st.DataObject) -> None:
    text = qp.encode(CLAIMS, KEY)
    i = data.draw(st.integers(0, len(text) - 1))
    ch = data.draw(st.sampled_from(qp.BASE45_ALPHABET + "a").filter(lambda c: c != text[i]))
    result = qp.verify(text[:i] + ch + text[i + 1:], TRUST, NOW)
    assert not result.valid
    assert result.reason in qp.REASONS


def test_a_foreign_kiosk_key_is_unknown_until_trusted() -> None:
    foreign = qp.encode(qp.QrClaims("000.00.24.H57-261125-2001", 3, "K-FOREIGN", CLAIMS.issued_at,
                                    CLAIMS.expires_at), OTHER)
    assert qp.verify(foreign, TRUST, NOW).reason == "unknown_key"
    both = {**TRUST, **trusted(("K-FOREIGN", OTHER))}
    assert qp.verify(foreign, both, NOW).valid


def test_a_trusted_key_naming_another_kiosk_is_refused() -> None:
    impostor = qp.encode(qp.QrClaims("000.00.24.H57-261125-2001", 3, "K-SOMEONE", CLAIMS.issued_at,
                                     CLAIMS.expires_at), KEY)
    assert qp.verify(impostor, TRUST, NOW).reason == "malformed_claims"


def test_an_expired_code_is_refused_but_its_claims_are_shown() -> None:
    text = qp.encode(CLAIMS, KEY)
    assert qp.verify(text, TRUST, CLAIMS.expires_at - timedelta(seconds=1)).valid
    result = qp.verify(text, TRUST, CLAIMS.expires_at)
    assert result.reason == "expired" and result.claims == CLAIMS


@pytest.mark.parametrize(("text", "reason"), [
    ("HC1:NCFOXN%TS3DH", "bad_prefix"),
    ("https://example.vn/ho-so/123", "bad_prefix"),
    ("VNK1:abc", "not_base45"),
    ("VNK1:A", "not_base45"),
    ("VNK1:" + qp.b45encode(b"\x00\x01\x02 not cbor at all"), "not_cose"),
    ("VNK1:" + qp.b45encode(cbor2.dumps([1, 2, 3, 4])), "not_cose"),
    ("VNK1:" + qp.b45encode(cbor2.dumps(cbor2.CBORTag(98, [b"", {}, b"", b""]))), "not_cose"),
])
def test_framing_errors_are_named(text: str, reason: str) -> None:
    assert qp.verify(text, TRUST, NOW).reason == reason


def test_validly_signed_garbage_is_malformed_claims() -> None:
    assert qp.verify(_resign(cbor2.dumps({1: "K-1A2B3C4D", 99: "x"})), TRUST, NOW).reason == "malformed_claims"
    assert qp.verify(_resign(cbor2.dumps([1, 2])), TRUST, NOW).reason == "malformed_claims"
    not_eddsa = _resign(qp.claims_to_cbor(CLAIMS), protected={1: -7, 4: qp.key_id(KEY.public_key())})
    assert qp.verify(not_eddsa, TRUST, NOW).reason == "not_cose"


def test_trailing_bytes_after_the_cose_message_are_refused() -> None:
    raw = qp.b45decode(qp.encode(CLAIMS, KEY)[5:])
    assert qp.verify(qp.PREFIX + qp.b45encode(raw + b"\x00"), TRUST, NOW).reason == "not_cose"


def test_every_reason_has_its_own_vietnamese_sentence() -> None:
    sentences = [vi for vi, _ in qp.REASONS.values()]
    assert len(set(sentences)) == len(sentences) == 7
    assert all(s.endswith(".") and s[0].isupper() for s in sentences)


def test_the_largest_allowed_code_fits_a_version_12_qr_at_level_q() -> None:
    worst = qp.QrClaims("9" * qp.MAX_CODE_LENGTH, 999, "K" * qp.MAX_KIOSK_ID_LENGTH,
                        datetime(2099, 12, 31, 23, 59, 59), datetime(2100, 12, 31), date(2100, 1, 1))
    qr = segno.make_qr(qp.encode(worst, KEY), error="q", boost_error=False)
    assert qr.version <= 12 and qr.error == "Q" and qr.mode == "alphanumeric"
    typical = segno.make_qr(qp.encode(CLAIMS, KEY), error="q", boost_error=False)
    assert typical.version <= 11


@pytest.mark.parametrize("changes", [
    {"tracking_code": "x" * 41}, {"tracking_code": "mã hồ sơ"}, {"kiosk_id": "K" * 25}, {"service_number": -1},
    {"expires_at": datetime(2026, 11, 25, 3, 0)}, {"issued_at": datetime(2026, 11, 25, 3, 0, 0, 5)},
])
def test_claims_outside_the_bounds_are_refused_before_signing(changes: dict) -> None:
    values = {**CLAIMS.__dict__, **changes}
    with pytest.raises(ValueError):
        qp.QrClaims(**values)
