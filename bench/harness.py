"""What the benchmarks in bench/ share: timing, peak memory, a tool in a subprocess, the summary.

* timing — :func:`best_of` (the fastest of N runs), :func:`median_and_best` and
  :func:`percentile_ms`;
* memory — :func:`peak_rss`: the process's peak resident set over a block (Linux ``VmHWM``
  from ``/proc/self/status``, reset first through ``/proc/self/clear_refs``);
* :func:`spawn`: a command in a subprocess of its own, with a timeout and a cap on its
  address space (a runaway tool fails alone, not the machine);
* :func:`print_summary`: the last line a benchmark prints, one JSON object;
* :func:`installed`: whether an optional peer's module can be imported;
* :func:`log`: progress on stderr (stdout carries the figures).

Nothing here imports the project: the benchmarks bring their own ``geo`` imports.
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parents[1]
#: Where the real CBS and OSM files live (the data path's first folder, before data/sample).
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


def log(message: str) -> None:
    """Progress on stderr (stdout carries the figures)."""
    print(message, file=sys.stderr, flush=True)


# =========================================================================== timing


def best_of(
    repeats: int, work: Callable[[], object], on_best: Callable[[], object] | None = None
) -> float:
    """Fastest of ``repeats`` runs (at least one), in seconds. ``on_best`` is called, outside
    the timing, after every run that is the fastest so far (ties included): to keep what the
    fastest run measured of its parts."""
    timings: list[float] = []
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        work()
        timings.append(time.perf_counter() - start)
        if on_best is not None and timings[-1] == min(timings):
            on_best()
    return min(timings)


def median_and_best(runs: int, work: Callable[[int], T]) -> tuple[float, float, T]:
    """Median and best seconds of ``runs`` calls (at least one) of ``work(run)``, and its last
    outcome."""
    timings = []
    for run in range(max(runs, 1)):
        start = time.perf_counter()
        outcome = work(run)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings), outcome


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q`` th percentile of ``seconds``, in milliseconds (0.01 ms)."""
    return round(float(np.percentile(np.asarray(seconds) * 1000, q)), 2)


# =========================================================================== memory


def _status_kib(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def rss_mb() -> float:
    """Resident set size of this process now, MB (Linux ``VmRSS``)."""
    return _status_kib("VmRSS") / 1024


@contextmanager
def peak_rss(into: dict[str, Any], key: str) -> Iterator[None]:
    """Record the process's peak resident set (MB) over the block as ``into[key]``.

    The kernel's high-water mark is reset first (``/proc/self/clear_refs``), so the figure is
    the peak during the block: everything resident then, inputs and interpreter included.
    """
    into[f"{key}_baseline_mb"] = round(rss_mb(), 1)
    try:
        Path("/proc/self/clear_refs").write_text("5")
        into[f"{key}_method"] = "VmHWM (reset before the work)"
    except OSError:
        into[f"{key}_method"] = "ru_maxrss (process lifetime)"
    yield
    if into[f"{key}_method"].startswith("VmHWM"):
        into[f"{key}_mb"] = round(_status_kib("VmHWM") / 1024, 1)
    else:
        import resource

        into[f"{key}_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# =========================================================================== processes


def spawn(
    command: Sequence[str], timeout_s: float, memory_gb: float
) -> subprocess.CompletedProcess[str] | None:
    """Run ``command`` (output captured as text) with its address space capped at
    ``memory_gb``; None when it did not finish within ``timeout_s``."""
    limit = int(memory_gb * 2**30)

    def cap_memory() -> None:  # a runaway tool fails alone, not the machine
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        return subprocess.run(
            list(command),
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
            preexec_fn=cap_memory,
        )
    except subprocess.TimeoutExpired:
        return None


def installed(module: str) -> bool:
    """Whether ``module`` can be imported (an optional peer may be missing)."""
    return importlib.util.find_spec(module) is not None


# =========================================================================== the summary


def print_summary(summary: dict[str, Any]) -> None:
    """The benchmark's last line: ``summary`` as one JSON object (NumPy numbers as floats)."""
    print(json.dumps(summary, default=float))


def wait_until_answers(
    url: str, process: subprocess.Popen[bytes], log_path: Path, seconds: float, what: str
) -> None:
    """Wait up to ``seconds`` for ``url`` to answer 200 while ``process`` runs; RuntimeError
    with the end of ``log_path`` (naming ``what``) when it exits or does not answer in time."""
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=10).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.5)
    raise RuntimeError(f"{what} did not start: {log_path.read_text()[-2000:]}")
