"""The walking benchmark's graphs: a tiny synthetic grid, real OSM extracts, and the Delft graph
tiled into a SYNTHETIC graph of about a million nodes; and random points near a graph.

Every graph is a :class:`~geo.network.graph.WalkGraph` (profile ``walk``), so that every tool
of the benchmark gets the same node and edge arrays.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.network.graph import BuildReport, WalkGraph
from geo.network.rules import RULES_VERSION

#: How many bands along a tile's side get a link to the neighbouring tile.
TILE_BANDS = 12


def synthetic_report(nodes: int, edges: int, length_m: float) -> BuildReport:
    """A build report for a graph made from arrays (nothing read, nothing dropped)."""
    return BuildReport(
        profile="walk",
        rules_version=RULES_VERSION,
        ways_read=0,
        ways_walkable=0,
        excluded={},
        blocking_nodes=0,
        blocked_m=0.0,
        components_dropped=0,
        edges_dropped=0,
        dropped_m=0.0,
        nodes=nodes,
        edges=edges,
        walkable_m=length_m,
    )


def graph_from_arrays(
    node_x: NDArray[np.float64],
    node_y: NDArray[np.float64],
    edge_u: NDArray[np.int64],
    edge_v: NDArray[np.int64],
    coords: NDArray[np.float64],
    owner: NDArray[np.int64],
) -> WalkGraph:
    """A :class:`WalkGraph` from node coordinates, edge ends and edge vertex coordinates
    (``owner`` numbers the edge each vertex belongs to; each edge runs from ``u`` to ``v``)."""
    geometry = np.asarray(shapely.linestrings(coords, indices=owner), dtype=object)
    length = shapely.length(geometry)
    report = synthetic_report(len(node_x), len(edge_u), float(length.sum()))
    return WalkGraph("walk", node_x, node_y, edge_u, edge_v, length, geometry, report)


def osm_graph(path: Path) -> tuple[WalkGraph, float]:
    """The walking graph of an OSM extract, and the seconds reading and building it took."""
    graph, seconds, _ = osm_graph_read(path)
    return graph, seconds


def osm_graph_read(path: Path) -> tuple[WalkGraph, float, int]:
    """:func:`osm_graph`, and how many tagged OSM objects the reader took in (for objects/s)."""
    from geo.network.graph import build_graph
    from geo.network.osm import read_osm

    start = time.perf_counter()
    extract = read_osm(path)
    graph = build_graph(extract.ways, extract.node_tags, "walk")
    return graph, time.perf_counter() - start, int(extract.counts["tagged_objects"])


def grid_graph(columns: int, rows: int, spacing_m: float, seed: int) -> WalkGraph:
    """A SYNTHETIC jittered street grid with a diagonal footpath in every third block (RD New,
    near Nieuwegein); tiny, for ``--smoke``."""
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(columns), np.arange(rows), indexing="xy")
    node_x = 134_000.0 + i.ravel() * spacing_m + rng.uniform(-10, 10, i.size)
    node_y = 448_000.0 + j.ravel() * spacing_m + rng.uniform(-10, 10, i.size)
    index = (j * columns + i).ravel()
    right = index[(i < columns - 1).ravel()]
    up = index[(j < rows - 1).ravel()]
    diagonal = index[((i < columns - 1) & (j < rows - 1) & ((i + j) % 3 == 0)).ravel()]
    edge_u = np.concatenate([right, up, diagonal]).astype(np.int64)
    edge_v = np.concatenate([right + 1, up + columns, diagonal + columns + 1]).astype(np.int64)
    coords = np.column_stack(
        [node_x[np.c_[edge_u, edge_v].ravel()], node_y[np.c_[edge_u, edge_v].ravel()]]
    )
    owner = np.repeat(np.arange(len(edge_u)), 2)
    return graph_from_arrays(node_x, node_y, edge_u, edge_v, coords, owner)


def _outermost(
    along: NDArray[np.float64], across: NDArray[np.float64], big: bool
) -> NDArray[np.int64]:
    """Per band along a side, the node furthest out across it (largest or smallest)."""
    bands = np.clip(
        ((along - along.min()) / np.ptp(along) * TILE_BANDS).astype(int), 0, TILE_BANDS - 1
    )
    chosen = []
    for band in np.unique(bands):
        members = np.flatnonzero(bands == band)
        pick = np.argmax(across[members]) if big else np.argmin(across[members])
        chosen.append(members[pick])
    return np.asarray(chosen, dtype=np.int64)


def _tile_links(
    base: WalkGraph, columns: int, rows: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The links between neighbouring tiles (tile t is column t // rows, row t % rows): the
    ends (node numbers in the tiled graph) of each east and north link."""
    n, tiles = base.n_nodes, columns * rows
    ti, tj = np.divmod(np.arange(tiles), rows)
    east, west = (
        _outermost(base.node_y, base.node_x, True),
        _outermost(base.node_y, base.node_x, False),
    )
    north, south = (
        _outermost(base.node_x, base.node_y, True),
        _outermost(base.node_x, base.node_y, False),
    )
    k_ew, k_ns = min(len(east), len(west)), min(len(north), len(south))
    link_u, link_v = [], []
    tile = np.arange(tiles)
    has_east = ti < columns - 1
    has_north = tj < rows - 1
    for a, b in zip(east[:k_ew], west[:k_ew], strict=True):
        link_u.append(tile[has_east] * n + a)
        link_v.append((tile[has_east] + rows) * n + b)
    for a, b in zip(north[:k_ns], south[:k_ns], strict=True):
        link_u.append(tile[has_north] * n + a)
        link_v.append((tile[has_north] + 1) * n + b)
    return np.concatenate(link_u), np.concatenate(link_v)


