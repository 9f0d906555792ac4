"""GeoDataFrames (WGS84, from :func:`geo.crs.to_edge_crs`) → Folium layers.

Every layer shows values prepared by the analysis; nothing is computed here but display text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo.vocabulary import Category
from maps.style import (
    BUURT_COLOUR,
    OUTSIDE_FILL,
    ZONE_COLOUR,
    bilingual,
    category_label,
    marker_html,
    share_colour,
)

UNKNOWN = bilingual("no_figure")


def count_text(values: pd.Series) -> pd.Series:
    """Counts as text with a thousands separator ('12.345', Dutch style); 'onbekend' if missing."""
    rounded = values.round()
    text = rounded.map(lambda v: f"{v:,.0f}".replace(",", "."), na_action="ignore")
    return text.astype(object).fillna(UNKNOWN).astype(str)  # object: all-missing is float


def share_text(values: pd.Series) -> pd.Series:
    """Fractions as whole percentages ('37%'); 'onbekend' where missing."""
    return values.map(lambda v: f"{100 * v:.0f}%", na_action="ignore").fillna(UNKNOWN).astype(str)


def cards(
    titles: pd.Series | None, rows: Sequence[tuple[str, pd.Series]], *, size: int | None = None
) -> list[dict[str, Any]]:
    """One card per feature for :class:`TextCard`: a title and (label, value) rows, all text.

    ``rows`` pair a label with a Series of display values aligned with ``titles`` (or of
    ``size`` features when there is no title); an empty label shows the value alone.
    """
    count = len(titles) if titles is not None else int(size or 0)
    heads = titles.astype(str).tolist() if titles is not None else [None] * count
    columns = [(label, values.astype(str).tolist()) for label, values in rows]
    return [
        {"title": head, "rows": [[label, values[i]] for label, values in columns]}
        for i, head in enumerate(heads)
    ]


#: The only links a card or the legend draws: relative paths (``../profiel/noord``), never a
#: scheme or another host (a pattern both Python and the page's script read).
RELATIVE_LINK = r"^(\.\./)+[A-Za-z0-9%._~/-]+$"


def profiel_link(base: str | None, code: object, label: str) -> dict[str, str] | None:
    """A link to the wijkprofiel of ``code`` (a zone, wijk or gemeente) under ``base`` (a
    relative path such as ``../profiel/``; None: no link), labelled with a :data:`LABELS` key."""
    if base is None or not isinstance(code, str) or not code:
        return None
    # Every character but letters, digits, '_' and '-' escaped: '.' too, so '..' is no way up.
    return {"href": base + quote(code, safe="").replace(".", "%2E"), "text": bilingual(label)}


class TextCard(MacroElement):
    """A tooltip (or popup) on the parent GeoJSON layer, drawn from each feature's ``card``
    property (:func:`cards`) as text nodes: a name from the data is never read as HTML. A
    popup also draws the card's ``links`` (:func:`profiel_link`) as ``a`` elements, relative
    same-origin paths only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}(function(layer) {
            var RELATIVE = new RegExp({{ this.relative|tojson }});
            var card = layer.feature.properties.card || {};
            var box = document.createElement("div");
            box.className = "wsz-card";
            function add(parent, tag, text) {
                var node = document.createElement(tag);
                if (text !== null && text !== undefined) node.textContent = String(text);
                parent.appendChild(node);
                return node;
            }
            if (card.title) add(box, "strong", card.title);
            (card.rows || []).forEach(function(row) {
                if (row[1] === "") return;
                var line = add(box, "div", null);
                if (row[0]) add(line, "span", row[0] + ": ").className = "wsz-card-label";
                line.appendChild(document.createTextNode(String(row[1])));
            });
            if (card.hint && !{{ this.tables|tojson }}) add(box, "em", card.hint);
            ({{ this.tables|tojson }} ? card.links || [] : []).forEach(function(link) {
                if (!RELATIVE.test(link.href)) return;  // same origin, relative paths only
                add(add(box, "div", null), "a", link.text).setAttribute("href", link.href);
            });
            ({{ this.tables|tojson }} ? card.tables || [] : []).forEach(function(table) {
                var element = add(box, "table", null);
                if (table.caption) add(element, "caption", table.caption);
                var head = add(add(element, "thead", null), "tr", null);
                table.head.forEach(function(cell) { add(head, "th", cell).scope = "col"; });
                var body = add(element, "tbody", null);
                table.body.forEach(function(cells) {
                    var line = add(body, "tr", null);
                    cells.forEach(function(cell, i) {
                        var node = add(line, i ? "td" : "th", cell);
                        if (!i) node.scope = "row";
                    });
                });
            });
            return box;
        }, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, *, popup: bool = False) -> None:
        """A tooltip, or (``popup``) a popup; only a popup shows the card's tables, a tooltip
        shows its hint instead."""
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "TextCard"
        self.tables = popup
        self.relative = RELATIVE_LINK
        self.method = "bindPopup" if popup else "bindTooltip"
        self.options: dict[str, Any] = (
            {"maxWidth": 420, "className": "wsz-popup"} if popup else {"sticky": True}
        )


