"""Requests for the HTTP import tests (test_imports_http*.py) and the app they go to: the test
key, GeoJSON bodies of the sample, the names served. ``keyed_client`` (tests/service/conftest.py)
is the app over a private copy of the sample store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.auth import hash_key
from tests.conftest import SAMPLE_VOORZIENINGEN, SHARED_DATA, make_app, make_settings
from tests.servers import AUTH, KEY, KEY_NAME

KEYS = {KEY_NAME: hash_key(KEY)}
GEOJSON = {**AUTH, "Content-Type": "application/geo+json"}
PDOK_GEOJSON = SHARED_DATA / "cbs" / "buurten_GM0356_2023_gegeneraliseerd.geojson"
NIEUWEGEIN_GPKG = SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg"
NIEUWEGEIN_CSV = SHARED_DATA / "cbs" / "kwb2024_buurten_GM0356.csv"
#: The sample: 34 voorzieningen in the GeoJSON file and 14 huisartsen in the CSV.
N_GEOJSON, N_CSV = 34, 14


def make_client(store: Path, **overrides: Any) -> TestClient:
    settings = make_settings(store, **overrides)
    return TestClient(make_app(settings, api_keys=KEYS, reload_interval_s=0))


def sample_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SAMPLE_VOORZIENINGEN.read_text(encoding="utf-8"))
    return document


def post_geojson(
    client: TestClient, kind: str, document: dict[str, Any] | bytes, **params: str
) -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(f"/imports/{kind}", params=params, content=body, headers=GEOJSON)


def served_names(client: TestClient) -> dict[str, str]:
    features = client.get("/voorzieningen").json()["features"]
    return {f["properties"]["id"]: f["properties"]["name"] for f in features}
