"""Enrolment codes, enrolment and rejoin, the signed requests of enrolled kiosks, and retiring a kiosk."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kiosk.domain.qr_payload import KIOSK_ID_RE
from kiosk.hub.db import insert_ignore_stmt
from kiosk.hub.models import EnrolCode, HubDossier, HubKiosk, InboxOp, RequestNonce
from kiosk.hub.shared import HubError, _audit, _bump_meta, _check_ttl, _iso, _meta_int
from kiosk.hub.stations import (
    RELEASE_HOLD_S,
    _allocate,
    _assign_block,
    _bind_unit,
    _block_hint,
    _check_station_unit,
    _check_unit_id,
    _numbering,
    _station_full,
    _station_units,
)
from kiosk.wire import protocol

#: A kiosk's last-seen time is written when it is older than this (stats show it to the minute).
LAST_SEEN_STEP_S = 60
#: How far back a rejoining kiosk is told its own codes (a restore from a backup older than this is not expected).
REJOIN_CODE_DAYS = 62
#: A rejoining kiosk learns the hashes of at most this many ops the hub holds after its position.
REJOIN_HELD_LIMIT = 100_000
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: A one-time enrolment code is typed at the kiosk within the day; a week at most.
MAX_ENROL_CODE_TTL_S = 7 * 86400


class Enrolment:
    """The Hub's enrolment use cases and the check of every signed request."""

    def identity(self) -> dict[str, str]:
        """The hub's public signing key, its id and the fingerprint an operator compares by eye."""
        return self.signer.describe()

    def create_enrol_code(self, station: str, ttl_s: int = 24 * 3600, rejoin_kiosk: str | None = None,
                          units: Sequence[str] = ()) -> str:
        """A one-time code for a new kiosk of `station`, or for `rejoin_kiosk` (already enrolled there)
        to rejoin after its database was restored or replaced: a new instance, a higher epoch. `units` are
        bound to the station first (a unit another station holds is refused)."""
        if not station or len(station) > 64:
            raise HubError(400, "bad_station", "Mã trạm không hợp lệ.", "Invalid station id.")
        _check_ttl(ttl_s, MAX_ENROL_CODE_TTL_S)
        units = [_check_unit_id(unit) for unit in units]
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        now = self.clock()
        with self.db.transaction() as s:
            for unit in units:
                _bind_unit(s, station, unit, "operator", now)
            if rejoin_kiosk is not None:
                kiosk = s.get(HubKiosk, rejoin_kiosk)
                if kiosk is None or kiosk.station != station:
                    raise HubError(404, "unknown_kiosk", f"Trạm {station} không có kiosk {rejoin_kiosk}.",
                                   f"No kiosk {rejoin_kiosk} at station {station}.")
                if kiosk.retired_at is not None:
                    raise HubError(409, "kiosk_retired", f"Kiosk {rejoin_kiosk} đã được cho thôi sử dụng.",
                                   f"Kiosk {rejoin_kiosk} was retired.")
            s.add(EnrolCode(code_hash=protocol.code_id(code), station=station, created_at=_iso(now),
                            expires_at=int(now + ttl_s), rejoin_kiosk=rejoin_kiosk,
                            confirm_key=protocol.code_confirm_key(code).hex()))
            _audit(s, now, "hub-operator", "enrol_code.created", station,
                   {"rejoin_kiosk": rejoin_kiosk} if rejoin_kiosk else {})
        return code

    def units(self, station: str) -> list[str]:
        """The receiving units a station's kiosks number dossiers under."""
        with self.db.sessions() as s:
            return _station_units(s, station)

    def bind_unit(self, station: str, unit_id: str, actor: str = "hub-operator") -> dict[str, Any]:
        """Bind a receiving unit's identifier to a station: its kiosks may then number dossiers under it."""
        if not station or len(station) > 64:
            raise HubError(400, "bad_station", "Mã trạm không hợp lệ.", "Invalid station id.")
        unit_id = _check_unit_id(unit_id)
        now = self.clock()
        with self.db.transaction() as s:
            _bind_unit(s, station, unit_id, "operator", now, actor)
            return {"station": station, "unit_id": unit_id, "units": _station_units(s, station)}

    def enrol(self, method: str, path: str, body: bytes, headers: Any) -> dict[str, Any]:
        """Register a kiosk's public key, instance UUID and epoch against a one-time code; the hub gives the
        kiosk its id (whatever id the request names is never used) and proves its own key to it."""
        asked = _parse_enrolment(body)
        signed = protocol.SignedHeaders.from_headers(headers)
        if (
            signed is None or len(asked.key_bytes) != 32 or signed.instance_uuid != asked.instance_as_sent
            or signed.epoch != asked.epoch or not protocol.verify_request(asked.key_bytes, method, path, body, signed)
        ):
            raise HubError(401, "bad_signature", "Chữ ký của kiosk không hợp lệ.", "The kiosk's signature is invalid.")
        now = self.clock()
        self._check_time(signed, now)
        with self.db.transaction() as s:
            record = s.get(EnrolCode, asked.code_hash, with_for_update=True)
            if record is None:
                raise HubError(403, "bad_code", "Mã đăng ký không đúng.", "Unknown enrolment code.")
            if record.used_by is not None:
                # A lost response makes the kiosk send the same enrolment again: answer it again.
                kiosk = s.get(HubKiosk, record.used_by, with_for_update=True)
                if kiosk is not None and (kiosk.public_key, kiosk.instance_uuid, kiosk.epoch) == (
                        asked.public_key, asked.instance_uuid, asked.epoch):
                    answer = self._enrolled(s, kiosk, now, record, signed.nonce)
                    return answer | self._rejoined(s, kiosk, now, asked.after) if record.rejoin_kiosk else answer
                raise HubError(403, "code_used", "Mã đăng ký đã được dùng.", "The enrolment code was already used.")
            if record.expires_at < now:
                raise HubError(403, "code_expired", "Mã đăng ký đã hết hạn.", "The enrolment code has expired.")
            if record.confirm_key is None:
                raise HubError(403, "code_needs_renewal",
                               "Mã đăng ký này do phiên bản máy chủ cũ cấp; xin mã mới (kiosk-hub enrol-code).",
                               "This code was issued by an older hub; issue a new one (kiosk-hub enrol-code).")
            if record.rejoin_kiosk is not None:
                existing = s.get(HubKiosk, record.rejoin_kiosk, with_for_update=True)
                named = signed.kiosk_id if 0 < len(signed.kiosk_id) <= 64 else ""
                if existing is None or (named != record.rejoin_kiosk and s.get(HubKiosk, named) is not None):
                    # Another enrolled kiosk typed a code meant for this one (a restored kiosk whose backup
                    # predates its enrolment still has the local id it made itself: that is not another kiosk).
                    raise HubError(403, "code_for_another_kiosk", "Mã đăng ký lại này dành cho kiosk khác.",
                                   "This re-enrolment code is for another kiosk.")
                _check_station_unit(s, existing.station, asked.unit_id, now)
                if asked.unit_id:
                    existing.unit_id = asked.unit_id
                return self._rejoin(s, record, existing, asked.public_key, asked.instance_uuid, asked.epoch, now,
                                    asked.hint, signed.nonce, asked.after)
            return self._enrol_new(s, record, asked, signed, now)

    def _enrol_new(self, s: Session, record: EnrolCode, asked: _Enrolment, signed: protocol.SignedHeaders,
                   now: float) -> dict[str, Any]:
        """A first enrolment: the kiosk gets an id from the hub and a free block of its station's daily sequence."""
        public_key, instance_uuid, epoch, unit_id = asked.public_key, asked.instance_uuid, asked.epoch, asked.unit_id
        holder = s.scalar(select(HubKiosk.kiosk_id).where(HubKiosk.public_key == public_key,
                                                          HubKiosk.retired_at.is_(None)))
        if holder is not None:
            raise HubError(409, "already_enrolled",
                           f"Kiosk này đã được đăng ký với máy chủ (mã {holder}); sau khi khôi phục dữ liệu, "
                           "dùng mã đăng ký lại (kiosk-hub enrol-code --rejoin).",
                           f"This kiosk is already enrolled (as {holder}); after a restore, rejoin "
                           "(kiosk-hub enrol-code --rejoin).", enrolled_as=holder)
        _check_station_unit(s, record.station, unit_id, now)
        block = _assign_block(s, record.station, asked.hint, now)
        if block is None:
            raise _station_full(record.station)
        serial = _bump_meta(s, "keys_version")
        kiosk_id = _new_kiosk_id(s)
        # The id the kiosk made itself is never its id; kept (when well-formed) as the name the receipts it
        # printed before enrolling go by, so the station's other kiosks still verify and look them up.
        local_id = signed.kiosk_id if KIOSK_ID_RE.fullmatch(signed.kiosk_id) else None
        kiosk = HubKiosk(
            kiosk_id=kiosk_id, station=record.station, public_key=public_key, instance_uuid=instance_uuid,
            epoch=epoch, enrolled_at=_iso(now), key_serial=serial, high_water_mark=0, duplicates_acked=0,
            duplicates_refused=0, refusals=0, audit_head_seq=0, audit_head_hash="", block=block, unit_id=unit_id,
            local_id=local_id,
            audit_copy_seq=0, audit_copy_hash="",
        )
        s.add(kiosk)
        record.used_by, record.used_at = kiosk_id, _iso(now)
        _audit(s, now, f"kiosk:{kiosk_id}", "kiosk.enrolled", kiosk_id,
               {"station": record.station, "instance_uuid": instance_uuid, "epoch": epoch, "block": block,
                "unit_id": unit_id})
        s.flush()
        return self._enrolled(s, kiosk, now, record, signed.nonce)

    def _rejoin(self, s: Session, record: EnrolCode, kiosk: HubKiosk, public_key: str, instance_uuid: str,
                epoch: int, now: float, hint: int | None = None, nonce: str = "",
                after: int | None = None) -> dict[str, Any]:
        """Pin the kiosk's new instance and epoch (and key); everything it pushed before stays, and it
        goes on after the hub's high-water mark, numbering in the block it had (the restored database may
        hold an older one, or none)."""
        if epoch <= kiosk.epoch:
            raise HubError(409, "epoch_not_newer", "Kiosk đăng ký lại phải có kỷ nguyên (epoch) mới hơn.",
                           f"A rejoining kiosk needs an epoch above {kiosk.epoch}.", epoch=kiosk.epoch)
        before = {"instance_uuid": kiosk.instance_uuid, "epoch": kiosk.epoch, "audit_head_seq": kiosk.audit_head_seq,
                  "audit_head_hash": kiosk.audit_head_hash, "audit_alarm": kiosk.audit_alarm}
        if public_key != kiosk.public_key:
            kiosk.public_key, kiosk.key_serial = public_key, _bump_meta(s, "keys_version")
        kiosk.instance_uuid, kiosk.epoch = instance_uuid, epoch
        # A restored database carries an older audit chain: anchoring starts again from it (the old
        # anchor stays in the hub's append-only audit, in this entry).
        kiosk.audit_head_seq, kiosk.audit_head_hash, kiosk.audit_alarm = 0, "", None
        kiosk.audit_copy_seq, kiosk.audit_copy_hash = 0, ""  # a new copy for the new epoch
        if kiosk.block is None:
            kiosk.block = _assign_block(s, kiosk.station, hint, now)
        record.used_by, record.used_at = kiosk.kiosk_id, _iso(now)
        _audit(s, now, f"kiosk:{kiosk.kiosk_id}", "kiosk.rejoined", kiosk.kiosk_id,
               {"before": before, "instance_uuid": instance_uuid, "epoch": epoch,
                "high_water_mark": kiosk.high_water_mark, "block": kiosk.block})
        s.flush()
        return self._enrolled(s, kiosk, now, record, nonce) | self._rejoined(s, kiosk, now, after)

    def _rejoined(self, s: Session, kiosk: HubKiosk, now: float, after: int | None = None) -> dict[str, Any]:
        """What a rejoining kiosk must not hand out again: the tracking codes the hub holds from it
        (dossiers and account requests) of the last REJOIN_CODE_DAYS days, which a restored database
        may have forgotten, with their status now; and, after the position it names, the hash of each op the
        hub holds, so that ops it pushed after its backup was taken are recognised rather than sent again."""
        since = _iso(now - REJOIN_CODE_DAYS * 86400)
        rows = s.execute(select(HubDossier.tracking_code, HubDossier.uid, HubDossier.status).where(
            HubDossier.kiosk_id == kiosk.kiosk_id, HubDossier.received_at >= since)).all()
        # The statuses too, by dossier identity: moves the kiosk made after its backup are known here only (its
        # own echoes it skips).
        answer: dict[str, Any] = {"rejoined": True, "issued_codes": sorted(code for code, _, _ in rows),
                                  "statuses": {uid: status for _, uid, status in rows}}
        if after is not None:
            answer["held"] = [[seq, digest] for seq, digest in s.execute(
                select(InboxOp.seq, InboxOp.hash).where(InboxOp.kiosk_id == kiosk.kiosk_id, InboxOp.seq > after)
                .order_by(InboxOp.seq).limit(REJOIN_HELD_LIMIT)).all()]
        return answer

    def _enrolled(self, s: Session, kiosk: HubKiosk, now: float, record: EnrolCode | None = None,
                  nonce: str = "") -> dict[str, Any]:
        """The enrolment answer: the id the hub gave the kiosk, its station, units and block, and the hub's key
        with the proof (keyed by the code the kiosk typed) that it is this hub's."""
        answer = {
            "kiosk_id": kiosk.kiosk_id, "station": kiosk.station, "high_water_mark": kiosk.high_water_mark,
            "hub_time": int(now), "keys_version": _meta_int(s, "keys_version"), "numbering": _numbering(kiosk),
            "units": _station_units(s, kiosk.station), "hub_key": self.signer.public_b64,
        }
        if record is not None and record.confirm_key:
            answer["hub_key_proof"] = protocol.enrol_proof(bytes.fromhex(record.confirm_key), self.signer.public_b64,
                                                           kiosk.public_key, nonce)
        return answer

    def _check_time(self, signed: protocol.SignedHeaders, now: float) -> None:
        if abs(signed.timestamp - now) > protocol.REPLAY_WINDOW_S:
            raise HubError(401, "stale_timestamp", "Thời gian của yêu cầu lệch quá xa đồng hồ của máy chủ.",
                           "The request's timestamp is outside the replay window.", hub_time=int(now))

    def authenticate(self, s: Session, method: str, path: str, body: bytes, headers: Any, lock: bool = False) -> HubKiosk:
        """Verify a signed request against the pinned identity, inside the caller's transaction."""
        signed = protocol.SignedHeaders.from_headers(headers)
        if signed is None:
            raise HubError(401, "unsigned", "Yêu cầu không có chữ ký của kiosk.", "The request is not signed.")
        if lock:
            kiosk = s.get(HubKiosk, signed.kiosk_id, with_for_update=True)
        else:  # a read: the columns the checks need, not the whole row as an object
            kiosk = s.execute(select(*_AUTH_COLUMNS).where(HubKiosk.kiosk_id == signed.kiosk_id)).first()
        if kiosk is None:
            raise HubError(401, "unknown_kiosk", "Kiosk chưa được đăng ký với máy chủ.", "This kiosk is not enrolled.")
        if not protocol.verify_request(protocol.unb64u(kiosk.public_key), method, path, body, signed):
            raise HubError(401, "bad_signature", "Chữ ký không khớp với khóa đã đăng ký của kiosk.",
                           "The signature does not match the kiosk's enrolled key.", kiosk_id=kiosk.kiosk_id)
        if signed.instance_uuid != kiosk.instance_uuid:
            raise HubError(403, "cloned_kiosk", "Cơ sở dữ liệu này không phải bản đã đăng ký của kiosk (nghi sao chép).",
                           "Same kiosk id, different database instance: a cloned or restored kiosk.",
                           kiosk_id=kiosk.kiosk_id)
        if kiosk.retired_at is not None:
            raise HubError(403, "kiosk_retired", "Kiosk này đã được cho thôi sử dụng trên máy chủ; không nhận dữ liệu.",
                           "This kiosk was retired on the hub; nothing is accepted from it.", kiosk_id=kiosk.kiosk_id)
        if signed.epoch != kiosk.epoch:
            raise HubError(403, "epoch_mismatch", "Kỷ nguyên (epoch) của kiosk không khớp với bản đã đăng ký.",
                           "The kiosk's epoch does not match the enrolled one.", kiosk_id=kiosk.kiosk_id)
        now = self.clock()
        self._check_time(signed, now)
        # One statement records the nonce and says whether it was new (another hub process may hold it already).
        fresh = s.execute(insert_ignore_stmt(s, RequestNonce).values(
            kiosk_id=kiosk.kiosk_id, nonce=signed.nonce, seen_at=int(now)).returning(RequestNonce.nonce)).first()
        if fresh is None:
            raise HubError(401, "replayed", "Yêu cầu này đã được gửi trước đó (phát lại).",
                           "This request was already received (replay).", kiosk_id=kiosk.kiosk_id)
        if not kiosk.last_seen_at or kiosk.last_seen_at < _iso(now - LAST_SEEN_STEP_S):
            # To the minute: not a write of the kiosk's row at every request.
            if lock:
                kiosk.last_seen_at = _iso(now)
            else:
                s.execute(update(HubKiosk).where(HubKiosk.kiosk_id == kiosk.kiosk_id).values(last_seen_at=_iso(now)))
        return kiosk

    def retire(self, kiosk_id: str, actor: str = "hub-operator") -> dict[str, Any]:
        """Take a kiosk out of use (replaced, broken beyond repair): the hub refuses it from now on and gives
        its block back to the station after RELEASE_HOLD_S. Everything it pushed stays. Only after its last
        sync: what it still holds unsent can no longer reach the hub."""
        now = self.clock()
        with self.db.transaction() as s:
            kiosk = s.get(HubKiosk, kiosk_id, with_for_update=True)
            if kiosk is None:
                raise HubError(404, "unknown_kiosk", f"Không có kiosk {kiosk_id} trên máy chủ.",
                               f"No kiosk {kiosk_id} on the hub.")
            if kiosk.retired_at is not None:
                raise HubError(409, "kiosk_retired", f"Kiosk {kiosk_id} đã được cho thôi sử dụng từ {kiosk.retired_at}.",
                               f"Kiosk {kiosk_id} was already retired at {kiosk.retired_at}.")
            _allocate(s, kiosk.station, 0)  # block choices of the station wait for this one
            kiosk.retired_at, kiosk.retired_block, kiosk.block = _iso(now), kiosk.block, None
            _audit(s, now, actor, "kiosk.retired", kiosk_id,
                   {"station": kiosk.station, "block": kiosk.retired_block, "high_water_mark": kiosk.high_water_mark})
            return {"kiosk_id": kiosk_id, "station": kiosk.station, "block": kiosk.retired_block,
                    "block_free_from": _iso(now + RELEASE_HOLD_S), "high_water_mark": kiosk.high_water_mark,
                    "last_seen_at": kiosk.last_seen_at}


