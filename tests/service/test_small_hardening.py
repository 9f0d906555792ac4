"""The smaller hardening items (9): no temporary paths in answers, the import log behind a
key, temporaries of a killed import cleared at start, a client gone mid-upload refused in
one line of the log."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from service.state import LiveState
from tests.conftest import make_app, make_settings
from tests.servers import AUTH
from tests.service.imports_support import KEYS


def test_an_answer_names_the_file_sent_not_where_it_was_saved(keyed_client: TestClient) -> None:
    response = keyed_client.post(
        "/imports/buurten",
        files={"file": ("buurten.gpkg", b"this is not a GeoPackage")},
        headers=AUTH,
    )
    assert response.status_code == 422
    body = response.text
    assert "wsz-import-" not in body
    assert "/tmp/" not in body
    assert "buurten.gpkg" in body
    log = keyed_client.get("/imports", headers=AUTH).text
    assert "wsz-import-" not in log


def test_the_import_log_needs_a_key_unless_made_public(sample_store: GeoPackageStore) -> None:
    settings = make_settings(sample_store.path)
    with TestClient(make_app(settings, api_keys=KEYS)) as keyed:
        assert keyed.get("/imports").status_code == 401
        assert keyed.get("/imports", headers={"X-API-Key": "x" * 40}).status_code == 403
        assert keyed.get("/imports", headers=AUTH).status_code == 200
    with TestClient(make_app(settings, public_import_log=True)) as public:
        assert public.get("/imports").status_code == 200


def test_temporaries_of_a_killed_import_are_cleared_at_start(
    sample_store: GeoPackageStore,
) -> None:
    folder = sample_store.path.parent
    stale = folder / f".{sample_store.path.stem}-{uuid.uuid4().hex}.tmp.gpkg"
    stale.write_bytes(b"half a store")
    other = folder / f".elsewhere-{uuid.uuid4().hex}.tmp.gpkg"
    other.write_bytes(b"not ours")
    settings = make_settings(sample_store.path)
    held, release = threading.Event(), threading.Event()

    def an_import_running() -> None:
        with store_lock(sample_store.path):
            held.set()
            release.wait(10)

    importer = threading.Thread(target=an_import_running)
    importer.start()
    try:
        assert held.wait(10)
        assert LiveState(settings, None).remove_stale_temporaries() == []
        assert stale.exists()  # an import holds the store: its temporary may be live
    finally:
        release.set()
        importer.join()
    with TestClient(make_app(settings)):
        assert not stale.exists()
    assert other.exists()


def test_a_client_gone_mid_upload_is_one_line_in_the_log(server: str, tmp_path: Path) -> None:
    url = urlsplit(server)
    assert url.hostname is not None
    assert url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw:
        head = (
            "POST /imports/voorzieningen HTTP/1.1\r\n"
            f"Host: {url.netloc}\r\nAuthorization: {AUTH['Authorization']}\r\n"
            "Content-Type: application/geo+json\r\nContent-Length: 1000000\r\n\r\n"
        )
        raw.sendall(head.encode() + b'{"type": "FeatureCollection", "features": [')
        time.sleep(0.5)
    log = tmp_path / "server.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "went away mid-upload" not in log.read_text():
        time.sleep(0.2)
    text = log.read_text()
    assert "the client went away mid-upload" in text
    assert "Traceback" not in text
    entries = httpx.get(f"{server}/imports", headers=AUTH).json()["imports"]
    assert entries[0]["outcome"] == "refused"
    assert "cut off" in entries[0]["error"]["detail"]


def test_an_unknown_query_parameter_is_refused_naming_it(sample_store: GeoPackageStore) -> None:
    with TestClient(make_app(make_settings(sample_store.path))) as client:
        misspelt = client.get("/voorzieningen", params={"categorie": "huisarts"})
        assert client.get("/voorzieningen", params={"category": "huisarts"}).status_code == 200
        assert client.get("/maps/index.html", params={"utm_source": "site"}).status_code == 200
    assert misspelt.status_code == 400
    detail = misspelt.json()["detail"]
    assert "categorie" in detail
    assert "category" in detail
