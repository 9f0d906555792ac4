"""A forged Host header never reaches an answer (hardening item 5): absolute links come from
the configured public address (``WSZ_PUBLIC_BASE_URL``, else the server's own), redirects
name their target by path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.state import Published
from tests.conftest import make_app, make_service, make_settings

EVIL = {"Host": "evil.example"}


@pytest.fixture
def proxied(published: Published, sample_store_file: Path) -> Iterator[TestClient]:
    """The app as deployed behind a proxy at https://kaart.example.nl."""
    settings = make_settings(sample_store_file)
    app = make_app(settings, published, public_base_url="https://kaart.example.nl/")
    with TestClient(app) as client:
        yield client


def test_the_embed_redirect_names_its_target_by_path(proxied: TestClient) -> None:
    response = proxied.get("/embed", headers=EVIL, follow_redirects=False)
    assert 300 <= response.status_code < 400
    assert response.headers["location"] == "/embed/"


def test_the_embed_snippet_uses_the_public_address(proxied: TestClient) -> None:
    page = proxied.get("/embed/help", headers=EVIL).text
    assert "evil.example" not in page
    assert "https://kaart.example.nl/embed/" in page


def test_ogc_links_use_the_public_address(proxied: TestClient) -> None:
    for path in ("/ogc", "/ogc/collections", "/ogc/collections/buurten/items?limit=2", "/ogc/api"):
        body = proxied.get(path, headers=EVIL).text
        assert "evil.example" not in body, path
        assert "https://kaart.example.nl/ogc" in body, path


def test_without_a_public_address_links_name_the_server_itself() -> None:
    assert make_service(public_base_url=None, host="0.0.0.0", port=8123).base_url == (
        "http://127.0.0.1:8123"
    )
    assert make_service(public_base_url=None).base_url == "http://127.0.0.1:8000"


@pytest.mark.parametrize("value", ["kaart.example.nl", "ftp://x.nl", "https://x.nl/?a=1"])
def test_a_bad_public_address_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="WSZ_PUBLIC_BASE_URL"):
        make_service(public_base_url=value)
