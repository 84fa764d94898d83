"""Passive authentication with a test PKI generated per test (ICAO 9303-11 §5.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icao_factory as f
import pytest
from cryptography.hazmat.primitives import serialization

from kiosk.devices.icao.lds.sod import parse_sod
from kiosk.devices.icao.passive import TrustStore, TrustStoreError, verify_passive
from kiosk.devices.vchip import lds
from kiosk.devices.vchip.citizen import generate_citizen
from kiosk.devices.vchip.issuer import PKIOptions, TestPKI

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CITIZEN = generate_citizen(7, today=date(2025, 6, 1))
DGS = {1: lds.dg1(lds.td1_mrz(CITIZEN)), 2: lds.dg2(lds.face_record(f.jpeg())),
       13: lds.dg13(lds.dg13_fields(CITIZEN))}
FILES = {f"DG{n}": data for n, data in DGS.items()}


def pki_of(**options) -> TestPKI:
    return TestPKI.generate(PKIOptions(**options), now=NOW)


def der(pki: TestPKI) -> bytes:
    return pki.csca_cert.public_bytes(serialization.Encoding.DER)


def store(tmp_path, *pems: bytes) -> TrustStore:
    for i, pem in enumerate(pems):
        (tmp_path / f"csca{i}.pem").write_bytes(pem)
    return TrustStore.load([tmp_path])


def sod(pki: TestPKI, dgs=None, **kw):
    return parse_sod(lds.ef_sod(DGS if dgs is None else dgs, pki, **kw))


@pytest.mark.parametrize(
    ("csca_kind", "ds_kind", "hash_name"),
    [("rsa", "rsa", "sha256"), ("rsa", "rsa-pss", "sha256"), ("ecdsa", "ecdsa", "sha384"),
     ("rsa", "ecdsa", "sha512"), ("ecdsa", "rsa", "sha1"), ("rsa", "rsa", "sha224"), ("brainpool", "ecdsa", "sha256")],
)
def test_chain_verified(tmp_path, csca_kind, ds_kind, hash_name):
    pki = pki_of(csca_kind=csca_kind, ds_kind=ds_kind)
    result = verify_passive(sod(pki, hash_name=hash_name), FILES, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "chain_verified", result.reasons
    assert result.reasons == ()
    assert result.csca_subject is not None


def test_explicit_parameter_ec_csca(tmp_path):
    pki = pki_of(csca_kind="brainpool")
    (tmp_path / "explicit.der").write_bytes(f.explicit_csca_der(pki))
    trust = TrustStore.load([tmp_path])
    assert b"\x06\x07\x2a\x86\x48\xce\x3d\x01\x01" in trust.list()[0].der  # id-prime-field: explicit
    assert verify_passive(sod(pki), FILES, trust, NOW).verdict == "chain_verified"


def test_changed_dg_byte(tmp_path):
    pki = pki_of()
    data = bytearray(FILES["DG13"])
    data[-1] ^= 0x01
    result = verify_passive(sod(pki), {**FILES, "DG13": bytes(data)}, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "failed"
    assert result.reasons == ("dg_hash_mismatch:DG13",)


def test_dg_missing_in_sod(tmp_path):
    pki = pki_of()
    result = verify_passive(sod(pki, {1: DGS[1]}), FILES, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "failed"
    assert set(result.reasons) == {"dg_missing_in_sod:DG2", "dg_missing_in_sod:DG13"}


def test_bad_signature(tmp_path):
    pki = pki_of()
    result = verify_passive(sod(pki, tamper_signature=True), FILES, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "failed"
    assert "sod_signature_invalid" in result.reasons


def test_an_unknown_hash_algorithm_is_unverifiable_not_failed(tmp_path):
    pki = pki_of()
    result = verify_passive(sod(pki, hash_name="unknown"), FILES, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "unverifiable"
    assert result.reasons == (f"unsupported_hash_algorithm:{lds.UNKNOWN_HASH_OID}",)


def test_a_csca_on_a_curve_the_reader_does_not_know_is_unverifiable(tmp_path):
    pki = pki_of(csca_kind="brainpool")
    p, a, b, gx, gy, n = f.BRAINPOOL_P256R1
    (tmp_path / "odd.der").write_bytes(f.explicit_csca_der(pki, (p, a, b ^ 1, gx, gy, n)))
    result = verify_passive(sod(pki), FILES, TrustStore.load([tmp_path]), NOW)
    assert result.verdict == "unverifiable"
    assert result.reasons == ("csca_algorithm_unsupported:explicit curve parameters of no supported named curve",)


def test_expired_and_not_yet_valid_ds(tmp_path):
    expired = pki_of(ds_expired=True)
    result = verify_passive(sod(expired), FILES, store(tmp_path, expired.csca_pem()), NOW)
    assert result.verdict == "failed" and "ds_certificate_expired" in result.reasons
    future = pki_of(ds_not_yet_valid=True)
    result = verify_passive(sod(future), FILES, None, NOW)
    assert "ds_certificate_not_yet_valid" in result.reasons


def test_a_signer_outside_the_configured_cscas_fails(tmp_path):
    """A forger's own CSCA gives a valid signature too: with CSCAs configured, only a chain to one
    of them passes; without any, the verdict says no CSCA is configured."""
    pki = pki_of(unknown_csca=True)
    result = verify_passive(sod(pki), FILES, store(tmp_path, pki.csca_pem()), NOW)
    assert result.verdict == "failed"
    assert result.reasons == ("unknown_csca",)
    assert verify_passive(sod(pki), FILES, None, NOW).verdict == "signature_valid_untrusted"


def test_same_name_impostor_csca_is_never_chain_verified(tmp_path):
    pki, impostor = pki_of(), pki_of()  # the same subject name, another key
    result = verify_passive(sod(pki), FILES, store(tmp_path, impostor.csca_pem()), NOW)
    assert result.verdict != "chain_verified"


def test_no_trust_store():
    result = verify_passive(sod(pki_of()), FILES, None, NOW)
    assert (result.verdict, result.reasons) == ("signature_valid_untrusted", ("no_trust_store",))


def test_sod_without_certificate():
    result = verify_passive(sod(pki_of(), embed_certificate=False), FILES, None, NOW)
    assert result.verdict == "failed" and "no_ds_certificate" in result.reasons


def test_master_list_import_and_trust(tmp_path):
    pki, other, ml_signer = pki_of(), pki_of(csca_kind="rsa"), pki_of()
    ml = tmp_path / "ml.der"
    ml.write_bytes(lds.csca_master_list([der(pki), der(other)], ml_signer))
    store_dir = tmp_path / "store"
    imported = TrustStore.import_file(ml, store_dir)
    assert len(imported) == 2
    trust = TrustStore.load([store_dir])
    assert {a.fingerprint for a in trust.list()} == {a.fingerprint for a in imported}
    assert all(len(a.fingerprint) == 64 and a.not_after > NOW for a in trust.list())
    assert verify_passive(sod(pki), FILES, trust, NOW).verdict == "chain_verified"
    assert len(TrustStore.load([ml])) == 2  # the master list file itself also loads directly


def test_master_list_with_broken_signature_is_refused(tmp_path):
    pki = pki_of()
    data = bytearray(lds.csca_master_list([der(pki)], pki))
    data[-3] ^= 0xFF  # inside the signature
    bad = tmp_path / "bad.ml"
    bad.write_bytes(bytes(data))
    with pytest.raises(TrustStoreError):
        TrustStore.import_file(bad, tmp_path / "store")
    trust = TrustStore.load([bad])
    assert len(trust) == 0 and len(trust.problems) == 1


def test_a_programming_error_is_raised_not_turned_into_a_verdict(tmp_path, monkeypatch):
    """A bug in the checks must never read as "failed" (a forgery) or "unverifiable"."""
    from kiosk.devices.icao import passive

    def broken(*args):
        raise KeyError("a bug")

    monkeypatch.setattr(passive, "_scheme", broken)
    pki = pki_of()
    with pytest.raises(KeyError):
        verify_passive(sod(pki), FILES, store(tmp_path, pki.csca_pem()), NOW)
