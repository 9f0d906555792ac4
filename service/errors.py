"""Domain errors → RFC 9457 problem+json. The one table that chooses HTTP statuses.

Code in :mod:`geo` raises :class:`geo.errors.WszError` subclasses and never picks a status;
:data:`STATUS_BY_ERROR` does, most specific class first.
"""

from __future__ import annotations

import logging
import re
import tempfile
import uuid
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from geo.errors import (
    ConfigurationError,
    ConflictError,
    DownloadError,
    EmptyStoreError,
    InputError,
    InvalidCredentialsError,
    LimitError,
    MissingCredentialsError,
    NoNetworkError,
    NotFoundError,
    QueryError,
    StoreBusyError,
    UnsupportedMediaTypeError,
    WszError,
)
from service.params import HINTS

PROBLEM_MEDIA_TYPE = "application/problem+json"
logger = logging.getLogger("woonservicezones.errors")

#: Domain error class → HTTP status; the first match in this order wins.
STATUS_BY_ERROR: tuple[tuple[type[WszError], int], ...] = (
    (NotFoundError, 404),
    (ConflictError, 409),  # a scenario name taken, a scenario of another store version
    (QueryError, 400),
    (MissingCredentialsError, 401),  # a write without an API key (WWW-Authenticate below)
    (InvalidCredentialsError, 403),  # a wrong key, or HTTP imports switched off
    (LimitError, 413),  # body, upload, unpacked zip, feature count or vertices beyond a limit
    (UnsupportedMediaTypeError, 415),  # an import body in a format it does not read
    (InputError, 422),  # also UnsafeArchiveError and the per-feature InvalidFeaturesError
    (EmptyStoreError, 503),
    (StoreBusyError, 503),  # another import held the store's lock too long (Retry-After)
    (NoNetworkError, 503),  # walking asked for while no street network is loaded
    (DownloadError, 502),
    (ConfigurationError, 500),
    (WszError, 500),
)

#: The last resort: an exception no code raised on purpose (a bug) answers 500 as a problem
#: too, never text/plain, and is logged with its traceback (:func:`_unexpected_error`).
UNEXPECTED_STATUS = 500


#: Headers that go with a domain error's response.
HEADERS_BY_ERROR: tuple[tuple[type[WszError], dict[str, str]], ...] = (
    (MissingCredentialsError, {"WWW-Authenticate": 'Bearer realm="woonservicezones imports"'}),
    (StoreBusyError, {"Retry-After": "10"}),
)


def status_for(error: WszError) -> int:
    """The HTTP status for a domain error."""
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 500


def problem_type(error_class: type[Exception]) -> str:
    """A stable URI for a kind of problem: ``urn:woonservicezones:problem:not-found``."""
    name = error_class.__name__.removesuffix("Error")
    slug = re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
    return f"urn:woonservicezones:problem:{slug}"


def problem(
    request: Request,
    *,
    status: int,
    title: str,
    detail: str,
    type_: str = "about:blank",
    **extra: Any,
) -> JSONResponse:
    """An RFC 9457 problem response."""
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


#: The service's own temporary folders (uploads saved, zips unpacked): never shown.
_TEMPORARY = re.compile(re.escape(tempfile.gettempdir().rstrip("/")) + r"/wsz-[\w.-]+/")


def public_text(value: Any) -> Any:
    """``value`` (text, or lists and mappings of it) without the service's temporary paths:
    an uploaded file is named by its own name only."""
    if isinstance(value, str):
        return _TEMPORARY.sub("", value)
    if isinstance(value, list):
        return [public_text(item) for item in value]
    if isinstance(value, dict):
        return {key: public_text(item) for key, item in value.items()}
    return value


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, WszError)
    response = problem(
        request,
        status=status_for(exc),
        title=exc.title,
        detail=public_text(str(exc)),
        type_=problem_type(type(exc)),
        # Per-feature errors: "errors": [{"index", "id", "reason"}, ...] (≤ 100), "total";
        # limits: "limit" and "actual".
        **public_text(exc.extensions()),
    )
    for error_class, headers in HEADERS_BY_ERROR:
        if isinstance(exc, error_class):
            response.headers.update(headers)
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """Any other exception: logged with its traceback under an incident id, answered as a
    problem naming that id and nothing of the exception itself (it may hold internals)."""
    incident = uuid.uuid4().hex[:12]
    logger.error(
        "unexpected %s on %s %s (incident %s)",
        type(exc).__name__,
        request.method,
        request.url.path,
        incident,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return problem(
        request,
        status=UNEXPECTED_STATUS,
        title="Internal error",
        detail=f"the service failed unexpectedly; its log names this failure as incident "
        f"{incident} (please report it with that id)",
        type_="urn:woonservicezones:problem:internal",
        incident=incident,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "parameter": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]),
            "in": str(e["loc"][0]),
            "message": _message(e),
        }
        for e in exc.errors()
    ]
    detail = "; ".join(
        f"{e['in']} parameter {e['parameter']!r}: {e['message']}"
        + (f" ({HINTS[e['parameter']]})" if e["parameter"] in HINTS else "")
        for e in errors
    )
    return problem(
        request,
        status=422,
        title="Invalid request parameter",
        detail=detail,
        type_="urn:woonservicezones:problem:invalid-parameter",
        errors=errors,
    )


def _message(error: Mapping[str, Any]) -> str:
    """A validation error in words: a pattern is not shown, the value is (shortened)."""
    if error.get("type") == "string_pattern_mismatch":
        return f"{str(error.get('input'))[:100]!r} is not of the form this parameter takes"
    return str(error["msg"])


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no resource at {request.url.path}; see /docs for the API's paths"
    response = problem(
        request, status=exc.status_code, title=_reason(exc.status_code), detail=detail
    )
    response.headers.update(exc.headers or {})  # e.g. a 405's Allow
    return response


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def document_problems(app: FastAPI) -> None:
    """Say in the OpenAPI document what errors look like: every operation answers any status
    it does not document otherwise with an RFC 9457 problem (a ``default`` response), and its
    422 for invalid parameters is a problem too, not FastAPI's own JSON body."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_problem_responses(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _add_problem_responses(document: dict[str, Any]) -> None:
    from service.schemas.answers import Problem

    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(
        "Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            if "422" in responses:
                responses["422"] = {"description": "Invalid request parameter", "content": content}
            responses.setdefault(
                "default",
                {"description": "An error, as an RFC 9457 problem", "content": content},
            )


def add_problem_handlers(app: FastAPI) -> None:
    """Answer domain, validation and HTTP errors as problem+json, and anything else too
    (a 500 problem, logged)."""
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_exception_handler(WszError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
