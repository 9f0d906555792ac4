"""One truth for every worker: before a request is answered, whether the store changed under
this worker (another worker's import, or one on the command line), and if so the new state.

The look is the store's version stamp (:meth:`service.state.LiveState.is_stale`: a few ``stat``
calls for the GeoPackage, a one-row query for PostGIS). Under a crowd it is taken once per
turn of the event loop, not once per request (:class:`StalenessCheck`), and stays exact: a
request handled in a turn reached this worker before that turn began, so a look taken in that
turn was taken after the request was sent, and so after any import the client could have seen
finished. The next turn looks again.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.errors import WszError
from service.state import LiveState


class StalenessCheck:
    """:meth:`LiveState.is_stale` for code on the event loop, taken at most once per turn of
    the loop (see the module); any other thread asks ``live`` itself."""

    def __init__(self, live: LiveState) -> None:
        self.live = live
        self._stale: bool | None = None

    def is_stale(self) -> bool:
        """Whether the store changed since the served state was read (raises
        :class:`~geo.errors.WszError` when the store cannot be reached)."""
        if self._stale is None:
            self._stale = self.live.is_stale()
            asyncio.get_running_loop().call_soon(self.forget)
        return self._stale

    def forget(self) -> None:
        """Look again at the next question (a new turn, or a reload that just finished)."""
        self._stale = None


class FreshState:
    """Plain ASGI middleware: a store that changed is reloaded (off the event loop, once
    however many requests wait) before the request is answered. So every worker of ``wsz
    serve --workers N`` serves an import made through any other worker, or on the command
    line, from the moment it is done."""

    def __init__(self, app: ASGIApp, check: StalenessCheck) -> None:
        self.app = app
        self.check = check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            live = self.check.live
            try:
                stale = self.check.is_stale()
            except WszError as exc:  # the database is unreachable: serve the state held
                live.reload_error = str(exc)
                stale = False
            if stale:
                await run_in_threadpool(live.refresh)
                self.check.forget()
        await self.app(scope, receive, send)
