"""Build the overview map of the gemeente and one map per woonservicezone.

Both read an :class:`geo.pipeline.Analysis` and nothing else, so the API (``/maps/...``) and the
CLI (``wsz map``) draw the same map. Layers, bottom to top: tiles (configurable, may be
none), the coverage gaps per category (the first shown, the others in the layer control), buurten,
zone outlines, the wijken and zones failing a presence norm (:mod:`maps.presence`),
voorzieningen per category. A legend and an open layer control complete it; a served map also
answers a click with what a new voorziening there would bring (:mod:`maps.evaluate`).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import folium
import geopandas as gpd

from geo import pipeline
from geo.analysis import Analysis
from geo.ask.reach import DEFAULT_MINUTES, voorziening_isochrones
from geo.common.files import atomic_write
from geo.coverage.presence import gap_areas, presence_gaps
from geo.crs import to_edge_crs
from geo.read.provenance import Provenance
from maps.assets import OfflineMap, copy_vendor
from maps.cards import figure_tables
from maps.evaluate import EVALUATE_CSS, Evaluate, chosen_click
from maps.layers import (
    buurten_layer,
    gap_layer,
    gap_polygon_layer,
    isochrone_layer,
    profiel_link,
    voorziening_layer,
    zones_layer,
)
from maps.legend import Legend
from maps.page import MapPage, PageText, build_page, number_elements
from maps.presence import presence_layer, presence_legend
from maps.style import LABELS, MAP_CSS, PAGE_CSS, bilingual

#: (URL template, attribution) of a tile layer, or None for a map without tiles.
TileLayer = tuple[str, str] | None


class Serving(NamedTuple):
    """Where a map is shown: its tiles, where Leaflet is (``asset_base``), where the
    wijkprofielen are relative to the page (None: no links) and where a click asks what a new
    voorziening there would bring (None: no click, as on a map written to a file)."""

    tiles: TileLayer
    asset_base: str
    profiel_base: str | None
    evaluate: Evaluate | None = None


#: Zone maps draw walking isochrones around the voorzieningen of these categories.
ISOCHRONE_CATEGORIES = ("ontmoetingsplek", "gezondheidscentrum")


def overview_map(
    analysis: Analysis, *, tiles: TileLayer, asset_base: str, profiel_base: str | None = None,
    evaluate: Evaluate | None = None,
) -> OfflineMap:  # fmt: skip
    """The whole gemeente: every zone, buurt and voorziening. ``profiel_base``: where the
    wijkprofielen are, relative to the page (the service: ``../profiel/``); None: no links
    (a map written to a file has no service beside it). ``evaluate``: where a click asks
    what a new voorziening of the chosen category there would bring (None: no click)."""
    dataset = analysis.dataset
    dataset.require_buurten()
    return _compose(
        analysis,
        buurten=dataset.buurten,
        zones=dataset.zones,
        voorzieningen=dataset.voorzieningen,
        title=f"{bilingual('zones')} — {_gemeente_name(dataset.buurten)}",
        serving=Serving(tiles, asset_base, profiel_base, evaluate),
    )


def zone_map(
    analysis: Analysis, zone_code: str, *, tiles: TileLayer, asset_base: str,
    profiel_base: str | None = None, evaluate: Evaluate | None = None,
) -> OfflineMap:  # fmt: skip
    """One zone: its buurten and outline, and the voorzieningen within reach of it (links to
    wijkprofielen under ``profiel_base`` and the click, as :func:`overview_map`).

    Voorzieningen are shown up to the largest threshold beyond the zone's edge (RD New metres),
    since residents near the edge use those too. Where a street network is loaded, the zone's
    ontmoetingsplekken and gezondheidscentra get 5/10/15-minute walking isochrones and the
    gap polygons show where the residents beyond each threshold live. Raises
    :class:`~geo.errors.NotFoundError` for an unknown zone.
    """
    dataset = analysis.dataset
    zone = dataset.zone(zone_code)
    reach = max(analysis.vocabulary.thresholds_m().values())
    nearby = dataset.voorzieningen.geometry.within(zone.geometry.buffer(reach))
    return _compose(
        analysis,
        buurten=dataset.buurten[dataset.buurten["zone_code"] == zone_code],
        zones=dataset.zones[dataset.zones["zone_code"] == zone_code],
        voorzieningen=dataset.voorzieningen[nearby],
        title=f"{bilingual('zone')}: {zone['zone_name']}",
        serving=Serving(tiles, asset_base, profiel_base, evaluate),
        zone_code=zone_code,
    )


def _walking_layers(fmap: folium.Map, analysis: Analysis, zone_code: str) -> None:
    """Isochrones of the zone's ontmoetingsplekken and gezondheidscentra, and its gap
    polygons per category (the first category's shown)."""
    voorzieningen = analysis.dataset.voorzieningen
    chosen = voorzieningen[
        (voorzieningen["zone_code"] == zone_code).fillna(False)
        & voorzieningen["category"].isin(ISOCHRONE_CATEGORIES)
    ]
    if analysis.network is not None and not chosen.empty:
        areas = voorziening_isochrones(
            analysis,
            chosen,
            DEFAULT_MINUTES,
            speed_m_per_s=analysis.walking_speed_m_per_s,
            buffer_m=analysis.isochrone_buffer_m,
        )
        if not areas.empty:
            isochrone_layer(to_edge_crs(areas)).add_to(fmap)
    if analysis.gaps is None:
        return
    gaps = analysis.gaps[(analysis.gaps["zone_code"] == zone_code).fillna(False)]
    source = LABELS.get(analysis.coverage.source, (analysis.coverage.source,) * 2)[0]
    for position, category in enumerate(analysis.vocabulary.categories):
        rows = gaps[gaps["category"] == category.code]
        if not rows.empty:
            gap_polygon_layer(
                to_edge_crs(rows), category, source=source, show=position == 0
            ).add_to(fmap)


#: Dutch and English names of the layers a sample can mark as synthetic.
LAYER_NAMES: dict[str, tuple[str, str]] = {
    "buurten": ("buurten", "neighbourhoods"),
    "zones": ("zones", "zones"),
    "voorzieningen": ("voorzieningen", "facilities"),
    "network": ("wegennet", "street network"),
    "addresses": ("adressen", "addresses"),
}


def synthetic_note(provenance: Provenance) -> str | None:
    """The page's banner when any layer is synthetic, e.g. "Voorzieningen en wegennet:
    synthetisch (gegenereerd) / Facilities and street network: synthetic (generated)"."""
    layers = provenance.synthetic
    if not layers:
        return None
    names = [LAYER_NAMES.get(layer, (layer, layer)) for layer in layers]

    def listing(words: list[str], conjunction: str) -> str:
        text = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
        return text[:1].upper() + text[1:]

    dutch = listing([nl for nl, _ in names], "en")
    english = listing([en for _, en in names], "and")
    return f"{dutch}: synthetisch (gegenereerd) / {english}: synthetic (generated)"


def _gemeente_name(buurten: gpd.GeoDataFrame) -> str:
    names = buurten["gm_naam"].dropna().unique()
    return (
        ", ".join(str(n) for n in names) if len(names) else ", ".join(buurten["gm_code"].unique())
    )


def _profiel_links(
    profiel_base: str | None, zone_code: str | None, buurten: gpd.GeoDataFrame
) -> list[dict[str, str]]:
    """The legend's links to wijkprofielen: the zone's (on a zone map) and the gemeente's."""
    links = [profiel_link(profiel_base, zone_code, "profiel_zone")]
    for code in sorted(set(buurten["gm_code"].dropna())):
        links.append(profiel_link(profiel_base, str(code), "profiel_gemeente"))
    return [link for link in links if link is not None]


def _compose(
    analysis: Analysis,
    *,
    buurten: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    title: str,
    serving: Serving,
    zone_code: str | None = None,
) -> OfflineMap:
    tiles, asset_base, profiel_base = serving.tiles, serving.asset_base, serving.profiel_base
    buurten_wgs84 = to_edge_crs(buurten)
    xmin, ymin, xmax, ymax = buurten_wgs84.total_bounds
    fmap = OfflineMap(asset_base=asset_base, tiles=None, control_scale=True, prefer_canvas=False)
    if tiles is not None:
        url, attribution = tiles
        folium.TileLayer(
            url, attr=attribution, name="Achtergrond / Background", max_zoom=19
        ).add_to(fmap)
    source = " / ".join(LABELS.get(analysis.source.name, (analysis.source.name,) * 2))
    source_text = f"Afstand / Distance: {source}"
    per_buurt = analysis.coverage.buurten
    for position, category in enumerate(analysis.vocabulary.categories):
        figures = per_buurt[per_buurt["category"] == category.code]
        shown = position == 0 and zone_code is None  # zone maps show gap polygons instead
        gap_layer(buurten_wgs84, figures, category, show=shown).add_to(fmap)
    if zone_code is not None:
        _walking_layers(fmap, analysis, zone_code)
    tables = figure_tables(
        per_buurt, analysis.vocabulary.categories, walking=analysis.coverage.source == "walking"
    )
    zone_names = dict(
        zip(
            analysis.dataset.zones["zone_code"].astype(str),
            analysis.dataset.zones["zone_name"].astype(str),
            strict=True,
        )
    )
    buurten_layer(buurten_wgs84, tables, zone_names, profiel_base).add_to(fmap)
    if not zones.empty:
        zones_layer(to_edge_crs(zones), profiel_base).add_to(fmap)
    presence = pipeline.whatif_norms(analysis, zone_code=zone_code)
    failing = gap_areas(presence_gaps(presence), analysis.dataset.buurten, analysis.dataset.zones)
    if not failing.empty:
        presence_layer(to_edge_crs(failing), analysis.vocabulary).add_to(fmap)
    voorzieningen_wgs84 = to_edge_crs(voorzieningen)
    for category in analysis.vocabulary.categories:
        points = voorzieningen_wgs84[voorzieningen_wgs84["category"] == category.code]
        if not points.empty:
            voorziening_layer(points, category).add_to(fmap)
    Legend(
        analysis.vocabulary,
        source=source_text,
        zone_layers=zone_code is not None,
        extra=presence_legend(presence, analysis.vocabulary),
        links=_profiel_links(profiel_base, zone_code, buurten),
    ).add_to(fmap)
    if serving.evaluate is not None:
        chosen_click(serving.evaluate, analysis.vocabulary).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds([[ymin, xmin], [ymax, xmax]])
    no_tiles_css = ".leaflet-container { background: #f2efe9; }" if tiles is None else ""
    fmap.page_text = PageText(
        title=title,
        banner=synthetic_note(analysis.dataset.provenance),
        extra_css=MAP_CSS + PAGE_CSS + EVALUATE_CSS + no_tiles_css,
    )
    return fmap


def render_page(fmap: OfflineMap, script_url: str) -> MapPage:
    """The page of a map and its script (no inline script: see :mod:`maps.page`).

    ``script_url`` is where the page loads its script from; ``{digest}`` in it is replaced by
    a hash of the script (e.g. ``/maps/zuid.js?v={digest}``).
    """
    root = fmap.get_root()
    number_elements(root)
    return build_page(str(root.render()), fmap.page_text, script_url)


def map_html(fmap: OfflineMap, script_url: str = "map.js") -> str:
    """The HTML page of a map (its script: :func:`render_page`)."""
    return render_page(fmap, script_url).html


def write_map(fmap: OfflineMap, path: Path) -> Path:
    """Write a map page to ``path``, its script beside it (``<stem>.js``) and Leaflet next to
    it (``vendor/``), for offline viewing.

    The map must have been built with ``asset_base="vendor"``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    copy_vendor(path.parent / "vendor")
    page = render_page(fmap, f"{path.stem}.js")
    with atomic_write(path.with_suffix(".js")) as temporary:
        temporary.write_text(page.script, encoding="utf-8")
    with atomic_write(path) as temporary:
        temporary.write_text(page.html, encoding="utf-8")
    return path
