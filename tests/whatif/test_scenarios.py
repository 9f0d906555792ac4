"""Named scenarios on the real delft-tu sample (CBS buurten, OSM extract of TU Delft): their
figures agree with the answers they keep, the click on the map agrees with a one-site
placement, and the CLI and the API save, list, show, compare, export and delete them on a
private copy of the store (the session's store is never written). A placement by mean walking
distance is kept too, in both stores (GeoPackage and PostGIS: tests/store's fixtures), and
compared only with placements by distance."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.errors import QueryError
from geo.pipeline import (
    find_scenario,
    save_scenario,
    scenario_cover,
    whatif_candidates,
    whatif_closure,
    whatif_evaluate,
    whatif_median,
    whatif_place,
    whatif_scenario,
)
from geo.store.base import Store
from geo.store.geopackage import GeoPackageStore
from geo.whatif.scenarios import (
    Scenario,
    check_comparable,
    closure_parts,
    compare_frame,
    median_parts,
    placement_parts,
)
from service.auth import hash_key
from service.cli import main
from service.state import publish
from tests.conftest import make_app, make_settings
from tests.store.conftest import any_store, postgis_url  # noqa: F401  # both stores' fixtures

KEY = "scenario-test-key-0123456789abcdefghijkl"
AUTH = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def copy_store(delft_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the delft-tu store, walking over the session's network."""
    path = tmp_path / "store.gpkg"
    shutil.copy(delft_folder / "store.gpkg", path)
    monkeypatch.setenv("WSZ_NETWORK_CACHE_DIR", str(delft_folder / "network"))
    return path


def test_figures_agree_with_the_answers_and_the_click(delft_analysis: Analysis) -> None:
    candidates = whatif_candidates(delft_analysis, None, 200.0)
    placement = whatif_place(delft_analysis, "huisarts", candidates, 1)
    request, sites, solution = placement_parts(placement, candidates, {"spacing_m": 200.0})
    scenario = whatif_scenario(
        delft_analysis, "een", ("placement", request, sites), version=None, solution=solution
    )
    summary = scenario.summary
    assert summary["residents_newly_covered"] == pytest.approx(placement.solution.objective, 1e-3)
    assert summary["residents_losing"] == 0.0
    assert scenario.by_zone["residents_newly_covered"].sum() == pytest.approx(
        summary["residents_newly_covered"], abs=0.01
    )
    site = placement.sites.geometry.iloc[0]
    click = whatif_evaluate(delft_analysis, "huisarts", site)
    assert click.residents == pytest.approx(placement.solution.objective, 1e-3)
    assert click.by_zone["residents"].sum() == pytest.approx(click.residents, abs=0.01)
    before, after = scenario_cover(delft_analysis, "huisarts", 500.0, sites.geometry[:1], ())
    assert (after | ~before).all()  # adding a site never takes coverage away
    closed = delft_analysis.dataset.voorzieningen
    ids = closed.loc[closed["category"] == "huisarts", "id"].astype(str).tolist()[:1]
    impact = whatif_closure(delft_analysis, ids)
    request, sites = closure_parts(impact, delft_analysis.dataset.voorzieningen)
    shut = whatif_scenario(delft_analysis, "dicht", ("closure", request, sites), version=None)
    assert shut.summary["residents_losing"] == pytest.approx(impact.residents_losing, 1e-3)
    assert shut.summary["residents_newly_covered"] == 0.0
    assert np.isclose(shut.summary["share_beyond_after"], impact.share_beyond_after, atol=1e-4)


def test_the_cli_saves_lists_compares_exports_and_deletes(
    copy_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(copy_store), "whatif"]
    place = [*store, "place", "huisarts", "1", "--spacing", "200", "--weight", "residents_65plus"]
    assert main([*place, "--save", "een-huisarts"]) == 0
    assert "Saved scenario een-huisarts (placement)" in capsys.readouterr().out
    assert main([*place, "--save", "een-huisarts"]) == 1
    assert "exists already" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*place, "--save", "met spatie"])
    assert "use letters, digits" in capsys.readouterr().err
    assert main([*store, "scenarios"]) == 0
    listing = capsys.readouterr().out
    assert "een-huisarts placement huisarts" in listing
    assert main([*store, "show", "een-huisarts"]) == 0
    shown = capsys.readouterr().out
    assert "newly covered:" in shown
    assert "per zone:" in shown
    assert main([*store, "compare", "een-huisarts"]) == 0
    assert "today_residents_65plus_beyond" in capsys.readouterr().out
    target = tmp_path / "sites.csv"
    assert main([*store, "export", "een-huisarts", "--format", "csv", "-o", str(target)]) == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0]["role"] == "chosen"
    assert {"lon", "lat", "key"} <= set(rows[0])
    assert main([*store, "delete", "een-huisarts"]) == 0
    assert main([*store, "show", "een-huisarts"]) == 1
    assert "there are none yet" in capsys.readouterr().err


