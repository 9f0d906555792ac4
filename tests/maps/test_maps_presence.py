"""Presence norms on the planners' maps: the wijken and zones without an ontmoetingsplek or
steunpunt outlined with a text card, and named in the legend; names from the data as text."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import Analysis
from geo.crs import EDGE_CRS
from geo.pipeline import whatif_norms
from geo.vocabulary import default_vocabulary
from maps.build import overview_map, render_page, zone_map
from maps.presence import presence_layer, presence_legend


def _script(analysis: Analysis, zone: str | None = None) -> str:
    fmap = (
        overview_map(analysis, tiles=None, asset_base="vendor")
        if zone is None
        else zone_map(analysis, zone, tiles=None, asset_base="vendor")
    )
    return render_page(fmap, "map.js").script


def test_overview_and_zone_maps_name_the_areas_without_one(sample_analysis: Analysis) -> None:
    check = whatif_norms(sample_analysis)
    missing = check[~check["met"]]
    script = _script(sample_analysis)
    assert "Aanwezigheidsnorm niet gehaald / Presence norm not met" in script
    assert "Aanwezigheidsnormen / Presence norms" in script
    met = int(check[check["level"] == "wijk"]["met"].sum())
    assert f"({met}/{int((check['level'] == 'wijk').sum())})" in script
    for name in missing["area_name"]:
        assert json.dumps(str(name))[1:-1] in script
    west = _script(sample_analysis, "west")  # has its ontmoetingsplekken, lacks a steunpunt
    assert "West (Batau Noord en Batau Zuid)" in west
    assert "in every wijk \\u003csmall\\u003e(2/2)\\u003c/small" in west  # its own wijken only


def test_names_from_the_data_stay_text() -> None:
    vocabulary = default_vocabulary()
    hostile = '<img src=x onerror="alert(1)">'
    check = pd.DataFrame(
        {"category": ["ontmoetingsplek"], "level": ["wijk"], "area_code": ["WK01"],
         "area_name": [hostile], "residents": [10.0], "residents_65plus": [None],
         "voorzieningen": [0], "met": [False]}
    )  # fmt: skip
    legend = presence_legend(check, vocabulary)
    assert hostile not in legend
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in legend
    areas = gpd.GeoDataFrame(check, geometry=[shapely.box(4.9, 52.0, 4.91, 52.01)], crs=EDGE_CRS)
    layer = presence_layer(areas, vocabulary)
    card = layer.data["features"][0]["properties"]["card"]
    assert card["title"] == f"Wijk: {hostile} (WK01)"  # drawn with textContent
    assert ["Inwoners 65+ / Residents 65+", "onbekend / unknown"] in card["rows"]
    assert not re.search(r"<img", json.dumps(layer.style_function({})))
