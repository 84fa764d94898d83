"""HTTP client of the hub: signs every request with the kiosk's key, checks the hub's signature on every
answer, and sorts failures into kinds.

Transient failures (network, timeouts, 5xx, 429) are `HubUnreachable` and are retried by the sync
service with backoff; refusals (401/403/409) are not retried: the kiosk stops and alerts.
Every other answer must carry the hub's signature under the key the kiosk pinned at enrolment, bound to
this request's nonce: anything else is `HubAnswerForged` (a machine on the path changed it), never acted
on. A hub on another machine is spoken to over HTTPS only (unless a lab kiosk was enrolled with
`--insecure-http`); its certificate is checked against the CA file of the `hub_ca_file` setting, else the
system's store. httpx's own transport retries only failed connections.
"""

from __future__ import annotations

import functools
import hmac
import ipaddress
import json
import secrets
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.services.errors import ServiceError
from kiosk.services.identity import KioskIdentity
from kiosk.wire import protocol


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


class HubAnswerForged(HubRefused):
    """An answer that does not carry the pinned hub's signature for this request: altered on the way, or not
    the hub's. Nothing in it is used."""

    code = "hub_answer_forged"


class HubKeyUnpinned(HubRefused):
    """This kiosk holds no pinned key of its hub, so no answer can be checked (enrolled before hub keys)."""

    code = "hub_key_unpinned"


class TlsUntrusted(HubRefused):
    """The hub's TLS certificate is not trusted by the CA of the `hub_ca_file` setting (or the system's store)."""

    code = "tls_untrusted"


def loopback_url(url: str) -> bool:
    """Whether a hub address is this machine (an IP on the loopback, or the name localhost): never resolved."""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def transport_problem(url: str, insecure_http: bool = False) -> str | None:
    """Why this kiosk must not talk to `url`, in Vietnamese (None when it may); see `transport_refusal`."""
    refusal = transport_refusal(url, insecure_http)
    return refusal[0] if refusal else None


