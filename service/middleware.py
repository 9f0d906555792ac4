"""What keeps the request's own words out of answers and logs: redirects by path (not by the
Host header), and credentials redacted from every URL the access log writes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

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


#: What a redacted credential reads as in a logged URL.
REDACTED = "[redacted]"


def redact_url(path: str, is_secret: Callable[[str], bool]) -> str:
    """``path`` (with its query) with the value of every parameter ``is_secret`` names
    replaced by :data:`REDACTED`.

    >>> redact_url("/imports/zones?api_key=s3cret&mode=upsert", lambda n: n == "api_key")
    '/imports/zones?api_key=%5Bredacted%5D&mode=upsert'
    """
    parts = urlsplit(path)
    if not parts.query:
        return path
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(is_secret(name) for name, _ in pairs):
        return path
    safe = [(name, REDACTED if is_secret(name) else value) for name, value in pairs]
    return f"{parts.path}?{urlencode(safe)}"


class RedactingAccessLog(logging.Filter):
    """A filter for uvicorn's access log (``uvicorn.access``): its URL argument with keys
    redacted (a key sent in the URL by mistake never lands in the log in full)."""

    def __init__(self, is_secret: Callable[[str], bool]) -> None:
        super().__init__()
        self.is_secret = is_secret

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the request line's URL (uvicorn passes it as the third argument)."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_url(args[2], self.is_secret), *args[3:])
        return True


def redact_access_log(is_secret: Callable[[str], bool]) -> None:
    """Install :class:`RedactingAccessLog` on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactingAccessLog) for f in access.filters):
        access.addFilter(RedactingAccessLog(is_secret))
