"""The residents' map (/embed pages) without a browser: framing and other headers, the page's
HTML and configuration block, templates not Folium, escaping, unknown zones and languages,
the help page's snippet and the details the voorzieningen carry.

The same pages in a real browser: test_embed_browser.py and test_embed_access.py.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import branca.element
import folium
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from geo.analysis import Analysis
from geo.read.voorzieningen import read_voorzieningen
from geo.settings import Settings
from maps.embed import EMBED_LABELS, LANGS, TEMPLATES, embed_page, help_page, tile_origin
from service.state import Published
from tests.conftest import DELFT_OSM, make_app, make_service, make_settings, requires_shared_data

OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; OpenStreetMap")
#: Every kind of embed page, for the checks that hold on all of them.
EMBED_PAGES = ["/embed/", "/embed/zuid", "/embed/?lang=en", "/embed/help", "/embed/help?lang=en"]


# --------------------------------------------------------------------------- headers, HTML


def test_only_embed_pages_may_be_framed(client: TestClient) -> None:
    embed = client.get("/embed/")
    assert embed.status_code == 200
    assert "frame-ancestors 'self'" in embed.headers["content-security-policy"]
    assert "x-frame-options" not in embed.headers
    assert embed.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in embed.headers
    for path in ("/zones", "/maps/index.html", "/docs", "/health", "/static/embed/main.js"):
        response = client.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy.split("; "), path


@pytest.mark.parametrize("path", EMBED_PAGES)
def test_embed_policy_allows_no_inline_script_or_style(client: TestClient, path: str) -> None:
    """Scripts and styles from this service only: a name that reached the page as markup
    could run no handler and no script element (issue 12, item 1)."""
    directives = dict(
        part.strip().split(" ", 1)
        for part in client.get(path).headers["content-security-policy"].split(";")
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["base-uri"] == "'none'"


def test_framing_origins_come_from_the_settings(
    published: Published, sample_store_file: Path
) -> None:
    origins = "https://www.nieuwegein.nl https://*.nieuwegein.nl"
    app = make_app(make_settings(sample_store_file), published, embed_frame_ancestors=origins)
    with TestClient(app) as client:
        for path in ("/embed/", "/embed/zuid", "/embed/help"):
            policy = client.get(path).headers["content-security-policy"]
            assert policy.endswith(f"frame-ancestors {origins}"), path
        assert origins in client.get("/embed/help").text


@pytest.mark.parametrize(
    "value", ["https://a.nl; script-src *", "", "'none' https://a.nl", "javascript:alert(1)"]
)
def test_bad_framing_origins_are_refused(value: str, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="WSZ_EMBED_FRAME_ANCESTORS"):
        make_service(embed_frame_ancestors=value)


def test_page_holds_the_map_setup_but_no_data(sample_analysis: Analysis) -> None:
    """No GeoJSON and no remote URL inlined; with tiles, the tile URL is the only one."""
    kwargs: dict[str, Any] = {
        "zone_code": None,
        "lang": "nl",
        "vendor_base": "/static/vendor",
        "static_base": "/static/embed",
        "api_base": "",
    }
    html = embed_page(sample_analysis, tiles=None, **kwargs)
    assert not re.search(r"https?://", html)
    assert "FeatureCollection" not in html
    assert "coordinates" not in html
    assert len(html) < 20_000  # the same size for a gemeente of any size
    assert '<html lang="nl">' in html
    assert "user-scalable=no" not in html
    tiled = embed_page(sample_analysis, tiles=OSM, **kwargs)
    assert set(re.findall(r"https?://[^\s\"'\\]+", tiled)) == {OSM[0]}
    assert tile_origin(OSM[0]) == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )


def _page_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "zone_code": None,
        "lang": "nl",
        "tiles": None,
        "vendor_base": "/static/vendor",
        "static_base": "/static/embed",
        "api_base": "",
    }
    return {**kwargs, **overrides}


def _config(html: str) -> dict[str, Any]:
    """The page's configuration: its JSON data block (up to the first ``</script>``)."""
    found = re.search(r'<script type="application/json" id="wsz-config">(.*?)</script>', html)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


