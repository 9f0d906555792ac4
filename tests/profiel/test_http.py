"""The monitoring cycle over HTTP on the Nieuwegein sample: years imported with a key, the
profile as JSON and as a page (CSP, no script), the snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore
from service.auth import hash_key
from service.state import Published
from tests.conftest import SHARED_DATA, make_app, make_settings
from tests.servers import AUTH, KEY, KEY_NAME

CBS = SHARED_DATA / "cbs"


@pytest.fixture
def client(sample_store: GeoPackageStore, published: Published) -> Iterator[TestClient]:
    path = Path(sample_store.path)
    settings = make_settings(path, snapshot_imports=True)
    app = make_app(settings, published, api_keys={KEY_NAME: hash_key(KEY)}, reload_interval_s=0)
    with TestClient(app) as test_client:
        yield test_client


def _post(client: TestClient, name: str) -> dict[str, object]:
    body = (CBS / name).read_bytes()
    answer = client.post("/imports/statistics", params={"name": name}, content=body,
                         headers={**AUTH, "Content-Type": "application/octet-stream"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_nieuwegein_one_year_and_its_code_change(client: TestClient) -> None:
    refused = client.post("/imports/statistics", params={"name": "kwb2019.csv"}, content=b"x")
    assert refused.status_code == 401
    assert _post(client, "buurten_GM0356_2019_gegeneraliseerd.gpkg")["kind"] == "statistics"
    report = _post(client, "buurten_GM0356_2023geom_kwb2024.gpkg")
    assert report["outcome"] == "applied"
    figures = (CBS / "kwb2024_buurten_GM0356.csv").read_bytes()
    unknown = client.post(
        "/imports/statistics", params={"name": "figures.csv"}, content=figures, headers=AUTH
    )
    assert unknown.status_code == 422
    assert "--year" in unknown.json()["detail"]
    logged = client.get("/imports", headers=AUTH).json()["imports"]
    assert [e["outcome"] for e in logged[:3]] == ["refused", "applied", "applied"]
    assert {e["kind"] for e in logged[:3]} == {"statistics"}
    profiel = client.get("/profiel/noord", params={"format": "json"}).json()
    assert profiel["single_year"] is True
    assert [y["year"] for y in profiel["years"]] == [2024]
    change = profiel["code_changes"][0]
    assert (change["old_year"], change["new_year"]) == (2019, 2024)
    assert (len(change["kept"]), len(change["only_old"]), len(change["only_new"])) == (12, 10, 27)
    assert change["matched_by"] == "code and polygon overlap"
    page = client.get("/profiel/noord", params={"lang": "en"})
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script" not in page.text
    assert "Only one year of figures is stored" in page.text
    assert (
        client.get(page.text.split('rel="stylesheet" href="')[1].split('"')[0]).status_code == 200
    )
    assert client.get("/profiel/nergens").status_code == 404
    listed = client.get("/snapshots").json()["snapshots"]
    assert listed
    assert listed[-1]["store_version"]
    assert listed[-1]["norms"]["huisarts"] > 0


def test_http_import_keeps_the_served_state_as_snapshot(client: TestClient) -> None:
    before = client.get("/snapshots").json()["snapshots"]  # the state served now, kept
    huisarts = (
        "huisarts.csv",
        b"id,name,category,lon,lat\nsyn-ha-1,Huisarts,huisarts,5.09,52.03\n",
    )
    report = client.post("/imports/voorzieningen?mode=upsert", files={"file": huisarts},
                         headers=AUTH).json()  # fmt: skip
    assert report["outcome"] == "applied", report
    again = client.post("/imports/voorzieningen?mode=upsert", files={"file": huisarts},
                        headers=AUTH).json()  # fmt: skip
    assert again["outcome"] == "unchanged"
    after = client.get("/snapshots").json()["snapshots"]
    assert len(after) == len(before) + 1  # one by the import; none by the unchanged one
    assert after[-1]["store_version"] == report["store_version"]
    assert after[-1]["inputs"]["voorzieningen"]["file_name"] == "huisarts.csv"


def test_zones_answer_links_to_their_profiles(client: TestClient) -> None:
    zones = client.get("/zones").json()["features"]
    assert {f["properties"]["profiel"] for f in zones} == {
        f"/profiel/{f['properties']['zone_code']}" for f in zones
    }
    detail = client.get("/zones/noord").json()
    assert (detail["map"], detail["profiel"]) == ("/maps/noord.html", "/profiel/noord")
    page = client.get(detail["profiel"])
    assert page.status_code == 200
    assert "<h1>" in page.text