def zone_text(buurten: gpd.GeoDataFrame, zone_names: Mapping[str, str]) -> pd.Series:
    """The zone of each buurt by name; "Buiten elke woonservicezone / Outside every zone"."""
    names = buurten["zone_code"].astype("string").map(dict(zone_names))
    return names.fillna(bilingual("outside_zones")).astype(str)


def buurten_layer(
    buurten: gpd.GeoDataFrame,
    tables: Mapping[str, dict[str, Any]],
    zone_names: Mapping[str, str],
    profiel_base: str | None = None,
) -> folium.GeoJson:
    """Buurt outlines with a tooltip and a popup: name, code, zone, residents, 65+ and the
    table of figures per category (``tables`` by buurt code, :func:`maps.cards.figure_tables`);
    the popup links to the wijkprofiel of the buurt's zone and wijk (under ``profiel_base``)."""
    card = cards(
        buurten["bu_naam"],
        [
            (bilingual("code"), buurten["bu_code"]),
            (bilingual("zone"), zone_text(buurten, zone_names)),
            (bilingual("residents"), count_text(buurten["residents"])),
            (bilingual("residents_65plus"), count_text(buurten["residents_65plus"])),
        ],
    )
    areas = zip(buurten["bu_code"].astype(str), buurten["zone_code"], buurten["wk_code"],
                strict=True)  # fmt: skip
    for entry, (code, zone, wijk) in zip(card, areas, strict=True):
        entry["tables"] = [tables[code]] if code in tables else []
        entry["hint"] = bilingual("click_for_figures")
        links = (profiel_link(profiel_base, zone, "profiel_zone"),
                 profiel_link(profiel_base, wijk, "profiel_wijk"))  # fmt: skip
        entry["links"] = [link for link in links if link is not None]
    data = buurten[["geometry"]].assign(card=card)
    layer = folium.GeoJson(
        data,
        name=bilingual("buurten"),
        class_name="wsz-buurt",
        style_function=lambda _f: {
            "color": BUURT_COLOUR,
            "weight": 1,
            "fillOpacity": 0.05,
            "fillColor": BUURT_COLOUR,
        },
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.15},
    )
    TextCard().add_to(layer)
    TextCard(popup=True).add_to(layer)
    return layer


def zones_layer(zones: gpd.GeoDataFrame, profiel_base: str | None = None) -> folium.GeoJson:
    """Zone outlines (thick, unfilled) with a tooltip: name, residents, 65+; clicked, the same
    with a link to the zone's wijkprofiel (under ``profiel_base``)."""
    card = cards(
        zones["zone_name"],
        [
            (bilingual("residents"), count_text(zones["residents"])),
            (bilingual("residents_65plus"), count_text(zones["residents_65plus"])),
        ],
    )
    for entry, code in zip(card, zones["zone_code"], strict=True):
        link = profiel_link(profiel_base, code, "profiel_zone")
        entry["links"] = [] if link is None else [link]
    data = zones[["geometry"]].assign(card=card)
    layer = folium.GeoJson(
        data,
        name=bilingual("zones"),
        class_name="wsz-zone",
        style_function=lambda _f: {"color": ZONE_COLOUR, "weight": 4, "fill": False},
    )
    TextCard().add_to(layer)
    if profiel_base is not None:
        TextCard(popup=True).add_to(layer)
    return layer


def voorziening_layer(points: gpd.GeoDataFrame, category: Category) -> folium.GeoJson:
    """One category's voorzieningen as lettered markers with a tooltip (name, kind)."""
    kind = pd.Series(category_label(category), index=points.index)
    data = points[["geometry"]].assign(card=cards(points["name"], [("", kind)]))
    icon = folium.DivIcon(html=marker_html(category), icon_size=(22, 22), icon_anchor=(11, 11))
    layer = folium.GeoJson(
        data,
        name=f"{marker_html(category)} {escape(category_label(category))}",
        marker=folium.Marker(icon=icon),
    )
    TextCard().add_to(layer)
    return layer


