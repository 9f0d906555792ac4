"""The monitoring cycle over HTTP: ``GET /profiel/{code}`` (HTML, PDF or JSON),
``GET /snapshots`` (and two compared), ``POST /imports/statistics`` and
``POST /imports/indicators`` (with an API key; one logged transaction each).

Uploads are the raw body (CSV as ``text/csv``, a GeoPackage as ``application/octet-stream``),
at most the import limit's bytes; ``name`` gives the file's name (the year may be in it).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from geo import pipeline
from geo.errors import ValueProblemError
from geo.profiel.snapshots import compare_snapshots, find_snapshot, read_snapshots, summary
from geo.read.limits import check_size
from geo.store.log import Caller as LogCaller
from geo.store.log import ImportInput
from maps.profiel.render import CSP, CSS_PATH, render_html, render_pdf
from service.auth import CallerDep
from service.deps import LiveDep, PublishedDep, SettingsDep
from service.routes.imports import PROBLEM, WRITE_RESPONSES

router = APIRouter(tags=["profiel"])
READ_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such zone, wijk, gemeente, year or snapshot.", **PROBLEM},
    422: {"description": "A malformed query parameter.", **PROBLEM},
    503: {"description": "No buurten imported yet, or the store is busy.", **PROBLEM},
}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The profile: an HTML page, a PDF or JSON (``format``).",
        "content": {"text/html": {}, "application/pdf": {}, "application/json": {}},
    },
    **READ_RESPONSES,
}
_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$"


@router.get(
    "/profiel/{code}",
    summary="The wijkprofiel of a zone, wijk or gemeente",
    responses=PAGE_RESPONSES,
    response_class=Response,
)
def profiel(
    code: str,
    published: PublishedDep,
    settings: SettingsDep,
    request: Request,
    format: Annotated[Literal["html", "pdf", "json"], Query()] = "html",
    lang: Annotated[Literal["nl", "en"], Query()] = "nl",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> Response:
    """Description and map, CBS indicators per theme over the years (with the gemeente's
    value and targets), coverage per category and its trend over the snapshots, the gaps.
    ``format=html`` is a printable A4 page, ``pdf`` the same printed by Chromium."""
    data = pipeline.profiel_of(published.analysis, settings, code, year=year, lang=lang)
    if format == "json":
        return JSONResponse(data)
    other = "en" if lang == "nl" else "nl"
    base = request.scope.get("root_path", "")
    html = render_html(
        data, published.analysis.dataset.buurten, inline_css=format == "pdf",
        css_url=f"{base}/profiel-static/profiel.css",
        other_lang_url=f"{base}/profiel/{code}?lang={other}",
    )  # fmt: skip
    if format == "pdf":
        return Response(render_pdf(html), media_type="application/pdf")
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP})


@router.get("/profiel-static/profiel.css", include_in_schema=False)
def profiel_css() -> FileResponse:
    """The page's style sheet (screen and A4 print)."""
    return FileResponse(CSS_PATH, media_type="text/css")


@router.get("/snapshots", summary="Dated coverage snapshots", responses=READ_RESPONSES)
def snapshots(
    live: LiveDep,
    published: PublishedDep,
    settings: SettingsDep,
    a: Annotated[str | None, Query(max_length=40, description="Compare this snapshot ...")] = None,
    b: Annotated[str | None, Query(max_length=40, description="... with this one.")] = None,
) -> dict[str, Any]:
    """Every snapshot (date, store version, inputs' hashes, norms), the current analysis
    kept first; with ``a`` and ``b``, the shares beyond the norm per zone and category in
    both."""
    pipeline.snapshot_analysis(published.analysis, settings)
    found = read_snapshots(live.store.path)
    if a is None or b is None:
        return {"snapshots": [summary(s) for s in found]}
    first, second = find_snapshot(found, a), find_snapshot(found, b)
    changes = [c.__dict__ for c in compare_snapshots(first, second) if c.level != "buurt"]
    return {"a": summary(first), "b": summary(second), "changes": changes}


async def _body(request: Request, settings: SettingsDep, folder: Path, name: str) -> Path:
    data = b""
    async for chunk in request.stream():
        data += chunk
        check_size(len(data), settings.limits, where="request body")
    if not data:
        raise ValueProblemError("request body: empty; send the table as the body")
    path = folder / name
    path.write_bytes(data)
    return path


@router.post(
    "/imports/statistics",
    summary="Import a year of CBS figures (needs an API key)",
    responses=WRITE_RESPONSES,
)
async def post_statistics(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    name: Annotated[str, Query(pattern=_NAME, description="File name, e.g. kwb2019_….csv")],
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    replace: bool = False,
) -> dict[str, Any]:
    """One CBS table (any layout) as one year's figures in the store's history."""
    with tempfile.TemporaryDirectory(prefix="wsz-stat-") as folder:
        path = await _body(request, settings, Path(folder), name)
        report = await run_in_threadpool(
            lambda: pipeline.import_statistics(
                settings.store_path,
                path,
                settings,
                year=year,
                replace_year=replace,
                caller=LogCaller(via="http", key=caller.key_name),
                described=ImportInput.of_file(path, name),
            )
        )
    return report.as_dict()


@router.post(
    "/imports/indicators",
    summary="Import own indicators (needs an API key)",
    responses=WRITE_RESPONSES,
)
async def post_indicators(
    request: Request,
    caller: CallerDep,
    settings: SettingsDep,
    name: Annotated[str, Query(pattern=_NAME)] = "indicators.csv",
) -> dict[str, Any]:
    """A CSV of own indicators (area_code, name, year, value, unit, target, source, theme)."""
    with tempfile.TemporaryDirectory(prefix="wsz-ind-") as folder:
        path = await _body(request, settings, Path(folder), name)
        report = await run_in_threadpool(
            lambda: pipeline.import_indicators(
                settings.store_path,
                path,
                caller=LogCaller(via="http", key=caller.key_name),
                described=ImportInput.of_file(path, name),
            )
        )
    return report.as_dict()
