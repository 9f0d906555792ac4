"""The one place where the stages are chained: read → zones → join → network → coverage → store.

* :func:`analyse` places residents and measures coverage of a dataset, by walking where a
  street network covers its buurten (straight lines otherwise, and the answer says so);
* :func:`run_import` is every import — CLI, HTTP, samples, a gemeente's real data, BAG
  addresses — as one transaction: read and check the input (no lock held), then under the
  store's lock read the store once, combine, zone and join, compare, write atomically, log;
* :func:`build_network` / :func:`load_network` make and find the walking network;
* the time axis (issue 14): :func:`import_statistics`, :func:`import_indicators`,
  :func:`snapshot_analysis`, :func:`profiel_of`, :func:`profiel_of_figures`;
* what-if (issue 13): :func:`whatif_place`, :func:`whatif_closure_ranking`,
  :func:`whatif_closure`, :func:`whatif_candidates` over :func:`whatif_reach`;
* the batch (issue 16): :func:`analyse_gemeente`, one gemeente's chain for ``wsz batch``.

The CLI, the API and the maps call these, never the stages directly.
"""

# Over 400 lines (about 730) on purpose: every chain of stages lives here and nowhere else;
# each section is short and calls into its stage package (geo.profiel, geo.whatif, geo.batch).

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis import Analysis, coverage_notes, extract_cover_notes, synthetic_note
from geo.ask.search import AddressIndex, build_index
from geo.batch.split import ExtractPart, part_network
from geo.common.progress import Progress, silent
from geo.coverage.distance import DistanceSource, StraightLineDistance, WalkingDistance
from geo.coverage.figures import Coverage, beyond, compute_coverages
from geo.coverage.gaps import gap_polygons
from geo.coverage.population import resident_points
from geo.errors import (
    DataQualityWarning,
    NetworkError,
    NoNetworkError,
    NotFoundError,
    QueryError,
)
from geo.join import join_voorzieningen
from geo.network.build import Network
from geo.network.build import build_network as build_walking_network
from geo.network.build import load_network as load_walking_network
from geo.network.cache import NetworkCache
from geo.network.rules import PROFILES
from geo.network.snap import snap_points
from geo.read.addresses import IMPORT_MARGIN_M, osm_addresses
from geo.read.buurten import BUURT_COLUMNS
from geo.read.cbs import cbs_distance_columns
from geo.read.inputs import (
    AddressesInput,
    BuurtenInput,
    ReadInput,
    VoorzieningenInput,
    WholeInput,
    ZonesInput,
    read_input,
)
from geo.read.provenance import LayerSource, Provenance
from geo.read.voorzieningen import (
    VOORZIENING_COLUMNS,
    VOORZIENING_DETAIL_COLUMNS,
    with_voorziening_details,
)
from geo.read.zones import ZoneDefinition, zones_per_wijk
from geo.settings import Settings
from geo.store.addresses import address_file, plan_addresses, read_addresses
from geo.store.base import Store, open_store
from geo.store.dataset import Dataset, empty_zones
from geo.store.diff import LayerChanges, diff_datasets
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import DEFAULT_LOCK_TIMEOUT_S
from geo.store.log import Caller, ImportInput, ImportLog, ImportReport, new_report
from geo.store.modes import buurten_after, provenance_after, voorzieningen_after, zones_after
from geo.store.request import ImportRequest
from geo.store.transaction import Hooks, Planned, captured_warnings, record_refusal, run_transaction
from geo.whatif.candidates import check_candidates, thinned_nodes
from geo.whatif.closing import ClosureImpact, closure_impact
from geo.whatif.closure import dependence, losing_coverage
from geo.whatif.mclp import reduce_demand, solve_mclp
from geo.whatif.reach import Reach, straight_reach, walking_reach
from geo.whatif.report import (
    Placement,
    PlaceOptions,
    areas_of,
    chosen_sites,
    newly_covered,
    ranking_frame,
)
from geo.zones import assign_zones, dissolve_zones

P = TypeVar("P")
#: A command-line import by an unnamed user (the CLI names the user).
CLI = Caller()

logger = logging.getLogger("woonservicezones.pipeline")