def gap_layer(
    buurten: gpd.GeoDataFrame, figures: pd.DataFrame, category: Category, *, show: bool
) -> folium.GeoJson:
    """Buurten shaded by the share of residents beyond ``category``'s threshold; buurten
    outside every zone hatched (their figures are in the tooltip all the same).

    ``figures`` are the coverage rows of this category per buurt (``bu_code``, ``share_beyond``,
    ``residents_beyond``, ``mean_distance_m``).
    """
    data = buurten[["bu_code", "bu_naam", "zone_code", "geometry"]].merge(
        figures[["bu_code", "share_beyond", "residents_beyond", "mean_distance_m"]],
        on="bu_code",
        how="left",
    )
    threshold = f"{category.threshold_m:.0f} m"
    outside = data["zone_code"].isna()
    data = data[["geometry"]].assign(
        fill=data["share_beyond"].map(share_colour).where(~outside, OUTSIDE_FILL),
        card=cards(
            data["bu_naam"],
            [
                ("", pd.Series("", index=data.index).where(~outside, bilingual("outside_zones"))),
                (f"{bilingual('share_beyond')} (> {threshold})", share_text(data["share_beyond"])),
                (bilingual("residents_beyond"), count_text(data["residents_beyond"])),
                (bilingual("mean_distance"), count_text(data["mean_distance_m"])),
            ],
        ),
    )
    layer = folium.GeoJson(
        data,
        name=f"{escape(category.symbol)} &gt; {threshold}: {bilingual('gaps')}",
        show=show,
        style_function=_fill_from_property,
        class_name="wsz-gap",
    )
    TextCard().add_to(layer)
    return layer


#: Fill colours of isochrones by minutes walked (ColorBrewer Blues, light = far).
ISOCHRONE_COLOURS: dict[float, str] = {5.0: "#2171b5", 10.0: "#6baed6", 15.0: "#c6dbef"}


def isochrone_layer(areas: gpd.GeoDataFrame, *, show: bool = True) -> folium.GeoJson:
    """Walking isochrones (WGS84) of voorzieningen: one polygon per voorziening and number of
    minutes, largest drawn first, with a tooltip "Huisarts X: 10 min lopen / walk"."""
    minutes = areas["minutes"].map(lambda m: f"{m:g} min {bilingual('walk_minutes')}")
    data = areas[["geometry"]].assign(
        fill=areas["minutes"].map(ISOCHRONE_COLOURS).fillna("#9ecae1"),
        card=cards(areas["name"], [("", minutes)]),
    )
    layer = folium.GeoJson(
        data,
        name=bilingual("isochrones"),
        class_name="wsz-isochrone",
        show=show,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.25,
            "color": f["properties"]["fill"],
            "weight": 1,
        },
    )
    TextCard().add_to(layer)
    return layer


def gap_polygon_layer(
    gaps: gpd.GeoDataFrame, category: Category, *, source: str, show: bool
) -> folium.GeoJson:
    """Where the residents beyond ``category``'s threshold live (WGS84 gap polygons), with a
    tooltip giving their number."""
    threshold = f"{category.threshold_m:.0f} m"
    data = gaps[["geometry"]].assign(
        card=cards(
            None,
            [
                (
                    f"{bilingual('residents_beyond')} (> {threshold})",
                    count_text(gaps["residents_beyond"]),
                ),
                (bilingual("residents_65plus"), count_text(gaps["residents_65plus_beyond"])),
            ],
            size=len(gaps),
        )
    )
    layer = folium.GeoJson(
        data,
        name=(
            f"{escape(category.symbol)} &gt; {threshold} ({escape(source)}): "
            f"{bilingual('gap_areas')}"
        ),
        show=show,
        class_name="wsz-gap-area",
        style_function=lambda _f: {
            "fillColor": "#67000d",
            "fillOpacity": 0.35,
            "color": "#67000d",
            "weight": 0.5,
        },
    )
    TextCard().add_to(layer)
    return layer


def _fill_from_property(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["fill"],
        "fillOpacity": 0.65,
        "color": "#737373",
        "weight": 1,
    }
