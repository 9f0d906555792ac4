"""The walking benchmark still runs: ``bench/walking_bench.py --smoke`` on a tiny synthetic grid.

Not a timed test (performance is measured by the benchmark itself, never asserted here): it only
checks that the script runs end to end and that its last line is the JSON summary with the keys
the issue asks for. Optional peers (networkx, pandana, cityseer) run when installed (the
``bench`` extra) and are skipped otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

KEYS = {
    "nodes",
    "origins",
    "categories",
    "ours_s",
    "networkx_s",
    "pandana_s",
    "ratio_networkx",
    "ratio_pandana",
    "max_abs_diff_m",
    "isochrone_p50_ms",
    "route_p50_ms",
}


def test_walking_bench_smoke() -> None:
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "bench" / "walking_bench.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(summary) >= KEYS
    assert summary["nodes"] == 400
    assert summary["categories"] == 6
    assert summary["origins"] == 2_000
    assert summary["ours_s"] > 0
    assert summary["isochrone_p50_ms"] > 0
    assert summary["route_p50_ms"] > 0
    if summary["networkx_s"] is not None:  # the bench extra is installed: NetworkX agrees
        assert summary["max_abs_diff_m"] <= 1.0
