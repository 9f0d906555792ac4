"""The OpenAPI document says what is accepted (hardening item 9): what it allows is answered,
what it refuses is a 422 naming the parameter and what it takes; a 405 says which methods
are allowed. Schemathesis checks the same with its full default checks (tests/service/
test_fuzz.py); these are the cases it reported."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_a_method_not_allowed_says_which_are(client: TestClient) -> None:
    response = client.request("TRACE", "/zones")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/voorzieningen?category=", "category"),
        ("/coverage?category=", "category"),
        ("/isochrone?lon=5.08&lat=52.03&minutes=", "minutes"),
        ("/lookup?lon=5.08&lat=1e167", "lat"),
        ("/addresses?q=%C2%BF", "q"),
    ],
)
def test_values_the_document_refuses_are_422(client: TestClient, path: str, parameter: str) -> None:
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["parameter"] == parameter


def test_an_unknown_category_is_not_found(client: TestClient) -> None:
    response = client.get("/voorzieningen", params={"category": "bakker"})
    assert response.status_code == 404
    assert "known: ontmoetingsplek" in response.json()["detail"]


def test_a_bbox_may_give_its_corners_in_either_order(client: TestClient) -> None:
    forward = client.get("/voorzieningen", params={"bbox": "5.05,52.00,5.13,52.05"})
    backward = client.get("/voorzieningen", params={"bbox": "5.13,52.05,5.05,52.00"})
    assert forward.status_code == backward.status_code == 200
    assert forward.content == backward.content
    assert forward.json()["features"]
