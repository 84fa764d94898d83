"""The 12-digit ID number rules of Circular 07/2016/TT-BCA Art. 7 and the DG1/DG13 cross-check."""

from __future__ import annotations

import icao_factory as f
import pytest

from kiosk.devices.icao.crosscheck import cross_check
from kiosk.devices.icao.lds.dg1 import parse_dg1
from kiosk.devices.icao.lds.dg13 import parse_dg13
from kiosk.domain.id_number import IdNumber, IdNumberError


@pytest.mark.parametrize(
    ("text", "province", "sex", "year"),
    [
        ("001090012345", "Hà Nội", "M", 1990),
        ("079301000123", "TP Hồ Chí Minh", "F", 2001),
        ("046 1 85 000001", "Thừa Thiên Huế", "F", 1985),
        ("096405000001", "Cà Mau", "M", 2105),
    ],
)
def test_structure(text, province, sex, year):
    number = IdNumber.parse(text)
    assert (number.province, number.sex, number.birth_year) == (province, sex, year)
    assert number.document_number == number.value[-9:]


def test_registered_abroad():
    number = IdNumber.parse("101090012345")
    assert number.registered_abroad and number.province is None


@pytest.mark.parametrize(
    ("text", "kwargs", "reason"),
    [
        ("00109001234", {}, "not_12_digits"),
        ("00109001234A", {}, "not_12_digits"),
        ("003090012345", {}, "unknown_province"),
        ("300090012345", {}, "unknown_province"),
        ("001090012345", {"birth_year": 1991}, "birth_year_mismatch"),
        ("001090012345", {"sex": "F"}, "sex_mismatch"),
    ],
)
def test_rejections(text, kwargs, reason):
    with pytest.raises(IdNumberError) as info:
        IdNumber.parse(text, **kwargs)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)


def _check(holder: f.Holder, fields=None):
    mrz = parse_dg1(f.dg1(f.td1(holder)))
    dg13 = parse_dg13(f.dg13(fields if fields is not None else f.standard_dg13_fields(holder)))
    return cross_check(mrz, dg13)


def test_consistent_card_has_no_reasons():
    assert _check(f.Holder()) == ()


def test_dg13_disagreements_are_reported():
    holder = f.Holder()
    fields = f.standard_dg13_fields(holder)
    fields[0] = f.field(1, f.printable("001090099999"))
    fields[2] = f.field(3, f.printable("16/08/1990"))
    fields[3] = f.field(4, f.utf8("Nữ"))
    fields[11] = f.field(12, f.utf8("Không thời hạn"))
    assert set(_check(holder, fields)) == {
        "id_number_mismatch", "birth_date_mismatch", "sex_mismatch", "expiry_mismatch",
    }


def test_id_structure_against_mrz():
    holder = f.Holder(id_number="001190012345")  # G=1: a woman, but the MRZ says M
    assert "id_sex_mismatch" in _check(holder, [])
    holder = f.Holder(id_number="001091012345")  # born 1991 by the number, 1990 by the MRZ
    assert "id_birth_year_mismatch" in _check(holder, [])


def test_incomplete_birth_date_and_no_expiry():
    holder = f.Holder(expiry="991231")
    fields = [f.field(3, f.printable("1990")), f.field(12, f.utf8("Không thời hạn"))]
    assert _check(holder, fields) == ()
