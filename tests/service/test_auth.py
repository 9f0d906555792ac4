"""API keys: hashed in the settings, compared in constant time, never logged; 401 / 403."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from geo.store.geopackage import GeoPackageStore
from service.auth import hash_key, match_key, new_key
from service.settings import ServiceSettings
from tests.conftest import (
    PROJECT_ROOT,
    SAMPLE_VOORZIENINGEN,
    fingerprint,
    make_app,
    make_service,
    make_settings,
)
from tests.servers import AUTH, KEY, KEY_NAME, OTHER_KEY, serve

KEYS = {KEY_NAME: hash_key(KEY)}
IMPORT = "/imports/voorzieningen"
GEOJSON = {"Content-Type": "application/geo+json"}


@pytest.fixture
def client(sample_store: GeoPackageStore) -> Iterator[TestClient]:
    app = make_app(make_settings(sample_store.path), api_keys=KEYS, reload_interval_s=0)
    with TestClient(app) as test_client:
        yield test_client


# --------------------------------------------------------------------------- settings


def test_writes_without_any_key_are_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="WSZ_HTTP_IMPORTS=true needs at least one key"):
        make_service(http_imports=True)
    assert not make_service().imports_enabled
    assert make_service(api_keys=KEYS).imports_enabled
    assert not make_service(api_keys=KEYS, http_imports=False).imports_enabled


def test_a_key_that_is_not_a_hash_is_refused_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        make_service(api_keys={"gis-team": KEY})
    message = info.value.errors()[0]["msg"]
    assert "not a 'sha256:<64 hex digits>' hash: the value of gis-team" in message
    assert KEY not in message


def test_bad_key_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="key names must be"):
        make_service(api_keys={"gis team!": hash_key(KEY)})


def test_keys_come_from_the_environment_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSZ_API_KEYS", json.dumps(KEYS))
    monkeypatch.setenv("WSZ_STORE_PATH", str(tmp_path / "s.gpkg"))
    assert ServiceSettings().api_keys == KEYS


# --------------------------------------------------------------------------- keys


def test_hash_and_match() -> None:
    key = new_key()
    assert len(key) == 43
    hashed = hash_key(key)
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", hashed)
    keys = {"a": hash_key(new_key()), "b": hashed, "c": hash_key(new_key())}
    assert match_key(key, keys) == "b"
    assert match_key(key + "x", keys) is None
    assert match_key("", keys) is None
    with pytest.raises(ValueError, match="at least 24 characters"):
        hash_key("short")


def test_wsz_key_new_and_hash(tmp_path: Path) -> None:
    env = {"WSZ_STORE_PATH": str(tmp_path / "s.gpkg"), "PATH": "/usr/bin:/bin"}
    made = subprocess.run(
        [sys.executable, "-m", "service.cli", "key", "new", "gis-team"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    key = re.search(r"^  (\S{43})$", made.stdout, re.MULTILINE)
    line = re.search(r"WSZ_API_KEYS='(.*)'", made.stdout)
    assert key is not None
    assert line is not None
    assert json.loads(line.group(1)) == {"gis-team": hash_key(key.group(1))}
    hashed = subprocess.run(
        [sys.executable, "-m", "service.cli", "key", "hash"],
        input=key.group(1) + "\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert hashed.stdout.strip() == hash_key(key.group(1))


# --------------------------------------------------------------------------- HTTP


def test_without_a_key_401_with_www_authenticate(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = fingerprint(sample_store.path)
    response = client.post(IMPORT, content=SAMPLE_VOORZIENINGEN.read_bytes(), headers=GEOJSON)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert response.headers["content-type"] == "application/problem+json"
    assert "X-API-Key" in response.json()["detail"]
    # Another scheme is no key either.
    basic = client.post(IMPORT, headers={"Authorization": "Basic Z2lzOnRlYW0="})
    assert basic.status_code == 401
    assert fingerprint(sample_store.path) == before


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {OTHER_KEY}"}, {"X-API-Key": OTHER_KEY}],
    ids=["bearer", "x-api-key"],
)
def test_a_wrong_key_is_403(
    client: TestClient, sample_store: GeoPackageStore, headers: dict[str, str]
) -> None:
    before = fingerprint(sample_store.path)
    response = client.post(
        IMPORT, content=SAMPLE_VOORZIENINGEN.read_bytes(), headers={**headers, **GEOJSON}
    )
    assert response.status_code == 403
    assert OTHER_KEY not in response.text
    assert fingerprint(sample_store.path) == before


@pytest.mark.parametrize("headers", [AUTH, {"X-API-Key": KEY}], ids=["bearer", "x-api-key"])
def test_the_right_key_in_either_header_writes(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(
        f"{IMPORT}?dry_run=true",
        content=SAMPLE_VOORZIENINGEN.read_bytes(),
        headers={**headers, **GEOJSON},
    )
    assert response.status_code == 200, response.text
    assert response.json()["key"] == KEY_NAME


def test_a_key_in_the_url_is_refused(client: TestClient) -> None:
    response = client.post(f"{IMPORT}?api_key={KEY}")
    assert response.status_code == 400
    assert "never in the URL" in response.json()["detail"]
    assert KEY not in response.text


def test_imports_switched_off_is_403_even_with_the_key(sample_store: GeoPackageStore) -> None:
    settings = make_settings(sample_store.path)
    app = make_app(settings, api_keys=KEYS, http_imports=False, reload_interval_s=0)
    with TestClient(app) as client:
        response = client.post(IMPORT, headers=AUTH)
    assert response.status_code == 403
    assert "switched off" in response.json()["detail"]


def test_reads_stay_open(client: TestClient) -> None:
    for path in ("/zones", "/voorzieningen", "/health", "/ogc/collections"):
        assert client.get(path).status_code == 200, path
    assert client.get("/imports").status_code == 401  # the import log needs a key


def test_openapi_declares_the_key_schemes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["apiKey"]["in"] == "header"
    assert schemes["apiKey"]["name"] == "X-API-Key"
    operation = document["paths"]["/imports/voorzieningen"]["post"]
    assert {"bearer": []} in operation["security"]


@pytest.mark.e2e
def test_keys_never_reach_the_server_log(sample_store: GeoPackageStore, tmp_path: Path) -> None:
    """uvicorn's access log records the request line; keys travel in headers only."""
    log = tmp_path / "server.log"
    with serve(sample_store.path, log) as base:
        body = b'{"type": "FeatureCollection", "features": []}'
        for headers in (AUTH, {"X-API-Key": KEY}, {"X-API-Key": OTHER_KEY}, {}):
            httpx.post(f"{base}{IMPORT}", content=body, headers={**headers, **GEOJSON})
        httpx.post(f"{base}{IMPORT}?api_key={OTHER_KEY}x")  # refused: 400
    text = log.read_text()
    assert 'POST /imports/voorzieningen HTTP/1.1" 422' in text  # the access log is on
    assert "401" in text
    assert "403" in text
    assert KEY not in text
    assert OTHER_KEY not in text.replace(f"api_key={OTHER_KEY}x", "")
