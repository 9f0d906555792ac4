"""Answers that depend only on the served state, kept as bytes: built once per state, then
sent as they are (issue 15, "fast reads").

The zones, buurten, voorzieningen, coverage, export, OGC, map and embed answers
are a function of the served state, the URL and the ``Accept`` header alone (links are built
from the configured public base URL, never from the request's Host). So the first ``GET``
of such a URL in a state is answered by the app as usual, and its complete answer — status
200, headers (the state's ``ETag`` among them) and body, gzipped when the client accepted gzip
— is kept; every later identical request in that state is sent those bytes without passing
through routing, dependencies, serialisation or compression. A ``If-None-Match`` naming the
kept ``ETag`` gets its ``304`` from here too.

This is a plain ASGI middleware (no ``BaseHTTPMiddleware``: its task and stream per request
is most of the cost of a small answer). It holds at most ``max_bytes`` of answers (least
recently used first out; an answer larger than ``max_entry_bytes`` is never kept); a new state
makes every kept answer unreachable, and they are dropped the first time the new state stores
one. A worker whose store changed under it (another worker's import) is not served from here
until it has reloaded: the look at the store's stamp comes first. Identical requests that
arrive while the first of them is being answered wait for that answer (single flight): the
first request of a state under a crowd builds it once, not once per waiting client.

The per-point answers (``/lookup``, ``/route``, ``/isochrone``, ``/addresses``) are not kept:
their URL differs with every point, so keeping them would only push the shared answers out.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from geo.errors import WszError
from service.caching import etag_of
from service.freshness import StalenessCheck
from service.state import StoreState

#: Paths whose answers depend only on the state, the URL and ``Accept`` (see the module).
KEPT_PREFIXES = (
    "/zones",
    "/voorzieningen",
    "/coverage",
    "/export/",
    "/ogc",
    "/maps/",
    "/embed/",
)


@dataclass(frozen=True)
class KeptAnswer:
    """A complete ``200`` answer: its headers (raw ASGI pairs) and body."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


class AnswerStore:
    """Kept answers by key, at most ``max_bytes`` of bodies in all (least recently used out);
    shared by the request threads and the event loop, so every access holds a lock."""

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._answers: OrderedDict[Hashable, KeptAnswer] = OrderedDict()
        self._size = 0
        self._state: Hashable = None
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        #: Answers put (each one built by the app once).
        self.kept = 0

    def __len__(self) -> int:
        return len(self._answers)

    @property
    def size(self) -> int:
        """Bytes of kept bodies."""
        return self._size

    def get(self, key: Hashable) -> KeptAnswer | None:
        """The answer kept for ``key`` (marked as used), or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, state: Hashable, key: Hashable, answer: KeptAnswer) -> None:
        """Keep ``answer`` for ``key`` of ``state`` (a new state first drops every kept
        answer of the old one); too large an answer is not kept."""
        if len(answer.body) > self.max_entry_bytes:
            return
        with self._lock:
            if state != self._state:
                self._answers.clear()
                self._size = 0
                self._state = state
            old = self._answers.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._answers[key] = answer
            self._size += len(answer.body)
            self.kept += 1
            while self._size > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._size -= len(dropped.body)


def kept_path(path: str) -> bool:
    """Whether answers to ``path`` are kept (see :data:`KEPT_PREFIXES`).

    >>> kept_path("/zones/Z1"), kept_path("/lookup"), kept_path("/embed/")
    (True, False, True)
    """
    return path.startswith(KEPT_PREFIXES)


def _etag_matches(header: str | None, etag: bytes) -> bool:
    if not header:
        return False
    wanted = etag.decode("latin-1").removeprefix("W/")
    return any(
        part.strip() == "*" or part.strip().removeprefix("W/") == wanted
        for part in header.split(",")
    )


class StateAnswerCache:
    """ASGI middleware keeping state-bound answers as bytes (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        check: StalenessCheck,
        store: AnswerStore,
    ) -> None:
        self.app = app
        self.live = check.live
        self.check = check
        self.store = store
        #: Answers being built now, by key: identical requests arriving meanwhile wait for
        #: the first one's answer instead of each building it (one event loop per worker).
        self._building: dict[Hashable, asyncio.Event] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self._keepable(scope):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        state = self.live.current
        key = (
            state.version,
            state.signature,
            scope.get("root_path", ""),
            scope["path"],
            scope.get("query_string", b""),
            headers.get("accept", ""),
            "gzip" in headers.get("accept-encoding", ""),
        )
        kept = self.store.get(key)
        if kept is None and key in self._building:  # the same answer is being built: wait
            await self._building[key].wait()
            kept = self.store.get(key)
        if kept is not None:
            await self._send_kept(kept, headers, send)
            return
        built = self._building.setdefault(key, asyncio.Event())
        try:
            await self._answer_and_keep(scope, receive, send, state, key)
        finally:
            if self._building.get(key) is built:
                del self._building[key]
            built.set()

    def _keepable(self, scope: Scope) -> bool:
        path = scope["path"].removeprefix(scope.get("root_path", ""))
        if not kept_path(path) or self.live.current.published is None:
            return False
        try:
            return not self.check.is_stale()
        except WszError:  # the database is unreachable: the inner middleware says so
            return False

    @staticmethod
    async def _send_kept(kept: KeptAnswer, headers: Headers, send: Send) -> None:
        if _etag_matches(headers.get("if-none-match"), kept.etag):
            not_modified = [(b"etag", kept.etag), (b"cache-control", b"no-cache")]
            await send({"type": "http.response.start", "status": 304, "headers": not_modified})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(kept.headers)})
        await send({"type": "http.response.body", "body": kept.body})

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, state: StoreState, key: Hashable
    ) -> None:
        """Let the app answer; pass every message on, and keep a whole 200 of ``state``."""
        expected = etag_of(state, Headers(scope=scope).get("accept", "")).encode("latin-1")
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message if message["status"] == 200 else None
            elif message["type"] == "http.response.body" and start is not None:
                body = message.get("body", b"")
                size += len(body)
                if size > self.store.max_entry_bytes:
                    start, chunks[:] = None, []
                else:
                    chunks.append(body)
                    if not message.get("more_body", False):
                        self._keep(state, key, start, b"".join(chunks), expected)
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(
        self, state: StoreState, key: Hashable, start: Message, body: bytes, expected: bytes
    ) -> None:
        raw = tuple((bytes(name), bytes(value)) for name, value in start.get("headers", ()))
        etag = next((value for name, value in raw if name.lower() == b"etag"), None)
        # Only an answer served from the state the key names (its ETag says which state).
        if etag != expected:
            return
        # Sent whole: its length is known (the app may have streamed it without one).
        sized = tuple(pair for pair in raw if pair[0].lower() != b"content-length")
        sized += ((b"content-length", str(len(body)).encode()),)
        kept = KeptAnswer(headers=sized, body=body, etag=etag)
        self.store.put((state.version, state.signature), key, kept)
