"""How a virtual chip differs from a clean CCCD (`ChipOptions`, each option a BSI TR-03105-5 test
category) and the chip's own private keys (`ChipKeys`)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa

#: The curves the chip can hold its ECDSA active-authentication key on (SEC 2 and RFC 5639 names).
CURVES = {"p256": ec.SECP256R1, "brainpoolP256r1": ec.BrainpoolP256R1, "p384": ec.SECP384R1,
          "brainpoolP384r1": ec.BrainpoolP384R1, "brainpoolP512r1": ec.BrainpoolP512R1, "p521": ec.SECP521R1}
#: ECDSA signs a digest's value only, so a RIPEMD-160 digest (from hashlib) goes through as
#: "prehashed" with SHA-1's object, the other 160-bit hash `cryptography` knows.
ECDSA_PREHASH = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                 "sha384": hashes.SHA384, "sha512": hashes.SHA512, "ripemd160": hashes.SHA1}
#: ISO/IEC 9796-2 trailers: BC means SHA-1; otherwise the hash's ISO/IEC 10118-3 id, then CC.
ISO9796_TRAILERS = {"sha1": b"\xBC", "sha224": b"\x38\xCC", "sha256": b"\x34\xCC",
                    "sha384": b"\x36\xCC", "sha512": b"\x35\xCC", "ripemd160": b"\x31\xCC"}
#: What DG14's ActiveAuthenticationInfo says about an ECDSA key: the ecdsa-plain OID ICAO 9303-11
#: prescribes, the X9.62 one some issuers write, an OID no reader knows, or no ActiveAuthenticationInfo.
AA_OID_FAMILIES = ("ecdsa-plain", "x962", "unknown", "none")


def curve_hash(curve: str) -> str:
    """The hash an ECDSA key on `curve` signs with when nothing says otherwise (its order's size)."""
    bits = CURVES[curve].key_size
    return "sha256" if bits <= 256 else "sha384" if bits <= 384 else "sha512"


@dataclass(frozen=True, slots=True)
class ChipOptions:
    """How this chip differs from a clean, cooperative CCCD; defaults model the real card."""

    slow: float = 0.0  # seconds of delay per APDU
    short_apdu_only: bool = False  # extended-length APDUs answer 6700
    max_plain_read: int | None = None  # READ BINARY longer than this meets `oversize_answer`
    oversize_answer: str = "truncate"  # "truncate" (fewer bytes, 9000) | "6C" (6Cxx) | "6282" | "6700"
    remove_after: int | None = None  # the card disappears when command N+1 arrives
    tamper_dg: int | None = None  # flip a byte of this DG after the SOD was signed
    tamper_signature: bool = False
    aa_kind: str | None = "rsa"  # "rsa" | "ecdsa" | None (no DG15)
    aa_hash: str | None = None  # None: SHA-1 for RSA (trailer BC), the curve's hash for ECDSA
    aa_rsa_bits: int = 1024
    aa_curve: str = "p256"  # a key of CURVES
    aa_oid: str = "ecdsa-plain"  # one of AA_OID_FAMILIES: how DG14 names an ECDSA key's algorithm
    aa_status: int | None = None  # INTERNAL AUTHENTICATE answers this status word instead of signing
    ca: bool = True  # DG14 and chip authentication v1
    ca_status: int | None = None  # chip authentication's MSE answers this status word
    ca_cipher: str = "aes128"  # "aes128" | "3des"
    ca_curve: str = "brainpoolP256r1"
    dg13_nesting: str = "seq"  # "seq" | "nested" | "flat" (fields 13 and 14)
    dg13_keep: tuple[int, ...] | None = None  # keep only these DG13 fields (e.g. POST_2024_DG13)
    dg13_old_id_field: int = 15  # 16 for the source that places the old CMND number there
    dg13_text: tuple[tuple[int, str], ...] = ()  # (field, text) replacements, e.g. (3, "03/1985")
    mrz_bad_check_digit: bool = False  # DG1 carries a wrong document-number check digit (signed)
    dg2_format: str = "jpeg"  # "jpeg" | "jpeg2000"
    dg2_min_size: int | None = None  # pad the JPEG so DG2 reaches this size (≥ 32 KB case)
    sod_hash: str = "sha256"  # "sha1" | "sha224" | "sha256" | "sha384" | "sha512" | "unknown"
    sod_embed_certificate: bool = True
    com_extra: tuple[int, ...] = ()  # listed in EF.COM but absent from the chip
    com_omit: tuple[int, ...] = ()  # on the chip but not listed in EF.COM
    empty_dgs: tuple[int, ...] = ()  # files that exist with zero bytes
    mac_error_response: int | None = None  # the Nth protected response carries a wrong MAC
    mac_error_after: int | None = None  # every protected response from the Nth on does
    plain_error_status: bool = False  # 6A82/6982 under SM come back unprotected, as some chips do
    dg2_size: int = 15_000  # target size of the portrait JPEG (small keeps tests fast)
    card_access: str = "none"  # EF.CardAccess: "none" (6A82) | "ca" | "pace" | "pace-refused" (advertised only)
    can: str | None = None  # the card access number PACE takes; None: the ID number's last six digits
    pace_passwords: tuple[str, ...] = ("mrz", "can")  # MSE:Set AT refuses (6A88) the references not listed
    bac_status: int | None = None  # BAC refused: GET CHALLENGE answers this (a PACE-only chip, e.g. 6985)
    replace_files: tuple[tuple[int, bytes], ...] = ()  # (file id, raw bytes) after signing
    face_seed: int | None = None

    def __post_init__(self) -> None:
        if self.aa_kind not in (None, "rsa", "ecdsa"):
            raise ValueError("aa_kind must be 'rsa', 'ecdsa' or None")
        if self.oversize_answer not in ("truncate", "6C", "6282", "6700"):
            raise ValueError("oversize_answer must be 'truncate', '6C', '6282' or '6700'")
        if self.aa_hash not in (None, *ISO9796_TRAILERS):
            raise ValueError(f"aa_hash must be one of {sorted(ISO9796_TRAILERS)}")
        if self.aa_curve not in CURVES:
            raise ValueError(f"aa_curve must be one of {sorted(CURVES)}")
        if self.aa_oid not in AA_OID_FAMILIES:
            raise ValueError(f"aa_oid must be one of {AA_OID_FAMILIES}")
        if self.aa_kind == "ecdsa" and self.aa_hash not in (None, curve_hash(self.aa_curve)):
            # DG14 always names the hash the chip signs with (ICAO 9303-11 §9.2): without
            # ActiveAuthenticationInfo that can only be the curve's own hash.
            if self.aa_oid == "none":
                raise ValueError("an ECDSA chip without ActiveAuthenticationInfo signs with its curve's hash")
            if self.aa_oid == "x962" and self.aa_hash == "ripemd160":
                raise ValueError("X9.62 names no ECDSA with RIPEMD-160")
        if self.ca_cipher not in ("aes128", "3des"):
            raise ValueError("ca_cipher must be 'aes128' or '3des'")
        if self.dg13_nesting not in ("seq", "nested", "flat"):
            raise ValueError("dg13_nesting must be 'seq', 'nested' or 'flat'")
        if self.card_access not in ("none", "ca", "pace", "pace-refused"):
            raise ValueError("card_access must be 'none', 'ca', 'pace' or 'pace-refused'")
        if self.can is not None and not (len(self.can) == 6 and self.can.isdigit()):
            raise ValueError("can must be six digits")
        if not set(self.pace_passwords) <= {"mrz", "can"}:
            raise ValueError("pace_passwords holds 'mrz' and/or 'can'")


#: The DG13 fields a card issued from 1 July 2024 still shows in clear (Circular 16/2024/TT-BCA
#: Art. 6 as summarised in docs/card.md): ID, name, birth, sex, nationality, origin, expiry.
POST_2024_DG13 = (1, 2, 3, 4, 5, 8, 12)


@dataclass(slots=True)
class ChipKeys:
    """The chip's own private keys (AA in DG15, CA in DG14), made fresh for each card."""

    aa: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None
    ca: ec.EllipticCurvePrivateKey | None

    @classmethod
    def generate(cls, options: ChipOptions) -> ChipKeys:
        aa = None
        if options.aa_kind == "rsa":
            aa = rsa.generate_private_key(public_exponent=65537, key_size=options.aa_rsa_bits)
        elif options.aa_kind == "ecdsa":
            aa = ec.generate_private_key(CURVES[options.aa_curve]())
        ca = ec.generate_private_key(CURVES[options.ca_curve]()) if options.ca else None
        return cls(aa, ca)
