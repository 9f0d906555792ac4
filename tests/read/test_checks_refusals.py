"""Refusals end to end: a refused import leaves the store byte for byte as it was, the API's
problem+json bodies (per-feature errors, limits as 413) and the CLI's one line per problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from geo.errors import (
    CrsError,
    InputError,
    InvalidFeaturesError,
    TooManyFeaturesError,
    UnsafeArchiveError,
)
from geo.read.buurten import read_buurten
from geo.read.limits import Limits
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from service.errors import add_problem_handlers
from tests.conftest import VOCABULARY, fingerprint, skip_without_shared_data
from tests.imports import import_file
from tests.read.checks_support import (
    NIEUWEGEIN_GPKG,
    RD_NAME,
    body,
    broken_body,
    real_buurten,
    shapefile_zip,
    zip_member,
)

# --------------------------------------------------------------------------- the store


@pytest.fixture
def real_store(tmp_path: Path) -> GeoPackageStore:
    skip_without_shared_data(NIEUWEGEIN_GPKG)
    store = GeoPackageStore(tmp_path / "store.gpkg")
    import_file(store, "buurten", NIEUWEGEIN_GPKG)
    return store


REFUSALS: list[tuple[str, Callable[[GeoPackageStore, Path], object], type[InputError]]] = [
    (
        "broken body",
        lambda s, t: import_file(s, "buurten", broken_body()),
        InvalidFeaturesError,
    ),
    (
        "too many features",
        lambda s, t: import_file(
            s, "buurten", body(real_buurten()), limits=Limits(max_features=10)
        ),
        TooManyFeaturesError,
    ),
    (
        "hostile zip",
        lambda s, t: import_file(s, "buurten", shapefile_zip(t, extra=zip_member("../x.shp"))),
        UnsafeArchiveError,
    ),
    (
        "rd as lonlat",
        lambda s, t: import_file(
            s, "buurten", {**body(real_buurten(), crs_name=RD_NAME), "crs": None}
        ),
        CrsError,
    ),
]


@pytest.mark.parametrize(
    ("attempt", "error"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refused_import_leaves_the_store_byte_for_byte(
    real_store: GeoPackageStore,
    tmp_path: Path,
    attempt: Callable[[GeoPackageStore, Path], object],
    error: type[InputError],
) -> None:
    before = fingerprint(real_store.path)
    with pytest.raises(error):
        attempt(real_store, tmp_path)
    assert fingerprint(real_store.path) == before
    assert sorted(p.name for p in real_store.path.parent.iterdir() if p.suffix == ".gpkg") == [
        "store.gpkg"
    ]


def test_body_import_replaces_the_store(real_store: GeoPackageStore) -> None:
    dataset = import_file(real_store, "buurten", body(real_buurten().iloc[:10]), where="upload")
    assert len(dataset.buurten) == len(real_store.read().buurten) == 10


# --------------------------------------------------------------------------- problem+json


@pytest.fixture(scope="module")
def problem_client() -> TestClient:
    """A minimal app with the service's problem handlers and a buurten import route."""
    app = FastAPI()
    add_problem_handlers(app)

    @app.post("/buurten")
    async def post_buurten(request: Request, max_features: int = 50_000) -> dict[str, int]:
        frame = read_buurten(
            await request.body(), limits=Limits(max_features=max_features), vocabulary=VOCABULARY
        )
        return {"buurten": len(frame)}

    return TestClient(app)


def test_per_feature_problem_body(problem_client: TestClient) -> None:
    response = problem_client.post("/buurten", content=json.dumps(broken_body()))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:woonservicezones:problem:invalid-features"
    assert problem["title"] == "Invalid features"
    assert problem["total"] == 10
    assert problem["errors"][0] == {
        "index": 1,
        "id": "BU03560102",
        "reason": "no geometry (null or empty)",
    }
    assert problem["detail"].startswith("request body: 10 feature(s) refused")


def test_limit_problem_body_is_413(problem_client: TestClient) -> None:
    response = problem_client.post(
        "/buurten", params={"max_features": 5}, content=json.dumps(body(real_buurten()))
    )
    assert response.status_code == 413
    problem = response.json()
    assert (problem["limit"], problem["actual"]) == (5, 39)
    assert problem["title"] == "Too many features"
    ok = problem_client.post("/buurten", content=json.dumps(body(real_buurten())))
    assert ok.json() == {"buurten": 39}


# --------------------------------------------------------------------------- CLI


def test_cli_prints_one_line_per_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSZ_STORE_PATH", str(tmp_path / "store.gpkg"))
    features = [
        {
            "type": "Feature",
            "properties": {"statcode": f"BU0356{n:04d}", "AANT_INW": 1},
            "geometry": None,
        }
        for n in range(130)
    ]
    path = tmp_path / "leeg.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert main(["import", "buurten", str(path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    err = lines[next(n for n, line in enumerate(lines) if line.startswith("error")) :]
    assert err[0].startswith("error (Invalid geometry): ")
    assert err[1] == "  feature 0 (BU03560000): no geometry (null or empty)"
    assert err[100] == "  feature 99 (BU03560099): no geometry (null or empty)"
    assert err[101] == "  … and 30 more"
    assert not (tmp_path / "store.gpkg").exists()
