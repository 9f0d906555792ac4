"""Named scenarios in both stores (GeoPackage beside the file; PostGIS tables of migration
002): kept beside the real data and never mixed with it — saving or deleting one leaves the
store's version as it was —, names refused when taken (unless replacing) or malformed, a
scenario of another store version refused, every save and refusal in the import log."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.crs import WORKING_CRS
from geo.errors import ConflictError, NotFoundError, QueryError
from geo.pipeline import delete_scenario, find_scenario, save_scenario
from geo.store.base import Store
from geo.whatif.scenarios import Scenario, StaleScenarioError, check_name


def _scenario(name: str = "twee-huisartsen", version: str | None = None) -> Scenario:
    """A SYNTHETIC scenario: two sites near Delft (RD New), one zone, one buurt."""
    figures = {"residents": 100.0, "residents_65plus": 20.0, "residents_beyond_before": 60.0,
               "residents_beyond_after": 10.0, "residents_65plus_beyond_before": 12.0,
               "residents_65plus_beyond_after": 2.0, "residents_newly_covered": 50.0,
               "residents_65plus_newly_covered": 10.0, "residents_losing": 0.0,
               "residents_65plus_losing": 0.0}  # fmt: skip
    sites = gpd.GeoDataFrame(
        {"role": ["chosen", "candidate"], "id": ["=node-1", "node-2"], "rank": [1.0, None],
         "gain": [50.0, None], "bu_code": ["BU05032806", None], "zone_code": ["noord", None]},
        geometry=shapely.points([(85856.257, 446616.508), (85579.7, 445893.7)]),
        crs=WORKING_CRS,
    )  # fmt: skip
    return Scenario(
        name, "placement", "2026-12-03T12:00:00Z", version,
        {"category": "huisarts", "norm_m": 500.0, "k": 1, "closures": []},
        {**figures, "share_beyond_before": 0.6, "share_beyond_after": 0.1},
        pd.DataFrame([{"zone_code": "noord", **figures}]),
        pd.DataFrame([{"bu_code": "BU05032806", "zone_code": "noord", **figures}]),
        sites,
    )  # fmt: skip


def test_a_scenario_round_trips_beside_the_data(any_store: Store) -> None:
    version = any_store.version()
    report = save_scenario(any_store, _scenario(version=version))
    assert (report.kind, report.outcome, report.added) == ("scenario", "applied", 1)
    assert any_store.version() == version  # the real data (and its version) untouched
    back = find_scenario(any_store, "twee-huisartsen")
    assert back.request["category"] == "huisarts"
    assert back.summary["residents_newly_covered"] == 50.0
    assert back.by_zone.to_dict("records") == _scenario().by_zone.to_dict("records")
    assert back.sites["id"].tolist() == ["=node-1", "node-2"]
    assert back.sites["rank"].iloc[0] == 1
    assert pd.isna(back.sites["rank"].iloc[1])
    assert shapely.equals_exact(
        back.sites.geometry.values, _scenario().sites.geometry.values, 1e-3
    ).all()
    assert back.sites.crs == WORKING_CRS
    assert not any_store.read().voorzieningen["id"].astype(str).isin(["=node-1"]).any()


def test_names_duplicates_and_stale_versions_are_refused(any_store: Store) -> None:
    save_scenario(any_store, _scenario())
    with pytest.raises(ConflictError, match="exists already"):
        save_scenario(any_store, _scenario())
    replaced = save_scenario(any_store, _scenario(), replace=True)
    assert (replaced.added, replaced.updated) == (0, 1)
    with pytest.raises(StaleScenarioError, match="computed on store version abc"):
        save_scenario(any_store, _scenario("ander", version="abc"))
    outcomes = [(e["kind"], e["outcome"]) for e in any_store.log.entries(10)]
    assert outcomes[:2] == [("scenario", "refused"), ("scenario", "applied")]
    assert [s.name for s in any_store.scenarios.all()] == ["twee-huisartsen"]
    with pytest.raises(NotFoundError, match="the scenarios are: twee-huisartsen"):
        find_scenario(any_store, "ander")
    delete_scenario(any_store, "twee-huisartsen")
    assert any_store.scenarios.all() == []
    with pytest.raises(NotFoundError, match="there are none yet"):
        delete_scenario(any_store, "twee-huisartsen")


@pytest.mark.parametrize(
    ("name", "ok"),
    [("a", True), ("Plan_B-2.v3", True), ("x" * 64, True), ("x" * 65, False), ("", False),
     ("met spatie", False), ("../etc", False), ("-start", False), ("naïef", False)],
)  # fmt: skip
def test_scenario_names(name: str, ok: bool) -> None:
    if ok:
        assert check_name(name) == name
    else:
        with pytest.raises(QueryError):
            check_name(name)
