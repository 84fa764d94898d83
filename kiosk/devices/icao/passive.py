"""Passive authentication (ICAO 9303-11 §5.1) and the CSCA trust store it chains to.

The verdict separates three cases staff must see apart (docs/card.md): the chain to a trusted CSCA
verified; the signature and hashes are valid but no trusted CSCA vouches for the signer; or
something failed. Reasons are machine-readable codes the UI translates.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from asn1crypto import algos, pem, x509
from asn1crypto import core as asn1core

from ...domain import chip_verdict
from ...domain.chip_verdict import ReasonCode, code
from .errors import ParseError, UnknownAlgorithm
from .keys import PublicKey, load_public_key, verify_signature
from .lds.sod import SignedDataInfo, Sod, parse_signed_data

log = logging.getLogger(__name__)

OID_CSCA_MASTER_LIST = "2.23.136.1.1.2"
_SOD_DIGESTS = {"sha1", "sha224", "sha256", "sha384", "sha512"}

Verdict = Literal["chain_verified", "signature_valid_untrusted", "unverifiable", "failed"]


@dataclass(frozen=True, slots=True)
class PassiveAuthResult:
    verdict: Verdict
    reasons: tuple[str, ...]
    ds_subject: str | None = None
    csca_subject: str | None = None


class _CertSet(asn1core.SetOf):
    _child_spec = x509.Certificate


class CscaMasterList(asn1core.Sequence):
    """ICAO 9303-12 §9: CscaMasterList ::= SEQUENCE { version, certList SET OF Certificate }."""

    _fields = [("version", asn1core.Integer), ("cert_list", _CertSet)]


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """One CSCA certificate in the trust store."""

    subject: str
    serial: int
    not_before: datetime
    not_after: datetime
    fingerprint: str  # SHA-256 of the DER, hex
    source: str
    der: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.Certificate.load(self.der)


class TrustStoreError(Exception):
    """A file given to the trust store is neither a certificate nor a master list."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _anchor(cert: x509.Certificate, source: str) -> TrustAnchor:
    der = cert.dump()
    validity = cert["tbs_certificate"]["validity"]
    return TrustAnchor(
        cert.subject.human_friendly,
        cert.serial_number,
        validity["not_before"].native,
        validity["not_after"].native,
        hashlib.sha256(der).hexdigest(),
        source,
        der,
    )


def certificates_from_bytes(data: bytes, source: str) -> list[x509.Certificate]:
    """Certificates in a PEM bundle, a DER certificate, or a CSCA master list (PEM or DER)."""
    blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] if pem.detect(data) else [data]
    certs: list[x509.Certificate] = []
    for blob in blobs:
        try:
            cert = x509.Certificate.load(blob, strict=True)
            cert.subject  # noqa: B018 - forces parsing so a non-certificate fails here
            certs.append(cert)
            continue
        except (ValueError, TypeError):
            pass
        certs.extend(master_list_certificates(blob, source))
    return certs


def master_list_certificates(der: bytes, source: str = "master list") -> list[x509.Certificate]:
    """The CSCA certificates of an ICAO master list; the list's own CMS signature must verify
    with its embedded signer certificate (integrity of the file, not trust in it)."""
    try:
        signed = parse_signed_data(der, "MASTER LIST")
    except ParseError as exc:
        raise TrustStoreError(source, f"not a certificate or master list ({exc.detail})") from None
    if signed.content_type != OID_CSCA_MASTER_LIST:
        raise TrustStoreError(source, "SignedData does not hold a CSCA master list")
    problems = verify_signed_data(signed, None)
    if problems:
        raise TrustStoreError(source, "master list signature: " + ", ".join(problems))
    try:
        ml = CscaMasterList.load(signed.content, strict=True)
        return list(ml["cert_list"])
    except (ValueError, TypeError) as exc:
        raise TrustStoreError(source, f"malformed master list: {exc}") from None


