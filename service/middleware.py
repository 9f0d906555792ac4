"""What keeps the request's own words out of answers and logs: redirects by path (not by the
Host header), and credentials redacted from every URL the access log writes.

Also :class:`HeaderEditor`, the base of the service's header-editing middlewares: plain ASGI
(no ``BaseHTTPMiddleware``, whose task and memory stream per request and per layer cost more
than a small answer itself under load, issue 15), so a request passes each layer as one call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def request_path(scope: Scope) -> str:
    """The request's path below the app's root path (what the routes are declared with)."""
    path: str = scope["path"]
    return path.removeprefix(scope.get("root_path", ""))


class HeaderEditor:
    """Plain ASGI middleware editing the headers of every HTTP answer as it starts:
    subclasses implement :meth:`edit`, given the request's scope and the answer's start
    message (its status, and its headers to change in place: :func:`answer_headers`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def edited(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.edit(scope, message)
            await send(message)

        await self.app(scope, receive, edited)

    def edit(self, scope: Scope, start: Message) -> None:
        """Change the answer's headers (``start``, its ``http.response.start``) in place."""
        raise NotImplementedError


def answer_headers(start: Message) -> MutableHeaders:
    """The headers of an answer's ``http.response.start`` message, editable in place."""
    return MutableHeaders(scope=start)


class RelativeRedirects(HeaderEditor):
    """Redirects to this service (``/embed`` → ``/embed/``) name the target by its path, not
    by the Host header the client sent (which would let a forged Host redirect elsewhere)."""

    def edit(self, scope: Scope, start: Message) -> None:
        answer = answer_headers(start)
        location = answer.get("location")
        if location and 300 <= start["status"] < 400:
            parts = urlsplit(location)
            if parts.netloc and parts.netloc == Headers(scope=scope).get("host", ""):
                relative = parts.path + (f"?{parts.query}" if parts.query else "")
                answer["location"] = relative or "/"


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
