"""`kiosk card read` and `kiosk trust …` as an operator runs them: a real process, a real encrypted
data folder, and the virtual chip behind pcscd and vpcd."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from PIL import Image

from kiosk.devices.vchip.card import ChipKeys, ChipOptions
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI
from kiosk.devices.vchip.lds import UNKNOWN_AA_SIGNATURE_OID, csca_master_list

pytestmark = pytest.mark.pcsc



def kiosk(data_dir, *args):
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, env=dict(os.environ), timeout=120,
    )


def card_read(data_dir, reader, citizen, *extra, expiry=None):
    expiry = expiry or (citizen.expiry_date.isoformat() if citizen.expiry_date else "none")
    return kiosk(data_dir, "card", "read", "--reader", reader, "--id-number", citizen.id_number,
                 "--birth", citizen.birth_date.isoformat(), "--expiry", expiry, "--json", *extra)


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def test_read_prints_the_citizen_as_json(data_dir, small_card, tmp_path):
    inserted = small_card(seed=41)
    c = inserted.citizen
    photo = tmp_path / "face.jpg"
    result = card_read(data_dir, inserted.reader, c, "--photo-out", str(photo))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert set(doc) == {"mrz", "personal", "verification", "key", "warnings", "apdu_count", "seconds"}
    assert doc["mrz"] == {
        "document_number": c.document_number,
        "id_number": c.id_number,
        "birth_date": c.birth_date.isoformat(),
        "expiry_date": c.expiry_date.isoformat() if c.expiry_date else None,
        "sex": c.sex,
        "surname": inserted.card.mrz[60:90].split("<<")[0],
        "given_names": inserted.card.mrz[60:90].split("<<")[1].replace("<", " ").strip(),
        "nationality": "VNM",
    }
    p = doc["personal"]
    assert p["id_number"] == c.id_number and p["full_name"] == c.full_name
    assert p["birth_date"] == c.birth_date.isoformat() and p["sex"] == c.sex_vi
    assert p["place_of_origin"] == c.place_of_origin and p["place_of_residence"] == c.place_of_residence
    assert p["issue_date"] == c.issue_date.isoformat()
    assert p["father_name"] == c.father_name and p["mother_name"] == c.mother_name
    assert p["unknown_fields"] == {"16": c.card_serial}
    assert doc["verification"] == {"access": "BAC", "verdict": "signature_valid_untrusted",
                                   "passive": "signature_valid_untrusted", "passive_reasons": ["no_trust_store"],
                                   "active": "verified", "active_reasons": [], "chip": "verified",
                                   "chip_reasons": []}
    assert doc["key"] == {"source": "numbers", "opened_with": "BAC", "mismatch": []}
    assert doc["warnings"] == []
    assert isinstance(doc["apdu_count"], int) and doc["apdu_count"] > 10
    assert isinstance(doc["seconds"], float)
    with Image.open(io.BytesIO(photo.read_bytes())) as image:
        assert image.format == "JPEG" and image.size == (240, 320)


def test_read_with_the_mrz_and_a_trusted_csca(data_dir, small_card):
    inserted = small_card(seed=42, card_access="pace")
    mrz = inserted.card.mrz
    typed = "\n".join((mrz[:30], mrz[30:60], mrz[60:]))
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--mrz", typed,
                   "--trust", str(inserted.csca_pem), "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["verification"]["passive"] == "chain_verified"
    assert doc["verification"]["passive_reasons"] == []
    assert doc["verification"]["access"] == "PACE-MRZ"  # EF.CardAccess offers it; the MRZ given opens it
    assert doc["mrz"]["id_number"] == inserted.citizen.id_number


def test_human_output_names_the_holder_and_the_verdict(data_dir, small_card):
    inserted = small_card(seed=43)
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--mrz", inserted.card.mrz)
    assert result.returncode == 0, result.stderr
    assert f"Họ và tên: {inserted.citizen.full_name}" in result.stdout
    assert "Kết luận: signature_valid_untrusted" in result.stdout


def test_wrong_key_exits_3(data_dir, small_card):
    inserted = small_card(seed=44)
    c = inserted.citizen
    result = card_read(data_dir, inserted.reader, c, expiry="2099-01-01")
    no_traceback(result)
    assert result.returncode == 3
    assert json.loads(result.stdout)["error"] == "AccessDenied"
    assert "từ chối khóa truy cập" in result.stderr


def test_card_removed_mid_read_exits_4(data_dir, small_card):
    inserted = small_card(seed=45, remove_after=12)
    result = card_read(data_dir, inserted.reader, inserted.citizen)
    no_traceback(result)
    assert result.returncode == 4
    assert json.loads(result.stdout)["error"] == "CardRemoved"
    assert "rút ra" in result.stderr


def test_no_card_exits_5(data_dir, pcsc_reader):
    result = card_read(data_dir, pcsc_reader, generate_citizen(46))
    no_traceback(result)
    assert result.returncode == 5
    assert json.loads(result.stdout)["error"] == "NoCard"
    assert "Chưa có thẻ" in result.stderr


def test_unknown_reader_exits_5(data_dir, pcsc_reader):
    result = card_read(data_dir, "No Such Reader 00 00", generate_citizen(46))
    assert result.returncode == 5
    assert json.loads(result.stdout)["error"] == "ReaderUnavailable"


@pytest.mark.parametrize(
    ("options", "pki_options", "reason"),
    [
        ({"tamper_dg": 13}, None, "dg_hash_mismatch:DG13"),
        ({"tamper_signature": True}, None, "sod_signature_invalid"),
        ({}, PKIOptions(ds_expired=True), "ds_certificate_expired"),
    ],
)
def test_failed_verification_exits_6(data_dir, small_card, options, pki_options, reason):
    pki = TestPKI.generate(pki_options) if pki_options else None
    inserted = small_card(seed=47, pki=pki, **options)
    result = card_read(data_dir, inserted.reader, inserted.citizen, "--trust", str(inserted.csca_pem))
    no_traceback(result)
    assert result.returncode == 6
    doc = json.loads(result.stdout)
    assert doc["verification"]["passive"] == "failed"
    assert reason in doc["verification"]["passive_reasons"]
    assert doc["personal"]["id_number"] == inserted.citizen.id_number  # what was read is still shown


def test_active_authentication_failure_exits_6(data_dir, small_card):
    inserted = small_card(seed=48)
    inserted.card.keys = ChipKeys(ChipKeys.generate(ChipOptions()).aa, inserted.card.keys.ca)
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--mrz", inserted.card.mrz)
    assert result.returncode == 6
    assert "xác thực chủ động thất bại" in result.stdout
    doc_result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--mrz", inserted.card.mrz,
                       "--json")
    doc = json.loads(doc_result.stdout)
    assert (doc["verification"]["active"], doc["verification"]["chip"]) == ("failed", "verified")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--id-number", "00109001234", "--birth", "1990-08-15", "--expiry", "2030-08-15"], "12 chữ số"),
        (["--id-number", "001090012345", "--birth", "1990-13-15", "--expiry", "2030-08-15"], "YYYY-MM-DD"),
        (["--id-number", "001090012345", "--expiry", "2030-08-15"], "--expiry cần cả --birth"),
        (["--mrz", "I" * 89], "89"),
        (["--mrz", "IDVNM" + "<" * 85], "MRZ"),
        (["--mrz", "I" * 90, "--birth", "1990-08-15"], "đi cùng --id-number"),
        (["--mrz", "I" * 90, "--id-number", "001090012345"], "--mrz, --id-number không dùng cùng nhau"),
        (["--can", "123456", "--qr", "x|y"], "--can, --qr không dùng cùng nhau"),
        (["--can", "12345"], "6 chữ số"),
        (["--can", "123456", "--expiry", "none"], "đi cùng --id-number"),
        (["--qr", "https://vneid.gov.vn/qr?c=AEX3J0Q8ZK2M9R7T5W1Y4B6D8F0H2K4M6"], "01/07/2024"),
        (["--qr", "001090012345||Nguyễn Văn An|3509199|Nam|Hà Nội|15082021"], "Ngày sinh trong mã QR"),
        ([], "Cần một khóa mở chip"),
        (["--id-number", "001090012345", "--birth", "1990-08-15", "--expiry", "none", "--trust", "/nonexistent"],
         "không tìm thấy"),
    ],
)
def test_bad_arguments_exit_2(data_dir, pcsc_reader, args, words):
    result = kiosk(data_dir, "card", "read", "--reader", pcsc_reader, *args)
    no_traceback(result)
    assert result.returncode == 2
    assert words in result.stderr


def test_trust_import_of_a_pem_and_a_master_list_then_list(data_dir, tmp_path, session_pki):
    pem = tmp_path / "csca.pem"
    pem.write_bytes(session_pki.csca_pem())
    imported = kiosk(data_dir, "trust", "import", str(pem), "--json")
    assert imported.returncode == 0, imported.stderr
    (first,) = json.loads(imported.stdout)
    assert "Common Name: CSCA Kiosk Test" in first["subject"]

    others = [TestPKI.generate(), TestPKI.generate()]
    ders = [p.csca_cert.public_bytes(serialization.Encoding.DER) for p in others]
    master_list = tmp_path / "masterlist.ml"
    master_list.write_bytes(csca_master_list(ders, others[0]))
    from_list = kiosk(data_dir, "trust", "import", str(master_list), "--json")
    assert from_list.returncode == 0, from_list.stderr
    assert len(json.loads(from_list.stdout)) == 2

    listed = kiosk(data_dir, "trust", "list", "--json")
    assert listed.returncode == 0
    anchors = json.loads(listed.stdout)
    expected = {hashlib.sha256(d).hexdigest() for d in
                [*ders, session_pki.csca_cert.public_bytes(serialization.Encoding.DER)]}
    assert {a["fingerprint"] for a in anchors} == expected
    assert all(a["not_after"] > a["not_before"] for a in anchors)

    broken = tmp_path / "broken.pem"
    broken.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    refused = kiosk(data_dir, "trust", "import", str(broken))
    no_traceback(refused)
    assert refused.returncode == 2 and "Không nhập được" in refused.stderr


def test_imported_csca_makes_the_chain_verified(data_dir, small_card):
    inserted = small_card(seed=49)
    assert kiosk(data_dir, "trust", "import", str(inserted.csca_pem)).returncode == 0
    result = card_read(data_dir, inserted.reader, inserted.citizen)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verification"]["passive"] == "chain_verified"
    audit = json.loads(kiosk(data_dir, "audit", "list", "--json").stdout)
    actions = [e["action"] for e in audit]
    assert "trust.imported" in actions and "card.read" in actions
    assert inserted.citizen.id_number not in json.dumps(audit, ensure_ascii=False)


def read_ecdsa_card(data_dir, virtual_card, session_pki, seed: int, aa_oid: str):
    """Insert an ECDSA-AA card whose DG14 names its algorithm as `aa_oid` says, read it with its CSCA
    trusted, and return (inserted card, JSON document) after checking the read exited 0."""
    inserted = virtual_card(seed=seed, pki=session_pki,
                            options=ChipOptions(dg2_size=2_000, aa_kind="ecdsa", aa_oid=aa_oid))
    result = card_read(data_dir, inserted.reader, inserted.citizen, "--trust", str(inserted.csca_pem))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    return inserted, json.loads(result.stdout)


def test_a_genuine_card_with_the_icao_ecdsa_plain_oid_exits_0(data_dir, virtual_card, session_pki):
    _, doc = read_ecdsa_card(data_dir, virtual_card, session_pki, 50, "ecdsa-plain")
    v = doc["verification"]
    assert (v["verdict"], v["passive"], v["active"], v["chip"]) == ("chain_verified", "chain_verified", "verified",
                                                                   "verified")
    assert doc["warnings"] == []


def test_an_algorithm_the_kiosk_does_not_know_exits_0_with_a_warning(data_dir, virtual_card, session_pki):
    inserted, doc = read_ecdsa_card(data_dir, virtual_card, session_pki, 51, "unknown")
    v = doc["verification"]
    code = f"aa_unsupported_algorithm:{UNKNOWN_AA_SIGNATURE_OID}"
    assert (v["verdict"], v["passive"], v["active"], v["active_reasons"]) == (
        "unverifiable", "chain_verified", "unverifiable", [code])
    (warning,) = doc["warnings"]
    assert (warning["step"], warning["code"]) == ("active", code)
    assert UNKNOWN_AA_SIGNATURE_OID in warning["message"] and "xác thực chủ động" in warning["message"]
    assert "active authentication" in warning["message_en"]
    human = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--mrz", inserted.card.mrz,
                  "--trust", str(inserted.csca_pem))
    assert human.returncode == 0, human.stderr
    assert "Kết luận: unverifiable" in human.stdout and "không phải dấu hiệu giả mạo" in human.stdout


# Keys from the CAN and the card's QR code; a chip written by someone else
def qr_text(citizen) -> str:
    """The 2021 card's front QR code (docs/card.md layout) for a generated holder."""
    return (f"{citizen.id_number}|{citizen.old_id_number or ''}|{citizen.full_name}|{citizen.birth_date:%d%m%Y}|"
            f"{citizen.sex_vi}|{citizen.place_of_residence}|{citizen.issue_date:%d%m%Y}")


