"""Colours and the Dutch/English words residents and planners see on the maps.

Residents read the map on the municipality's website, so every label is given in Dutch first
and English second ("Buurt / Neighbourhood"). Category labels and colours come from the
vocabulary (``data/voorzieningen.yaml``); nothing here knows the categories.
"""

from __future__ import annotations

from html import escape

from geo.vocabulary import Category

#: Dutch / English pairs for fixed words on the map.
LABELS: dict[str, tuple[str, str]] = {
    "buurten": ("Buurten", "Neighbourhoods"),
    "buurt": ("Buurt", "Neighbourhood"),
    "code": ("Code", "Code"),
    "zones": ("Woonservicezones", "Residential service zones"),
    "zone": ("Woonservicezone", "Residential service zone"),
    "residents": ("Inwoners", "Residents"),
    "residents_65plus": ("Inwoners 65+", "Residents 65+"),
    "voorzieningen": ("Voorzieningen", "Facilities"),
    "beyond": ("Verder dan", "Further than"),
    "share_beyond": ("Aandeel inwoners buiten bereik", "Share of residents out of reach"),
    "residents_beyond": ("Inwoners buiten bereik", "Residents out of reach"),
    "mean_distance": ("Gemiddelde afstand (m)", "Mean distance (m)"),
    "straight_line": ("hemelsbreed (rechte lijn)", "straight line"),
    "walking": ("lopend over het wegennet", "walking over the street network"),
    "no_figure": ("onbekend", "unknown"),
    "legend": ("Legenda", "Legend"),
    "gaps": ("Buiten bereik", "Out of reach"),
    "gap_areas": ("waar inwoners buiten bereik wonen", "where residents out of reach live"),
    "isochrones": (
        "Looptijd vanaf ontmoetingsplek en gezondheidscentrum",
        "Walking time from meeting place and health centre",
    ),
    "walk_minutes": ("lopen", "walk"),
    "walking_short": ("Lopend", "Walking"),
    "straight_short": ("Hemelsbreed", "Straight line"),
    "beyond_norm": ("Verder dan de norm", "Beyond the norm"),
    "outside_zones": ("Buiten elke woonservicezone", "Outside every zone"),
    "layers": ("Lagen", "Layers"),
    "gap_shading": (
        "Buurten gekleurd naar het aandeel inwoners verder dan de norm, per voorziening (kies "
        "in de lagenlijst)",
        "Buurten shaded by the share of residents beyond the norm, per facility (pick in the "
        "layer list)",
    ),
    "isochrone_legend": (
        "Looptijd vanaf ontmoetingsplek en gezondheidscentrum (5, 10, 15 min)",
        "Walking time from meeting place and health centre (5, 10, 15 min)",
    ),
    "gap_area_legend": (
        "Waar de inwoners verder dan de norm wonen (per voorziening)",
        "Where the residents beyond the norm live (per facility)",
    ),
    "presence_norms": ("Aanwezigheidsnormen", "Presence norms"),
    "presence_layer": ("Aanwezigheidsnorm niet gehaald", "Presence norm not met"),
    "presence_missing": ("Ontbreekt", "Missing"),
    "presence_without": ("zonder", "without"),
    "click_for_figures": (
        "Klik voor de cijfers per voorziening",
        "Click for the figures per facility",
    ),
    "profiel_zone": ("Wijkprofiel van de zone", "Area profile of the zone"),
    "profiel_wijk": ("Wijkprofiel van de wijk", "Area profile of the district"),
    "profiel_gemeente": ("Wijkprofiel van de gemeente", "Profile of the municipality"),
}

#: Share-beyond classes (upper bounds, fractions 0..1) and their fill colours (ColorBrewer
#: YlOrRd, colour-blind safe), from "almost everyone covered" to "almost nobody covered".
SHARE_CLASSES: tuple[tuple[float, str], ...] = (
    (0.10, "#ffffb2"),
    (0.25, "#fecc5c"),
    (0.50, "#fd8d3c"),
    (0.75, "#f03b20"),
    (1.00, "#bd0026"),
)
NO_DATA_COLOUR = "#bdbdbd"
#: Buurten outside every zone: hatched (an SVG pattern of the page, templates/planner.html).
OUTSIDE_FILL = "url(#wsz-hatch)"
ZONE_COLOUR = "#08306b"
BUURT_COLOUR = "#525252"


