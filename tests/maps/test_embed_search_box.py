"""The address search box is there only where it can work (issue 12, item 12): without an
address index the page says why instead of offering a box that fails after a search."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from maps.embed import labels
from service.state import Published
from tests.conftest import make_app, make_settings


def test_no_search_box_without_addresses(client: TestClient) -> None:
    """The Nieuwegein sample as the shared fixture serves it: no address indexed."""
    assert client.get("/addresses", params={"q": "3431 AB 12"}).json()["indexed"] == 0
    for lang in ("nl", "en"):
        page = client.get("/embed/", params={"lang": lang}).text
        assert 'id="wsz-q"' not in page
        assert 'id="wsz-search-form"' not in page
        assert 'href="#wsz-q"' not in page  # no skip link to a box that is not there
        assert labels(lang)["search_unavailable"] in page


def test_search_box_where_addresses_are_indexed(
    delft_folder: Path, delft_published: Published
) -> None:
    settings = make_settings(delft_folder / "store.gpkg")
    with TestClient(make_app(settings, delft_published)) as delft:
        page = delft.get("/embed/").text
        assert 'id="wsz-q"' in page
        assert 'href="#wsz-q"' in page
        assert 'id="wsz-search-unavailable"' not in page
