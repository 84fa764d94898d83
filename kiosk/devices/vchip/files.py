"""The virtual chip's files: the LDS1 data groups, EF.SOD and EF.COM built from the citizen and signed
by the test PKI (with the fault options applied after signing), SELECT and READ BINARY."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from kiosk.devices.icao.status import StatusWord as SW
from kiosk.devices.vchip import lds, tlv
from kiosk.devices.vchip.citizen import Citizen
from kiosk.devices.vchip.issuer import TestPKI
from kiosk.devices.vchip.options import ChipKeys, ChipOptions
from kiosk.devices.vchip.portrait import draw_face, encode_portrait, pad_jpeg
from kiosk.devices.vchip.session import (
    FID_CARD_ACCESS,
    FID_COM,
    FID_SOD,
    LDS1_AID,
    PACE_PARAMETER_ID,
    RESTRICTED_DGS,
    SFI_CARD_ACCESS,
    SFI_COM,
    SFI_SOD,
    Command,
    Session,
    dg_fid,
)


def _spki(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


class FileSystem:
    """The chip's files and the commands that reach them, mixed into `VirtualCard`."""

    options: ChipOptions
    keys: ChipKeys
    citizen: Citizen
    pki: TestPKI
    files: dict[int, bytes]
    mrz: str
    _s: Session

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

    def dg(self, n: int) -> bytes:
        return self.files[dg_fid(n)]

    def _select(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        if cmd.p1 == 0x04:
            if cmd.data != LDS1_AID:
                return b"", SW.FILE_NOT_FOUND
            self._s.app_selected = True
            self._s.current_ef = None
            return b"", SW.OK
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
        elif cmd.p1 == 0x00 and not cmd.data:
            fid = 0x3F00
        else:
            return b"", SW.WRONG_P1P2
        if fid == 0x3F00:
            return b"", SW.INS_NOT_SUPPORTED  # the CCCD answers SELECT MF with 6D00 (docs/card.md)
        if fid == FID_CARD_ACCESS and fid in self.files:
            self._s.current_ef = fid
            return b"", SW.OK
        if not self._s.app_selected:
            return b"", SW.FILE_NOT_FOUND
        if not protected:
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        if fid not in self.files:
            return b"", SW.FILE_NOT_FOUND
        self._s.current_ef = fid
        return b"", SW.OK

    def _resolve_read_target(self, cmd: Command) -> tuple[int | None, int, int]:
        """(file id, offset, status) for B0/B1; status ≠ 9000 means refuse with it."""
        if cmd.ins == 0xB0:
            if cmd.p1 & 0x80:
                sfi = cmd.p1 & 0x1F
                fid = {SFI_COM: FID_COM, SFI_SOD: FID_SOD, SFI_CARD_ACCESS: FID_CARD_ACCESS}.get(sfi, dg_fid(sfi))
                return fid, cmd.p2, SW.OK
            return self._s.current_ef, ((cmd.p1 & 0x7F) << 8) | cmd.p2, SW.OK
        # Odd INS: the offset travels in DO'54' (ISO/IEC 7816-4 §11.3.3).
        try:
            tag, value, _ = tlv.parse_tlv(cmd.data)
        except ValueError:
            return None, 0, SW.WRONG_DATA
        if tag != 0x54:
            return None, 0, SW.WRONG_DATA
        offset = int.from_bytes(value, "big")
        p1p2 = (cmd.p1 << 8) | cmd.p2
        if p1p2 == 0:
            return self._s.current_ef, offset, SW.OK
        if cmd.p1 == 0 and cmd.p2 < 0x20:
            sfi = cmd.p2
            return {SFI_COM: FID_COM, SFI_SOD: FID_SOD, SFI_CARD_ACCESS: FID_CARD_ACCESS}.get(sfi, dg_fid(sfi)), \
                offset, SW.OK
        return p1p2, offset, SW.OK

    def _read_binary(self, cmd: Command, protected: bool, outer_extended: bool) -> tuple[bytes, int]:
        fid, offset, sw = self._resolve_read_target(cmd)
        if sw != SW.OK:
            return b"", sw
        if fid is None:
            return b"", SW.NO_CURRENT_EF
        if fid != FID_CARD_ACCESS:
            if not self._s.app_selected and cmd.p1 & 0x80:
                return b"", SW.FILE_NOT_FOUND
            if not protected:
                return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        if fid not in self.files:
            return b"", SW.FILE_NOT_FOUND
        if fid - 0x0100 in RESTRICTED_DGS:
            self._s.current_ef = fid
            return b"", SW.SECURITY_STATUS_NOT_SATISFIED
        self._s.current_ef = fid
        if cmd.ne == 0:
            return b"", SW.WRONG_LENGTH
        content = self.files[fid]
        if offset > len(content) or (offset == len(content) and content):
            return b"", SW.WRONG_P1P2
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
                return b"", SW.WRONG_LENGTH
            chunk = content[offset : offset + allowed]
            sw = SW.END_OF_FILE if self.options.oversize_answer == "6282" else SW.OK
        else:
            chunk = content[offset : offset + want]
            # Le = '00'/'0000' asks for "all available bytes" (ISO/IEC 7816-4 §5.1), so a shorter
            # answer is normal; an explicit longer Le meets "end of file reached" (6282).
            sw = SW.END_OF_FILE if len(chunk) < want and want not in (256, 65536) else SW.OK
        if odd:
            chunk = tlv.tlv(0x53, chunk)
        return chunk, sw