# --------------------------------------------------------------------------- analysis


def analyse(
    dataset: Dataset,
    settings: Settings,
    source: DistanceSource | None = None,
    *,
    network: Network | None = None,
    progress: Progress = silent,
) -> Analysis:
    """Place residents and compute coverage (and gap polygons) of ``dataset``.

    By walking over ``network`` when one is given (and ``settings.distance`` is ``walking``),
    with straight lines beside it; otherwise by ``source`` (straight lines by default). A
    network whose extract covers none of the buurten is not used: the analysis is by straight
    lines, with a note (and a :class:`~geo.errors.DataQualityWarning`) saying why — the one
    rule for the CLI, the exports and the API.
    """
    dataset.require_buurten()
    network, fallback = _usable_network(dataset, network)
    source = source or _walking_or_straight(network, settings)
    straight = StraightLineDistance()
    compare = straight if source.name != straight.name else None
    progress("Placing residents ...")
    points = resident_points(
        dataset.buurten,
        spacing_m=settings.resident_grid_spacing_m,
        buildings=network.buildings if network is not None else None,
        extract_area=network.bounds if network is not None else None,
    )
    placement = points.groupby("placement")["bu_code"].nunique().to_dict()
    by_method = ", ".join(f"{n} buurten by {method}" for method, n in sorted(placement.items()))
    progress(f"  {by_method}: {len(points):,} resident points")
    progress(
        f"Measuring {source.name.replace('_', ' ')} distances from {len(points):,} resident "
        f"points to {len(dataset.voorzieningen)} voorzieningen ..."
    )
    vocabulary = settings.vocabulary
    coverage, compared = compute_coverages(
        points, dataset.buurten, dataset.voorzieningen, vocabulary, source, compare
    )
    notes = synthetic_note(dataset)
    notes += extract_cover_notes(dataset.buurten, network) if network is not None else []
    notes += coverage_notes(dataset, vocabulary, source, coverage) + fallback
    return Analysis(
        dataset,
        vocabulary,
        points,
        coverage,
        source,
        straight=compared if compared is not None else coverage,
        network=network,
        gaps=gap_polygons(points, dataset.buurten, coverage, vocabulary),
        notes=tuple(notes),
        snap_limit_m=settings.network_snap_limit_m,
        walking_speed_m_per_s=settings.walking_speed_m_per_s,
        isochrone_buffer_m=settings.isochrone_buffer_m,
    )


def _usable_network(dataset: Dataset, network: Network | None) -> tuple[Network | None, list[str]]:
    """The network if its extract covers any of the buurten; else None and the note why."""
    if network is None:
        return None, []
    try:
        extract_cover_notes(dataset.buurten, network)
    except NetworkError as exc:
        note = f"{exc}; distances are straight lines until a network of these buurten is built"
        warnings.warn(note, DataQualityWarning, stacklevel=3)
        return None, [note]
    return network, []


def _walking_or_straight(network: Network | None, settings: Settings) -> DistanceSource:
    if network is not None and settings.distance == "walking":
        return WalkingDistance(network.graph("walk"), snap_limit_m=settings.network_snap_limit_m)
    return StraightLineDistance()


def read_store(settings: Settings) -> Dataset:
    """What the store holds (:func:`geo.store.base.open_store`: the GeoPackage or PostGIS),
    read under its shared lock (never half an import)."""
    store = open_store(settings)
    with store.lock(shared=True):
        return store.read()


def analyse_store(settings: Settings, *, progress: Progress = silent) -> Analysis:
    """Analyse what the store holds, by walking where a network has been built."""
    return analyse(
        read_store(settings), settings, network=load_network(settings), progress=progress
    )


def address_index(analysis: Analysis, settings: Settings) -> AddressIndex:
    """The addresses residents can search: the imported BAG table (if any) and the OSM
    addresses of the walking network's extract (if loaded), with their buurt and zone."""
    tables = []
    stored = read_addresses(address_file(settings.store_path))
    if stored is not None:
        tables.append(stored)
    if analysis.network is not None:
        tables.append(osm_addresses(analysis.network.addresses))
    return build_index(tables, analysis.dataset.buurten, analysis.dataset.zones)


