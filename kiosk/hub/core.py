"""The hub's use cases: enrolment, signed push and pull, back-office status changes, keys, stats.

Push follows the outbox protocol: a batch is applied in one transaction; `seq ≤ high-water mark`
is a resend (same hash → acknowledged again, different hash → 409); `seq = mark + 1` is stored,
applied and advances the mark; a gap applies nothing and tells the kiosk where the hub is.
Business-rule rejections are acknowledged and reported back through the station's changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiosk.domain.qr_payload import KIOSK_ID_RE
from kiosk.domain.tracking import (
    BLOCK,
    HUB_BLOCK,
    KIOSK_BLOCKS,
    PER_DAY,
    TrackingCode,
    TrackingCodeError,
    block_range,
    check_unit_id,
)
from kiosk.hub.db import HubDatabase, insert_ignore, insert_ignore_stmt
from kiosk.hub.models import (
    AccountRequest,
    CodeCounter,
    EnrolCode,
    HubAudit,
    HubDossier,
    HubKiosk,
    HubKioskAudit,
    HubMeta,
    InboxOp,
    RequestNonce,
    StationChange,
    StationCounter,
    StationUnit,
    StatusToken,
)
from kiosk.hub.signing import HubSigner
from kiosk.wire import protocol

log = logging.getLogger(__name__)
MAX_BATCH = 5000
#: A push whose insert met another process's dossier under the same code is done again (then the clash shows).
PUSH_ATTEMPTS = 3
#: A retired kiosk's block is handed out again only after this (a day and its time-zone margins).
RELEASE_HOLD_S = 48 * 3600
#: A kiosk's last-seen time is written when it is older than this (stats show it to the minute).
LAST_SEEN_STEP_S = 60
#: Old nonces of a kiosk are swept when its stream passes a multiple of this, and at every push without ops.
NONCE_SWEEP_EVERY = 50
MAX_PULL = 1000
#: How far back a rejoining kiosk is told its own codes (a restore from a backup older than this is not expected).
REJOIN_CODE_DAYS = 62
#: A rejoining kiosk learns the hashes of at most this many ops the hub holds after its position.
REJOIN_HELD_LIMIT = 100_000
DOSSIER_CREATED = "dossier.created"
DOSSIER_STATUS = "dossier.status"
ACCOUNT_KINDS = frozenset({"account.requested", "account.issued"})
ACCOUNT_REQUESTED = "account.requested"
ACCOUNT_STATUS = "account.status"
#: Tells a station's kiosks about a request another kiosk took (their duplicate and phone checks).
ACCOUNT_KNOWN = "account.known"
#: An account request is also a record of the one-stop unit (hub_dossier) under this procedure code, so the
#: back office decides it like a dossier and the decision travels as a dossier.status change.
ACCOUNT_PROCEDURE = "1.011411"
OP_REJECTED = "op.rejected"
#: Tells a kiosk the hub kept one of its dossiers (or account requests) under a new code: its code clashed.
DOSSIER_RECODED = "dossier.recoded"
_STATUS_RE = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


#: A one-time enrolment code is typed at the kiosk within the day; a week at most.
MAX_ENROL_CODE_TTL_S = 7 * 86400
#: Back-office tokens: 90 days unless told otherwise, a year at most.
BACKOFFICE_TOKEN_TTL_S = 90 * 86400
MAX_BACKOFFICE_TOKEN_TTL_S = 365 * 86400


class HubError(Exception):
    """A refusal with an HTTP status, a code and a Vietnamese sentence (English second)."""

    def __init__(self, status: int, code: str, message_vi: str, message_en: str, **extra: Any) -> None:
        super().__init__(f"{code}: {message_en}")
        self.status = status
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.extra = extra

    def as_json(self) -> dict[str, Any]:
        return {"error": self.code, "message_vi": self.message_vi, "message_en": self.message_en, **self.extra}


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PushedOp:
    seq: int
    op_id: str
    kind: str
    payload: str
    schema_version: int
    created_at: str

    @property
    def hash(self) -> str:
        return protocol.op_hash(self.seq, self.op_id, self.kind, self.payload, self.schema_version, self.created_at)


@dataclass
class Hub:
    """The hub's behaviour over its database; `clock` gives Unix seconds (tests move it); `signer` signs every
    answer (loaded from where the database's keys live when not given)."""

    db: HubDatabase
    clock: Callable[[], float] = field(default=time.time)
    signer: HubSigner | None = None

    def __post_init__(self) -> None:
        if self.signer is None:
            from kiosk.hub.signing import load_signer

            self.signer = load_signer(self.db)

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
            after = data.get("after")  # a rejoining kiosk's acknowledged position
            after = None if after is None else max(0, int(after))
            hint = _block_hint(data.get("numbering"))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HubError(400, "bad_request", "Yêu cầu đăng ký không hợp lệ.", "Malformed enrolment.") from exc
        unit_id = data.get("unit_id")
        unit_id = _check_unit_id(unit_id) if unit_id else None
        signed = protocol.SignedHeaders.from_headers(headers)
        if (
            signed is None or len(key_bytes) != 32 or signed.instance_uuid != str(data["instance_uuid"])
            or signed.epoch != epoch or not protocol.verify_request(key_bytes, method, path, body, signed)
        ):
            raise HubError(401, "bad_signature", "Chữ ký của kiosk không hợp lệ.", "The kiosk's signature is invalid.")
        now = self.clock()
        self._check_time(signed, now)
        with self.db.transaction() as s:
            record = s.get(EnrolCode, code_hash, with_for_update=True)
            if record is None:
                raise HubError(403, "bad_code", "Mã đăng ký không đúng.", "Unknown enrolment code.")
            if record.used_by is not None:
                # A lost response makes the kiosk send the same enrolment again: answer it again.
                kiosk = s.get(HubKiosk, record.used_by, with_for_update=True)
                if kiosk is not None and (kiosk.public_key, kiosk.instance_uuid, kiosk.epoch) == (
                        public_key, instance_uuid, epoch):
                    answer = self._enrolled(s, kiosk, now, record, signed.nonce)
                    return answer | self._rejoined(s, kiosk, now, after) if record.rejoin_kiosk else answer
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
                _check_station_unit(s, existing.station, unit_id, now)
                if unit_id:
                    existing.unit_id = unit_id
                return self._rejoin(s, record, existing, public_key, instance_uuid, epoch, now, hint, signed.nonce,
                                    after)
            holder = s.scalar(select(HubKiosk.kiosk_id).where(HubKiosk.public_key == public_key,
                                                              HubKiosk.retired_at.is_(None)))
            if holder is not None:
                raise HubError(409, "already_enrolled",
                               f"Kiosk này đã được đăng ký với máy chủ (mã {holder}); sau khi khôi phục dữ liệu, "
                               "dùng mã đăng ký lại (kiosk-hub enrol-code --rejoin).",
                               f"This kiosk is already enrolled (as {holder}); after a restore, rejoin "
                               "(kiosk-hub enrol-code --rejoin).", enrolled_as=holder)
            _check_station_unit(s, record.station, unit_id, now)
            block = _assign_block(s, record.station, hint, now)
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

    def record_refusal(self, error: HubError) -> None:
        """Count a refused request against the kiosk it names (cloned kiosks, conflicts) for the operators."""
        kiosk_id = error.extra.get("kiosk_id")
        if not kiosk_id:
            return
        now = self.clock()
        with self.db.transaction() as s:
            kiosk = s.get(HubKiosk, kiosk_id, with_for_update=True)
            if kiosk is None:
                return
            kiosk.refusals += 1
            kiosk.last_refusal = error.code
            if error.code == "conflict":
                kiosk.duplicates_refused += 1
            _audit(s, now, f"kiosk:{kiosk_id}", f"refused.{error.code}", kiosk_id,
                   {k: v for k, v in error.extra.items() if k in ("seq", "stored_hash", "received_hash")})

    def push(self, method: str, path: str, body: bytes, headers: Any) -> dict[str, Any]:
        ops, audit_head, entries, hint = _parse_push(body)
        for attempt in range(PUSH_ATTEMPTS):
            try:
                return self._push_once(method, path, body, headers, ops, audit_head, entries, hint)
            except HubError as exc:
                # Only refusals of a request signed by the kiosk's own key count against it: anyone can
                # name a kiosk in an unsigned or wrongly signed request (the guard counts those per address).
                if exc.code in ("conflict", "cloned_kiosk", "epoch_mismatch"):
                    self.record_refusal(exc)
                raise
            except Exception as exc:
                # Another kiosk's push, in another hub process, committed a dossier under a code this batch
                # also carries between our check and our insert: nothing was kept; now the clash is visible.
                if not _unique_violation(exc) or attempt == PUSH_ATTEMPTS - 1:
                    raise
                log.info("a push met a dossier another hub process had just stored under the same code; again")
        raise AssertionError("unreachable")

    def _push_once(self, method: str, path: str, body: bytes, headers: Any, ops: list[PushedOp],
                   audit_head: dict[str, Any] | None, entries: list[dict[str, Any]], hint: int | None) -> dict[str, Any]:
        with self.db.transaction() as s:
            kiosk = self.authenticate(s, method, path, body, headers, lock=True)
            if kiosk.block is None:  # enrolled before the hub owned the blocks: it gets one now
                kiosk.block = _assign_block(s, kiosk.station, hint, self.clock())
                if kiosk.block is not None:
                    _audit(s, self.clock(), "hub", "kiosk.block_assigned", kiosk.kiosk_id, {"block": kiosk.block})
            result = self._push_locked(s, kiosk, ops)
            stored, trouble = self._store_audit(s, kiosk, entries)
            result["audit"] = self._anchor(s, kiosk, audit_head, trouble)
            result["audit"]["stored_seq"] = stored
            result["keys_version"] = _meta_int(s, "keys_version")
            result["hub_time"] = int(self.clock())
            result["numbering"] = _numbering(kiosk)
            if kiosk.high_water_mark % NONCE_SWEEP_EVERY < max(1, len(ops)) or not ops:
                # Nonces older than twice the replay window can go; not at every push (it costs a statement).
                cutoff = int(self.clock()) - 2 * protocol.REPLAY_WINDOW_S
                s.execute(delete(RequestNonce).where(RequestNonce.kiosk_id == kiosk.kiosk_id,
                                                     RequestNonce.seen_at < cutoff))
            return result

    def _push_locked(self, s: Session, kiosk: HubKiosk, ops: list[PushedOp]) -> dict[str, Any]:
        mark = kiosk.high_water_mark
        resent = [op for op in ops if op.seq <= mark]
        fresh = [op for op in ops if op.seq > mark]
        if resent:
            stored = dict(s.execute(
                select(InboxOp.seq, InboxOp.hash).where(
                    InboxOp.kiosk_id == kiosk.kiosk_id, InboxOp.seq >= resent[0].seq, InboxOp.seq <= resent[-1].seq)
            ).all())
            for op in resent:
                if stored.get(op.seq) != op.hash:
                    raise HubError(
                        409, "conflict",
                        "Kiosk gửi nội dung KHÁC cho một số thứ tự máy chủ đã nhận: dừng đồng bộ, báo quản trị.",
                        "The kiosk sent different content under a sequence number the hub already holds.",
                        kiosk_id=kiosk.kiosk_id, seq=op.seq, stored_hash=stored.get(op.seq), received_hash=op.hash,
                        high_water_mark=mark,
                    )
            kiosk.duplicates_acked += len(resent)
        gap = bool(fresh) and fresh[0].seq != mark + 1
        rejected: list[int] = []
        if fresh and not gap:
            rejected = self._apply(s, kiosk, fresh)
            kiosk.high_water_mark = fresh[-1].seq
        return {
            "high_water_mark": kiosk.high_water_mark, "accepted": 0 if gap else len(fresh),
            "duplicates": len(resent), "gap": gap, "rejected": rejected,
        }

    def _apply(self, s: Session, kiosk: HubKiosk, ops: list[PushedOp]) -> list[int]:
        """Store every op in the inbox and apply the kinds the hub knows; unknown kinds are kept as they are.

        No dossier is dropped: one that reaches the hub under a code another dossier holds (a kiosk
        restored from a backup, one that numbered before it was enrolled, two stations with one unit id)
        is kept under a new code from the hub's own block, and its kiosk is told (`dossier.recoded`).
        """
        now = _iso(self.clock())
        outcomes: dict[int, tuple[str, str | None]] = {}
        changes: list[tuple[str, dict[str, Any]]] = []
        records: list[dict[str, Any]] = []  # new dossiers and account requests, in sequence order
        accounts: dict[int, dict[str, Any]] = {}
        units: set[str] | None = None  # the units this kiosk's station numbers under, read once when needed

        def refusal(code: str) -> str | None:
            nonlocal units
            if units is None:
                units = set(_station_units(s, kiosk.station))
            return _code_refusal(code, units)

        for op in ops:
            if op.kind == DOSSIER_CREATED:
                data = _payload(op)
                code = data.get("tracking_code")
                if not isinstance(code, str) or not code or len(code) > 40:
                    outcomes[op.seq] = ("rejected", "missing_tracking_code")
                    continue
                if (why := refusal(code)) is not None:  # codes are bound to the kiosk's own station's units
                    outcomes[op.seq] = ("rejected", why)
                    continue
                status = data.get("status") if isinstance(data.get("status"), str) else "received"
                records.append({
                    "tracking_code": code, "uid": protocol.record_uid(kiosk.kiosk_id, data), "station": kiosk.station,
                    "kiosk_id": kiosk.kiosk_id, "seq": op.seq, "service_code": str(data.get("service_code") or "")[:40],
                    "status": status[:40], "received_at": now, "updated_at": now, "previous_code": None,
                })
                outcomes[op.seq] = ("applied", None)
            elif op.kind in ACCOUNT_KINDS:
                data = _payload(op)
                code = data.get("tracking_code")
                if op.kind == ACCOUNT_REQUESTED and isinstance(code, str) and code and (why := refusal(code)):
                    outcomes[op.seq] = ("rejected", why)
                    continue
                accounts[op.seq] = {"kiosk_id": kiosk.kiosk_id, "seq": op.seq, "station": kiosk.station,
                                    "payload": op.payload, "received_at": now}
                outcomes[op.seq] = ("applied", None)
                if op.kind == ACCOUNT_REQUESTED and isinstance(code, str) and 0 < len(code) <= 40:
                    records.append({
                        "tracking_code": code, "uid": protocol.record_uid(kiosk.kiosk_id, data),
                        "station": kiosk.station, "kiosk_id": kiosk.kiosk_id, "seq": op.seq,
                        "service_code": ACCOUNT_PROCEDURE, "status": "submitted", "received_at": now,
                        "updated_at": now, "previous_code": None,
                        "known": {"id_number": (data.get("citizen") or {}).get("personal", {}).get("id_number"),
                                  "phone": data.get("phone"), "phone_owner": data.get("phone_owner")},
                    })
            elif op.kind not in (DOSSIER_STATUS, ACCOUNT_STATUS):
                outcomes[op.seq] = ("stored", None)
        kept = self._place(s, records, outcomes)
        for record in kept:
            account = record.pop("known", None)
            if record["previous_code"]:
                changes.append((DOSSIER_RECODED, {
                    "dossier_uid": record["uid"], "kiosk_id": kiosk.kiosk_id, "seq": record["seq"],
                    "kind": "account" if account is not None else "dossier", "previous_code": record["previous_code"],
                    "tracking_code": record["tracking_code"], "at": now,
                }))
            if account is not None:
                changes.append((ACCOUNT_KNOWN, {
                    "tracking_code": record["tracking_code"], "dossier_uid": record["uid"], "kiosk_id": kiosk.kiosk_id,
                    "status": "submitted", **account,
                }))
        if kept:
            _bulk_insert(s, HubDossier.__table__, kept)
        for op in ops:  # status changes after the batch's dossiers exist, in sequence order
            if op.kind in (DOSSIER_STATUS, ACCOUNT_STATUS):
                outcomes[op.seq] = self._apply_status(s, kiosk, op, changes, now)
        rows = [row for seq, row in accounts.items() if outcomes[seq][0] == "applied"]
        if rows:
            s.connection().execute(AccountRequest.__table__.insert(), rows)
        _bulk_insert(s, InboxOp.__table__, [
            {"kiosk_id": kiosk.kiosk_id, "seq": op.seq, "op_id": op.op_id, "kind": op.kind,
             "schema_version": op.schema_version, "payload": op.payload, "created_at": op.created_at,
             "hash": op.hash, "received_at": now, "outcome": outcomes[op.seq][0], "reason": outcomes[op.seq][1]}
            for op in ops
        ])
        rejected = []
        for op in ops:
            outcome, reason = outcomes[op.seq]
            if outcome == "rejected":
                rejected.append(op.seq)
                data = _payload(op)
                changes.append((OP_REJECTED, {"kiosk_id": kiosk.kiosk_id, "seq": op.seq, "op_id": op.op_id,
                                              "kind": op.kind, "reason": reason,
                                              "tracking_code": str(data.get("tracking_code") or "")[:40]}))
        if changes:
            self._emit(s, kiosk.station, changes, now)
        return rejected

    def _place(self, s: Session, records: list[dict[str, Any]],
               outcomes: dict[int, tuple[str, str | None]]) -> list[dict[str, Any]]:
        """The new dossiers to keep, each under a code no other dossier holds: a clashing one gets a new code
        from the hub's block of its unit's day. A record the hub already holds (same identity) is refused."""
        if not records:
            return []
        held_uids, taken = _held(s, [r["uid"] for r in records], [r["tracking_code"] for r in records])
        kept, uids = [], set()
        for record in records:
            if record["uid"] in held_uids or record["uid"] in uids:
                outcomes[record["seq"]] = ("rejected", "duplicate_dossier")
                continue
            code = record["tracking_code"]
            if code in taken:
                fresh = self._new_code(s, code, taken)
                if fresh is None:
                    outcomes[record["seq"]] = ("rejected", "duplicate_tracking_code")
                    continue
                record["previous_code"], record["tracking_code"] = code, fresh
                outcomes[record["seq"]] = ("applied", f"recoded:{fresh}")
            taken.add(record["tracking_code"])
            uids.add(record["uid"])
            kept.append(record)
        return kept

    def _new_code(self, s: Session, code: str, taken: set[str]) -> str | None:
        """The next code of the hub's block (kiosk.domain.tracking.HUB_BLOCK) of the clashing code's unit and day;
        None when the code is not in the Circular's form or the block is used up for that day."""
        try:
            parsed = TrackingCode.parse(code)
        except TrackingCodeError:
            return None
        key = f"{parsed.unit_id}-{parsed.day:%y%m%d}"
        stmt = update(CodeCounter).where(CodeCounter.unit_day == key).values(value=CodeCounter.value + 1).returning(
            CodeCounter.value).execution_options(synchronize_session=False)
        while True:
            nth = s.execute(stmt).scalar()
            if nth is None:
                insert_ignore(s, CodeCounter, {"unit_day": key, "value": 0})
                nth = s.execute(stmt).scalar_one()
            if nth > PER_DAY:
                return None
            candidate = str(TrackingCode(parsed.unit_id, parsed.day, HUB_BLOCK * BLOCK + nth))
            if candidate not in taken and not _existing(s, HubDossier.tracking_code, [candidate]):
                return candidate

    def _apply_status(self, s, kiosk, op, changes, now) -> tuple[str, str | None]:
        """A status the kiosk moved, applied to the dossier it names by identity (never by its printed code:
        the code may have been given to another dossier); an op written before kiosks named the dossier
        falls back to this kiosk's own dossier under that code."""
        data = _payload(op)
        code, status = data.get("tracking_code"), data.get("status")
        if not isinstance(code, str) or not isinstance(status, str) or not _STATUS_RE.fullmatch(status):
            return ("rejected", "bad_status")
        uid = protocol.record_uid(kiosk.kiosk_id, data)
        dossier = s.scalars(select(HubDossier).where(HubDossier.uid == uid).with_for_update()).first()
        if dossier is None and not (data.get("dossier_uid") or data.get("request_id")):
            dossier = s.scalars(select(HubDossier).where(
                HubDossier.kiosk_id == kiosk.kiosk_id,
                or_(HubDossier.tracking_code == code, HubDossier.previous_code == code)).with_for_update()).first()
        if dossier is None:
            return ("rejected", "unknown_dossier")
        if dossier.station != kiosk.station:
            return ("rejected", "foreign_dossier")
        dossier.status, dossier.updated_at = status, now
        s.flush()
        changes.append((DOSSIER_STATUS, _status_change(dossier, status, str(data.get("note") or ""),
                                                       f"kiosk:{kiosk.kiosk_id}", now)))
        return ("applied", None)

    def _emit(self, s: Session, station: str, changes: list[tuple[str, dict[str, Any]]], now: str) -> None:
        """Hand out change ids under the station's counter row lock, in the caller's transaction."""
        last = _allocate(s, station, len(changes))
        first = last - len(changes) + 1
        s.execute(insert(StationChange), [
            {"station": station, "change_id": first + i, "uid": str(uuid.uuid4()), "kind": kind,
             "payload": protocol.canonical_json(payload), "created_at": now}
            for i, (kind, payload) in enumerate(changes)
        ])

    def _store_audit(self, s: Session, kiosk: HubKiosk, entries: list[dict[str, Any]]) -> tuple[int, str | None]:
        """Keep the kiosk's audit entries after the last one held, each checked against its link hash.

        Entries the hub holds already must be the same (else the chain forked); an entry that does
        not follow (a gap, a wrong previous hash, a hash that does not match) stops the copy there
        and raises an alarm. Returns the last sequence number held and the alarm, if any.
        """
        # The kiosk's row (locked by the push) says how far the copy of this epoch goes: no query.
        held, prev = kiosk.audit_copy_seq or 0, kiosk.audit_copy_hash or protocol.AUDIT_GENESIS
        if not entries:
            return held, None
        known = {}
        if entries[0]["seq"] <= held:
            known = dict(s.execute(select(HubKioskAudit.seq, HubKioskAudit.hash).where(
                HubKioskAudit.kiosk_id == kiosk.kiosk_id, HubKioskAudit.epoch == kiosk.epoch,
                HubKioskAudit.seq >= entries[0]["seq"], HubKioskAudit.seq <= held)).all())
        now = _iso(self.clock())
        fresh: list[dict[str, Any]] = []
        trouble = None
        for entry in entries:
            seq = entry["seq"]
            if protocol.audit_link_hash(entry["prev_hash"], entry) != entry["hash"]:
                trouble = "audit_entry_invalid"  # edited after it was written
                break
            if seq <= held:
                if known.get(seq) != entry["hash"]:
                    trouble = "audit_forked"  # another history under a number the hub holds
                    break
                continue
            if seq != held + 1:
                break  # a gap: the kiosk sends again from what the hub holds
            if entry["prev_hash"] != prev:
                trouble = "audit_entry_invalid"
                break
            fresh.append({
                "kiosk_id": kiosk.kiosk_id, "epoch": kiosk.epoch, "seq": seq, "at": entry["at"],
                "actor": entry["actor"][:120], "action": entry["action"][:64],
                "target_kind": entry["target_kind"][:40], "target_id": entry["target_id"][:80],
                "detail": protocol.canonical_json(entry["detail"]), "prev_hash": prev, "hash": entry["hash"],
                "received_at": now,
            })
            held, prev = seq, entry["hash"]
        _bulk_insert(s, HubKioskAudit.__table__, fresh)
        if fresh:
            kiosk.audit_copy_seq, kiosk.audit_copy_hash = held, prev
        if trouble:
            self._alarm(s, kiosk, trouble, {"seq": seq})
        return held, trouble

    def _alarm(self, s: Session, kiosk: HubKiosk, alarm: str, detail: dict[str, Any]) -> None:
        """Raise an audit alarm on the kiosk (recorded once, not at every push that repeats it)."""
        if kiosk.audit_alarm != alarm:
            _audit(s, self.clock(), f"kiosk:{kiosk.kiosk_id}", f"audit.{alarm}", kiosk.kiosk_id, detail)
        kiosk.audit_alarm = alarm

    def _anchor(self, s: Session, kiosk: HubKiosk, head: dict[str, Any] | None,
                trouble: str | None = None) -> dict[str, Any]:
        """Anchor the kiosk's signed audit-chain head; a head that goes back or forks raises an alarm."""
        if trouble:
            return {"anchored": False, "alarm": trouble}
        if not head:
            return {"anchored": False}
        try:
            seq, digest, signature = int(head["seq"]), str(head["hash"]), str(head["signature"])
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            Ed25519PublicKey.from_public_bytes(protocol.unb64u(kiosk.public_key)).verify(
                protocol.unb64u(signature), protocol.audit_head_input(kiosk.kiosk_id, seq, digest))
        except Exception as exc:
            raise HubError(400, "bad_audit_head", "Đầu chuỗi nhật ký kiểm toán không hợp lệ.",
                           "Invalid audit chain head.") from exc
        alarm = None
        if seq < kiosk.audit_head_seq:
            alarm = "audit_went_back"
        elif seq == kiosk.audit_head_seq and digest != kiosk.audit_head_hash and kiosk.audit_head_hash:
            alarm = "audit_forked"
        if alarm is None:
            held = s.get(HubKioskAudit, (kiosk.kiosk_id, kiosk.epoch, seq))
            if held is not None and held.hash != digest:
                alarm = "audit_forked"  # the signed head disagrees with the copy of the chain
        if alarm:
            self._alarm(s, kiosk, alarm, {"anchored_seq": kiosk.audit_head_seq, "received_seq": seq})
            return {"anchored": False, "alarm": alarm}
        if (seq, digest) != (kiosk.audit_head_seq, kiosk.audit_head_hash):
            kiosk.audit_head_seq, kiosk.audit_head_hash = seq, digest
            _audit(s, self.clock(), f"kiosk:{kiosk.kiosk_id}", "audit.anchor", kiosk.kiosk_id,
                   {"seq": seq, "hash": digest, "signature": signature})
        return {"anchored": True, "seq": seq}

    def pull(self, method: str, path: str, body: bytes, headers: Any, after: int, after_uid: str,
             limit: int) -> dict[str, Any]:
        limit = max(1, min(limit, MAX_PULL))
        with self.db.transaction() as s:
            kiosk = self.authenticate(s, method, path, body, headers)
            last = s.scalar(select(StationCounter.value).where(StationCounter.station == kiosk.station)) or 0
            if after > 0:
                # The change the kiosk saw last must still be there, unchanged: a hub restored from a
                # backup hands out those ids again, and the kiosk must start over rather than skip them.
                seen = s.scalar(select(StationChange.uid).where(StationChange.station == kiosk.station,
                                                                StationChange.change_id == after))
                if seen != after_uid:
                    return {"reset": True, "changes": [], "next_cursor": 0, "next_uid": "", "last_change_id": last,
                            "more": last > 0}
            rows = s.execute(
                select(StationChange.change_id, StationChange.uid, StationChange.kind, StationChange.payload,
                       StationChange.created_at)
                .where(StationChange.station == kiosk.station, StationChange.change_id > after)
                .order_by(StationChange.change_id).limit(limit)
            ).all() if last > after else []
            changes = [{"change_id": r.change_id, "uid": r.uid, "kind": r.kind, "payload": json.loads(r.payload),
                        "created_at": r.created_at} for r in rows]
            next_cursor, next_uid = (rows[-1].change_id, rows[-1].uid) if rows else (after, after_uid)
            return {"reset": False, "changes": changes, "next_cursor": next_cursor, "next_uid": next_uid,
                    "last_change_id": last, "more": next_cursor < last}

    def lookup(self, method: str, path: str, body: bytes, headers: Any, tracking_code: str,
               issuer: str = "") -> dict[str, Any]:
        """A dossier's or account request's status for the citizen's status check at a kiosk of its station.

        No personal data: the code, the procedure, the status and when it changed, the appointment
        date. A code of another station is answered as unknown, like a code nobody issued. A dossier the
        hub gave a new code is found under both; when two dossiers answer to one code (the one that
        keeps it, and the one that printed it first and was given another), `issuer` (the kiosk that
        signed the receipt's QR code) says which, else the one holding the code answers, and the
        other codes are named so the citizen can check theirs.
        """
        with self.db.transaction() as s:
            kiosk = self.authenticate(s, method, path, body, headers)
            rows = s.scalars(select(HubDossier).where(
                HubDossier.station == kiosk.station,
                or_(HubDossier.tracking_code == tracking_code, HubDossier.previous_code == tracking_code))).all()
            if not rows:
                return {"found": False, "tracking_code": tracking_code}
            issuers = {issuer} if issuer else set()
            if issuer:  # a receipt printed before its kiosk enrolled names the id the kiosk had made itself
                issuers |= set(s.scalars(select(HubKiosk.kiosk_id).where(HubKiosk.station == kiosk.station,
                                                                         HubKiosk.local_id == issuer)))
            by_issuer = [r for r in rows if r.kiosk_id in issuers]
            holder = [r for r in rows if r.tracking_code == tracking_code]
            dossier = (by_issuer or holder or rows)[0]
            created = s.get(InboxOp, (dossier.kiosk_id, dossier.seq))
            data = _payload(created) if created is not None else {}
            service_no = data.get("service_no")
            appointment = data.get("appointment_date")
            account = dossier.service_code == ACCOUNT_PROCEDURE
            return {
                "found": True, "tracking_code": dossier.tracking_code, "kind": "account" if account else "dossier",
                "service_code": dossier.service_code, "status": dossier.status, "updated_at": dossier.updated_at,
                "service_no": service_no if isinstance(service_no, int) else None,
                "appointment_date": appointment if isinstance(appointment, str) else None,
                "level": data.get("level") if account else None,
                "previous_code": dossier.previous_code,
                "other_codes": sorted(r.tracking_code for r in rows if r is not dossier),
            }

    def set_status(self, tracking_code: str, status: str, note: str = "", actor: str = "hub-operator") -> dict[str, Any]:
        """A back-office decision: the new status, a change for the dossier's station, an audit entry."""
        now = self.clock()
        with self.db.transaction() as s:
            dossier = s.get(HubDossier, tracking_code, with_for_update=True)
            if dossier is None:
                raise HubError(404, "unknown_dossier", f"Không có hồ sơ {tracking_code} trên máy chủ.",
                               f"No dossier {tracking_code} on the hub.")
            previous = dossier.status
            _check_backoffice_move(dossier.service_code == ACCOUNT_PROCEDURE, previous, status, note)
            dossier.status, dossier.updated_at = status, _iso(now)
            self._emit(s, dossier.station, [(DOSSIER_STATUS, _status_change(dossier, status, note, "hub", _iso(now)))],
                       _iso(now))
            _audit(s, now, actor, "dossier.status", tracking_code, {"from": previous, "to": status})
            return {"tracking_code": tracking_code, "station": dossier.station, "previous": previous, "status": status}

    def create_backoffice_token(self, name: str, ttl_s: int = BACKOFFICE_TOKEN_TTL_S) -> str:
        """A bearer token for the back-office endpoint, shown once, valid `ttl_s` seconds unless revoked."""
        if not name or len(name) > 80:
            raise HubError(400, "bad_name", "Tên mã truy cập cần 1–80 ký tự.", "A token name needs 1–80 characters.")
        _check_ttl(ttl_s, MAX_BACKOFFICE_TOKEN_TTL_S)
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.transaction() as s:
            if s.scalar(select(StatusToken).where(StatusToken.name == name)) is not None:
                raise HubError(409, "name_taken", f"Đã có mã truy cập tên '{name}'; chọn tên khác.",
                               f"A token named '{name}' exists; choose another name.")
            s.add(StatusToken(token_hash=_sha(token), name=name, created_at=_iso(now), active=True,
                              expires_at=int(now + ttl_s)))
            _audit(s, now, "hub-operator", "backoffice_token.created", name, {"expires_at": _iso(now + ttl_s)})
        return token

    def revoke_backoffice_token(self, name: str) -> dict[str, Any]:
        """Refuse a token from now on (by its name: the token itself is never stored)."""
        now = self.clock()
        with self.db.transaction() as s:
            row = s.scalar(select(StatusToken).where(StatusToken.name == name).with_for_update())
            if row is None:
                raise HubError(404, "unknown_token", f"Không có mã truy cập tên '{name}'.", f"No token named '{name}'.")
            if row.active:
                row.active, row.revoked_at = False, _iso(now)
                _audit(s, now, "hub-operator", "backoffice_token.revoked", name, {})
            return self._token_info(row, now)

    def backoffice_tokens(self) -> list[dict[str, Any]]:
        now = self.clock()
        with self.db.sessions() as s:
            return [self._token_info(row, now) for row in s.scalars(select(StatusToken).order_by(StatusToken.name))]

    @staticmethod
    def _token_info(row: StatusToken, now: float) -> dict[str, Any]:
        state = "revoked" if not row.active else "expired" if (row.expires_at or 0) <= now else "active"
        return {"name": row.name, "created_at": row.created_at, "state": state, "revoked_at": row.revoked_at,
                "expires_at": _iso(row.expires_at) if row.expires_at else None}

    def backoffice_actor(self, token: str) -> str | None:
        """The actor a bearer token stands for; None when unknown, revoked or expired."""
        with self.db.sessions() as s:
            row = s.get(StatusToken, _sha(token))
            if row is None or not row.active or (row.expires_at or 0) <= self.clock():
                return None
            return f"backoffice:{row.name}"

    def station_keys(self, station: str | None = None) -> dict[str, Any]:
        with self.db.sessions() as s:
            query = select(HubKiosk).order_by(HubKiosk.key_serial)
            if station:
                query = query.where(HubKiosk.station == station)
            keys = []
            for k in s.scalars(query):
                if not KIOSK_ID_RE.fullmatch(k.kiosk_id):
                    # Taken from a request by an older hub (ids are the hub's own now): no kiosk can store it.
                    log.warning("station keys: kiosk %r has an id no kiosk can store; left out", k.kiosk_id[:40])
                    continue
                keys.append({"kiosk_id": k.kiosk_id, "station": k.station, "public_key": k.public_key,
                             "epoch": k.epoch, "enrolled_at": k.enrolled_at, "local_id": k.local_id})
            return {"keys": keys, "version": _meta_int(s, "keys_version")}

    def stats(self) -> dict[str, Any]:
        with self.db.sessions() as s:
            copied = dict(s.execute(
                select(HubKioskAudit.kiosk_id, func.max(HubKioskAudit.seq)).join(
                    HubKiosk, (HubKiosk.kiosk_id == HubKioskAudit.kiosk_id) & (HubKiosk.epoch == HubKioskAudit.epoch))
                .group_by(HubKioskAudit.kiosk_id)).all())
            rows = s.scalars(select(HubKiosk).order_by(HubKiosk.station, HubKiosk.kiosk_id)).all()
            kiosks = [
                {"kiosk_id": k.kiosk_id, "station": k.station, "high_water_mark": k.high_water_mark,
                 "duplicates_refused": k.duplicates_refused, "duplicates_acked": k.duplicates_acked,
                 "refusals": k.refusals, "last_refusal": k.last_refusal, "epoch": k.epoch,
                 "audit_head_seq": k.audit_head_seq, "audit_copy_seq": copied.get(k.kiosk_id, 0),
                 "audit_alarm": k.audit_alarm, "last_seen_at": k.last_seen_at, "numbering": _numbering(k),
                 "unit_id": k.unit_id, "retired_at": k.retired_at}
                for k in rows
            ]
            stations: dict[str, dict[str, Any]] = {}
            for unit, station in s.execute(select(StationUnit.unit_id, StationUnit.station).order_by(StationUnit.unit_id)):
                stations.setdefault(station, {"blocks": {}, "units": []})["units"].append(unit)
            for k in rows:
                entry = stations.setdefault(k.station, {"blocks": {}, "units": []})
                if k.block is not None:
                    entry["blocks"][str(k.block)] = k.kiosk_id
            for entry in stations.values():
                entry["blocks_free"] = len(KIOSK_BLOCKS) - len(entry["blocks"])
            return {
                "dossiers": s.scalar(select(func.count()).select_from(HubDossier)
                                     .where(HubDossier.service_code != ACCOUNT_PROCEDURE)) or 0,
                "account_requests": s.scalar(select(func.count()).select_from(AccountRequest)) or 0,
                "recoded": s.scalar(select(func.count()).select_from(HubDossier)
                                    .where(HubDossier.previous_code.is_not(None))) or 0,
                "kiosks": kiosks,
                "stations": stations,
            }

    def health(self) -> dict[str, Any]:
        with self.db.sessions() as s:
            s.execute(select(1))
        return {"status": "ok", "database": self.db.dialect}


def backoffice_moves(account: bool) -> tuple[dict[str, set[str]], frozenset[str], dict[str, str]]:
    """The moves the back office may make, from the kiosk's own status machines (one source of truth)."""
    from kiosk.domain import account as account_domain
    from kiosk.domain import dossier as dossier_domain

    domain = account_domain if account else dossier_domain
    moves: dict[str, set[str]] = {}
    for src, dst in domain.TRANSITIONS:
        if account and domain.TRANSITIONS[(src, dst)] != "hub":
            continue  # submitting and withdrawing belong to the kiosk
        moves.setdefault(src.value, set()).add(dst.value)
    labels = {status.value: status.label_vi for status in domain.Status}
    return moves, frozenset(status.value for status in domain.NOTE_REQUIRED), labels


def _check_backoffice_move(account: bool, current: str, status: str, note: str) -> None:
    """Refuse a status the record cannot take from where it stands, or a refusal without its reason."""
    moves, note_required, labels = backoffice_moves(account)
    what_vi, what_en = ("đề nghị cấp tài khoản", "account request") if account else ("hồ sơ", "dossier")
    if status not in labels:
        known = ", ".join(sorted({dst for targets in moves.values() for dst in targets}))
        raise HubError(400, "bad_status", f"Trạng thái '{status}' không có cho {what_vi}; dùng: {known}.",
                       f"No status '{status}' for a {what_en}; use one of: {known}.")
    if status not in moves.get(current, set()):
        allowed = ", ".join(sorted(moves.get(current, set()))) or "—"
        raise HubError(409, "bad_transition",
                       f"Không chuyển được {what_vi} từ '{labels.get(current, current)}' sang '{labels[status]}' "
                       f"(được phép: {allowed}).",
                       f"A {what_en} cannot move from '{current}' to '{status}' (allowed: {allowed}).",
                       current=current)
    if status in note_required and not note.strip():
        raise HubError(400, "note_required", f"Chuyển sang '{labels[status]}' cần ghi rõ lý do (--note).",
                       f"Moving to '{status}' needs the reason (--note).")


def _parse_push(body: bytes) -> tuple[list[PushedOp], dict[str, Any] | None, list[dict[str, Any]], int | None]:
    try:
        data = json.loads(body)
        ops = [
            PushedOp(int(o["seq"]), str(o["op_id"]), str(o["kind"]), str(o["payload"]), int(o["schema_version"]),
                     str(o["created_at"]))
            for o in data.get("ops", [])
        ]
        head = data.get("audit_head")
        entries = [
            {"seq": int(e["seq"]), "at": str(e["at"]), "actor": str(e["actor"]), "action": str(e["action"]),
             "target_kind": str(e["target_kind"]), "target_id": str(e["target_id"]), "detail": dict(e["detail"]),
             "prev_hash": str(e["prev_hash"]), "hash": str(e["hash"])}
            for e in data.get("audit_entries") or []
        ]
        hint = _block_hint(data.get("numbering"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HubError(400, "bad_request", "Gói đồng bộ không hợp lệ.", "Malformed push.") from exc
    if len(ops) > MAX_BATCH or len(entries) > MAX_BATCH:
        raise HubError(413, "batch_too_large", "Gói đồng bộ quá lớn.", f"At most {MAX_BATCH} ops per push.")
    for items, what in ((ops, "ops"), (entries, "audit entries")):
        seqs = [x.seq if isinstance(x, PushedOp) else x["seq"] for x in items]
        if any(b != a + 1 for a, b in zip(seqs, seqs[1:], strict=False)) or any(n < 1 for n in seqs):
            raise HubError(400, "not_contiguous", "Các thao tác trong gói phải liên tiếp.", f"{what} must be contiguous.")
    return ops, head if isinstance(head, dict) else None, entries, hint


def _check_ttl(ttl_s: float, most: int) -> None:
    if not isinstance(ttl_s, int | float) or not 1 <= ttl_s <= most:
        raise HubError(400, "bad_ttl", f"Thời hạn phải từ 1 giây đến {most // 3600} giờ.",
                       f"The lifetime must be from 1 second to {most // 3600} hours.")


def _payload(op: PushedOp | InboxOp) -> dict[str, Any]:
    try:
        data = json.loads(op.payload)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _allocate(s: Session, station: str, n: int) -> int:
    """Reserve n change ids; the row stays locked until commit, so ids commit in the order they are given."""
    stmt = update(StationCounter).where(StationCounter.station == station).values(
        value=StationCounter.value + n).returning(StationCounter.value).execution_options(synchronize_session=False)
    last = s.execute(stmt).scalar()
    if last is None:
        insert_ignore(s, StationCounter, {"station": station, "value": 0})
        last = s.execute(stmt).scalar_one()
    return last


#: What authenticating a read needs of the kiosk's row.
_AUTH_COLUMNS = (HubKiosk.kiosk_id, HubKiosk.station, HubKiosk.public_key, HubKiosk.instance_uuid, HubKiosk.epoch,
                 HubKiosk.retired_at, HubKiosk.last_seen_at)


def _unique_violation(exc: Exception) -> bool:
    """A unique key taken meanwhile: SQLAlchemy's IntegrityError, or psycopg's own from a COPY (SQLSTATE 23505)."""
    return isinstance(exc, IntegrityError) or getattr(exc, "sqlstate", None) == "23505"


def _block_hint(numbering: Any) -> int | None:
    """The block a kiosk says it numbers in (a hint: the hub keeps it when it is free)."""
    if not isinstance(numbering, dict):
        return None
    block = numbering.get("block")
    return block if isinstance(block, int) and block in KIOSK_BLOCKS else None


def _assign_block(s: Session, station: str, hint: int | None, now: float) -> int | None:
    """A block of the daily sequence no other kiosk of `station` holds (the hint when it is free), or None
    when the station holds them all. A block given back by a retired kiosk is free again only after
    RELEASE_HOLD_S, so the codes that kiosk gave out on its last day are never given out again. The
    station's counter row stays locked until commit, so two hub processes enrolling kiosks of one station
    at once choose one after the other; the unique constraint on (station, block) is the last guard."""
    _allocate(s, station, 0)
    taken = set(s.scalars(select(HubKiosk.block).where(HubKiosk.station == station, HubKiosk.block.is_not(None))))
    taken |= set(s.scalars(select(HubKiosk.retired_block).where(
        HubKiosk.station == station, HubKiosk.retired_block.is_not(None),
        HubKiosk.retired_at > _iso(now - RELEASE_HOLD_S))))
    free = [block for block in KIOSK_BLOCKS if block not in taken]
    if not free:
        return None
    return hint if hint in free else free[0]


def _station_full(station: str) -> HubError:
    return HubError(
        409, "station_full",
        f"Trạm {station} đã có đủ {len(KIOSK_BLOCKS)} kiosk, mỗi kiosk một khối số thứ tự hồ sơ trong ngày; "
        "không còn khối nào cho kiosk mới. Hãy cho thôi một kiosk không còn dùng (kiosk-hub kiosk retire) rồi "
        "đăng ký lại.",
        f"Station {station} already has {len(KIOSK_BLOCKS)} kiosks, one block of the daily sequence each; none is "
        "left. Retire a kiosk no longer in use (kiosk-hub kiosk retire) and enrol again.",
        station=station)


def _check_unit_id(unit_id: Any) -> str:
    """A receiving unit's identifier in the form of QCVN 102:2016 (the first part of a tracking code)."""
    try:
        return check_unit_id(str(unit_id))
    except (TrackingCodeError, ValueError):
        raise HubError(400, "bad_unit", "Mã đơn vị không đúng dạng (ví dụ 000.00.24.H57).",
                       "The unit id is not in the form 000.00.24.H57.") from None


def _station_units(s: Session, station: str) -> list[str]:
    return sorted(s.scalars(select(StationUnit.unit_id).where(StationUnit.station == station)))


def _bind_unit(s: Session, station: str, unit_id: str, source: str, now: float, actor: str = "hub-operator") -> None:
    """Bind `unit_id` to `station` (nothing to do when it is already); a unit another station holds is refused.
    Two hub processes binding one unit at once: the second meets the first's row and compares."""
    inserted = s.execute(insert_ignore_stmt(s, StationUnit).values(
        unit_id=unit_id, station=station, bound_at=_iso(now), source=source)).rowcount
    holder = s.scalar(select(StationUnit.station).where(StationUnit.unit_id == unit_id))
    if holder != station:
        raise HubError(409, "unit_of_another_station",
                       f"Mã đơn vị {unit_id} thuộc trạm {holder}, không phải trạm {station}: mỗi mã đơn vị chỉ của một "
                       "trạm. Kiểm tra cài đặt unit_id của kiosk.",
                       f"Unit {unit_id} belongs to station {holder}, not {station}; check the kiosk's unit_id setting.",
                       unit_id=unit_id, station=holder)
    if inserted:
            _audit(s, now, actor if source == "operator" else "hub", "station.unit_bound", station,
               {"unit_id": unit_id, "source": source})


def _check_station_unit(s: Session, station: str, unit_id: str | None, now: float) -> list[str]:
    """The units the enrolling kiosk's station numbers under. The unit the kiosk says it numbers under must be
    one of them; a station with none yet gets it (unless another station holds it)."""
    units = _station_units(s, station)
    if unit_id is None:
        if not units:
            raise HubError(409, "station_without_unit",
                           f"Trạm {station} chưa có mã đơn vị và kiosk không nêu mã đơn vị của mình: cấp mã đăng ký "
                           "kèm mã đơn vị (kiosk-hub enrol-code --station … --unit …).",
                           f"Station {station} has no unit id and the kiosk named none: issue the code with "
                           "--unit.", station=station)
        return units
    if units and unit_id not in units:
        raise HubError(409, "wrong_unit",
                       f"Kiosk đánh số hồ sơ theo mã đơn vị {unit_id}, nhưng trạm {station} dùng mã {', '.join(units)}. "
                       "Sửa cài đặt unit_id của kiosk rồi đăng ký lại.",
                       f"The kiosk numbers under unit {unit_id}, but station {station} uses {', '.join(units)}. "
                       "Fix the kiosk's unit_id setting and enrol again.", station=station, units=units)
    if not units:
        _bind_unit(s, station, unit_id, "enrolment", now)
        units = [unit_id]
    return units


def _code_refusal(code: str, units: set[str]) -> str | None:
    """Why a code cannot be a dossier of a station numbering under `units`: not the Circular's form, or
    another unit's code. None when it may."""
    try:
        parsed = TrackingCode.parse(code)
    except (TrackingCodeError, ValueError):
        return "bad_tracking_code"
    return None if parsed.unit_id in units else "foreign_unit"


def _new_kiosk_id(s: Session) -> str:
    """An id the hub makes for a new kiosk (never one a request names): `K-` and ten hex digits."""
    while True:
        candidate = "K-" + secrets.token_hex(5).upper()
        if s.get(HubKiosk, candidate) is None:
            return candidate


def _numbering(kiosk: HubKiosk) -> dict[str, Any]:
    """The kiosk's block of the daily sequence, as the hub tells the kiosk (enrolment, rejoin, every push)."""
    if kiosk.block is None:
        return {"block": None, "error": "station_full"}
    first, last = block_range(kiosk.block)
    return {"block": kiosk.block, "first": first, "last": last}


def _existing(s: Session, column, values: list[str]) -> list[str]:
    """Which of `values` a column of hub_dossier already holds."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy import String, any_, literal
        from sqlalchemy.dialects.postgresql import ARRAY

        # One array parameter instead of a thousand: the statement stays small and is prepared once.
        match = column == any_(literal(values, ARRAY(String)))
    else:
        match = column.in_(values)
    return list(s.scalars(select(column).where(match)))


def _held(s: Session, uids: list[str], codes: list[str]) -> tuple[set[str], set[str]]:
    """Which of these identities, and which of these codes, hub_dossier holds already (one statement)."""
    if s.bind.dialect.name == "postgresql":
        from sqlalchemy import String, any_, literal
        from sqlalchemy.dialects.postgresql import ARRAY

        match = or_(HubDossier.uid == any_(literal(uids, ARRAY(String))),
                    HubDossier.tracking_code == any_(literal(codes, ARRAY(String))))
    else:
        match = or_(HubDossier.uid.in_(uids), HubDossier.tracking_code.in_(codes))
    rows = s.execute(select(HubDossier.uid, HubDossier.tracking_code).where(match)).all()
    wanted_uids, wanted_codes = set(uids), set(codes)
    return {r.uid for r in rows if r.uid in wanted_uids}, {r.tracking_code for r in rows if r.tracking_code in wanted_codes}


def _status_change(dossier: HubDossier, status: str, note: str, source: str, at: str) -> dict[str, Any]:
    """A status for the kiosks of the dossier's station, naming the dossier by its identity and its kiosk:
    only that kiosk applies it, to that dossier, whatever code either side prints."""
    return {"tracking_code": dossier.tracking_code, "dossier_uid": dossier.uid, "kiosk_id": dossier.kiosk_id,
            "status": status, "note": note, "source": source, "at": at}


def _bulk_insert(s: Session, table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, executemany elsewhere.

    COPY streams the rows in one statement; an executemany sends one INSERT per row, which made
    the inbox write alone cost as much as the whole of a bare insert of the batch.
    """
    if not rows:
        return
    connection = s.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    statement = _copy_statement(table.name, tuple(columns))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


@functools.lru_cache(maxsize=32)
def _copy_statement(table: str, columns: tuple[str, ...]):
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns))


def _bump_meta(s: Session, key: str) -> int:
    insert_ignore(s, HubMeta, {"key": key, "value": "0"})
    row = s.get(HubMeta, key, with_for_update=True)
    row.value = str(int(row.value) + 1)
    return int(row.value)


def _meta_int(s: Session, key: str) -> int:
    row = s.get(HubMeta, key)
    return int(row.value) if row else 0


def _audit(s: Session, now: float, actor: str, action: str, target: str, detail: dict[str, Any]) -> None:
    s.add(HubAudit(at=_iso(now), actor=actor, action=action, target=target[:80], detail=protocol.canonical_json(detail)))
