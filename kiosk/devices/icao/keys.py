"""Public keys and signatures as ICAO documents carry them, including explicit EC parameters.

`cryptography` refuses EC keys with explicit domain parameters (used by several CSCAs, among
them Viet Nam's — docs/card.md), so the parameters are matched against the named curves it knows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asn1crypto import core as asn1core
from asn1crypto import keys as asn1keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature
from cryptography.x509 import ObjectIdentifier

from .errors import ParseError, UnknownAlgorithm

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

#: Hashes an ECDSA signature may be made with: the SHA family, and RIPEMD-160, which BSI TR-03111
#: §5.2.1 also names (ecdsa-plain-RIPEMD160) and which `cryptography` lacks, so it comes from hashlib.
ECDSA_HASHES = frozenset({*HASHES, "ripemd160"})


@dataclass(frozen=True, slots=True)
class _Curve:
    curve: type[ec.EllipticCurve]
    p: int
    a: int
    b: int
    gx: int
    gy: int
    n: int


# Domain parameters of SEC 2 v2 §2-3 and RFC 5639 §3 (the curves `cryptography` implements),
# exported with `openssl ecparam -param_enc explicit`.
_CURVES = (
    _Curve(ec.SECP192R1, 0xfffffffffffffffffffffffffffffffeffffffffffffffff, 0xfffffffffffffffffffffffffffffffefffffffffffffffc, 0x64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1, 0x188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012, 0x7192b95ffc8da78631011ed6b24cdd573f977a11e794811, 0xffffffffffffffffffffffff99def836146bc9b1b4d22831),
    _Curve(ec.SECP224R1, 0xffffffffffffffffffffffffffffffff000000000000000000000001, 0xfffffffffffffffffffffffffffffffefffffffffffffffffffffffe, 0xb4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4, 0xb70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21, 0xbd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34, 0xffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d),
    _Curve(ec.SECP256R1, 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff, 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffc, 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b, 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5, 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551),
    _Curve(ec.SECP384R1, 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff, 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc, 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef, 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7, 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f, 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973),
    _Curve(ec.SECP521R1, 0x1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff, 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc, 0x51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00, 0xc6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66, 0x11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650, 0x1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409),
    _Curve(ec.BrainpoolP256R1, 0xa9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377, 0x7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9, 0x26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6, 0x8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262, 0x547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997, 0xa9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7),
    _Curve(ec.BrainpoolP384R1, 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53, 0x7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826, 0x4a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11, 0x1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e, 0x8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315, 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565),
    _Curve(ec.BrainpoolP512R1, 0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3, 0x7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca, 0x3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723, 0x81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822, 0x7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892, 0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069),
)


def curve_parameters(curve: type[ec.EllipticCurve]) -> _Curve:
    """The domain parameters (p, a, b, G, n) of a named curve in `_CURVES`."""
    for c in _CURVES:
        if c.curve is curve:
            return c
    raise KeyError(curve.name)


class _PrehashedWith(hashes.HashAlgorithm):
    """Names a digest made by hashlib for `Prehashed`: ECDSA needs only the digest's value."""

    block_size = None

    def __init__(self, name: str, digest_size: int) -> None:
        self._name = name
        self._digest_size = digest_size

    @property
    def name(self) -> str:
        return self._name

    @property
    def digest_size(self) -> int:
        return self._digest_size


def ecdsa_digest(hash_name: str, data: bytes) -> tuple[bytes, ec.ECDSA]:
    """The digest of `data` and the ECDSA algorithm object that signs or verifies it as is."""
    if hash_name not in ECDSA_HASHES:
        raise UnknownAlgorithm("HASH", hash_name)
    try:
        digest = hashlib.new(hash_name, data).digest()
    except ValueError:  # RIPEMD-160 lives in OpenSSL's legacy provider, which may be absent
        raise UnknownAlgorithm("HASH", hash_name) from None
    return digest, ec.ECDSA(Prehashed(_PrehashedWith(hash_name, len(digest))))


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    try:
        return HASHES[name]()
    except KeyError:
        raise UnknownAlgorithm("HASH", name) from None


