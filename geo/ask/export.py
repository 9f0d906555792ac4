"""Layers for GIS clients, and writers: GeoJSON, GeoPackage and CSV in WGS84 or RD New.

Every layer is one feature per row with a stable id in its first column:

``buurten`` (``bu_code``)
    CBS buurten with residents, 65+ residents and ``zone_code``.
``zones`` (``zone_code``)
    Dissolved woonservicezones with totals; ``wijk_codes`` and ``buurt_codes`` comma-separated.
``voorzieningen`` (``id``)
    Points with ``category``, ``bu_code`` and ``zone_code``.
``coverage`` (``bu_code``)
    One feature per buurt (its polygon) with, per category ``<cat>``: ``<cat>_threshold_m``,
    ``<cat>_residents_beyond``, ``<cat>_residents_65plus_beyond``, ``<cat>_share_beyond`` and
    ``<cat>_share_65plus_beyond`` (fractions 0..1), ``<cat>_mean_m`` and ``<cat>_max_m``
    (metres, by the distance source named in ``source``).
``gaps`` (``id``, ``<category>-<zone_code>``)
    One (multi)polygon per category and zone where residents beyond the threshold live (see
    :mod:`geo.coverage.gaps`), when there are any; ``no-zone`` stands for buurten outside every
    zone.

Output CRS is ``EPSG:4326`` (lon/lat, 6 decimals ≈ 0.1 m, RFC 7946) or ``EPSG:28992`` (RD New,
3 decimals = 1 mm). Rounding never makes a polygon invalid: a polygon that rounding would
break is snapped to the same grid by GEOS (``shapely.set_precision``) instead.

GeoJSON in EPSG:4326 is RFC 7946: no ``crs`` member, exterior rings counter-clockwise. In
EPSG:28992 it is legacy GeoJSON with a ``crs`` member naming EPSG:28992, so that GDAL, QGIS and
:func:`geo.read.buurten.read_buurten` read it back in RD New. CSV has polygons as a ``WKT`` column
(QGIS and GDAL recognise it) and points as ``lon``/``lat`` (EPSG:4326) or ``x``/``y``
(EPSG:28992) columns, which :func:`geo.read.voorzieningen.read_voorzieningen` reads back;
comma-separated, ``.`` as decimal separator, UTF-8. A text cell that a spreadsheet would take
for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a buurt
named ``=HYPERLINK(…)``) is written with a single quote before it, as OWASP advises against CSV
injection (:func:`neutralise_formulas`); numbers, negative ones too, are written as numbers.
"""

from __future__ import annotations

import io
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.ask.geojson import feature_strings
from geo.common.files import atomic_write
from geo.crs import EDGE_CRS, WORKING_CRS
from geo.errors import NotFoundError, QueryError

if TYPE_CHECKING:
    from geo.analysis import Analysis

ExportFormat = Literal["geojson", "gpkg", "csv"]
ExportCrs = Literal["EPSG:4326", "EPSG:28992"]
FORMATS: tuple[ExportFormat, ...] = ("geojson", "gpkg", "csv")
CRS_CODES: tuple[ExportCrs, ...] = ("EPSG:4326", "EPSG:28992")
#: File suffix and media type per format.
SUFFIX = {"geojson": ".geojson", "gpkg": ".gpkg", "csv": ".csv"}
MEDIA_TYPE = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv; charset=utf-8",
}
#: Decimals written per output CRS: degrees (6 ≈ 0.1 m) and metres (3 = 1 mm).
DECIMALS = {"EPSG:4326": 6, "EPSG:28992": 3}
_CRS = {"EPSG:4326": EDGE_CRS, "EPSG:28992": WORKING_CRS}
#: Legacy GeoJSON ``crs`` member for RD New (what GDAL writes and reads back).
RD_CRS_MEMBER = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}

#: Coverage figures per category: long-format column → suffix of the wide column.
COVERAGE_FIGURES = {
    "threshold_m": "threshold_m",
    "residents_beyond": "residents_beyond",
    "residents_65plus_beyond": "residents_65plus_beyond",
    "share_beyond": "share_beyond",
    "share_65plus_beyond": "share_65plus_beyond",
    "mean_distance_m": "mean_m",
    "max_distance_m": "max_m",
}


