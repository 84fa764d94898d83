"""Push: a kiosk's ops and audit entries, checked against what the hub holds, in one transaction.

Push follows the outbox protocol: a batch is applied in one transaction; `seq ≤ high-water mark`
is a resend (same hash → acknowledged again, different hash → 409); `seq = mark + 1` is stored,
applied and advances the mark; a gap applies nothing and tells the kiosk where the hub is.
Business-rule rejections are acknowledged and reported back through the station's changes.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kiosk.hub.models import HubKiosk, HubKioskAudit, InboxOp, RequestNonce
from kiosk.hub.shared import HubError, PushedOp, _audit, _bulk_insert, _iso, _meta_int, _unique_violation
from kiosk.hub.stations import _assign_block, _block_hint, _numbering
from kiosk.wire import protocol

#: One logger for the hub's use cases (its name predates their modules).
log = logging.getLogger("kiosk.hub.core")


MAX_BATCH = 5000
#: A push whose insert met another process's dossier under the same code is done again (then the clash shows).
PUSH_ATTEMPTS = 3
#: Old nonces of a kiosk are swept when its stream passes a multiple of this, and at every push without ops.
NONCE_SWEEP_EVERY = 50


class Pushing:
    """The Hub's push: resends, gaps and conflicts, and the copy of the kiosk's audit chain."""

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