# --------------------------------------------------------------------------- network


def network_cache(settings: Settings) -> NetworkCache:
    """The network cache of these settings (beside the store by default)."""
    return NetworkCache(settings.network_cache)


def build_network(
    settings: Settings,
    extract: Path,
    *,
    profiles: tuple[str, ...] = PROFILES,
    progress: Progress = silent,
    on_objects: Callable[[int], None] | None = None,
) -> Network:
    """Build (or load from the cache) the walking graphs of ``extract`` and make it the
    service's network. A failure leaves the cache and the active network as they were."""
    return build_walking_network(
        Path(extract),
        network_cache(settings),
        profiles=profiles,
        progress=progress,
        on_objects=on_objects,
    )


def load_network(settings: Settings) -> Network | None:
    """The active walking network from the cache; None when none has been built."""
    return load_walking_network(network_cache(settings))


# --------------------------------------------------------------------------- imports


@dataclass(frozen=True)
class ImportResult:
    """What an import did (its logged report) and what the store holds after it (or would
    hold, for a dry run): the dataset, or for an address import the address table; the
    walking network a sample or gemeente import built; the id of the coverage snapshot kept
    of the new store (None: nothing changed, or the snapshot failed and was logged)."""

    report: ImportReport
    dataset: Dataset | None = None
    addresses: gpd.GeoDataFrame | None = None
    network: Network | None = None
    snapshot: str | None = None


def run_import(
    store: Store,
    request: ImportRequest,
    settings: Settings,
    caller: Caller = CLI,
    *,
    hooks: Hooks[Dataset, P] | None = None,
    progress: Progress = silent,
    on_objects: Callable[[int], None] | None = None,
    timeout: float | None = DEFAULT_LOCK_TIMEOUT_S,
) -> ImportResult:
    """Carry out one import as one transaction, logged whatever the outcome.

    The input is read and checked first, holding no lock; then, under the store's lock, the
    store is read once, combined with the input (``mode``), zoned and joined, compared by
    stable id and — unless it is a dry run or nothing changed — written atomically
    (:func:`geo.store.transaction.run_transaction`; ``hooks`` let the service prepare and
    swap what it serves). A sample or gemeente import then builds its walking network, still
    under the lock. Any error leaves the store exactly as it was, and is logged and raised.
    An applied import of buurten, zones, voorzieningen or a sample changes the analysis: a
    coverage snapshot of the new store is kept (:func:`snapshot_import`), of the analysis
    ``hooks`` prepared when that is (or has, as ``.analysis``) one: the service's new state.
    """
    log = store.log
    base = new_report(
        request.kind,
        request.describe(),
        mode=request.options.mode,
        dry_run=request.options.dry_run,
        caller=caller,
        statistics=request.describe_statistics(),
    )
    try:
        with captured_warnings() as caught:
            parsed = read_input(request, settings, progress)
    except Exception as exc:
        record_refusal(log, base, exc, store_path=store)
        raise
    base = replace(base, warnings=tuple(caught))
    if isinstance(parsed, WholeInput) and parsed.manifest is not None:
        manifest = ImportInput.of_file(parsed.manifest)
        base = replace(
            base, file_name=manifest.file_name, sha256=manifest.sha256, bytes=manifest.size
        )
    if isinstance(parsed, AddressesInput):
        plan = _addresses_plan(store, parsed, base.file_name, progress)
        report, kept = run_transaction(store, base, plan, log=log, timeout=timeout)
        return ImportResult(report, addresses=kept)
    prepared: list[P] = []
    with store.lock(timeout=timeout):
        report, dataset = run_transaction(
            store,
            base,
            lambda: _plan(store, request, parsed, progress),
            hooks=_keeping(hooks, prepared),
            log=log,
            timeout=timeout,
        )
        network = _with_network(parsed, report, settings, progress, on_objects)
    # A sample or gemeente brings its own network (or none); other imports use the active one.
    whole = isinstance(parsed, WholeInput)
    snapshot = snapshot_import(
        store, report, dataset, settings,
        network=(lambda: network) if whole else (lambda: load_network(settings)),
        analysed=None if whole else lambda: _analysis_of(prepared), progress=progress,
    )  # fmt: skip
    return ImportResult(report, dataset=dataset, network=network, snapshot=snapshot)