def curve_from_explicit(params: asn1keys.SpecifiedECDomain, step: str = "KEY") -> ec.EllipticCurve:
    """Find the named curve whose prime, coefficients, generator and order equal `params`."""
    try:
        field = params["field_id"]
        if field["field_type"].native != "prime_field":
            raise UnknownAlgorithm(step, "binary-field curve")
        p = field["parameters"].native
        a = int.from_bytes(params["curve"]["a"].native, "big")
        b = int.from_bytes(params["curve"]["b"].native, "big")
        base = params["base"].native
        n = params["order"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise ParseError(step, f"malformed explicit curve parameters: {exc}") from None
    size = (p.bit_length() + 7) // 8
    if not base or base[0] != 4 or len(base) != 1 + 2 * size:
        raise ParseError(step, "explicit curve generator is not an uncompressed point")
    gx = int.from_bytes(base[1 : 1 + size], "big")
    gy = int.from_bytes(base[1 + size :], "big")
    for c in _CURVES:
        if (c.p, c.a, c.b, c.gx, c.gy, c.n) == (p, a, b, gx, gy, n):
            return c.curve()
    raise UnknownAlgorithm(step, "explicit curve parameters of no supported named curve")


def curve_of(params: asn1keys.ECDomainParameters, step: str = "KEY") -> ec.EllipticCurve:
    if params.name == "named":
        try:
            return ec.get_curve_for_oid(ObjectIdentifier(params.chosen.dotted))()
        except LookupError:
            raise UnknownAlgorithm(step, f"curve {params.chosen.dotted}") from None
    if params.name == "specified":
        return curve_from_explicit(params.chosen, step)
    raise UnknownAlgorithm(step, "implicitly-CA curve parameters")


def load_public_key(spki_der: bytes, step: str = "KEY") -> PublicKey:
    """Load a DER SubjectPublicKeyInfo: RSA, RSA-PSS or EC (named or explicit).

    Finite-field DH keys (chip authentication with DH) are refused: `cryptography` deprecates
    FFDH and the CCCD uses ECDH.
    """
    try:
        info = asn1keys.PublicKeyInfo.load(spki_der, strict=True)
        algorithm = info["algorithm"]["algorithm"].native
        if algorithm in ("rsa", "rsassa_pss"):
            rsakey = info["public_key"].parsed
            return rsa.RSAPublicNumbers(rsakey["public_exponent"].native, rsakey["modulus"].native).public_key()
        if algorithm == "ec":
            curve = curve_of(info["algorithm"]["parameters"], step)
            point = info["public_key"].native
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, point)
    except ParseError:
        raise
    except UnsupportedAlgorithm as exc:
        raise UnknownAlgorithm(step, f"public key: {exc}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ParseError(step, f"unreadable public key: {exc}") from None
    raise UnknownAlgorithm(step, f"public-key algorithm {algorithm}")


def plain_to_der_signature(signature: bytes) -> bytes:
    """BSI TR-03111 §5.2.1 plain r||s to the DER SEQUENCE that `cryptography` verifies."""
    half = len(signature) // 2
    r = int.from_bytes(signature[:half], "big")
    s = int.from_bytes(signature[half:], "big")
    return encode_dss_signature(r, s)


def _der_ecdsa(signature: bytes, key: ec.EllipticCurvePublicKey) -> bytes | None:
    """The DER form of an ECDSA signature given plain (r||s, each as long as the curve's order,
    BSI TR-03111 §5.2.1) or DER (X9.62); None when it is neither."""
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size:
        return plain_to_der_signature(signature)
    try:
        seq = asn1core.Sequence.load(signature, strict=True)
        if len(seq) == 2 and all(isinstance(seq[i], asn1core.Integer) for i in (0, 1)):
            return signature
    except (ValueError, TypeError):
        pass
    return None


def verify_signature(
    key: PublicKey,
    signature: bytes,
    data: bytes,
    scheme: str,
    hash_name: str,
    *,
    pss_salt_length: int | None = None,
    mgf_hash_name: str | None = None,
) -> bool:
    """Verify `signature` over `data`; scheme is "rsassa_pkcs1v15", "rsassa_pss" or "ecdsa".

    False when the signature is wrong or malformed (a wrong answer); `UnknownAlgorithm` when
    the hash or the scheme is one this reader cannot check (a question it cannot answer)."""
    if scheme == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
        digest, ecdsa = ecdsa_digest(hash_name, data)
        der = _der_ecdsa(signature, key)
        if der is None:
            return False
        try:
            key.verify(der, digest, ecdsa)
        except InvalidSignature:
            return False
        return True
    if not (isinstance(key, rsa.RSAPublicKey) and scheme in ("rsassa_pkcs1v15", "rsassa_pss")):
        raise UnknownAlgorithm("SIGNATURE", f"{scheme} with a {type(key).__name__}")
    algo = hash_algorithm(hash_name)
    try:
        if scheme == "rsassa_pss":
            mgf = padding.MGF1(hash_algorithm(mgf_hash_name or hash_name))
            salt = pss_salt_length if pss_salt_length is not None else algo.digest_size
            key.verify(signature, data, padding.PSS(mgf, salt), algo)
        else:
            key.verify(signature, data, padding.PKCS1v15(), algo)
    except InvalidSignature:
        return False
    return True
