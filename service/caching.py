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
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

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


def state_etag(state: StoreState, request: Request) -> str:
    """The ETag of the answer to ``request`` from ``state`` (weak, see the module)."""
    return etag_of(state, request.headers.get("accept", ""))


def etag_of(state: StoreState, accept: str) -> str:
    """The ETag of an answer from ``state`` to a request with this ``Accept`` header."""
    digest = hashlib.sha256()
    digest.update(repr((state.version, state.signature)).encode())
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


async def conditional_get(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Middleware: ETag and 304 on state-bound GET answers; Cache-Control on static files."""
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    if request.method not in ("GET", "HEAD"):
        return await call_next(request)
    if path.startswith("/static/"):
        response = await call_next(request)
        if response.status_code == 200:
            versioned = path.startswith(VERSIONED_PREFIXES)
            response.headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        return response
    if not _state_bound(path):
        return await call_next(request)
    current = state_etag(request.app.state.live.current, request)
    if _matches(request.headers.get("if-none-match"), current):
        return Response(status_code=304, headers={"ETag": current, "Cache-Control": REVALIDATE})
    response = await call_next(request)
    served: StoreState | None = getattr(request.state, "served", None)
    if response.status_code == 200 and served is not None:
        response.headers["ETag"] = state_etag(served, request)
        response.headers.setdefault("Cache-Control", REVALIDATE)
    return response