def _keeping(hooks: Hooks[Dataset, P] | None, kept: list[P]) -> Hooks[Dataset, P] | None:
    """``hooks`` that also keep what they prepare in ``kept``."""
    if hooks is None:
        return None
    prepare = hooks.prepare

    def keep(dataset: Dataset) -> P:
        kept.append(prepare(dataset))
        return kept[-1]

    return Hooks(prepare=keep, commit=hooks.commit)


def _analysis_of(prepared: Sequence[object]) -> Analysis | None:
    """The analysis the hooks prepared (the value itself or its ``.analysis``), if any."""
    value = getattr(prepared[-1], "analysis", prepared[-1]) if prepared else None
    return value if isinstance(value, Analysis) else None


def snapshot_import(
    store: Store,
    report: ImportReport,
    dataset: Dataset,
    settings: Settings,
    *,
    network: Callable[[], Network | None] = lambda: None,
    analysed: Callable[[], Analysis | None] | None = None,
    progress: Progress = silent,
) -> str | None:
    """After an applied import, keep a coverage snapshot of the new store's analysis (by
    walking over the ``network`` it gives, if any; ``analysed``: the caller's analysis of
    ``dataset``, used when it has one). Returns the snapshot's id; None when the import
    changed nothing (unchanged, dry run), left no buurten or ``settings.snapshot_imports``
    is off. A failing snapshot never undoes the import: it is logged
    (``woonservicezones.pipeline``) and None returned."""
    if report.outcome != "applied" or dataset.is_empty or not settings.snapshot_imports:
        return None
    from geo.profiel.snapshots import record_snapshot

    try:
        analysis = analysed() if analysed is not None else None
        if analysis is None:
            progress("Keeping a coverage snapshot of the new analysis ...")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                analysis = analyse(dataset, settings, network=network())
        snapshot, _ = record_snapshot(analysis, store.path, report.store_version, store.log)
    except Exception:
        logger.exception(
            "import %s was applied, but keeping its coverage snapshot failed", report.id
        )
        return None
    return str(snapshot["id"])


def _addresses_plan(
    store: Store, parsed: AddressesInput, name: str, progress: Progress
) -> Callable[[], Planned[gpd.GeoDataFrame]]:
    """Under the lock: the address table beside the store replaced by the new one's addresses
    near the stored buurten."""

    def plan() -> Planned[gpd.GeoDataFrame]:
        dataset = store.read()
        area = None if dataset.is_empty else shapely.box(*dataset.buurten.total_bounds)
        planned = plan_addresses(address_file(store.path), parsed.table, area, where=name)
        progress(
            f"  {len(parsed.table):,} addresses read, {len(planned.value):,} within "
            f"{IMPORT_MARGIN_M:.0f} m of the buurten"
        )
        return planned

    return plan


def _with_network(
    parsed: ReadInput,
    report: ImportReport,
    settings: Settings,
    progress: Progress,
    on_objects: Callable[[int], None] | None,
) -> Network | None:
    """The walking network of a sample or gemeente import, made the active one (a sample
    without one leaves no network active)."""
    if not isinstance(parsed, WholeInput) or report.outcome not in ("applied", "unchanged"):
        return None
    if parsed.extract is None:
        network_cache(settings).clear_active()
        return None
    return build_network(settings, parsed.extract, progress=progress, on_objects=on_objects)


def _plan(
    store: Store, request: ImportRequest, parsed: ReadInput, progress: Progress
) -> Planned[Dataset]:
    """Under the lock: the store read once, combined with the input, zoned and joined."""
    before = store.read()
    after = _combined(before, request, parsed)
    progress("Checking zones and joining voorzieningen to buurten ...")
    dataset = replace(assemble(*after[:3]), provenance=after[3])
    changes = diff_datasets(before, dataset)
    changed = any(c.changed for c in changes.values()) or before.definition != dataset.definition

    def write() -> None:
        progress(f"Writing {store.path if isinstance(store, GeoPackageStore) else store} ...")
        store.write(dataset)

    return Planned(dataset, changes, changed, write)