@dataclass(frozen=True)
class LayerSpec:
    """What a layer is: its id column, a title and description, the codes one can filter on."""

    name: str
    id_column: str
    title: str
    description: str
    #: Columns filterable by equality (codes), e.g. ``?zone_code=noord`` in OGC API Features.
    queryables: tuple[str, ...]


LAYERS: dict[str, LayerSpec] = {
    spec.name: spec
    for spec in (
        LayerSpec(
            "buurten",
            "bu_code",
            "Buurten (CBS)",
            "CBS buurten with residents, residents aged 65+ and their woonservicezone.",
            ("bu_code", "wk_code", "gm_code", "zone_code"),
        ),
        LayerSpec(
            "zones",
            "zone_code",
            "Woonservicezones",
            "Woonservicezones (dissolved buurten) with residents and 65+ totals.",
            ("zone_code",),
        ),
        LayerSpec(
            "voorzieningen",
            "id",
            "Voorzieningen",
            "Voorzieningen (points) with category, buurt and zone.",
            ("id", "category", "bu_code", "zone_code", "source"),
        ),
        LayerSpec(
            "coverage",
            "bu_code",
            "Coverage per buurt",
            "Per buurt and category: residents beyond the walking-distance norm, their share "
            "and the mean and maximum distance in metres; `source` names the distance source.",
            ("bu_code", "wk_code", "zone_code"),
        ),
        LayerSpec(
            "gaps",
            "id",
            "Coverage gaps",
            "Per category and zone, the area where residents live beyond the norm, with "
            "their number (and 65+).",
            ("id", "category", "zone_code", "source"),
        ),
    )
}


# --------------------------------------------------------------------------- layers


def find_gaps(*holders: object) -> gpd.GeoDataFrame | None:
    """The first non-empty ``gaps`` frame among ``holders`` (an analysis, a published state)."""
    for holder in holders:
        gaps = getattr(holder, "gaps", None)
        if isinstance(gaps, gpd.GeoDataFrame) and not gaps.empty:
            return gaps
    return None


def available_layers(gaps: gpd.GeoDataFrame | None = None) -> tuple[str, ...]:
    """Layer names in order; ``gaps`` only when there are gap polygons."""
    return tuple(name for name in LAYERS if name != "gaps" or gaps is not None)


def check_layer(name: str, gaps: gpd.GeoDataFrame | None = None) -> str:
    """Return ``name`` if it is an available layer; raise :class:`NotFoundError` otherwise."""
    known = available_layers(gaps)
    if name not in known:
        hint = " (this analysis has no gap polygons)" if name == "gaps" else ""
        raise NotFoundError(f"no layer {name!r}{hint}; known layers: {', '.join(known)}")
    return name


def layer_frame(
    analysis: Analysis, name: str, *, gaps: gpd.GeoDataFrame | None = None
) -> gpd.GeoDataFrame:
    """Layer ``name`` in RD New (EPSG:28992), its id column first, indexed 0..n-1.

    ``gaps`` defaults to the analysis' own gap polygons (:func:`find_gaps`).
    """
    dataset = analysis.dataset
    gaps = gaps if gaps is not None else find_gaps(analysis)
    check_layer(name, gaps)
    if name == "buurten":
        frame = _id_first(dataset.buurten, "bu_code")
    elif name == "zones":
        frame = _id_first(dataset.zones, "zone_code")
    elif name == "voorzieningen":
        frame = _id_first(dataset.voorzieningen, "id")
    elif name == "coverage":
        frame = coverage_frame(analysis)
    else:
        assert gaps is not None  # check_layer refused it otherwise
        frame = _gaps_frame(gaps)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WORKING_CRS).reset_index(drop=True)


def _id_first(frame: gpd.GeoDataFrame, id_column: str) -> gpd.GeoDataFrame:
    """All of ``frame``'s columns (whatever the store keeps), ``id_column`` first."""
    geometry = frame.geometry.name
    others = [c for c in frame.columns if c not in (id_column, geometry)]
    selected = frame[[id_column, *others, geometry]]
    return selected.rename_geometry("geometry") if geometry != "geometry" else selected


