"""A saved scenario as files for GIS clients: GeoJSON, GeoPackage or CSV (:mod:`geo.ask.export`).

Two layers, one feature per row with a unique id in its first column:

``scenario_sites`` (``key`` = ``<role>:<id>``)
    The scenario's chosen, closed and candidate sites (points), with ``scenario``, ``role``,
    ``id``, ``rank``, ``gain``, ``bu_code`` and ``zone_code``.
``scenario_zones`` (``zone_code``)
    The zones (polygons) with the scenario's figures: residents and 65+ beyond the norm
    before and after, newly covered and losing coverage (:data:`geo.whatif.scenarios.FIGURES`).

GeoJSON and CSV hold one layer (``layer``, the sites unless asked); a GeoPackage holds both.
CSV text cells that start like a formula are neutralised (:func:`geo.ask.export.to_csv`).
Frames are RD New; the output CRS is the caller's (WGS84 or RD New).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.ask.export import ExportCrs, ExportFormat, export_bytes, project, write_gpkg
from geo.errors import QueryError
from geo.whatif.scenarios import SITE_COLUMNS, Scenario

ScenarioLayer = Literal["sites", "zones"]
LAYER_NAMES: dict[ScenarioLayer, str] = {"sites": "scenario_sites", "zones": "scenario_zones"}


def sites_layer(scenario: Scenario) -> gpd.GeoDataFrame:
    """The scenario's sites with a unique ``key`` first (RD New)."""
    sites = scenario.sites
    frame = pd.DataFrame(
        {
            "key": sites["role"].astype(str) + ":" + sites["id"].astype(str),
            "scenario": scenario.name,
            **{c: sites[c] for c in SITE_COLUMNS},
        }
    )
    return gpd.GeoDataFrame(frame, geometry=sites.geometry.values, crs=sites.crs)


def zones_layer(scenario: Scenario, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The stored ``zones`` (RD New polygons) with the scenario's figures per zone."""
    shapes = zones[["zone_code", "zone_name", "geometry"]].assign(
        zone_code=zones["zone_code"].astype(str)
    )
    joined = shapes.merge(scenario.by_zone, on="zone_code", how="inner")
    joined.insert(2, "scenario", scenario.name)
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=zones.crs)


def scenario_file_name(name: str, fmt: ExportFormat, layer: ScenarioLayer) -> str:
    """A download name, e.g. ``woonservicezones_scenario_twee-huisartsen_sites.csv``."""
    suffix = {"geojson": ".geojson", "gpkg": ".gpkg", "csv": ".csv"}[fmt]
    part = "" if fmt == "gpkg" else f"_{layer}"
    return f"woonservicezones_scenario_{name}{part}{suffix}"


def scenario_bytes(
    scenario: Scenario,
    zones: gpd.GeoDataFrame,
    fmt: ExportFormat,
    *,
    crs: ExportCrs = "EPSG:4326",
    layer: ScenarioLayer = "sites",
) -> bytes:
    """The scenario as a file's bytes (see the module docstring)."""
    if layer not in LAYER_NAMES:
        raise QueryError(f"layer={layer!r}: a scenario has layers sites and zones")
    frames = {"sites": sites_layer(scenario), "zones": zones_layer(scenario, zones)}
    if fmt != "gpkg":
        return export_bytes(frames[layer], LAYER_NAMES[layer], fmt, crs)
    with tempfile.TemporaryDirectory(prefix="wsz-scenario-") as folder:
        path = Path(folder) / "scenario.gpkg"
        write_gpkg(project(frames["sites"], crs), path, name=LAYER_NAMES["sites"])
        if not frames["zones"].empty:
            pyogrio.write_dataframe(
                project(frames["zones"], crs),
                path,
                layer=LAYER_NAMES["zones"],
                driver="GPKG",
                promote_to_multi=True,
            )
        return path.read_bytes()
