"""Uploads keep their real type (name and first bytes): a GML is read as GML — named so, or
named as something else — and a refusal names the file the user sent.

The GML is the sample's voorzieningen written by real GDAL (pyogrio's GML driver); the app
runs in-process over a private copy of the sample store.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
from fastapi.testclient import TestClient

from geo.read.vectors import read_vector
from service.uploads import clean_name
from tests.conftest import SAMPLE_VOORZIENINGEN
from tests.servers import AUTH
from tests.service.imports_support import N_CSV, N_GEOJSON


@pytest.fixture
def gml(tmp_path: Path) -> Path:
    path = tmp_path / "voorzieningen.gml"
    pyogrio.write_dataframe(read_vector(SAMPLE_VOORZIENINGEN), path, driver="GML")
    return path


@pytest.mark.parametrize("name", ["praktijken.csv"])
def test_a_gml_upload_is_read_as_gml_whatever_its_name(
    keyed_client: TestClient, gml: Path, name: str
) -> None:
    response = keyed_client.post(
        "/imports/voorzieningen",
        files={"file": (name, gml.read_bytes())},
        data={"dry_run": "true", "mode": "upsert"},
        headers=AUTH,
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["outcome"] == "dry_run"
    assert (report["added"], report["removed"]) == (0, 0)  # the sample's own, by id
    assert report["unchanged"] + report["updated"] == N_GEOJSON + N_CSV
    assert report["file_name"] == name


def test_a_refused_upload_is_named_as_the_user_sent_it(keyed_client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    response = keyed_client.post(
        "/imports/voorzieningen", files={"file": ("Kaart van de wijk.png", png)}, headers=AUTH
    )
    assert response.status_code == 415
    assert response.json()["detail"].startswith("Kaart van de wijk.png: not a GeoPackage")


def test_content_decides_over_a_wrong_suffix() -> None:
    assert clean_name("a.csv", "voorzieningen", b'<?xml version="1.0"?>') == "a.gml"
    assert clean_name("a.csv", "voorzieningen", b"id;naam;lon;lat\n") == "a.csv"
    assert clean_name("a.json", "buurten", b'{"type": "FeatureCollection"}') == "a.json"
    assert clean_name("upload", "voorzieningen", b"SQLite format 3\x00") == "upload.gpkg"
