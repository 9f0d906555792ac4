"""Address tables for the residents' address search: BAG tables and an OSM extract's addresses.

Two sources, both read into one table layout (:data:`ADDRESS_COLUMNS`, RD New points):

* the OSM extract of the walking network (``addr:street``, ``addr:housenumber``,
  ``addr:postcode``, ``addr:city`` on nodes and buildings; in the Netherlands these come from
  the BAG), as :attr:`geo.network.build.Network.addresses`;
* an imported BAG address table (``wsz import addresses FILE``), kept beside the store
  (:mod:`geo.store.addresses`).

BAG tables are read in the forms they are published in (column names matched case-blind):

============================  =========================================================
NLExtract ``bagadres`` CSV    ``openbareruimte;huisnummer;huisletter;huisnummertoevoeging;
                              postcode;woonplaats;gemeente;provincie;object_id;
                              object_type;nevenadres;x;y;lon;lat`` (``;``-separated)
PDOK BAG GeoPackage           layer ``verblijfsobject``: ``identificatie``,
(``bag-light.gpkg``)          ``openbare_ruimte_naam``, ``huisnummer``, ``huisletter``,
                              ``toevoeging``, ``postcode``, ``woonplaats_naam``; points in
                              RD New
PDOK Locatieserver / others   ``straatnaam``/``straat``, ``huisnummertoevoeging``,
                              ``woonplaatsnaam``/``plaats``, ``rd_x``/``rd_y``
============================  =========================================================

Searching them is :mod:`geo.ask.search`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from numpy.typing import NDArray
from pyproj import CRS

from geo.common.tables import CSV_SUFFIXES, read_text_table
from geo.common.text import decimal_numbers, find_column, fold_keys
from geo.crs import WORKING_CRS, lonlat_to_rd, parse_crs
from geo.errors import MissingColumnError, ReadError, ValueProblemError

#: Columns of an address table (stored and indexed), besides the geometry (RD New points).
ADDRESS_COLUMNS = (
    "street",
    "housenumber",
    "number",
    "letter",
    "toevoeging",
    "postcode",
    "city",
    "source",
    "source_id",
)
#: Candidate column names per field, in order of preference (compared case-blind).
BAG_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "street": (
        "openbareruimte",
        "openbare_ruimte_naam",
        "openbareruimtenaam",
        "openbare_ruimte",
        "straatnaam",
        "straat",
        "street",
        "addr:street",
    ),
    "number": ("huisnummer", "housenumber", "addr:housenumber", "nummer"),
    "letter": ("huisletter",),
    "toevoeging": ("huisnummertoevoeging", "toevoeging", "huisnummer_toevoeging"),
    "postcode": ("postcode", "addr:postcode", "postal_code"),
    "city": (
        "woonplaats",
        "woonplaats_naam",
        "woonplaatsnaam",
        "plaats",
        "city",
        "addr:city",
    ),
    "source_id": ("identificatie", "nummeraanduiding", "object_id", "id"),
}
#: The OSM tags an address is read from (an extract without addresses may lack them).
OSM_ADDRESS_TAGS = ("osm_id", "addr:street", "addr:housenumber", "addr:postcode", "addr:city")
#: Coordinate column pairs of a CSV, RD New first (exact), then WGS84.
RD_COLUMNS = (("x", "y"), ("rd_x", "rd_y"), ("x_rd", "y_rd"))
LONLAT_COLUMNS = (("lon", "lat"), ("longitude", "latitude"), ("lng", "lat"))
#: Layer of a BAG GeoPackage read by default (PDOK's bag-light.gpkg).
BAG_LAYER = "verblijfsobject"
#: Addresses this far (metres) outside the store's buurten are left out on import.
IMPORT_MARGIN_M = 1000.0


def postcode_key(values: pd.Series) -> pd.Series:
    """ "2628 cc" → "2628CC"; anything that is not a Dutch postcode → ""."""
    key = values.astype("string").fillna("").str.upper().str.replace(r"\s", "", regex=True)
    return key.where(key.str.fullmatch(r"\d{4}[A-Z]{2}"), "").astype(str)


def split_suffix(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A folded house-number suffix into (huisletter, toevoeging): "a" → ("a", ""),
    "a2" → ("a", "2"), "bis" → ("", "bis"), "2" → ("", "2")."""
    parts = fold_keys(values).str.extract(r"^([a-z](?![a-z]))?(.*)$")
    return parts[0].fillna("").astype(str), parts[1].fillna("").astype(str)


