"""Benchmark: how fast `wsz serve` starts — the imports, and the first ``/health`` answer with a
warm network cache.

1. **imports**: a fresh interpreter imports ``service.cli`` and ``service.main`` (what
   ``wsz serve`` loads before it answers); wall seconds (median of ``--repeats``) and which
   heavy modules are loaded at that point. folium, matplotlib, dask, distributed, psycopg,
   scipy.optimize and schemathesis should not be: they are imported where they are used
   (the first map, the first profile chart, ``wsz batch``, the PostGIS store, what-if, tests).
2. **first /health**: the sample imported into a temporary store (which builds its network
   cache), then ``wsz serve`` started ``--repeats`` times on it; seconds from the process's
   start to the first ``200`` of ``/health`` (median). Target: < 2 s.
3. **``wsz serve --help``**: wall seconds (median), which must stay far below the start (it
   imports no analysis stack).

Beside each wall time the CPU seconds of the process (user + system), which other work on
the machine hardly changes: compare those on a busy machine. The machine's load average is
printed: other work on it slows the wall times. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Modules that must not be loaded when the server starts.
HEAVY = (
    "folium",
    "matplotlib",
    "dask",
    "distributed",
    "psycopg",
    "scipy.optimize",
    "schemathesis",
)
PROBE = (
    "import json, sys, time; start = time.perf_counter(); cpu = time.process_time(); "
    "import service.cli, service.main; print(json.dumps([time.perf_counter() - start, "
    "time.process_time() - cpu, [m for m in {heavy!r} if m in sys.modules]]))"
)


def import_figures(repeats: int, root: Path) -> dict[str, Any]:
    """Median wall and CPU seconds of the start's imports, and the heavy modules they load."""
    seconds, cpu, loaded = [], [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(heavy=HEAVY)],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        took, used, loaded = json.loads(out.splitlines()[-1])
        seconds.append(took)
        cpu.append(used)
    return {
        "import_s": round(statistics.median(seconds), 3),
        "import_cpu_s": round(statistics.median(cpu), 3),
        "heavy_loaded_at_start": loaded,
    }


def _wsz(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run `wsz ARGS` (the checkout ``root``'s code); its wall and CPU seconds."""
    before, start = os.times(), time.perf_counter()
    command = [sys.executable, "-m", "service.cli", *args]
    subprocess.run(command, env=env, cwd=root, capture_output=True, check=True)
    wall, after = time.perf_counter() - start, os.times()
    used = after.children_user + after.children_system
    return wall, used - before.children_user - before.children_system


def help_figures(repeats: int, root: Path) -> dict[str, Any]:
    """Median wall and CPU seconds of `wsz serve --help` (a whole process)."""
    runs = [_wsz(root, "serve", "--help") for _ in range(repeats)]
    seconds, cpu = [wall for wall, _ in runs], [used for _, used in runs]
    return {
        "help_s": round(statistics.median(seconds), 3),
        "help_cpu_s": round(statistics.median(cpu), 3),
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _first_health(env: dict[str, str], log: Path, root: Path) -> tuple[float, float]:
    """Wall seconds from starting `wsz serve` to the first 200 of /health, and the CPU
    seconds the server used until then (the server stopped)."""
    port = _free_port()
    start = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env,
            cwd=root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        while time.perf_counter() - start < 120:
            if process.poll() is not None:
                raise SystemExit(f"wsz serve stopped; see {log}:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - start, _cpu_seconds(process.pid)
            except OSError:
                time.sleep(0.02)
        raise SystemExit(f"no /health answer within 120 s; see {log}")
    finally:
        process.terminate()
        process.wait(timeout=20)


def health_figures(repeats: int, root: Path) -> dict[str, Any]:
    """The sample in a temporary store (its network cache built), then `wsz serve` on it."""
    with tempfile.TemporaryDirectory(prefix="wsz-start-") as folder:
        store = Path(folder) / "store.gpkg"
        env = {
            **os.environ,
            "WSZ_STORE_PATH": str(store),
            "WSZ_NETWORK_CACHE_DIR": str(Path(folder) / "network"),
            "WSZ_MAP_TILES": "none",
        }
        import_s, _ = _wsz(root, "import", "sample", env=env)
        log = Path(folder) / "serve.log"
        _first_health(env, log, root)  # the cache is warm after this one
        runs = [_first_health(env, log, root) for _ in range(repeats)]
    seconds = [wall for wall, _ in runs]
    return {
        "sample_import_s": round(import_s, 2),
        "first_health_s": round(statistics.median(seconds), 3),
        "first_health_cpu_s": round(statistics.median(cpu for _, cpu in runs), 3),
        "first_health_runs_s": [round(s, 3) for s in seconds],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="How fast `wsz serve` starts: imports, and the first /health with a warm "
        "cache (see the module docstring)."
    )
    parser.add_argument("--repeats", type=int, default=3, help="median of N starts")
    parser.add_argument("--imports-only", action="store_true", help="skip the /health part")
    parser.add_argument(
        "--root",
        type=Path,
        default=PROJECT_ROOT,
        help="the checkout to measure (its code is imported from there; e.g. main, for before)",
    )
    args = parser.parse_args(argv)
    figures: dict[str, Any] = import_figures(args.repeats, args.root)
    figures |= help_figures(args.repeats, args.root)
    print(
        f"imports at start: {figures['import_s']:.2f} s, CPU {figures['import_cpu_s']:.2f} s "
        f"(median of {args.repeats})"
    )
    print(f"wsz serve --help: {figures['help_s']:.2f} s, CPU {figures['help_cpu_s']:.2f} s")
    print(f"heavy modules loaded at start: {figures['heavy_loaded_at_start'] or 'none'}")
    if not args.imports_only:
        figures |= health_figures(args.repeats, args.root)
        print(
            f"first /health with a warm cache: {figures['first_health_s']:.2f} s, CPU "
            f"{figures['first_health_cpu_s']:.2f} s (target < 2 s)"
        )
    figures["loadavg_1min"] = os.getloadavg()[0]
    figures["cores"] = len(os.sched_getaffinity(0))
    print(f"load average {figures['loadavg_1min']:.1f} on {figures['cores']} cores")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