Combined = tuple[gpd.GeoDataFrame, ZoneDefinition | None, gpd.GeoDataFrame, Provenance]


def _combined(before: Dataset, request: ImportRequest, parsed: ReadInput) -> Combined:
    """Buurten, zone definition, voorzieningen and provenance after the import."""
    mode = request.options.mode
    if isinstance(parsed, WholeInput):
        return parsed.buurten, parsed.definition, parsed.voorzieningen, parsed.provenance
    provenance = provenance_after(before.provenance, _read_from(request), mode)
    if isinstance(parsed, BuurtenInput):
        buurten = buurten_after(before, parsed.loaded.frame, mode, request.name)
        return buurten, before.definition, before.voorzieningen, provenance
    before.require_buurten()
    if isinstance(parsed, ZonesInput):
        definition = zones_after(before.definition, parsed.definition, mode)
        return before.buurten, definition, before.voorzieningen, provenance
    assert isinstance(parsed, VoorzieningenInput)
    voorzieningen = voorzieningen_after(before, parsed.frame, mode)
    return before.buurten, before.definition, voorzieningen, provenance


def _read_from(request: ImportRequest) -> LayerSource:
    """A layer's source after a plain import: the file's name (a body: ``where``), not
    synthetic."""
    name = (
        Path(request.source).name
        if isinstance(request.source, str | Path)
        else request.where or "request body"
    )
    return LayerSource(layer=request.kind, source=name)


