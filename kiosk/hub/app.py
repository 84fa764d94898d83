"""The hub's ASGI application (Starlette): thin HTTP over `kiosk.hub.core.Hub`, run by uvicorn.

Hub processes keep no state of their own: several can run behind a load balancer on one
PostgreSQL database. Database work runs in Starlette's thread pool (SQLAlchemy is synchronous).
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
from kiosk.hub.openapi import OPENAPI
from kiosk.hub.protocol import API

log = logging.getLogger(__name__)
MAX_BODY = 32 * 1024 * 1024


def _path_qs(request: Request) -> str:
    """The path and query exactly as sent (what the kiosk signed)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    return (raw + (b"?" + query if query else b"")).decode("latin-1")


async def _body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HubError(413, "too_large", "Yêu cầu quá lớn.", "Request body too large.")
    return body


def _error(exc: HubError) -> JSONResponse:
    return JSONResponse(exc.as_json(), status_code=exc.status)


def create_app(hub: Hub) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        try:
            return JSONResponse(await run_in_threadpool(hub.health))
        except Exception:
            log.exception("health check failed")
            return JSONResponse({"status": "error"}, status_code=503)

    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(OPENAPI)

    async def enrol(request: Request) -> JSONResponse:
        body = await _body(request)
        return JSONResponse(await run_in_threadpool(hub.enrol, "POST", _path_qs(request), body, request.headers))

    async def push(request: Request) -> JSONResponse:
        body = await _body(request)
        return JSONResponse(await run_in_threadpool(hub.push, "POST", _path_qs(request), body, request.headers))

    async def pull(request: Request) -> JSONResponse:
        try:
            after = int(request.query_params.get("after", "0"))
            limit = int(request.query_params.get("limit", "500"))
        except ValueError as exc:
            raise HubError(400, "bad_request", "Tham số không hợp lệ.", "Bad query parameters.") from exc
        after_uid = request.query_params.get("after_uid", "")
        body = await _body(request)
        result = await run_in_threadpool(
            hub.pull, "GET", _path_qs(request), body, request.headers, after, after_uid, limit)
        return JSONResponse(result)

    async def keys(request: Request) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(hub.station_keys, request.query_params.get("station")))

    async def lookup(request: Request) -> JSONResponse:
        body = await _body(request)
        code = request.path_params["tracking_code"]
        if not 0 < len(code) <= 40:
            raise HubError(400, "bad_request", "Mã hồ sơ không hợp lệ.", "Invalid tracking code.")
        return JSONResponse(await run_in_threadpool(hub.lookup, "GET", _path_qs(request), body, request.headers, code))

    async def dossier_status(request: Request) -> JSONResponse:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        actor = await run_in_threadpool(hub.backoffice_actor, token) if token else None
        if actor is None:
            raise HubError(401, "backoffice_auth", "Cần mã truy cập của bộ phận nghiệp vụ.", "A back-office token is needed.")
        try:
            data: dict[str, Any] = await request.json()
            status, note = str(data["status"]), str(data.get("note") or "")
        except (ValueError, KeyError, TypeError) as exc:
            raise HubError(400, "bad_request", "Yêu cầu không hợp lệ.", "Malformed request.") from exc
        code = request.path_params["tracking_code"]
        return JSONResponse(await run_in_threadpool(hub.set_status, code, status, note, actor))

    async def hub_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HubError)
        if exc.status >= 403 or exc.code in ("bad_signature", "replayed"):
            log.warning("refused %s %s: %s", request.method, request.url.path, exc.code)
        return _error(exc)

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route(f"{API}/enrol", enrol, methods=["POST"]),
        Route(f"{API}/push", push, methods=["POST"]),
        Route(f"{API}/pull", pull, methods=["GET"]),
        Route(f"{API}/keys", keys, methods=["GET"]),
        Route(f"{API}/status/{{tracking_code}}", lookup, methods=["GET"]),
        Route(f"{API}/backoffice/dossiers/{{tracking_code}}/status", dossier_status, methods=["POST"]),
    ]
    from kiosk.hub.queue import queue_routes

    routes += queue_routes(hub)  # the hall's queue and the ratings (kiosk/hub/queue.py)
    app = Starlette(routes=routes, exception_handlers={HubError: hub_error})
    app.state.hub = hub
    return app
