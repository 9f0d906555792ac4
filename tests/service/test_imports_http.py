"""Imports over HTTP: bodies and uploads in every format, replace / upsert / dry run, refusals
that leave the store byte-for-byte as it was, limits, and the import log.

The app runs in-process over a private copy of the sample store (real GeoPackage, real
readers); end-to-end runs over a real server are in ``test_live.py``.
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import yaml
from fastapi.testclient import TestClient

from geo.common.files import sha256_file
from geo.store.geopackage import GeoPackageStore
from geo.store.log import log_file
from service.auth import hash_key
from service.cli import main as wsz
from tests.conftest import (
    SAMPLE_HUISARTSEN,
    SAMPLE_VOORZIENINGEN,
    SAMPLE_ZONES,
    SHARED_DATA,
    fingerprint,
    make_app,
    make_settings,
)
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


@pytest.fixture
def client(sample_store: GeoPackageStore) -> Iterator[TestClient]:
    with make_client(sample_store.path) as test_client:
        yield test_client


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


# --------------------------------------------------------------------------- GeoJSON bodies


def test_geojson_body_replaces_and_is_served_at_once(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = client.get("/health").json()
    response = post_geojson(client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["outcome"] == "applied"
    assert (report["added"], report["updated"], report["removed"]) == (0, 0, N_CSV)
    assert report["unchanged"] == N_GEOJSON
    assert report["changes"]["buurten"] == {"added": 0, "updated": 0, "removed": 0, "unchanged": 39}
    assert report["key"] == KEY_NAME
    assert report["via"] == "http"
    assert report["sha256"] == sha256_file(SAMPLE_VOORZIENINGEN)
    # Served at once: the API, the health version (the store file's SHA-256) and generation.
    assert len(served_names(client)) == N_GEOJSON
    health = client.get("/health").json()
    assert health["voorzieningen"] == N_GEOJSON
    assert health["store_version"] == report["store_version"] == sha256_file(sample_store.path)
    assert report["previous_version"] == before["store_version"] != health["store_version"]
    assert health["generation"] == before["generation"] + 1
    assert health["store_changed"].endswith("Z")


def test_upsert_replaces_by_id_adds_new_and_keeps_the_rest(client: TestClient) -> None:
    document = sample_document()
    renamed = copy.deepcopy(document["features"][0])
    renamed["properties"]["naam"] = "Buurthuis De Nieuwe Schakel"
    added = copy.deepcopy(document["features"][1])
    added["properties"]["id"] = "gis-1"
    added["properties"]["naam"] = "Ontmoetingsplek Nieuw"
    before = served_names(client)
    response = post_geojson(
        client, "voorzieningen", {**document, "features": [renamed, added]}, mode="upsert"
    )
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (1, 1, 0)
    assert report["unchanged"] == len(before) - 1
    after = served_names(client)
    assert after == {
        **before,
        "wsz-o-1": "Buurthuis De Nieuwe Schakel",
        "gis-1": "Ontmoetingsplek Nieuw",
    }
    assert list(after)[: len(before)] == list(before)  # replaced in place, new ones after


@pytest.mark.parametrize("mode", ["replace", "upsert"])
def test_the_same_import_twice_gives_the_same_store(
    client: TestClient, sample_store: GeoPackageStore, mode: str
) -> None:
    document = sample_document()
    document["features"][0]["properties"]["naam"] = "Buurthuis Twee Keer"
    first = post_geojson(client, "voorzieningen", document, mode=mode).json()
    assert first["outcome"] == "applied"
    written = fingerprint(sample_store.path)
    generation = client.get("/health").json()["generation"]
    second = post_geojson(client, "voorzieningen", document, mode=mode).json()
    assert second["outcome"] == "unchanged"
    assert (second["added"], second["updated"], second["removed"]) == (0, 0, 0)
    assert second["store_version"] == first["store_version"]
    assert fingerprint(sample_store.path) == written  # not even rewritten
    assert client.get("/health").json()["generation"] == generation


def test_dry_run_reports_and_writes_nothing(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = fingerprint(sample_store.path)
    names = served_names(client)
    response = post_geojson(
        client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes(), dry_run="true"
    )
    report = response.json()
    assert report["outcome"] == "dry_run"
    assert report["dry_run"] is True
    assert report["removed"] == N_CSV  # what a real run would do
    assert fingerprint(sample_store.path) == before
    assert served_names(client) == names


def test_legacy_rd_new_crs_member_is_honoured(client: TestClient) -> None:
    document = json.loads(PDOK_GEOJSON.read_text(encoding="utf-8"))
    response = client.post(
        "/imports/buurten",
        params={"dry_run": "true"},
        files={"file": ("pdok.geojson", json.dumps(document).encode())},
        data={},
        headers=AUTH,
    )
    # Geometry alone lacks the residents: the refusal says to send the CBS table with it.
    assert response.status_code == 422
    assert "statistics" in response.json()["detail"]


# --------------------------------------------------------------------------- uploads


def _gpkg(frame: gpd.GeoDataFrame) -> bytes:
    buffer = io.BytesIO()
    pyogrio.write_dataframe(frame, buffer, driver="GPKG", layer="voorzieningen")
    return buffer.getvalue()


def _zipped_shapefile(frame: gpd.GeoDataFrame, folder: Path) -> bytes:
    shp = folder / "shp" / "voorzieningen.shp"
    shp.parent.mkdir()
    pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(shp.parent.iterdir()):
            archive.write(part, f"voorzieningen/{part.name}")
    return buffer.getvalue()


@pytest.mark.parametrize("form", ["gpkg", "zip", "csv", "geojson"])
def test_uploads_in_every_format(
    client: TestClient, sample_store: GeoPackageStore, tmp_path: Path, form: str
) -> None:
    """The stored layer (RD New) with one feature renamed, sent back in each format."""
    frame = sample_store.read().voorzieningen[["id", "name", "category", "geometry"]].copy()
    frame.loc[0, "name"] = f"Buurthuis via {form}"
    if form == "gpkg":
        name, body = "voorzieningen.gpkg", _gpkg(frame)
    elif form == "zip":
        name, body = "voorzieningen.zip", _zipped_shapefile(frame, tmp_path)
    elif form == "csv":
        table = frame.assign(x=frame.geometry.x, y=frame.geometry.y).drop(columns="geometry")
        name, body = "voorzieningen.csv", table.to_csv(index=False).encode()
    else:
        name, body = "voorzieningen.geojson", frame.to_crs("EPSG:4326").to_json().encode()
    data = {"mode": "upsert"}  # as a form field
    response = client.post(
        "/imports/voorzieningen", files={"file": (name, body)}, data=data, headers=AUTH
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["mode"] == "upsert"
    assert report["file_name"] == name
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    assert served_names(client)[frame.loc[0, "id"]] == f"Buurthuis via {form}"


def test_csv_with_one_category_for_all(client: TestClient, sample_store: GeoPackageStore) -> None:
    stored = sample_store.read().voorzieningen
    huisartsen = stored[stored["source"] == SAMPLE_HUISARTSEN.name]
    others = int((huisartsen["category"] != "huisarts").sum())  # gezondheidscentra
    response = client.post(
        "/imports/voorzieningen?mode=upsert&category=huisarts",
        files={"file": ("huisartsen.csv", SAMPLE_HUISARTSEN.read_bytes())},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert others == 3
    assert (report["added"], report["updated"], report["removed"]) == (0, others, 0)
    categories = sample_store.read().voorzieningen.set_index("id")["category"]
    assert set(categories[huisartsen["id"]]) == {"huisarts"}


def test_a_name_without_a_known_suffix_is_sniffed(client: TestClient) -> None:
    frame = gpd.read_file(SAMPLE_VOORZIENINGEN)
    response = client.post(
        "/imports/voorzieningen?mode=upsert&dry_run=true",
        files={"file": ("export", _gpkg(frame))},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["file_name"] == "export.gpkg"


def test_pdok_geometry_with_kerncijfers_over_http(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    """PDOK's gebiedsindelingen (statcode) joined by code to CBS Kerncijfers sent beside it."""
    response = client.post(
        "/imports/buurten",
        files=[
            ("file", (PDOK_GEOJSON.name, PDOK_GEOJSON.read_bytes())),
            ("statistics", (NIEUWEGEIN_CSV.name, NIEUWEGEIN_CSV.read_bytes())),
        ],
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["statistics"] == [
        {
            "file_name": NIEUWEGEIN_CSV.name,
            "sha256": sha256_file(NIEUWEGEIN_CSV),
            "size": NIEUWEGEIN_CSV.stat().st_size,
        }
    ]
    assert report["changes"]["buurten"]["added"] == 0
    assert report["changes"]["buurten"]["removed"] == 0
    stored = sample_store.read().buurten
    assert len(stored) == 39
    assert stored["residents"].sum() == 65_955


def test_buurten_geopackage_upload(client: TestClient) -> None:
    response = client.post(
        "/imports/buurten?mode=upsert",
        files={"file": (NIEUWEGEIN_GPKG.name, NIEUWEGEIN_GPKG.read_bytes())},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "unchanged"  # the sample's own buurten


@pytest.mark.parametrize("form", ["json-body", "yaml-body", "yaml-file"])
def test_zone_definitions(client: TestClient, form: str) -> None:
    definition = yaml.safe_load(SAMPLE_ZONES.read_text(encoding="utf-8"))
    definition["zones"][0]["name"] = f"Noord ({form})"
    if form == "json-body":
        kwargs: dict[str, Any] = {
            "content": json.dumps(definition).encode(),
            "headers": {**AUTH, "Content-Type": "application/json"},
        }
    elif form == "yaml-body":
        kwargs = {
            "content": yaml.safe_dump(definition).encode(),
            "headers": {**AUTH, "Content-Type": "application/yaml"},
        }
    else:
        kwargs = {
            "files": {"file": ("zones.yaml", yaml.safe_dump(definition).encode())},
            "headers": AUTH,
        }
    response = client.post("/imports/zones", **kwargs)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0)
    zones = client.get("/zones").json()["features"]
    assert zones[0]["properties"]["zone_name"] == f"Noord ({form})"


def test_zones_upsert_keeps_the_other_zones(client: TestClient) -> None:
    definition = yaml.safe_load(SAMPLE_ZONES.read_text(encoding="utf-8"))
    only = {"gemeente": "GM0356", "zones": [{**definition["zones"][1], "name": "West"}]}
    response = client.post(
        "/imports/zones?mode=upsert",
        content=json.dumps(only).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    report = response.json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    assert report["unchanged"] == len(definition["zones"]) - 1


def test_into_an_empty_store(tmp_path: Path) -> None:
    with make_client(tmp_path / "store.gpkg") as client:
        assert client.get("/health").json()["status"] == "empty"
        assert client.get("/zones").status_code == 503
        response = client.post(
            "/imports/buurten",
            files={"file": (NIEUWEGEIN_GPKG.name, NIEUWEGEIN_GPKG.read_bytes())},
            headers=AUTH,
        )
        assert response.status_code == 200, response.text
        assert response.json()["added"] == 39
        assert response.json()["previous_version"] is None
        health = client.get("/health").json()
        assert health["status"] == "ok"
        assert health["buurten"] == 39


# --------------------------------------------------------------------------- refusals


def _feature(lon: float, lat: float, **properties: object) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


BAD_VOORZIENINGEN: dict[str, tuple[bytes, int, str]] = {
    "not json": (b'{"type": "FeatureCollection", "features": [', 422, "not valid JSON"),
    "empty": (b'{"type": "FeatureCollection", "features": []}', 422, "holds no features"),
    "rd as lon/lat": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [_feature(134000, 449000, id="a", categorie="huisarts")],
            }
        ).encode(),
        422,
        "are lon/lat swapped",
    ),
    "unknown category and duplicate id": (
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    _feature(5.08, 52.03, id="a", categorie="kapper"),
                    _feature(5.09, 52.03, id="a", categorie="huisarts"),
                    {"type": "Feature", "properties": {"id": "b"}, "geometry": None},
                ],
            }
        ).encode(),
        422,
        "feature(s) refused",
    ),
}


