"""Answers clients may keep (issue: nothing was compressed, static files had no
Cache-Control, data answers no ETag): gzip when accepted, an ETag per served state with 304
on If-None-Match, long-lived caching of the versioned static files."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maps.assets import VENDOR_SUBDIR
from maps.embed import EMBED_VERSION
from service.caching import IMMUTABLE, REVALIDATE
from tests.conftest import SAMPLE_VOORZIENINGEN, make_app, make_settings
from tests.servers import AUTH, KEYS_JSON


@pytest.fixture
def keyed(sample_store_file: Path, tmp_path: Path) -> Iterator[TestClient]:
    """An app over a private copy of the sample store, with the test API key."""
    import json
    import shutil

    store = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, store)
    settings = make_settings(
        store, network_cache_dir=make_settings(sample_store_file).network_cache
    )
    app = make_app(settings, api_keys=json.loads(KEYS_JSON), reload_interval_s=0)
    with TestClient(app) as client:
        yield client


def test_json_geojson_and_html_are_gzipped_when_accepted(client: TestClient) -> None:
    for path in ("/zones", "/coverage", "/maps/index.html", "/ogc/collections/buurten/items"):
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers.get("content-encoding") == "gzip", path
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers, path
        assert len(gzip.compress(plain.content)) < len(plain.content), path


def test_a_data_answer_has_an_etag_and_a_304_when_unchanged(client: TestClient) -> None:
    first = client.get("/coverage")
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert first.headers["cache-control"] == REVALIDATE
    again = client.get("/coverage", headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/zones").headers["etag"] == tag  # one state, one tag per Accept
    html = client.get("/ogc/collections", headers={"Accept": "text/html"}).headers["etag"]
    assert html != tag


def test_an_import_changes_the_etag(keyed: TestClient) -> None:
    tag = keyed.get("/voorzieningen").headers["etag"]
    body = SAMPLE_VOORZIENINGEN.read_bytes().replace(b"De Schakel", b"Het Anker")
    report = keyed.post(
        "/imports/voorzieningen",
        content=body,
        headers={**AUTH, "Content-Type": "application/geo+json"},
    ).json()
    assert report["outcome"] == "applied", report
    changed = keyed.get("/voorzieningen", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != tag


def test_versioned_static_files_are_kept_and_the_others_revalidated(client: TestClient) -> None:
    leaflet = client.get(f"/static/vendor/{VENDOR_SUBDIR}/leaflet.js")
    assert leaflet.headers["cache-control"] == IMMUTABLE
    versioned = client.get(f"/static/embed-{EMBED_VERSION}/main.js")
    assert versioned.headers["cache-control"] == IMMUTABLE
    plain = client.get("/static/embed/main.js")
    assert plain.headers["cache-control"] == REVALIDATE
    assert versioned.content == plain.content
    page = client.get("/embed/").text
    assert f"/static/embed-{EMBED_VERSION}/main.js" in page
    assert f"/static/vendor/{VENDOR_SUBDIR}/leaflet.js" in page


def test_health_and_the_import_log_are_never_tagged(client: TestClient, keyed: TestClient) -> None:
    assert "etag" not in client.get("/health").headers
    log = keyed.get("/imports", headers=AUTH)
    assert log.status_code == 200
    assert "etag" not in log.headers
