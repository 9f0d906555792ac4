"""The street grid: a jittered, rotated lattice in the real buurten, denser or sparser by buurt,
cut by the barriers, thinned out (never disconnected) and tagged, then chained into ways."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import minimum_spanning_tree

from synthetic.barriers import BARRIERS, barrier_free
from synthetic.common import XY, Network, Tags

DENSE, MEDIUM, SPARSE, RURAL = 1, 2, 3, 4
#: Grid line step per class: streets on every lattice line, every second or every fourth.
LINE_STEP = {DENSE: 1, MEDIUM: 2, SPARSE: 2, RURAL: 4}
#: Buurten that are not ordinary residential areas (the rest are DENSE).
BUURT_CLASS = {
    "BU03560600": MEDIUM,  # Huis de Geer: estate and canal-side housing
    "BU03560804": SPARSE,  # Galecopperzoom: green zone along the A12
    "BU03561500": SPARSE,  # Park Oudegein
    "BU03561800": MEDIUM,  # Het Klooster: business park
    "BU03562001": MEDIUM,  # De Liesbosch: business park
    "BU03562002": RURAL,  # Buitengebied Laagraven
    "BU03562100": MEDIUM,  # Plettenburg: business park
    "BU03562200": MEDIUM,  # De Wiers
    "BU03562300": MEDIUM,  # Hoge Landen: sports park and business
}
BUSINESS = {"BU03561800", "BU03562001", "BU03562100", "BU03562300"}
OLD_CORES = {"BU03560101", "BU03561301", "BU03560201", "BU03560202"}  # living streets
CENTRE = {"BU03562400"}
OUTSIDE = "outside"
SPACING_M = 105.0
ROTATION_DEG = 12.0
ORIGIN: XY = (132_000.0, 444_600.0)
#: Lattice lines that carry distributor roads (row j: along x'; column i: along y').
DISTRIBUTOR_ROWS = {7: "tertiary", 16: "tertiary", 25: "secondary", 35: "tertiary", 46: "tertiary",
                    56: "tertiary", 66: "tertiary"}  # fmt: skip
DISTRIBUTOR_COLUMNS = {12: "tertiary", 22: "secondary", 31: "tertiary", 42: "tertiary"}


def _lattice(area: shapely.Polygon, rng: np.random.Generator) -> tuple[NDArray[Any], ...]:
    """Jittered, rotated lattice nodes inside ``area``: (i, j, x, y) arrays."""
    theta = np.radians(ROTATION_DEG)
    u = np.array([np.cos(theta), np.sin(theta)])
    v = np.array([-np.sin(theta), np.cos(theta)])
    n = 90
    grid_i, grid_j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    i, j = grid_i.ravel(), grid_j.ravel()
    jitter = np.clip(rng.normal(0.0, 9.0, size=(len(i), 2)), -20.0, 20.0)
    xy = np.asarray(ORIGIN) + np.outer(i * SPACING_M, u) + np.outer(j * SPACING_M, v) + jitter
    xy = np.round(xy, 1)
    inside = shapely.contains_xy(area, xy[:, 0], xy[:, 1])
    return i[inside], j[inside], xy[inside, 0], xy[inside, 1]


def _node_classes(
    x: NDArray[Any], y: NDArray[Any], buurten: gpd.GeoDataFrame
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Density class and buurt code (or 'outside') of every node."""
    points = shapely.points(x, y)
    tree = shapely.STRtree(buurten.geometry.values)
    point_idx, buurt_idx = tree.query(points, predicate="within")
    codes = np.full(len(x), OUTSIDE, dtype=object)
    codes[point_idx] = buurten["BU_CODE"].to_numpy()[buurt_idx]
    classes = np.array([BUURT_CLASS.get(c, DENSE if c != OUTSIDE else MEDIUM) for c in codes])
    return classes, codes


def street_grid(
    buurten: gpd.GeoDataFrame, area: shapely.Polygon, rng: np.random.Generator
) -> tuple[Network, NDArray[Any], list[tuple[int, int, tuple[str, int], int, str]]]:
    """Lattice nodes and edges cut by the barriers and thinned out; returns the edges with
    (line key, order along the line) so that consecutive edges can be chained into ways."""
    i, j, x, y = _lattice(area, rng)
    classes, codes = _node_classes(x, y, buurten)
    keep = np.ones(len(x), dtype=bool)
    points = shapely.points(x, y)
    for barrier in BARRIERS:
        keep &= shapely.distance(points, barrier.line) > barrier.clearance_m
    index = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(i, j, strict=True)) if keep[k]}
    edges: list[tuple[int, int, tuple[str, int], int]] = []
    for (a, b), k in index.items():
        for di, dj, key in ((1, 0, ("row", b)), (0, 1, ("col", a))):
            other = index.get((a + di, b + dj))
            if other is None:
                continue
            step = LINE_STEP[max(int(classes[k]), int(classes[other]))]
            line_no = b if di else a
            if line_no % step == 0:
                edges.append((k, other, key, a if di else b))
    segments = shapely.linestrings(
        np.stack(
            [
                np.column_stack([x[[e[0] for e in edges]], y[[e[0] for e in edges]]]),
                np.column_stack([x[[e[1] for e in edges]], y[[e[1] for e in edges]]]),
            ],
            axis=1,
        )
    )
    edges = [e for e, free in zip(edges, barrier_free(segments), strict=True) if free]
    edges = _thin_out(edges, classes, len(x), rng)
    network = Network(xy=[(float(a), float(b)) for a, b in zip(x, y, strict=True)])
    tagged = [(a, b, key, order, _edge_kind(a, b, key, classes, codes, rng)) for a, b, key, order
              in edges]  # fmt: skip
    return network, codes, tagged


