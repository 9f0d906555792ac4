"""Golden answers of the JSON API (everything outside ``/ogc``) on both samples: the read
endpoints with the parameters that matter, and their error answers (status + problem+json).

Expected files: ``tests/golden/<sample>/{api,errors,walking,addresses}/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.golden.support import Get, check_get, needs_shared_data, params

pytestmark = needs_shared_data

ZONES = {
    "nieuwegein": ["noord", "west", "centrum", "oost", "zuid"],
    "delft-tu": ["wippolder", "campus"],
}
#: A bbox inside each gemeente (minlon,minlat,maxlon,maxlat) and one far from both.
BBOX = {"nieuwegein": "5.07,52.02,5.10,52.04", "delft-tu": "4.365,51.995,4.38,52.005"}
ELSEWHERE = "4.0,51.0,4.1,51.1"
#: Fixed points (lon, lat): representative points of buurten in different zones, one of a
#: buurt in no zone, and one far from every street.
POINTS = {
    "nieuwegein": [
        (5.08822, 52.03459),  # Jutphaas (centrum)
        (5.08839, 52.04042),  # Zuilenstein-Zuid (noord)
        (5.07318, 52.02984),  # Driften-Zuid (west)
        (5.09929, 52.00802),  # Vreeswijk (zuid)
        (5.08341, 52.01766),  # Park Oudegein (no zone)
    ],
    "delft-tu": [
        (4.3765, 52.00522),  # Wippolder-Zuid (wippolder)
        (4.37365, 51.9995),  # TU-Campus (campus)
        (4.38295, 52.00062),  # Schoemakerplantage (campus)
        (4.36557, 51.99494),  # Bedrijventerrein Schieweg-Noord (no zone)
    ],
}
OFF_NETWORK = (5.5, 52.5)


def api_cases(sample: str) -> list[Get]:
    zones, bbox = ZONES[sample], BBOX[sample]
    first = zones[0]
    cases = [
        Get("/"),
        Get("/health"),
        Get("/categories"),
        Get("/imports"),
        Get("/imports?limit=1"),
        Get("/openapi.json"),
        Get("/zones"),
        Get("/coverage"),
        Get("/coverage?distance=walking"),
        Get("/coverage?distance=straight_line"),
        Get("/coverage?category=huisarts"),
        Get("/coverage?category=buurthuis"),
        Get("/coverage?category=supermarkt&distance=straight_line"),
        Get(f"/coverage?zone={first}&category=huisarts&distance=straight_line"),
        Get("/coverage/buurten"),
        Get("/coverage/buurten?distance=straight_line"),
        Get(f"/coverage/buurten?zone={first}&distance=straight_line"),
        Get("/coverage/gaps"),
        Get("/coverage/gaps?category=supermarkt"),
        Get(f"/coverage/gaps?category=huisarts&zone={first}"),
        Get("/voorzieningen"),
        Get("/voorzieningen?category=supermarkt"),
        Get("/voorzieningen?category=dokter"),
        Get(f"/voorzieningen?bbox={bbox}"),
        Get(f"/voorzieningen?bbox={ELSEWHERE}"),
        Get(f"/voorzieningen?category=supermarkt&zone={first}&bbox={bbox}"),
    ]
    for zone in zones:
        cases += [
            Get(f"/zones/{zone}"),
            Get(f"/zones/{zone}/buurten"),
            Get(f"/coverage?zone={zone}"),
            Get(f"/coverage/buurten?zone={zone}"),
            Get(f"/coverage/gaps?zone={zone}"),
            Get(f"/voorzieningen?zone={zone}"),
        ]
    return cases


def error_cases(sample: str) -> list[Get]:
    lon, lat = POINTS[sample][0]
    at = f"lon={lon}&lat={lat}"
    return [
        Get("/nowhere"),
        Get("/zones/atlantis"),
        Get("/zones/atlantis/buurten"),
        Get("/coverage?zone=atlantis"),
        Get("/coverage?category=bakker"),
        Get("/coverage?distance=cycling"),
        Get("/coverage/buurten?zone=atlantis"),
        Get("/coverage/gaps?zone=atlantis"),
        Get("/coverage/gaps?category=bakker"),
        Get("/voorzieningen?category=bakker"),
        Get("/voorzieningen?zone=atlantis"),
        Get("/voorzieningen?bbox=5,52,5.1"),
        Get("/voorzieningen?bbox=5.2,52,5.1,52.1"),
        Get("/voorzieningen?bbox=a,b,c,d"),
        Get("/lookup?lon=52.03&lat=95"),
        Get("/lookup?lon=abc&lat=52"),
        Get("/lookup?lat=52"),
        Get(f"/lookup?{at}&distance=cycling"),
        Get(f"/lookup?{at}&profile=skates"),
        Get(f"/route?{at}"),
        Get(f"/route?{at}&category=bakker"),
        Get(f"/route?{at}&category=huisarts&profile=skates"),
        Get(f"/route?lon={OFF_NETWORK[0]}&lat={OFF_NETWORK[1]}&category=huisarts"),
        Get(f"/isochrone?{at}&minutes=0"),
        Get(f"/isochrone?{at}&minutes=5,abc"),
        Get(f"/isochrone?{at}&minutes=5,10,15,20,25,30"),
        Get(f"/isochrone?{at}&minutes=61"),
        Get(f"/isochrone?lon={OFF_NETWORK[0]}&lat={OFF_NETWORK[1]}"),
        Get("/addresses"),
        Get("/addresses?q=%20%20", name="addresses__q=blank"),
        Get("/addresses?q=x&limit=0"),
        Get("/addresses?q=x&limit=51"),
        Get("/imports?limit=0"),
    ]


def walking_cases(sample: str) -> list[Get]:
    points = [*POINTS[sample], OFF_NETWORK]
    cases = []
    for lon, lat in points:
        at = f"lon={lon}&lat={lat}"
        cases += [
            Get(f"/lookup?{at}"),
            Get(f"/lookup?{at}&distance=straight_line"),
            Get(f"/lookup?{at}&profile=rollator"),
        ]
    lon, lat = points[0]
    at = f"lon={lon}&lat={lat}"
    cases += [
        Get(f"/lookup?{at}&distance=walking&profile=walk"),
        Get(f"/lookup?{at}&distance=straight_line&profile=rollator"),
    ]
    for lon, lat in points[:2]:
        at = f"lon={lon}&lat={lat}"
        cases += [
            Get(f"/route?{at}&category=huisarts"),
            Get(f"/route?{at}&category=supermarkt"),
            Get(f"/route?{at}&category=supermarkt&profile=rollator"),
            Get(f"/route?{at}&category=ontmoetingsplek"),
            Get(f"/isochrone?{at}"),
            Get(f"/isochrone?{at}&minutes=5"),
            Get(f"/isochrone?{at}&minutes=3,7&profile=rollator"),
        ]
    cases.append(Get(f"/route?{at}&category=pharmacy"))
    return cases


ADDRESS_QUERIES = {
    "nieuwegein": ["3431 AB 12", "Mekelweg 5"],
    "delft-tu": [
        "2628 CC 3",
        "2628cc3",
        "Mekelweg 5",
        "mekelweg 5 delft",
        "Nassauplein 38 A",
        "prof evertslaan 2",
        "2628 RC",
        "Nergensstraat 1",
    ],
}


def address_cases(sample: str) -> list[Get]:
    cases = [Get(f"/addresses?q={q.replace(' ', '%20')}") for q in ADDRESS_QUERIES[sample]]
    return [*cases, Get("/addresses?q=Professor%20Krausstraat&limit=3")]


@pytest.mark.parametrize(("sample", "case"), params({s: api_cases(s) for s in ZONES}))
def test_api(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "api", case, basetemp)


@pytest.mark.parametrize(("sample", "case"), params({s: error_cases(s) for s in ZONES}))
def test_errors(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "errors", case, basetemp)


@pytest.mark.parametrize(("sample", "case"), params({s: walking_cases(s) for s in ZONES}))
def test_walking(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "walking", case, basetemp)


@pytest.mark.parametrize(("sample", "case"), params({s: address_cases(s) for s in ZONES}))
def test_addresses(sample: str, case: Get, api: TestClient, basetemp: Path) -> None:
    check_get(api, sample, "addresses", case, basetemp)