def assemble(
    buurten: gpd.GeoDataFrame,
    definition: ZoneDefinition | None,
    voorzieningen: gpd.GeoDataFrame,
) -> Dataset:
    """Zone the buurten, dissolve the zones and join the voorzieningen.

    Raises :class:`~geo.errors.ZoneDefinitionError` if the definition does not fit the buurten;
    warns (:class:`~geo.errors.DataQualityWarning`) about buurten in no zone and voorzieningen
    outside every zone.
    """
    # CBS's own distances (cbs_<category>_km, km) travel with the buurten to the store and API.
    columns = [*BUURT_COLUMNS, *cbs_distance_columns(buurten.columns), "geometry"]
    buurten = buurten[columns].copy()
    if definition is not None and not buurten.empty:
        buurten["zone_code"] = assign_zones(buurten, definition)
        zones = dissolve_zones(buurten, buurten["zone_code"], definition)
    else:
        buurten["zone_code"] = pd.Series(pd.NA, index=buurten.index, dtype="string")
        zones = empty_zones(buurten.crs)
    voorzieningen = with_voorziening_details(voorzieningen)[
        [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
    ]
    if not voorzieningen.empty and not buurten.empty:
        voorzieningen = join_voorzieningen(voorzieningen, buurten)
    else:
        voorzieningen = voorzieningen.assign(
            bu_code=pd.Series(pd.NA, index=voorzieningen.index, dtype="string"),
            zone_code=pd.Series(pd.NA, index=voorzieningen.index, dtype="string"),
        )
    return Dataset(buurten, zones, voorzieningen, definition)


# --------------------------------------------------------------------------- the time axis
# (issue 14: CBS figures of several years, own indicators, coverage snapshots, wijkprofielen)


def import_statistics(
    store_path: Path,
    table_path: Path,
    settings: Settings,
    *,
    year: int | None = None,
    replace_year: bool = False,
    caller: Caller = CLI,
    described: ImportInput | None = None,
) -> ImportReport:
    """Import one year's CBS table into the store's history as one logged transaction
    (:func:`geo.profiel.history_import.plan_statistics`); refused input leaves it unchanged."""
    from geo.profiel.history_import import plan_statistics
    from geo.read.statistics import read_year_table

    source = described or ImportInput.of_file(Path(table_path))
    base = new_report(
        "statistics", source, mode="replace" if replace_year else "add", dry_run=False,
        caller=caller,
    )  # fmt: skip
    log = ImportLog.beside(store_path)
    try:
        with captured_warnings() as caught:
            table = read_year_table(
                Path(table_path), vocabulary=settings.vocabulary, year=year,
                where=source.file_name,
            )  # fmt: skip
    except Exception as exc:
        record_refusal(log, base, exc, store_path=store_path)
        raise
    base = replace(base, warnings=tuple(caught))
    report, _ = run_transaction(
        store_path,
        base,
        lambda: plan_statistics(
            store_path, table, import_id=base.id, sha256=source.sha256, replace_year=replace_year
        ),
        log=log,
    )
    return report


def snapshot_analysis(analysis: Analysis, settings: Settings) -> tuple[dict[str, Any], bool]:
    """Keep a dated coverage snapshot of ``analysis`` of the store (unless the last one
    already describes the same store version, norms and distance source)."""
    from geo.profiel.snapshots import record_snapshot
    from geo.store.log import store_version

    return record_snapshot(analysis, settings.store_path, store_version(settings.store_path))


def import_indicators(
    store_path: Path, csv_path: Path, *, caller: Caller = CLI, described: ImportInput | None = None
) -> ImportReport:
    """Replace the store's own indicators with a CSV's (:mod:`geo.profiel.indicators`), every
    row checked against the stored areas, as one logged transaction."""
    from geo.profiel.indicators import read_indicators
    from geo.store.history import read_history, write_history

    source = described or ImportInput.of_file(Path(csv_path))
    base = new_report("indicators", source, mode="replace", dry_run=False, caller=caller)

    def plan() -> Planned[object]:
        dataset, history = GeoPackageStore(store_path).read(), read_history(store_path)
        known = set(history.values["area_code"].dropna()) | set(dataset.zones["zone_code"].dropna())
        for column in ("bu_code", "wk_code", "gm_code"):
            known |= set(dataset.buurten[column].dropna()) if column in dataset.buurten else set()
        frame = read_indicators(Path(csv_path), known, where=source.file_name)
        frame = frame.assign(import_id=base.id)
        after = replace(history, indicators=frame)
        changes = {"indicators": LayerChanges(added=len(frame), removed=len(history.indicators))}
        return Planned(after, changes, True, lambda: write_history(store_path, after))

    report, _ = run_transaction(store_path, base, plan)
    return report


def profiel_of(
    analysis: Analysis, settings: Settings, code: str, *, year: int | None = None,
    lang: str = "nl",
) -> dict[str, Any]:  # fmt: skip
    """The wijkprofiel of ``code`` (:func:`geo.profiel.build.build_profiel`), after keeping a
    snapshot of this analysis (so its coverage is on the trend)."""
    from geo.profiel.build import build_profiel
    from geo.profiel.snapshots import read_snapshots
    from geo.store.history import read_history

    snapshot_analysis(analysis, settings)
    history = read_history(settings.store_path)
    snapshots = read_snapshots(settings.store_path)
    return build_profiel(analysis, history, snapshots, code, year=year, lang=lang)


def profiel_of_figures(
    settings: Settings, code: str, *, year: int | None = None, lang: str = "nl"
) -> dict[str, Any]:
    """The wijkprofiel of a gemeente or wijk from the stored figures alone, for a store with
    years of CBS tables but no buurt polygons of it (:func:`geo.profiel.build.figures_profiel`:
    no map, no coverage)."""
    from geo.profiel.build import figures_profiel
    from geo.store.history import read_history

    history = read_history(settings.store_path)
    return figures_profiel(history, settings.vocabulary, code, year=year, lang=lang)


# --------------------------------------------------------------------------- what-if (issue 13)


def whatif_reach(
    analysis: Analysis, sites: gpd.GeoSeries, limit_m: float, *, progress: Progress = silent
) -> Reach:
    """Which resident points each site reaches within ``limit_m`` metres, by the analysis's
    own distance (walking over its network, else straight lines); RD New."""
    site_points = np.asarray(sites.values, dtype=object)
    demand = np.asarray(analysis.points.geometry.values, dtype=object)
    source = analysis.distance_source()
    if not isinstance(source, WalkingDistance):
        return straight_reach(site_points, demand, limit_m)
    graph = source.graph
    return walking_reach(
        graph,
        (site_points, snap_points(graph, site_points, source.snap_limit_m)),
        (demand, source.snap(demand)),
        limit_m,
        progress=progress,
    )


def _whatif_norm(analysis: Analysis, category: str, norm_m: float | None) -> float:
    if category not in analysis.vocabulary.codes:
        known = ", ".join(analysis.vocabulary.codes)
        raise NotFoundError(f"unknown category {category!r}; known: {known}")
    norm = analysis.vocabulary[category].threshold_m if norm_m is None else norm_m
    if not norm > 0:
        raise QueryError(f"the norm must be more than 0 m, got {norm}")
    return float(norm)


def whatif_place(
    analysis: Analysis,
    category: str,
    candidates: gpd.GeoDataFrame,
    k: int,
    *,
    options: PlaceOptions | None = None,
    progress: Progress = silent,
) -> Placement:
    """Choose ``k`` of ``candidates`` (RD New, with ``id``) bringing the most residents (or
    65+) within the norm of ``category``, the existing voorzieningen kept (MCLP)."""
    options = options or PlaceOptions()
    norm = _whatif_norm(analysis, category, options.norm_m)
    check_candidates(candidates, k)
    points = analysis.points
    weight = points[options.weight].to_numpy(dtype=float)
    fixed = analysis.dataset.voorzieningen
    fixed = fixed[fixed["category"] == category]
    origins = np.asarray(points.geometry.values, dtype=object)
    distance = analysis.distance_source().nearest(origins, np.asarray(fixed.geometry.values))
    before = beyond(np.where(np.isfinite(distance.distance_m), distance.distance_m, np.nan), norm)
    progress(f"Walking from {len(candidates):,} candidates (limit {norm:.0f} m) ...")
    reach = whatif_reach(analysis, candidates.geometry, norm, progress=progress)
    reduced = reduce_demand(weight, ~before, reach.matrix())
    progress(f"Solving for k = {k}: {reduced.matrix.shape[0]:,} demand groups ...")
    solution = solve_mclp(reduced, k, method=options.method, time_limit_s=options.time_limit_s)
    newly = before & (reduced.group >= 0)
    newly &= np.isin(reduced.group, np.flatnonzero(reduced.matrix[:, solution.chosen].sum(axis=1)))
    by_zone, by_buurt = newly_covered(areas_of(points, analysis.dataset.buurten), weight, newly)
    total = max(float(weight.sum()), 1e-12)
    return Placement(
        category,
        norm,
        options.weight,
        solution,
        chosen_sites(candidates, solution, analysis.dataset.buurten),
        by_zone,
        by_buurt,
        float(weight[before].sum()) / total,
        float(weight[before & ~newly].sum()) / total,
        tuple(candidates["id"].astype(str)[reach.site_off_network]),
    )


def whatif_closure_ranking(
    analysis: Analysis, category: str, *, norm_m: float | None = None
) -> pd.DataFrame:
    """Every voorziening of ``category`` ranked by the residents (and 65+) who would fall
    beyond the norm without it (those it alone covers)."""
    norm = _whatif_norm(analysis, category, norm_m)
    facilities = analysis.dataset.voorzieningen
    facilities = facilities[facilities["category"] == category].reset_index(drop=True)
    if facilities.empty:
        raise NotFoundError(f"no voorzieningen of {category} to close")
    reach = whatif_reach(analysis, facilities.geometry, norm)
    points = analysis.points
    dep = dependence(
        reach,
        points["residents"].to_numpy(dtype=float),
        points["residents_65plus"].to_numpy(dtype=float),
    )
    return ranking_frame(facilities, dep)


# --------------------------------------------------------------------------- batch (wsz batch)


@dataclass(frozen=True)
class GemeenteFigures:
    """One gemeente of a batch: its analysis (buurt, zone and "all zones" figures, as
    ``wsz coverage`` gives them) and the same figures grouped by wijk (``wijken.zones``,
    keyed by ``zone_code`` = the WK code; ``wijken.gemeente``: every buurt of the gemeente)."""

    analysis: Analysis
    wijken: Coverage


def analyse_gemeente(
    buurten: gpd.GeoDataFrame,
    definition: ZoneDefinition | None,
    voorzieningen: gpd.GeoDataFrame,
    part: ExtractPart,
    settings: Settings,
) -> GemeenteFigures:
    """The chain of one gemeente of ``wsz batch``: its network from its part of the extract
    (buurten + 1 km), its zones (``definition``, else one per wijk), residents placed and
    walking coverage of every category, exactly as :func:`analyse` does for one gemeente."""
    gemeente = str(buurten["gm_code"].iloc[0])
    dataset = assemble(buurten, definition or zones_per_wijk(buurten, gemeente), voorzieningen)
    analysis = analyse(dataset, settings, network=part_network(part))
    by_wijk = dataset.buurten.assign(zone_code=dataset.buurten["wk_code"])
    straight = StraightLineDistance()
    compare = straight if analysis.source.name != straight.name else None
    wijken, _ = compute_coverages(
        analysis.points,
        by_wijk,
        dataset.voorzieningen,
        analysis.vocabulary,
        analysis.source,
        compare,
    )
    return GemeenteFigures(analysis, wijken)


def whatif_candidates(
    analysis: Analysis, area_code: str | None, spacing_m: float
) -> gpd.GeoDataFrame:
    """Candidate sites: the walking network's nodes inside a zone or buurt (``area_code``;
    None: every buurt) thinned to one per ``spacing_m`` square; RD New."""
    if analysis.network is None:
        raise NoNetworkError("generated candidates are network nodes; build a network first")
    buurten = analysis.dataset.buurten
    if area_code is None:
        area = shapely.union_all(buurten.geometry.values)
    elif area_code in set(buurten["bu_code"]):
        area = buurten.geometry[buurten["bu_code"] == area_code].iloc[0]
    elif area_code in set(buurten["zone_code"].dropna()):
        area = shapely.union_all(buurten.geometry[buurten["zone_code"] == area_code].values)
    else:
        raise NotFoundError(f"no zone or buurt {area_code!r}")
    graph = analysis.walking().graph
    return thinned_nodes(graph.node_x, graph.node_y, area, spacing_m)


# --------------------------------------------------------------- what-if: closing (issue 13)


def whatif_closure(
    analysis: Analysis, ids: Sequence[str], *, norm_m: float | None = None
) -> ClosureImpact:
    """What if the voorzieningen ``ids`` (all of one category) close: the residents and 65+
    who lose coverage (within the norm now, of none that stays open), per zone and buurt,
    and their new walking distance (m) to the nearest that stays open."""
    closed = tuple(dict.fromkeys(str(i) for i in ids))
    if not closed:
        raise QueryError("name at least one voorziening id to close")
    facilities = analysis.dataset.voorzieningen
    known = facilities["id"].astype(str)
    missing = [i for i in closed if i not in set(known)]
    if missing:
        raise NotFoundError(f"no voorziening with id {', '.join(map(repr, missing[:10]))}")
    categories = sorted(set(facilities.loc[known.isin(closed), "category"].astype(str)))
    if len(categories) > 1:
        raise QueryError(f"close voorzieningen of one category at a time, got {categories}")
    category = categories[0]
    norm = _whatif_norm(analysis, category, norm_m)
    same = facilities[facilities["category"] == category].reset_index(drop=True)
    closing = same["id"].astype(str).isin(closed).to_numpy()
    reach = whatif_reach(analysis, same.geometry, norm)
    losing = losing_coverage(reach, closing)
    covered_now = np.bincount(reach.demand, minlength=reach.n_demand) > 0
    distance = np.full(len(analysis.points), np.inf)
    staying = np.asarray(same.geometry.values[~closing], dtype=object)
    if losing.any() and len(staying):
        origins = np.asarray(analysis.points.geometry.values[losing], dtype=object)
        distance[losing] = analysis.distance_source().nearest(origins, staying).distance_m
    by_zone, by_buurt, (lost, lost_65, before) = closure_impact(
        analysis.points, analysis.dataset.buurten, covered_now, losing, distance
    )
    total = max(float(analysis.points["residents"].sum()), 1e-12)
    return ClosureImpact(
        category, norm, closed, int(losing.sum()), lost, lost_65, before,
        before + lost / total, by_zone, by_buurt,
    )  # fmt: skip
