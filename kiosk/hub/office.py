"""The back office: status decisions, its bearer tokens, station keys, stats and health."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import func, select

from kiosk.domain.qr_payload import KIOSK_ID_RE
from kiosk.domain.tracking import KIOSK_BLOCKS
from kiosk.hub.models import AccountRequest, HubDossier, HubKiosk, HubKioskAudit, StationUnit, StatusToken
from kiosk.hub.records import ACCOUNT_PROCEDURE, _status_change
from kiosk.hub.shared import HubError, _audit, _check_ttl, _iso, _meta_int, _sha
from kiosk.hub.stations import _numbering
from kiosk.wire.ops import OpKind

#: One logger for the hub's use cases (its name predates their modules).
log = logging.getLogger("kiosk.hub.core")


#: Back-office tokens: 90 days unless told otherwise, a year at most.
BACKOFFICE_TOKEN_TTL_S = 90 * 86400
MAX_BACKOFFICE_TOKEN_TTL_S = 365 * 86400


class BackOffice:
    """The Hub's back-office use cases."""

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
            change = _status_change(dossier, status, note, "hub", _iso(now))
            self._emit(s, dossier.station, [(OpKind.DOSSIER_STATUS, change)], _iso(now))
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
