"""Passive authentication with certificates generated per test (ICAO 9303-11 §5.1)."""

from __future__ import annotations

from datetime import timedelta

import icao_factory as f
import pytest

from kiosk.devices.icao.lds.sod import parse_sod
from kiosk.devices.icao.passive import TrustStore, TrustStoreError, verify_passive


def _files():
    holder = f.Holder()
    return {
        "DG1": f.dg1(f.td1(holder)),
        "DG2": f.dg2(f.jpeg()),
        "DG13": f.dg13(f.standard_dg13_fields(holder)),
    }


def _store(tmp_path, *ders: bytes) -> TrustStore:
    for i, der in enumerate(ders):
        (tmp_path / f"csca{i}.pem").write_bytes(f.pem(der))
    return TrustStore.load([tmp_path])


@pytest.mark.parametrize(
    ("csca_kind", "ds_kind", "hash_name"),
    [("rsa", "rsa", "sha256"), ("pss", "pss", "sha256"), ("ecdsa", "ecdsa", "sha384"),
     ("rsa", "ecdsa", "sha512"), ("ecdsa", "rsa", "sha1"), ("rsa", "rsa", "sha224")],
)
def test_chain_verified(tmp_path, csca_kind, ds_kind, hash_name):
    pki = f.make_pki(csca_kind, ds_kind)
    files = _files()
    sod = parse_sod(f.make_sod(files, pki, ds_kind, hash_name))
    result = verify_passive(sod, files, _store(tmp_path, pki.csca_cert), f.NOW)
    assert result.verdict == "chain_verified", result.reasons
    assert result.reasons == ()
    assert result.csca_subject is not None


def test_explicit_parameter_ec_csca(tmp_path):
    pki = f.make_explicit_csca_pki()
    files = _files()
    sod = parse_sod(f.make_sod(files, pki, "ecdsa"))
    assert verify_passive(sod, files, _store(tmp_path, pki.csca_cert), f.NOW).verdict == "chain_verified"


def test_changed_dg_byte(tmp_path):
    pki = f.make_pki()
    files = _files()
    sod = parse_sod(f.make_sod(files, pki))
    tampered = dict(files)
    data = bytearray(files["DG13"])
    data[-1] ^= 0x01
    tampered["DG13"] = bytes(data)
    result = verify_passive(sod, tampered, _store(tmp_path, pki.csca_cert), f.NOW)
    assert result.verdict == "failed"
    assert result.reasons == ("dg_hash_mismatch:DG13",)


def test_dg_missing_in_sod(tmp_path):
    pki = f.make_pki()
    files = _files()
    sod = parse_sod(f.make_sod({"DG1": files["DG1"]}, pki))
    result = verify_passive(sod, files, _store(tmp_path, pki.csca_cert), f.NOW)
    assert result.verdict == "failed"
    assert set(result.reasons) == {"dg_missing_in_sod:DG2", "dg_missing_in_sod:DG13"}


def test_bad_signature(tmp_path):
    pki = f.make_pki()
    files = _files()
    sod = parse_sod(f.make_sod(files, pki, tamper_signature=True))
    result = verify_passive(sod, files, _store(tmp_path, pki.csca_cert), f.NOW)
    assert result.verdict == "failed"
    assert "sod_signature_invalid" in result.reasons


def test_expired_and_not_yet_valid_ds(tmp_path):
    expired = f.make_pki(ds_not_before=f.NOW - timedelta(days=400), ds_not_after=f.NOW - timedelta(days=1))
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, expired)), files, _store(tmp_path, expired.csca_cert), f.NOW)
    assert result.verdict == "failed" and "ds_certificate_expired" in result.reasons
    future = f.make_pki(ds_not_before=f.NOW + timedelta(days=1))
    result = verify_passive(parse_sod(f.make_sod(files, future)), files, None, f.NOW)
    assert "ds_certificate_not_yet_valid" in result.reasons


def test_unknown_csca_is_valid_but_untrusted(tmp_path):
    pki = f.make_pki()
    other = f.make_pki(csca_cn="CSCA Somewhere Else")
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, pki)), files, _store(tmp_path, other.csca_cert), f.NOW)
    assert result.verdict == "signature_valid_untrusted"
    assert result.reasons == ("unknown_csca",)


def test_same_name_impostor_csca_fails(tmp_path):
    pki = f.make_pki()
    impostor = f.make_pki()  # same subject name, different key
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, pki)), files, _store(tmp_path, impostor.csca_cert), f.NOW)
    assert result.verdict in ("failed", "signature_valid_untrusted")
    assert result.verdict != "chain_verified"


def test_no_trust_store():
    pki = f.make_pki()
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, pki)), files, None, f.NOW)
    assert result.verdict == "signature_valid_untrusted"


def test_sod_without_certificate():
    pki = f.make_pki()
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, pki, include_cert=False)), files, None, f.NOW)
    assert result.verdict == "failed" and "no_ds_certificate" in result.reasons


def test_master_list_import_and_trust(tmp_path):
    pki = f.make_pki("ecdsa", "ecdsa")
    other = f.make_pki(csca_cn="CSCA Other")
    ml_signer = f.make_pki()
    ml = tmp_path / "ml.der"
    ml.write_bytes(f.make_master_list([pki.csca_cert, other.csca_cert], ml_signer))
    store_dir = tmp_path / "store"
    imported = TrustStore.import_file(ml, store_dir)
    assert len(imported) == 2
    store = TrustStore.load([store_dir])
    assert {a.subject for a in store.list()} == {a.subject for a in imported}
    assert all(len(a.fingerprint) == 64 and a.not_after > f.NOW for a in store.list())
    files = _files()
    result = verify_passive(parse_sod(f.make_sod(files, pki, "ecdsa")), files, store, f.NOW)
    assert result.verdict == "chain_verified"
    # The master list file itself also loads directly.
    assert len(TrustStore.load([ml])) == 2


def test_master_list_with_broken_signature_is_refused(tmp_path):
    pki = f.make_pki()
    data = bytearray(f.make_master_list([pki.csca_cert], pki))
    data[-3] ^= 0xFF  # inside the signature
    bad = tmp_path / "bad.ml"
    bad.write_bytes(bytes(data))
    with pytest.raises(TrustStoreError):
        TrustStore.import_file(bad, tmp_path / "store")
    store = TrustStore.load([bad])
    assert len(store) == 0 and len(store.problems) == 1