def tiled_graph(base: WalkGraph, columns: int, rows: int, gap_m: float = 60.0) -> WalkGraph:
    """A SYNTHETIC graph: ``base`` repeated ``columns`` × ``rows`` times side by side (``gap_m``
    apart), each tile joined to its east and north neighbours by short straight links between
    the outermost nodes of 12 bands along the shared side (so the whole is one component)."""
    coords, owner = shapely.get_coordinates(base.edge_geometry, return_index=True)
    x0, y0 = float(base.node_x.min()), float(base.node_y.min())
    width = float(base.node_x.max()) - x0 + gap_m
    height = float(base.node_y.max()) - y0 + gap_m
    n, m = base.n_nodes, base.n_edges
    tiles = columns * rows
    ti, tj = np.divmod(np.arange(tiles), rows)  # tile t is column ti, row tj
    dx, dy = ti * width, tj * height

    node_x = (base.node_x[None, :] + dx[:, None]).ravel()
    node_y = (base.node_y[None, :] + dy[:, None]).ravel()
    shift = (np.arange(tiles) * n)[:, None]
    edge_u = (base.edge_u[None, :] + shift).ravel()
    edge_v = (base.edge_v[None, :] + shift).ravel()
    all_coords = (coords[None, :, :] + np.stack([dx, dy], axis=1)[:, None, :]).reshape(-1, 2)
    all_owner = (owner[None, :] + (np.arange(tiles) * m)[:, None]).ravel()

    lu, lv = _tile_links(base, columns, rows)
    link_coords = np.stack([np.c_[node_x[lu], node_y[lu]], np.c_[node_x[lv], node_y[lv]]], axis=1)
    link_owner = np.repeat(np.arange(len(lu)) + tiles * m, 2)
    return graph_from_arrays(
        node_x,
        node_y,
        np.concatenate([edge_u, lu]).astype(np.int64),
        np.concatenate([edge_v, lv]).astype(np.int64),
        np.concatenate([all_coords, link_coords.reshape(-1, 2)]),
        np.concatenate([all_owner, link_owner]),
    )


def points_near_network(
    graph: WalkGraph, n: int, max_offset_m: float, rng: np.random.Generator
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` random points (RD New) within ``max_offset_m`` of a random spot on the network
    (edges picked in proportion to their length): where residents and voorzieningen are."""
    weights = graph.edge_length / graph.edge_length.sum()
    edge = rng.choice(graph.n_edges, size=n, p=weights)
    on = shapely.line_interpolate_point(graph.edge_geometry[edge], rng.uniform(0, 1, n), True)
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = rng.uniform(0, max_offset_m, n)
    return shapely.get_x(on) + radius * np.cos(angle), shapely.get_y(on) + radius * np.sin(angle)
