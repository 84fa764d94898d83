"""The hub's ASGI application (Starlette): thin HTTP over `kiosk.hub.core.Hub`, run by uvicorn.

Hub processes keep no state of their own (beyond each one's count of refused requests per source
address): several can run behind a load balancer on one PostgreSQL database. Database work runs in
Starlette's thread pool (SQLAlchemy is synchronous). `kiosk.hub.guard` sits in front: body limits
per endpoint, JSON limits, refusal counting and reference numbers for unexpected errors; in front of it
`kiosk.hub.signing.SignedAnswers` signs every answer with the hub's key, which kiosks pin at enrolment.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kiosk.hub.core import Hub, HubError
from kiosk.hub.guard import (
    COUNT_KEY,
    LOGGED_KEY,
    FailureLimiter,
    Guard,
    Limit,
    guarded_body,
    internal_error_body,
    new_reference,
    signed_path,
)
from kiosk.hub.openapi import OPENAPI
from kiosk.hub.signing import SignedAnswers
from kiosk.support import safejson
from kiosk.wire.protocol import API

log = logging.getLogger(__name__)
#: A push: up to 2000 ops cut at 4 MiB of payload by the kiosk, one portrait past the cut at most.
MAX_PUSH_BODY = 32 * 1024 * 1024
#: An enrolment or a back-office decision: a few hundred bytes of JSON.
MAX_SMALL_BODY = 16 * 1024
#: GET requests carry no body (the kiosk signs an empty one): any body is refused.
MAX_GET_BODY = 0
#: Query numbers are cursors and counts: within what JSON carries exactly (RFC 7493 §2.2).
MAX_QUERY_INT = safejson.MAX_SAFE_INTEGER


#: Refusals of requests that proved no kiosk's key or back-office token: counted against the source address.
#: (A replayed or stale request is signed: a network that duplicates packets makes them for a real kiosk.)
UNPROVEN = frozenset({
    "unsigned", "unknown_kiosk", "bad_signature", "bad_code", "code_used", "code_expired", "code_for_another_kiosk",
    "backoffice_auth", "bad_request", "bad_query", "bad_unit", "code_needs_renewal",
})


def limit_for(method: str, path: str) -> Limit:
    """Each endpoint's body limit, looked up before anything is read."""
    if method == "POST" and path == f"{API}/push":
        return Limit(MAX_PUSH_BODY, json=True)
    if method == "POST":
        return Limit(MAX_SMALL_BODY, json=True)
    return Limit(MAX_GET_BODY)


def _query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or len(raw) > 16 or not low <= int(raw) <= high:
        raise HubError(400, "bad_query", f"Tham số '{name}' phải là số nguyên từ {low} đến {high}.",
                       f"Query parameter '{name}' must be an integer from {low} to {high}.", parameter=name)
    return int(raw)


def _error(exc: HubError) -> JSONResponse:
    return JSONResponse(exc.as_json(), status_code=exc.status)


def create_app(hub: Hub, limiter: FailureLimiter | None = None) -> SignedAnswers:
    """The hub's ASGI application: every answer signed with the hub's key (outermost, so the front door's own
    refusals are signed too), then the front door, then the routes. Long because each route is a closure over
    `hub`, a few lines each, listed where the routing table can see them."""
    async def health(request: Request) -> JSONResponse:
        try:
            return JSONResponse(await run_in_threadpool(hub.health))
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "error"}, status_code=503)

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    async def identity(request: Request) -> JSONResponse:
        return JSONResponse(hub.identity())

    async def enrol(request: Request) -> JSONResponse:
        body = await guarded_body(request)
        return JSONResponse(await run_in_threadpool(hub.enrol, "POST", signed_path(request), body, request.headers))

    async def push(request: Request) -> JSONResponse:
        body = await guarded_body(request)
        return JSONResponse(await run_in_threadpool(hub.push, "POST", signed_path(request), body, request.headers))

    async def pull(request: Request) -> JSONResponse:
        after = _query_int(request, "after", 0, 0, MAX_QUERY_INT)
        limit = _query_int(request, "limit", 500, 1, 100_000)
        after_uid = request.query_params.get("after_uid", "")
        if len(after_uid) > 64:
            raise HubError(400, "bad_query", "Tham số 'after_uid' quá dài.", "Query parameter 'after_uid' is too long.",
                           parameter="after_uid")
        body = await guarded_body(request)
        result = await run_in_threadpool(
            hub.pull, "GET", signed_path(request), body, request.headers, after, after_uid, limit)
        return JSONResponse(result)

    async def keys(request: Request) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(hub.station_keys, request.query_params.get("station")))

    async def lookup(request: Request) -> JSONResponse:
        body = await guarded_body(request)
        code = request.path_params["tracking_code"]
        if not 0 < len(code) <= 40:
            raise HubError(400, "bad_request", "Mã hồ sơ không hợp lệ.", "Invalid tracking code.")
        issuer = request.query_params.get("issuer", "")[:64]
        return JSONResponse(await run_in_threadpool(hub.lookup, "GET", signed_path(request), body, request.headers, code,
                                                    issuer))

    async def dossier_status(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        actor = await run_in_threadpool(hub.backoffice_actor, token) if token else None
        if actor is None:
            raise HubError(401, "backoffice_auth", "Cần mã truy cập của bộ phận nghiệp vụ.", "A back-office token is needed.")
        try:
            data: dict[str, Any] = safejson.loads(await guarded_body(request))
            status, note = data["status"], data.get("note") or ""
            if not isinstance(status, str) or not isinstance(note, str):
                raise TypeError("status and note are text")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HubError(400, "bad_request", "Yêu cầu không hợp lệ.", "Malformed request.") from exc
        code = request.path_params["tracking_code"]
        return JSONResponse(await run_in_threadpool(hub.set_status, code, status, note, actor))

    async def hub_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HubError)
        request.scope[COUNT_KEY] = exc.code in UNPROVEN
        if exc.status >= 403 or exc.code in ("bad_signature", "replayed"):
            log.warning("refused %s %s: %s", request.method, request.url.path, exc.code)
        return _error(exc)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        reference = new_reference()
        request.scope[LOGGED_KEY] = reference
        log.error("unexpected error on %s %s (reference %s)", request.method, request.url.path, reference,
                  exc_info=exc)
        return JSONResponse(internal_error_body(reference), status_code=500)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route(f"{API}/hub", identity, methods=["GET"]),
        Route(f"{API}/enrol", enrol, methods=["POST"]),
        Route(f"{API}/push", push, methods=["POST"]),
        Route(f"{API}/pull", pull, methods=["GET"]),
        Route(f"{API}/keys", keys, methods=["GET"]),
        Route(f"{API}/status/{{tracking_code}}", lookup, methods=["GET"]),
        Route(f"{API}/backoffice/dossiers/{{tracking_code}}/status", dossier_status, methods=["POST"]),
    ]
    from kiosk.hub.queue import queue_routes

    routes += queue_routes(hub)  # the hall's queue and the ratings (kiosk/hub/queue.py)
    app = Starlette(routes=routes, exception_handlers={HubError: hub_error, Exception: unexpected})
    app.state.hub = hub
    return SignedAnswers(Guard(app, limit_for, limiter), hub.signer)
