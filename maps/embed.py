"""The residents' map, made for an ``<iframe>`` on the municipality's website.

``/embed/`` (the gemeente), ``/embed/{zone}`` (one woonservicezone) and ``/embed/help`` (the
copy-paste snippet for webmasters). Each page is a Jinja2 template in ``maps/templates/``
(``embed.html``, ``help.html``, both extending ``base.html``), every value autoescaped. The
page's configuration — language, texts, the zone, the map's extent and tiles — is a JSON data
block (``<script type="application/json" id="wsz-config">``, never executed), read by the
page's native ES modules in ``static/embed/`` (no bundler; ``main.js`` wires the map page,
``help.js`` the help page, each other module has one job — see main.js). They create the
Leaflet map, load every layer from the API as GeoJSON (zones, buurten, voorzieningen,
coverage, gap polygons) and ask ``/addresses``, ``/lookup`` and ``/route``; nothing of the data
is inlined and the page runs no inline script. Every asset comes from this service; the only
other host the page may reach is the configured tile server.

Texts are Dutch by default and English with ``?lang=en`` (the language lives in the URL, never
in a cookie). The modules get the texts of the page's language in the configuration.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from geo.analysis import Analysis
from geo.crs import to_edge_crs
from maps.style import NO_DATA_COLOUR, SHARE_CLASSES, ZONE_COLOUR
from maps.vendor import VENDOR_SUBDIR

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")
#: The folder served at ``/static/embed``: the page's modules (``*.js``) and style sheet.
EMBED_STATIC_DIR = Path(__file__).resolve().parent / "static" / "embed"
# Module scripts must come with a JavaScript type. RFC 9239's is text/javascript, which
# Python 3.11 only knows from the host's /etc/mime.types (its own table says
# application/javascript); registered here so that /static/embed serves it on any host.
mimetypes.add_type("text/javascript", ".js")


def _content_version(folder: Path) -> str:
    """12 hex digits of the SHA-256 of every file in ``folder`` (names and bytes): the
    version in the URL of the page's modules, so browsers may keep them until they change."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


