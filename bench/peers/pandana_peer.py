"""The pandana peer (AGPL; only with the ``bench`` extra): ``Network`` (contraction hierarchy),
``precompute`` (reported apart), ``set_pois`` + ``nearest_pois(num_pois=1)`` per category.

pandana snaps origins and voorzieningen to the nearest *node*, not edge, so its distances
differ a little from ours; its agreement is reported loosely (median / p95 difference).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bench.harness import best_of, peak_rss
from bench.problem import category_points, graph_arrays


def run(job: dict[str, Any], out: Path) -> dict[str, Any]:
    """pandana's figures on the job; its distances saved as ``out``."""
    import pandana
    import pandas as pd

    result: dict[str, Any] = {"version": getattr(pandana, "__version__", "?")}
    arrays = graph_arrays(job)
    problem = np.load(job["problem"])
    max_distance = float(job["max_distance_m"])
    ox, oy = problem["origin_x"], problem["origin_y"]
    distances = np.full((len(ox), len(job["categories"])), np.inf)

    with peak_rss(result, "peak_rss"):
        network = _network(job, arrays, result)
        start = time.perf_counter()
        origin_node = network.get_node_ids(pd.Series(ox), pd.Series(oy)).to_numpy()
        result["snap_s"] = time.perf_counter() - start
        node_ids = np.asarray(network.node_ids)
        position = np.searchsorted(node_ids, origin_node)

        def six() -> None:
            for k, (name, tx, ty) in enumerate(category_points(job, problem)):
                network.set_pois(
                    category=name,
                    maxdist=max_distance + 1,  # the query's must not exceed it (float32)
                    maxitems=1,
                    x_col=pd.Series(tx),
                    y_col=pd.Series(ty),
                )
                found = network.nearest_pois(
                    max_distance, name, num_pois=1, max_distance=max_distance
                )
                column = found[1].to_numpy(dtype=np.float64)
                distances[:, k] = np.where(column >= max_distance, np.inf, column)[position]

        result["query_s"] = best_of(job["repeats_peers"], six)
    np.savez(out, distance=distances)
    return result


def _network(job: dict[str, Any], arrays: dict[str, NDArray[Any]], result: dict[str, Any]) -> Any:
    """pandana's ``Network`` of the arrays, precomputed; its set-up times into ``result``."""
    import pandana
    import pandas as pd

    start = time.perf_counter()
    network = pandana.Network(
        pd.Series(arrays["node_x"]),
        pd.Series(arrays["node_y"]),
        pd.Series(arrays["edge_u"]),
        pd.Series(arrays["edge_v"]),
        pd.DataFrame({"length": arrays["edge_length"]}),
        twoway=True,
    )
    result["init_s"] = time.perf_counter() - start
    start = time.perf_counter()
    network.precompute(job["pandana_precompute_m"])
    result["precompute_s"] = time.perf_counter() - start
    return network
