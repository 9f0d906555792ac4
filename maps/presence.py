"""Presence norms on the planners' maps: the wijken and zones without the voorziening a norm
asks for ("at least one ontmoetingsplek in every wijk") as an outlined layer with a text
card, and a legend block naming them.

Frames in (the gaps of :func:`geo.coverage.presence.gap_areas`, WGS84), display text out;
every value from the data is text (the card is drawn with ``textContent``, the legend
escaped), nothing is computed here.
"""

from __future__ import annotations

from html import escape

import folium
import geopandas as gpd
import pandas as pd

from geo.vocabulary import Vocabulary
from maps.layers import TextCard, cards, count_text
from maps.style import bilingual, category_label

#: Outline of an area that fails a presence norm (dashed, ColorBrewer's dark red).
PRESENCE_COLOUR = "#a50f15"
#: "in every wijk" / "in every zone", Dutch and English.
LEVEL_TEXT = {
    "wijk": ("in elke wijk", "in every wijk", "Wijk", "Wijk"),
    "zone": ("in elke woonservicezone", "in every zone", "Woonservicezone", "Zone"),
}


def norm_text(category_label_text: str, level: str) -> str:
    """ "Ontmoetingsplek / buurthuis in elke wijk / in every wijk"."""
    nl, en, _, _ = LEVEL_TEXT[level]
    return f"{category_label_text}: {nl} / {en}"


def presence_layer(areas: gpd.GeoDataFrame, vocabulary: Vocabulary) -> folium.GeoJson:
    """The areas failing a presence norm (WGS84, rows of ``gap_areas``), dashed outlines with
    a card: the area, the norm it fails, its residents and 65+."""
    labels = {c.code: category_label(c) for c in vocabulary.categories}
    kind = areas["level"].map({k: f"{v[2]} / {v[3]}" if v[2] != v[3] else v[2]
                               for k, v in LEVEL_TEXT.items()})  # fmt: skip
    title = kind + ": " + areas["area_name"].astype(str) + " (" + areas["area_code"] + ")"
    missing = pd.Series(
        [
            norm_text(labels.get(c, c), level)
            for c, level in zip(areas["category"], areas["level"], strict=True)
        ],
        index=areas.index,
        dtype=str,
    )
    card = cards(
        title,
        [
            (bilingual("presence_missing"), missing),
            (bilingual("residents"), count_text(areas["residents"].astype(float))),
            (bilingual("residents_65plus"), count_text(areas["residents_65plus"].astype(float))),
        ],
    )
    layer = folium.GeoJson(
        areas[["geometry"]].assign(card=card),
        name=bilingual("presence_layer"),
        class_name="wsz-presence",
        style_function=lambda _f: {
            "color": PRESENCE_COLOUR,
            "weight": 3,
            "dashArray": "6 4",
            "fillColor": PRESENCE_COLOUR,
            "fillOpacity": 0.08,
        },
    )
    TextCard().add_to(layer)
    return layer


def presence_legend(check: pd.DataFrame, vocabulary: Vocabulary) -> str:
    """The legend's block (escaped HTML): per norm, how many areas have one and the names of
    those without."""
    if check.empty:
        return ""
    labels = {c.code: category_label(c) for c in vocabulary.categories}
    rows = ""
    for (category, level), areas in check.groupby(["category", "level"], sort=False):
        met = areas["met"].astype(bool)
        text = norm_text(labels.get(str(category), str(category)), str(level))
        names = ", ".join(areas.loc[~met, "area_name"].astype(str))
        counted = f"{int(met.sum())}/{len(areas)}"
        without = f" — {bilingual('presence_without')}: {escape(names)}" if names else ""
        rows += (
            f'<div class="row"><span class="swatch" style="border:2px dashed {PRESENCE_COLOUR}">'
            f"</span><span>{escape(text)} <small>({counted}){without}</small></span></div>"
        )
    return f"<h2>{bilingual('presence_norms')}</h2>{rows}"
