"""GeoDataFrames (WGS84, from :func:`geo.crs.to_edge_crs`) → Folium layers.

Every layer shows values prepared by the analysis; nothing is computed here but display text.
"""

from __future__ import annotations

from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from geo.vocabulary import Category, Vocabulary
from maps.style import (
    BUURT_COLOUR,
    NO_DATA_COLOUR,
    SHARE_CLASSES,
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
    return text.fillna(UNKNOWN).astype(str)


def share_text(values: pd.Series) -> pd.Series:
    """Fractions as whole percentages ('37%'); 'onbekend' where missing."""
    return values.map(lambda v: f"{100 * v:.0f}%", na_action="ignore").fillna(UNKNOWN).astype(str)


def buurten_layer(buurten: gpd.GeoDataFrame) -> folium.GeoJson:
    """Buurt outlines with a tooltip: name, code, residents, 65+."""
    data = buurten.assign(
        residents_text=count_text(buurten["residents"]),
        residents_65plus_text=count_text(buurten["residents_65plus"]),
    )[["bu_naam", "bu_code", "residents_text", "residents_65plus_text", "geometry"]]
    return folium.GeoJson(
        data,
        name=bilingual("buurten"),
        style_function=lambda _f: {
            "color": BUURT_COLOUR,
            "weight": 1,
            "fillOpacity": 0.05,
            "fillColor": BUURT_COLOUR,
        },
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.15},
        tooltip=folium.GeoJsonTooltip(
            fields=["bu_naam", "bu_code", "residents_text", "residents_65plus_text"],
            aliases=[
                bilingual("buurt"),
                bilingual("code"),
                bilingual("residents"),
                bilingual("residents_65plus"),
            ],
        ),
    )


def zones_layer(zones: gpd.GeoDataFrame) -> folium.GeoJson:
    """Zone outlines (thick, unfilled) with a tooltip: name, residents, 65+."""
    data = zones.assign(
        residents_text=count_text(zones["residents"]),
        residents_65plus_text=count_text(zones["residents_65plus"]),
    )[["zone_name", "residents_text", "residents_65plus_text", "geometry"]]
    return folium.GeoJson(
        data,
        name=bilingual("zones"),
        style_function=lambda _f: {"color": ZONE_COLOUR, "weight": 4, "fill": False},
        tooltip=folium.GeoJsonTooltip(
            fields=["zone_name", "residents_text", "residents_65plus_text"],
            aliases=[bilingual("zone"), bilingual("residents"), bilingual("residents_65plus")],
        ),
    )


def voorziening_layer(points: gpd.GeoDataFrame, category: Category) -> folium.GeoJson:
    """One category's voorzieningen as lettered markers with a tooltip (name, kind)."""
    data = points.assign(kind=category_label(category))[["name", "kind", "geometry"]]
    icon = folium.DivIcon(html=marker_html(category), icon_size=(22, 22), icon_anchor=(11, 11))
    return folium.GeoJson(
        data,
        name=f"{marker_html(category)} {category_label(category)}",
        marker=folium.Marker(icon=icon),
        tooltip=folium.GeoJsonTooltip(fields=["name", "kind"], labels=False),
    )


def gap_layer(
    buurten: gpd.GeoDataFrame, figures: pd.DataFrame, category: Category, *, show: bool
) -> folium.GeoJson:
    """Buurten shaded by the share of residents beyond ``category``'s threshold.

    ``figures`` are the coverage rows of this category per buurt (``bu_code``, ``share_beyond``,
    ``residents_beyond``, ``mean_distance_m``).
    """
    data = buurten[["bu_code", "bu_naam", "geometry"]].merge(
        figures[["bu_code", "share_beyond", "residents_beyond", "mean_distance_m"]],
        on="bu_code",
        how="left",
    )
    data = data.assign(
        fill=data["share_beyond"].map(share_colour),
        share_text=share_text(data["share_beyond"]),
        beyond_text=count_text(data["residents_beyond"]),
        distance_text=count_text(data["mean_distance_m"]),
    )[["bu_naam", "share_text", "beyond_text", "distance_text", "fill", "geometry"]]
    threshold = f"{category.threshold_m:.0f} m"
    return folium.GeoJson(
        data,
        name=f"{category.symbol} > {threshold}: {bilingual('gaps')}",
        show=show,
        style_function=_fill_from_property,
        tooltip=folium.GeoJsonTooltip(
            fields=["bu_naam", "share_text", "beyond_text", "distance_text"],
            aliases=[
                bilingual("buurt"),
                f"{bilingual('share_beyond')} (> {threshold})",
                bilingual("residents_beyond"),
                bilingual("mean_distance"),
            ],
        ),
    )