def nl_en(nl: str, en: str) -> str:
    """Dutch and English words as shown on the maps: ``"Nieuw / New"``."""
    return f"{nl} / {en}"


def bilingual(key: str) -> str:
    """``"Inwoners / Residents"`` for a key of :data:`LABELS`."""
    nl, en = LABELS[key]
    return nl if nl == en else f"{nl} / {en}"


def category_label(category: Category) -> str:
    """``"Huisarts / General practitioner"``."""
    return f"{category.label_nl} / {category.label_en}"


def share_colour(share: float | None) -> str:
    """Fill colour for a share of residents beyond the threshold (0..1); grey when unknown."""
    if share is None or share != share:  # NaN: a buurt without residents
        return NO_DATA_COLOUR
    for upper, colour in SHARE_CLASSES:
        if share <= upper:
            return colour
    return SHARE_CLASSES[-1][1]


def marker_html(category: Category) -> str:
    """A round marker with the category's letter, readable without colour vision."""
    return (
        f'<div class="wsz-marker" style="background:{escape(category.colour)}" '
        f'title="{escape(category_label(category))}">{escape(category.symbol)}</div>'
    )


MAP_CSS = """
.wsz-marker { width: 22px; height: 22px; border-radius: 50%; border: 2px solid #fff;
  box-shadow: 0 0 2px #000; color: #fff; font: bold 12px/22px sans-serif; text-align: center; }
.wsz-legend { background: rgba(255,255,255,.95); padding: 8px 10px; border-radius: 4px;
  font: 12px/1.4 sans-serif; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 280px;
  overflow-y: auto; }
.wsz-legend .hatch { background: repeating-linear-gradient(45deg, #fff 0 3px, #737373 3px 4px); }
.wsz-legend p { margin: 4px 0; }
.wsz-legend h2 { margin: 6px 0 2px; font-size: 13px; }
.wsz-legend h2:first-child { margin-top: 0; }
.wsz-legend .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.wsz-legend .swatch { width: 14px; height: 14px; border: 1px solid #777; flex: none; }
.wsz-legend .wsz-marker { width: 16px; height: 16px; font-size: 10px; line-height: 16px;
  border-width: 1px; flex: none; }
.wsz-legend small { color: #444; }
.leaflet-control-layers-expanded { max-width: 300px; max-height: 55vh; overflow-y: auto;
  font: 12px/1.3 sans-serif; }
.leaflet-control-layers label .wsz-marker { display: inline-block; width: 14px; height: 14px;
  font-size: 9px; line-height: 14px; border-width: 1px; vertical-align: middle; }
@media (max-width: 600px) { .wsz-legend { display: none; } }
.wsz-card { font: 12px/1.4 sans-serif; }
.wsz-card em { display: block; margin-top: 2px; color: #444; }
.wsz-card strong { display: block; font-size: 13px; margin-bottom: 2px; }
.wsz-card-label { color: #444; }
.wsz-card table { border-collapse: collapse; margin-top: 4px; }
.wsz-card caption { text-align: left; font-weight: bold; }
.wsz-card th, .wsz-card td { padding: 1px 6px 1px 0; text-align: right; white-space: nowrap; }
.wsz-card th[scope=row] { text-align: left; font-weight: normal; }
"""

#: The page around the map: a heading and the synthetic banner above it, the map filling
#: the rest of the window.
PAGE_CSS = """
html, body { height: 100%; margin: 0; }
body.wsz-planner { display: flex; flex-direction: column; font: 14px/1.4 sans-serif; }
.wsz-header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px;
  padding: 6px 12px; border-bottom: 1px solid #bbb; background: #fff; }
.wsz-header h1 { margin: 0; font-size: 18px; }
.wsz-banner { margin: 0; padding: 2px 8px; background: #fff3cd; color: #5c4400;
  border: 1px solid #c9a227; border-radius: 3px; font-weight: bold; }
.wsz-main { flex: 1; position: relative; min-height: 0; }
.wsz-main .folium-map { position: absolute; inset: 0; width: 100%; height: 100%; }
"""
