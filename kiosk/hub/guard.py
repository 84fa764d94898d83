"""The hub's front door (pure ASGI, outside Starlette): what a request may cost before anyone reads it.

In this order, before any parsing or authentication:
1. a source address with too many refused requests lately gets 429 at once;
2. the declared Content-Length is checked against the endpoint's limit (413 without reading);
3. the body is read, counting what arrives (chunked or a lying length), and refused (413) as soon
   as it passes the limit, so memory never holds more than one endpoint's limit per request;
4. a JSON body is checked for nesting, numbers and encoding (`kiosk.support.safejson`): 400 with a reason.
Every refusal carries a reason code; an unexpected error becomes a 500 that shows only a reference
number, the traceback going to the log under that number.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kiosk.support import safejson

log = logging.getLogger("kiosk.hub")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: The scope key an exception handler sets once it has logged an error under a reference.
LOGGED_KEY = "kiosk.error_reference"
#: The scope key the app sets when a refusal counts against the source address: the request proved no
#: kiosk's key (a replay or a stale timestamp of a duplicated packet is signed, and does not count).
COUNT_KEY = "kiosk.count_refusal"


@dataclass(frozen=True, slots=True)
class Limit:
    """What one endpoint accepts: the most body bytes, and whether the body is JSON."""

    body: int
    json: bool = False


def new_reference() -> str:
    """A short number the operator finds in the log (the traceback) and the client sees (nothing else)."""
    return "E-" + secrets.token_hex(4).upper()


def error_body(status: int, code: str, message_vi: str, message_en: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message_vi": message_vi, "message_en": message_en, **extra}


class FailureLimiter:
    """Refused requests per source address, as a token bucket: `burst` refusals at once, then one more
    every `refill_s` seconds. In memory, per hub process (a replica counts its own share)."""

    def __init__(self, burst: int = 20, refill_s: float = 3.0, max_sources: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.refill_s, self.max_sources, self.clock = burst, refill_s, max_sources, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _level(self, source: str, now: float) -> float:
        tokens, at = self._buckets.get(source, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - at) / self.refill_s)

    def retry_after(self, source: str) -> int:
        """Seconds until this source may be heard again; 0 when it may now."""
        with self._lock:
            if source not in self._buckets:
                return 0
            tokens = self._level(source, self.clock())
            return 0 if tokens >= 1 else max(1, math.ceil((1 - tokens) * self.refill_s))

    def failed(self, source: str) -> None:
        with self._lock:
            now = self.clock()
            self._buckets[source] = (self._level(source, now) - 1, now)
            self._buckets.move_to_end(source)
            while len(self._buckets) > self.max_sources:
                self._buckets.popitem(last=False)


class TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware around the hub's Starlette app (see the module's docstring)."""

    def __init__(self, app: Callable[..., Awaitable[None]], limit_for: Callable[[str, str], Limit],
                 limiter: FailureLimiter | None = None) -> None:
        self.app = app
        self.limit_for = limit_for
        self.limiter = limiter or FailureLimiter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        source = client[0] if client else "unknown"
        wait = self.limiter.retry_after(source)
        if wait:
            await _respond(send, 429, error_body(
                429, "too_many_failures", "Quá nhiều yêu cầu bị từ chối từ địa chỉ này; thử lại sau.",
                "Too many refused requests from this address; try again later.", retry_after=wait),
                {"retry-after": str(wait)})
            return
        status: list[int] = []

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self._handle(scope, receive, counting_send)
        except Exception:
            if not status:
                reference = scope.get(LOGGED_KEY) or new_reference()
                if LOGGED_KEY not in scope:
                    log.exception("unexpected error on %s %s (reference %s)", scope["method"], scope["path"], reference)
                await _respond(send, 500, internal_error_body(reference))
            elif LOGGED_KEY not in scope:
                log.exception("unexpected error on %s %s after the answer began", scope["method"], scope["path"])
        if scope.get(COUNT_KEY):
            self.limiter.failed(source)
            log.info("refused %s %s from %s: %s", scope["method"], scope["path"], source, status[0] if status else "-")

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[COUNT_KEY] = True  # refusals at this door count; the app clears it once it answers
        limit = self.limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared == -1:
            await _respond(send, 400, error_body(400, "bad_content_length", "Độ dài nội dung không hợp lệ.",
                                                 "Invalid Content-Length."))
            return
        if declared is not None and declared > limit.body:
            await _respond(send, *_over_limit(limit.body))
            return
        try:
            body = await _read_body(receive, limit.body)
        except TooLarge:
            await _respond(send, *_over_limit(limit.body))
            return
        if limit.json and body:
            try:
                safejson.check(body)
            except safejson.JsonRefused as exc:
                await _respond(send, 400, error_body(
                    400, exc.reason, f"Nội dung yêu cầu {exc.message_vi}.", f"The request body is {exc.message_en}."))
                return
        scope[COUNT_KEY] = False
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def internal_error_body(reference: str) -> dict[str, Any]:
    return error_body(500, "internal", f"Máy chủ gặp lỗi không mong đợi; báo quản trị mã {reference}.",
                      f"Unexpected server error; give the operator reference {reference}.", reference=reference)


def _over_limit(limit: int) -> tuple[int, dict[str, Any]]:
    if limit == 0:
        return 400, error_body(400, "unexpected_body", "Yêu cầu này không được có nội dung.",
                               "This request takes no body.")
    return 413, error_body(413, "too_large", f"Yêu cầu quá lớn (tối đa {limit} byte).",
                           f"Request body too large (at most {limit} bytes).", limit=limit)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when absent (chunked), -1 when unreadable or given twice differently."""
    values = {v for k, v in scope.get("headers", []) if k == b"content-length"}
    if not values:
        return None
    if len(values) > 1:
        return -1
    raw = values.pop()
    if not raw.isdigit() or len(raw) > 18:
        return -1
    return int(raw)


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    body = json.dumps(payload, ensure_ascii=False).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status in (413, 429) or status >= 500:
        # Do not read (or wait for) the rest of what the client is still sending.
        raw.append((b"connection", b"close"))
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def signed_path(request) -> str:
    """The path and query exactly as sent (what the kiosk signed)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return (raw + (b"?" + query if query else b"")).decode("latin-1")


async def guarded_body(request) -> bytes:
    """The body, already bounded and checked by this guard in front of the app."""
    return await request.body()