#: The version of the page's modules and style sheet (their URLs: ``/static/embed-<version>``).
EMBED_VERSION = _content_version(EMBED_STATIC_DIR)
#: What a route (the line to a voorziening) and the resident's own place look like.
ROUTE_COLOUR = "#000000"
HOME_COLOUR = "#d7301f"
#: The page templates (``maps/templates/*.html``); every value in them is autoescaped.
TEMPLATES = Environment(
    loader=PackageLoader("maps", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
# |tojson (the configuration block): readable UTF-8, keys in our order; it still escapes
# <, >, & and ' so that no value can close the <script> element.
TEMPLATES.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}

#: Dutch / English texts of the embed pages, by key.
EMBED_LABELS: dict[str, tuple[str, str]] = {
    "page_title": ("Voorzieningen bij u in de buurt", "Facilities near you"),
    "zone_title": ("Woonservicezone {name}", "Residential service zone {name}"),
    "skip_search": ("Naar adres zoeken", "Skip to the address search"),
    "skip_answer": ("Naar het antwoord", "Skip to the answer"),
    "other_language": ("English", "Nederlands"),
    "other_language_label": ("Switch to English", "Naar het Nederlands"),
    "search_label": ("Zoek uw adres", "Find your address"),
    "search_hint": (
        "Postcode en huisnummer (1234 AB 5) of straat en huisnummer. U kunt ook op de kaart "
        "klikken of tikken.",
        "Postcode and house number (1234 AB 5) or street and number. You can also click or "
        "tap the map.",
    ),
    "search_button": ("Zoeken", "Search"),
    "search_results": ("Gevonden adressen", "Addresses found"),
    "search_none": ("Geen adres gevonden voor “{q}”.", "No address found for “{q}”."),
    "search_unavailable": (
        "Zoeken op adres kan hier niet: er zijn geen adressen geladen. Klik of tik op de kaart.",
        "Address search is not available here: no addresses are loaded. Click or tap the map.",
    ),
    "use_centre": ("Zoek bij het midden van de kaart", "Look up the centre of the map"),
    "colour_by": ("Kleur de buurten naar", "Shade the neighbourhoods by"),
    "map_label": (
        "Kaart. Klik of tik op een plek om te zien wat er in de buurt is.",
        "Map. Click or tap a place to see what is near it.",
    ),
    "answer_title": ("Wat is er bij u in de buurt?", "What is near you?"),
    "answer_empty": (
        "Zoek uw adres of klik op de kaart. U ziet dan per soort voorziening de dichtstbijzijnde, "
        "hoe ver u loopt en hoe lang dat duurt.",
        "Find your address or click the map. You will see the nearest facility of each kind, "
        "how far you walk and how long it takes.",
    ),
    "loading": ("Even zoeken…", "Looking…"),
    "place": ("Plek", "Place"),
    "chosen_point": ("het punt op de kaart", "the point on the map"),
    "buurt": ("Buurt", "Neighbourhood"),
    "zone": ("Woonservicezone", "Residential service zone"),
    "no_zone": ("niet in een woonservicezone", "not in a residential service zone"),
    "outside": (
        "Deze plek ligt buiten de buurten van deze kaart.",
        "This place lies outside the neighbourhoods of this map.",
    ),
    "nearest": ("Dichtstbijzijnde voorziening per soort", "Nearest facility of each kind"),
    "none_of_kind": ("geen gevonden", "none found"),
    "minutes": ("min lopen", "min walk"),
    "within": ("binnen de norm van {norm}", "within the norm of {norm}"),
    "beyond": ("verder dan de norm van {norm}", "further than the norm of {norm}"),
    "show_route": ("Toon looproute naar {name}", "Show walking route to {name}"),
    "show_line": ("Toon lijn naar {name}", "Show line to {name}"),
    # {minutes} is "15 min lopen" / "15 min walk" (the "minutes" text): not said twice.
    "route_to": (
        "Looproute naar {name}: {distance}, {minutes}.",
        "Walking route to {name}: {distance}, {minutes}.",
    ),
    "line_to": (
        "Hemelsbrede lijn naar {name}: {distance} (er is geen wegennet geladen).",
        "Straight line to {name}: {distance} (no street network is loaded).",
    ),
    "measure_walking": (
        "Afstanden zijn looproutes over het wegennet.",
        "Distances are walking routes over the street network.",
    ),
    "measure_straight": (
        "Afstanden zijn hemelsbreed: er is geen wegennet geladen, dus de echte looproute is "
        "langer.",
        "Distances are straight lines: no street network is loaded, so the real walk is longer.",
    ),
    "speed": (
        "Looptijd bij {speed} m/s ({per_minute} m per minuut): het tempo van een 65-plusser.",
        "Walking time at {speed} m/s ({per_minute} m a minute): the pace of a resident aged 65+.",
    ),
    "zoom_in": ("Inzoomen", "Zoom in"),
    "zoom_out": ("Uitzoomen", "Zoom out"),
    "list_title": ("Voorzieningen op de kaart ({count})", "Facilities on the map ({count})"),
    "legend": ("Legenda", "Legend"),
    "legend_zone": ("Grens van een woonservicezone", "Boundary of a residential service zone"),
    "legend_gap": (
        "Waar inwoners verder dan de norm wonen",
        "Where residents live further than the norm",
    ),
    "legend_home": ("Uw plek", "Your place"),
    "legend_route": ("Looproute", "Walking route"),
    "share_beyond": (
        "Aandeel inwoners verder dan de norm van {norm}",
        "Share of residents further than the norm of {norm}",
    ),
    "no_figure": ("onbekend", "unknown"),
    "sources": ("Over deze kaart", "About this map"),
    "sources_intro": ("Gegevens en bronnen:", "Data and sources:"),
    "synthetic_warning": (
        "Let op: {layers} op deze kaart zijn synthetisch (gegenereerd als voorbeeld), niet echt.",
        "Note: {layers} on this map are synthetic (generated as an example), not real.",
    ),
    "synthetic": ("synthetisch", "synthetic"),
    "privacy": (
        "Deze kaart zet geen cookies en volgt u niet. Wat u zoekt gaat alleen naar deze server.",
        "This map sets no cookies and does not track you. What you search goes to this server "
        "only.",
    ),
    # With a tile server the browser also asks it for the map around the place shown.
    "privacy_tiles": (
        "Deze kaart zet geen cookies en volgt u niet. Wat u zoekt gaat naar deze server; de "
        "achtergrondkaart komt van {host}, die daardoor ziet welk deel van de kaart u bekijkt "
        "(ook rond een gezocht adres).",
        "This map sets no cookies and does not track you. What you search goes to this "
        "server; the background map comes from {host}, which therefore sees which part of the "
        "map you look at (also around an address you searched).",
    ),
    "layer_buurten": ("Buurten", "Neighbourhoods"),
    "layer_zones": ("Woonservicezones", "Residential service zones"),
    "layer_voorzieningen": ("Voorzieningen", "Facilities"),
    "layer_network": ("Wegennet", "Street network"),
    "layer_addresses": ("Adressen", "Addresses"),
    "date": ("gegevens van {date}", "data of {date}"),
    "error": ("Er ging iets mis: {detail}", "Something went wrong: {detail}"),
    "category": ("Soort", "Kind"),
    "address": ("Adres", "Address"),
    "opening_hours": ("Openingstijden", "Opening hours"),
    "residents": ("Inwoners", "Residents"),
    "and": ("en", "and"),
    # /embed/help
    "help_title": ("De kaart op uw eigen website", "The map on your own website"),
    "help_intro": (
        "Plak dit fragment in de HTML van een pagina. De kaart past zich aan de breedte aan, "
        "ook op een telefoon (vanaf 360 pixels).",
        "Paste this snippet into a page's HTML. The map fits the width it is given, also on a "
        "phone (from 360 pixels).",
    ),
    "help_copy": ("Kopieer het fragment", "Copy the snippet"),
    "help_copied": ("Gekopieerd.", "Copied."),
    "help_zones": ("Eén woonservicezone", "One residential service zone"),
    "help_zones_intro": (
        "Voor de kaart van één zone gebruikt u in het fragment een van deze adressen:",
        "For the map of one zone, use one of these addresses in the snippet:",
    ),
    "help_english": (
        "Voeg ?lang=en toe voor de Engelse kaart.",
        "Add ?lang=en for the English map.",
    ),
    "help_framing": ("Welke websites de kaart mogen tonen", "Which websites may show the map"),
    "help_framing_text": (
        "De server staat inbedden toe vanaf: {ancestors}. De beheerder stelt dit in met "
        "WSZ_EMBED_FRAME_ANCESTORS, bijvoorbeeld https://www.uwgemeente.nl.",
        "The server allows embedding from: {ancestors}. Its administrator sets this with "
        "WSZ_EMBED_FRAME_ANCESTORS, e.g. https://www.yourmunicipality.nl.",
    ),
    "help_iframe_title": (
        "Kaart: voorzieningen bij u in de buurt",
        "Map: facilities near you",
    ),
    "help_open": ("Open de kaart", "Open the map"),
}


def labels(lang: Lang) -> dict[str, str]:
    """Every embed text in ``lang``."""
    position = LANGS.index(lang)
    return {key: pair[position] for key, pair in EMBED_LABELS.items()}


def check_lang(value: str | None) -> Lang:
    """``nl`` (the default, also for anything unknown) or ``en``."""
    return "en" if value == "en" else "nl"


def tile_origin(url: str) -> str:
    """The origin of a tile URL template, for the page's Content-Security-Policy
    (``https://{s}.tile.example.org/...`` → ``https://*.tile.example.org``)."""
    parts = urlsplit(url.replace("{s}", "a"))
    host = parts.netloc
    if "{s}" in url.split("/")[2]:
        host = "*" + host[1:]
    return f"{parts.scheme}://{host}"


def privacy_line(lang: Lang, tiles: tuple[str, str] | None) -> str:
    """The page's privacy line: true as it stands, naming the tile server (its host) when one
    is configured, since the browser then asks it for the map around the place shown."""
    text = labels(lang)
    if tiles is None:
        return text["privacy"]
    host = urlsplit(tiles[0].replace("{s}", "a")).hostname or tiles[0]
    if "{s}" in tiles[0].split("/")[2]:
        host = host.split(".", 1)[1]
    return text["privacy_tiles"].format(host=host)


def _lang_href(lang: Lang, **query: str) -> str:
    """A relative link to the same page in ``lang`` (Dutch needs no parameter)."""
    values = {"lang": lang, **query} if lang == "en" else dict(query)
    return "?" + urlencode(values) if values else "?"


def embed_page(
    analysis: Analysis,
    *,
    zone_code: str | None,
    lang: Lang,
    tiles: tuple[str, str] | None,
    vendor_base: str,
    static_base: str,
    api_base: str,
    addresses: int | None = None,
) -> str:
    """The HTML of ``/embed/`` (``zone_code`` None) or ``/embed/{zone_code}`` in ``lang``.
    ``addresses``: how many addresses the search can find; with none (0) the page shows no
    search box but says why (None: not known, the box is shown). Walking times are at the
    analysis's walking speed (m/s).

    Raises :class:`~geo.errors.NotFoundError` for an unknown zone and
    :class:`~geo.errors.EmptyStoreError` before any buurten are imported.
    """
    dataset = analysis.dataset
    dataset.require_buurten()
    text = labels(lang)
    gemeente = ", ".join(str(n) for n in dataset.buurten["gm_naam"].dropna().unique())
    if zone_code is not None:
        zone = dataset.zone(zone_code)
        area = dataset.buurten[dataset.buurten["zone_code"] == zone_code]
        title = text["zone_title"].format(name=zone["zone_name"])
    else:
        area = dataset.buurten
        title = f"{text['page_title']} — {gemeente}" if gemeente else text["page_title"]
    xmin, ymin, xmax, ymax = (float(v) for v in to_edge_crs(area).total_bounds)
    config = {
        "lang": lang,
        "zone": zone_code,
        "api": api_base,
        "tiles": {"url": tiles[0], "attribution": tiles[1]} if tiles is not None else None,
        "bounds": [[ymin, xmin], [ymax, xmax]],
        "speed_m_per_s": analysis.walking_speed_m_per_s,
        "labels": {k: v for k, v in text.items() if not k.startswith(("help_", "privacy"))},
        "share_classes": [list(pair) for pair in SHARE_CLASSES],
        "no_data_colour": NO_DATA_COLOUR,
        "zone_colour": ZONE_COLOUR,
        "route_colour": ROUTE_COLOUR,
        "home_colour": HOME_COLOUR,
    }
    leaflet = f"{vendor_base.rstrip('/')}/{VENDOR_SUBDIR}/leaflet"
    return _render(
        "embed.html",
        lang,
        title=title,
        config=config,
        entry="main.js",
        static_base=static_base,
        leaflet_js=f"{leaflet}.js",
        leaflet_css=f"{leaflet}.css",
        privacy=privacy_line(lang, tiles),
        search=addresses != 0,
    )


def help_page(
    *,
    lang: Lang,
    embed_url: str,
    zones: list[tuple[str, str]],
    frame_ancestors: str,
    static_base: str,
    tiles: tuple[str, str] | None = None,
) -> str:
    """``/embed/help``: the copy-paste ``<iframe>`` snippet, the zone pages and who may frame
    them. ``embed_url`` is the absolute URL of ``/embed/``; ``zones`` are (code, name);
    ``tiles`` the map's tile server (URL template, attribution), named in the privacy line."""
    text = labels(lang)
    query = "?lang=en" if lang == "en" else ""
    src = embed_url + query
    snippet = (
        f'<iframe src="{src}"\n'
        f'        title="{text["help_iframe_title"]}"\n'
        '        width="100%" height="640" style="border:0; max-width:100%"\n'
        '        loading="lazy" referrerpolicy="no-referrer"></iframe>'
    )
    return _render(
        "help.html",
        lang,
        title=text["help_title"],
        config={"lang": lang, "labels": text},
        entry="help.js",
        static_base=static_base,
        snippet=snippet,
        map_href=src,
        zones=[
            {"href": embed_url + code + query, "url": embed_url + code, "name": name}
            for code, name in zones
        ],
        framing_text=text["help_framing_text"].format(ancestors=frame_ancestors),
        privacy=privacy_line(lang, tiles),
    )


def _render(template: str, lang: Lang, **values: Any) -> str:
    """``template`` with the values every page has: its language, its texts and the link to
    the same page in the other language."""
    other: Lang = "en" if lang == "nl" else "nl"
    return TEMPLATES.get_template(template).render(
        lang=lang, other=other, other_href=_lang_href(other), text=labels(lang), **values
    )