@pytest.fixture
def api(copy_store: Path, delft_analysis: Analysis) -> Iterator[TestClient]:
    settings = make_settings(copy_store)
    app = make_app(settings, publish(delft_analysis), api_keys={"planners": hash_key(KEY)})
    with TestClient(app) as client:
        yield client


def test_the_api_saves_shows_compares_exports_and_deletes(
    api: TestClient, copy_store: Path
) -> None:
    candidates = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "=HYPERLINK(1)",
             "geometry": {"type": "Point", "coordinates": [4.3776, 52.0016]}},
            {"type": "Feature", "id": "b",
             "geometry": {"type": "Point", "coordinates": [4.3705, 51.9990]}},
        ],
    }  # fmt: skip
    body = {
        "name": "plan-a",
        "placement": {"category": "huisarts", "k": 1, "candidates": candidates},
    }
    assert api.post("/whatif/scenarios", json=body).status_code == 401
    saved = api.post("/whatif/scenarios", json=body, headers=AUTH)
    assert saved.status_code == 201, saved.text
    answer = saved.json()
    assert answer["stale"] is False
    assert answer["site_features"]["features"][0]["properties"]["role"] == "chosen"
    again = api.post("/whatif/scenarios", json=body, headers=AUTH)
    assert (again.status_code, again.json()["title"]) == (409, "Conflict")
    stale = api.post(
        "/whatif/scenarios", json={**body, "replace": True, "store_version": "0" * 64}, headers=AUTH
    )
    assert (stale.status_code, stale.json()["title"]) == (409, "Stale scenario")
    assert "computed on store version 000000000000" in stale.json()["detail"]
    bad = api.post("/whatif/scenarios", json={**body, "name": "a/b"}, headers=AUTH)
    assert bad.status_code == 422  # the body's schema gives the name's pattern
    assert bad.headers["content-type"].startswith("application/problem+json")
    listed = api.get("/whatif/scenarios").json()
    assert [s["name"] for s in listed["scenarios"]] == ["plan-a"]
    assert "etag" not in api.get("/whatif/scenarios/plan-a").headers
    assert api.get("/whatif/scenarios/plan-b").status_code == 404
    compared = api.get("/whatif/scenarios/plan-a/compare", params={"with": "plan-a"}).json()
    assert compared["scenarios"] == ["plan-a", "plan-a"]
    assert {"today", "scenarios"} <= set(compared["zones"][0])
    exported = api.get("/whatif/scenarios/plan-a/export", params={"format": "csv"})
    assert exported.headers["content-disposition"].endswith('_sites.csv"')
    ids = [row["id"] for row in csv.DictReader(io.StringIO(exported.text))]
    assert "'=HYPERLINK(1)" in ids  # a formula is written as text
    gpkg = api.get("/whatif/scenarios/plan-a/export", params={"format": "gpkg"})
    assert gpkg.content[:16] == b"SQLite format 3\x00"
    page = api.get("/maps/scenario/plan-a.html")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text  # its script is a same-origin file
    assert api.get("/maps/scenario/plan-x.html").status_code == 404
    store = GeoPackageStore(copy_store)
    old = store.scenarios.get("plan-a")
    assert old is not None
    store.scenarios.put(replace(old, name="plan-old", store_version="0" * 64))
    stale_map = api.get("/maps/scenario/plan-old.html")
    assert (stale_map.status_code, stale_map.json()["title"]) == (409, "Stale scenario")
    assert api.get("/whatif/scenarios/plan-old").json()["stale"] is True
    assert api.get("/whatif/scenarios/plan-old/compare").status_code == 409
    api.delete("/whatif/scenarios/plan-old", headers=AUTH)
    assert api.delete("/whatif/scenarios/plan-a").status_code == 401
    deleted = api.delete("/whatif/scenarios/plan-a", headers=AUTH)
    assert deleted.json()["deleted"] == "plan-a"
    assert api.get("/whatif/scenarios").json()["scenarios"] == []
    logged = [
        (e["kind"], e["mode"], e["outcome"])
        for e in api.get("/imports", headers=AUTH).json()["imports"]
    ]
    deleted_twice = [("scenario", "delete", "applied")] * 2
    # the stale save is the last refusal logged; the malformed name never reached the route
    # (the body's schema refused it, 422, as any malformed request)
    assert logged[:3] == [*deleted_twice, ("scenario", "replace", "refused")]


