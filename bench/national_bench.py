"""Benchmark: ``wsz batch`` on a national-size SYNTHETIC input, single process vs Dask.

The input is generated and labelled *synthetic*: Nieuwegein's 39 real CBS buurten (with their
residents) and the sample's synthetic street network and voorzieningen (data/sample), copied
side by side over the Netherlands' extent (RD New x 13–278 km, y 306–620 km), one copy per
synthetic gemeente (codes GM9000…, names ending in "(synthetisch)"): 359 gemeenten and
14,001 buurten in full, 26 gemeenten and 1,014 buurten with ``--quick``. One OSM extract
(.osm.pbf) holds every copy's network; one GeoPackage every copy's voorzieningen.

Printed: wall and CPU time, peak memory per worker, per-gemeente time (p50, p95, max), the
single process against Dask with 1 and 2 workers (speed-up 1 → 2), the projected time of all
~350 gemeenten at the measured rate with 2 workers, a run killed halfway and resumed (how many
finished gemeenten it redid: should be 0), and whether the Dask figures equal the single
process's exactly. The last line is one JSON object. Not a test; run with
``.venv/bin/python bench/national_bench.py --quick``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import pandas as pd
from pyproj import Transformer

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/national_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.harness import SHARED_DATA  # noqa: E402
from geo.batch.driver import BatchInput, BatchSummary, run_batch  # noqa: E402
from geo.batch.settings import BatchSettings  # noqa: E402
from geo.errors import DataQualityWarning  # noqa: E402
from geo.read.options import ReadOptions  # noqa: E402
from geo.read.voorzieningen import concat_voorzieningen, read_voorzieningen  # noqa: E402
from geo.settings import SAMPLE_DIR, Settings  # noqa: E402

BUURTEN = SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg"
NETWORK = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"
#: The Netherlands' extent in RD New (metres) and the step between copies.
NL_X, NL_Y, STEP = (13_000.0, 278_000.0), (306_000.0, 620_000.0), 13_000.0
NATIONAL_GEMEENTEN = 350
ID_STRIDE = 10_000


def offsets(count: int) -> list[tuple[float, float]]:
    """Where the copies go: a grid over the Netherlands' extent, first ``count`` cells."""
    xs = np.arange(NL_X[0], NL_X[1], STEP)
    ys = np.arange(NL_Y[0], NL_Y[1], STEP)
    origin = gpd.read_file(BUURTEN).total_bounds
    cells = [(float(x - origin[0]), float(y - origin[1])) for y in ys for x in xs]
    return cells[:count]


def synthetic_buurten(shifts: list[tuple[float, float]], path: Path) -> None:
    """The real buurten copied per synthetic gemeente (CBS's own columns, new codes)."""
    real = gpd.read_file(BUURTEN)
    copies = []
    for number, (dx, dy) in enumerate(shifts):
        gm = f"{9000 + number:04d}"
        copy = real.copy()
        copy["BU_CODE"] = "BU" + gm + copy["BU_CODE"].str[6:]
        copy["WK_CODE"] = "WK" + gm + copy["WK_CODE"].str[6:]
        copy["GM_CODE"] = "GM" + gm
        copy["GM_NAAM"] = f"Gemeente {gm} (synthetisch)"
        copy["BU_NAAM"] = copy["BU_NAAM"] + " (synthetisch)"
        copy["geometry"] = copy.geometry.translate(dx, dy)
        copies.append(copy)
    pd.concat(copies, ignore_index=True).to_file(path, layer="buurten")


def synthetic_voorzieningen(
    shifts: list[tuple[float, float]], path: Path, settings: Settings
) -> None:
    frames = [
        read_voorzieningen(
            SAMPLE_DIR / "voorzieningen_GM0356_synthetic.geojson", settings.vocabulary
        ),
        read_voorzieningen(
            SAMPLE_DIR / "huisartsen_GM0356_synthetic.csv",
            settings.vocabulary,
            ReadOptions(crs="EPSG:28992"),
        ),
    ]
    real = concat_voorzieningen(frames)[["id", "name", "category", "geometry"]]
    copies = []
    for number, (dx, dy) in enumerate(shifts):
        copy = real.copy()
        copy["id"] = copy["id"] + f"-gm{9000 + number}"
        copy["geometry"] = copy.geometry.translate(dx, dy)
        copies.append(copy)
    gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=real.crs).to_file(path)


