"""Receipts (phiếu hẹn) and their signed QR codes: what Mẫu 01/02/03 print, signing, offline verification.

The renderer (`kiosk.services.receipt_layouts`) draws only the plain values of `kiosk.domain.receipt`,
which `kiosk.services.receipt_data` fills, so any source — a dossier, an identity-account request, a test —
can print. Verification needs nothing but the public keys of trusted stations: this kiosk's own key always,
others imported or sent by the hub.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.db.engine import Database
from kiosk.db.models import StaffMember
from kiosk.db.models_receipts import StationKey
from kiosk.domain import qr_payload
from kiosk.domain.qr_payload import QrClaims, QrVerification
from kiosk.domain.receipt import (
    LAYOUTS,
    QR_VALIDITY,
    AccountConfirmationData,
    ReceiptData,
    RefusalData,
    SupplementRequestData,
)
from kiosk.domain.roles import Permission, Principal
from kiosk.services import audit, identity
from kiosk.services.clock import Clock, iso_utc, utc_now
from kiosk.services.errors import InvalidInput, NotFound
from kiosk.services.permissions import require
from kiosk.services.receipt_data import (
    account_confirmation_data,
    notice_entry,
    receipt_data_from_dossier,
    status_notice_data,
)


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    kiosk_id: str
    public_key: str  # base64url, no padding (as `kiosk qr key` prints it)
    source: str  # "own", "manual", "hub"
    added_at: str = ""

    def to_json(self) -> dict[str, str]:
        return {"kid": self.kid, "kiosk_id": self.kiosk_id, "public_key": self.public_key, "source": self.source,
                "added_at": self.added_at}


@dataclass(frozen=True)
class StoredKeys:
    added: int
    updated: int
    removed: int


def decode_public_key(value: str | bytes) -> bytes:
    """A raw Ed25519 public key from bytes, base64 (standard or url-safe, padding optional) or hex."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = value.strip()
        try:
            raw = bytes.fromhex(text) if len(text) == 64 else base64.urlsafe_b64decode(
                text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
        except (ValueError, binascii.Error):
            raise InvalidInput([("public_key", "Khóa công khai không đúng định dạng (base64 hoặc hex).",
                                 "The public key is not in a known form (base64 or hex).")]) from None
    if len(raw) != 32:
        raise InvalidInput([("public_key", "Khóa công khai Ed25519 phải dài đúng 32 byte.",
                             "An Ed25519 public key must be exactly 32 bytes long.")])
    return raw


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _check_kiosk_id(kiosk_id: str) -> str:
    if not qr_payload.KIOSK_ID_RE.fullmatch(kiosk_id or ""):
        raise InvalidInput([("kiosk_id", "Mã kiosk gồm 1–24 chữ cái, chữ số hoặc . - _.",
                             "A kiosk id has 1–24 letters, digits or . - _.")])
    return kiosk_id


#: kid (hex) -> the id a station's kiosk had made itself before it enrolled, from the hub's key list: its
#: receipts printed then name that id (kiosk.services.sync keeps this beside the station keys).
KEY_ALIASES_META = "station_key_aliases"


def station_key_aliases(entries: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """kid (hex) -> local id, for the hub's (public key, local id) entries whose local id is well-formed."""
    out = {}
    for key, local_id in entries:
        if isinstance(local_id, str) and qr_payload.KIOSK_ID_RE.fullmatch(local_id):
            out[qr_payload.key_id(decode_public_key(key)).hex()] = local_id
    return out


def store_station_keys(
    db: Database,
    keys: Iterable[tuple[str, str | bytes]],
    source: str = "hub",
    complete: bool = True,
    actor: str = "hub",
    session: Session | None = None,
    clock: Clock = utc_now,
) -> StoredKeys:
    """Save trusted stations' keys: (kiosk id, public key) pairs; with `complete`, drop this source's others.

    For the sync: the hub's list replaces the previous hub list (a revoked station disappears);
    keys added by hand are never touched. Pass `session` to join the caller's transaction.
    """
    if session is None:
        with db.transaction() as own:
            return store_station_keys(db, keys, source, complete, actor, own, clock)
    wanted: dict[str, tuple[str, bytes]] = {}
    for kiosk_id, key in keys:
        raw = decode_public_key(key)
        wanted[qr_payload.key_id(raw).hex()] = (_check_kiosk_id(kiosk_id), raw)
    existing = {row.kid: row for row in session.scalars(select(StationKey))}
    added = updated = removed = 0
    now = iso_utc(clock())
    for kid, (kiosk_id, raw) in wanted.items():
        row = existing.get(kid)
        if row is None:
            session.add(StationKey(kid=kid, kiosk_id=kiosk_id, public_key=raw.hex(), source=source, added_at=now,
                                   added_by=actor))
            added += 1
        elif row.kiosk_id != kiosk_id or row.source != source:
            row.kiosk_id, row.source = kiosk_id, source
            updated += 1
    if complete:
        stale = [kid for kid, row in existing.items() if row.source == source and kid not in wanted]
        if stale:
            session.execute(delete(StationKey).where(StationKey.kid.in_(stale)))
            removed = len(stale)
    if added or updated or removed:
        audit.append(session, actor, "qr.keys_stored", "station_key", source,
                     {"added": added, "updated": updated, "removed": removed}, clock=clock)
    return StoredKeys(added, updated, removed)


@dataclass
class ReceiptService:
    """Signs and verifies QR codes, builds receipt data from dossiers (and account confirmations from
    identity-account requests) and renders PDFs."""

    db: Database
    settings: Any
    dossiers: Callable[[], Any] | None = None
    catalog: Callable[[], Any] | None = None
    clock: Clock = utc_now
    accounts: Callable[[], Any] | None = None

    def own_key(self) -> TrustedKey:
        raw = identity.public_key_bytes(self.db)
        return TrustedKey(qr_payload.key_id(raw).hex(), identity.identity(self.db).kiosk_id, _b64(raw), "own")

    def sign(self, tracking_code: str, service_number: int, issued_at: datetime, appointment: date | None = None,
             expires_at: datetime | None = None) -> str:
        """The QR text for a dossier; `issued_at` is naive UTC. Same inputs, same text (Ed25519 is deterministic)."""
        issued = issued_at.replace(microsecond=0)
        if expires_at is None:
            start = datetime.combine(appointment, time()) if appointment else issued
            expires_at = start + QR_VALIDITY
        try:
            claims = QrClaims(tracking_code, service_number, identity.identity(self.db).kiosk_id, issued,
                              expires_at.replace(microsecond=0), appointment)
        except ValueError as exc:
            raise InvalidInput([("tracking_code", f"Không tạo được mã QR: {exc}",
                                 f"The QR code could not be made: {exc}")]) from None
        return qr_payload.encode(claims, identity.signing_key(self.db))

    def trusted_keys(self) -> dict[bytes, tuple[str | tuple[str, ...], bytes]]:
        """kid -> (kiosk id(s), raw public key): this kiosk's own key (under the id its hub gave it and the one it
        made itself before, which its earlier receipts carry) plus the stored stations' keys."""
        own = identity.public_key_bytes(self.db)
        ids = tuple(dict.fromkeys(
            i for i in (identity.identity(self.db).kiosk_id, self.db.meta(identity.LOCAL_ID_META)) if i))
        out: dict[bytes, tuple[str | tuple[str, ...], bytes]] = {qr_payload.key_id(own): (ids, own)}
        try:
            aliases = json.loads(self.db.meta(KEY_ALIASES_META) or "{}")
        except ValueError:
            aliases = {}
        with self.db.sessions() as session:
            for row in session.scalars(select(StationKey)):
                alias = aliases.get(row.kid) if row.source == "hub" else None
                names = (row.kiosk_id, alias) if isinstance(alias, str) and alias != row.kiosk_id else row.kiosk_id
                out.setdefault(bytes.fromhex(row.kid), (names, bytes.fromhex(row.public_key)))
        return out

    def verify(self, principal: Principal, text: str, now: datetime | None = None) -> QrVerification:
        """Check a scanned QR text offline (the citizen's status check starts here)."""
        require(principal, Permission.STATUS_CHECK)
        return qr_payload.verify(text, self.trusted_keys(), now or self.clock())

    def list_trust(self, principal: Principal) -> list[TrustedKey]:
        require(principal, Permission.STATUS_CHECK)
        out = [self.own_key()]
        with self.db.sessions() as session:
            for row in session.scalars(select(StationKey).order_by(StationKey.kiosk_id)):
                out.append(TrustedKey(row.kid, row.kiosk_id, _b64(bytes.fromhex(row.public_key)), row.source,
                                      row.added_at))
        return out

    def trust_add(self, principal: Principal, kiosk_id: str, public_key: str) -> TrustedKey:
        """Trust another kiosk's QR codes (its key as `kiosk qr key` prints it there)."""
        require(principal, Permission.SETTINGS_CHANGE)
        raw = decode_public_key(public_key)
        _check_kiosk_id(kiosk_id)
        kid = qr_payload.key_id(raw).hex()
        if kid == self.own_key().kid:
            raise InvalidInput([("public_key", "Đây là khóa của chính kiosk này; nó luôn được tin cậy.",
                                 "This is this kiosk's own key; it is always trusted.")])
        with self.db.transaction() as session:
            row = session.get(StationKey, kid)
            now = iso_utc(self.clock())
            if row is None:
                row = StationKey(kid=kid, kiosk_id=kiosk_id, public_key=raw.hex(), source="manual", added_at=now,
                                 added_by=principal.audit_name)
                session.add(row)
            else:
                row.kiosk_id, row.source = kiosk_id, "manual"
            audit.append(session, principal.audit_name, "qr.key_trusted", "station_key", kid, {"kiosk_id": kiosk_id},
                         clock=self.clock)
        return TrustedKey(kid, kiosk_id, _b64(raw), "manual", now)

    def trust_remove(self, principal: Principal, kid_or_kiosk: str) -> int:
        require(principal, Permission.SETTINGS_CHANGE)
        with self.db.transaction() as session:
            rows = list(session.scalars(select(StationKey).where(
                (StationKey.kid == kid_or_kiosk.lower()) | (StationKey.kiosk_id == kid_or_kiosk))))
            if not rows:
                raise NotFound(f"khóa {kid_or_kiosk}")
            for row in rows:
                session.delete(row)
                audit.append(session, principal.audit_name, "qr.key_removed", "station_key", row.kid,
                             {"kiosk_id": row.kiosk_id}, clock=self.clock)
        return len(rows)

    def receipt_data(self, principal: Principal, code: str) -> ReceiptData:
        """The receipt of a saved dossier (reprints give the same text and the same QR code)."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.dossiers is None:
            raise NotFound("dịch vụ hồ sơ chưa có trên kiosk này")
        service = self.dossiers()
        dossier = service.get(principal, code, full=True)
        catalog = self.catalog() if self.catalog else None
        calendar = getattr(getattr(service, "calendar", None), "calendar", None)
        return receipt_data_from_dossier(dossier, self.settings, self, catalog, self._staff_name(dossier.get("created_by")),
                                         calendar=calendar)

    def account_confirmation(self, principal: Principal, code: str) -> AccountConfirmationData:
        """The confirmation of an identity-account request (reprints give the same text and the same QR code)."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.accounts is None:
            raise NotFound("dịch vụ tài khoản định danh điện tử chưa có trên kiosk này")
        request = self.accounts().get(principal, code)
        return account_confirmation_data(request, self.settings, signer=self, receiver_name=self._staff_name(request.get("created_by")))

    def status_notice(self, principal: Principal, code: str) -> SupplementRequestData | RefusalData:
        """Mẫu 02 for a dossier waiting for a supplement, Mẫu 03 for a refused one, from its history."""
        require(principal, Permission.DOSSIER_VIEW)
        if self.dossiers is None:
            raise NotFound("dịch vụ hồ sơ chưa có trên kiosk này")
        dossier = self.dossiers().get(principal, code)
        catalog = self.catalog() if self.catalog else None
        entry = notice_entry(dossier)
        return status_notice_data(dossier, self.settings, catalog, self._staff_name(entry and entry.get("actor")))

    def _staff_name(self, username: str | None) -> str:
        """A staff member's full name; the operator (headless commands) and the hub have none."""
        username = str(username or "")
        if not username or username.startswith(("operator:", "hub")):
            return ""
        with self.db.sessions() as session:
            return session.scalar(select(StaffMember.full_name).where(StaffMember.username == username)) or ""

    def render(self, principal: Principal, code: str, layout: str = "a4", copies: tuple[str, ...] | None = None) -> bytes:
        data = self.receipt_data(principal, code)
        return render_receipt(data, layout, copies)


def check_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise InvalidInput([("layout", f"Khổ giấy phải là một trong: {', '.join(LAYOUTS)}.",
                             f"The paper size must be one of: {', '.join(LAYOUTS)}.")])
    return layout


def render_receipt(data: ReceiptData, layout: str = "a4", copies: tuple[str, ...] | None = None) -> bytes:
    """Mẫu 01 as PDF bytes; A4/A5 print both copies by default, the thermal slip the applicant's."""
    from kiosk.services import receipt_layouts

    check_layout(layout)
    return receipt_layouts.render(data, "pdf", layout, copies=copies)