#: What authenticating a read needs of the kiosk's row.
_AUTH_COLUMNS = (HubKiosk.kiosk_id, HubKiosk.station, HubKiosk.public_key, HubKiosk.instance_uuid, HubKiosk.epoch,
                 HubKiosk.retired_at, HubKiosk.last_seen_at)


def _new_kiosk_id(s: Session) -> str:
    """An id the hub makes for a new kiosk (never one a request names): `K-` and ten hex digits."""
    while True:
        candidate = "K-" + secrets.token_hex(5).upper()
        if s.get(HubKiosk, candidate) is None:
            return candidate


@dataclass(frozen=True)
class _Enrolment:
    """What an enrolment request asks, as read from its body (the signature is checked against it next)."""

    code_hash: str
    key_bytes: bytes
    public_key: str
    instance_uuid: str
    instance_as_sent: str  # the signed header must carry it as the body does
    epoch: int
    after: int | None  # a rejoining kiosk's acknowledged position
    hint: int | None
    unit_id: str | None


def _parse_enrolment(body: bytes) -> _Enrolment:
    """The enrolment body, or a 400 (a malformed body) or a `bad_unit` refusal."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict):
            raise TypeError("an object")
        if "code_id" in data:
            code_hash = str(data["code_id"]).lower()
            if not re.fullmatch(r"[0-9a-f]{64}", code_hash):
                raise ValueError("code_id")
        else:  # an older kiosk sends the code itself
            code_hash = protocol.code_id(str(data["code"]))
        key_bytes = protocol.unb64u(str(data["public_key"]))
        public_key = protocol.b64u(key_bytes)
        instance_uuid, epoch = str(uuid.UUID(str(data["instance_uuid"]))), int(data["epoch"])
        if not 1 <= epoch < 2**31:
            raise ValueError("epoch")
        after = data.get("after")
        after = None if after is None else max(0, int(after))
        hint = _block_hint(data.get("numbering"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HubError(400, "bad_request", "Yêu cầu đăng ký không hợp lệ.", "Malformed enrolment.") from exc
    unit_id = data.get("unit_id")
    unit_id = _check_unit_id(unit_id) if unit_id else None
    return _Enrolment(code_hash, key_bytes, public_key, instance_uuid, str(data["instance_uuid"]), epoch, after, hint,
                      unit_id)
