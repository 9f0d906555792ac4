"""A saved scenario on the planners' map, and the click that evaluates "a new voorziening here".

Layers, bottom to top: tiles (if any), zone outlines, the gap polygons of the scenario's
category and norm today (hidden) and after the scenario (shown), the existing voorzieningen
of the category, the candidates (small circles, at most :data:`MAX_CANDIDATES_SHOWN`), the
closed and the chosen sites. A card (bottom left) gives the scenario's figures; a click on the
map asks ``POST /whatif/evaluate`` what a new voorziening there would bring and shows the
answer in a second card (bottom right). Every value is set as text (``textContent``), never
HTML; the script is moved into a same-origin file like every planners' map (:mod:`maps.page`).
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
from maps.layers import (
    TextCard,
    cards,
    count_text,
    gap_polygon_layer,
    voorziening_layer,
    zones_layer,
)
from maps.page import PageText
from maps.style import LABELS, MAP_CSS, PAGE_CSS, category_label

#: Most candidates drawn (a generated set may hold thousands; the card says how many).
MAX_CANDIDATES_SHOWN = 2_000
ROLE_STYLE = {
    "chosen": ("#1a9850", "wsz-scenario-chosen"),
    "closed": ("#d73027", "wsz-scenario-closed"),
}
SCENARIO_CSS = """
.wsz-scenario-card, .wsz-evaluate { background: #fff; padding: 6px 10px; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0,0,0,.4); font: 13px/1.4 system-ui, sans-serif; max-width: 300px; }
.wsz-scenario-card strong, .wsz-evaluate strong { display: block; margin-bottom: 2px; }
.wsz-site { border-radius: 50%; border: 2px solid #fff; box-shadow: 0 0 2px #000;
  width: 18px; height: 18px; color: #fff; font: bold 11px/18px sans-serif; text-align: center; }
"""


def _text(nl: str, en: str) -> str:
    return f"{nl} / {en}"


def summary_card(scenario: Scenario, candidates_shown: int) -> dict[str, Any]:
    """The scenario's card: a title and (label, value) rows, all text."""
    s = scenario.summary
    keys = ("residents_newly_covered", "residents_65plus_newly_covered", "residents_losing")
    n = count_text(pd.Series([*(s[k] for k in keys), s["residents_65plus_losing"]]))
    rows = [
        [_text("Soort", "Kind"), scenario.kind],
        [_text("Norm", "Norm"), f"{scenario.category} ≤ {scenario.norm_m:.0f} m"],
        [_text("Nieuw binnen de norm", "Newly within the norm"), f"{n[0]} (65+: {n[1]})"],
        [_text("Verliezen bereik", "Losing coverage"), f"{n[2]} (65+: {n[3]})"],
        [
            _text("Verder dan de norm", "Beyond the norm"),
            f"{100 * s['share_beyond_before']:.0f}% → {100 * s['share_beyond_after']:.0f}%",
        ],
        [_text("Opgeslagen", "Saved"), scenario.created],
    ]
    total = int((scenario.sites["role"] == "candidate").sum())
    if total > candidates_shown:
        rows.append(
            [_text("Kandidaten getoond", "Candidates shown"), f"{candidates_shown} / {total}"]
        )
    return {"title": f"Scenario: {scenario.name}", "rows": rows}


class ScenarioControls(MacroElement):
    """The scenario's card and the click-to-evaluate card, drawn as text nodes; a click
    POSTs the point to ``url`` (same origin) and shows residents newly covered per zone."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var config = {{ this.config|tojson }};
            function add(parent, tag, text, css) {
                var node = document.createElement(tag);
                if (text !== null && text !== undefined) node.textContent = String(text);
                if (css) node.className = css;
                parent.appendChild(node);
                return node;
            }
            function card(position, css, fill) {
                var control = L.control({position: position});
                control.onAdd = function() {
                    var div = L.DomUtil.create("section", css);
                    fill(div);
                    L.DomEvent.disableClickPropagation(div);
                    return div;
                };
                control.addTo(map);
                return control.getContainer();
            }
            card("bottomleft", "wsz-scenario-card", function(div) {
                add(div, "strong", config.card.title);
                config.card.rows.forEach(function(row) {
                    var line = add(div, "div", null);
                    add(line, "span", row[0] + ": ", "wsz-card-label");
                    line.appendChild(document.createTextNode(String(row[1])));
                });
            });
            var answer = card("bottomright", "wsz-evaluate", function(div) {
                div.setAttribute("aria-live", "polite");
                add(div, "p", config.hint);
            });
            function number(v) {
                return Math.round(v).toLocaleString("nl-NL");
            }
            function show(ok, data) {
                answer.textContent = "";
                if (!ok) { add(answer, "p", data.detail || data.title || config.failed); return; }
                add(answer, "strong", config.title);
                add(answer, "div", config.residents + ": " + number(data.residents),
                    "wsz-evaluate-total");
                add(answer, "div", "65+: " + number(data.residents_65plus));
                var list = add(answer, "ul", null);
                data.by_zone.forEach(function(zone) {
                    var where = zone.zone_code || config.outside;
                    add(list, "li", where + ": " + number(zone.residents));
                });
                if (!data.on_network) add(answer, "p", config.off_network);
            }
            map.on("click", function(e) {
                var body = {lon: +e.latlng.lng.toFixed(6), lat: +e.latlng.lat.toFixed(6),
                            category: config.category, norm_m: config.norm_m};
                answer.textContent = "";
                add(answer, "p", config.busy);
                fetch(config.url, {method: "POST", headers: {"Content-Type": "application/json"},
                                   body: JSON.stringify(body)})
                    .then(function(r) { return r.json().then(function(d) { show(r.ok, d); }); })
                    .catch(function() { show(false, {}); });
            });
        })();
        {% endmacro %}
    """)

    def __init__(self, scenario: Scenario, url: str, candidates_shown: int) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "ScenarioControls"
        self.config = {
            "url": url,
            "category": scenario.category,
            "norm_m": scenario.norm_m,
            "card": summary_card(scenario, candidates_shown),
            "hint": _text(
                "Klik op de kaart: wat brengt een nieuwe voorziening daar?",
                "Click the map: what would a new voorziening there bring?",
            ),
            "title": _text("Een nieuwe voorziening hier", "A new voorziening here"),
            "residents": _text("Nieuw binnen de norm", "Newly within the norm"),
            "outside": LABELS["outside_zones"][0],
            "busy": _text("Bezig met rekenen…", "Computing…"),
            "failed": _text("Geen antwoord", "No answer"),
            "off_network": _text(
                "Dit punt ligt te ver van het wegennet", "This point is too far from the network"
            ),
        }


def _sites_layer(sites: gpd.GeoDataFrame, role: str, name: str) -> folium.GeoJson:
    """Chosen or closed sites as numbered round markers with a text tooltip."""
    colour, css = ROLE_STYLE[role]
    label = _text("Nieuw", "New") if role == "chosen" else _text("Dicht", "Closed")
    gain = count_text(sites["gain"].astype(float))
    data = sites[["geometry"]].assign(
        card=cards(
            sites["id"].astype(str),
            [("", pd.Series(label, index=sites.index)), (_text("Winst", "Gain"), gain)],
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
    kind = pd.Series(_text("Kandidaat", "Candidate"), index=candidates.index)
    data = candidates[["geometry"]].assign(card=cards(candidates["id"].astype(str), [("", kind)]))
    layer = folium.GeoJson(
        data,
        name=_text("Kandidaten", "Candidates"),
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
    evaluate_url: str,
) -> OfflineMap:
    """The planners' map of ``scenario`` (module docstring); ``gaps``: the gap polygons
    today and after it (RD New, :func:`geo.pipeline.scenario_gaps`)."""
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
    moments = ((gaps[0], _text("vandaag", "today"), False), (gaps[1], scenario.name, True))
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
    for role, name in (("closed", _text("Gesloten", "Closed")), ("chosen", _text("Nieuw", "New"))):
        chosen = sites[sites["role"] == role]
        if not chosen.empty:
            _sites_layer(chosen, role, f"{name}: {category_label(category)}").add_to(fmap)
    ScenarioControls(scenario, evaluate_url, len(candidates)).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[ymin, xmin], [ymax, xmax]])
    fmap.page_text = PageText(
        title=f"Scenario: {scenario.name}",
        banner=synthetic_note(dataset.provenance),
        extra_css=MAP_CSS + PAGE_CSS + SCENARIO_CSS,
    )
    return fmap
