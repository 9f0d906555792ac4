"""What the live-data tests (test_live*.py) share besides their fixtures (``server``,
``server_store`` in tests/service/conftest.py): an edited upload as a GIS user makes it, and
the names a server or an app serves.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pyogrio
from fastapi.testclient import TestClient

from geo.store.geopackage import GeoPackageStore


def renamed_upload(store: Path, names: dict[str, str], folder: Path) -> Path:
    """The stored voorzieningen (RD New GeoPackage) with some renamed, as a GIS user edits."""
    frame = GeoPackageStore(store).read().voorzieningen[["id", "name", "category", "geometry"]]
    frame = frame.assign(name=frame["id"].map(names).fillna(frame["name"]))
    path = folder / "voorzieningen_edited.gpkg"
    pyogrio.write_dataframe(frame, path, driver="GPKG", layer="voorzieningen")
    return path


def names_of(base_or_client: str | TestClient) -> dict[str, str]:
    """The voorzieningen' names by id, as a server (its base URL) or an app serves them."""
    if isinstance(base_or_client, str):
        body = httpx.get(f"{base_or_client}/voorzieningen", timeout=30).json()
    else:
        body = base_or_client.get("/voorzieningen").json()
    return {f["properties"]["id"]: f["properties"]["name"] for f in body["features"]}