def test_the_click_endpoint(api: TestClient) -> None:
    click = {"lon": 4.3776, "lat": 52.0016, "category": "huisarts"}
    answer = api.post("/whatif/evaluate", json=click)
    assert answer.status_code == 200, answer.text
    figures = answer.json()
    assert figures["norm_m"] == 500.0
    assert sum(z["residents"] for z in figures["by_zone"]) == pytest.approx(
        figures["residents"], abs=0.01
    )
    assert api.post("/whatif/evaluate", json={**click, "category": "xx"}).status_code == 404
    assert api.post("/whatif/evaluate", json={**click, "lon": 0.0, "lat": 0.0}).status_code == 422


def _distance_scenario(analysis: Analysis, version: str | None) -> tuple[Any, Scenario]:
    """A one-site huisarts placement by mean walking distance on delft-tu, as a scenario."""
    candidates = whatif_candidates(analysis, None, 200.0)
    median = whatif_median(analysis, "huisarts", candidates, 1)
    request, sites, solution = median_parts(median, candidates, {"spacing_m": 200.0})
    scenario = whatif_scenario(
        analysis, "korter", ("placement", request, sites), version=version, solution=solution,
        zone_means=median.by_zone,
    )  # fmt: skip
    return median, scenario


def test_a_distance_placement_is_kept_in_both_stores(
    delft_analysis: Analysis,
    any_store: Store,  # noqa: F811  # the fixture imported above
) -> None:
    median, scenario = _distance_scenario(delft_analysis, any_store.version())
    assert scenario.objective == "distance"
    assert scenario.norm_m == 500.0  # the category's threshold: who is within it, too
    assert scenario.summary["mean_after_m"] == pytest.approx(median.mean_after_m, abs=0.05)
    assert scenario.summary["mean_before_m"] == pytest.approx(median.mean_before_m, abs=0.05)
    save_scenario(any_store, scenario)
    back = find_scenario(any_store, "korter")
    assert (back.kind, back.objective) == ("placement", "distance")
    assert back.request["limit_m"] == median.limit_m
    assert back.summary["mean_after_bound_m"] == scenario.summary["mean_after_bound_m"]
    means = back.by_zone.set_index("zone_code")["mean_after_m"]
    expected = median.by_zone.set_index("zone_code")["mean_after_m"].round(1)
    assert means.loc[expected.index].tolist() == pytest.approx(expected.tolist())
    chosen = back.sites[back.sites["role"] == "chosen"]
    assert chosen["gain"].tolist() == pytest.approx(median.sites["served"].round(3).tolist())
    frame = compare_frame([back, back])
    assert {"today_mean_m", "korter_mean_m"} <= set(frame.columns)
    assert (frame["korter_mean_m"] <= frame["today_mean_m"] + 1e-6).all()  # never longer
    candidates = whatif_candidates(delft_analysis, None, 200.0)
    placement = whatif_place(delft_analysis, "huisarts", candidates, 1)
    request, sites, solution = placement_parts(placement, candidates, {"spacing_m": 200.0})
    covering = whatif_scenario(
        delft_analysis, "dekking", ("placement", request, sites), version=any_store.version(),
        solution=solution,
    )  # fmt: skip
    with pytest.raises(QueryError, match="by mean walking distance with another by distance"):
        check_comparable([back, covering], any_store.version())
    assert [s.objective for s in any_store.scenarios.all()] == ["distance"]