class TrustStore:
    """CSCA certificates from PEM/DER files, directories and ICAO master lists."""

    def __init__(self, anchors: Iterable[TrustAnchor] = (), problems: Iterable[TrustStoreError] = ()) -> None:
        unique: dict[str, TrustAnchor] = {}
        for anchor in anchors:
            unique.setdefault(anchor.fingerprint, anchor)
        self._anchors = tuple(unique.values())
        self.problems = tuple(problems)

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> TrustStore:
        """Load every file (and every file in every directory) given; unreadable files are kept
        in `problems` rather than stopping the load."""
        anchors: list[TrustAnchor] = []
        problems: list[TrustStoreError] = []
        for path in paths:
            p = Path(path)
            files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
            for f in files:
                try:
                    certs = certificates_from_bytes(f.read_bytes(), str(f))
                except TrustStoreError as exc:
                    problems.append(exc)
                    continue
                except OSError as exc:
                    problems.append(TrustStoreError(str(f), exc.strerror or "unreadable"))
                    continue
                anchors.extend(_anchor(c, str(f)) for c in certs)
        return cls(anchors, problems)

    @staticmethod
    def import_file(path: str | Path, into_dir: str | Path) -> list[TrustAnchor]:
        """Copy the CSCA certificates of `path` (PEM, DER or master list) into `into_dir`, one PEM
        file per certificate named by its fingerprint; returns the anchors written."""
        source = Path(path)
        target = Path(into_dir)
        certs = certificates_from_bytes(source.read_bytes(), str(source))
        if not certs:
            raise TrustStoreError(str(source), "no certificate found")
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for cert in certs:
            anchor = _anchor(cert, str(source))
            out = target / f"{anchor.fingerprint[:32]}.pem"
            tmp = out.with_suffix(".tmp")
            tmp.write_bytes(pem.armor("CERTIFICATE", anchor.der))
            shutil.move(tmp, out)
            written.append(_anchor(cert, str(out)))
        return written

    def list(self) -> tuple[TrustAnchor, ...]:
        return self._anchors

    def __len__(self) -> int:
        return len(self._anchors)

    def issuers_of(self, cert: x509.Certificate) -> list[TrustAnchor]:
        """Anchors whose subject is the certificate's issuer (and key id, when both carry one)."""
        issuer = cert.issuer
        aki = cert.authority_key_identifier
        out = []
        for anchor in self._anchors:
            ca = anchor.certificate
            if ca.subject != issuer:
                continue
            ski = ca.key_identifier
            if aki is not None and ski is not None and aki != ski:
                continue
            out.append(anchor)
        return out


def _scheme(algorithm: algos.SignedDigestAlgorithm, digest_name: str) -> tuple[str, str, int | None, str | None]:
    """(scheme, hash, pss salt, mgf hash) for a signature AlgorithmIdentifier."""
    name = algorithm["algorithm"].native
    if name == "rsassa_pss":
        params = algorithm["parameters"]
        hash_name = params["hash_algorithm"]["algorithm"].native
        mgf_hash = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
        return "rsassa_pss", hash_name, params["salt_length"].native, mgf_hash
    if name in ("rsassa_pkcs1v15", "rsa"):
        return "rsassa_pkcs1v15", digest_name, None, None
    if name == "ecdsa":
        return "ecdsa", digest_name, None, None
    if name.endswith("_rsa"):
        return "rsassa_pkcs1v15", name.split("_")[0], None, None
    if name.endswith("_ecdsa"):
        return "ecdsa", name.split("_")[0], None, None
    raise UnknownAlgorithm("SIGNATURE", name)


def _find_signer(signed: SignedDataInfo) -> x509.Certificate | None:
    """The signer's certificate among those the SignedData carries; asn1crypto parses lazily, so
    a malformed certificate raises ValueError here."""
    for der in signed.certificates:
        cert = x509.Certificate.load(der)
        if signed.signer_issuer is not None:
            if cert.issuer.dump() == signed.signer_issuer and cert.serial_number == signed.signer_serial:
                return cert
        elif signed.signer_key_id is not None and cert.key_identifier == signed.signer_key_id:
            return cert
    return None


def _public_key(cert: x509.Certificate) -> PublicKey:
    return load_public_key(cert["tbs_certificate"]["subject_public_key_info"].dump(), "CERT")


def verify_signed_data(signed: SignedDataInfo, signer: x509.Certificate | None) -> list[str]:
    """Check a SignedData's signed attributes and signature; returns failure codes (empty = ok)."""
    reasons: list[str] = []
    if signer is None:
        signer = _find_signer(signed)
        if signer is None:
            return [code(ReasonCode.NO_DS_CERTIFICATE)]
    digest_name = signed.digest_algorithm
    if digest_name not in _SOD_DIGESTS:
        return [code(ReasonCode.UNSUPPORTED_HASH_ALGORITHM, digest_name)]
    if signed.signed_attrs is not None:
        content_digest = hashlib.new(digest_name, signed.content).digest()
        if signed.message_digest is None or not hmac.compare_digest(content_digest, signed.message_digest):
            reasons.append(code(ReasonCode.SOD_MESSAGE_DIGEST_MISMATCH))
        if signed.signed_content_type is not None and signed.signed_content_type != signed.content_type:
            reasons.append(code(ReasonCode.SOD_CONTENT_TYPE_MISMATCH))
        to_verify = signed.signed_attrs
    else:
        to_verify = signed.content
    try:
        alg = algos.SignedDigestAlgorithm.load(signed.signature_algorithm_der)
        scheme, hash_name, salt, mgf = _scheme(alg, digest_name)
        key = _public_key(signer)
        ok = verify_signature(key, signed.signature, to_verify, scheme, hash_name,
                              pss_salt_length=salt, mgf_hash_name=mgf)
    except UnknownAlgorithm as exc:
        return [*reasons, code(ReasonCode.UNSUPPORTED_SIGNATURE_ALGORITHM, exc.detail)]
    except ParseError:
        return [*reasons, code(ReasonCode.DS_CERTIFICATE_UNPARSABLE, "key")]
    if not ok:
        reasons.append(code(ReasonCode.SOD_SIGNATURE_INVALID))
    return reasons