@pytest.mark.parametrize("case", list(BAD_VOORZIENINGEN))
def test_refused_imports_leave_the_store_byte_for_byte(
    client: TestClient, sample_store: GeoPackageStore, case: str
) -> None:
    body, status, text = BAD_VOORZIENINGEN[case]
    before = fingerprint(sample_store.path)
    version = client.get("/health").json()["store_version"]
    response = post_geojson(client, "voorzieningen", body, mode="upsert")
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert text in problem["detail"]
    assert fingerprint(sample_store.path) == before
    assert client.get("/health").json()["store_version"] == version
    entry = client.get("/imports?limit=1").json()["imports"][0]
    assert entry["outcome"] == "refused"
    assert entry["refused"] == problem.get("total", 0)
    assert entry["store_version"] == version


def test_per_feature_errors_are_listed(client: TestClient) -> None:
    body = BAD_VOORZIENINGEN["unknown category and duplicate id"][0]
    problem = post_geojson(client, "voorzieningen", body).json()
    reasons = [(p["index"], p["id"], p["reason"]) for p in problem["errors"]]
    assert problem["total"] == len(reasons) == 4, reasons
    assert any(i == 0 and "kapper" in r for i, _, r in reasons)
    assert (1, "a", "id a occurs twice (also feature 0)") in reasons
    assert (2, "b", "no geometry (null or empty)") in reasons
    rd = json.loads(BAD_VOORZIENINGEN["rd as lon/lat"][0])
    (only,) = post_geojson(client, "voorzieningen", rd).json()["errors"]
    assert "RD New" in only["reason"]


