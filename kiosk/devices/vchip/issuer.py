"""A throw-away test PKI: a CSCA and a Document Signer made at run time (ICAO 9303-12).

Keys live only in memory; nothing here is ever written to the repository. `csca_pem()` gives the
trust anchor that tests and demo mode hand to the reader's trust store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@dataclass(frozen=True, slots=True)
class PKIOptions:
    """How the test PKI is shaped; the odd cases are the BSI TR-03105-5 negative tests."""

    csca_kind: str = "ecdsa"  # "ecdsa" (P-256) | "brainpool" (brainpoolP256r1) | "rsa" (2048)
    ds_kind: str = "ecdsa"  # "ecdsa" | "rsa" | "rsa-pss" (an RSA CSCA then signs with PSS too)
    ds_expired: bool = False
    ds_not_yet_valid: bool = False
    unknown_csca: bool = False  # the DS is issued by a CSCA other than the one csca_pem() returns
    country: str = "VN"


def _new_key(kind: str) -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    if kind == "brainpool":
        return ec.generate_private_key(ec.BrainpoolP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(country: str, cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, country),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kiosk Test PKI"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def _sign_kwargs(issuer_key: object, pss: bool = False) -> dict:
    if isinstance(issuer_key, rsa.RSAPrivateKey) and pss:
        return {"rsa_padding": padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)}
    return {}


@dataclass(slots=True)
class TestPKI:
    """A CSCA, the Document Signer it issued, and (for the unknown-CSCA case) the real issuer."""

    __test__ = False  # not a pytest test class

    options: PKIOptions
    csca_key: object
    csca_cert: x509.Certificate
    ds_key: object
    ds_cert: x509.Certificate
    issuing_csca_cert: x509.Certificate = field(repr=False, default=None)  # type: ignore[assignment]

    @classmethod
    def generate(cls, options: PKIOptions | None = None, *, now: dt.datetime | None = None) -> TestPKI:
        options = options or PKIOptions()
        now = now or dt.datetime.now(dt.UTC)
        csca_key = _new_key(options.csca_kind)
        csca_cert = cls._make_csca(csca_key, options, now, "CSCA Kiosk Test")
        issuer_key, issuer_cert = csca_key, csca_cert
        if options.unknown_csca:
            issuer_key = _new_key(options.csca_kind)
            issuer_cert = cls._make_csca(issuer_key, options, now, "CSCA Kiosk Test")

        ds_key = _new_key("ecdsa" if options.ds_kind == "ecdsa" else "rsa")
        if options.ds_expired:
            not_before, not_after = now - dt.timedelta(days=4 * 365), now - dt.timedelta(days=30)
        elif options.ds_not_yet_valid:
            not_before, not_after = now + dt.timedelta(days=30), now + dt.timedelta(days=3 * 365)
        else:
            not_before, not_after = now - dt.timedelta(days=30), now + dt.timedelta(days=10 * 365)
        ds_cert = (
            x509.CertificateBuilder()
            .subject_name(_name(options.country, "Document Signer Kiosk Test"))
            .issuer_name(issuer_cert.subject)
            .public_key(ds_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(ds_key.public_key()), False)
            .sign(issuer_key, hashes.SHA256(), **_sign_kwargs(issuer_key, options.ds_kind == "rsa-pss"))
        )
        return cls(options, csca_key, csca_cert, ds_key, ds_cert, issuer_cert)

    @staticmethod
    def _make_csca(key, options: PKIOptions, now: dt.datetime, cn: str) -> x509.Certificate:
        name = _name(options.country, cn)
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=365))
            .not_valid_after(now + dt.timedelta(days=15 * 365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )

    def csca_pem(self) -> bytes:
        """The trust anchor a reader should be configured with (not the DS's issuer when
        `unknown_csca` is set: that is the point of the case)."""
        return self.csca_cert.public_bytes(serialization.Encoding.PEM)

    def ds_der(self) -> bytes:
        return self.ds_cert.public_bytes(serialization.Encoding.DER)

    def sign(self, data: bytes, hash_name: str = "sha256") -> bytes:
        """The Document Signer's signature over `data` (DER ECDSA, PKCS#1 v1.5 or PSS)."""
        algo = HASHES[hash_name]()
        key = self.ds_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(algo))
        if self.options.ds_kind == "rsa-pss":
            return key.sign(data, padding.PSS(mgf=padding.MGF1(algo), salt_length=algo.digest_size), algo)
        return key.sign(data, padding.PKCS1v15(), algo)