def transport_refusal(url: str, insecure_http: bool = False) -> tuple[str, str] | None:
    """Why this kiosk must not talk to `url`, (Vietnamese, English), None when it may: https anywhere, http only
    on this machine or, for a lab, with `--insecure-http`."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "https" or (scheme == "http" and (loopback_url(url) or insecure_http)):
        return None
    if scheme == "http":
        return ("Máy chủ đồng bộ ở máy khác phải dùng https:// (dữ liệu công dân đi qua mạng). Chỉ trong phòng thử "
                "nghiệm mới dùng --insecure-http.",
                "A sync hub on another machine must use https:// (citizens' data crosses the network). Only a lab "
                "uses --insecure-http.")
    return ("Địa chỉ máy chủ phải bắt đầu bằng https:// (hoặc http:// trên chính máy này).",
            "The hub's address must start with https:// (or http:// on this very machine).")


@functools.lru_cache(maxsize=4)
def tls_context(ca_file: str = "") -> ssl.SSLContext:
    """Certificates checked against the CA file of the `hub_ca_file` setting, else the system's store (one context
    per file, shared by the clients: loading a store costs milliseconds)."""
    if ca_file:
        try:
            return ssl.create_default_context(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise HubRefused(0, "bad_ca_file", f"Không đọc được tệp chứng chỉ CA {ca_file} (cài đặt hub_ca_file): "
                                               f"{exc}.") from None
    return ssl.create_default_context()


def _tls_failure(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


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
        hub_key: bytes | None = None,
        ca_file: str = "",
    ) -> None:
        self.who = who
        self.key = key
        #: The hub's public key pinned at enrolment: every answer must be signed with it. None only while
        #: enrolling (the enrolment answer proves the key with the code) or reading it for the first time.
        self.hub_key = hub_key
        self.clock_offset_s = clock_offset_s
        #: The block this kiosk numbers in, sent with each push (the hub keeps it if it had none for the kiosk).
        self.numbering: dict[str, Any] | None = None
        self.wall = wall
        # An injected transport (a test network, a shared pool) outlives this client.
        self._owns_transport = transport is None
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport or httpx.HTTPTransport(retries=1, verify=tls_context(ca_file)),
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

    def _exchange(self, request: httpx.Request) -> tuple[httpx.Response, dict[str, Any]]:
        try:
            response = self.http.send(request)
        except httpx.TransportError as exc:
            if _tls_failure(exc):
                raise TlsUntrusted(0, "tls_untrusted",
                                   "Chứng chỉ TLS của máy chủ đồng bộ không được tin cậy: kiểm tra tệp CA trong cài đặt "
                                   "hub_ca_file (hoặc kho chứng chỉ của hệ thống) và tên máy chủ trong chứng chỉ.",
                                   {"detail": str(exc)[:300]}) from exc
            raise HubUnreachable(f"{type(exc).__name__}") from exc
        if response.status_code >= 500 or response.status_code == 429:  # 429: the hub says "later", as when down
            raise HubUnreachable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except (json.JSONDecodeError, ValueError) as exc:
            raise HubUnreachable(f"HTTP {response.status_code}: not JSON") from exc
        if not isinstance(data, dict):
            raise HubUnreachable(f"HTTP {response.status_code}: not a JSON object")
        return response, data

    def _check_answer(self, request: httpx.Request, response: httpx.Response, hub_key: bytes | None = None) -> None:
        """The answer must be signed by the pinned hub key, for this very request (its nonce)."""
        hub_key = hub_key or self.hub_key
        if hub_key is None:
            raise HubKeyUnpinned(0, "hub_key_unpinned",
                                 "Kiosk chưa ghim khóa của máy chủ nên không kiểm tra được câu trả lời; đăng ký lại "
                                 "với mã do máy chủ cấp (kiosk enrol --rejoin --code …).")
        if not protocol.verify_answer(hub_key, response.headers.get(protocol.H_HUB_SIGNATURE), response.status_code,
                                      request.method, request.url.raw_path.decode(),
                                      request.headers.get(protocol.H_NONCE, ""), response.content):
            raise HubAnswerForged(
                response.status_code, "hub_answer_forged",
                "Câu trả lời nhận được KHÔNG mang chữ ký của máy chủ đồng bộ đã đăng ký (có thể bị sửa trên đường "
                "truyền): kiosk không dùng nó. Báo quản trị viên kiểm tra mạng và máy chủ.",
                {"path": request.url.path, "status": response.status_code})

    def _send(self, request: httpx.Request) -> dict[str, Any]:
        response, data = self._exchange(request)
        self._check_answer(request, response)
        if response.status_code == 200:
            return data
        raise self._refusal(response, data)

    @staticmethod
    def _refusal(response: httpx.Response, data: dict[str, Any]) -> HubRefused:
        reason = str(data.get("error", "refused"))
        message = str(data.get("message_vi", "Máy chủ từ chối yêu cầu."))
        if response.status_code == 409 and reason == "conflict":
            return HubConflict(409, reason, message, data)
        if reason == "stale_timestamp":
            return ClockSkew(response.status_code, reason, message, data)
        if reason == "replayed":
            return Replayed(response.status_code, reason, message, data)
        return HubRefused(response.status_code, reason, message, data)

    def enrol(self, code: str, public_key: str, unit_id: str = "",
              numbering: dict[str, Any] | None = None, after: int | None = None) -> dict[str, Any]:
        """Enrol (or rejoin) with a one-time code. The code itself never travels: the hub finds it by its hash
        and proves, with a key derived from it, that the signing key it announces is its own; the kiosk then
        checks the answer's signature with that key (or with the key it pinned before, which must not change).
        The answer carries the id the hub gives this kiosk, its station and units, and its block of the daily
        sequence (`numbering`); `numbering` sent is the block the kiosk uses now. A rejoining kiosk also sends
        `after`, its acknowledged position, and the hub answers with the hashes of the ops it holds beyond it
        (`held`)."""
        fields: dict[str, Any] = {
            "code_id": protocol.code_id(code), "public_key": public_key, "instance_uuid": self.who.instance_uuid,
            "epoch": self.who.epoch, "unit_id": unit_id, "numbering": numbering,
        }
        if after is not None:
            fields["after"] = after
        body = protocol.canonical_json(fields).encode()
        request = self._signed("POST", f"{protocol.API}/enrol", body)
        response, data = self._exchange(request)
        if response.status_code != 200:
            if self.hub_key is not None:  # a pinned hub's refusal is checked like any answer
                self._check_answer(request, response)
            raise self._refusal(response, data)
        announced = str(data.get("hub_key") or "")
        try:
            hub_key = protocol.unb64u(announced)
        except ValueError:
            hub_key = b""
        proof = protocol.enrol_proof(protocol.code_confirm_key(code), announced, public_key,
                                     request.headers.get(protocol.H_NONCE, ""))
        if len(hub_key) != 32 or not hmac.compare_digest(proof, str(data.get("hub_key_proof") or "")):
            raise HubAnswerForged(
                200, "hub_key_unproven",
                "Máy chủ trả lời đăng ký mà không chứng minh được khóa của mình bằng mã đăng ký: có thể đây không "
                "phải máy chủ đã cấp mã (hoặc câu trả lời bị sửa trên đường truyền). Kiosk KHÔNG đăng ký.",
                {"path": request.url.path})
        if self.hub_key is not None and hub_key != self.hub_key:
            raise HubAnswerForged(
                200, "hub_key_changed",
                "Máy chủ trả lời bằng một khóa KHÁC khóa kiosk đã ghim khi đăng ký: kiosk không dùng câu trả lời. "
                "Báo quản trị viên.", {"path": request.url.path})
        self._check_answer(request, response, hub_key)
        return data

    def identity(self) -> dict[str, Any]:
        """The hub's public signing key, as it announces it (trusted only over a checked TLS connection)."""
        request = self._signed("GET", f"{protocol.API}/hub")
        response, data = self._exchange(request)
        try:
            announced = protocol.unb64u(str(data.get("public_key") or ""))
        except ValueError:
            announced = b""
        if response.status_code != 200 or len(announced) != 32:
            raise HubRefused(response.status_code, "no_hub_key", "Máy chủ không cho biết khóa ký của mình.")
        self._check_answer(request, response, self.hub_key or announced)
        return data

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
