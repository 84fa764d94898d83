"""The virtual CCCD chip: an ICAO 9303 LDS1 application answering APDUs like the real card.

`VirtualCard.process()` is a real state machine (selection, BAC, secure messaging, READ BINARY,
active and chip authentication) and is what the vpcd bridge puts behind pcscd. Behaviour of the
real Vietnamese card follows docs/card.md; each fault-injection option in `ChipOptions`
maps to a BSI TR-03105-5 inspection-system test category.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from kiosk.devices.icao import crypto
from kiosk.devices.icao import errors as reader_errors
from kiosk.devices.icao.ec import Curve, Point
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.citizen import Citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.devices.vchip.portrait import draw_face, encode_portrait, pad_jpeg
from kiosk.devices.vchip.sm import CardSM, SMError

LDS1_AID = bytes.fromhex("A0000002471001")
FID_CARD_ACCESS = 0x011C
FID_COM = 0x011E
FID_SOD = 0x011D
SFI_CARD_ACCESS = 0x1C
SFI_COM = 0x1E
SFI_SOD = 0x1D

#: DGs that exist but need terminal authentication (EAC), which this chip does not offer.
RESTRICTED_DGS = (3, 4)

#: The ATR a PC/SC reader builds for an ISO 14443-4 card: 3B 8n 80 01, n historical bytes, TCK
#: (PC/SC Part 3 §3.1.3.2.3); ours has 8 historical bytes, "KIOSK-VN".
_ATR_BODY = bytes([0x88, 0x80, 0x01]) + b"KIOSK-VN"


def _make_atr() -> bytes:
    tck = 0
    for b in _ATR_BODY:
        tck ^= b
    return bytes([0x3B]) + _ATR_BODY + bytes([tck])


ATR = _make_atr()

SW_OK = 0x9000
SW_EOF = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_CONDITIONS = 0x6985
SW_NO_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_WRONG_P1P2 = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00
SW_AUTH_FAILED = 0x6300
SW_REFERENCE_NOT_FOUND = 0x6A88

#: EF.CardAccess of the CCCD offers PACE on brainpoolP256r1, standardized parameter 13 (docs/card.md).
PACE_PARAMETER_ID = 13


def _token_input(oid: bytes, point: bytes) -> bytes:
    """The public-key data object an authentication token MACs (ICAO 9303-11 §4.4.3.4)."""
    return tlv.tlv(0x7F49, tlv.tlv(0x06, oid) + tlv.tlv(0x86, point))


def dg_fid(n: int) -> int:
    return 0x0100 + n


#: The curves the chip can hold its ECDSA active-authentication key on (SEC 2 and RFC 5639 names).
CURVES = {"p256": ec.SECP256R1, "brainpoolP256r1": ec.BrainpoolP256R1, "p384": ec.SECP384R1,
          "brainpoolP384r1": ec.BrainpoolP384R1, "brainpoolP512r1": ec.BrainpoolP512R1, "p521": ec.SECP521R1}
#: ECDSA signs a digest's value only, so a RIPEMD-160 digest (from hashlib) goes through as
#: "prehashed" with SHA-1's object, the other 160-bit hash `cryptography` knows.
_ECDSA_PREHASH = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
                  "sha384": hashes.SHA384, "sha512": hashes.SHA512, "ripemd160": hashes.SHA1}
#: ISO/IEC 9796-2 trailers: BC means SHA-1; otherwise the hash's ISO/IEC 10118-3 id, then CC.
_ISO9796_TRAILERS = {"sha1": b"\xBC", "sha224": b"\x38\xCC", "sha256": b"\x34\xCC",
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
        if self.aa_hash not in (None, *_ISO9796_TRAILERS):
            raise ValueError(f"aa_hash must be one of {sorted(_ISO9796_TRAILERS)}")
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


class LeftTheField(Exception):
    """The card has left the field: the bridge must drop the connection without answering."""


@dataclass(slots=True)
class _Apdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    ne: int  # 0 = no Le
    extended: bool


def parse_apdu(apdu: bytes) -> _Apdu:
    """Split a command APDU into its fields, cases 1–4 short and extended (ISO/IEC 7816-3 §12.1)."""
    if len(apdu) < 4:
        raise ValueError("APDU shorter than its header")
    cla, ins, p1, p2 = apdu[:4]
    body = apdu[4:]
    if not body:
        return _Apdu(cla, ins, p1, p2, b"", 0, False)
    if len(body) == 1:
        return _Apdu(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:
        lc = body[0]
        if len(body) == 1 + lc:
            return _Apdu(cla, ins, p1, p2, body[1:], 0, False)
        if len(body) == 2 + lc:
            return _Apdu(cla, ins, p1, p2, body[1:-1], body[-1] or 256, False)
        raise ValueError("Lc does not match the APDU length")
    if len(body) == 3:
        return _Apdu(cla, ins, p1, p2, b"", int.from_bytes(body[1:], "big") or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    if lc and len(body) == 3 + lc:
        return _Apdu(cla, ins, p1, p2, body[3:], 0, True)
    if lc and len(body) == 5 + lc:
        return _Apdu(cla, ins, p1, p2, body[3:-2], int.from_bytes(body[-2:], "big") or 65536, True)
    raise ValueError("extended Lc does not match the APDU length")


@dataclass(slots=True)
class _Session:
    """Volatile chip state; a reset or a failed protected command starts it over."""

    app_selected: bool = False
    current_ef: int | None = None
    rnd_ic: bytes | None = None
    sm: CardSM | None = None
    ca_pending_cipher: str | None = None  # set by MSE:SET AT, consumed by GENERAL AUTHENTICATE
    pace: _Pace | None = None  # a PACE run in progress (MSE:Set AT C1A4 done)


@dataclass(slots=True)
class _Pace:
    """The chip's side of one PACE run (ICAO 9303-11 §4.4.4.2): which step comes next and its secrets."""

    k_pi: bytes
    curve: Curve
    step: int = 1
    nonce: int = 0
    generator: Point = None
    sk: int = 0
    pk: Point = None


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


