"""Presence norms (geo.coverage.presence) on a hand-made wijk layout, and their declaration
in the vocabulary and the settings.

Six square buurten of 100 m in RD New, two per wijk (WK01, WK02, WK03), in two zones (z1:
WK01 and WK02's first buurt; z2: the rest); voorzieningen placed by hand, joined to the
buurten by the one join rule, so every answer is known by hand.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.coverage.presence import in_zone, norms_for, presence_check, presence_gaps
from geo.crs import WORKING_CRS
from geo.errors import ConfigurationError, DataQualityWarning, NotFoundError, QueryError
from geo.join import join_voorzieningen
from geo.settings import Settings
from geo.vocabulary import PresenceLevel, default_vocabulary

X0, Y0 = 120_000.0, 480_000.0
#: (bu_code, wk_code, wk_naam, zone_code, residents, 65+), laid out left to right.
LAYOUT = (
    ("BU01", "WK01", "Noord", "z1", 100.0, 10.0),
    ("BU02", "WK01", "Noord", "z1", 50.0, 5.0),
    ("BU03", "WK02", "Midden", "z1", 70.0, 7.0),
    ("BU04", "WK02", "Midden", "z2", 30.0, None),
    ("BU05", "WK03", "Zuid", "z2", 20.0, 2.0),
    ("BU06", "WK03", "Zuid", None, 10.0, 1.0),
)


@pytest.fixture(scope="module")
def buurten() -> gpd.GeoDataFrame:
    rows = [dict(zip(("bu_code", "wk_code", "wk_naam", "zone_code", "residents",
                      "residents_65plus"), row, strict=True)) for row in LAYOUT]  # fmt: skip
    boxes = [shapely.box(X0 + 100 * i, Y0, X0 + 100 * (i + 1), Y0 + 100) for i in range(6)]
    return gpd.GeoDataFrame(rows, geometry=boxes, crs=WORKING_CRS)


ZONES = gpd.GeoDataFrame({"zone_code": ["z1", "z2"], "zone_name": ["Zone een", "Zone twee"]})


def _voorzieningen(
    buurten: gpd.GeoDataFrame, placed: Sequence[tuple[str, float]]
) -> gpd.GeoDataFrame:
    """Voorzieningen at (category, x offset in m) on the buurten' middle line, joined."""
    frame = gpd.GeoDataFrame(
        {
            "id": [f"v{i}" for i in range(len(placed))],
            "name": [f"{c} {i}" for i, (c, _) in enumerate(placed)],
            "category": [c for c, _ in placed],
        },
        geometry=[shapely.Point(X0 + x, Y0 + 50) for _, x in placed],
        crs=WORKING_CRS,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # the one outside every buurt
        return join_voorzieningen(frame, buurten)


def test_wijk_and_zone_norms_on_the_hand_made_layout(buurten: gpd.GeoDataFrame) -> None:
    # An ontmoetingsplek in BU02 (WK01) and one on the BU03/BU04 border (first buurt: BU03,
    # WK02, zone z1); one beyond every buurt counts for none. A steunpunt in BU04 (z2).
    placed = [("ontmoetingsplek", 150), ("ontmoetingsplek", 300), ("ontmoetingsplek", 900),
              ("steunpunt", 350)]  # fmt: skip
    voorzieningen = _voorzieningen(buurten, placed)
    norms: tuple[tuple[str, PresenceLevel], ...] = (
        ("ontmoetingsplek", "wijk"),
        ("steunpunt", "zone"),
        ("ontmoetingsplek", "zone"),
    )
    check = presence_check(buurten, ZONES, voorzieningen, norms)
    by = {(r.category, r.level, r.area_code): r for r in check.itertuples()}
    assert [(k[2], by[k].voorzieningen) for k in by if k[:2] == ("ontmoetingsplek", "wijk")] == [
        ("WK01", 1), ("WK02", 1), ("WK03", 0)]  # fmt: skip
    assert by[("ontmoetingsplek", "wijk", "WK03")].residents == 30.0
    assert by[("ontmoetingsplek", "wijk", "WK03")].area_name == "Zuid"
    assert by[("ontmoetingsplek", "wijk", "WK02")].residents_65plus == 7.0  # one unknown
    assert not by[("steunpunt", "zone", "z1")].met
    assert by[("steunpunt", "zone", "z2")].met
    assert by[("steunpunt", "zone", "z1")].area_name == "Zone een"
    assert by[("ontmoetingsplek", "zone", "z1")].voorzieningen == 2
    assert not by[("ontmoetingsplek", "zone", "z2")].met  # the border one went to BU03
    assert by[("steunpunt", "zone", "z2")].residents == 50.0  # BU06 is in no zone
    gaps = presence_gaps(check)
    assert list(zip(gaps["category"], gaps["level"], gaps["area_code"], strict=True)) == [
        ("ontmoetingsplek", "wijk", "WK03"), ("steunpunt", "zone", "z1"),
        ("ontmoetingsplek", "zone", "z2")]  # fmt: skip
    z2 = in_zone(check, buurten, "z2")
    assert set(z2.loc[z2["level"] == "wijk", "area_code"]) == {"WK02", "WK03"}
    assert set(z2.loc[z2["level"] == "zone", "area_code"]) == {"z2"}


def test_no_voorzieningen_at_all_fails_every_area(buurten: gpd.GeoDataFrame) -> None:
    none = _voorzieningen(buurten, [])
    check = presence_check(buurten, ZONES, none, [("steunpunt", "wijk")])
    assert list(check["met"]) == [False, False, False]
    assert presence_check(buurten, ZONES, none, []).empty


def test_declared_norms_and_what_is_asked() -> None:
    vocabulary = default_vocabulary()
    assert vocabulary.presence_norms() == (("ontmoetingsplek", "wijk"), ("steunpunt", "zone"))
    assert norms_for(vocabulary, ["steunpunt"]) == (("steunpunt", "zone"),)
    assert norms_for(vocabulary, ["huisarts"], ["zone", "wijk"]) == (
        ("huisarts", "wijk"), ("huisarts", "zone"))  # fmt: skip
    with pytest.raises(NotFoundError, match="unknown category kapper"):
        norms_for(vocabulary, ["kapper"])
    with pytest.raises(QueryError, match="unknown presence level buurt"):
        norms_for(vocabulary, None, ["buurt"])


def test_presence_declared_per_deployment(tmp_path: Path) -> None:
    settings = Settings(
        store_path=tmp_path / "s.gpkg", presence={"huisarts": ["zone"], "ontmoetingsplek": []}
    )
    assert settings.vocabulary.presence_norms() == (("steunpunt", "zone"), ("huisarts", "zone"))
    with pytest.raises(ConfigurationError, match="unknown category kapper"):
        default_vocabulary().with_presence({"kapper": ["wijk"]})
    with pytest.raises(ConfigurationError, match="lists of wijk or zone"):
        default_vocabulary().with_presence({"huisarts": ["buurt"]})
    with pytest.raises(ConfigurationError, match="lists a level twice"):
        default_vocabulary().with_presence({"huisarts": ["wijk", "wijk"]})
