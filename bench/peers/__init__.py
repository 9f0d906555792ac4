"""The tools of the walking benchmark, one module each, and how each runs in a subprocess.

Every tool is a worker ``run(job, out) -> figures``: it reads the job's graph and points (see
:mod:`bench.problem`), answers "how far does each origin walk to its nearest voorziening of
each category?", saves its distances as ``out`` (``.npz``) and returns its figures (times,
peak memory, its version). :func:`spawn_worker` runs one in a process of its own (the
benchmark script's hidden ``--worker`` flag, which calls :func:`run_worker`), so that its
peak memory is that process's.

The peers' own packages are imported inside their workers only: networkx, pandana and cityseer
come with the optional ``bench`` extra. :mod:`bench.peers.osmnx_peer` is no worker but a script
of its own (OSM reading and graph building against OSMnx, not the walking question).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import spawn
from bench.peers import cityseer_peer, networkx_peer, ours, pandana_peer

Worker = Callable[[dict[str, Any], Path], dict[str, Any]]

WORKERS: dict[str, Worker] = {
    "ours": ours.run,
    "networkx": networkx_peer.run,
    "pandana": pandana_peer.run,
    "cityseer": cityseer_peer.run,
}
TOOLS = tuple(WORKERS)
#: The peers and the module each needs (absent: skipped, with this said).
TOOL_MODULES = {"networkx": "networkx", "pandana": "pandana", "cityseer": "cityseer"}
#: The script whose ``--worker`` flag runs a worker.
SCRIPT = Path(__file__).resolve().parents[1] / "walking_bench.py"


def run_worker(tool: str, job_path: Path) -> None:
    """The ``--worker`` entry: run one tool on one job; its figures go to ``<tool>.json``
    beside the job (stdout is the tool's)."""
    warnings.simplefilter("ignore")
    job = json.loads(job_path.read_text())
    out = Path(job["folder"]) / f"{tool}.npz"
    result = WORKERS[tool](job, out)
    result["out"] = str(out)
    out.with_suffix(".json").write_text(json.dumps(result))


def spawn_worker(tool: str, job: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run one tool's worker in a subprocess; its figures, or ``{"skipped": why}``."""
    job_path = Path(job["folder"]) / f"job-{tool}.json"
    job_path.write_text(json.dumps(job))
    command = [sys.executable, str(SCRIPT), "--worker", tool, "--job", str(job_path)]
    done = spawn(command, timeout_s, job["memory_limit_gb"])
    if done is None:
        return {"skipped": f"did not finish within {timeout_s:.0f} s (--tool-timeout)"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {
            "skipped": f"failed (exit {done.returncode}; address space capped at "
            f"{job['memory_limit_gb']:g} GB by --tool-memory-gb): " + " | ".join(tail)
        }
    figures = (Path(job["folder"]) / f"{tool}.json").read_text()
    return dict(json.loads(figures))
