"""The batch run: gemeenten as Dask tasks on a LocalCluster or a scheduler, resumable.

:func:`run_batch` reads the buurten, the voorzieningen files and zone definitions once, finds
for each gemeente the extract that covers it (a gemeente covered less than ``min_cover`` is
reported, not computed), skips the gemeenten already finished with the same inputs (their key,
:func:`geo.batch.partition.gemeente_key`), reads each extract once and splits it for the rest
(:mod:`geo.batch.split`), and hands one task per gemeente to Dask; a task that fails is
reported with its gemeente and does not stop the run (a worker that dies is retried,
``retries`` times on the LocalCluster; a scheduler given by address applies its own
``distributed.scheduler.allowed-failures``). Finished gemeenten are merged into GeoParquet
(:mod:`geo.batch.results`) and, given a store, published there as tables in one transaction
per run (:mod:`geo.store.batch_tables`): the parts folder stays the record a rerun resumes
from, the store holds what the last run merged.
"""

from __future__ import annotations

import resource
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from tqdm import tqdm

from geo.batch.plan import Plan, Planned, definitions_by_gemeente, make_plan, read_inputs
from geo.batch.results import (
    Outcome,
    cannot_write,
    level_frames,
    merged_tables,
    remove_temporaries,
    write_merged,
    write_part,
    write_summary,
)
from geo.batch.settings import BatchSettings
from geo.batch.split import ExtractPart, ExtractSplitter
from geo.common.progress import Progress, silent
from geo.errors import ConfigurationError, ReadError, ResultWriteError, WszError
from geo.network.osm import read_osm
from geo.pipeline import analyse_gemeente
from geo.read.options import ReadOptions
from geo.read.voorzieningen import concat_voorzieningen, osm_voorzieningen
from geo.read.zones import ZoneDefinition
from geo.settings import Settings
from geo.store.base import Store
from geo.store.batch_tables import PREFIX


@dataclass(frozen=True)
class BatchInput:
    """What a batch reads and where it writes."""

    buurten: Path
    extracts: tuple[Path, ...]
    output: Path
    voorzieningen: tuple[tuple[Path, ReadOptions], ...] = ()
    zones: tuple[Path, ...] = ()
    #: Only these gemeenten (GM codes); empty: every gemeente of the buurten file.
    gemeenten: tuple[str, ...] = ()


@dataclass(frozen=True)
class GemeenteTask:
    """One gemeente's work, as sent to a worker."""

    gemeente: str
    key: str
    buurten: gpd.GeoDataFrame
    definition: ZoneDefinition | None
    voorzieningen: gpd.GeoDataFrame | None
    part: ExtractPart
    settings: Settings
    output: Path


@dataclass
class BatchSummary:
    """What a run did."""

    gemeenten: int
    outcomes: list[Outcome] = field(default_factory=list)
    partly_covered: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)
    #: Where the tables went in the store (None: not asked).
    store: str | None = None
    wall_s: float = 0.0
    split_s: float = 0.0

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def as_dict(self) -> dict[str, object]:
        return {
            "gemeenten": self.gemeenten,
            "computed": self.count("computed"),
            "finished_before": self.count("finished"),
            "failed": [{"gemeente": o.gemeente, "message": o.message} for o in self.failed],
            "partly_covered": self.partly_covered,
            "files": {k: str(v) for k, v in self.files.items()},
            "store": self.store,
            "wall_s": round(self.wall_s, 3),
            "split_s": round(self.split_s, 3),
            "outcomes": [asdict(o) for o in self.outcomes],
        }


# --------------------------------------------------------------------------- worker side


