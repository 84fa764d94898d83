"""HTTP client of the hub: signs every request with the kiosk's key and sorts failures into kinds.

Transient failures (network, timeouts, 5xx) are `HubUnreachable` and are retried by the sync
service with backoff; refusals (401/403/409) are not retried: the kiosk stops and alerts.
httpx's own transport retries only failed connections.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.hub import protocol
from kiosk.services.errors import ServiceError
from kiosk.services.identity import KioskIdentity


class HubUnreachable(ServiceError):
    """The hub could not be reached or answered with a server error; try again later."""

    code = "hub_unreachable"


class HubRefused(ServiceError):
    """The hub refused the request; `reason` is its code, `message_vi` its sentence."""

    code = "hub_refused"

    def __init__(self, status: int, reason: str, message_vi: str, detail: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason
        self.message_vi = message_vi
        self.detail = detail or {}


class HubConflict(HubRefused):
    """409: the hub holds different content under a sequence number this kiosk sent."""

    code = "hub_conflict"


class Replayed(HubRefused):
    """The hub already saw this request's nonce: a proxy or load balancer delivered it twice. The request is
    signed again with a new nonce and sent again (pushes and pulls are idempotent)."""

    code = "replayed"


class ClockSkew(HubRefused):
    """The request's timestamp was outside the hub's replay window; `hub_time` is the hub's clock."""

    code = "clock_skew"


class HubClient:
    def __init__(
        self,
        base_url: str,
        who: KioskIdentity,
        key: Ed25519PrivateKey,
        clock_offset_s: int = 0,
        transport: httpx.BaseTransport | None = None,
        timeout_s: float = 15.0,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.who = who
        self.key = key
        self.clock_offset_s = clock_offset_s
        #: The block this kiosk numbers in, sent with each push (the hub keeps it if it had none for the kiosk).
        self.numbering: dict[str, Any] | None = None
        self.wall = wall
        # An injected transport (a test network, a shared pool) outlives this client.
        self._owns_transport = transport is None
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport or httpx.HTTPTransport(retries=1),
            timeout=timeout_s,
            headers={"user-agent": "kiosk-sync/1"},
        )

    def close(self) -> None:
        if self._owns_transport:
            self.http.close()

    def _signed(self, method: str, path: str, body: bytes = b"", params: dict[str, Any] | None = None) -> httpx.Request:
        request = self.http.build_request(method, path, content=body, params=params,
                                          headers={"content-type": "application/json"} if body else None)
        headers = protocol.SignedHeaders(
            self.who.kiosk_id, self.who.instance_uuid, self.who.epoch,
            int(self.wall()) + self.clock_offset_s, secrets.token_hex(16),
        )
        signed = protocol.sign_request(self.key, method, request.url.raw_path.decode(), body, headers)
        request.headers.update(signed.as_dict())
        return request

    def _send(self, request: httpx.Request) -> dict[str, Any]:
        try:
            response = self.http.send(request)
        except httpx.TransportError as exc:
            raise HubUnreachable(f"{type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:  # 429: the hub says "later", as when down
            raise HubUnreachable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except (json.JSONDecodeError, ValueError) as exc:
            raise HubUnreachable(f"HTTP {response.status_code}: not JSON") from exc
        if response.status_code == 200:
            return data
        reason = str(data.get("error", "refused"))
        message = str(data.get("message_vi", "Máy chủ từ chối yêu cầu."))
        if response.status_code == 409 and reason == "conflict":
            raise HubConflict(409, reason, message, data)
        if reason == "stale_timestamp":
            raise ClockSkew(response.status_code, reason, message, data)
        if reason == "replayed":
            raise Replayed(response.status_code, reason, message, data)
        raise HubRefused(response.status_code, reason, message, data)

    def enrol(self, code: str, public_key: str, unit_id: str = "",
              numbering: dict[str, Any] | None = None, after: int | None = None) -> dict[str, Any]:
        """Enrol (or rejoin) with a one-time code; the answer carries the station and the block of the daily
        sequence the hub gives this kiosk (`numbering`); `numbering` sent is the block the kiosk uses now. A
        rejoining kiosk also sends `after`, its acknowledged position, and the hub answers with the hashes of the
        ops it holds beyond it (`held`)."""
        fields: dict[str, Any] = {
            "code": code, "kiosk_id": self.who.kiosk_id, "public_key": public_key,
            "instance_uuid": self.who.instance_uuid, "epoch": self.who.epoch, "unit_id": unit_id,
            "numbering": numbering,
        }
        if after is not None:
            fields["after"] = after
        body = protocol.canonical_json(fields).encode()
        return self._send(self._signed("POST", f"{protocol.API}/enrol", body))

    def push(self, ops: list[dict[str, Any]], audit_head: dict[str, Any] | None,
             audit_entries: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        body = json.dumps({"ops": ops, "audit_head": audit_head, "audit_entries": list(audit_entries),
                           "numbering": self.numbering}, separators=(",", ":"), ensure_ascii=False).encode()
        return self._send(self._signed("POST", f"{protocol.API}/push", body))

    def pull(self, after: int, after_uid: str, limit: int) -> dict[str, Any]:
        params = {"after": after, "after_uid": after_uid, "limit": limit}
        return self._send(self._signed("GET", f"{protocol.API}/pull", params=params))

    def status(self, tracking_code: str, issuer: str = "") -> dict[str, Any]:
        """A dossier's or account request's status as the hub holds it (`found` false when it has none);
        `issuer`, the kiosk that signed the receipt, picks the dossier when two answer to one code."""
        params = {"issuer": issuer} if issuer else None
        return self._send(self._signed("GET", f"{protocol.API}/status/{quote(tracking_code, safe='')}", params=params))

    def keys(self) -> dict[str, Any]:
        return self._send(self._signed("GET", f"{protocol.API}/keys"))
