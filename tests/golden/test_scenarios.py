"""Golden answers of named what-if scenarios on both samples: over the API (save a placement
and a closure, list, show, compare, export, the click's evaluation, and the refusals:
taken name, bad name, stale version, unknown scenario, a delete without a key) on a private
copy of each store, and the CLI's ``wsz whatif … --save`` / ``scenarios`` / ``show`` /
``compare`` on the ``wsz`` fixture's copy. The store version's short form in texts is
``<store_version>`` (JSON members of that name are normalised by :func:`normalise`).

Expected files: ``tests/golden/<sample>/scenarios/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from service.auth import hash_key
from service.state import Published
from tests.conftest import make_app, make_settings
from tests.golden.conftest import Wsz, session_store
from tests.golden.support import GOLDEN_DIR, SAMPLES, check, needs_shared_data, normalise
from tests.golden.support import response_text as _response_text
from tests.golden.test_api import POINTS

pytestmark = needs_shared_data

KEY = "golden-scenario-key-0123456789abcdefghij"
AUTH = {"Authorization": f"Bearer {KEY}"}
ZONE = {"nieuwegein": "noord", "delft-tu": "wippolder"}
#: The expected files of a sample (``scenarios/<name>.json|txt``), in the order asked.
CASES = (
    "post_placement", "post_closure", "list", "show", "compare", "export_csv", "export_zones",
    "evaluate", "error_taken", "error_bad_name", "error_unknown", "error_stale",
    "error_delete_without_key", "delete", "cli",
)  # fmt: skip


@pytest.fixture
def writer(
    request: pytest.FixtureRequest, sample: str, tmp_path: Path
) -> Iterator[tuple[TestClient, str]]:
    """A client with a key over a private copy of the sample's store; and its version."""
    source = session_store(request, sample)
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    published: Published = request.getfixturevalue(
        "published" if sample == "nieuwegein" else "delft_published"
    )
    settings = make_settings(copy, network_cache_dir=make_settings(source).network_cache)
    app = make_app(settings, published, api_keys={"planners": hash_key(KEY)})
    with TestClient(app) as client:
        yield client, GeoPackageStore(copy).version() or ""


def _check(sample: str, name: str, response: Any, version: str, basetemp: Path) -> None:
    suffix, text = _response_text(response, basetemp)
    text = text.replace(version[:12], "<store_version>")
    check(GOLDEN_DIR / sample / "scenarios" / f"{name}{suffix}", text)


@pytest.mark.parametrize("sample", SAMPLES)
def test_scenarios_api(
    sample: str, writer: tuple[TestClient, str], request: pytest.FixtureRequest, basetemp: Path
) -> None:
    api, version = writer
    published: Published = request.getfixturevalue(
        "published" if sample == "nieuwegein" else "delft_published"
    )
    voorzieningen = published.analysis.dataset.voorzieningen
    closing = sorted(voorzieningen.loc[voorzieningen["category"] == "huisarts", "id"])[:1]
    place = {"category": "huisarts", "k": 1, "candidates": {"area": ZONE[sample], "spacing_m": 300}}
    lon, lat = POINTS[sample][0]
    plan_a: dict[str, object] = {"name": "plan-a", "placement": place}
    steps: list[tuple[str, str, str, dict[str, object] | None, bool]] = [
        ("post_placement", "POST", "/whatif/scenarios", plan_a, True),
        ("post_closure", "POST", "/whatif/scenarios",
         {"name": "plan-b", "closure": {"ids": closing}}, True),
        ("list", "GET", "/whatif/scenarios", None, False),
        ("show", "GET", "/whatif/scenarios/plan-b", None, False),
        ("compare", "GET", "/whatif/scenarios/plan-a/compare?with=plan-b", None, False),
        ("export_csv", "GET", "/whatif/scenarios/plan-a/export?format=csv", None, False),
        ("export_zones", "GET", "/whatif/scenarios/plan-b/export?layer=zones", None, False),
        ("evaluate", "POST", "/whatif/evaluate",
         {"lon": lon, "lat": lat, "category": "huisarts"}, False),
        ("error_taken", "POST", "/whatif/scenarios", plan_a, True),
        ("error_bad_name", "GET", "/whatif/scenarios/plan%20a", None, False),
        ("error_unknown", "GET", "/whatif/scenarios/plan-c", None, False),
        ("error_stale", "POST", "/whatif/scenarios",
         {"name": "plan-c", "placement": place, "store_version": "0" * 64}, True),
        ("error_delete_without_key", "DELETE", "/whatif/scenarios/plan-a", None, False),
        ("delete", "DELETE", "/whatif/scenarios/plan-a", None, True),
    ]  # fmt: skip
    assert [step[0] for step in steps] == list(CASES[:-1])
    for name, method, url, body, keyed in steps:
        response = api.request(method, url, json=body, headers=AUTH if keyed else {})
        _check(sample, name, response, version, basetemp)


@pytest.mark.parametrize("sample", SAMPLES)
def test_scenarios_cli(sample: str, wsz: Wsz, basetemp: Path) -> None:
    area = ["--area", ZONE[sample], "--spacing", "300"]
    runs = [
        ("whatif", "place", "huisarts", "1", *area, "--save", "plan-a"),
        ("whatif", "place", "huisarts", "1", *area, "--save", "plan-a"),
        ("whatif", "scenarios"),
        ("whatif", "show", "plan-a"),
        ("whatif", "compare", "plan-a"),
        ("whatif", "delete", "plan-a"),
    ]
    text = ""
    for args in runs:
        status, stdout, stderr = wsz(*args)
        text += f"$ wsz {' '.join(args)}\nexit: {status}\n--- stdout ---\n{stdout}"
        text += f"--- stderr ---\n{stderr}\n"
    text = re.sub(r"store version [0-9a-f]{12}", "store version <store_version>", text)
    check(GOLDEN_DIR / sample / "scenarios" / "cli.txt", normalise(text, basetemp))
