"""Generate the SYNTHETIC sample for gemeente GM0356 (modelled on Nieuwegein).

This is NOT real CBS or OpenStreetMap data. It exists so that the demo and the tests can run
before real data is placed in the data path (see ../README.md). The files use the real
formats and column names:

* ``buurten_GM0356_synthetic.gpkg`` — layer ``buurten`` in the column layout of CBS's
  Wijk- en Buurtkaart GeoPackage (2022 and later: ``buurtcode``, ``aantal_inwoners``,
  ``percentage_personen_65_jaar_en_ouder``, ...), EPSG:28992, with CBS's negative
  "secret / not applicable" sentinels where CBS would put them (a water buurt, a business park).
* ``voorzieningen_GM0356_synthetic.geojson`` — RFC 7946 (lon/lat) points and one polygon, with a
  ``categorie`` column for most features and OpenStreetMap tags for others.
* ``huisartsen_GM0356_synthetic.csv`` — practices with RD New ``x``/``y`` columns.

Buurt shapes are Voronoi cells around invented seed points, clipped to an invented outline;
names are Nieuwegein's wijk and buurt names but boundaries, codes and numbers are made up.
Run ``python data/sample/make_synthetic.py`` to regenerate (deterministic).
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

HERE = Path(__file__).resolve().parent
GM_CODE, GM_NAAM = "GM0356", "Nieuwegein"
SECRET, NOT_APPLICABLE = -99999997, -99999999
TO_WGS84 = Transformer.from_crs(28992, 4326, always_xy=True)

# (wijk number, wijk name, centre offset in metres from the town centre, buurten)
# buurten: (name, seed offset from wijk centre, residents, % 65+)
Buurt = tuple[str, tuple[float, float], int, float]
WIJKEN: list[tuple[str, str, tuple[float, float], list[Buurt]]] = [
    (
        "01",
        "Jutphaas-Wijkersloot",
        (-300, 2300),
        [
            ("Jutphaas", (-400, 200), 3120, 24.0),
            ("Wijkersloot", (450, 150), 4210, 19.0),
            ("Rijnhuizen", (0, -500), 1740, 16.0),
        ],
    ),
    (
        "02",
        "Zuilenstein",
        (-1900, 1100),
        [
            ("Zuilenstein-Noord", (0, 450), 2890, 21.0),
            ("Zuilenstein-Zuid", (100, -450), 3050, 27.0),
            ("Huis de Geer", (650, 0), 2460, 31.0),
        ],
    ),
    (
        "03",
        "Batau",
        (1500, 1000),
        [
            ("Batau-Noord", (0, 400), 4380, 22.0),
            ("Batau-Zuid", (0, -400), 4020, 18.0),
        ],
    ),
    (
        "04",
        "Centrum en Doorslag",
        (0, 0),
        [
            ("Centrum", (0, 0), 2310, 29.0),
            ("Doorslag", (-700, -100), 3670, 26.0),
            ("Fokkesteeg", (650, -250), 2980, 20.0),
        ],
    ),
    (
        "05",
        "Galecop",
        (-2500, -700),
        [
            ("Galecop-Noord", (0, 400), 3340, 15.0),
            ("Galecop-Zuid", (0, -400), 3110, 17.0),
        ],
    ),
    (
        "06",
        "Hoog Zandveld en Merwestein",
        (1900, -900),
        [
            ("Hoog Zandveld", (-300, 300), 3560, 23.0),
            ("Merwestein", (300, -300), 3890, 28.0),
            ("Lekboulevard", (800, 300), 1460, 33.0),
        ],
    ),
    (
        "07",
        "Vreeswijk",
        (-200, -2300),
        [
            ("Vreeswijk-Oud", (0, 300), 2650, 30.0),
            ("De Wiers", (-700, -100), 3020, 24.0),
            ("Vreeswijk-Oost", (700, -100), 1980, 21.0),
            ("Lek", (0, -800), NOT_APPLICABLE, NOT_APPLICABLE),  # water buurt, no residents
        ],
    ),
    (
        "08",
        "Bedrijventerreinen",
        (-2600, 1800),
        [
            ("Plettenburg", (-300, 300), 0, NOT_APPLICABLE),
            ("Laagraven", (300, -300), SECRET, SECRET),  # too few residents: secret
        ],
    ),
]


def town_centre_rd() -> tuple[float, float]:
    """Town centre (City Plaza, Nieuwegein) in RD New metres, rounded."""
    x, y = Transformer.from_crs(4326, 28992, always_xy=True).transform(5.0918, 52.0292)
    return round(x, -1), round(y, -1)


def make_buurten() -> gpd.GeoDataFrame:
    cx, cy = town_centre_rd()
    rows, seeds = [], []
    for wk_nr, wk_naam, (wx, wy), buurten in WIJKEN:
        for bu_nr, (naam, (bx, by), inw, p65) in enumerate(buurten, start=1):
            rows.append(
                {
                    "buurtcode": f"BU0356{wk_nr}{bu_nr:02d}",
                    "buurtnaam": naam,
                    "wijkcode": f"WK0356{wk_nr}",
                    "wijknaam": wk_naam,
                    "gemeentecode": GM_CODE,
                    "gemeentenaam": GM_NAAM,
                    "water": "JA" if naam == "Lek" else "NEE",
                    "aantal_inwoners": inw,
                    "percentage_personen_65_jaar_en_ouder": p65,
                }
            )
            seeds.append((cx + wx + bx, cy + wy + by))
    seed_points = shapely.points(np.array(seeds))
    outline = shapely.Polygon(
        [
            (cx - 3600, cy + 2700),
            (cx - 1000, cy + 3400),
            (cx + 900, cy + 3100),
            (cx + 2900, cy + 1600),
            (cx + 3300, cy - 1300),
            (cx + 1800, cy - 3300),
            (cx - 1400, cy - 3400),
            (cx - 3500, cy - 1600),
        ]
    )
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seed_points), extend_to=outline.buffer(2000))
    )
    # voronoi_polygons does not keep input order: match each cell to the seed it contains.
    tree = shapely.STRtree(cells)
    seed_idx, cell_idx = tree.query(seed_points, predicate="within")
    order = cell_idx[np.argsort(seed_idx)]
    geoms = shapely.intersection(cells[order], outline)
    geoms = shapely.set_precision(geoms, 0.001)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs="EPSG:28992")
    frame["oppervlakte_totaal_in_ha"] = (frame.area / 10_000).round().astype(int)
    return frame


def _at(buurten: gpd.GeoDataFrame, code: str, dx: float, dy: float) -> tuple[float, float]:
    point = buurten.loc[buurten["buurtcode"] == code].geometry.iloc[0].representative_point()
    return point.x + dx, point.y + dy


def make_voorzieningen(buurten: gpd.GeoDataFrame) -> tuple[dict, pd.DataFrame]:
    """Points placed relative to buurten, so they stay inside when shapes are regenerated."""
    at = lambda code, dx=0.0, dy=0.0: _at(buurten, code, dx, dy)  # noqa: E731
    features = [
        # (id, naam, categorie or None, OSM tags, RD location)
        ("wsz-o-1", "Buurthuis De Schakel", "buurthuis", {}, at("BU03560401", 80, 40)),
        ("wsz-o-2", "Ontmoetingsplek Zuilenstein", "ontmoetingsplek", {}, at("BU03560202")),
        ("wsz-o-3", "Huiskamer van Batau", "huiskamer", {}, at("BU03560301", -150, 0)),
        ("wsz-o-4", "De Wiers Ontmoet", "ontmoetingsplek", {}, at("BU03560702", 100, 50)),
        (
            "osm-n101",
            "Wijkcentrum Galecop",
            None,
            {"amenity": "community_centre"},
            at("BU03560501"),
        ),
        ("wsz-w-1", "Steunpunt Centrum", "steunpunt", {}, at("BU03560401", -60, -90)),
        ("wsz-w-2", "Wijksteunpunt Jutphaas", "wijksteunpunt", {}, at("BU03560101")),
        ("wsz-w-3", "Dienstencentrum Merwestein", "Dienstencentrum", {}, at("BU03560602")),
        ("wsz-a-1", "Apotheek Centrum", "apotheek", {}, at("BU03560401", 120, -60)),
        ("osm-n201", "Apotheek Batau", None, {"amenity": "pharmacy"}, at("BU03560302")),
        ("wsz-a-3", "Apotheek Vreeswijk", "Apotheek", {}, at("BU03560701", 50, 0)),
        ("wsz-s-1", "Supermarkt Cityplaza", "supermarkt", {}, at("BU03560401", 0, 120)),
        ("wsz-s-2", "Supermarkt Wijkersloot", "supermarkt", {}, at("BU03560102")),
        (
            "osm-n301",
            "Supermarkt Zuilenstein",
            None,
            {"shop": "supermarket"},
            at("BU03560201", 100, -100),
        ),
        ("wsz-s-4", "Buurtsuper Galecop", "buurtsuper", {}, at("BU03560502")),
        ("wsz-s-5", "Supermarkt Vreeswijk", "supermarkt", {}, at("BU03560703")),
        ("wsz-s-6", "Supermarkt Batau", "supermarkt", {}, at("BU03560301", 200, -200)),
        (
            "wsz-g-1",
            "Gezondheidscentrum Merwestein",
            "gezondheidscentrum",
            {},
            at("BU03560602", -100, 80),
        ),
        # Across the municipal border, towards IJsselstein: kept and reported as outside zones.
        ("wsz-s-7", "Supermarkt over de grens", "supermarkt", {}, at("BU03560502", -1400, -600)),
    ]
    geojson_features = []
    for fid, naam, categorie, tags, (x, y) in features:
        lon, lat = TO_WGS84.transform(x, y)
        props = {"id": fid, "naam": naam, "categorie": categorie, **tags}
        geometry: dict = {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}
        geojson_features.append({"type": "Feature", "properties": props, "geometry": geometry})
    # One voorziening drawn as a building outline (as OSM often has them): a polygon.
    x, y = at("BU03560601", 60, 60)
    ring = [
        (x - 20, y - 15),
        (x + 20, y - 15),
        (x + 20, y + 15),
        (x - 20, y + 15),
        (x - 20, y - 15),
    ]
    lonlat = [[round(c, 7) for c in TO_WGS84.transform(px, py)] for px, py in ring]
    geojson_features.append(
        {
            "type": "Feature",
            "properties": {
                "id": "osm-w401",
                "naam": "Ontmoetingscentrum Hoog Zandveld",
                "categorie": None,
                "amenity": "community_centre",
            },
            "geometry": {"type": "Polygon", "coordinates": [lonlat]},
        }
    )
    collection = {
        "type": "FeatureCollection",
        "name": "voorzieningen_GM0356_synthetic",
        "features": geojson_features,
    }
    practices = [
        ("ha-1", "Huisartsenpraktijk Cityplaza", "huisartsenpraktijk", at("BU03560401", -100, 60)),
        ("ha-2", "Huisartsen Jutphaas", "huisarts", at("BU03560101", 120, 100)),
        ("ha-3", "Huisartsenpraktijk Batau", "huisarts", at("BU03560301", 60, -120)),
        ("ha-4", "Huisarts Zuilenstein", "huisarts", at("BU03560202", 90, 40)),
        ("ha-5", "Huisartsen Vreeswijk", "huisarts", at("BU03560701", -80, 30)),
        ("ha-6", "Huisartspraktijk Merwestein", "huisartspraktijk", at("BU03560602", 40, -60)),
        ("gc-1", "Gezondheidscentrum Galecop", "gezondheidscentrum", at("BU03560501", 80, -40)),
        ("gc-2", "Medisch Centrum Batau", "medisch centrum", at("BU03560302", -90, 90)),
    ]
    csv = pd.DataFrame(
        [
            {"id": i, "naam": n, "categorie": c, "x": round(x, 1), "y": round(y, 1)}
            for i, n, c, (x, y) in practices
        ]
    )
    return collection, csv


def main() -> None:
    buurten = make_buurten()
    buurten.to_file(
        HERE / "buurten_GM0356_synthetic.gpkg", layer="buurten", driver="GPKG", engine="pyogrio"
    )
    collection, csv = make_voorzieningen(buurten)
    (HERE / "voorzieningen_GM0356_synthetic.geojson").write_text(
        json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    csv.to_csv(HERE / "huisartsen_GM0356_synthetic.csv", index=False)
    print(f"{len(buurten)} buurten, {len(collection['features'])} + {len(csv)} voorzieningen")


if __name__ == "__main__":
    main()