def run_task(task: GemeenteTask) -> Outcome:
    """Compute and write one gemeente (runs on a worker). Refused input and a failed write
    (a full disk) come back as a failed :class:`Outcome` naming the gemeente."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            voorzieningen = concat_voorzieningen(
                [f for f in (task.voorzieningen, task.part.voorzieningen) if f is not None]
            )
            figures = analyse_gemeente(
                task.buurten, task.definition, voorzieningen, task.part, task.settings
            )
            frames = level_frames(figures)
        analysis = figures.analysis
        outcome = Outcome(
            gemeente=task.gemeente,
            key=task.key,
            status="computed",
            seconds=time.perf_counter() - start,
            peak_rss_mb=peak_rss_mb(),
            buurten=len(task.buurten),
            residents=float(task.buurten["residents"].fillna(0).sum()),
            points=len(analysis.points),
            notes=tuple(dict.fromkeys([*analysis.notes, *(str(w.message) for w in caught)])),
        )
        write_part(task.output, frames, outcome)
    except WszError as exc:
        return _failed(task, f"{exc.title}: {exc}")
    except OSError as exc:
        return _failed(task, cannot_write("its results", task.output, exc))
    return outcome


def _failed(task: GemeenteTask, message: str) -> Outcome:
    return Outcome(task.gemeente, task.key, "failed", message=message, buurten=len(task.buurten))


def peak_rss_mb() -> float:
    """Peak resident memory of this process (MB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return float(peak) / (1024 * 1024 if sys.platform == "darwin" else 1024)


# --------------------------------------------------------------------------- driver side


def run_batch(
    inputs: BatchInput,
    settings: Settings,
    batch: BatchSettings,
    *,
    scheduler: str | None = None,
    single_process: bool = False,
    progress: Progress = silent,
    bar: bool = False,
    store: Store | None = None,
) -> BatchSummary:
    """Coverage of every gemeente of ``inputs``, on Dask (a LocalCluster of ``batch``'s
    workers, or the scheduler at ``scheduler``) or, with ``single_process``, one after the
    other in this process. Gemeenten finished earlier with the same inputs are kept. With
    ``store``, the merged tables also replace its batch tables (one transaction).

    A full disk (or any failed write) of the merged tables or the summary raises
    :class:`~geo.errors.ResultWriteError`; the finished gemeenten stay for the rerun."""
    start = time.perf_counter()
    if scheduler is not None and not single_process:
        check_scheduler(scheduler, batch.scheduler_timeout_s)
    output = Path(inputs.output)
    output.mkdir(parents=True, exist_ok=True)
    removed = remove_temporaries(output)
    if removed:
        progress(f"Removed {removed} half-written result(s) of an interrupted run")
    progress(f"Reading buurten from {inputs.buurten} ...")
    gemeenten, extras = read_inputs(
        inputs.buurten, inputs.voorzieningen, settings, inputs.gemeenten
    )
    definitions = definitions_by_gemeente(inputs.zones)
    progress(f"  {len(gemeenten)} gemeenten, {sum(len(g.buurten) for g in gemeenten):,} buurten")
    plan = make_plan(
        gemeenten, extras, definitions, inputs.extracts, settings, output, batch.min_cover
    )
    summary = BatchSummary(len(gemeenten), [*plan.done, *plan.refused], plan.partly_covered)
    for outcome in plan.refused:
        progress(f"  {outcome.gemeente}: {outcome.message}")
    progress(f"  {len(plan.done)} finished earlier, {len(plan.todo)} to compute")
    if plan.todo:
        runner = _in_process() if single_process else _on_dask(batch, scheduler, progress)
        with runner as submit:
            summary.outcomes += _execute(plan, inputs, settings, submit, summary, progress, bar)
    tables = merged_tables(output, plan.keys)
    with _writing("the merged results", output):
        summary.files = write_merged(output, tables)
    if store is not None and tables:
        summary.store = publish_tables(store, tables, progress)
    summary.wall_s = time.perf_counter() - start
    with _writing("the run's summary", output):
        summary.files["summary"] = write_summary(output, summary.as_dict())
    return summary


@contextmanager
def _writing(what: str, output: Path) -> Iterator[None]:
    """A failed write in the block (a full disk) as :class:`ResultWriteError`."""
    try:
        yield
    except OSError as exc:
        raise ResultWriteError(cannot_write(what, output, exc)) from exc


def publish_tables(store: Store, tables: dict[str, gpd.GeoDataFrame], progress: Progress) -> str:
    """Replace the store's batch tables by ``tables``, under its writer lock (one writer at a
    time, as imports); returns where they went, naming the tables."""
    target = store.batch_tables
    names = ", ".join(f"{PREFIX}{level}" for level in tables)
    progress(f"Writing {names} to {target.where} ...")
    with store.lock():
        target.write(tables)
    return f"{target.where} ({names})"


Submit = Callable[[GemeenteTask], Any]
#: Where a LocalCluster's scheduler serves its HTTP endpoint: a free port of the loopback.
LOCAL_HTTP = {"dashboard_address": "127.0.0.1:0"}


def _execute(
    plan: Plan,
    inputs: BatchInput,
    settings: Settings,
    submit: Submit,
    summary: BatchSummary,
    progress: Progress,
    bar: bool,
) -> list[Outcome]:
    """Split each extract once, submit its gemeenten, gather the outcomes as they finish.
    An extract that cannot be used (no highways, damaged) fails its own gemeenten only."""
    pending: dict[Any, Planned] = {}
    unusable: list[Outcome] = []
    split_start = time.perf_counter()
    for index, source in enumerate(plan.sources):
        todo = [p for p in plan.todo if p.source == index]
        if not todo:
            continue
        progress(f"Reading OSM extract {source.path} once for {len(todo)} gemeenten ...")
        try:
            extract = plan.read.pop(index, None) or read_osm(source.path)
        except ReadError as exc:
            unusable += [_planned_failure(p, f"{exc.title}: {exc}") for p in todo]
            continue
        voorzieningen = osm_voorzieningen(
            extract.pois, settings.vocabulary, source=source.path.name
        )
        splitter = ExtractSplitter(extract, voorzieningen)
        for planned in todo:
            task = GemeenteTask(
                planned.gemeente.code,
                planned.key,
                planned.gemeente.buurten,
                planned.definition,
                planned.voorzieningen,
                splitter.part(planned.gemeente.box),
                settings,
                Path(inputs.output),
            )
            pending[submit(task)] = planned
        del extract, splitter
    summary.split_s = time.perf_counter() - split_start
    return [*unusable, *_gather(pending, bar)]


def _planned_failure(planned: Planned, message: str) -> Outcome:
    gemeente = planned.gemeente
    return Outcome(
        gemeente.code, planned.key, "failed", message=message, buurten=len(gemeente.buurten)
    )


def _gather(pending: dict[Any, Planned], bar: bool) -> list[Outcome]:
    outcomes = []
    meter = tqdm(total=len(pending), desc="gemeenten", unit=" gm", file=sys.stderr, disable=not bar)
    with meter:
        for handle in _completed(list(pending)):
            planned = pending[handle]
            try:
                outcome = handle.result() if hasattr(handle, "result") else handle
            except Exception as exc:  # a task that raised or a worker that died (after retries)
                outcome = _planned_failure(planned, _task_error(exc))
            outcomes.append(outcome)
            if outcome.status == "failed":
                meter.write(f"  {outcome.gemeente} failed: {outcome.message}")
            meter.update()
    return outcomes


def _task_error(exc: Exception) -> str:
    """What to say of a task that raised, or whose worker died more often than allowed."""
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        return (
            f"its worker process died while computing it, {exc.allowed_failures + 1} time(s) "
            "(killed, or over the memory per worker, WSZ_BATCH_MEMORY_PER_WORKER); the other "
            "gemeenten went on — run the same command again to retry it"
        )
    return f"{type(exc).__name__}: {exc}"


def _completed(handles: list[Any]) -> Iterator[Any]:
    if handles and not isinstance(handles[0], Outcome):
        from distributed import as_completed

        yield from as_completed(handles)
    else:
        yield from handles


def check_scheduler(address: str, timeout_s: float) -> None:
    """Refuse, before any input is read, a scheduler address that is malformed, or (tcp)
    where nothing accepts a connection within ``timeout_s`` seconds."""
    from distributed.comm.addressing import get_address_host_port
    from distributed.comm.registry import backends

    scheme = address.split("://", 1)[0] if "://" in address else "tcp"
    try:
        if scheme not in backends:
            raise ValueError(f"Dask speaks no {scheme}://")
        host, port = get_address_host_port(address)
    except ValueError as exc:
        raise ConfigurationError(
            f"--scheduler {address!r} is not a Dask scheduler address ({exc}); give it as "
            "tcp://HOST:PORT (a scheduler listens on port 8786 unless told otherwise)"
        ) from exc
    if scheme == "tcp":
        try:
            socket.create_connection((host, port), timeout=timeout_s).close()
        except OSError as exc:
            raise _no_scheduler(address, timeout_s, exc) from exc


def _no_scheduler(address: str, timeout_s: float, exc: Exception) -> ConfigurationError:
    return ConfigurationError(
        f"no Dask scheduler answers at {address} (waited at most {timeout_s:g} s: {exc}); "
        "start one (`dask scheduler`, `dask worker ADDRESS`) or leave out --scheduler to run "
        "on a local cluster"
    )


@contextmanager
def _in_process() -> Iterator[Submit]:
    yield run_task


@contextmanager
def _on_dask(batch: BatchSettings, scheduler: str | None, progress: Progress) -> Iterator[Submit]:
    """A Dask client: of the scheduler at ``scheduler``, or of a new LocalCluster."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{batch.scheduler_timeout_s}s")
        except (OSError, TimeoutError) as exc:
            raise _no_scheduler(scheduler, batch.scheduler_timeout_s, exc) from exc
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=batch.workers,
            threads_per_worker=batch.threads_per_worker,
            memory_limit=batch.memory_per_worker,
            processes=batch.processes,
            dashboard_address=None,
            # No dashboard; the scheduler's own HTTP endpoint (health, metrics) on a free port
            # rather than 8787, which another cluster on the machine may hold.
            scheduler_kwargs={"allowed_failures": batch.retries, **LOCAL_HTTP},
        )
        client = Client(cluster)
    progress(
        f"Dask: {client.scheduler_info().get('address', scheduler)}, "
        f"{len(client.scheduler_info().get('workers', {}))} workers"
    )
    try:
        yield lambda task: client.submit(
            run_task, task, key=f"gemeente-{task.gemeente}-{task.key[:12]}", retries=batch.retries
        )
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
