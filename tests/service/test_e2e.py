"""End to end: `wsz serve` in its own process (real uvicorn), called over HTTP."""

from __future__ import annotations

import httpx
import pytest

from maps.assets import VENDOR_SUBDIR
from service.schemas.answers import LocationOut, ZoneDetail
from service.schemas.features import FeatureCollection, ZoneProperties

pytestmark = pytest.mark.e2e


def test_served_api_over_http(live_server: str) -> None:
    with httpx.Client(base_url=live_server, timeout=30) as http:
        health = http.get("/health").json()
        assert health["status"] == "ok"
        assert health["buurten"] == 39  # Nieuwegein's real CBS buurten
        assert health["synthetic"] == ["voorzieningen", "network", "addresses"]

        zones = http.get("/zones")
        assert zones.headers["content-type"] == "application/geo+json"
        collection = FeatureCollection[ZoneProperties].model_validate(zones.json())
        codes = [f.properties.zone_code for f in collection.features]
        assert codes == ["noord", "west", "centrum", "oost", "zuid"]

        for code in codes:
            detail = ZoneDetail.model_validate(http.get(f"/zones/{code}").json())
            assert detail.zone.properties.zone_code == code
            assert http.get(detail.map).status_code == 200

        location = LocationOut.model_validate(
            http.get("/lookup", params={"lon": 5.09, "lat": 52.03}).json()
        )
        assert location.zone_code == "oost"  # Merwestein

        missing = http.get("/zones/atlantis")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert http.get(f"/static/vendor/{VENDOR_SUBDIR}/leaflet.css").status_code == 200
