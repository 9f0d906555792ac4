"""Read an OpenStreetMap extract (``.osm.pbf`` or ``.osm`` XML) with pyosmium, in one pass.

What the network stage and the rest of :mod:`geo` need from an extract, converted to RD New
(EPSG:28992, metres) once, here:

* highway ways as flat vertex arrays (node id, x, y per vertex; one tag dict per way), the input
  of :mod:`geo.network.graph`;
* tags of barrier/kerb nodes (the walk rules may block a way at such a node);
* buildings (polygons with ``building``, ``building:levels``, ``addr:*``), for placing residents;
* points of interest: nodes and areas with the keys voorzieningen are tagged with (``amenity``,
  ``shop``, ``healthcare``, ``social_facility``), as points on their surface;
* addresses (``addr:street``, ``addr:housenumber``, ``addr:postcode``) on nodes and buildings.

Only tagged objects reach Python (pyosmium's C++ ``KeyFilter``); node locations for ways are
cached in C++ (``with_locations``). Vertices whose node is missing from the extract (ways cut at
its edge) are dropped and the way is broken there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.common.files import sha256_file
from geo.crs import WORKING_CRS, lonlat_to_rd
from geo.errors import ReadError

#: Keys of ways that make the walking network.
WAY_KEYS = ("highway",)
#: Tags kept on highway ways (everything the walk rules read).
WAY_TAGS = (
    "highway",
    "foot",
    "access",
    "sidewalk",
    "area",
    "wheelchair",
    "incline",
    "bridge",
    "tunnel",
    "name",
)
#: Tags kept on nodes that may block a way (barriers, kerbs).
NODE_TAGS = ("barrier", "kerb", "foot", "access", "wheelchair")
#: Keys that make an object a candidate voorziening (matched later against the vocabulary).
POI_KEYS = ("amenity", "shop", "healthcare", "social_facility")
#: Tags kept on points of interest.
POI_TAGS = (
    *POI_KEYS,
    "name",
    "opening_hours",
    "addr:street",
    "addr:housenumber",
    "addr:postcode",
    "addr:city",
)
ADDRESS_TAGS = ("addr:street", "addr:housenumber", "addr:postcode", "addr:city")
BUILDING_TAGS = ("building", "building:levels", "amenity", "shop", "office", *ADDRESS_TAGS)
OSM_SUFFIXES = (".osm", ".pbf", ".osm.pbf", ".xml", ".osm.bz2", ".osm.gz")


def is_osm_file(path: Path) -> bool:
    """True for file names pyosmium reads (``.osm``, ``.osm.pbf``, ``.pbf``, ...)."""
    name = Path(path).name.lower()
    return name.endswith(OSM_SUFFIXES)


@dataclass(frozen=True)
class HighwayWays:
    """Highway ways as flat arrays: way ``i`` has vertices ``offsets[i]:offsets[i + 1]``.

    ``x``/``y`` are RD New metres; ``node_id`` the OSM node id of each vertex.
    """

    way_id: NDArray[np.int64]
    tags: tuple[dict[str, str], ...]
    offsets: NDArray[np.int64]
    node_id: NDArray[np.int64]
    x: NDArray[np.float64]
    y: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.way_id)

    @property
    def vertex_way(self) -> NDArray[np.int64]:
        """Index of the way each vertex belongs to."""
        return np.repeat(np.arange(len(self.way_id)), np.diff(self.offsets))


@dataclass(frozen=True)
class OsmExtract:
    """Everything read from one extract; geometry in RD New (EPSG:28992)."""

    path: Path
    sha256: str
    #: The extract's area in RD New (minx, miny, maxx, maxy): the header's box, else the data's.
    bounds: tuple[float, float, float, float]
    ways: HighwayWays
    node_tags: dict[int, dict[str, str]]
    buildings: gpd.GeoDataFrame
    pois: gpd.GeoDataFrame
    addresses: gpd.GeoDataFrame
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def bounds_polygon(self) -> shapely.Polygon:
        """The extract's area as a polygon in RD New."""
        return shapely.box(*self.bounds)