def synthetic_extract(shifts: list[tuple[float, float]], path: Path) -> None:
    """The sample's synthetic network once per copy, node and way ids offset, in one PBF."""
    nodes, ways = [], []
    for obj in osmium.FileProcessor(str(NETWORK)):
        if isinstance(obj, osmium.osm.Node):
            nodes.append((obj.id, obj.location.lon, obj.location.lat, dict(obj.tags)))
        elif isinstance(obj, osmium.osm.Way):
            ways.append((obj.id, [n.ref for n in obj.nodes], dict(obj.tags)))
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    to_ll = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    x, y = to_rd.transform([n[1] for n in nodes], [n[2] for n in nodes])
    assert max(n[0] for n in nodes) < ID_STRIDE
    assert max(w[0] for w in ways) < ID_STRIDE
    with osmium.SimpleWriter(str(path), overwrite=True) as writer:
        placed = [to_ll.transform(np.asarray(x) + dx, np.asarray(y) + dy) for dx, dy in shifts]
        for number, (lon, lat) in enumerate(placed):
            for (node_id, _, _, tags), lo, la in zip(nodes, lon, lat, strict=True):
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=number * ID_STRIDE + node_id, location=(lo, la), tags=tags
                    )
                )
        for number in range(len(shifts)):
            base = number * ID_STRIDE
            for way_id, refs, tags in ways:
                writer.add_way(
                    osmium.osm.mutable.Way(
                        id=base + way_id, nodes=[base + r for r in refs], tags=tags
                    )
                )


def generate(folder: Path, count: int, settings: Settings) -> BatchInput:
    """The synthetic input of ``count`` gemeenten in ``folder`` (reused when there)."""
    folder.mkdir(parents=True, exist_ok=True)
    buurten = folder / f"buurten_synthetic_{count}.gpkg"
    extract = folder / f"network_synthetic_{count}.osm.pbf"
    voorzieningen = folder / f"voorzieningen_synthetic_{count}.gpkg"
    shifts = offsets(count)
    if not buurten.exists():
        synthetic_buurten(shifts, buurten)
    if not voorzieningen.exists():
        synthetic_voorzieningen(shifts, voorzieningen, settings)
    if not extract.exists():
        synthetic_extract(shifts, extract)
    return BatchInput(
        buurten, (extract,), folder / "out", voorzieningen=((voorzieningen, ReadOptions()),)
    )


def timed_run(
    inputs: BatchInput, output: Path, settings: Settings, workers: int | None
) -> tuple[BatchSummary, float, float]:
    """One run into a fresh ``output``: (summary, wall s, CPU s of this process)."""
    cpu = time.process_time()
    start = time.perf_counter()
    summary = run_batch(
        BatchInput(**{**inputs.__dict__, "output": output}),
        settings,
        BatchSettings(workers=workers or 1),
        single_process=workers is None,
    )
    return summary, time.perf_counter() - start, time.process_time() - cpu


def percentiles(summary: BatchSummary) -> dict[str, float]:
    seconds = np.array([o.seconds for o in summary.outcomes if o.status == "computed"])
    if len(seconds) == 0:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    return {
        "p50": round(float(np.percentile(seconds, 50)), 3),
        "p95": round(float(np.percentile(seconds, 95)), 3),
        "max": round(float(seconds.max()), 3),
    }


