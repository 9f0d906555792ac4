"""The SYNTHETIC voorzieningen: GeoJSON (lon/lat; a ``categorie`` column or OSM tags, one drawn as
a building polygon, one just across the border) and CSV (huisartsen and gezondheidscentra, RD
New), each placed 15 m off a street node in its real buurt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from synthetic.barriers import BARRIERS
from synthetic.common import SUFFIX, TO_WGS84, XY, Tags

#: (id, name, categorie or None, OSM tags, buurt code, offset from the buurt's middle in metres)
Voorziening = tuple[str, str, str | None, Tags, str, XY]
GEOJSON_ITEMS: tuple[Voorziening, ...] = (
    # Ontmoetingsplekken: one in most residential wijken.
    ("wsz-o-1", "Buurthuis De Schakel", "buurthuis", (), "BU03560101", (0.0, 0.0)),
    ("wsz-o-2", "Ontmoetingsplek Zuilenstein", "ontmoetingsplek", (), "BU03560202", (0.0, 0.0)),
    ("wsz-o-3", "Huiskamer van Gaarden", "huiskamer", (), "BU03560303", (150.0, 0.0)),
    ("wsz-o-4", "Buurtcentrum Doorslag", "buurtcentrum", (), "BU03560503", (0.0, 0.0)),
    ("wsz-o-5", "Ontmoetingspunt Hagen", "ontmoetingspunt", (), "BU03560801", (0.0, 0.0)),
    ("wsz-o-6", "Buurthuis Schansen", "buurthuis", (), "BU03561002", (0.0, 0.0)),
    ("wsz-o-7", "Ontmoetingsplek Zandveld", "Ontmoetingsplek", (), "BU03561600", (0.0, 0.0)),
    ("wsz-o-8", "Huiskamer Lekboulevard", "huiskamer", (), "BU03561200", (0.0, 150.0)),
    ("wsz-o-9", "Buurthuis Vreeswijk", "buurthuis", (), "BU03561301", (100.0, 50.0)),
    (
        "osm-n101",
        "Wijkcentrum Hoogzandveld",
        None,
        (("amenity", "community_centre"),),
        "BU03561102",
        (0.0, 0.0),
    ),
    # Steunpunten / wijkcentra.
    ("wsz-w-1", "Steunpunt Stadscentrum", "steunpunt", (), "BU03562400", (-80.0, 40.0)),
    ("wsz-w-2", "Wijksteunpunt Wijkersloot", "wijksteunpunt", (), "BU03560103", (0.0, 0.0)),
    ("wsz-w-3", "Dienstencentrum Merwestein", "Dienstencentrum", (), "BU03561400", (0.0, 0.0)),
    ("wsz-w-4", "Servicecentrum Hoven", "servicecentrum", (), "BU03560802", (0.0, 0.0)),
    (
        "osm-n102",
        "Steunpunt Wonen Huis de Geer",
        None,
        (("amenity", "social_facility"), ("social_facility", "outreach")),
        "BU03560600",
        (-150.0, -250.0),
    ),
    # Apotheken.
    ("wsz-a-1", "Apotheek Cityplaza", "apotheek", (), "BU03562400", (60.0, -60.0)),
    ("osm-n201", "Apotheek Batau", None, (("amenity", "pharmacy"),), "BU03560401", (0.0, 0.0)),
    ("wsz-a-3", "Apotheek Galecop", "Apotheek", (), "BU03560801", (150.0, 50.0)),
    ("wsz-a-4", "Apotheek Doorslag", "apotheker", (), "BU03560502", (0.0, 0.0)),
    ("wsz-a-5", "Apotheek Fokkesteeg", "apotheek", (), "BU03561002", (80.0, -120.0)),
    ("wsz-a-6", "Apotheek Vreeswijk", "apotheek", (), "BU03561301", (-60.0, 120.0)),
    # Supermarkten: more in the denser wijken.
    ("wsz-s-1", "Supermarkt Cityplaza", "supermarkt", (), "BU03562400", (0.0, 100.0)),
    ("wsz-s-2", "Supermarkt Cityplaza-Zuid", "supermarkt", (), "BU03562400", (120.0, -120.0)),
    ("wsz-s-3", "Supermarkt Wijkersloot", "supermarkt", (), "BU03560102", (0.0, 0.0)),
    (
        "osm-n301",
        "Supermarkt Zuilenstein",
        None,
        (("shop", "supermarket"),),
        "BU03560201",
        (0.0, 0.0),
    ),
    ("wsz-s-5", "Supermarkt Burgen", "supermarkt", (), "BU03560401", (100.0, 150.0)),
    ("wsz-s-6", "Buurtsuper Driften", "buurtsuper", (), "BU03560302", (0.0, 0.0)),
    ("wsz-s-7", "Supermarkt Doorslag", "supermarkt", (), "BU03560502", (-100.0, 80.0)),
    ("wsz-s-8", "Supermarkt Hoven", "supermarkt", (), "BU03560802", (-100.0, -80.0)),
    ("wsz-s-9", "Supermarkt Schansen", "supermarkt", (), "BU03561002", (-100.0, 100.0)),
    ("wsz-s-10", "Supermarkt Hoogzandveld", "supermarkt", (), "BU03561101", (0.0, 0.0)),
    ("wsz-s-11", "Supermarkt Vreeswijk", "supermarkt", (), "BU03561301", (150.0, -100.0)),
)
#: The building polygon (an OSM-style community centre drawn as its outline).
POLYGON_ITEM: Voorziening = (
    "osm-w401",
    "Ontmoetingscentrum Burgen",
    None,
    (("amenity", "community_centre"), ("building", "yes")),
    "BU03560401",
    (-120.0, -150.0),
)
#: Just across the border, in IJsselstein west of the A2: reached over an A2 crossing only.
ACROSS_BORDER: tuple[str, str, str, XY] = (
    "wsz-s-12",
    "Supermarkt IJsselstein-Oost",
    "supermarkt",
    (132_530.0, 449_300.0),
)
CSV_ITEMS: tuple[Voorziening, ...] = (
    ("ha-1", "Huisartsenpraktijk Cityplaza", "huisartsenpraktijk", (), "BU03562400", (0.0, 0.0)),
    ("ha-2", "Huisartsen Jutphaas", "huisarts", (), "BU03560101", (100.0, -120.0)),
    ("ha-3", "Huisartsenpraktijk Wijkersloot", "huisarts", (), "BU03560103", (80.0, 120.0)),
    ("ha-4", "Huisarts Zuilenstein", "huisarts", (), "BU03560201", (-200.0, 30.0)),
    ("ha-5", "Huisartsen Hagen", "huisarts", (), "BU03560801", (-250.0, -60.0)),
    ("ha-6", "Huisartspraktijk Burgen", "huisartspraktijk", (), "BU03560401", (80.0, -60.0)),
    ("ha-7", "Huisarts Gaarden", "huisarts", (), "BU03560303", (-150.0, -150.0)),
    ("ha-8", "Huisartsen Doorslag", "huisarts", (), "BU03560501", (0.0, 0.0)),
    ("ha-9", "Huisartsenpraktijk Vesten", "huisarts", (), "BU03561001", (0.0, 0.0)),
    ("ha-10", "Huisartsen Vreeswijk", "huisarts", (), "BU03561301", (0.0, 100.0)),
    ("ha-11", "Huisarts Hoogzandveld", "dokter", (), "BU03561101", (-60.0, 120.0)),
    ("gc-1", "Gezondheidscentrum Hoven", "gezondheidscentrum", (), "BU03560802", (120.0, 60.0)),
    ("gc-2", "Medisch Centrum Zuilenstein", "medisch centrum", (), "BU03560202", (150.0, -80.0)),
    ("gc-3", "Gezondheidshuis Fokkesteeg", "gezondheidshuis", (), "BU03561003", (0.0, 0.0)),
)


def _place(
    item: Voorziening, buurten: gpd.GeoDataFrame, streets: NDArray[Any], used: set[XY]
) -> XY:
    """A spot 15 m off the street node nearest to the buurt's middle + offset, inside the buurt
    and clear of every barrier (RD New, 0.1 m)."""
    _, _, _, _, code, (dx, dy) = item
    polygon = buurten.loc[buurten["BU_CODE"] == code].geometry.iloc[0]
    middle = polygon.representative_point()
    target = np.array([middle.x + dx, middle.y + dy])
    order = np.argsort(np.hypot(*(streets - target).T), kind="stable")
    for k in order[:200]:
        x, y = round(float(streets[k, 0]) + 12.0, 1), round(float(streets[k, 1]) + 9.0, 1)
        point = shapely.Point(x, y)
        clear = all(point.distance(b.line) > b.clearance_m + 30 for b in BARRIERS)
        if polygon.buffer(-15.0).contains(point) and clear and (x, y) not in used:
            used.add((x, y))
            return x, y
    raise SystemExit(f"cannot place {item[0]} in {code}")


def make_voorzieningen(
    buurten: gpd.GeoDataFrame, streets: NDArray[Any]
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The GeoJSON collection (lon/lat) and the CSV table (RD New) of synthetic voorzieningen."""
    used: set[XY] = set()
    features: list[dict[str, Any]] = []
    for item in GEOJSON_ITEMS:
        fid, naam, categorie, tags, _, _ = item
        x, y = _place(item, buurten, streets, used)
        lon, lat = TO_WGS84.transform(x, y)
        features.append(_feature(fid, naam, categorie, tags, [round(lon, 6), round(lat, 6)]))
    fid, naam, categorie, tags, _, _ = POLYGON_ITEM
    x, y = _place(POLYGON_ITEM, buurten, streets, used)
    ring = [(x + dx, y + dy) for dx, dy in ((-20, -15), (20, -15), (20, 15), (-20, 15), (-20, -15))]
    lonlat = [[round(c, 6) for c in TO_WGS84.transform(px, py)] for px, py in ring]
    features.append(_feature(fid, naam, categorie, tags, [lonlat], kind="Polygon"))
    fid, naam, categorie, near = ACROSS_BORDER
    streets_outside = streets[
        ~shapely.contains_xy(shapely.union_all(buurten.geometry.values), *streets.T)
    ]
    nearest = streets_outside[np.argmin(np.hypot(*(streets_outside - np.asarray(near)).T))]
    lon, lat = TO_WGS84.transform(nearest[0] + 12.0, nearest[1] + 9.0)
    features.append(_feature(fid, naam, categorie, (), [round(lon, 6), round(lat, 6)]))
    collection = {
        "type": "FeatureCollection",
        "name": "voorzieningen_GM0356_synthetic",
        "features": features,
    }
    rows = []
    for item in CSV_ITEMS:
        x, y = _place(item, buurten, streets, used)
        rows.append({"id": item[0], "naam": item[1] + SUFFIX, "categorie": item[2], "x": x, "y": y})
    return collection, pd.DataFrame(rows)


def _feature(
    fid: str,
    naam: str,
    categorie: str | None,
    tags: Tags,
    coordinates: list[Any],
    *,
    kind: str = "Point",
) -> dict[str, Any]:
    properties = {"id": fid, "naam": naam + SUFFIX, "categorie": categorie, **dict(tags)}
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coordinates},
    }


def write_voorzieningen(
    collection: dict[str, Any], table: pd.DataFrame, geojson_path: Path, csv_path: Path
) -> None:
    """The GeoJSON (one space of indent, UTF-8, a final newline) and the CSV (no index, LF)."""
    geojson_path.write_text(
        json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    table.to_csv(csv_path, index=False, lineterminator="\n")
