"""The cityseer peer (AGPL; only with the ``bench`` extra): ``compute_accessibilities`` (nearest
distance per category per node; it assigns voorzieningen to the network itself); origins read
at their nearest node.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from bench.harness import best_of, peak_rss
from bench.problem import category_points, graph_arrays, load_graph
from geo.network.graph import WalkGraph


def run(job: dict[str, Any], out: Path) -> dict[str, Any]:
    """cityseer's figures on the job; its distances saved as ``out``."""
    import importlib.metadata

    from cityseer import config as cityseer_config
    from cityseer.metrics import layers

    cityseer_config.QUIET_MODE = True
    result: dict[str, Any] = {"version": importlib.metadata.version("cityseer")}
    arrays = graph_arrays(job)
    graph = load_graph(job)
    problem = np.load(job["problem"])
    ox, oy = problem["origin_x"], problem["origin_y"]
    max_distance = math.ceil(job["max_distance_m"])

    with peak_rss(result, "peak_rss"):
        start = time.perf_counter()
        structure, nodes = _structure(arrays, graph)
        data = _voorzieningen(job, problem)
        result["init_s"] = time.perf_counter() - start
        start = time.perf_counter()
        origin_node = _nearest_node(arrays["node_x"], arrays["node_y"], ox, oy)
        result["snap_s"] = time.perf_counter() - start
        answer: dict[str, Any] = {}

        def compute() -> None:
            answer["frame"] = layers.compute_accessibilities(
                data,
                landuse_column_label="category",
                accessibility_keys=list(job["categories"]),
                nodes_gdf=nodes.copy(),
                network_structure=structure,
                max_netw_assign_dist=job["snap_limit_m"],
                distances=[max_distance],
            )

        result["query_s"] = best_of(job["repeats_peers"], compute)
    frame = answer["frame"]
    distances = np.full((len(ox), len(job["categories"])), np.inf)
    for k, name in enumerate(job["categories"]):
        column = next(c for c in frame.columns if c.startswith(f"cc_{name}_nearest_max"))
        values = frame[column].to_numpy(dtype=np.float64)
        distances[:, k] = np.where(np.isfinite(values), values, np.inf)[origin_node]
    np.savez(out, distance=distances)
    return result


def _structure(arrays: dict[str, NDArray[Any]], graph: WalkGraph) -> tuple[Any, Any]:
    """cityseer's ``NetworkStructure`` of the graph (edges in both directions, each geometry
    running from its start node, as cityseer's own ``network_structure_from_nx`` does) and its
    nodes as a GeoDataFrame."""
    import geopandas as gpd
    from cityseer import rustalgos

    structure = rustalgos.graph.NetworkStructure()
    keys = [str(i) for i in range(len(arrays["node_x"]))]
    for key, x, y in zip(keys, arrays["node_x"].tolist(), arrays["node_y"].tolist(), strict=True):
        structure.add_street_node(key, x, y, True, 1.0)
    forward = shapely.to_wkt(graph.edge_geometry, rounding_precision=3)
    backward = shapely.to_wkt(shapely.reverse(graph.edge_geometry), rounding_precision=3)
    for e, (a, b) in enumerate(
        zip(arrays["edge_u"].tolist(), arrays["edge_v"].tolist(), strict=True)
    ):
        structure.add_street_edge(a, b, e, keys[a], keys[b], forward[e], 1.0)
        structure.add_street_edge(b, a, e, keys[b], keys[a], backward[e], 1.0)
    structure.validate()
    structure.build_edge_rtree()
    nodes = gpd.GeoDataFrame(
        index=keys, geometry=shapely.points(arrays["node_x"], arrays["node_y"])
    )
    return structure, nodes


def _voorzieningen(job: dict[str, Any], problem: Any) -> Any:
    """Every category's voorzieningen in one GeoDataFrame with a ``category`` column."""
    import geopandas as gpd

    frames = [
        gpd.GeoDataFrame({"category": [name] * len(tx)}, geometry=shapely.points(tx, ty))
        for name, tx, ty in category_points(job, problem)
    ]
    data = gpd.GeoDataFrame(gpd.pd.concat(frames, ignore_index=True), geometry="geometry", crs=None)
    data.index = data.index.astype(str)
    return data


def _nearest_node(
    node_x: NDArray[np.float64],
    node_y: NDArray[np.float64],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
) -> NDArray[np.int64]:
    from scipy.spatial import cKDTree

    nearest: NDArray[np.int64] = cKDTree(np.c_[node_x, node_y]).query(np.c_[x, y])[1]
    return nearest.astype(np.int64)
