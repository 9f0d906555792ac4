"""Benchmark: hostile GeoPackages refused by their metadata vs GDAL reading them.

Builds (synthetic, with ``sqlite3``) the two GeoPackages of issue 12, item 2, each a small
file with one real table of three lines:

* ``view-bomb``: a layer that is a *view* of 12 rows, each a 6.25 M-vertex line computed from
  ``zeroblob`` (the file is a few KB; reading it takes GBs);
* ``cte-bomb``: a layer that is a recursive-CTE view of 3·10⁷ rows.

Then times :func:`geo.read.vectors.read_vector` refusing each (it checks the file with SQLite
first) against GDAL (pyogrio) reading the same layer in a subprocess bounded by a timeout and
an address-space limit, so the benchmark itself stays safe. Prints seconds, peak memory and the
ratio. Run with ``.venv/bin/python bench/hostile_bench.py``; not a test.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/hostile_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from geo.errors import InputError  # noqa: E402
from geo.read.vectors import read_vector  # noqa: E402

RD_SRS = 28992


def base_geopackage(path: Path) -> Path:
    """A real GeoPackage with table ``base``: three short lines in RD New (synthetic)."""
    lines = [shapely.LineString([(134_000 + i, 449_000), (134_100 + i, 449_100)]) for i in range(3)]
    frame = gpd.GeoDataFrame({"id": ["a", "b", "c"]}, geometry=lines, crs=f"EPSG:{RD_SRS}")
    pyogrio.write_dataframe(frame, path, layer="base", driver="GPKG")
    return path


def register_view(path: Path, name: str, select: str) -> Path:
    """Add view ``name`` (an SQL SELECT giving ``fid`` and ``geom``) as a layer of ``path``."""
    with sqlite3.connect(path) as connection:
        connection.execute(f'CREATE VIEW "{name}" AS {select}')
        connection.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) "
            "VALUES (?, 'features', ?, ?)",
            (name, name, RD_SRS),
        )
        connection.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'LINESTRING', ?, 0, 0)",
            (name, RD_SRS),
        )
    connection.close()
    return path


def line_blob_sql(vertices: int) -> str:
    """SQL for a GeoPackage geometry blob: a line of ``vertices`` points at (0, 0)."""
    header = b"GP\x00\x01" + struct.pack("<i", RD_SRS) + b"\x01" + struct.pack("<II", 2, vertices)
    return f"CAST(X'{header.hex()}' || zeroblob({16 * vertices}) AS BLOB)"


def view_bomb(path: Path, rows: int = 12, vertices: int = 6_250_000) -> Path:
    """``rows`` rows of ``vertices``-vertex lines, as a view over a 3-row table."""
    base_geopackage(path)
    select = (
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < "
        f"{rows}) SELECT n AS fid, {line_blob_sql(vertices)} AS geom FROM c"
    )
    return register_view(path, "bomb", select)


def cte_bomb(path: Path, rows: int = 30_000_000) -> Path:
    """``rows`` rows of one short line, as a recursive-CTE view."""
    base_geopackage(path)
    select = (
        "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < "
        f"{rows}) SELECT n AS fid, (SELECT geom FROM base LIMIT 1) AS geom FROM c"
    )
    return register_view(path, "many", select)


_GDAL_READ = """
import resource, sys, time, pyogrio
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
started = time.perf_counter()
try:
    frame = pyogrio.read_dataframe(sys.argv[1], layer=sys.argv[2])
    print("read", len(frame), time.perf_counter() - started)
except MemoryError:
    print("memory", 0, time.perf_counter() - started)
"""


def gdal_read(path: Path, layer: str, *, timeout_s: float, memory_bytes: int) -> str:
    """GDAL reading ``layer`` in a bounded subprocess: what happened, seconds, peak memory."""
    started = time.perf_counter()
    code = _GDAL_READ.format(limit=memory_bytes)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), layer],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        failure = (done.stderr.strip().splitlines() or [""])[-1][:80]
        outcome = done.stdout.split()[0] if done.stdout else f"failed: {failure}"
    except subprocess.TimeoutExpired:
        outcome = f"still reading after {timeout_s:.0f} s (killed)"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return f"{outcome}; {seconds:.2f} s; peak of child processes so far {peak:,.0f} MB"


def refusal(path: Path) -> tuple[float, str]:
    """Seconds and message of :func:`read_vector` refusing ``path``."""
    started = time.perf_counter()
    try:
        read_vector(path)
    except InputError as exc:
        return time.perf_counter() - started, f"{type(exc).__name__}: {str(exc)[:90]}"
    return time.perf_counter() - started, "read (not refused!)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="GDAL's limit, seconds")
    parser.add_argument("--memory-mb", type=int, default=2048, help="GDAL's address space, MB")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsz-hostile-bench-") as folder:
        cases = (("view-bomb", view_bomb, "bomb"), ("cte-bomb", cte_bomb, "many"))
        for name, build, layer in cases:
            path = build(Path(folder) / f"{name}.gpkg")
            seconds, message = refusal(path)
            print(f"{name} ({path.stat().st_size:,} bytes, synthetic)")
            print(f"  woonservicezones: {seconds * 1000:.1f} ms, {message}")
            started = time.perf_counter()
            gdal = gdal_read(
                path, layer, timeout_s=args.timeout, memory_bytes=args.memory_mb * 1024**2
            )
            ratio = (time.perf_counter() - started) / max(seconds, 1e-6)
            print(f"  GDAL (pyogrio) reading it: {gdal}")
            print(f"  ratio GDAL / refusal: {ratio:,.0f}×")


if __name__ == "__main__":
    main()
