"""The wijkprofiel page's words, Dutch (default) and English."""
# ruff: noqa: E501  (sentences of the page, one per line, are easier to translate)

from __future__ import annotations

from typing import Any

_THEMES_NL = {
    "wonen": "Wonen", "leren_opgroeien": "Leren en opgroeien", "werk_inkomen": "Werk en inkomen",
    "integratie": "Integratie", "veiligheid": "Veiligheid", "welzijn_zorg": "Welzijn en zorg",
    "eigen": "Eigen indicatoren",
}  # fmt: skip
_THEMES_EN = {
    "wonen": "Housing", "leren_opgroeien": "Learning and growing up", "werk_inkomen": "Work and income",
    "integratie": "Integration", "veiligheid": "Safety", "welzijn_zorg": "Well-being and care",
    "eigen": "Own indicators",
}  # fmt: skip
LABELS: dict[str, dict[str, Any]] = {
    "nl": {
        "title": "Wijkprofiel", "kinds": {"zone": "woonservicezone", "wijk": "wijk", "gemeente": "gemeente"},
        "code": "code", "year": "jaar", "missing": "ontbreekt", "other_lang": "English",
        "description": "Beschrijving", "map_alt": "Kaart van", "origin": "Herkomst",
        "residents": "Inwoners", "residents_65plus": "Inwoners 65+", "area": "Oppervlakte",
        "location": "Ligging", "buurten": "Buurten", "buurten_lc": "buurten",
        "single_year": "Van dit gebied zijn alleen cijfers van één jaar opgeslagen; er is geen vergelijking met eerdere jaren:",
        "code_change": "Buurtindeling gewijzigd", "kept": "codes gebleven", "gone": "vervallen",
        "new": "nieuw", "matched_by": "gekoppeld op", "themes": _THEMES_NL,
        "indicator": "Indicator", "latest": "Laatste", "previous": "Vorige", "change": "Verschil",
        "gemeente": "Gemeente", "target": "Doel (prognose)", "source": "Bron",
        "on_track": "op koers", "off_track": "niet op koers", "chart_of": "Verloop van",
        "coverage": "Bereikbaarheid van voorzieningen", "category": "Voorziening", "norm": "Norm",
        "beyond_walk": "Inwoners verder dan de norm", "beyond_65": "65+ verder dan de norm",
        "beyond_straight": "Idem, hemelsbreed", "cbs_km": "CBS-afstand (over de weg)",
        "trend": "65+ verder dan de norm per momentopname",
        "coverage_source": "Loopafstand over het voetpadennetwerk (OSM); hemelsbreed ter vergelijking; CBS Nabijheid meet over de weg vanaf elk adres.",
        "gaps": "Knelpunten voor het wijkplatform", "older_beyond": "inwoners van 65+ verder dan",
        "of": "van", "no_gaps": "Geen buurten met 65-plussers verder dan een norm.",
        "years": "Gegevens per jaar",
    },
    "en": {
        "title": "Area profile", "kinds": {"zone": "woonservicezone", "wijk": "district", "gemeente": "municipality"},
        "code": "code", "year": "year", "missing": "missing", "other_lang": "Nederlands",
        "description": "Description", "map_alt": "Map of", "origin": "Origin",
        "residents": "Residents", "residents_65plus": "Residents 65+", "area": "Area",
        "location": "Location", "buurten": "Neighbourhoods", "buurten_lc": "neighbourhoods",
        "single_year": "Only one year of figures is stored for this area; there is no comparison with earlier years:",
        "code_change": "Neighbourhood codes changed", "kept": "codes kept", "gone": "gone",
        "new": "new", "matched_by": "matched by", "themes": _THEMES_EN,
        "indicator": "Indicator", "latest": "Latest", "previous": "Previous", "change": "Change",
        "gemeente": "Municipality", "target": "Target (forecast)", "source": "Source",
        "on_track": "on track", "off_track": "off track", "chart_of": "Trend of",
        "coverage": "Access to services", "category": "Service", "norm": "Norm",
        "beyond_walk": "Residents beyond the norm", "beyond_65": "65+ beyond the norm",
        "beyond_straight": "Same, straight line", "cbs_km": "CBS distance (by road)",
        "trend": "65+ beyond the norm per snapshot",
        "coverage_source": "Walking distance over the footpath network (OSM); straight line for comparison; CBS Nabijheid measures by road from every address.",
        "gaps": "Gaps for the wijkplatform", "older_beyond": "residents 65+ beyond",
        "of": "of", "no_gaps": "No neighbourhoods with residents 65+ beyond a norm.",
        "years": "Data per year",
    },
}  # fmt: skip
