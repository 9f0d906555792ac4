"""Golden answers of the OGC API – Features at ``/ogc`` on both samples: landing page,
conformance, collections, each collection with its queryables, schema and items (paging, bbox
in CRS84 and RD New, ``crs=EPSG:28992``, filters), single features, the OpenAPI 3.0 document,
the HTML variants (``f=html`` and ``Accept: text/html``) and the error answers.

The items' ``timeStamp`` is normalised. Expected files: ``tests/golden/<sample>/ogc/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.golden.support import Get, check_get, needs_shared_data, params

pytestmark = needs_shared_data

RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
HTML = "text/html,application/xhtml+xml,*/*;q=0.8"
COLLECTIONS = ("buurten", "zones", "voorzieningen", "coverage", "gaps")


class Sample:
    """What the cases of one sample name: a zone, a feature of each collection, bboxes."""

    def __init__(
        self, zone: str, buurt: str, voorziening: str, gap: str, bbox84: str, bbox_rd: str
    ) -> None:
        self.zone, self.bbox84, self.bbox_rd = zone, bbox84, bbox_rd
        self.features = {
            "buurten": buurt,
            "zones": zone,
            "voorzieningen": voorziening,
            "coverage": buurt,
            "gaps": gap,
        }


SAMPLES = {
    "nieuwegein": Sample(
        "noord",
        "BU03560201",
        "ha-4",
        "huisarts-noord",
        "5.07,52.02,5.10,52.04",
        "134000,446000,136000,448000",
    ),
    # delft-tu's voorzieningen come from OSM: their ids (node/…, way/…) hold a slash.
    "delft-tu": Sample(
        "wippolder",
        "BU05032803",
        "node/539078336",
        "supermarkt-wippolder",
        "4.365,51.995,4.38,52.005",
        "85000,445500,86000,446500",
    ),
}


def ogc_cases(sample: str) -> list[Get]:
    s = SAMPLES[sample]
    cases = [
        Get("/ogc"),
        Get("/ogc?f=json"),
        Get("/ogc?f=html"),
        Get("/ogc", name="ogc__accept=html", accept=HTML),
        Get("/ogc/conformance"),
        Get("/ogc/conformance?f=html"),
        Get("/ogc/collections"),
        Get("/ogc/collections?f=html"),
        Get("/ogc/collections", name="ogc_collections__accept=html", accept=HTML),
        Get("/ogc/api"),
    ]
    for c in COLLECTIONS:
        items = f"/ogc/collections/{c}/items"
        feature = f"{items}/{s.features[c]}"
        cases += [
            Get(f"/ogc/collections/{c}"),
            Get(f"/ogc/collections/{c}?f=html"),
            Get(f"/ogc/collections/{c}/queryables"),
            Get(f"/ogc/collections/{c}/schema"),
            Get(items),
            Get(f"{items}?f=html"),
            Get(f"{items}?limit=2"),
            Get(f"{items}?limit=2&offset=2"),
            Get(f"{items}?limit=2&offset=2&f=html"),
            Get(f"{items}?offset=1000"),
            Get(f"{items}?crs={RD}&limit=3", name=f"ogc_collections_{c}_items__crs=rd__limit=3"),
            Get(f"{items}?bbox={s.bbox84}"),
            Get(
                f"{items}?bbox={s.bbox_rd}&bbox-crs={RD}",
                name=f"ogc_collections_{c}_items__bbox={s.bbox_rd}__bbox-crs=rd",
            ),
            Get(feature),
            Get(f"{feature}?f=html"),
            Get(f"{feature}?crs={RD}", name=f"{Get(feature).file_name}__crs=rd"),
        ]
    return [
        *cases,
        Get("/ogc/collections/buurten/items", name="ogc_buurten_items__accept=html", accept=HTML),
        Get(f"/ogc/collections/buurten/items?zone_code={s.zone}"),
        Get(f"/ogc/collections/buurten/items?zone_code={s.zone}&bbox={s.bbox84}&limit=3"),
        Get(f"/ogc/collections/coverage/items?zone_code={s.zone}"),
        Get(f"/ogc/collections/zones/items?zone_code={s.zone}"),
        Get("/ogc/collections/voorzieningen/items?category=supermarkt"),
        Get(f"/ogc/collections/voorzieningen/items?category=huisarts&zone_code={s.zone}"),
        Get("/ogc/collections/gaps/items?category=supermarkt&source=walking"),
        Get(f"/ogc/collections/gaps/items?zone_code={s.zone}&limit=3&offset=1"),
        Get("/ogc/collections/buurten/items?datetime=2024-01-01T00:00:00Z"),
        Get("/ogc/collections/buurten/queryables?f=html"),
        Get(
            f"/ogc/collections/buurten/items?crs={CRS84}&bbox={s.bbox84}&bbox-crs={CRS84}",
            name="ogc_collections_buurten_items__crs=crs84__bbox-crs=crs84",
        ),
        Get(
            "/ogc/collections/voorzieningen/items/"
            + s.features["voorzieningen"].replace("/", "%2F"),
            name="ogc_collections_voorzieningen_items_encoded-id",
        ),
    ]


def ogc_error_cases(sample: str) -> list[Get]:
    del sample
    items = "/ogc/collections/buurten/items"
    return [
        Get("/ogc?f=xml"),
        Get("/ogc?limit=3"),
        Get("/ogc/collections/bakker"),
        Get("/ogc/collections/bakker/items"),
        Get("/ogc/collections/bakker/queryables"),
        Get("/ogc/collections/bakker/schema"),
        Get(f"{items}/BU00000000"),
        Get(f"{items}?limit=0"),
        Get(f"{items}?limit=100000"),
        Get(f"{items}?offset=-1"),
        Get(f"{items}?bbox=1,2,3"),
        Get(f"{items}?bbox=5.2,52,5.1,52.1"),
        Get(f"{items}?crs=EPSG:4326"),
        Get(f"{items}?bbox-crs=EPSG:28992"),
        Get(f"{items}?colour=red"),
        Get(f"{items}?f=xml"),
        Get(f"{items}/BU03560201?limit=1"),
        Get("/ogc/api?limit=1"),
    ]


@pytest.mark.parametrize(("sample", "case"), params({s: ogc_cases(s) for s in SAMPLES}))
def test_ogc(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "ogc", case, basetemp)


@pytest.mark.parametrize(("sample", "case"), params({s: ogc_error_cases(s) for s in SAMPLES}))
def test_ogc_errors(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "ogc-errors", case, basetemp)
