"""Small HTTP middlewares that keep the request's own Host header out of every answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response


async def relative_redirects(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Redirects to this service (``/embed`` → ``/embed/``) name the target by its path, not
    by the Host header the client sent (which would let a forged Host redirect elsewhere)."""
    response = await call_next(request)
    location = response.headers.get("location")
    if location and 300 <= response.status_code < 400:
        parts = urlsplit(location)
        if parts.netloc and parts.netloc == request.headers.get("host", ""):
            relative = parts.path + (f"?{parts.query}" if parts.query else "")
            response.headers["location"] = relative or "/"
    return response
