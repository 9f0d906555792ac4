"""The whole street network (the grid, its crossings, the special ways, the barriers) and the
OSM PBF file it is written as."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import osmium
import shapely
from numpy.typing import NDArray
from osmium.osm.mutable import Node, Way
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from synthetic.barriers import BARRIER_BY_NAME, barrier_ways
from synthetic.common import SEED, TO_WGS84, Network, Tags
from synthetic.crossings import crossing_ways
from synthetic.lattice import chain, street_grid
from synthetic.special_ways import apply_special

BUFFER_M = 250.0  # the network reaches this far beyond the municipal border


def build_network(buurten: gpd.GeoDataFrame) -> tuple[Network, list[tuple[list[int], Tags]]]:
    """The synthetic street network: nodes in RD New and ways with their tags."""
    rng = np.random.default_rng(SEED)
    outline = shapely.union_all(buurten.geometry.values)
    south_of_lek = shapely.Polygon(
        [*BARRIER_BY_NAME["Lek"].coords, (137_600.0, 440_000.0), (132_900.0, 440_000.0)]
    )
    area = shapely.difference(outline.buffer(BUFFER_M), south_of_lek)
    network, _, tagged = street_grid(buurten, area, rng)
    ways = chain(tagged, rng)
    ways.extend(crossing_ways(network, {n for w in ways for n in w[0]}))
    component = _largest_component(network, ways)
    ways = [w for w in ways if w[0][0] in component]
    apply_special(network, ways)
    ways.extend(barrier_ways(network, shapely.box(*area.buffer(300.0).bounds)))
    return network, ways


def _largest_component(network: Network, ways: list[tuple[list[int], Tags]]) -> set[int]:
    pairs = np.array([(w[0][k], w[0][k + 1]) for w in ways for k in range(len(w[0]) - 1)])
    n = len(network.xy)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    used = np.unique(pairs)
    biggest = Counter(labels[used].tolist()).most_common(1)[0][0]
    return {int(k) for k in used if labels[k] == biggest}


def write_osm(network: Network, ways: list[tuple[list[int], Tags]], path: Path) -> None:
    """Write the network as OSM PBF (no metadata); ids are 1, 2, ... in order of first use."""
    used: dict[int, int] = {}
    for nodes, _ in ways:
        for n in nodes:
            used.setdefault(n, len(used) + 1)
    order = sorted(used, key=used.__getitem__)
    xy = np.asarray(network.xy)[order]
    lon, lat = TO_WGS84.transform(xy[:, 0], xy[:, 1])
    lon, lat = np.round(lon, 7), np.round(lat, 7)
    header = osmium.io.Header()
    header.set("generator", "woonservicezones data/sample/make_synthetic.py (SYNTHETIC data)")
    header.add_box(
        osmium.osm.Box(
            osmium.osm.Location(float(lon.min()), float(lat.min())),
            osmium.osm.Location(float(lon.max()), float(lat.max())),
        )
    )
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(osmium.io.File(str(path), "pbf,add_metadata=false"), header=header)
    try:
        for new_id, (lo, la) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True), start=1):
            writer.add_node(Node(id=new_id, location=(lo, la), tags={}))
        for way_id, (nodes, tags) in enumerate(ways, start=1):
            writer.add_way(Way(id=way_id, nodes=[used[n] for n in nodes], tags=dict(tags)))
    finally:
        writer.close()


def street_points(network: Network, ways: list[tuple[list[int], Tags]]) -> NDArray[Any]:
    """RD New coordinates of every node on a street (not a motorway, not a waterway), in node
    order: where voorzieningen may be placed beside."""
    street_nodes = {n for nodes, tags in ways if "highway" in dict(tags) for n in nodes}
    street_nodes -= {n for nodes, tags in ways if dict(tags).get("highway") == "motorway"
                     for n in nodes}  # fmt: skip
    return np.asarray(network.xy)[sorted(street_nodes)]