class _Collector:
    """Accumulates tagged objects from one pass over the file (Python lists, then arrays)."""

    def __init__(self) -> None:
        self.way_ids: list[int] = []
        self.way_tags: list[dict[str, str]] = []
        self.way_lengths: list[int] = []
        self.node_ids: list[int] = []
        self.lons: list[float] = []
        self.lats: list[float] = []
        self.node_tags: dict[int, dict[str, str]] = {}
        self.building_wkb: list[bytes] = []
        self.building_tags: list[dict[str, str]] = []
        self.poi_wkb: list[bytes] = []
        self.poi_rows: list[dict[str, str]] = []
        self.address_lonlat: list[tuple[float, float]] = []
        self.address_rows: list[dict[str, str]] = []
        self.objects = 0
        self.dropped_vertices = 0
        self.wkb = osmium.geom.WKBFactory()

    def node(self, node: osmium.osm.Node) -> None:
        tags = node.tags
        if any(key in tags for key in NODE_TAGS[:2]):
            self.node_tags[node.id] = _pick(tags, NODE_TAGS)
        if not node.location.valid():
            return
        if any(key in tags for key in POI_KEYS):
            self.poi_wkb.append(bytes.fromhex(self.wkb.create_point(node)))
            self.poi_rows.append({"osm_id": f"node/{node.id}", **_pick(tags, POI_TAGS)})
        if "addr:housenumber" in tags:
            self.address_lonlat.append((node.location.lon, node.location.lat))
            self.address_rows.append({"osm_id": f"node/{node.id}", **_pick(tags, ADDRESS_TAGS)})

    def way(self, way: osmium.osm.Way) -> None:
        if "highway" not in way.tags:
            return
        tags = _pick(way.tags, WAY_TAGS)
        run: list[osmium.osm.NodeRef] = []
        for ref in way.nodes:
            if ref.location.valid():
                run.append(ref)
                continue
            self.dropped_vertices += 1
            self._add_run(way.id, tags, run)
            run = []
        self._add_run(way.id, tags, run)

    def _add_run(self, way_id: int, tags: dict[str, str], run: list[osmium.osm.NodeRef]) -> None:
        if len(run) < 2:
            return
        self.way_ids.append(way_id)
        self.way_tags.append(tags)
        self.way_lengths.append(len(run))
        self.node_ids.extend(ref.ref for ref in run)
        self.lons.extend(ref.location.lon for ref in run)
        self.lats.extend(ref.location.lat for ref in run)

    def area(self, area: osmium.osm.Area) -> None:
        tags = area.tags
        is_building = "building" in tags and tags["building"] != "no"
        is_poi = any(key in tags for key in POI_KEYS)
        if not (is_building or is_poi):
            return
        try:
            wkb = bytes.fromhex(self.wkb.create_multipolygon(area))
        except RuntimeError:  # broken ring in the data: skip the area, as osmium does
            return
        kind = "way" if area.from_way() else "relation"
        osm_id = f"{kind}/{area.orig_id()}"
        if is_building:
            self.building_wkb.append(wkb)
            self.building_tags.append({"osm_id": osm_id, **_pick(tags, BUILDING_TAGS)})
        if is_poi:
            self.poi_wkb.append(wkb)
            self.poi_rows.append({"osm_id": osm_id, **_pick(tags, POI_TAGS)})
        if is_building and "addr:housenumber" in tags:
            self.address_rows.append({"osm_id": osm_id, **_pick(tags, ADDRESS_TAGS)})
            self.address_lonlat.append((np.nan, np.nan))  # placed on the building below
            self.building_tags[-1]["_address"] = str(len(self.address_rows) - 1)


def _pick(tags: osmium.osm.TagList, keys: tuple[str, ...]) -> dict[str, str]:
    return {key: tags[key] for key in keys if key in tags}


#: How often (in tagged objects read) :func:`read_osm` reports its progress.
PROGRESS_EVERY = 20_000


def read_osm(path: Path, *, on_objects: Callable[[int], None] | None = None) -> OsmExtract:
    """Read an OSM extract into RD New arrays and frames.

    ``on_objects`` is called with the number of tagged objects read so far, every
    :data:`PROGRESS_EVERY` objects and once at the end (for a progress bar). Raises
    :class:`~geo.errors.ReadError` for a missing, empty, truncated or non-OSM file, and for an
    extract without any highway way.
    """
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty; expected an OSM extract (.osm.pbf or .osm)")
    collector = _Collector()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(osmium.filter.KeyFilter("building", *POI_KEYS))
        .with_filter(
            osmium.filter.KeyFilter(
                *WAY_KEYS, *NODE_TAGS[:2], *POI_KEYS, "building", "addr:housenumber"
            )
        )
    )
    try:
        header_box = read_header_box(path)
        for obj in processor:
            collector.objects += 1
            if on_objects is not None and collector.objects % PROGRESS_EVERY == 0:
                on_objects(collector.objects)
            if isinstance(obj, osmium.osm.Node):
                collector.node(obj)
            elif isinstance(obj, osmium.osm.Way):
                collector.way(obj)
            elif isinstance(obj, osmium.osm.Area):
                collector.area(obj)
    except RuntimeError as exc:  # libosmium: truncated PBF, XML parse error, unknown format
        raise ReadError(
            f"{path}: not a readable OSM extract (.osm.pbf or .osm XML): {exc}"
        ) from exc
    if on_objects is not None:
        on_objects(collector.objects)
    if not collector.way_ids:
        raise ReadError(
            f"{path}: holds no highway ways ({collector.objects} tagged objects read); "
            "is it an OSM extract of a built-up area?"
        )
    return _assemble(path, collector, header_box)


