"""OGC API – Features at /ogc, in process: landing page, conformance, collections, items
paged, in CRS84 and RD New, filtered by queryables and bbox, HTML pages, the OpenAPI 3.0
document and the schemas. Real clients reading a real server are in ``test_ogc_clients.py``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.ask import export
from service.ogc.catalog import catalog_of
from service.ogc.links import CONFORMANCE, CRS84, OPENAPI_30, QUERYABLES_REL, RD_NEW
from service.ogc.models import CollectionInfo, Collections, LandingPage, OgcFeatureCollection
from service.state import Published, publish
from tests.conftest import make_app, make_settings
from tests.service.ogc_support import BASE_COLLECTIONS, expected, hausdorff, served

PROBLEM = "application/problem+json"


def read_all(client: TestClient, name: str, **params: object) -> list[dict[str, Any]]:
    """Every feature of a collection, following ``next`` links page by page."""
    url: str | None = f"/ogc/collections/{name}/items"
    features: list[dict[str, Any]] = []
    query: dict[str, Any] | None = {"limit": 7, **params}
    while url is not None:
        response = client.get(url, params=query)
        assert response.status_code == 200, response.text
        body = OgcFeatureCollection.model_validate(response.json()).model_dump()
        features += body["features"]
        assert body["numberReturned"] == len(body["features"])
        url = next((ln["href"] for ln in body["links"] if ln["rel"] == "next"), None)
        query = None
    return features


# --------------------------------------------------------------------------- in process


def test_landing_page_links(client: TestClient) -> None:
    response = client.get("/ogc")
    assert response.headers["content-type"] == "application/json"
    page = LandingPage.model_validate(response.json())
    by_rel = {ln.rel: ln for ln in page.links}
    assert {"self", "alternate", "service-desc", "service-doc", "conformance", "data"} <= set(
        by_rel
    )
    assert all(ln.type and ln.title for ln in page.links)
    descs = [ln for ln in page.links if ln.rel == "service-desc"]
    assert any(ln.type == OPENAPI_30 and ln.href.endswith("/ogc/api") for ln in descs)
    assert by_rel["service-doc"].type == "text/html"
    assert by_rel["service-doc"].href.endswith("/docs")
    assert by_rel["data"].href.endswith("/ogc/collections")
    assert client.get(by_rel["conformance"].href).json() == {"conformsTo": list(CONFORMANCE)}


def test_conformance_classes(client: TestClient) -> None:
    classes = set(client.get("/ogc/conformance").json()["conformsTo"])
    part1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {part1 + c for c in ("core", "oas30", "html", "geojson")} <= classes
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes


def test_collections_describe_extent_and_crs(client: TestClient, published: Published) -> None:
    body = Collections.model_validate(client.get("/ogc/collections").json())
    assert [c.id for c in body.collections] == list(served(published))
    minx, miny, maxx, maxy = published.buurten.total_bounds
    for info in body.collections:
        assert "." not in info.id
        assert info.crs == [CRS84, RD_NEW]
        assert info.storageCrs == RD_NEW
        assert info.extent.spatial is not None
        assert info.extent.spatial.crs == CRS84
        bbox = info.extent.spatial.bbox[0]
        assert minx - 0.02 <= bbox[0] <= bbox[2] <= maxx + 0.02
        assert miny - 0.02 <= bbox[1] <= bbox[3] <= maxy + 0.02
        rels = {(ln.rel, ln.type) for ln in info.links}
        assert {("items", "application/geo+json"), ("items", "text/html")} <= rels
        assert {
            ("describedby", "application/schema+json"),
            (QUERYABLES_REL, "application/schema+json"),
        } <= rels
        single = CollectionInfo.model_validate(client.get(f"/ogc/collections/{info.id}").json())
        assert single == info


@pytest.mark.parametrize("name", [*BASE_COLLECTIONS, "gaps"])
def test_items_page_through_every_feature(
    client: TestClient, published: Published, name: str
) -> None:
    if name not in served(published):
        pytest.skip("the sample analysis has no gap polygons")
    want = expected(published, name)
    features = read_all(client, name)
    ids = [f["id"] for f in features]
    assert ids == list(want.index)
    first = client.get(f"/ogc/collections/{name}/items", params={"limit": 7}).json()
    assert first["numberMatched"] == len(want)
    rels = {ln["rel"] for ln in first["links"]}
    assert {"self", "alternate", "collection"} <= rels
    assert ("next" in rels) == (len(want) > 7)
    assert "prev" not in rels
    if len(want) > 7:
        second = client.get(f"/ogc/collections/{name}/items", params={"limit": 7, "offset": 7})
        assert "prev" in {ln["rel"] for ln in second.json()["links"]}
    for feature in features[:3]:
        row = want.loc[feature["id"]]
        for column, value in feature["properties"].items():
            if isinstance(value, str):
                assert row[column] == value


def test_items_crs84_by_default_and_rd_on_request(client: TestClient, published: Published) -> None:
    want = expected(published, "buurten")
    plain = client.get("/ogc/collections/buurten/items", params={"limit": 3})
    assert plain.headers["content-type"] == "application/geo+json"
    assert plain.headers["content-crs"] == f"<{CRS84}>"
    assert "crs" not in plain.json()
    rd = client.get("/ogc/collections/buurten/items", params={"crs": RD_NEW, "limit": 100})
    assert rd.headers["content-crs"] == f"<{RD_NEW}>"
    for feature in rd.json()["features"]:
        served = shapely.geometry.shape(feature["geometry"])
        assert hausdorff(served, want.geometry.loc[feature["id"]]) < 0.001  # metres
    lonlat = plain.json()["features"][0]
    served = shapely.geometry.shape(lonlat["geometry"])
    store = gpd.GeoSeries([want.geometry.loc[lonlat["id"]]], crs=28992).to_crs(4326).iloc[0]
    assert hausdorff(served, store) < 1e-6  # degrees: the 6-decimal rounding


def test_filters_on_queryables(client: TestClient, published: Published) -> None:
    zone = str(published.zones["zone_code"].iloc[0])
    buurten = read_all(client, "buurten", zone_code=zone)
    wanted = published.buurten.loc[published.buurten["zone_code"] == zone, "bu_code"]
    assert sorted(f["id"] for f in buurten) == sorted(wanted)
    huisartsen = read_all(client, "voorzieningen", category="huisarts")
    count = int((published.voorzieningen["category"] == "huisarts").sum())
    assert len(huisartsen) == count
    assert all(f["properties"]["category"] == "huisarts" for f in huisartsen)
    assert read_all(client, "voorzieningen", category="no-such-thing") == []
    queryables = client.get("/ogc/collections/voorzieningen/queryables")
    assert queryables.headers["content-type"] == "application/schema+json"
    assert {"category", "zone_code"} <= set(queryables.json()["properties"])


def test_bbox_in_crs84_and_in_rd(client: TestClient, published: Published) -> None:
    rd = expected(published, "buurten")
    box_rd = shapely.box(*rd.geometry.iloc[0].buffer(300).bounds)
    want = sorted(rd.index[rd.intersects(box_rd)])
    text = ",".join(f"{v:.3f}" for v in box_rd.bounds)
    in_rd = read_all(client, "buurten", bbox=text, **{"bbox-crs": RD_NEW})
    assert sorted(f["id"] for f in in_rd) == want
    lonlat = published.buurten.set_index("bu_code")
    minlon, minlat, maxlon, maxlat = lonlat.geometry.iloc[0].bounds
    box84 = f"{minlon},{minlat},{maxlon},{maxlat}"
    in_84 = read_all(client, "buurten", bbox=box84)
    assert sorted(f["id"] for f in in_84) == sorted(
        lonlat.index[lonlat.intersects(shapely.box(minlon, minlat, maxlon, maxlat))]
    )


def test_one_feature_by_id(client: TestClient, published: Published) -> None:
    for name in served(published):
        feature_id = str(expected(published, name).index[0])
        response = client.get(f"/ogc/collections/{name}/items/{feature_id}")
        assert response.status_code == 200
        assert response.headers["content-crs"] == f"<{CRS84}>"
        body = response.json()
        assert body["id"] == feature_id
        assert body["type"] == "Feature"
        assert {"self", "alternate", "collection"} <= {ln["rel"] for ln in body["links"]}
    zone = str(published.zones["zone_code"].iloc[0])
    rd = client.get(f"/ogc/collections/zones/items/{zone}", params={"crs": RD_NEW})
    assert rd.headers["content-crs"] == f"<{RD_NEW}>"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/ogc/collections/buurten/items", {"limit": 0}),
        ("/ogc/collections/buurten/items", {"limit": 10001}),
        ("/ogc/collections/buurten/items", {"limit": "many"}),
        ("/ogc/collections/buurten/items", {"offset": -1}),
        ("/ogc/collections/buurten/items", {"colour": "red"}),
        ("/ogc/collections/buurten/items", {"category": "huisarts"}),  # not a buurten queryable
        ("/ogc/collections/buurten/items", {"bbox": "5.0,52.0,5.1"}),
        ("/ogc/collections/buurten/items", {"bbox": "5.1,52.0,5.0,52.1"}),
        ("/ogc/collections/buurten/items", {"bbox": "1,2,3,4", "bbox-crs": "EPSG:28992"}),
        ("/ogc/collections/buurten/items", {"crs": "EPSG:4326"}),
        ("/ogc/collections/buurten/items", {"f": "xml"}),
        ("/ogc/collections/buurten/items/BU03560101", {"limit": 5}),
        ("/ogc", {"service": "WFS"}),
        ("/ogc/collections", {"bbox": "1,2,3,4"}),
    ],
)
def test_bad_parameters_are_400(client: TestClient, path: str, params: dict[str, Any]) -> None:
    response = client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 400


def test_unknown_collection_and_feature_are_404(client: TestClient) -> None:
    for path in ("/ogc/collections/atlantis", "/ogc/collections/buurten/items/BU99999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM


HTML_PAGES = (
    "/ogc",
    "/ogc/conformance",
    "/ogc/collections",
    "/ogc/collections/buurten",
    "/ogc/collections/voorzieningen/items",
    "/ogc/collections/zones/items/{zone}",
)


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages(client: TestClient, published: Published, path: str) -> None:
    url = path.format(zone=published.zones["zone_code"].iloc[0])
    for response in (
        client.get(url, params={"f": "html"}),
        client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.text.startswith("<!DOCTYPE html>")
        for target in re.findall(r'(?:src|href)="([^"]+)"', response.text):
            assert target.startswith("http://testserver/"), target
        assert "<script" not in response.text
        assert "<img" not in response.text
    assert client.get(url).headers["content-type"].startswith("application/")


def test_html_pages_page_in_html(client: TestClient) -> None:
    page = client.get("/ogc/collections/voorzieningen/items", params={"f": "html", "limit": 2})
    assert 'limit=2&amp;f=html&amp;offset=2">Next page' in page.text


def test_openapi_30_document(client: TestClient, published: Published) -> None:
    """The OGC API's own definition: OpenAPI 3.0, paths under the /ogc server URL, one items
    path per collection naming its queryables (GDAL filters server-side on those)."""
    response = client.get("/ogc/api")
    assert response.headers["content-type"] == OPENAPI_30
    document = response.json()
    assert document["openapi"] == "3.0.3"
    assert document["servers"] == [{"url": "http://testserver/ogc"}]
    paths = document["paths"]
    assert {"/", "/conformance", "/collections", "/collections/{collectionId}/items"} <= set(paths)
    for name in served(published):
        parameters = {p["name"] for p in paths[f"/collections/{name}/items"]["get"]["parameters"]}
        assert {"limit", "offset", "bbox", "crs", *export.LAYERS[name].queryables} <= parameters
    operation_ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(operation_ids) == len(set(operation_ids))
    text = response.text.replace(" ", "")
    assert '"type":"null"' not in text
    assert '"const"' not in text
    assert '"type":[' not in text
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_schema_lists_typed_properties(client: TestClient, published: Published) -> None:
    schema = client.get("/ogc/collections/coverage/schema").json()
    properties = schema["properties"]["properties"]["properties"]
    assert properties["bu_code"]["type"] == "string"
    for category in published.analysis.vocabulary.codes:
        assert properties[f"{category}_share_beyond"]["type"] == "number"


def test_no_gaps_collection_without_gap_polygons(published: Published, tmp_path: Path) -> None:
    """The ``gaps`` collection (and download) exists only where the analysis has gaps."""
    without = publish(dataclasses.replace(published.analysis, gap_builder=None))
    app = make_app(make_settings(tmp_path / "unused.gpkg"), without)
    with TestClient(app) as plain:
        ids = [c["id"] for c in plain.get("/ogc/collections").json()["collections"]]
        assert ids == list(BASE_COLLECTIONS)
        for path in ("/ogc/collections/gaps", "/ogc/collections/gaps/items", "/export/gaps"):
            response = plain.get(path)
            assert response.status_code == 404
            assert "no gap polygons" in response.json()["detail"]


def test_catalog_is_kept_per_published_state(published: Published) -> None:
    """An import publishes a new state object; its catalog is built anew on first use."""
    first = catalog_of(published)
    assert catalog_of(published) is first
    again = publish(published.analysis)
    assert catalog_of(again) is not first
    assert list(catalog_of(again).collections) == list(first.collections)