def test_read_with_the_can(data_dir, small_card):
    inserted = small_card(seed=61, card_access="pace")
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--can", inserted.citizen.can, "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["key"] == {"source": "can", "opened_with": "PACE-CAN", "mismatch": []}
    assert doc["personal"]["id_number"] == inserted.citizen.id_number


def test_read_with_the_qr_code_as_a_scanner_types_it(data_dir, small_card):
    inserted = small_card(seed=62, card_access="pace")
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--qr", "]Q1" + qr_text(inserted.citizen),
                   "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["key"] == {"source": "qr", "opened_with": "PACE-CAN", "mismatch": []}


def test_a_wrong_can_is_access_denied_naming_the_can(data_dir, small_card):
    inserted = small_card(seed=63, card_access="pace")
    wrong = "000000" if inserted.citizen.can != "000000" else "111111"
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--can", wrong, "--json")
    no_traceback(result)
    assert result.returncode == 3
    doc = json.loads(result.stdout)
    assert (doc["error"], doc["key"]) == ("AccessDenied", "can")
    assert doc["message"] == ("Chip từ chối số CAN: kiểm tra lại 6 số CAN in trên thẻ, hoặc nhập số định danh, "
                              "ngày sinh và ngày hết hạn.")


def test_a_chip_written_by_someone_else(data_dir, small_card):
    """Its CAN is not the ID number's end, it refuses BAC and opens with PACE only (ICAO 9303-11)."""
    inserted = small_card(seed=64, card_access="pace", can="482915", bac_status=0x6985)
    c = inserted.citizen
    wrong = card_read(data_dir, inserted.reader, c, expiry="2099-01-01")
    no_traceback(wrong)
    assert wrong.returncode == 3, wrong.stderr  # access denied, never "card removed" (4)
    assert "kiểm tra lại số định danh, ngày sinh và ngày hết hạn" in wrong.stderr
    right = card_read(data_dir, inserted.reader, c)
    assert right.returncode == 0, right.stderr
    assert json.loads(right.stdout)["key"]["opened_with"] == "PACE-MRZ"
    by_can = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--can", "482915", "--json")
    assert json.loads(by_can.stdout)["key"]["opened_with"] == "PACE-CAN"
    qr = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--qr", qr_text(c), "--json")
    assert qr.returncode == 0, qr.stderr
    assert json.loads(qr.stdout)["key"]["opened_with"] == "PACE-MRZ"  # the guessed CAN refused, then the law's expiry


def test_a_can_for_a_bac_only_chip(data_dir, small_card):
    inserted = small_card(seed=65)
    result = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--can", inserted.citizen.can)
    no_traceback(result)
    assert result.returncode == 3
    assert "không mở được bằng số CAN" in result.stderr


def test_a_typed_date_the_chip_contradicts_is_a_warning(data_dir, small_card):
    inserted = small_card(seed=66, card_access="pace")
    result = card_read(data_dir, inserted.reader, inserted.citizen, expiry="2099-01-01")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["key"] == {"source": "numbers", "opened_with": "PACE-CAN", "mismatch": ["expiry_date"]}
    (warning,) = doc["warnings"]
    assert warning["code"] == "key_mismatch:expiry_date" and "ngày hết hạn" in warning["message"]
    human = kiosk(data_dir, "card", "read", "--reader", inserted.reader, "--id-number", inserted.citizen.id_number,
                  "--birth", inserted.citizen.birth_date.isoformat(), "--expiry", "2099-01-01")
    assert "Khóa đã nhập không khớp với chip: ngày hết hạn" in human.stdout
    assert "Mở chip bằng: PACE-CAN" in human.stdout
