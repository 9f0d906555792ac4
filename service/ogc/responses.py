"""How OGC API routes answer: 400 for bad parameters, JSON or HTML by negotiation."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from geo.errors import QueryError
from service.errors import problem, problem_type
from service.ogc.links import Format

#: Documented error answers of every OGC route (bodies are RFC 9457 problem+json).
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unknown or malformed query parameter (problem+json)."},
    404: {"description": "Unknown collection or feature (problem+json)."},
}


class OgcRoute(APIRoute):
    """A route whose malformed parameters are answered 400 (as OGC API asks), not 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                problems = [
                    f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
                    for e in exc.errors()
                ]
                return problem(
                    request,
                    status=400,
                    title="Invalid query",
                    detail="; ".join(problems),
                    type_=problem_type(QueryError),
                )

        return answer


def answer(
    fmt: Format,
    document: dict[str, Any],
    render: Callable[[], str],
    *,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    """``document`` as JSON of ``media_type``, or the page ``render`` builds for HTML."""
    if fmt == "html":
        return HTMLResponse(render(), headers=headers)
    return JSONResponse(document, media_type=media_type, headers=headers)
