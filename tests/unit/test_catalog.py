"""The 25-service catalog: files, names, validation errors, overrides, search and form checks."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.domain.calendar import WorkingCalendar
from kiosk.domain.catalog import (
    CHIP_FIELDS,
    FIELD_TYPES,
    check_eligibility,
    fold,
    household_contributions,
    late_surcharge,
    normalize_phone,
    validate_form,
)
from kiosk.services.calendar import CalendarService
from kiosk.services.catalog import CatalogError, load_catalog, parse_json_path
from kiosk.support.resources import resource_path

SERVICES_DIR = resource_path("services")
SEED = resource_path("seed", "de-an-06-dich-vu-cong.txt")
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def seed_names() -> dict[int, str]:
    names = {}
    for line in SEED.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\((\d+)\) (.*?)[;.]\s*$", line.strip())
        if m:
            names[int(m.group(1))] = m.group(2)
    assert len(names) == 25
    return names


def test_all_25_files_load_and_validate(catalog) -> None:
    assert len(catalog) == 25
    assert sorted(s.number for s in catalog.all()) == list(range(1, 26))
    files = sorted(p.name for p in SERVICES_DIR.glob("[0-9][0-9]-*.json"))
    assert len(files) == 25
    assert files[0] == "01-xac-nhan-so-cmnd.json"
    for name in files:
        assert catalog.get(int(name[:2])).number == int(name[:2])


def test_names_equal_the_seed_exactly(catalog) -> None:
    for number, name in seed_names().items():
        assert catalog.get(number).name_vi == name


def test_all_is_ordered_by_popularity(catalog) -> None:
    ranks = [s.popularity for s in catalog.all()]
    assert ranks == sorted(ranks)
    assert catalog.all()[0].number == 4  # temporary residence is the most requested at a ward counter


def test_every_field_is_typed_labelled_and_placed_in_a_step(catalog) -> None:
    for s in catalog.all():
        assert 2 <= len(s.steps) <= 6, s.number
        in_steps = [fid for step in s.steps for fid in step.fields]
        assert sorted(in_steps) == sorted(f.id for f in s.fields), s.number
        for f in s.fields:
            assert f.type in FIELD_TYPES
            assert f.label_vi and f.label_en
            assert f.prefill is None or f.prefill in CHIP_FIELDS
            assert not re.fullmatch(r"field\d*|value\d*|todo.*", f.id), (s.number, f.id)


# What each procedure asks the counter to capture beyond the chip, one or more telling fields per service.
CAPTURES = {
    1: {"old_id_number", "old_id_issue_date", "purpose", "result_delivery"},
    2: {"request_kind", "exchange_case", "reissue_case", "fingerprints_captured", "iris_captured", "integrate_info"},
    3: {"case", "household_head_id", "relationship_to_head", "owner_consent", "floor_area_per_person", "proof_type", "co_registrants"},
    4: {"temporary_address", "host_name", "owner_consent", "stay_from", "stay_until", "reason"},
    5: {"case", "absence_from", "absence_until", "destination", "supervising_authority"},
    6: {"guest_full_name", "guest_id_number", "guest_passport_number", "stay_reason", "stay_from", "stay_until", "stay_address"},
    7: {"engine_number", "frame_number", "invoice_number", "vehicle_value", "registration_tax_reference", "fee_area"},
    8: {"decision_number", "plate_number", "violation_legal_point", "violation_time", "fine_amount", "points_deducted"},
    9: {"child_full_name", "child_birth_date", "mother_id_number", "father_id_number", "birth_notice_number", "surrogacy", "certified_copies"},
    10: {"deceased_full_name", "death_time", "death_place", "death_cause", "death_notice_number", "declarant_relationship"},
    11: {"bride_marital_status", "groom_marital_status", "bride_status_certificate_date", "groom_marriage_order", "both_present"},
    12: {"passport_kind", "request_reason", "old_passport_number", "emergency_contact", "representative_full_name"},
    13: {"org_name", "seal_type", "seal_quantity", "founding_decision_number", "seal_maker", "submitter_authorisation"},
    14: {"seal_kinds", "function_document", "is_additional", "additional_reason"},
    15: {"child_birth_date", "permanent_address", "household_head_id", "household_head_consent", "kcb_facility"},
    16: {"procedures", "deceased_full_name", "beneficiary_relationship", "bank_account_number", "deceased_social_insurance_number", "benefit_form"},
    17: {"household_head_id", "members", "months", "kcb_facility", "payment_method"},
    18: {"registration_kind", "income_payer_tax_code", "business_lines", "dependents", "changed_item"},
    19: {"certificate_serial", "parcel_number", "map_sheet_number", "old_id_number", "certificate_option"},
    20: {"licence_number", "licence_classes", "health_certificate_number", "original_test_date"},
    21: {"portrait", "elective_subjects", "foreign_language", "priority_group", "school_grade10", "use_for_admission"},
    22: {"certificate_kind", "residences_since_14", "father_full_name", "spouse_full_name", "copies"},
    23: {"last_employer_tax_code", "contract_type", "contract_end_date", "social_insurance_number", "bank_account_number"},
    24: {"supply_type", "phases", "requested_capacity_kw", "households_sharing", "premises_proof"},
    25: {"customer_code", "old_holder_name", "meter_reading", "households_sharing"},
}


@pytest.mark.parametrize("number", sorted(CAPTURES))
def test_each_service_captures_what_services_md_lists(catalog, number) -> None:
    ids = {f.id for f in catalog.get(number).fields}
    assert CAPTURES[number] <= ids


def test_persons_and_prefill(catalog) -> None:
    marriage = catalog.get(11)
    assert {p.role for p in marriage.persons} >= {"bride", "groom"}
    assert marriage.prefill_map("groom")["groom_id_number"] == "id_number"
    assert marriage.prefill_map("bride")["bride_birth_date"] == "birth_date"
    birth = catalog.get(9)
    assert birth.prefill("mother", {"full_name": "Trần Thị Bình", "id_number": "001190012345", "sex": "Nữ"}) == {
        "mother_full_name": "Trần Thị Bình", "mother_id_number": "001190012345",
    }
    assert catalog.get(2).prefill("applicant", {"sex": "Nữ", "religion": "Không"}) == {"applicant_sex": "female"}
    assert catalog.get(10).person("deceased").reads_card
    assert catalog.get(13).applicant_kind == catalog.get(14).applicant_kind == "organisation"
    assert catalog.get(1).applicant_kind == "citizen"


def test_unconfirmed_and_provincial_values_are_marked(catalog) -> None:
    seal_fee = catalog.get(13).fees.items[0]
    assert seal_fee.amount == 50000 and seal_fee.confirmed is False
    land_fee = catalog.get(19).fees.items[0]
    assert land_fee.amount is None and land_fee.set_by == "province"
    assert catalog.get(2).processing.confirmed and catalog.get(2).processing.days == 7
    paths = {(u.service, u.path) for u in catalog.unconfirmed()}
    assert (13, "fees.items[0]") in paths
    assert (1, "processing") in paths
    assert (3, "processing") not in paths  # 7 working days: the published procedure 1.004222
    assert all(u.service == 16 for u in catalog.unconfirmed(16))
    assert (2, "fees.items[1]") not in paths


def test_linked_services_have_sub_procedures(catalog) -> None:
    linked = catalog.get(15)
    subs = {s.id: s for s in linked.sub_procedures}
    assert set(subs) == {"birth", "permanent_residence", "health_insurance"}
    assert subs["birth"].processing.days_for() == 0
    assert subs["permanent_residence"].processing.days == 2 and subs["permanent_residence"].processing.extended_days == 5
    assert subs["permanent_residence"].agency.level == "commune"
    assert linked.processing.supplement_days == 7
    death = catalog.get(16)
    chosen = death.sub_procedures_for({"procedures": ["death", "funeral_allowance"]})
    assert [s.id for s in chosen] == ["death", "funeral_allowance"]
    assert chosen[1].processing.days is None and not chosen[1].processing.confirmed


def copy_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "services"
    shutil.copytree(SERVICES_DIR, target)
    return target


def edit(path: Path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_a_wrong_field_type_names_the_file_and_field(tmp_path) -> None:
    d = copy_catalog(tmp_path)
    edit(d / "07-dang-ky-xe-mo-to.json", lambda doc: doc["fields"][3].__setitem__("type", "strnig"))
    with pytest.raises(CatalogError) as info:
        load_catalog(directory=d)
    message = str(info.value)
    assert "07-dang-ky-xe-mo-to.json: fields[3].type: 'strnig' is not one of 'text'" in message
    assert len(info.value.problems) == 1


def test_a_missing_name_names_the_file_and_field(tmp_path) -> None:
    d = copy_catalog(tmp_path)
    edit(d / "03-dang-ky-thuong-tru.json", lambda doc: doc.pop("name_vi"))
    with pytest.raises(CatalogError) as info:
        load_catalog(directory=d)
    assert [(Path(p.file).name, p.path) for p in info.value.problems] == [("03-dang-ky-thuong-tru.json", "name_vi")]


def test_every_broken_file_is_reported_at_once(tmp_path) -> None:
    d = copy_catalog(tmp_path)
    edit(d / "05-khai-bao-tam-vang.json", lambda doc: doc["fields"][0].__setitem__("requried", True))
    edit(d / "12-ho-chieu-pho-thong.json", lambda doc: doc["steps"][0]["fields"].append("no_such_field"))
    (d / "20-cap-doi-cap-lai-gplx.json").write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_catalog(directory=d)
    found = {(Path(p.file.split(" ")[0]).name, p.path) for p in info.value.problems}
    assert found == {
        ("05-khai-bao-tam-vang.json", "fields[0].requried"),
        ("12-ho-chieu-pho-thong.json", "steps[0].fields[9]"),
        ("20-cap-doi-cap-lai-gplx.json", ""),
    }


def test_cross_reference_errors_name_the_path(tmp_path) -> None:
    d = copy_catalog(tmp_path)
    edit(d / "12-ho-chieu-pho-thong.json", lambda doc: doc["steps"][0]["fields"].append("no_such_field"))
    with pytest.raises(CatalogError, match=r"12-ho-chieu-pho-thong\.json: steps\[0\]\.fields\[9\]: no field 'no_such_field'"):
        load_catalog(directory=d)


def test_file_number_must_match_and_all_25_must_exist(tmp_path) -> None:
    d = copy_catalog(tmp_path)
    edit(d / "08-nop-phat-nguoi.json", lambda doc: doc.__setitem__("number", 9))
    with pytest.raises(CatalogError, match="08-nop-phat-nguoi.json: number: 9 does not match the file name"):
        load_catalog(directory=d)
    (d / "08-nop-phat-nguoi.json").unlink()
    with pytest.raises(CatalogError, match="no file for service"):
        load_catalog(directory=d)


def write_override(tmp_path: Path, entries) -> Path:
    path = tmp_path / "catalog-override.json"
    path.write_text(json.dumps({"overrides": entries}, ensure_ascii=False), encoding="utf-8")
    return path


def test_override_replaces_values_by_service_and_path(tmp_path) -> None:
    path = write_override(tmp_path, [
        {"service": 19, "path": "fees.items[0]", "value": {
            "id": "registration", "label_vi": "Lệ phí (Nghị quyết HĐND tỉnh)", "label_en": "Fee (provincial resolution)",
            "amount": 30000, "set_by": "law"}, "note": "Nghị quyết 12/2025/NQ-HĐND"},
        {"service": 4, "path": "popularity", "value": 25},
        {"service": 13, "path": "fees.items[0].confirmed", "value": True},
    ])
    cat = load_catalog(override_path=path)
    assert cat.get(19).fees.items[0].amount == 30000
    assert cat.all()[-1].number in (4, 14)
    assert cat.all()[0].number == 3
    assert cat.get(13).fees.items[0].confirmed
    assert (13, "fees.items[0]") not in {(u.service, u.path) for u in cat.unconfirmed()}
    assert load_catalog().get(19).fees.items[0].amount is None  # the shipped files are untouched


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"service": 4, "path": "popularity", "value": 40}, "overrides from"),
        ({"service": 4, "path": "fields[2].type", "value": "strnig"}, "fields[2].type: 'strnig' is not one of"),
        ({"service": 4, "path": "fees.itemz[0]", "value": 1}, "overrides[0].path: 'fees.itemz[0]'"),
        ({"service": 26, "path": "popularity", "value": 1}, "overrides[0].service: 26"),
        ({"service": 4, "path": "number", "value": 5}, "overrides[0].path"),
        ({"service": 4, "path": "fields[0].id", "value": "renamed"}, "steps[0].fields[0]: no field"),
        ({"service": 4, "value": 1}, "overrides[0]: needs exactly"),
    ],
)
def test_override_is_validated_like_the_files(tmp_path, entry, fragment) -> None:
    with pytest.raises(CatalogError) as info:
        load_catalog(override_path=write_override(tmp_path, [entry]))
    assert fragment in str(info.value)
    assert "catalog-override.json" in str(info.value)


def test_parse_json_path() -> None:
    assert parse_json_path("fees.items[0].amount") == ["fees", "items", 0, "amount"]
    for bad in ("fees..items", "fees.items[x]", "[0]", "fees.items[0]extra"):
        with pytest.raises(ValueError):
            parse_json_path(bad)


def test_fold() -> None:
    assert fold("Đăng ký KẾT HÔN") == "dang ky ket hon"
    assert fold("  Thẻ   căn cước ") == "the can cuoc"


@pytest.mark.parametrize(
    ("query", "expected_first", "must_include"),
    [
        ("khai sinh", 9, {9, 15}),
        ("Khai Sinh", 9, {9, 15}),
        ("ĐĂNG KÝ KẾT HÔN", 11, {11}),
        ("dang ky ket hon", 11, {11}),
        ("dang ki thi", 21, {21}),
        ("hộ chiếu", 12, {12}),
        ("passport", 12, {12}),
        ("7", 7, {7}),
        ("#25", 25, {25}),
        ("số 3", 3, {3}),
        ("tam tru", 4, {4}),
    ],
)
def test_search_with_and_without_accents(catalog, query, expected_first, must_include) -> None:
    hits = [s.number for s in catalog.search(query)]
    assert hits[0] == expected_first
    assert must_include <= set(hits)


def test_search_finds_nothing_for_nonsense_and_everything_for_empty(catalog) -> None:
    assert catalog.search("xyzzy") == []
    assert len(catalog.search("  ")) == 25
    assert {s.number for s in catalog.search("khai tu")} == {10, 16}


def good_temporary_residence() -> dict:
    return {
        "applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "001090012345", "applicant_birth_date": "15/06/1990",
        "applicant_residence": "12 Hàng Bạc, phường Hoàn Kiếm, Hà Nội", "applicant_phone": "+84 912 345 678",
        "registration_kind": "new", "temporary_address": {"detail": "5 ngõ 10 Láng Hạ", "commune": "phường Láng", "province": "Hà Nội"},
        "host_name": "Lê Thị Hoa", "owner_consent": True, "relationship_to_head": "none", "proof_type": "rental_contract",
        "stay_from": date(2026, 12, 1), "stay_until": date(2027, 11, 30), "reason": "work", "by_list": False,
    }


def errors_by_field(service, values) -> dict[str, str]:
    return {e.field: e.message_vi for e in validate_form(service, values, today=TODAY)}


def test_validate_form_accepts_a_good_form(catalog) -> None:
    assert validate_form(catalog.get(4), good_temporary_residence(), today=TODAY) == []


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("temporary_address", "", "Chưa nhập Địa chỉ tạm trú"),
        ("applicant_phone", "0212345678", "số di động Việt Nam gồm 10 chữ số"),
        ("applicant_phone", "091234567", "số di động Việt Nam"),
        ("applicant_id_number", "00109001234", "phải gồm đúng 12 chữ số"),
        ("applicant_id_number", "003090012345", "không phải mã tỉnh"),
        ("applicant_id_number", "001990012345", "năm sinh trong tương lai"),
        ("applicant_id_number", "001091012345", "không khớp với năm sinh 1990"),
        ("applicant_birth_date", "31/02/1990", "không phải là ngày có thật"),
        ("applicant_birth_date", "01/01/2027", "không được sau ngày hôm nay"),
        ("reason", "holiday", "hãy chọn một trong các lựa chọn"),
        ("owner_consent", False, "cần có xác nhận này"),
        ("owner_consent", "yes", "hãy chọn Có hoặc Không"),
        ("stay_until", date(2026, 11, 1), "không được trước 01/12/2026"),
        ("applicant_email", "an@@example", "thư điện tử"),
        ("temporary_address", {"detail": "5 ngõ 10", "commune": "", "province": "Hà Nội"}, "xã/phường"),
    ],
)
def test_validate_form_rejects_bad_values_in_plain_vietnamese(catalog, field, value, fragment) -> None:
    values = good_temporary_residence() | {field: value}
    errors = errors_by_field(catalog.get(4), values)
    # A birth date in 2027 also contradicts the ID number's birth year: that second error is expected.
    assert set(errors) <= {field, "applicant_id_number"} and field in errors
    assert fragment in errors[field]


def test_hidden_fields_are_not_required(catalog) -> None:
    values = good_temporary_residence() | {"by_list": True}
    assert "list_count" in errors_by_field(catalog.get(4), values)
    assert errors_by_field(catalog.get(4), values | {"list_count": 30}) == {}
    assert "list_count" not in errors_by_field(catalog.get(4), good_temporary_residence() | {"list_count": "abc"})


def test_phone_normalisation() -> None:
    assert normalize_phone("+84 912 345 678") == "0912345678"
    assert normalize_phone("84912345678") == "0912345678"
    assert normalize_phone("0386.123.456") == "0386123456"
    assert normalize_phone("0951234567") is None  # 095 is no longer a mobile prefix
    assert normalize_phone("02439123456") is None


def birth_form() -> dict:
    return {
        "declarant_full_name": "Trần Thị Bình", "declarant_id_number": "001192012345", "declarant_birth_date": date(1992, 3, 4),
        "declarant_residence": "12 Hàng Bạc, Hà Nội", "declarant_phone": "0987654321", "declarant_relationship": "mother",
        "child_full_name": "Nguyễn Minh Khang", "child_sex": "male", "child_birth_date": date(2026, 11, 20), "child_birth_time": "07:45",
        "child_birth_place_kind": "health_facility", "child_birth_facility": "Bệnh viện Phụ sản Hà Nội",
        "child_birth_place": "929 La Thành, Hà Nội", "child_home_town": "Nam Định", "child_ethnicity": "Kinh", "child_nationality": "Việt Nam",
        "mother_full_name": "Trần Thị Bình", "mother_id_number": "001192012345", "mother_birth_date": date(1992, 3, 4),
        "mother_ethnicity": "Kinh", "mother_nationality": "Việt Nam", "mother_residence": "12 Hàng Bạc, Hà Nội",
        "father_known": False, "birth_notice_kind": "birth_notice", "birth_notice_number": "CS-2026-001234",
        "birth_notice_issuer": "Bệnh viện Phụ sản Hà Nội", "birth_notice_date": date(2026, 11, 21), "surrogacy": False, "certified_copies": 2,
    }


def test_birth_registration_form(catalog) -> None:
    birth = catalog.get(9)
    assert validate_form(birth, birth_form(), today=TODAY) == []
    errors = errors_by_field(birth, birth_form() | {"child_birth_date": date(2026, 12, 1), "child_birth_time": "25:10", "father_known": True})
    assert "không được sau ngày hôm nay" in errors["child_birth_date"]
    assert "child_birth_time" in errors
    assert {"father_full_name", "father_id_number"} <= set(errors)
    assert birth.fee_quote(birth_form()).total == 16000
    late = check_eligibility(birth, birth_form() | {"child_birth_date": date(2026, 8, 1)}, TODAY)
    assert [(i.rule, i.severity) for i in late] == [("within_60_days", "warn")]
    assert check_eligibility(birth, birth_form(), TODAY) == []


def test_marriage_ages_are_evaluated(catalog) -> None:
    marriage = catalog.get(11)
    values = {"groom_birth_date": date(2006, 12, 1), "bride_birth_date": date(2008, 11, 25)}
    assert [i.rule for i in check_eligibility(marriage, values, TODAY)] == ["groom_age"]
    values["groom_birth_date"] = date(2006, 11, 25)
    assert check_eligibility(marriage, values, TODAY) == []
    values["bride_birth_date"] = date(2008, 11, 26)
    assert [i.rule for i in check_eligibility(marriage, values, TODAY)] == ["bride_age"]


def test_linked_birth_needs_a_child_under_six(catalog) -> None:
    linked = catalog.get(15)
    issues = check_eligibility(linked, {"child_birth_date": date(2020, 11, 25), "born_in_vietnam": True}, TODAY)
    assert [i.rule for i in issues] == ["child_under_6"]
    assert check_eligibility(linked, {"child_birth_date": date(2020, 11, 26), "born_in_vietnam": True}, TODAY) == []
    assert [i.rule for i in check_eligibility(linked, {"born_in_vietnam": False}, TODAY)] == ["born_in_vietnam"]


def test_linked_death_must_include_death_registration(catalog) -> None:
    s = catalog.get(16)
    issues = check_eligibility(s, {"procedures": ["residence_removal", "funeral_allowance"]}, TODAY)
    assert "includes_death" in [i.rule for i in issues]
    errors = errors_by_field(s, {"procedures": ["death"]})
    assert "cần chọn ít nhất 2" in errors["procedures"]


def test_judicial_record_no2_cannot_be_delegated_and_fees(catalog) -> None:
    s = catalog.get(22)
    assert [i.rule for i in check_eligibility(s, {"certificate_kind": "no2", "requested_by": "authorised"}, TODAY)] == [
        "no2_only_self_or_parent"]
    assert check_eligibility(s, {"certificate_kind": "no1", "requested_by": "authorised"}, TODAY) == []
    assert s.fee_quote({"fee_group": "standard", "copies": 4}, on=TODAY).total == 210000
    assert s.fee_quote({"fee_group": "student", "copies": 1}, on=TODAY).total == 100000
    exempt = s.fee_quote({"fee_group": "exempt", "copies": 3}, on=TODAY)
    assert exempt.exempt and exempt.total == 0


def test_fee_quotes_follow_the_form(catalog) -> None:
    assert catalog.get(7).fee_quote({"fee_area": "area_1", "value_band": "upto_40m"}).total == 2000000
    assert catalog.get(7).fee_quote({"fee_area": "area_3", "value_band": "upto_40m"}).total == 150000
    card = catalog.get(2)
    after_reduction = date(2027, 1, 4)  # Circular 64/2025's halving ends on 31/12/2026
    assert card.fee_quote({"request_kind": "exchange", "exchange_case": "age_25"}, on=after_reduction).total == 0
    assert card.fee_quote({"request_kind": "exchange", "exchange_case": "wrong_data"}, on=after_reduction).total == 50000
    assert card.fee_quote({"request_kind": "reissue", "reissue_case": "lost"}, on=after_reduction).total == 70000
    assert card.fee_quote({"request_kind": "reissue", "fee_exemption": "poor_household"}, on=after_reduction).total == 0
    residence = catalog.get(3)
    assert residence.fee_quote({}).total == 20000
    assert residence.fee_quote({}, online=True).total == 10000
    assert catalog.get(4).fee_quote({"by_list": True, "list_count": 12}, online=True).total == 60000
    assert catalog.get(19).fee_quote({}).total is None  # set by the province


def test_money_and_multi_choice_checks(catalog) -> None:
    errors = errors_by_field(catalog.get(7), {"vehicle_value": -5})
    assert "không được là số âm" in errors["vehicle_value"]
    assert "vehicle_value" not in errors_by_field(catalog.get(7), {"vehicle_value": "32.500.000"})
    exam = errors_by_field(catalog.get(21), {"elective_subjects": ["physics", "chemistry", "history"], "portrait": "anh.gif"})
    assert "tối đa 2" in exam["elective_subjects"]
    assert "jpg" in exam["portrait"]


def test_household_health_insurance_ladder(catalog) -> None:
    ladder = catalog.get(17).fees.contribution_ladder
    assert household_contributions(ladder, 2340000, 6) == [105300, 73710, 63180, 52650, 42120, 42120]


def test_late_fine_surcharge(catalog) -> None:
    rule = catalog.get(8).fees.late_payment
    assert late_surcharge(rule, 1000000, date(2026, 3, 1), date(2026, 3, 11)) == 0
    assert late_surcharge(rule, 1000000, date(2026, 3, 1), date(2026, 3, 21)) == 5000


def test_processing_days_and_due_dates(catalog) -> None:
    cal: WorkingCalendar = CalendarService().calendar
    assert catalog.get(25).processing.days_for({"holder_kind": "household"}) == 2
    assert catalog.get(25).processing.days_for({"holder_kind": "other"}) == 3
    assert catalog.get(24).processing.days_for({"needs_new_line": True}) == 7
    birth = catalog.get(9)
    assert birth.due_date(cal, datetime(2026, 11, 23, 15, 30)) == date(2026, 11, 25)  # 24/11 is a holiday
    assert birth.due_date(cal, datetime(2026, 11, 23, 9, 0)) == date(2026, 11, 23)
    assert catalog.get(2).due_date(cal, datetime(2026, 2, 13, 10, 0)) == date(2026, 3, 3)
    assert catalog.get(6).due_date(cal, datetime(2026, 2, 13, 10, 0)) is None
    assert catalog.get(21).processing.windows[0].start == date(2025, 4, 21)


def test_documents_follow_the_form(catalog) -> None:
    passport = catalog.get(12)
    lost = {d.id for d in passport.documents_for({"request_reason": "lost"})}
    assert "tk05" in lost and "old_passport" not in lost
    assert "old_passport" in {d.id for d in passport.documents_for({"request_reason": "expired"})}
    assert any(d.scan == "required" for d in catalog.get(15).documents)
