"""The verdict model of a chip read: four verdicts, one table of reason codes (kiosk.domain.chip_verdict)."""

from __future__ import annotations

import pytest

from kiosk.domain import chip_verdict as cv


@pytest.mark.parametrize(
    ("passive", "active", "chip", "overall"),
    [
        ("chain_verified", "verified", "verified", "chain_verified"),
        ("chain_verified", "not_supported", "not_supported", "chain_verified"),
        ("signature_valid_untrusted", "verified", "verified", "signature_valid_untrusted"),
        ("chain_verified", "unverifiable", "verified", "unverifiable"),
        ("signature_valid_untrusted", "verified", "unverifiable", "unverifiable"),
        ("unverifiable", "verified", "verified", "unverifiable"),
        ("chain_verified", "unverifiable", "failed", "failed"),
        ("failed", "verified", "verified", "failed"),
        ("unverifiable", "failed", "unverifiable", "failed"),
    ],
)
def test_a_wrong_answer_anywhere_is_red_and_a_check_not_carried_out_is_amber(passive, active, chip, overall):
    assert cv.overall_verdict(passive, active, chip) == overall


@pytest.mark.parametrize(
    ("step", "codes", "verdict"),
    [
        ("passive", [], "chain_verified"),
        ("passive", ["no_trust_store"], "signature_valid_untrusted"),
        ("passive", ["no_trust_store", "unsupported_hash_algorithm:1.2.3"], "unverifiable"),
        ("passive", ["unsupported_hash_algorithm:1.2.3", "dg_hash_mismatch:DG1"], "failed"),
        ("passive", ["unknown_csca"], "failed"),
        ("active", [], "verified"),
        ("active", ["aa_not_offered"], "not_supported"),
        ("active", ["aa_status:6F00"], "unverifiable"),
        ("active", ["aa_signature_invalid"], "failed"),
        ("chip", ["ca_unsupported_key:DH"], "unverifiable"),
        ("chip", ["ca_keys_rejected"], "failed"),
    ],
)
def test_each_check_takes_its_verdict_from_its_codes(step, codes, verdict):
    assert cv.step_verdict(step, codes) == verdict


def test_an_unknown_code_or_a_code_of_another_check_is_an_error_not_a_verdict():
    with pytest.raises(cv.UnknownReason):
        cv.step_verdict("active", ["aa_typo"])
    with pytest.raises(cv.UnknownReason):
        cv.step_verdict("active", ["ca_keys_rejected"])
    with pytest.raises(cv.UnknownReason):
        cv.code("no_such_code")


def test_every_code_has_a_vietnamese_and_an_english_sentence():
    for row in cv.REASONS.values():
        assert row.vi and row.en and row.vi != row.en, row.code
        assert ("%1" in row.vi) == ("%1" in row.en), row.code
    for verdict in ("chain_verified", "signature_valid_untrusted", "unverifiable", "failed"):
        assert cv.headline(verdict, "vi") != cv.headline(verdict, "en")


def test_the_amber_headline_says_it_is_no_sign_of_forgery_and_asks_for_a_visual_check():
    text = cv.headline("unverifiable")
    assert "không phải dấu hiệu giả mạo" in text and "kiểm tra bằng mắt các đặc điểm bảo an của thẻ" in text


def test_sentences_carry_the_argument_and_failures_come_first():
    assert cv.sentence("dg_hash_mismatch:DG13") == "dữ liệu DG13 đã bị thay đổi so với bản được ký"
    assert "6F00" in cv.sentence("aa_status:6F00", "en")
    verification = {"passive_reasons": ["no_trust_store"], "active_reasons": ["aa_status:6F00"],
                    "chip_reasons": ["ca_keys_rejected"]}
    assert cv.notable_codes(verification) == ["ca_keys_rejected", "aa_status:6F00"]