class _Scripts(HTMLParser):
    """A page's ``<script>`` elements (attributes and text), and anything else that would run
    inline: event-handler attributes and ``javascript:`` URLs."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], list[str]]] = []
        self.inline: list[str] = []
        self._text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:"):
                self.inline.append(f"<{tag} {name}>")
        if tag == "script":
            self._text = []
            self.scripts.append((dict(attrs), self._text))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._text = None


@pytest.mark.parametrize("path", EMBED_PAGES)
def test_no_inline_executable_script(
    client: TestClient, sample_analysis: Analysis, path: str
) -> None:
    """Every <script> loads a file of this service or is a JSON data block (never executed);
    no element carries an event handler: the page can run under ``script-src 'self'``."""
    page = _Scripts(client.get(path).text)
    assert page.scripts
    for attrs, text in page.scripts:
        if attrs.get("type") == "application/json":
            assert "src" not in attrs
            json.loads("".join(text))
        else:
            assert str(attrs.get("src")).startswith("/static/"), attrs
            assert "".join(text).strip() == "", attrs
    assert page.inline == []
    tiled = _Scripts(embed_page(sample_analysis, **_page_kwargs(tiles=OSM)))
    assert all(a.get("src") or a.get("type") == "application/json" for a, _ in tiled.scripts)


def test_pages_come_from_templates_not_folium(
    sample_analysis: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages are rendered from maps/templates, not cut out of Folium's output: with Folium
    unable to build or render a map they still render, ``<html lang>`` straight from the
    template."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("Folium was used for an embed page")

    monkeypatch.setattr(folium.Map, "__init__", refuse)
    monkeypatch.setattr(branca.element.Figure, "render", refuse)
    assert {"base.html", "embed.html", "help.html"} <= set(TEMPLATES.list_templates())
    for lang in LANGS:
        start = f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        html = embed_page(sample_analysis, **_page_kwargs(zone_code="zuid", lang=lang))
        assert html.startswith(start)
        assert 'id="wsz-map"' in html
        assert "folium" not in html
        helped = help_page(
            lang=lang,
            embed_url="http://kaart.example.nl/embed/",
            zones=[("zuid", "Zuid")],
            frame_ancestors="'self'",
            static_base="/static/embed",
        )
        assert helped.startswith(start)


def test_config_block_holds_the_map_setup(sample_analysis: Analysis) -> None:
    """Extent, tiles, zone and texts of the page's language reach the script as JSON."""
    config = _config(embed_page(sample_analysis, **_page_kwargs(zone_code="zuid", tiles=OSM)))
    assert config["tiles"] == {"url": OSM[0], "attribution": OSM[1]}
    assert config["zone"] == "zuid"
    (south, west), (north, east) = config["bounds"]
    assert 51.9 < south < north < 52.1
    assert 5.0 < west < east < 5.2
    assert config["labels"]["answer_title"] == EMBED_LABELS["answer_title"][0]
    assert not any(key.startswith("help_") for key in config["labels"])
    assert _config(embed_page(sample_analysis, **_page_kwargs()))["tiles"] is None


def test_every_value_is_escaped(sample_analysis: Analysis) -> None:
    """Autoescaped text and attributes; a configuration value cannot close its data block."""
    hostile = '</script><script>alert(1)</script>"<b>x</b>'
    html = embed_page(sample_analysis, **_page_kwargs(api_base=hostile, static_base=hostile))
    assert _config(html)["api"] == hostile
    helped = help_page(
        lang="nl",
        embed_url="http://kaart.example.nl/embed/",
        zones=[("zuid", hostile)],
        frame_ancestors="'self'",
        static_base=hostile,
    )
    for page in (html, helped):
        assert "<script>alert" not in page
        assert "<b>" not in page
    assert hostile in unescape(helped)


def test_unknown_zone_and_language(client: TestClient) -> None:
    missing = client.get("/embed/nergens")
    assert missing.status_code == 404
    assert "zuid" in missing.json()["detail"]
    assert client.get("/embed/", params={"lang": "de"}).status_code == 422


def test_help_page_gives_the_snippet(client: TestClient) -> None:
    text = unescape(client.get("/embed/help").text)
    assert '<iframe src="http://testserver/embed/"' in text
    assert "http://testserver/embed/zuid" in text
    english = unescape(client.get("/embed/help", params={"lang": "en"}).text)
    assert '<iframe src="http://testserver/embed/?lang=en"' in english
    assert EMBED_LABELS["help_title"][1] in english


@requires_shared_data(DELFT_OSM)
def test_voorzieningen_carry_address_and_opening_hours(client: TestClient) -> None:
    """From a file's adres/openingstijden columns, and from OSM's addr:* tags."""
    vocabulary = Settings().vocabulary
    body = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "a-1",
                    "naam": "Apotheek Markt",
                    "categorie": "apotheek",
                    "adres": "Markt 1, 2611 GP Delft",
                    "openingstijden": "Mo-Fr 08:00-17:30",
                },
                "geometry": {"type": "Point", "coordinates": [4.3609, 52.0116]},
            }
        ],
    }
    frame = read_voorzieningen(json.dumps(body).encode(), vocabulary)
    assert frame.iloc[0][["address", "opening_hours"]].tolist() == [
        "Markt 1, 2611 GP Delft",
        "Mo-Fr 08:00-17:30",
    ]
    osm = read_voorzieningen(DELFT_OSM, vocabulary)
    shop = osm.set_index("name").loc["Hans Meijer"]
    assert shop["address"] == "Rotterdamseweg 97, 2628 AK Delft"
    assert pd.isna(shop["opening_hours"])  # the extract has no opening_hours tag
    served = client.get("/voorzieningen").json()["features"][0]["properties"]
    assert {"address", "opening_hours"} <= set(served)