def verify_certificate_signature(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer`'s key signed `cert`; `UnknownAlgorithm` when that cannot be checked."""
    try:
        algorithm = cert["signature_algorithm"]
        hash_algo = cert.hash_algo
    except ValueError as exc:
        raise UnknownAlgorithm("CERT", f"signature algorithm: {exc}") from None
    scheme, hash_name, salt, mgf = _scheme(algorithm, hash_algo)
    return verify_signature(
        _public_key(issuer), cert.signature, cert["tbs_certificate"].dump(), scheme, hash_name,
        pss_salt_length=salt, mgf_hash_name=mgf,
    )


def check_dg_hashes(sod: Sod, files: Mapping[str, bytes]) -> list[str]:
    """Every data group read must hash to its value in the SOD (ICAO 9303-11 §5.1.1 step 3)."""
    reasons: list[str] = []
    if sod.hash_algorithm not in _SOD_DIGESTS:
        return [code(ReasonCode.UNSUPPORTED_HASH_ALGORITHM, sod.hash_algorithm)]
    for name, data in sorted(files.items()):
        if not name.startswith("DG"):
            continue
        number = int(name[2:])
        expected = sod.dg_hashes.get(number)
        if expected is None:
            reasons.append(code(ReasonCode.DG_MISSING_IN_SOD, name))
        elif not hmac.compare_digest(hashlib.new(sod.hash_algorithm, data).digest(), expected):
            reasons.append(code(ReasonCode.DG_HASH_MISMATCH, name))
    return reasons


def verify_passive(
    sod: Sod, files: Mapping[str, bytes], trust: TrustStore | None, at: datetime | None = None
) -> PassiveAuthResult:
    """Hashes of the read data groups, the SOD signature, the DS certificate's validity at `at`
    (default now), and its chain to a CSCA in `trust`. With CSCAs configured, a signer none of them
    certifies fails: that is what a forger's own PKI looks like."""
    at = at or datetime.now(UTC)
    reasons = check_dg_hashes(sod, files)
    try:
        signer = _find_signer(sod.signed)
    except ValueError:
        reasons.append(code(ReasonCode.DS_CERTIFICATE_UNPARSABLE, "certificate"))
        return _result(reasons)
    if signer is None:
        reasons.append(code(ReasonCode.NO_DS_CERTIFICATE))
        return _result(reasons)
    try:
        validity = signer["tbs_certificate"]["validity"]
        not_after, not_before = validity["not_after"].native, validity["not_before"].native
        subject = signer.subject.human_friendly
    except ValueError:
        reasons.append(code(ReasonCode.DS_CERTIFICATE_UNPARSABLE, "certificate"))
        return _result(reasons)
    reasons += verify_signed_data(sod.signed, signer)
    if at > not_after:
        reasons.append(code(ReasonCode.DS_CERTIFICATE_EXPIRED))
    if at < not_before:
        reasons.append(code(ReasonCode.DS_CERTIFICATE_NOT_YET_VALID))
    csca_subject = None
    if trust is None or not len(trust):
        reasons.append(code(ReasonCode.NO_TRUST_STORE))
    else:
        try:
            candidates = trust.issuers_of(signer)
        except ValueError:  # asn1crypto parses extensions lazily: the key identifiers are unreadable
            reasons.append(code(ReasonCode.DS_CERTIFICATE_UNPARSABLE, "extension"))
            candidates = None
        if candidates is not None and not candidates:
            reasons.append(code(ReasonCode.UNKNOWN_CSCA))
        elif candidates:
            good, unsupported = [], ""
            for anchor in candidates:
                try:
                    if verify_certificate_signature(signer, anchor.certificate):
                        good.append(anchor)
                except UnknownAlgorithm as exc:
                    unsupported = exc.detail
                except ParseError:  # the trust store's certificate, not the chip, is at fault
                    log.warning("trust store: the key of %s is unreadable", anchor.fingerprint[:16])
                    unsupported = "CSCA key"
            if good:
                csca_subject = good[0].subject
                if at > good[0].not_after:
                    reasons.append(code(ReasonCode.CSCA_CERTIFICATE_EXPIRED))
            elif unsupported:
                reasons.append(code(ReasonCode.CSCA_ALGORITHM_UNSUPPORTED, unsupported))
            else:
                reasons.append(code(ReasonCode.DS_CERTIFICATE_SIGNATURE_INVALID))
    return _result(reasons, subject, csca_subject)


def _result(reasons: list[str], ds_subject: str | None = None, csca_subject: str | None = None) -> PassiveAuthResult:
    verdict: Verdict = chip_verdict.step_verdict("passive", reasons)  # type: ignore[assignment]
    return PassiveAuthResult(verdict, tuple(reasons), ds_subject, csca_subject)
