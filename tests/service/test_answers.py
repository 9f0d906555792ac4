"""State-bound answers kept as bytes (issue 15, fast reads): the same bytes as the app builds,
built once per state, a new state after an import, gzip and 304 from the kept answer, and
the memory bounds."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from service.answers import AnswerStore, KeptAnswer, kept_path
from service.state import Published
from tests.conftest import SAMPLE_VOORZIENINGEN, make_app, make_settings, run_on_own_loop
from tests.servers import AUTH, KEYS_JSON

KEPT = (
    "/zones",
    "/coverage",
    "/coverage/buurten",
    "/voorzieningen?category=huisarts",
    "/ogc/collections/buurten/items?limit=5",
    "/maps/index.html",
    "/embed/",
)


@pytest.fixture(scope="module")
def apps(published: Published, sample_store_file: Path) -> Iterator[tuple[TestClient, TestClient]]:
    """Two apps over the session's sample state (read only): one keeping answers, one not."""
    settings = make_settings(sample_store_file)
    keeping = make_app(settings, published, reload_interval_s=0)
    plain = make_app(settings, published, answer_cache_mb=0, reload_interval_s=0)
    with TestClient(keeping) as cached, TestClient(plain) as uncached:
        yield cached, uncached


@pytest.fixture
def importing(
    published: Published, sample_store_file: Path, tmp_path: Path
) -> Iterator[TestClient]:
    """An app keeping answers over a private copy of the sample store, with the test key."""
    store = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, store)
    settings = make_settings(
        store, network_cache_dir=make_settings(sample_store_file).network_cache
    )
    app = make_app(settings, published, api_keys=json.loads(KEYS_JSON), reload_interval_s=0)
    with TestClient(app) as client:
        yield client


def test_kept_answers_are_the_bytes_the_app_builds(apps: tuple[TestClient, TestClient]) -> None:
    cached, uncached = apps
    answers: AnswerStore = cached.app.state.answers  # type: ignore[attr-defined]
    for path in KEPT:
        for encoding in ("identity", "gzip"):
            headers = {"Accept-Encoding": encoding}
            built = uncached.get(path, headers=headers)
            first = cached.get(path, headers=headers)
            hits = answers.hits
            again = cached.get(path, headers=headers)
            assert answers.hits == hits + 1, path  # the second one came from the store
            assert built.status_code == first.status_code == again.status_code == 200, path
            assert first.content == again.content, (path, encoding)
            assert _untimed(again.content) == _untimed(built.content), (path, encoding)
            assert again.headers["etag"] == built.headers["etag"], path
            assert again.headers["content-type"] == built.headers["content-type"], path
            assert again.headers.get("content-encoding") == built.headers.get("content-encoding")
            if encoding == "identity":  # (httpx hands gzipped bodies over unpacked)
                assert int(again.headers["content-length"]) == len(again.content)


def _untimed(body: bytes) -> bytes:
    """``body`` without the OGC ``timeStamp`` (when the answer was built: a kept answer
    carries the time it was built, as any HTTP cache's copy does)."""
    if not body.startswith(b"{") or b'"timeStamp"' not in body:
        return body
    document = json.loads(body)
    document.pop("timeStamp")
    return json.dumps(document).encode()


def test_gzip_and_plain_are_kept_apart(apps: tuple[TestClient, TestClient]) -> None:
    cached, _ = apps
    for _ in range(2):
        packed = cached.get("/coverage", headers={"Accept-Encoding": "gzip"})
        plain = cached.get("/coverage", headers={"Accept-Encoding": "identity"})
    assert packed.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert packed.json() == plain.json()  # (httpx unpacks the gzipped body itself)


def test_a_kept_answer_answers_304(apps: tuple[TestClient, TestClient]) -> None:
    cached, _ = apps
    tag = cached.get("/zones").headers["etag"]
    cached.get("/zones")
    answers: AnswerStore = cached.app.state.answers  # type: ignore[attr-defined]
    hits = answers.hits
    again = cached.get("/zones", headers={"If-None-Match": tag})
    assert answers.hits == hits + 1
    assert again.status_code == 304
    assert again.headers["etag"] == tag
    assert again.content == b""


def test_an_import_is_served_at_once(importing: TestClient) -> None:
    cached = importing
    before = cached.get("/voorzieningen").json()
    cached.get("/voorzieningen")  # kept
    body = json.loads(SAMPLE_VOORZIENINGEN.read_text())
    body["features"] = body["features"][:3]
    answer = cached.post(
        "/imports/voorzieningen?mode=replace",
        headers=AUTH,
        files={"file": ("v.geojson", json.dumps(body), "application/geo+json")},
    )
    assert answer.status_code == 200, answer.text
    after = cached.get("/voorzieningen").json()
    assert len(after["features"]) == 3 < len(before["features"])


def test_a_crowd_on_a_new_state_builds_each_answer_once(
    published: Published, sample_store_file: Path
) -> None:
    """Forty identical requests at once on a fresh state (one event loop, as in a worker):
    the first builds the answer, the others wait for it (single flight) and get its bytes."""
    app = make_app(make_settings(sample_store_file), published, reload_interval_s=0)
    answers: AnswerStore = app.state.answers

    async def crowd() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get("/coverage") for _ in range(40)))

    responses = run_on_own_loop(crowd())
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert answers.kept == 1
    assert answers.hits >= 39


def test_per_point_answers_and_failures_are_not_kept(apps: tuple[TestClient, TestClient]) -> None:
    cached, _ = apps
    answers: AnswerStore = cached.app.state.answers  # type: ignore[attr-defined]
    kept = len(answers)
    for _ in range(2):
        assert cached.get("/lookup?lon=5.09&lat=52.03").status_code == 200
        assert cached.get("/zones/NOPE").status_code == 404
        assert cached.get("/health").status_code == 200
    assert len(answers) == kept
    assert not any(kept_path(path) for path in ("/lookup", "/route", "/health"))


def test_the_store_keeps_within_its_bounds() -> None:
    store = AnswerStore(max_bytes=100, max_entry_bytes=60)

    def answer(size: int) -> KeptAnswer:
        return KeptAnswer(headers=(), body=b"x" * size, etag=b'W/"t"')

    store.put("s1", "a", answer(40))
    store.put("s1", "b", answer(40))
    store.put("s1", "too big", answer(61))
    assert store.get("too big") is None
    assert store.get("a") is not None  # a is now the most recently used
    store.put("s1", "c", answer(40))  # 120 > 100: b (least recently used) goes
    assert store.get("b") is None
    assert store.get("a") is not None
    assert store.size == 80
    store.put("s2", "d", answer(10))  # a new state: the old answers are dropped
    assert (len(store), store.size) == (1, 10)
    assert store.get("a") is None
