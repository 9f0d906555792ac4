"""pygeoapi, the OGC API - Features server a GIS team would otherwise install, as the load
benchmark's peer for ``/collections/buurten/items?limit=100`` (not a test).

:func:`prepare` exports the store's buurten and voorzieningen with our own export
(``wsz export``, one GeoPackage per layer, EPSG:4326 lon/lat: pygeoapi's
default storage CRS is CRS84, so it answers without reprojecting), writes pygeoapi's config
YAML (its OGR provider on the GeoPackage: the provider pygeoapi's docs list for GeoPackage
files; its SQLiteGPKG provider needs SQLite's ``load_extension``, which this Python lacks) and
its OpenAPI document (``pygeoapi openapi generate``) into a folder. :func:`serving` runs
pygeoapi under a production server with the same worker count as our measured case:

* ``uvicorn`` — pygeoapi's Starlette app (``pygeoapi.starlette_app:APP``), the same server
  ``wsz serve`` runs, so only the application differs;
* ``gunicorn`` — pygeoapi's Flask app (``pygeoapi.flask_app:APP``) under gunicorn's sync
  workers, the WSGI deployment of pygeoapi's docs and Docker image (when gunicorn is
  installed).

``pygeoapi serve`` is Flask's development server, so it is not measured. pygeoapi runs in
subprocesses only: nothing here imports it (or GDAL's Python bindings, which its OGR provider
needs: ``pip install GDAL==$(gdal-config --version)`` after ``apt-get install libgdal-dev``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import yaml

from bench.harness import PROJECT_ROOT, installed, wait_until_answers

ITEMS = "/collections/buurten/items?limit=100"
#: The servers pygeoapi is measured under, and the module each needs.
SERVERS = {"uvicorn": "uvicorn", "gunicorn": "gunicorn"}
LAYERS = {"buurten": "bu_code", "voorzieningen": "id"}  # layer: its id field
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def missing() -> str | None:
    """What pygeoapi's OGR provider lacks here (None when it can run)."""
    if not installed("pygeoapi"):
        return "pygeoapi is not installed (pip install pygeoapi)"
    if not installed("osgeo"):
        return (
            "GDAL's Python bindings (osgeo), which pygeoapi's OGR provider needs, are not "
            "installed (apt-get install libgdal-dev; pip install GDAL==$(gdal-config --version))"
        )
    return None


def servers() -> list[str]:
    """The servers pygeoapi can be measured under here."""
    return [name for name, module in SERVERS.items() if installed(module)]


def export_layers(env: dict[str, str], folder: Path) -> dict[str, tuple[Path, list[float]]]:
    """The store's buurten and voorzieningen as GeoPackages in EPSG:4326, written by our own
    ``wsz export`` (with the store settings of ``env``), each with its lon/lat bounding box."""
    import pyogrio

    files = {}
    for name in LAYERS:
        path = folder / f"{name}.gpkg"
        command = [sys.executable, "-m", "service.cli", "export", name, "-o", str(path)]
        subprocess.run(
            [*command, "--crs", "EPSG:4326"],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        bounds = pyogrio.read_info(path, layer=name)["total_bounds"]
        files[name] = (path, [round(float(v), 6) for v in bounds])
    return files


def config(files: dict[str, tuple[Path, list[float]]], port: int) -> dict[str, Any]:
    """pygeoapi's configuration: one OGR (GeoPackage) collection per exported layer."""
    resources = {
        name: {
            "type": "collection",
            "title": name,
            "description": f"woonservicezones {name} (benchmark copy)",
            "keywords": [name],
            "extents": {"spatial": {"bbox": bbox, "crs": CRS84}},
            "providers": [
                {
                    "type": "feature",
                    "name": "OGR",
                    "data": {"source_type": "GPKG", "source": str(path)},
                    "id_field": LAYERS[name],
                    "layer": name,
                }
            ],
        }
        for name, (path, bbox) in files.items()
    }
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": 1000},
            "pretty_print": False,
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": ""},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": "woonservicezones benchmark peer",
                "description": "pygeoapi serving the benchmark's buurten and voorzieningen",
                "keywords": ["benchmark"],
                "url": "http://127.0.0.1",
                "terms_of_service": "https://creativecommons.org/licenses/by/4.0/",
            },
            "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
            "provider": {"name": "woonservicezones"},
            "contact": {"name": "woonservicezones"},
        },
        "resources": resources,
    }


def prepare(env: dict[str, str], folder: Path, port: int) -> dict[str, str]:
    """Export the layers of the store ``env`` names, write the config and the OpenAPI
    document into ``folder``; the environment pygeoapi runs with (``PYGEOAPI_CONFIG``,
    ``PYGEOAPI_OPENAPI``)."""
    folder.mkdir(parents=True, exist_ok=True)
    settings = folder / "pygeoapi-config.yml"
    settings.write_text(yaml.safe_dump(config(export_layers(env, folder), port)))
    openapi = folder / "pygeoapi-openapi.yml"
    cli = "from pygeoapi import cli; cli()"  # pygeoapi has no ``python -m pygeoapi``
    command = [sys.executable, "-c", cli, "openapi", "generate", str(settings)]
    subprocess.run([*command, "--output-file", str(openapi)], check=True, capture_output=True)
    return {**os.environ, "PYGEOAPI_CONFIG": str(settings), "PYGEOAPI_OPENAPI": str(openapi)}


def _command(server: str, workers: int, port: int) -> list[str]:
    if server == "gunicorn":
        return [
            *(sys.executable, "-m", "gunicorn", "pygeoapi.flask_app:APP"),
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--backlog", "2048"),
        ]
    return [
        *(sys.executable, "-m", "uvicorn", "pygeoapi.starlette_app:APP"),
        *("--workers", str(workers), "--port", str(port), "--no-access-log"),
        *("--log-level", "warning"),
    ]


@contextmanager
def serving(
    env: dict[str, str], server: str, workers: int, port: int, log_path: Path
) -> Iterator[str]:
    """pygeoapi under ``server`` with ``workers`` processes until the block ends; yields its
    base URL once it answers the items request."""
    with log_path.open("w") as out:
        process = subprocess.Popen(_command(server, workers, port), env=env, stdout=out, stderr=out)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(f"{base}{ITEMS}", process, log_path, 120, "pygeoapi")
            for _ in range(workers * 4):  # every worker has loaded its provider once
                httpx.get(f"{base}{ITEMS}", timeout=30, headers={"Connection": "close"})
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def same_features(ours: dict[str, Any], theirs: dict[str, Any]) -> str | None:
    """Whether two items pages hold the same features (count and ids, in any order); None
    when they do, else what differs."""
    mine = sorted(str(f["id"]) for f in ours["features"])
    other = sorted(str(f["id"]) for f in theirs["features"])
    if mine == other:
        return None
    return f"ours {len(mine)} features, pygeoapi {len(other)}; differ: {set(mine) ^ set(other)}"