#: Fill colours of isochrones by minutes walked (ColorBrewer Blues, light = far).
ISOCHRONE_COLOURS: dict[float, str] = {5.0: "#2171b5", 10.0: "#6baed6", 15.0: "#c6dbef"}


def isochrone_layer(areas: gpd.GeoDataFrame, *, show: bool = True) -> folium.GeoJson:
    """Walking isochrones (WGS84) of voorzieningen: one polygon per voorziening and number of
    minutes, largest drawn first, with a tooltip "Huisarts X: 10 min lopen / walk"."""
    data = areas.assign(
        fill=areas["minutes"].map(ISOCHRONE_COLOURS).fillna("#9ecae1"),
        label=areas["name"].astype(str)
        + ": "
        + areas["minutes"].map(lambda m: f"{m:g}")
        + " min "
        + bilingual("walk_minutes"),
    )[["label", "fill", "geometry"]]
    return folium.GeoJson(
        data,
        name=bilingual("isochrones"),
        show=show,
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.25,
            "color": f["properties"]["fill"],
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )


def gap_polygon_layer(
    gaps: gpd.GeoDataFrame, category: Category, *, source: str, show: bool
) -> folium.GeoJson:
    """Where the residents beyond ``category``'s threshold live (WGS84 gap polygons), with a
    tooltip giving their number."""
    threshold = f"{category.threshold_m:.0f} m"
    data = gaps.assign(
        beyond_text=count_text(gaps["residents_beyond"]),
        beyond_65_text=count_text(gaps["residents_65plus_beyond"]),
    )[["beyond_text", "beyond_65_text", "geometry"]]
    return folium.GeoJson(
        data,
        name=f"{category.symbol} > {threshold} ({source}): {bilingual('gap_areas')}",
        show=show,
        style_function=lambda _f: {
            "fillColor": "#67000d",
            "fillOpacity": 0.35,
            "color": "#67000d",
            "weight": 0.5,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["beyond_text", "beyond_65_text"],
            aliases=[
                f"{bilingual('residents_beyond')} (> {threshold})",
                bilingual("residents_65plus"),
            ],
        ),
    )


def _fill_from_property(feature: dict[str, Any]) -> dict[str, Any]:
    return {
        "fillColor": feature["properties"]["fill"],
        "fillOpacity": 0.65,
        "color": "#737373",
        "weight": 1,
    }


class Legend(MacroElement):
    """A Leaflet control (bottom right) with the categories and the gap colour classes."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function() {
                var div = L.DomUtil.create("div", "wsz-legend");
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
    """)

    def __init__(self, vocabulary: Vocabulary, *, source: str, note: str | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # branca's __init__ is untyped
        self._name = "Legend"
        rows = "".join(
            f'<div class="row">{marker_html(c)}<span>{category_label(c)} '
            f"<small>(≤ {c.threshold_m:.0f} m)</small></span></div>"
            for c in vocabulary.categories
        )
        lower = 0.0
        classes = ""
        for upper, colour in SHARE_CLASSES:
            classes += (
                f'<div class="row"><span class="swatch" style="background:{colour}"></span>'
                f"{100 * lower:.0f}–{100 * upper:.0f}%</div>"
            )
            lower = upper
        classes += (
            f'<div class="row"><span class="swatch" style="background:{NO_DATA_COLOUR}"></span>'
            f"{bilingual('no_figure')}</div>"
        )
        self.html = (
            f"<h4>{bilingual('voorzieningen')}</h4>{rows}"
            f"<h4>{bilingual('share_beyond')}</h4><small>{source}</small>{classes}"
            + (f"<p><small>{note}</small></p>" if note else "")
        )
