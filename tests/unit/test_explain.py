"""Every error explains itself in both languages from one table (kiosk.services.explain)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.db.errors import DatabaseOpenError
from kiosk.devices.icao.errors import AccessDenied, CardRemoved, SecurityStatusNotSatisfied, UnknownAlgorithm
from kiosk.devices.printers import PrinterError
from kiosk.services.errors import (
    AccountLocked,
    InvalidCredentials,
    InvalidInput,
    PermissionDenied,
    SessionExpired,
)
from kiosk.services.explain import explain


def test_a_refused_can_explains_to_the_can_sentence_in_both_languages():
    said = explain(AccessDenied("PACE", "wrong CAN", 0x63C2, check="can"))
    assert said.vi == ("Chip từ chối số CAN: kiểm tra lại 6 số CAN in trên thẻ, hoặc nhập số định danh, "
                       "ngày sinh và ngày hết hạn.")
    assert said.en == ("The chip refused the CAN: check the 6-digit CAN printed on the card, or type the ID number, "
                       "birth date and expiry date.")
    assert said.text("en") == said.en and said.text("vi") == said.vi
    assert said.code == "AccessDenied" and said.severity == "error"


def test_a_chip_error_without_its_own_row_takes_its_nearest_base_class():
    said = explain(SecurityStatusNotSatisfied("READ DG3", sw=0x6982))
    assert said.code == "ChipError"
    assert said.en == "The chip could not be read. Put the card back and try again."
    assert explain(CardRemoved("READ DG2")).en.startswith("The card was taken away during the read.")
    unverifiable = explain(UnknownAlgorithm("SOD", "brainpoolP512t1"))
    assert (unverifiable.code, unverifiable.severity) == ("ParseError", "warning")


def test_a_refusal_of_several_fields_keeps_each_field_in_both_languages():
    said = explain(InvalidInput([("name", "Thiếu họ tên.", "The name is missing."),
                                 ("birth", "Ngày sinh sai.", "The birth date is wrong.")]))
    assert said.text("en") == "The name is missing. The birth date is wrong."
    assert said.text("vi", sep="\n") == "Thiếu họ tên.\nNgày sinh sai."


def test_service_refusals_and_the_unexpected_explain_in_english():
    locked = explain(AccountLocked(datetime(2026, 5, 1, 9, 30, tzinfo=UTC)))
    assert locked.en == "The account is locked after too many wrong passwords. Try again after 09:30 (UTC)."
    assert explain(PermissionDenied("an", "printer.choose")).en == "You may not do this (printer.choose)."
    assert explain(SessionExpired("the session has ended")).code == "session_expired"
    assert explain(DatabaseOpenError("unwritable", Path("data"))).en == "The data folder cannot be written to."
    assert explain(PrinterError("out_of_paper")).en.startswith("The printer is out of paper.")
    odd = explain(KeyError("x"))
    assert (odd.vi, odd.en, odd.expected) == ("Lỗi không mong đợi (KeyError).", "Unexpected error (KeyError).", False)
    assert odd.text("en", "Could not sign in: %1") == "Could not sign in: KeyError"


def test_a_refusal_from_a_real_service_call_reads_in_english(staff_service, operator):
    with pytest.raises(InvalidInput) as refused:
        staff_service.add(operator, "lan", " ", "chief", "short")
    said = explain(refused.value)
    assert said.text("en", sep="\n") == ("The full name is required.\n"
                                        "The role must be officer, supervisor, admin or selfservice.\n"
                                        "The password needs at least 12 characters.")
    assert said.text("vi", sep="\n") == ("Cần nhập họ và tên.\n"
                                        "Vai trò phải là officer, supervisor, admin hoặc selfservice.\n"
                                        "Mật khẩu cần ít nhất 12 ký tự.")
    lan = staff_service.add(operator, "lan", "Nguyễn Thị Lan", "officer", "dung-mat-khau")
    with pytest.raises(InvalidCredentials) as wrong:
        staff_service.change_own_password(staff_service.login("lan", "dung-mat-khau").principal, "sai-mat-khau",
                                          "mot-mat-khau-moi")
    assert explain(wrong.value).en == "The current password is wrong."
    assert lan.username == "lan"


def test_a_refusal_without_its_english_sentence_is_refused_when_raised():
    # Every refusal a service raises carries both languages; a (field, Vietnamese) pair is a programming error.
    import pytest

    from kiosk.services.errors import InvalidInput

    with pytest.raises(TypeError):
        InvalidInput([("code", "Cần mã hồ sơ.")])
    refusal = InvalidInput([("code", "Cần mã hồ sơ.", "The dossier code is needed.")])
    assert refusal.errors == [("code", "Cần mã hồ sơ.")]
    assert refusal.message_en == "The dossier code is needed."
