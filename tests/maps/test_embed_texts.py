"""Texts of the residents' map that must read right (issue 12): the route sentence says its
minutes once (item 11), and the privacy line stays true with a tile server (item 17)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from maps.embed import LANGS, Lang, embed_page, help_page, labels, privacy_line
from service.state import Published
from tests.conftest import make_app, make_settings

OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "&copy; OpenStreetMap")


@pytest.mark.parametrize("lang", LANGS)
def test_route_sentence_says_no_word_twice(lang: Lang) -> None:
    """As route.js fills it in: "{minutes}" is "15 min lopen" / "15 min walk"."""
    text = labels(lang)
    minutes = "15 " + text["minutes"]
    sentence = text["route_to"].format(name="Huisarts Zuid", distance="720 m", minutes=minutes)
    words = re.findall(r"\w+", sentence.lower())
    assert all(a != b for a, b in itertools.pairwise(words)), sentence
    assert sentence.endswith(minutes + ".")


@pytest.mark.parametrize("lang", LANGS)
def test_privacy_line_names_the_tile_server(sample_analysis: Analysis, lang: Lang) -> None:
    assert privacy_line(lang, None) == labels(lang)["privacy"]
    with_tiles = privacy_line(lang, OSM)
    assert "tile.openstreetmap.org" in with_tiles
    assert with_tiles != labels(lang)["privacy"]
    spread = privacy_line(lang, ("https://{s}.tiles.example.nl/{z}/{x}/{y}.png", "x"))
    assert "tiles.example.nl" in spread
    assert "{s}" not in spread
    page = embed_page(
        sample_analysis,
        zone_code=None,
        lang=lang,
        tiles=OSM,
        vendor_base="/static/vendor",
        static_base="/static/embed",
        api_base="",
    )
    assert with_tiles.split(";")[0] in page.replace("&#39;", "'")
    assert labels(lang)["privacy"] not in page
    helped = help_page(
        lang=lang,
        embed_url="http://kaart.example.nl/embed/",
        zones=[("zuid", "Zuid")],
        frame_ancestors="'self'",
        static_base="/static/embed",
        tiles=OSM,
    )
    assert "tile.openstreetmap.org" in helped


def test_served_pages_say_which_server_is_asked(
    published: Published, sample_store_file: Path
) -> None:
    app = make_app(make_settings(sample_store_file), published, map_tiles="openstreetmap")
    with TestClient(app) as client:
        for path in ("/embed/", "/embed/help"):
            assert "tile.openstreetmap.org, die" in client.get(path).text, path
    # Without tiles (the tests' default) the page says what is true: this server only.
    app = make_app(make_settings(sample_store_file), published)
    with TestClient(app) as client:
        assert "Wat u zoekt gaat alleen naar deze server." in client.get("/embed/").text