def test_a_zone_definition_that_does_not_fit_is_refused(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    before = fingerprint(sample_store.path)
    bad = {"zones": [{"code": "x", "name": "X", "wijken": ["WK999999"]}]}
    response = client.post(
        "/imports/zones",
        content=json.dumps(bad).encode(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "WK999999" in response.json()["detail"]
    assert fingerprint(sample_store.path) == before


@pytest.mark.parametrize(
    ("headers", "files", "status", "text"),
    [
        ({"Content-Type": "text/plain"}, None, 415, "is not read here"),
        ({}, {"file": ("buurten.shp", b"\x00\x00\x27\x0a")}, 415, "zip the .shp"),
        ({}, {"file": ("a.exe", b"MZ\x90\x00")}, 415, "not a GeoPackage"),
        ({}, {"other": ("a.gpkg", b"x")}, 422, "exactly one file"),
    ],
    ids=["text/plain", "lone .shp", "binary", "no file field"],
)
def test_wrong_types_are_refused(
    client: TestClient,
    sample_store: GeoPackageStore,
    headers: dict[str, str],
    files: dict[str, tuple[str, bytes]] | None,
    status: int,
    text: str,
) -> None:
    before = fingerprint(sample_store.path)
    if files is None:
        response = client.post("/imports/voorzieningen", content=b"x", headers={**AUTH, **headers})
    else:
        response = client.post("/imports/voorzieningen", files=files, headers=AUTH)
    assert response.status_code == status, response.text
    assert text in response.json()["detail"]
    assert fingerprint(sample_store.path) == before
    assert client.get("/imports?limit=1").json()["imports"][0]["outcome"] == "refused"


def test_bad_options_are_refused(client: TestClient) -> None:
    body = SAMPLE_VOORZIENINGEN.read_bytes()
    assert post_geojson(client, "voorzieningen", body, mode="merge").status_code == 422
    response = client.post(
        "/imports/voorzieningen",
        files={"file": ("v.geojson", body)},
        data={"gemeente": "GM0356"},
        headers=AUTH,
    )
    assert response.status_code == 422
    assert "gemeente" in response.json()["detail"]


def test_body_limits(sample_store: GeoPackageStore) -> None:
    body = SAMPLE_VOORZIENINGEN.read_bytes()
    with make_client(sample_store.path, max_upload_bytes=len(body) - 1) as client:
        before = fingerprint(sample_store.path)
        declared = post_geojson(client, "voorzieningen", body)
        assert declared.status_code == 413
        assert declared.json()["limit"] == len(body) - 1

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        streamed = client.post("/imports/voorzieningen", content=chunks(), headers=GEOJSON)
        assert streamed.status_code == 413
        assert "more than the" in streamed.json()["detail"]
        assert fingerprint(sample_store.path) == before


def test_feature_count_limit(sample_store: GeoPackageStore) -> None:
    with make_client(sample_store.path, max_features=5) as client:
        response = post_geojson(client, "voorzieningen", SAMPLE_VOORZIENINGEN.read_bytes())
    assert response.status_code == 413
    assert response.json()["limit"] == 5


# --------------------------------------------------------------------------- the log


def test_the_log_lists_every_import_newest_first(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    document = sample_document()
    post_geojson(client, "voorzieningen", document, dry_run="true")
    post_geojson(client, "voorzieningen", b"{", mode="upsert")
    post_geojson(client, "voorzieningen", document, mode="upsert")
    entries = client.get("/imports").json()["imports"]
    assert [e["outcome"] for e in entries[:3]] == ["unchanged", "refused", "dry_run"]
    assert {e["key"] for e in entries[:3]} == {KEY_NAME}
    assert entries[0]["sha256"] == entries[2]["sha256"]
    assert client.get("/imports?limit=1").json()["imports"] == entries[:1]
    text = log_file(sample_store.path).read_text()
    assert KEY not in text
    assert len(text.splitlines()) == 3


def test_cli_imports_are_logged_and_locked(
    sample_store: GeoPackageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(sample_store.path)
    before = fingerprint(sample_store.path)
    args = ["--store", store, "import", "voorzieningen", str(SAMPLE_VOORZIENINGEN)]
    assert wsz([*args, "--dry-run"]) == 0
    assert "Dry run of voorzieningen (replace)" in capsys.readouterr().out
    assert fingerprint(sample_store.path) == before
    assert wsz([*args, "--upsert"]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    assert fingerprint(sample_store.path) == before
    assert wsz(args) == 0
    assert f"0 added, 0 updated, {N_CSV} removed" in capsys.readouterr().out
    with make_client(sample_store.path) as client:
        entries = client.get("/imports").json()["imports"]
    assert [e["outcome"] for e in entries] == ["applied", "unchanged", "dry_run"]
    assert {e["via"] for e in entries} == {"cli"}
    assert all(e["user"] and e["key"] is None for e in entries)


def test_an_edit_of_any_attribute_counts_and_is_kept(
    client: TestClient, sample_store: GeoPackageStore
) -> None:
    """Not only name and category: an address or opening hours edited in QGIS is an update."""
    feature = sample_document()["features"][0]
    feature["properties"]["adres"] = "Schakelplein 1, 3431 AB Nieuwegein"
    report = post_geojson(
        client, "voorzieningen", {"type": "FeatureCollection", "features": [feature]}, mode="upsert"
    ).json()
    assert (report["added"], report["updated"], report["removed"]) == (0, 1, 0), report
    stored = sample_store.read().voorzieningen.set_index("id")
    assert stored.loc["wsz-o-1", "address"] == "Schakelplein 1, 3431 AB Nieuwegein"