def coverage_frame(analysis: Analysis) -> gpd.GeoDataFrame:
    """One row per buurt (its polygon, RD New) with per-category coverage columns."""
    buurten = analysis.dataset.buurten
    long = analysis.coverage.buurten
    wide = long.pivot(index="bu_code", columns="category", values=list(COVERAGE_FIGURES))
    columns = [
        (figure, category)
        for category in analysis.vocabulary.codes
        for figure in COVERAGE_FIGURES
        if (figure, category) in wide.columns
    ]
    wide = wide[columns]
    wide.columns = [f"{category}_{COVERAGE_FIGURES[figure]}" for figure, category in columns]
    base = buurten[["bu_code", "bu_naam", "wk_code", "zone_code", "residents", "residents_65plus"]]
    joined = base.join(wide.astype(float), on="bu_code")
    joined.insert(joined.columns.get_loc("residents_65plus") + 1, "source", analysis.source.name)
    joined["geometry"] = buurten.geometry.to_numpy()
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=buurten.crs)


def _gaps_frame(gaps: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Gaps in RD New with an ``id`` column first; list values joined by commas."""
    frame = gaps.to_crs(WORKING_CRS) if gaps.crs is not None else gaps.set_crs(WORKING_CRS)
    frame = frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame
    frame = frame.copy()
    for column in frame.columns.drop("geometry"):
        if frame[column].map(lambda v: isinstance(v, list | tuple)).any():
            frame[column] = frame[column].map(
                lambda v: ",".join(map(str, v)) if isinstance(v, list | tuple) else v
            )
    if "id" not in frame.columns:
        frame.insert(0, "id", _gap_ids(frame))
    others = [c for c in frame.columns if c not in ("id", "geometry")]
    return frame[["id", *others, "geometry"]]


def _gap_ids(frame: gpd.GeoDataFrame) -> list[str]:
    """``<category>-<zone_code>`` (``no-zone`` for none) where unique, else ``gap-<n>``."""
    if {"category", "zone_code"} <= set(frame.columns):
        zones = frame["zone_code"].astype("string").fillna("no-zone")
        ids: list[str] = (frame["category"].astype(str) + "-" + zones.astype(str)).tolist()
        if len(set(ids)) == len(ids):
            return ids
    return [f"gap-{n + 1}" for n in range(len(frame))]


# --------------------------------------------------------------------------- projection


def check_crs(value: str) -> ExportCrs:
    """``EPSG:4326`` or ``EPSG:28992`` (also ``4326``, ``epsg:28992``); else :class:`QueryError`."""
    code = value.strip().upper()
    code = code if code.startswith("EPSG:") else f"EPSG:{code}"
    for known in CRS_CODES:
        if code == known:
            return known
    raise QueryError(f"crs={value!r}: export in EPSG:4326 (WGS84 lon/lat) or EPSG:28992 (RD New)")


def project(frame: gpd.GeoDataFrame, crs: ExportCrs) -> gpd.GeoDataFrame:
    """``frame`` (RD New) in ``crs``, rounded to :data:`DECIMALS`, valid, RFC 7946 orientation.

    Exterior rings are counter-clockwise and holes clockwise in both CRSs (x east, y north).
    """
    projected = frame.to_crs(_CRS[crs])
    geometry = np.asarray(projected.geometry.values, dtype=object)
    decimals = DECIMALS[crs]
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, decimals))
    source_valid = shapely.is_valid(np.asarray(frame.geometry.values, dtype=object))
    broken = ~shapely.is_valid(rounded) & source_valid
    if broken.any():
        repaired = shapely.make_valid(geometry[broken])
        rounded[broken] = shapely.set_precision(repaired, 10.0**-decimals)
    oriented = _uniform(shapely.orient_polygons(rounded, exterior_cw=False))
    return projected.set_geometry(gpd.GeoSeries(oriented, index=projected.index, crs=_CRS[crs]))


def _uniform(geometry: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons where a layer mixes both (GIS layers want one type)."""
    kinds = shapely.get_type_id(geometry)
    polygon, multipolygon = 3, 6
    single = kinds == polygon
    if not (single.any() and (kinds == multipolygon).any()):
        return geometry
    out = geometry.copy()
    out[single] = shapely.multipolygons(geometry[single], indices=np.arange(int(single.sum())))
    return out


# --------------------------------------------------------------------------- writers


def to_geojson(frame: gpd.GeoDataFrame, *, name: str, id_column: str, crs: ExportCrs) -> bytes:
    """A FeatureCollection of ``frame`` (already :func:`project` ed to ``crs``) as UTF-8."""
    head: dict[str, object] = {"type": "FeatureCollection", "name": name}
    if crs == "EPSG:28992":
        head["crs"] = RD_CRS_MEMBER
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    features = ",\n".join(feature_strings(frame, id_column))
    return f'{opening}, "features": [\n{features}\n]}}\n'.encode()


#: What a spreadsheet takes for the start of a formula in a text cell (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with every text cell that starts like a formula (:data:`FORMULA_STARTS`)
    prefixed with a single quote, so that spreadsheets show it as text, and carriage returns
    in text written as line feeds (which the CSV writer quotes; a bare CR it does not). Number
    columns are left alone: ``-3.5`` stays a number."""
    result = table.copy()
    for column in table.columns:
        values = table[column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            continue
        is_text = values.map(lambda v: isinstance(v, str)).astype(bool)
        text = values.astype("string")
        risky = is_text & text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
        returns = is_text & text.str.contains("\r", regex=False).fillna(False).astype(bool)
        if risky.any() or returns.any():
            fixed = ("'" + text).where(risky, text).str.replace("\r\n?", "\n", regex=True)
            result[column] = values.where(~(risky | returns), fixed).astype(values.dtype)
    return result


def to_csv(frame: gpd.GeoDataFrame, *, crs: ExportCrs) -> bytes:
    """CSV: points as lon/lat (EPSG:4326) or x/y (EPSG:28992), other geometry as ``WKT``;
    text cells that start like a formula are neutralised (:func:`neutralise_formulas`)."""
    table = neutralise_formulas(pd.DataFrame(frame.drop(columns=frame.geometry.name)))
    geometry = frame.geometry
    if len(frame) and (geometry.geom_type == "Point").all():
        x_name, y_name = ("lon", "lat") if crs == "EPSG:4326" else ("x", "y")
        table[x_name], table[y_name] = geometry.x.to_numpy(), geometry.y.to_numpy()
    else:
        table["WKT"] = shapely.to_wkt(
            np.asarray(geometry.values, dtype=object), rounding_precision=DECIMALS[crs], trim=True
        )
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode()


def write_gpkg(frame: gpd.GeoDataFrame, path: Path, *, name: str, title: str = "") -> Path:
    """Write ``frame`` as the only layer ``name`` of a new GeoPackage at ``path``."""
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(
        frame,
        path,
        layer=name,
        driver="GPKG",
        promote_to_multi=False,
        layer_options={"IDENTIFIER": title or name, "DESCRIPTION": LAYERS[name].description}
        if name in LAYERS
        else None,
    )
    return path


def export_bytes(frame: gpd.GeoDataFrame, name: str, fmt: ExportFormat, crs: ExportCrs) -> bytes:
    """Layer ``name`` (RD New frame) as a file's bytes in format ``fmt`` and CRS ``crs``."""
    projected = project(frame, crs)
    if fmt == "geojson":
        return to_geojson(projected, name=name, id_column=_id_column(name, frame), crs=crs)
    if fmt == "csv":
        return to_csv(projected, crs=crs)
    with tempfile.TemporaryDirectory(prefix="wsz-export-") as folder:
        path = write_gpkg(projected, Path(folder) / f"{name}.gpkg", name=name)
        return path.read_bytes()


def write_export(
    frame: gpd.GeoDataFrame, name: str, path: Path, fmt: ExportFormat, crs: ExportCrs
) -> Path:
    """Write layer ``name`` (RD New frame) to ``path``; the file appears whole or not at all."""
    with atomic_write(path) as temporary:
        temporary.write_bytes(export_bytes(frame, name, fmt, crs))
    return path


def format_for(path: Path) -> ExportFormat:
    """The format a file name asks for (``.geojson``/``.json``, ``.gpkg``, ``.csv``)."""
    suffix = path.suffix.lower()
    for fmt in FORMATS:
        if suffix == SUFFIX[fmt]:
            return fmt
    if suffix == ".json":
        return "geojson"
    raise QueryError(f"{path}: cannot tell the format from the suffix; use .geojson, .gpkg or .csv")


def file_name(name: str, fmt: ExportFormat, crs: ExportCrs) -> str:
    """A download name, e.g. ``woonservicezones_buurten_epsg28992.gpkg``."""
    return f"woonservicezones_{name}_{crs.replace(':', '').lower()}{SUFFIX[fmt]}"


def _id_column(name: str, frame: gpd.GeoDataFrame) -> str:
    return LAYERS[name].id_column if name in LAYERS else str(frame.columns[0])
