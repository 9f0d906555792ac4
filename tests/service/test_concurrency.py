"""Many request threads on a fresh state get the same answers as one thread at a time.

A fresh state builds what it needs on first use (the rollator profile's walking source, map
and embed pages, the OGC catalog, the address index, target fields of voorzieningen): these
caches are shared by FastAPI's thread pool and must be built once and read safely.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from geo.pipeline import analyse_store
from service.state import publish
from tests.conftest import make_app, make_settings

FOLIUM_ID = re.compile(rb"[0-9a-f]{32}")
#: Requests whose first answer fills a cache of the state.
PATHS = (
    "/lookup?lon=5.0868&lat=52.0345&profile=rollator",
    "/lookup?lon=5.1001&lat=52.0231",
    "/route?lon=5.0868&lat=52.0345&category=huisarts",
    "/route?lon=5.0868&lat=52.0345&category=apotheek&profile=rollator",
    "/isochrone?lon=5.0868&lat=52.0345&minutes=5,10",
    "/maps/index.html",
    "/embed/",
    "/embed/?lang=en",
    "/ogc/collections/buurten/items?limit=5",
    "/ogc/collections/voorzieningen/items?category=huisarts",
    "/addresses?q=Dorpsstraat%201",
    "/coverage",
)


def _fresh_client(store: Path) -> TestClient:
    settings = make_settings(store)
    return TestClient(make_app(settings, publish(analyse_store(settings))))


def _answer(client: TestClient, path: str) -> tuple[int, bytes]:
    response = client.get(path)
    return response.status_code, _numbered_ids(response.content)


def _numbered_ids(body: bytes) -> bytes:
    """Folium's random 32-hex element ids numbered in order of appearance (two apps render
    the same map with other ids)."""
    seen: dict[bytes, bytes] = {}
    return FOLIUM_ID.sub(lambda m: seen.setdefault(m[0], b"id%d" % len(seen)), body)


def test_concurrent_requests_on_a_fresh_state_agree(sample_store_file: Path) -> None:
    with _fresh_client(sample_store_file) as one_by_one:
        expected = {path: _answer(one_by_one, path) for path in PATHS}
    with _fresh_client(sample_store_file) as crowded, ThreadPoolExecutor(max_workers=16) as pool:
        work = [path for path in PATHS for _ in range(6)]
        answers = list(pool.map(lambda path: (path, _answer(crowded, path)), work))
    assert len(answers) == 6 * len(PATHS)
    for path, answer in answers:
        assert answer[0] == expected[path][0], path
        if path.startswith("/ogc"):  # the timeStamp of an items page is the time of asking
            continue
        assert answer == expected[path], path