def test_the_cli_and_the_api_keep_a_distance_placement(
    copy_store: Path, api: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = ["--store", str(copy_store), "whatif"]
    place = [*store, "place", "huisarts", "1", "--spacing", "200"]
    assert main([*place, "--objective", "distance", "--save", "korter"]) == 0
    assert "Saved scenario korter (placement)" in capsys.readouterr().out
    assert main([*store, "show", "korter"]) == 0
    shown = capsys.readouterr().out
    assert '"objective": "distance"' in shown
    assert "mean walking distance: " in shown
    assert main([*store, "compare", "korter"]) == 0
    assert "korter_mean_m" in capsys.readouterr().out
    assert main([*place, "--save", "dekking"]) == 0
    capsys.readouterr()
    assert main([*store, "compare", "korter", "dekking"]) == 1
    refused = capsys.readouterr().err
    assert "korter: placement by mean walking distance" in refused
    assert "dekking: placement by coverage" in refused
    target = tmp_path / "zones.geojson"
    exported = [*store, "export", "korter", "--layer", "zones", "-o", str(target)]
    assert main(exported) == 0
    zone = json.loads(target.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert {"mean_before_m", "mean_after_m"} <= set(zone)
    question: dict[str, Any] = {
        "category": "huisarts", "k": 1, "objective": "distance",
        "candidates": {"area": None, "spacing_m": 200.0},
    }  # fmt: skip
    body = {"name": "api-korter", "placement": question}
    saved = api.post("/whatif/scenarios", json=body, headers=AUTH)
    assert saved.status_code == 201, saved.text
    answer = saved.json()
    assert (answer["kind"], answer["objective"]) == ("placement", "distance")
    assert answer["summary"]["mean_after_m"] <= answer["summary"]["mean_before_m"]
    assert "mean_after_m" in answer["by_zone"][0]
    with_norm = {"name": "met-norm", "placement": {**question, "norm_m": 300.0}}
    assert api.post("/whatif/scenarios", json=with_norm, headers=AUTH).status_code == 400
    compared = api.get("/whatif/scenarios/api-korter/compare", params={"with": "korter"}).json()
    assert compared["zones"][0]["today"]["mean_walk_m"] is not None
    assert compared["zones"][0]["scenarios"]["korter"]["mean_walk_m"] is not None
    mixed = api.get("/whatif/scenarios/api-korter/compare", params={"with": "dekking"})
    assert mixed.status_code == 400
    assert "api-korter: placement by mean walking distance" in mixed.json()["detail"]
    listed = {s["name"]: s["objective"] for s in api.get("/whatif/scenarios").json()["scenarios"]}
    assert listed == {"korter": "distance", "dekking": "coverage", "api-korter": "distance"}
    csv_file = api.get("/whatif/scenarios/api-korter/export", params={"format": "csv"})
    assert csv_file.status_code == 200
    page = api.get("/maps/scenario/api-korter.html")
    assert page.status_code == 200
    assert "Gemiddelde loopafstand" in api.get("/maps/scenario/api-korter.js").text


def test_a_placement_saved_with_a_presence_norm_keeps_it(api: TestClient) -> None:
    """``presence`` in a saved placement: the scenario's sites are those of the same placement
    asked read-only (a site in each wijk lacking an ontmoetingsplek), and its request says so."""
    question = {
        "category": "ontmoetingsplek",
        "k": 2,
        "presence": ["wijk"],
        "candidates": {"area": None, "spacing_m": 150},
    }
    asked = api.post("/whatif/placements", json=question)
    assert asked.status_code == 200, asked.text
    chosen = {tuple(f["geometry"]["coordinates"]) for f in asked.json()["features"]}
    assert len(chosen) == 2  # one in each of the two wijken
    saved = api.post(
        "/whatif/scenarios", json={"name": "in-elke-wijk", "placement": question}, headers=AUTH
    )
    assert saved.status_code == 201, saved.text
    answer = saved.json()
    assert answer["request"]["presence"] == ["wijk"]
    kept = {
        tuple(f["geometry"]["coordinates"])
        for f in answer["site_features"]["features"]
        if f["properties"]["role"] == "chosen"
    }
    assert kept == chosen
