"""Benchmark: straight-line coverage on the sample and on a scaled-up synthetic case.

Prints timings (best of N) and ratios against peers on the same input: geopandas'
``sjoin_nearest`` (the usual notebook way) and a NumPy brute-force distance matrix. Run with
``make bench``; compare the figures between commits to see regressions. Not part of the tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/coverage_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.harness import SHARED_DATA, best_of  # noqa: E402
from geo.coverage.distance import StraightLineDistance  # noqa: E402
from geo.crs import WORKING_CRS  # noqa: E402
from geo.errors import DataQualityWarning  # noqa: E402
from geo.pipeline import analyse, run_import  # noqa: E402
from geo.settings import SAMPLE_DIR, Settings  # noqa: E402
from geo.store.geopackage import GeoPackageStore  # noqa: E402
from geo.store.request import ImportRequest  # noqa: E402

#: The sample's files: its real CBS buurten in ../shared/data, the rest in data/sample.
DATA_PATH = [SHARED_DATA, SAMPLE_DIR]


def random_points(n: int, seed: int) -> np.ndarray:
    """``n`` points spread over a 10 × 10 km square in RD New (around Nieuwegein)."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform((130_000, 443_000), (140_000, 453_000), size=(n, 2))
    points: np.ndarray = shapely.points(xy)
    return points


def bench_nearest(n_origins: int, n_targets: int, repeats: int) -> None:
    origins, targets = random_points(n_origins, 1), random_points(n_targets, 2)
    ours = StraightLineDistance()
    t_ours = best_of(repeats, lambda: ours.nearest(origins, targets))
    left = gpd.GeoDataFrame(geometry=origins, crs=WORKING_CRS)
    right = gpd.GeoDataFrame(geometry=targets, crs=WORKING_CRS)
    t_sjoin = best_of(repeats, lambda: gpd.sjoin_nearest(left, right, distance_col="d"))
    line = (
        f"nearest  {n_origins:>8,} origins × {n_targets:>6,} targets  "
        f"ours {1000 * t_ours:8.1f} ms  sjoin_nearest {1000 * t_sjoin:8.1f} ms "
        f"(×{t_sjoin / t_ours:5.1f})"
    )
    if n_origins * n_targets <= 50_000_000:
        ox, oy = shapely.get_x(origins), shapely.get_y(origins)
        tx, ty = shapely.get_x(targets), shapely.get_y(targets)

        def brute() -> object:
            return np.hypot(ox[:, None] - tx[None, :], oy[:, None] - ty[None, :]).min(axis=1)

        t_brute = best_of(repeats, brute)
        line += f"  brute force {1000 * t_brute:8.1f} ms (×{t_brute / t_ours:5.1f})"
    print(line)


def bench_sample(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        store_path = Path(folder) / "bench.gpkg"
        settings = Settings(store_path=store_path, data_path=DATA_PATH)
        store = GeoPackageStore(store_path)
        t_import = best_of(
            repeats, lambda: run_import(store, ImportRequest(kind="sample"), settings)
        )
        dataset = store.read()
        t_read = best_of(repeats, store.read)
        t_analyse = best_of(repeats, lambda: analyse(dataset, settings))
        analysis = analyse(dataset, settings)
    print(
        f"sample   {len(dataset.buurten)} buurten, {len(analysis.points):,} resident points, "
        f"{len(dataset.voorzieningen)} voorzieningen: import {1000 * t_import:.0f} ms, "
        f"store read {1000 * t_read:.0f} ms, coverage {1000 * t_analyse:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DataQualityWarning)
    bench_sample(args.repeats)
    for n_origins, n_targets in ((4_000, 30), (100_000, 500), (1_000_000, 2_000)):
        bench_nearest(n_origins, n_targets, args.repeats if n_origins < 1_000_000 else 1)


if __name__ == "__main__":
    main()
