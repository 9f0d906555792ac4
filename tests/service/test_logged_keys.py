"""Keys never reach a log (hardening item 6): a key sent in the URL is redacted from the
access log whatever the parameter is called (``api_key``, ``API_KEY``, ``apiKey``,
``x-api-key``), refused alike on writes, and every refused write is logged with the client
address (and the key's name when known), never the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_DATA
from tests.servers import AUTH, KEY, OTHER_KEY, serve

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "cbs").is_dir(), reason=f"needs the real CBS buurten in {SHARED_DATA}"
)
VARIANTS = ("api_key", "API_KEY", "apiKey", "x-api-key", "token")


def test_keys_in_urls_are_redacted_and_refusals_logged(
    sample_store_file: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store.gpkg"
    shutil.copy(sample_store_file, store)
    log = tmp_path / "server.log"
    with serve(store, log) as base, httpx.Client(base_url=base, timeout=30) as http:
        for name in VARIANTS:
            read = http.get(f"/zones?{name}={KEY}")
            assert read.status_code == 200
            write = http.post(f"/imports/zones?{name}={KEY}", content=b"{}")
            assert write.status_code == 400, name
            assert "never in the URL" in write.json()["detail"], name
        assert http.post("/imports/zones", content=b"{}").status_code == 401
        wrong = {"Authorization": f"Bearer {OTHER_KEY}"}
        assert http.post("/imports/zones", content=b"{}", headers=wrong).status_code == 403
        assert http.get("/health", headers=AUTH).status_code == 200
    text = log.read_text(encoding="utf-8")
    assert KEY not in text
    assert OTHER_KEY not in text
    assert text.count("%5Bredacted%5D") >= 2 * len(VARIANTS)
    assert "refused write from 127.0.0.1: no API key (401)" in text
    assert "refused write from 127.0.0.1: a key that is not one of ours (403)" in text
    assert "refused write from 127.0.0.1: a key in the URL" in text