def _display_postcode(key: pd.Series) -> pd.Series:
    """ "2628CC" → "2628 CC"; "" → missing."""
    shown = (key.str[:4] + " " + key.str[4:]).astype("string")
    return shown.where(key != "", pd.NA)


def osm_addresses(addresses: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Address points of an OSM extract (:attr:`geo.network.osm.OsmExtract.addresses`) as an
    address table; rows without a street or a numeric house number are left out."""
    tags = addresses.reindex(columns=[*OSM_ADDRESS_TAGS, addresses.geometry.name])
    tags = tags.set_geometry(addresses.geometry.name)
    raw_number = tags["addr:housenumber"].astype("string").fillna("").str.strip()
    parsed = raw_number.str.extract(r"^(\d+)\s*(.*)$")
    letter, toevoeging = split_suffix(parsed[1])
    frame = pd.DataFrame(
        {
            "street": tags["addr:street"].astype("string").str.strip(),
            "housenumber": raw_number,
            "number": pd.to_numeric(parsed[0], errors="coerce").astype("Int64"),
            "letter": letter,
            "toevoeging": toevoeging,
            "postcode": _display_postcode(postcode_key(tags["addr:postcode"])),
            "city": tags["addr:city"].astype("string").str.strip(),
            "source": "osm",
            "source_id": tags["osm_id"].astype("string"),
        },
        index=tags.index,
    )
    usable = (frame["street"].fillna("") != "") & frame["number"].notna()
    return address_table(frame[usable], tags.geometry[usable])


def read_bag_addresses(
    path: Path, *, layer: str | None = None, crs: str | None = None
) -> gpd.GeoDataFrame:
    """Read a BAG address table (CSV or GeoPackage, see the module's table of columns) into an
    address table in RD New.

    CSV coordinates come from ``x``/``y`` (RD New) or ``lon``/``lat`` (WGS84) columns, or as
    stated with ``crs``; a GeoPackage's from its geometry (``layer``, default
    ``verblijfsobject`` when present, else the only layer). Raises :class:`ReadError` for an
    unreadable file, :class:`MissingColumnError` naming the columns found and expected, and
    :class:`ValueProblemError` when no row has a usable address and position.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() in CSV_SUFFIXES:
        table, points = _read_csv(path, crs=crs)
    else:
        table, points = _read_vector(path, layer=layer)
    return _bag_table(table, points, where=str(path))


def _read_csv(path: Path, *, crs: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    with path.open("r", encoding="utf-8-sig", errors="replace") as stream:
        header = stream.readline()
    if not header.strip():
        raise ReadError(f"{path}: empty file (expected a header line with BAG columns)")
    table = read_text_table(path, where=str(path))
    columns = {c.lower().strip(): c for c in table.columns}
    for pairs, source_crs in ((RD_COLUMNS, crs or "EPSG:28992"), (LONLAT_COLUMNS, "EPSG:4326")):
        for x_name, y_name in pairs:
            if x_name in columns and y_name in columns:
                x = decimal_numbers(table[columns[x_name]]).to_numpy(dtype=float)
                y = decimal_numbers(table[columns[y_name]]).to_numpy(dtype=float)
                return table, _points(x, y, parse_crs(source_crs, where=str(path)))
    raise MissingColumnError(
        f"{path}: no coordinate columns; expected x/y (RD New) or lon/lat (WGS84), found "
        f"{', '.join(table.columns)}"
    )


def _points(x: np.ndarray, y: np.ndarray, crs: CRS) -> NDArray[np.object_]:
    """Points in RD New from coordinates in ``crs`` (RD New, or WGS84 lon/lat)."""
    if not crs.equals(WORKING_CRS):
        rx, ry = lonlat_to_rd(x, y)
        x, y = np.asarray(rx, dtype=float), np.asarray(ry, dtype=float)
    points: NDArray[np.object_] = shapely.points(x, y)
    return points


def _read_vector(path: Path, *, layer: str | None) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        if layer is None:
            layer = BAG_LAYER if BAG_LAYER in layers else (layers[0] if len(layers) == 1 else None)
        if layer is None:
            raise ReadError(f"{path}: several layers ({', '.join(layers)}); name one with --layer")
        if layer not in layers:
            raise ReadError(f"{path}: no layer {layer!r}; it has {', '.join(layers)}")
        frame = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ReadError(f"{path}: not a readable GeoPackage or vector file: {exc}") from exc
    if frame.crs is None:
        raise ValueProblemError(f"{path}: layer {layer!r} states no CRS")
    frame = frame.to_crs(WORKING_CRS)
    geometry = np.asarray(frame.geometry.values, dtype=object)
    points = np.where(
        shapely.get_type_id(geometry) == 0, geometry, shapely.point_on_surface(geometry)
    )
    return pd.DataFrame(frame.drop(columns=frame.geometry.name)), points


def _bag_table(table: pd.DataFrame, points: np.ndarray, *, where: str) -> gpd.GeoDataFrame:
    found = {field: find_column(table.columns, names) for field, names in BAG_COLUMN_NAMES.items()}
    missing = [f for f in ("street", "number") if found[f] is None]
    if missing:
        expected = "; ".join(f"{f}: {' or '.join(BAG_COLUMN_NAMES[f])}" for f in missing)
        raise MissingColumnError(
            f"{where}: missing address column(s) ({expected}); the file has "
            f"{', '.join(map(str, table.columns))}"
        )

    def text(field: str) -> pd.Series:
        column = found[field]
        if column is None:
            return pd.Series("", index=table.index, dtype="string")
        return table[column].astype("string").fillna("").str.strip()

    if found["letter"] is None:  # a combined house number: "12a", "12-2", "12 bis"
        parsed = text("number").str.extract(r"^(\d+)\s*(.*)$")
        number = pd.to_numeric(parsed[0], errors="coerce")
        letter, toevoeging = split_suffix(parsed[1])
        extra = fold_keys(text("toevoeging"))
        toevoeging = toevoeging.where(toevoeging != "", extra)
    else:
        number = pd.to_numeric(text("number"), errors="coerce")
        letter = fold_keys(text("letter")).str[:1]
        toevoeging = fold_keys(text("toevoeging"))
    number = number.where(number == number.round()).astype("Int64")
    shown = number.astype("string").fillna("") + letter.str.upper()
    shown = shown.where(toevoeging == "", shown + "-" + toevoeging.str.upper())
    frame = pd.DataFrame(
        {
            "street": text("street"),
            "housenumber": shown,
            "number": number,
            "letter": letter,
            "toevoeging": toevoeging,
            "postcode": _display_postcode(postcode_key(text("postcode"))),
            "city": text("city").replace("", pd.NA),
            "source": "bag",
            "source_id": text("source_id").replace("", pd.NA),
        },
        index=table.index,
    )
    located = ~(shapely.is_missing(points) | shapely.is_empty(points))
    located &= np.isfinite(shapely.get_x(points)) & np.isfinite(shapely.get_y(points))
    usable = (frame["street"] != "").to_numpy() & frame["number"].notna().to_numpy() & located
    if not usable.any():
        raise ValueProblemError(
            f"{where}: none of its {len(frame)} rows has a street, a house number and a position"
        )
    return address_table(frame[usable], points[usable])


def address_table(frame: pd.DataFrame, geometry: object) -> gpd.GeoDataFrame:
    frame = frame.astype(
        {
            "street": "string",
            "housenumber": "string",
            "letter": "string",
            "toevoeging": "string",
            "postcode": "string",
            "city": "string",
            "source": "string",
            "source_id": "string",
        }
    )
    return gpd.GeoDataFrame(
        frame[list(ADDRESS_COLUMNS)].reset_index(drop=True),
        geometry=np.asarray(geometry, dtype=object),
        crs=WORKING_CRS,
    )


def within_area(table: gpd.GeoDataFrame, area: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """The addresses inside ``area`` grown by :data:`IMPORT_MARGIN_M` (all without an area)."""
    if area is None or area.is_empty:
        return table
    inside = shapely.dwithin(table.geometry.values, area, IMPORT_MARGIN_M)
    return table[inside].reset_index(drop=True)
