"""The planners' page around a rendered Folium map (maps/page.py): no inline script left, the
script and page agree, names reach the script as JSON data (drawn as text), markup that the
page's policy would block is refused."""

from __future__ import annotations

import json
import re

import pytest

from geo.analysis import Analysis
from maps.build import overview_map, render_page, zone_map
from maps.page import PageText, UnsafeMarkupError, build_page, folium_parts, script_digest


def test_page_runs_no_inline_script_and_names_its_script(sample_analysis: Analysis) -> None:
    page = render_page(
        zone_map(sample_analysis, "zuid", tiles=None, asset_base="/static/vendor"),
        "/maps/zuid.js?v={digest}",
    )
    parts = folium_parts(page.html.replace('class="folium-map"', 'class="folium-map x"'))
    assert parts.scripts == []
    assert parts.script_sources == [
        "/static/vendor/leaflet-1.9.3/leaflet.js",
        f"/maps/zuid.js?v={script_digest(page.script)}",
    ]
    map_id = parts.map_ids[0]
    assert f'"{map_id}"' in page.script
    assert page.script.count("innerHTML") == 1  # the legend's, built from escaped words


def test_rendering_twice_gives_the_same_page(sample_analysis: Analysis) -> None:
    first = render_page(overview_map(sample_analysis, tiles=None, asset_base="v"), "m.js")
    second = render_page(overview_map(sample_analysis, tiles=None, asset_base="v"), "m.js")
    assert first == second


def test_names_are_data_in_cards(sample_analysis: Analysis) -> None:
    page = render_page(overview_map(sample_analysis, tiles=None, asset_base="v"), "m.js")
    name = str(sample_analysis.dataset.buurten["bu_naam"].iloc[0])
    assert json.dumps(name)[1:-1] in page.script
    assert re.search(r"\.bindTooltip\(function\(layer\)", page.script)
    assert "textContent" in page.script


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="folium-map" id="m" onclick="x()"></div>',
        '<div class="folium-map" id="m"></div><a href="javascript:x()">x</a>',
        "<div></div>",
    ],
)
def test_markup_the_policy_would_block_is_refused(markup: str) -> None:
    with pytest.raises(UnsafeMarkupError):
        build_page(f"<html><body>{markup}</body></html>", PageText(title="t"), "m.js")


def test_the_page_text_is_escaped() -> None:
    document = '<html><body><div class="folium-map" id="m"></div><script>1</script></body></html>'
    page = build_page(document, PageText(title="<img src=x>", banner="<b>s</b>"), "m.js")
    assert "<img src=x>" not in page.html
    assert "&lt;img src=x&gt;" in page.html
    assert "&lt;b&gt;s&lt;/b&gt;" in page.html
    assert page.script == "1\n"
