"""Answers a browser or proxy may keep: ETags on everything that depends only on the served
state, ``304 Not Modified`` when the client already has it, and long-lived caching of the
versioned static files (Leaflet's own version, the residents' map's content hash).

A data answer's ETag is the served state (store version and the files it was read with: the
active street network and the address table) and the request's ``Accept`` header (the OGC
routes negotiate on it): the same URL gives the same bytes until an import changes the state.
The ETag is weak (``W/``): gzip may change the bytes, not the meaning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from functools import lru_cache

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.middleware import answer_headers, request_path
from service.state import StoreState

#: Static files whose URL changes with their content: kept for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Everything else that may be kept: asked again each time (a 304 when unchanged).
REVALIDATE = "no-cache"
#: Paths whose answers change without the store changing (or are not data): no ETag.
UNTAGGED_PREFIXES = (
    "/health", "/imports", "/docs", "/redoc", "/openapi.json", "/static/",
    "/whatif/scenarios", "/maps/scenario/",  # saved scenarios change with the store unchanged
)  # fmt: skip
#: Static paths versioned by content or package version.
VERSIONED_PREFIXES = ("/static/vendor/", "/static/embed-", "/static/docs/")


def etag_of(state: StoreState, accept: str) -> str:
    """The ETag of an answer from ``state`` to a request with this ``Accept`` header."""
    return _etag(state.version, state.signature, accept)


@lru_cache(maxsize=256)
def _etag(version: str | None, signature: Hashable, accept: str) -> str:
    """(Kept: every state-bound request asks for it, once or twice, with the same few.)"""
    digest = hashlib.sha256()
    digest.update(repr((version, signature)).encode())
    digest.update(b"\0" + accept.encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def _matches(header: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison, RFC 9110 §13.1.2)."""
    if not header:
        return False
    wanted = tag.removeprefix("W/")
    return any(
        part.strip() == "*" or part.strip().removeprefix("W/") == wanted
        for part in header.split(",")
    )


def _state_bound(path: str) -> bool:
    return not path.startswith(UNTAGGED_PREFIXES)


class ConditionalGet:
    """Plain ASGI middleware: ETag and 304 on state-bound GET answers; Cache-Control on
    static files. The ETag is that of the state the request was served from (the state the
    route took, :func:`service.deps.get_state`); a 304 compares with the current one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = request_path(scope)
        if path.startswith("/static/"):
            edit = _static_cache_control(path.startswith(VERSIONED_PREFIXES))
        elif _state_bound(path):
            request = Headers(scope=scope)
            accept = request.get("accept", "")
            current = etag_of(scope["app"].state.live.current, accept)
            if _matches(request.get("if-none-match"), current):
                headers = [(b"etag", current.encode()), (b"cache-control", REVALIDATE.encode())]
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
            edit = _state_etag(scope, accept)
        else:
            await self.app(scope, receive, send)
            return

        async def edited(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                edit(answer_headers(message))
            await send(message)

        await self.app(scope, receive, edited)


def _static_cache_control(versioned: bool) -> Callable[[MutableHeaders], None]:
    def edit(headers: MutableHeaders) -> None:
        headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE

    return edit


def _state_etag(scope: Scope, accept: str) -> Callable[[MutableHeaders], None]:
    def edit(headers: MutableHeaders) -> None:
        # Set by the route's state dependency (``request.state.served``), if it took one.
        served: StoreState | None = scope.get("state", {}).get("served")
        if served is not None:
            headers["ETag"] = etag_of(served, accept)
            headers.setdefault("Cache-Control", REVALIDATE)

    return edit
