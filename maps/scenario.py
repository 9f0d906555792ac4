"""A saved scenario on the planners' map, and the click that evaluates "a new voorziening here".

Layers, bottom to top: tiles (if any), zone outlines, the gap polygons of the scenario's
category and norm today (hidden) and after the scenario (shown), the existing voorzieningen
of the category, the candidates (small circles, at most :data:`MAX_CANDIDATES_SHOWN`), the
closed and the chosen sites. A card (bottom left) gives the scenario's figures; a click on the
map asks ``POST /whatif/evaluate`` what a new voorziening there would bring and shows the
answer in a second card (bottom right; :mod:`maps.evaluate`, the planners' maps' shared
click). Every value is set as text (``textContent``), never HTML; the script is moved into a
same-origin file like every planners' map (:mod:`maps.page`).
Everything is WGS84 here (frames from :func:`geo.crs.to_edge_crs`).
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo.analysis import Analysis
from geo.crs import to_edge_crs
from geo.whatif.scenarios import Scenario
from maps.assets import OfflineMap
from maps.build import TileLayer, synthetic_note
from maps.evaluate import EVALUATE_CSS, Evaluate, fixed_click
from maps.layers import (
    TextCard,
    cards,
    count_text,
    gap_polygon_layer,
    voorziening_layer,
    zones_layer,
)
from maps.page import PageText
from maps.style import MAP_CSS, PAGE_CSS, category_label, nl_en

#: Most candidates drawn (a generated set may hold thousands; the card says how many).
MAX_CANDIDATES_SHOWN = 2_000
ROLE_STYLE = {
    "chosen": ("#1a9850", "wsz-scenario-chosen"),
    "closed": ("#d73027", "wsz-scenario-closed"),
}
SCENARIO_CSS = """
.wsz-scenario-card { background: #fff; padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); font: 13px/1.4 system-ui, sans-serif; max-width: 300px; }
.wsz-scenario-card strong { display: block; margin-bottom: 2px; }
.wsz-site { border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 2px #000;
  width: 18px; height: 18px; color: #fff; font: bold 11px/18px sans-serif; text-align: center; }
"""


def summary_card(scenario: Scenario, candidates_shown: int) -> dict[str, Any]:
    """The scenario's card: a title and (label, value) rows, all text."""
    s = scenario.summary
    keys = ("residents_newly_covered", "residents_65plus_newly_covered", "residents_losing")
    n = count_text(pd.Series([*(s[k] for k in keys), s["residents_65plus_losing"]]))
    rows = [
        [nl_en("Soort", "Kind"), scenario.kind],
        [nl_en("Norm", "Norm"), f"{scenario.category} ≤ {scenario.norm_m:.0f} m"],
        [nl_en("Nieuw binnen de norm", "Newly within the norm"), f"{n[0]} (65+: {n[1]})"],
        [nl_en("Verliezen bereik", "Losing coverage"), f"{n[2]} (65+: {n[3]})"],
        [
            nl_en("Verder dan de norm", "Beyond the norm"),
            f"{100 * s['share_beyond_before']:.0f}% → {100 * s['share_beyond_after']:.0f}%",
        ],
        [nl_en("Opgeslagen", "Saved"), scenario.created],
    ]
    if scenario.objective == "distance":
        before, after = (s.get(k) for k in ("mean_before_m", "mean_after_m"))
        walk = " → ".join("?" if m is None else f"{m:.0f} m" for m in (before, after))
        rows.insert(1, [nl_en("Gemiddelde loopafstand", "Mean walking distance"), walk])
    total = int((scenario.sites["role"] == "candidate").sum())
    if total > candidates_shown:
        rows.append(
            [nl_en("Kandidaten getoond", "Candidates shown"), f"{candidates_shown} / {total}"]
        )
    return {"title": f"Scenario: {scenario.name}", "rows": rows}


class ScenarioCard(MacroElement):
    """The scenario's card (bottom left), drawn as text nodes by the shared planners' script
    (:mod:`maps.evaluate`, loaded by the click added beside it)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var card = {{ this.card|tojson }}, add = wszPlanner.add;
            wszPlanner.card({{ this._parent.get_name() }}, "bottomleft", "wsz-scenario-card",
                function(div) {
                    add(div, "strong", card.title);
                    card.rows.forEach(function(row) {
                        var line = add(div, "div", null);
                        add(line, "span", row[0] + ": ", "wsz-card-label");
                        line.appendChild(document.createTextNode(String(row[1])));
                    });
                });
        })();
        {% endmacro %}
    """)

    def __init__(self, scenario: Scenario, candidates_shown: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "ScenarioCard"
        self.card = summary_card(scenario, candidates_shown)


def _sites_layer(sites: gpd.GeoDataFrame, role: str, name: str) -> folium.GeoJson:
    """Chosen or closed sites as numbered round markers with a text tooltip."""
    colour, css = ROLE_STYLE[role]
    label = nl_en("Nieuw", "New") if role == "chosen" else nl_en("Dicht", "Closed")
    gain = count_text(sites["gain"].astype(float))
    data = sites[["geometry"]].assign(
        card=cards(
            sites["id"].astype(str),
            [("", pd.Series(label, index=sites.index)), (nl_en("Winst", "Gain"), gain)],
        )
    )
    icon = folium.DivIcon(
        html=f'<div class="wsz-site" style="background:{colour}"></div>',
        icon_size=(18, 18),
        icon_anchor=(9, 9),
        class_name=css,
    )
    layer = folium.GeoJson(data, name=name, marker=folium.Marker(icon=icon))
    TextCard().add_to(layer)
    return layer


def _candidates_layer(candidates: gpd.GeoDataFrame) -> folium.GeoJson:
    kind = pd.Series(nl_en("Kandidaat", "Candidate"), index=candidates.index)
    data = candidates[["geometry"]].assign(card=cards(candidates["id"].astype(str), [("", kind)]))
    layer = folium.GeoJson(
        data,
        name=nl_en("Kandidaten", "Candidates"),
        marker=folium.CircleMarker(
            radius=3,
            color="#4d4d4d",
            weight=1,
            fill=True,
            fill_opacity=0.6,
            class_name="wsz-scenario-candidate",
        ),
    )
    TextCard().add_to(layer)
    return layer


def scenario_map(
    analysis: Analysis,
    scenario: Scenario,
    gaps: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    *,
    tiles: TileLayer,
    asset_base: str,
    evaluate: Evaluate,
) -> OfflineMap:
    """The planners' map of ``scenario`` (module docstring); ``gaps``: the gap polygons
    today and after it (RD New, :func:`geo.pipeline.scenario_gaps`); ``evaluate``: where a
    click asks what a new voorziening there would bring."""
    dataset = analysis.dataset
    category = analysis.vocabulary[scenario.category].model_copy(
        update={"threshold_m": scenario.norm_m}
    )
    xmin, ymin, xmax, ymax = to_edge_crs(dataset.buurten).total_bounds
    fmap = OfflineMap(asset_base=asset_base, tiles=None, control_scale=True, prefer_canvas=False)
    if tiles is not None:
        folium.TileLayer(tiles[0], attr=tiles[1], name="Achtergrond / Background").add_to(fmap)
    if not dataset.zones.empty:
        zones_layer(to_edge_crs(dataset.zones)).add_to(fmap)
    moments = ((gaps[0], nl_en("vandaag", "today"), False), (gaps[1], scenario.name, True))
    for frame, when, show in moments:
        if not frame.empty:
            gap_polygon_layer(to_edge_crs(frame), category, source=when, show=show).add_to(fmap)
    existing = dataset.voorzieningen[dataset.voorzieningen["category"] == scenario.category]
    if not existing.empty:
        voorziening_layer(to_edge_crs(existing), category).add_to(fmap)
    sites = to_edge_crs(scenario.sites)
    candidates = sites[sites["role"] == "candidate"].iloc[:MAX_CANDIDATES_SHOWN]
    if not candidates.empty:
        _candidates_layer(candidates).add_to(fmap)
    for role, name in (("closed", nl_en("Gesloten", "Closed")), ("chosen", nl_en("Nieuw", "New"))):
        chosen = sites[sites["role"] == role]
        if not chosen.empty:
            _sites_layer(chosen, role, f"{name}: {category_label(category)}").add_to(fmap)
    fixed_click(evaluate, category, scenario.norm_m).add_to(fmap)
    ScenarioCard(scenario, len(candidates)).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[ymin, xmin], [ymax, xmax]])
    fmap.page_text = PageText(
        title=f"Scenario: {scenario.name}",
        banner=synthetic_note(dataset.provenance),
        extra_css=MAP_CSS + PAGE_CSS + EVALUATE_CSS + SCENARIO_CSS,
    )
    return fmap