def read_header_box(path: Path) -> tuple[float, float, float, float] | None:
    """The extract's header box (min lon, min lat, max lon, max lat; WGS84), None when the
    header states none; :class:`ReadError` for a file libosmium cannot open."""
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    except RuntimeError as exc:
        raise ReadError(
            f"{path}: not a readable OSM extract (.osm.pbf or .osm XML): {exc}"
        ) from exc
    try:
        box = reader.header().box()
    finally:
        reader.close()
    if not box.valid():
        return None
    return (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)


def _assemble(
    path: Path, c: _Collector, header_box: tuple[float, float, float, float] | None
) -> OsmExtract:
    x, y = lonlat_to_rd(np.asarray(c.lons), np.asarray(c.lats))
    ways = HighwayWays(
        way_id=np.asarray(c.way_ids, dtype=np.int64),
        tags=tuple(c.way_tags),
        offsets=np.concatenate([[0], np.cumsum(c.way_lengths)]).astype(np.int64),
        node_id=np.asarray(c.node_ids, dtype=np.int64),
        x=x,
        y=y,
    )
    buildings = _frame_from_wkb(c.building_wkb, c.building_tags)
    pois = _frame_from_wkb(c.poi_wkb, c.poi_rows)
    addresses = _addresses(c, buildings)
    buildings = buildings.drop(columns="_address", errors="ignore")
    if header_box is not None:
        bx, by = lonlat_to_rd(
            np.array([header_box[0], header_box[2]]), np.array([header_box[1], header_box[3]])
        )
        bounds = (float(bx.min()), float(by.min()), float(bx.max()), float(by.max()))
    else:
        bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    counts = {
        "tagged_objects": c.objects,
        "highway_ways": len(set(c.way_ids)),
        "vertices": len(c.node_ids),
        "vertices_missing": c.dropped_vertices,
        "buildings": len(buildings),
        "pois": len(pois),
        "addresses": len(addresses),
    }
    return OsmExtract(
        path=path,
        sha256=sha256_file(path),
        bounds=bounds,
        ways=ways,
        node_tags=c.node_tags,
        buildings=buildings,
        pois=pois,
        addresses=addresses,
        counts=counts,
    )


def _frame_from_wkb(wkb: list[bytes], rows: list[dict[str, str]]) -> gpd.GeoDataFrame:
    """WGS84 WKB + tag rows → a frame in RD New (one reprojection for all)."""
    geometry = gpd.GeoSeries(shapely.from_wkb(np.asarray(wkb, dtype=object)), crs="EPSG:4326")
    frame = gpd.GeoDataFrame(pd.DataFrame(rows, dtype="string"), geometry=geometry)
    if frame.empty:
        return frame.set_crs(WORKING_CRS, allow_override=True)
    return frame.to_crs(WORKING_CRS)


def _addresses(c: _Collector, buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Address points: node addresses where they are, building addresses on the building."""
    lonlat = np.asarray(c.address_lonlat, dtype=float).reshape(-1, 2)
    x, y = lonlat_to_rd(lonlat[:, 0], lonlat[:, 1])
    points = shapely.points(x, y)
    if "_address" in buildings:
        on_building = buildings["_address"].notna()
        rows = buildings.loc[on_building, "_address"].astype(int).to_numpy()
        points[rows] = shapely.point_on_surface(buildings.geometry[on_building].to_numpy())
    frame = pd.DataFrame(c.address_rows, columns=["osm_id", *ADDRESS_TAGS], dtype="string")
    return gpd.GeoDataFrame(frame, geometry=points, crs=WORKING_CRS)
