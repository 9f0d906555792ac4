"""The address search box is there only where it can work (issue 12, item 12): without an
address index the page says why instead of offering a box that fails after a search; the
Nieuwegein sample ships SYNTHETIC addresses so that its residents' map searches."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from maps.embed import labels
from service.state import Published
from tests.conftest import make_app, make_settings


def test_no_search_box_without_addresses(
    sample_store: GeoPackageStore, published: Published
) -> None:
    """A copy of the Nieuwegein store without its address table (and network)."""
    settings = make_settings(sample_store.path)
    with TestClient(make_app(settings, published)) as bare:
        assert bare.get("/addresses", params={"q": "3431 AB 12"}).json()["indexed"] == 0
        for lang in ("nl", "en"):
            page = bare.get("/embed/", params={"lang": lang}).text
            assert 'id="wsz-q"' not in page
            assert 'id="wsz-search-form"' not in page
            assert 'href="#wsz-q"' not in page  # no skip link to a box that is not there
            assert labels(lang)["search_unavailable"] in page


def test_the_nieuwegein_sample_page_searches_its_synthetic_addresses(client: TestClient) -> None:
    """The sample as the shared fixture serves it: the box is there and a search answers, with
    the synthetic addresses said to be synthetic (source, names, the page's banner)."""
    page = client.get("/embed/").text
    assert 'id="wsz-q"' in page
    assert 'href="#wsz-q"' in page
    assert 'id="wsz-search-unavailable"' not in page
    body = client.get("/addresses", params={"q": "Amsteldreef 5"}).json()
    assert body["indexed"] > 5000
    assert body["sources"] == {"synthetic": body["indexed"]}
    [feature] = body["features"]
    assert feature["properties"]["street"] == "Amsteldreef (synthetisch)"
    assert feature["properties"]["postcode"].startswith("343")
    assert feature["properties"]["zone_code"]
    health = client.get("/health").json()
    assert "addresses" in health["synthetic"]


def test_search_box_where_addresses_are_indexed(
    delft_folder: Path, delft_published: Published
) -> None:
    settings = make_settings(delft_folder / "store.gpkg")
    with TestClient(make_app(settings, delft_published)) as delft:
        page = delft.get("/embed/").text
        assert 'id="wsz-q"' in page
        assert 'href="#wsz-q"' in page
        assert 'id="wsz-search-unavailable"' not in page