def _is_distributor(key: tuple[str, int]) -> bool:
    kind, number = key
    return number in (DISTRIBUTOR_ROWS if kind == "row" else DISTRIBUTOR_COLUMNS)


def _thin_out(
    edges: list[tuple[int, int, tuple[str, int], int]],
    classes: NDArray[Any],
    n_nodes: int,
    rng: np.random.Generator,
) -> list[tuple[int, int, tuple[str, int], int]]:
    """Drop some edges (cul-de-sacs, blocks) but never one a random spanning forest needs, so
    every part of the grid stays connected; distributor roads are never dropped."""
    weights = rng.uniform(1.0, 2.0, size=len(edges))
    rows = np.array([e[0] for e in edges])
    cols = np.array([e[1] for e in edges])
    forest = minimum_spanning_tree(
        coo_matrix((weights, (rows, cols)), shape=(n_nodes, n_nodes)).tocsr()
    ).tocoo()
    in_forest = set(zip(forest.row.tolist(), forest.col.tolist(), strict=True))
    drop_probability = {DENSE: 0.14, MEDIUM: 0.2, SPARSE: 0.3, RURAL: 0.1}
    draws = rng.uniform(size=len(edges))
    kept = []
    for edge, draw in zip(edges, draws, strict=True):
        a, b, key, _ = edge
        needed = (a, b) in in_forest or (b, a) in in_forest or _is_distributor(key)
        level = max(int(classes[a]), int(classes[b]))
        if needed or draw >= drop_probability[level]:
            kept.append(edge)
    return kept


def _edge_kind(
    a: int,
    b: int,
    key: tuple[str, int],
    classes: NDArray[Any],
    codes: NDArray[Any],
    rng: np.random.Generator,
) -> str:
    """The highway value of one lattice edge (random draws always made, in the same order)."""
    draw = float(rng.uniform())
    level = max(int(classes[a]), int(classes[b]))
    code = str(codes[a]) if codes[a] != OUTSIDE else str(codes[b])
    if _is_distributor(key) and level in (DENSE, MEDIUM):
        kind, number = key
        return (DISTRIBUTOR_ROWS if kind == "row" else DISTRIBUTOR_COLUMNS)[number]
    if level == RURAL:
        return "track" if draw < 0.4 else "unclassified" if draw < 0.8 else "path"
    if level == SPARSE:
        return "footway" if draw < 0.5 else "path" if draw < 0.8 else "cycleway"
    if level == MEDIUM:
        if code in BUSINESS:
            return "service" if draw < 0.4 else "unclassified" if draw < 0.9 else "cycleway"
        return "residential" if draw < 0.7 else "footway" if draw < 0.9 else "cycleway"
    if code in CENTRE and draw < 0.35:
        return "pedestrian"
    if code in OLD_CORES and draw < 0.45:
        return "living_street"
    if draw < 0.62:
        return "residential"
    if draw < 0.82:
        return "footway"
    if draw < 0.92:
        return "cycleway"
    return "path"


def _tags_for(highway: str) -> Tags:
    if highway in ("tertiary", "secondary"):
        return (("highway", highway), ("sidewalk", "both"))
    return (("highway", highway),)


def chain(
    tagged: list[tuple[int, int, tuple[str, int], int, str]], rng: np.random.Generator
) -> list[tuple[list[int], Tags]]:
    """Consecutive edges along one lattice line with the same tags become one way (of 5 to 15
    edges at most)."""
    ways: list[tuple[list[int], Tags]] = []
    nodes: list[int] = []
    current: tuple[Tags, tuple[str, int]] | None = None
    limit = 0
    for a, b, key, _, highway in sorted(tagged, key=lambda e: (e[2], e[3])):
        tags = _tags_for(highway)
        if nodes and nodes[-1] == a and current == (tags, key) and len(nodes) <= limit:
            nodes.append(b)
            continue
        if current is not None:
            ways.append((nodes, current[0]))
        nodes, current, limit = [a, b], (tags, key), int(rng.integers(5, 16))
    if current is not None:
        ways.append((nodes, current[0]))
    return ways