def killed_and_resumed(inputs: BatchInput, output: Path, settings: Settings) -> tuple[int, int]:
    """Start ``wsz batch`` (2 workers), kill it once a third of the gemeenten are finished,
    run again: (gemeenten finished before the kill, of those computed again)."""
    argv = [sys.executable, "-m", "service.cli", "batch", str(inputs.buurten)]
    argv += [str(p) for p in inputs.extracts] + ["-o", str(output), "--workers", "2"]
    argv += ["--voorzieningen", str(inputs.voorzieningen[0][0])]
    env = {**os.environ, "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in settings.data_path)}
    process = subprocess.Popen(
        argv, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    parts = output / "parts"
    total = len(gpd.read_file(inputs.buurten, columns=["GM_CODE"])["GM_CODE"].unique())
    while process.poll() is None:
        done = (
            [p for p in parts.glob("GM*") if (p / "outcome.json").exists()]
            if parts.is_dir()
            else []
        )
        if len(done) >= max(1, total // 3):
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = {p.name for p in parts.glob("GM*") if (p / "outcome.json").exists()}
    resumed, _, _ = timed_run(inputs, output, settings, workers=2)
    redone = [o for o in resumed.outcomes if o.status == "computed"]
    redo = sum(
        any(b.startswith(o.gemeente) and o.key.startswith(b[7:]) for b in before) for o in redone
    )
    return len(before), redo


def same_figures(a: BatchSummary, b: BatchSummary) -> bool:
    for level in ("buurten", "wijken", "zones", "gemeenten"):
        left = gpd.read_parquet(a.files[level]).drop(columns="geometry")
        right = gpd.read_parquet(b.files[level]).drop(columns="geometry")
        if not left.equals(right):
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="26 gemeenten, 1,014 buurten")
    parser.add_argument("--gemeenten", type=int, help="synthetic gemeenten (default 359)")
    parser.add_argument("--folder", type=Path, help="where the synthetic input is kept")
    parser.add_argument(
        "--two-workers-only",
        action="store_true",
        help="only the 2-worker Dask run and the resumed run (the full size's own figure; the "
        "single process, 1 worker, speed-up and equality are null: take them from --quick)",
    )
    args = parser.parse_args()
    count = args.gemeenten or (26 if args.quick else 359)
    warnings.simplefilter("ignore", DataQualityWarning)
    folder = args.folder or Path(tempfile.gettempdir()) / "wsz-national-bench"
    settings = Settings(store_path=folder / "unused.gpkg")
    start = time.perf_counter()
    inputs = generate(folder, count, settings)
    print(f"SYNTHETIC input: {count} gemeenten in {folder} ({time.perf_counter() - start:.1f} s)")
    runs = {}
    plan = (("single process", None), ("dask 1 worker", 1), ("dask 2 workers", 2))
    for label, workers in plan[2:] if args.two_workers_only else plan:
        output = Path(tempfile.mkdtemp(prefix="run-", dir=folder))
        summary, wall, cpu = timed_run(inputs, output, settings, workers)
        runs[label] = (summary, wall, cpu)
        work = sum(o.seconds for o in summary.outcomes)
        rss = max((o.peak_rss_mb for o in summary.outcomes), default=0.0)
        print(
            f"{label:>15}: wall {wall:7.1f} s, driver CPU {cpu:6.1f} s, work {work:7.1f} s, "
            f"split {summary.split_s:5.1f} s, peak RSS per worker {rss:,.0f} MB, per gemeente "
            f"{percentiles(summary)}, failed {len(summary.failed)}"
        )
    two = runs["dask 2 workers"]
    single, one = runs.get("single process"), runs.get("dask 1 worker")
    finished_before, redo = killed_and_resumed(
        inputs, Path(tempfile.mkdtemp(prefix="resume-", dir=folder)), settings
    )
    print(f"killed after {finished_before} finished gemeenten; the rerun redid {redo} of them")
    buurten = len(gpd.read_file(inputs.buurten, columns=["BU_CODE"]))
    projected = two[1] / count * NATIONAL_GEMEENTEN
    result = {
        "synthetic": True,
        "buurten": buurten,
        "gemeenten": count,
        "workers": 2,
        "wall_s": round(two[1], 2),
        "cpu_s": round(sum(o.seconds for o in two[0].outcomes), 2),
        "single_process_s": round(single[1], 2) if single else None,
        "dask_1_worker_s": round(one[1], 2) if one else None,
        "speedup": round(one[1] / two[1], 2) if one else None,
        "peak_rss_mb_per_worker": round(max(o.peak_rss_mb for o in two[0].outcomes), 1),
        "per_gemeente_s": percentiles(two[0]),
        "projected_national_s": round(projected, 1),
        "resumed_redo_count": redo,
        "equal_to_single_process": same_figures(single[0], two[0]) if single else None,
        "driver_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