def _spki(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


class VirtualCard:
    """A CCCD chip holding `citizen`'s data, signed by `pki`'s Document Signer."""

    atr = ATR

    def __init__(
        self,
        citizen: Citizen,
        pki: TestPKI,
        options: ChipOptions | None = None,
        *,
        keys: ChipKeys | None = None,
        rng: Callable[[int], bytes] = os.urandom,
        bac_key: tuple[str, str, str] | None = None,
    ) -> None:
        """`rng` and `bac_key` (document number, birth, expiry) exist for the ICAO worked examples."""
        self.citizen = citizen
        self._bac_key = bac_key or (citizen.document_number, citizen.birth_yymmdd, citizen.expiry_yymmdd)
        self.pki = pki
        self.options = options or ChipOptions()
        self.keys = keys or ChipKeys.generate(self.options)
        self._rng = rng
        self.files: dict[int, bytes] = self._build_files()
        self.commands = 0
        self.protected_responses = 0
        self.removed = False
        self._s = _Session()
        self._pending_sm: CardSM | None = None
        self._pace_keys = (b"", b"")

    def _build_files(self) -> dict[int, bytes]:
        o, c = self.options, self.citizen
        self.mrz = lds.td1_mrz(c)
        if o.mrz_bad_check_digit:
            wrong = str((int(self.mrz[14]) + 1) % 10)
            self.mrz = self.mrz[:14] + wrong + self.mrz[15:]
        face = draw_face(o.face_seed if o.face_seed is not None else int(c.id_number), c.sex)
        image = encode_portrait(face, o.dg2_format, o.dg2_size)
        if o.dg2_min_size and o.dg2_format == "jpeg":
            image = pad_jpeg(image, o.dg2_min_size)
        dgs: dict[int, bytes] = {
            1: lds.dg1(self.mrz),
            2: lds.dg2(lds.face_record(image, jpeg2000=o.dg2_format == "jpeg2000")),
            # DG3 exists on the CCCD but is EAC-protected (docs/card.md): an empty CBEFF group.
            3: tlv.tlv(0x63, tlv.tlv(0x02, b"\x00")),
        }
        fields = lds.dg13_fields(c, nesting=o.dg13_nesting, old_id_field=o.dg13_old_id_field)
        for n, text in o.dg13_text:
            fields[n] = tlv.printable(text) if n in lds.DG13_PRINTABLE else tlv.utf8(text)
        dgs[13] = lds.dg13(fields, o.dg13_keep)
        infos = []
        if self.keys.ca is not None:
            infos += [lds.ca_public_key_info(_spki(self.keys.ca)), lds.ca_info(o.ca_cipher)]
        if isinstance(self.keys.aa, ec.EllipticCurvePrivateKey) and o.aa_oid != "none":
            if o.aa_oid == "unknown":
                infos.append(lds.aa_info(lds.UNKNOWN_AA_SIGNATURE_OID))
            else:
                infos.append(lds.aa_info(lds.aa_signature_oid(o.aa_oid, self._ecdsa_hash())))
        if infos:
            dgs[14] = lds.dg14(infos)
        if self.keys.aa is not None:
            dgs[15] = lds.dg15(_spki(self.keys.aa))
        for n in o.empty_dgs:
            dgs[n] = b""
        files = {dg_fid(n): data for n, data in dgs.items()}
        files[FID_SOD] = lds.ef_sod(dgs, self.pki, hash_name=o.sod_hash,
                                    embed_certificate=o.sod_embed_certificate,
                                    tamper_signature=o.tamper_signature)
        listed = sorted((set(dgs) | set(o.com_extra)) - set(o.com_omit))
        files[FID_COM] = lds.ef_com(listed)
        if o.tamper_dg is not None:
            fid = dg_fid(o.tamper_dg)
            data = bytearray(files[fid])
            if data and o.tamper_dg == 1:
                # A forger keeps the MRZ readable: change the last name character ('<' ↔ 'X').
                data[-1] = ord("X") if data[-1] == ord("<") else ord("<")
            elif data:
                data[-1] ^= 0x01  # the last byte is content, so the TLV structure stays valid
            files[fid] = bytes(data)
        if o.card_access != "none":
            access = [lds.ca_info(o.ca_cipher)] if self.keys.ca is not None else []
            if o.card_access in ("pace", "pace-refused"):
                access.append(lds.pace_info(PACE_PARAMETER_ID))
            files[FID_CARD_ACCESS] = lds.card_access(access)
        for fid, data in o.replace_files:
            files[fid] = data
        return files

    @property
    def can(self) -> str:
        """The card access number this chip takes for PACE (printed on the card's face)."""
        return self.options.can or self.citizen.can

    def dg(self, n: int) -> bytes:
        return self.files[dg_fid(n)]

    def _ecdsa_hash(self) -> str:
        key = self.keys.aa
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        curve = next(name for name, cls in CURVES.items() if cls.name == key.curve.name)
        return self.options.aa_hash or curve_hash(curve)

    def power_on(self) -> bytes:
        """Cold reset: all session state is lost; returns the ATR."""
        self._s = _Session()
        self._pending_sm = None
        return ATR

    def reset(self) -> bytes:
        return self.power_on()

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU: response data followed by SW1 SW2."""
        if self.removed:
            raise LeftTheField
        o = self.options
        if o.remove_after is not None and self.commands >= o.remove_after:
            self.removed = True
            raise LeftTheField
        self.commands += 1
        if o.slow:
            time.sleep(o.slow)
        try:
            cmd = parse_apdu(apdu)
        except ValueError:
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        if cmd.cla & 0x0C == 0x0C:
            return self._process_protected(cmd)
        if cmd.cla & 0xEF not in (0x00, 0x80):  # bit 0x10: command chaining (GENERAL AUTHENTICATE)
            return SW_CLA.to_bytes(2, "big")
        if self._s.sm is not None:
            # A plain command during secure messaging ends the session (ICAO 9303-11 §9.8.4).
            self._s.sm = None
            self._s.ca_pending_cipher = None
        if cmd.extended and o.short_apdu_only:
            return SW_WRONG_LENGTH.to_bytes(2, "big")
        data, sw = self._execute(cmd, protected=False, outer_extended=cmd.extended)
        return data + sw.to_bytes(2, "big")

    def _process_protected(self, cmd: _Apdu) -> bytes:
        sm = self._s.sm
        if sm is None:
            return (0x6988).to_bytes(2, "big")  # no session keys: the SM objects cannot be right
        try:
            inner = sm.unwrap(cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data)
        except SMError as exc:
            # Any secure-messaging fault ends the session (ICAO 9303-11 §9.8.4).
            self._s = _Session(app_selected=self._s.app_selected)
            return exc.sw.to_bytes(2, "big")
        plain = _Apdu(cmd.cla & 0xF3, inner.ins, inner.p1, inner.p2, inner.data, inner.ne, cmd.extended)
        if cmd.extended and self.options.short_apdu_only:
            data, sw = b"", SW_WRONG_LENGTH
        else:
            data, sw = self._execute(plain, protected=True, outer_extended=cmd.extended)
        self.protected_responses += 1
        o = self.options
        if o.plain_error_status and sw in (SW_NOT_FOUND, SW_SECURITY) and not data:
            sm.ssc += 1  # the answer still counts, but carries no secure-messaging objects
            return sw.to_bytes(2, "big")
        corrupt = o.mac_error_response == self.protected_responses or (
            o.mac_error_after is not None and self.protected_responses >= o.mac_error_after)
        response = sm.wrap(data, sw, odd_ins=bool(inner.ins & 1) and bool(data), corrupt_mac=corrupt)
        if self._pending_sm is not None:
            # Chip authentication: this answer used the old keys; the next command uses the new.
            self._s.sm, self._pending_sm = self._pending_sm, None
        return response

    def _execute(self, cmd: _Apdu, *, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        handlers = {
            0xA4: self._select,
            0x84: self._get_challenge,
            0x82: self._external_authenticate,
            0xB0: self._read_binary,
            0xB1: self._read_binary,
            0x88: self._internal_authenticate,
            0x22: self._mse,
            0x86: self._general_authenticate,
        }
        handler = handlers.get(cmd.ins)
        if handler is None:
            return b"", SW_INS
        return handler(cmd, protected, outer_extended)

    def _select(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if cmd.p1 == 0x04:
            if cmd.data != LDS1_AID:
                return b"", SW_NOT_FOUND
            self._s.app_selected = True
            self._s.current_ef = None
            return b"", SW_OK
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
        elif cmd.p1 == 0x00 and not cmd.data:
            fid = 0x3F00
        else:
            return b"", SW_WRONG_P1P2
        if fid == 0x3F00:
            return b"", SW_INS  # the CCCD answers SELECT MF with 6D00 (docs/card.md)
        if fid == FID_CARD_ACCESS and fid in self.files:
            self._s.current_ef = fid
            return b"", SW_OK
        if not self._s.app_selected:
            return b"", SW_NOT_FOUND
        if not protected:
            return b"", SW_SECURITY
        if fid not in self.files:
            return b"", SW_NOT_FOUND
        self._s.current_ef = fid
        return b"", SW_OK

    def _get_challenge(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if self.options.bac_status is not None and not protected:
            return b"", self.options.bac_status  # a chip that opens with PACE only
        if cmd.ne != 8:
            return b"", SW_WRONG_LENGTH
        self._s.rnd_ic = self._rng(8)
        return self._s.rnd_ic, SW_OK

    def _external_authenticate(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """BAC, chip side (ICAO 9303-11 §4.3.3.1 / Appendix D.3)."""
        rnd_ic, self._s.rnd_ic = self._s.rnd_ic, None
        if protected or not self._s.app_selected:
            return b"", SW_CONDITIONS
        if rnd_ic is None:
            return b"", SW_CONDITIONS
        if len(cmd.data) != 40:
            return b"", SW_WRONG_LENGTH
        doc, birth, expiry = self._bac_key
        info = (f"{doc}{crypto.check_digit(doc)}{birth}{crypto.check_digit(birth)}"
                f"{expiry}{crypto.check_digit(expiry)}")
        seed = crypto.bac_seed(info)
        k_enc, k_mac = crypto.kdf_3des(seed, crypto.KDF_ENC), crypto.kdf_3des(seed, crypto.KDF_MAC)
        e_ifd, m_ifd = cmd.data[:32], cmd.data[32:]
        if crypto.retail_mac(k_mac, crypto.pad(e_ifd)) != m_ifd:
            return b"", SW_AUTH_FAILED
        s = crypto.tdes_decrypt(k_enc, e_ifd)
        rnd_ifd, rnd_ic_echo, k_ifd = s[:8], s[8:16], s[16:32]
        if rnd_ic_echo != rnd_ic:
            return b"", SW_AUTH_FAILED
        k_ic = self._rng(16)
        e_ic = crypto.tdes_encrypt(k_enc, rnd_ic + rnd_ifd + k_ic)
        m_ic = crypto.retail_mac(k_mac, crypto.pad(e_ic))
        k_seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
        ssc = int.from_bytes(rnd_ic[4:] + rnd_ifd[4:], "big")
        self._s.sm = CardSM(crypto.kdf_3des(k_seed, crypto.KDF_ENC), crypto.kdf_3des(k_seed, crypto.KDF_MAC), ssc)
        return e_ic + m_ic, SW_OK

    def _resolve_read_target(self, cmd: _Apdu) -> tuple[int | None, int, int]:
        """(file id, offset, status) for B0/B1; status ≠ 9000 means refuse with it."""
        if cmd.ins == 0xB0:
            if cmd.p1 & 0x80:
                sfi = cmd.p1 & 0x1F
                fid = {SFI_COM: FID_COM, SFI_SOD: FID_SOD, SFI_CARD_ACCESS: FID_CARD_ACCESS}.get(sfi, dg_fid(sfi))
                return fid, cmd.p2, SW_OK
            return self._s.current_ef, ((cmd.p1 & 0x7F) << 8) | cmd.p2, SW_OK
        # Odd INS: the offset travels in DO'54' (ISO/IEC 7816-4 §11.3.3).
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
        except ValueError:
            return None, 0, SW_WRONG_DATA
        if tag != 0x54:
            return None, 0, SW_WRONG_DATA
        offset = int.from_bytes(value, "big")
        p1p2 = (cmd.p1 << 8) | cmd.p2
        if p1p2 == 0:
            return self._s.current_ef, offset, SW_OK
        if cmd.p1 == 0 and cmd.p2 < 0x20:
            sfi = cmd.p2
            return {SFI_COM: FID_COM, SFI_SOD: FID_SOD, SFI_CARD_ACCESS: FID_CARD_ACCESS}.get(sfi, dg_fid(sfi)), \
                offset, SW_OK
        return p1p2, offset, SW_OK

    def _read_binary(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        fid, offset, sw = self._resolve_read_target(cmd)
        if sw != SW_OK:
            return b"", sw
        if fid is None:
            return b"", SW_NO_EF
        if fid != FID_CARD_ACCESS:
            if not self._s.app_selected and cmd.p1 & 0x80:
                return b"", SW_NOT_FOUND
            if not protected:
                return b"", SW_SECURITY
        if fid not in self.files:
            return b"", SW_NOT_FOUND
        if fid - 0x0100 in RESTRICTED_DGS:
            self._s.current_ef = fid
            return b"", SW_SECURITY
        self._s.current_ef = fid
        if cmd.ne == 0:
            return b"", SW_WRONG_LENGTH
        content = self.files[fid]
        if offset > len(content) or (offset == len(content) and content):
            return b"", SW_WRONG_P1P2
        want = cmd.ne
        odd = cmd.ins == 0xB1
        # The largest answer the transport can carry: 256 bytes of response data for a short APDU.
        limit = 65536 if outer_extended else 256
        allowed = want
        sm = self._s.sm if protected else None

        def fits(n: int) -> bool:
            body = len(tlv.tlv(0x53, bytes(n))) if odd else n
            size = sm.wrapped_length(body, odd_ins=odd) if sm else body
            return size <= limit

        while allowed > 0 and not fits(allowed):
            allowed -= 1
        if self.options.max_plain_read is not None:
            allowed = min(allowed, self.options.max_plain_read)
        available = len(content) - offset
        if want > allowed and available > allowed:
            if self.options.oversize_answer == "6C":
                return b"", 0x6C00 | (allowed & 0xFF)
            if self.options.oversize_answer == "6700":
                return b"", SW_WRONG_LENGTH
            chunk = content[offset : offset + allowed]
            sw = SW_EOF if self.options.oversize_answer == "6282" else SW_OK
        else:
            chunk = content[offset : offset + want]
            # Le = '00'/'0000' asks for "all available bytes" (ISO/IEC 7816-4 §5.1), so a shorter
            # answer is normal; an explicit longer Le meets "end of file reached" (6282).
            sw = SW_EOF if len(chunk) < want and want not in (256, 65536) else SW_OK
        if odd:
            chunk = tlv.tlv(0x53, chunk)
        return chunk, sw

    def _internal_authenticate(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """Active authentication (ICAO 9303-11 §6.1): sign the terminal's 8-byte challenge."""
        key = self.keys.aa
        if not protected:
            return b"", SW_SECURITY
        if key is None:
            return b"", SW_INS
        if len(cmd.data) != 8:
            return b"", SW_WRONG_DATA
        if self.options.aa_status is not None:
            return b"", self.options.aa_status
        if isinstance(key, rsa.RSAPrivateKey):
            return self._aa_rsa(key, cmd.data), SW_OK
        name = self._ecdsa_hash()
        der = key.sign(hashlib.new(name, cmd.data).digest(), ec.ECDSA(Prehashed(_ECDSA_PREHASH[name]())))
        r, s = decode_dss_signature(der)
        size = (key.curve.key_size + 7) // 8
        # Plain r‖s signature format (BSI TR-03111 §5.2.1), as ICAO 9303-11 §6.1 asks for ECDSA.
        return r.to_bytes(size, "big") + s.to_bytes(size, "big"), SW_OK

    def _aa_rsa(self, key: rsa.RSAPrivateKey, challenge: bytes) -> bytes:
        """ISO/IEC 9796-2 digital signature scheme 1, partial recovery (ICAO 9303-11 §6.1.2):
        F = 6A ‖ M1 ‖ H(M1 ‖ challenge) ‖ trailer, SHA-1 with trailer BC unless `aa_hash` says."""
        numbers = key.private_numbers()
        n, d = numbers.public_numbers.n, numbers.d
        k = (n.bit_length() + 7) // 8
        hash_name = self.options.aa_hash or "sha1"
        trailer = _ISO9796_TRAILERS[hash_name]
        size = hashlib.new(hash_name).digest_size
        m1 = self._rng(k - 1 - size - len(trailer))
        representative = b"\x6A" + m1 + hashlib.new(hash_name, m1 + challenge).digest() + trailer
        signature = pow(int.from_bytes(representative, "big"), d, n)
        return signature.to_bytes(k, "big")

    def _mse(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        """MSE:SET KAT (CA with 3DES) and MSE:SET AT (CA with AES, or PACE before any session)."""
        try:
            objects = dict(tlv.parse_all(cmd.data))
        except ValueError:
            return b"", SW_WRONG_DATA
        if (cmd.p1, cmd.p2) == (0xC1, 0xA4) and not protected:
            return self._pace_start(objects)
        if not protected:
            return b"", SW_SECURITY
        if self.keys.ca is None:
            return b"", SW_WRONG_DATA
        if self.options.ca_status is not None:
            return b"", self.options.ca_status
        if (cmd.p1, cmd.p2) == (0x41, 0xA6):
            if 0x91 not in objects:
                return b"", SW_WRONG_DATA
            return self._chip_authenticate(objects[0x91], "3des")
        if (cmd.p1, cmd.p2) == (0x41, 0xA4):
            proto = objects.get(0x80, b"")
            if proto == tlv.oid(lds.OID_CA_ECDH_AES128)[2:]:
                self._s.ca_pending_cipher = "aes128"
            elif proto == tlv.oid(lds.OID_CA_ECDH_3DES)[2:]:
                self._s.ca_pending_cipher = "3des"
            else:
                return b"", SW_WRONG_DATA
            return b"", SW_OK
        return b"", SW_WRONG_P1P2

    def _pace_start(self, objects: dict[int, bytes]) -> tuple[bytes, int]:
        """MSE:Set AT for PACE: the protocol and which password (1 = MRZ, 2 = CAN)."""
        self._s.pace = None
        if self.options.card_access != "pace":
            return b"", SW_WRONG_DATA
        if objects.get(0x80) != tlv.oid(lds.OID_PACE_ECDH_GM_AES128)[2:]:
            return b"", SW_WRONG_DATA
        reference = objects.get(0x83)
        names = {b"\x01": "mrz", b"\x02": "can"}
        if reference in names and names[reference] not in self.options.pace_passwords:
            return b"", SW_REFERENCE_NOT_FOUND
        if reference == b"\x01":
            doc, birth, expiry = self._bac_key
            info = (f"{doc}{crypto.check_digit(doc)}{birth}{crypto.check_digit(birth)}"
                    f"{expiry}{crypto.check_digit(expiry)}")
            secret = hashlib.sha1(info.encode("ascii")).digest()
        elif reference == b"\x02":
            secret = self.can.encode("ascii")
        else:
            return b"", SW_WRONG_DATA
        # K_π = KDF_π(f(π)), counter 3 (ICAO 9303-11 §9.7.3).
        self._s.pace = _Pace(crypto.kdf_aes(secret, 3), Curve.standard(PACE_PARAMETER_ID))
        return b"", SW_OK

    def _pace_step(self, cmd: _Apdu) -> tuple[bytes, int]:
        """One GENERAL AUTHENTICATE of PACE-ECDH-GM (ICAO 9303-11 §4.4.4.2, Table 9)."""
        pace = self._s.pace
        assert pace is not None
        chained = bool(cmd.cla & 0x10)
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
            objects = dict(tlv.parse_all(value)) if tag == 0x7C else None
        except ValueError:
            objects = None
        if objects is None or chained != (pace.step < 4):
            self._s.pace = None
            return b"", SW_WRONG_DATA
        curve = pace.curve
        oid = tlv.oid(lds.OID_PACE_ECDH_GM_AES128)[2:]
        if pace.step == 1:
            nonce = self._rng(16)
            pace.nonce = int.from_bytes(nonce, "big")
            answer = tlv.tlv(0x80, crypto.aes_encrypt(pace.k_pi, nonce))
        elif pace.step == 2:
            terminal = curve.decode(objects.get(0x81, b""))
            if terminal is None:
                self._s.pace = None
                return b"", SW_WRONG_DATA
            sk_map = curve.scalar(self._rng)
            shared = curve.multiply(sk_map, terminal)
            pace.generator = curve.add(curve.multiply(pace.nonce, curve.g), shared)
            answer = tlv.tlv(0x82, curve.encode(curve.multiply(sk_map, curve.g)))
        elif pace.step == 3:
            terminal = curve.decode(objects.get(0x83, b""))
            pace.sk = curve.scalar(self._rng)
            pace.pk = curve.multiply(pace.sk, pace.generator)
            if terminal is None or terminal == pace.pk:
                self._s.pace = None
                return b"", SW_WRONG_DATA
            secret = curve.multiply(pace.sk, terminal)[0].to_bytes(curve.size, "big")
            pace.generator = terminal  # kept for the token check of step 4
            self._pace_keys = (crypto.kdf_aes(secret, crypto.KDF_ENC), crypto.kdf_aes(secret, crypto.KDF_MAC))
            answer = tlv.tlv(0x84, curve.encode(pace.pk))
        else:
            ks_enc, ks_mac = self._pace_keys
            expected = crypto.aes_cmac(ks_mac, _token_input(oid, curve.encode(pace.pk)))
            self._s.pace = None
            if objects.get(0x85) != expected:
                return b"", SW_AUTH_FAILED  # a wrong password shows here (ICAO 9303-11 §4.4.4.2)
            token = crypto.aes_cmac(ks_mac, _token_input(oid, curve.encode(pace.generator)))
            # Secure messaging with the new keys and SSC 0 from the next command on.
            self._s.sm = CardSM(ks_enc, ks_mac, 0, "aes")
            self._s.app_selected = False
            return tlv.tlv(0x7C, tlv.tlv(0x86, token)), SW_OK
        pace.step += 1
        return tlv.tlv(0x7C, answer), SW_OK

    def _general_authenticate(self, cmd: _Apdu, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if not protected and self._s.pace is not None:
            return self._pace_step(cmd)
        cipher, self._s.ca_pending_cipher = self._s.ca_pending_cipher, None
        if not protected:
            return b"", SW_SECURITY
        if cipher is None:
            return b"", SW_CONDITIONS
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
            inner = dict(tlv.parse_all(value)) if tag == 0x7C else {}
        except ValueError:
            return b"", SW_WRONG_DATA
        if 0x80 not in inner:
            return b"", SW_WRONG_DATA
        data, sw = self._chip_authenticate(inner[0x80], cipher)
        return (b"\x7C\x00", sw) if sw == SW_OK else (data, sw)

    def _chip_authenticate(self, point: bytes, cipher: str) -> tuple[bytes, int]:
        """Chip authentication v1 (ICAO 9303-11 §6.2): ECDH with the DG14 key, then fresh SM keys.

        The answer to this command still travels under the old keys; the new session (SSC = 0)
        starts with the next command.
        """
        key = self.keys.ca
        assert key is not None
        try:
            peer = ec.EllipticCurvePublicKey.from_encoded_point(key.curve, point)
            secret = key.exchange(ec.ECDH(), peer)
        except ValueError:
            return b"", SW_WRONG_DATA
        if cipher == "aes128":
            new = CardSM(crypto.kdf_aes(secret, crypto.KDF_ENC), crypto.kdf_aes(secret, crypto.KDF_MAC), 0, "aes")
        else:
            new = CardSM(crypto.kdf_3des(secret, crypto.KDF_ENC), crypto.kdf_3des(secret, crypto.KDF_MAC), 0)
        self._pending_sm = new
        return b"", SW_OK

    @property
    def in_secure_messaging(self) -> bool:
        return self._s.sm is not None

    @property
    def sm_cipher(self) -> str | None:
        return self._s.sm.cipher if self._s.sm else None



class InProcessConnection:
    """A `kiosk.devices.connection.Connection` straight to a virtual card, without PC/SC: for unit
    tests and for measuring the reader apart from the transport."""

    def __init__(self, card: VirtualCard) -> None:
        self.card = card
        card.power_on()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            response = self.card.process(apdu)
        except LeftTheField:
            raise reader_errors.CardRemoved("TRANSMIT", "virtual card removed") from None
        return response[:-2], int.from_bytes(response[-2:], "big")

    def close(self) -> None:
        self.card.power_on()
