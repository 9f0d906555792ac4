"""The one place where the stages are chained: read → zones → join → network → coverage → store.

* :func:`analyse` places residents and measures coverage of a dataset, by walking where a
  street network covers its buurten (straight lines otherwise, and the answer says so);
* :func:`run_import` is every import — CLI, HTTP, samples, a gemeente's real data, BAG
  addresses — as one transaction: read and check the input (no lock held), then under the
  store's lock read the store once, combine, zone and join, compare, write atomically, log;
* :func:`build_network` / :func:`load_network` make and find the walking network;
* the time axis (issue 14): :func:`import_statistics`, :func:`import_indicators`,
  :func:`snapshot_analysis`, :func:`profiel_of`, :func:`profiel_of_figures`;
* what-if (issue 13): :func:`whatif_place` (MCLP), :func:`whatif_median` (p-median),
  :func:`whatif_norms` (presence norms), :func:`whatif_closure_ranking`,
  :func:`whatif_closure`, :func:`whatif_candidates` over :func:`whatif_reach`;
* what-if scenarios (issue 13): :func:`whatif_scenario` (an answer as a named scenario),
  :func:`save_scenario` (:func:`refuse_scenario`), :func:`delete_scenario`, :func:`find_scenario`,
  :func:`scenario_gaps` and the click on the map, :func:`whatif_evaluate`;
* the batch (issue 16): :func:`analyse_gemeente`, one gemeente's chain for ``wsz batch``.

The CLI, the API and the maps call these, never the stages directly.
"""

# Over 400 lines (about 910) on purpose: every chain of stages lives here and nowhere else;
# each section is short and calls into its stage package (geo.profiel, geo.whatif, geo.batch).

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.analysis import Analysis, coverage_notes, extract_cover_notes, synthetic_note
from geo.ask.locate import Location, analysis_index, locate
from geo.ask.search import AddressIndex, build_index
from geo.batch.split import ExtractPart, part_network
from geo.common.progress import Progress, silent
from geo.coverage.distance import DistanceSource, StraightLineDistance, WalkingDistance
from geo.coverage.figures import Coverage, beyond, compute_coverages
from geo.coverage.gaps import gap_polygons
from geo.coverage.population import resident_points
from geo.coverage.presence import in_zone, norms_for, presence_check, presence_gaps
from geo.crs import WORKING_CRS
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
from geo.store.scenarios import refuse_taken
from geo.store.transaction import Hooks, Planned, captured_warnings, record_refusal, run_transaction
from geo.vocabulary import PresenceLevel, Vocabulary
from geo.whatif.candidates import building_sites, check_candidates, thinned_nodes
from geo.whatif.closing import ClosureImpact, closure_impact
from geo.whatif.closure import dependence, losing_coverage
from geo.whatif.curve import gain_curve
from geo.whatif.mclp import reduce_demand, solve_mclp
from geo.whatif.median import (
    MEDIAN_LIMIT_M,
    MedianPlacement,
    distance_after,
    mean_by_zone,
    served_by,
    weighted_mean,
)
from geo.whatif.pmedian import savings_matrix, solve_pmedian
from geo.whatif.presence import candidate_codes, filled_areas, presence_pools
from geo.whatif.reach import Demand, Reach, demand_of, straight_reach, walking_reach
from geo.whatif.report import (
    Placement,
    PlaceOptions,
    areas_of,
    chosen_sites,
    newly_covered,
    ranking_frame,
    site_areas,
    with_addresses,
)
from geo.whatif.scenarios import (
    MEAN_AFTER,
    MEAN_BEFORE,
    Scenario,
    ScenarioKind,
    SiteValue,
    StaleScenarioError,
    check_name,
    cover_figures,
    reached,
    site_value,
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
        gap_builder=lambda: gap_polygons(points, dataset.buurten, coverage, vocabulary),
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
        _sample_addresses(store, parsed, report, progress)
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


def _sample_addresses(
    store: Store, parsed: ReadInput, report: ImportReport, progress: Progress
) -> None:
    """Under the lock, after a sample import: the address table beside the store replaced by
    the sample's addresses; a sample without addresses removes a table that came from a sample
    (every row synthetic) and leaves an imported BAG table alone."""
    if not isinstance(parsed, WholeInput) or report.outcome not in ("applied", "unchanged"):
        return
    target = address_file(store.path)
    if parsed.addresses is None:
        stored = read_addresses(target)
        if stored is not None and bool((stored["source"] == "synthetic").all()):
            target.unlink(missing_ok=True)
        return
    area = shapely.box(*parsed.buurten.total_bounds) if not parsed.buurten.empty else None
    planned = plan_addresses(target, parsed.addresses, area, where=report.file_name)
    if planned.changed:
        planned.write()
    progress(f"  {len(planned.value):,} addresses for the address search ({target.name})")


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
    demand = whatif_demand(analysis)
    source = analysis.distance_source()
    if not isinstance(source, WalkingDistance):
        return straight_reach(site_points, demand, limit_m)
    graph = source.graph
    return walking_reach(
        graph,
        (site_points, snap_points(graph, site_points, source.snap_limit_m)),
        demand,
        limit_m,
        progress=progress,
    )


def locate_at(analysis: Analysis, lon: float, lat: float, source: DistanceSource) -> Location:
    """What lies at WGS84 ``lon``/``lat``: buurt, zone and the nearest voorziening of each
    category by ``source`` (metres); the arrays it reads are built once per analysis."""
    return locate(lon, lat, analysis_index(analysis), source)


def whatif_demand(analysis: Analysis) -> Demand:
    """The analysis's resident points as what-if demand (their k-d tree and, walking, their
    snapping): built once per analysis (``analysis.derived``), shared by every click."""

    def build() -> Demand:
        points = np.asarray(analysis.points.geometry.values, dtype=object)
        source = analysis.distance_source()
        snapped = source.snap(points) if isinstance(source, WalkingDistance) else None
        return demand_of(points, snapped)

    return analysis.derived.get("whatif.demand", build)


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
    addresses: AddressIndex | None = None,
    progress: Progress = silent,
) -> Placement:
    """Choose ``k`` of ``candidates`` (RD New, with ``id``) bringing the most residents (or
    65+) within the norm of ``category``, the existing voorzieningen kept (MCLP); with
    ``options.presence``, a site in every wijk/zone without one. The answer has the gain curve
    for k = 1…K and each site's nearest address in ``addresses`` (where given)."""
    options = options or PlaceOptions()
    norm = _whatif_norm(analysis, category, options.norm_m)
    check_candidates(candidates, k)
    gaps, codes = _presence_gaps(analysis, category, candidates, options.presence, k)
    points = analysis.points
    weight = points[options.weight].to_numpy(dtype=float)
    distance_m = _distance_now(analysis, category)
    before = beyond(np.where(np.isfinite(distance_m), distance_m, np.nan), norm)
    progress(f"Walking from {len(candidates):,} candidates (limit {norm:.0f} m) ...")
    reach = whatif_reach(analysis, candidates.geometry, norm, progress=progress)
    areas = presence_pools(gaps, codes, ~reach.site_off_network, k) if len(gaps) else []
    reduced = reduce_demand(weight, ~before, reach.matrix())
    progress(f"Solving for k = 1…{k}: {reduced.matrix.shape[0]:,} demand groups ...")
    solution = solve_mclp(
        reduced, k, method=options.method, areas=areas, time_limit_s=options.time_limit_s
    )
    newly = before & (reduced.group >= 0)
    newly &= np.isin(reduced.group, np.flatnonzero(reduced.matrix[:, solution.chosen].sum(axis=1)))
    by_zone, by_buurt = newly_covered(_whatif_areas(analysis), weight, newly)
    total = max(float(weight.sum()), 1e-12)
    sites = chosen_sites(candidates, solution, analysis.dataset.buurten)
    return Placement(
        category,
        norm,
        options.weight,
        solution,
        with_addresses(sites, addresses),
        by_zone,
        by_buurt,
        float(weight[before].sum()) / total,
        float(weight[before & ~newly].sum()) / total,
        tuple(candidates["id"].astype(str)[reach.site_off_network]),
        gain_curve(
            reduced,
            solution,
            method=options.method,
            areas=areas,
            time_limit_s=options.time_limit_s,
            beyond=(float(weight[before].sum()), total),
        ),
        filled_areas(gaps, codes, solution.chosen, candidates["id"].astype(str).tolist()),
        addresses is not None and len(addresses) > 0,
    )


def whatif_median(
    analysis: Analysis,
    category: str,
    candidates: gpd.GeoDataFrame,
    k: int,
    *,
    options: PlaceOptions | None = None,
    addresses: AddressIndex | None = None,
    progress: Progress = silent,
) -> MedianPlacement:
    """Choose ``k`` of ``candidates`` (RD New, with ``id``) that shorten the residents' (or
    65+) weighted mean walking distance to the nearest voorziening of ``category`` most, the
    existing ones kept (p-median): exact ILP on small inputs, else greedy + vertex
    substitution with the LP bound (``options.method``: ``greedy`` asks for the heuristic)."""
    options = options or PlaceOptions()
    _whatif_norm(analysis, category, None)
    if options.presence:
        raise QueryError("presence norms constrain the coverage objective only, not distance")
    check_candidates(candidates, k)
    weight = analysis.points[options.weight].to_numpy(dtype=float)
    base = _distance_now(analysis, category)
    finite = base[np.isfinite(base)]
    limit = max(1.0, min(MEDIAN_LIMIT_M, float(finite.max()) if finite.size else MEDIAN_LIMIT_M))
    progress(f"Walking from {len(candidates):,} candidates (limit {limit:.0f} m) ...")
    reach = whatif_reach(analysis, candidates.geometry, limit, progress=progress)
    pairs = (reach.site, reach.demand, reach.distance_m)
    capped = np.minimum(base, limit)
    savings = savings_matrix(weight, capped, pairs, len(candidates))
    progress(f"Solving for k = {k}: {savings.nnz:,} improving pairs ...")
    method = "heuristic" if options.method == "greedy" else options.method
    solution = solve_pmedian(savings, k, method=method, time_limit_s=options.time_limit_s)
    after = distance_after(base, pairs, solution.chosen)
    served, saved = served_by(savings, solution.chosen, weight)
    order = np.argsort(-served, kind="stable")
    solution = replace(solution, chosen=solution.chosen[order])
    sites = site_areas(candidates, solution.chosen, analysis.dataset.buurten)
    sites.insert(2, "served", served[order])
    sites.insert(3, "saved_m", saved[order])
    mean_after = weighted_mean(weight, after)
    reaching = float(weight[np.isfinite(after)].sum())
    slack = (solution.bound - solution.saving) / reaching if reaching > 0 else 0.0
    return MedianPlacement(
        category,
        options.weight,
        limit,
        solution,
        with_addresses(sites, addresses),
        weighted_mean(weight, base),
        mean_after,
        None if mean_after is None else mean_after - slack,
        float(weight[~np.isfinite(base)].sum()),
        float(weight[~np.isfinite(after)].sum()),
        mean_by_zone(analysis.points, analysis.dataset.buurten, weight, (base, after)),
        tuple(candidates["id"].astype(str)[reach.site_off_network]),
        addresses is not None and len(addresses) > 0,
    )


def _distance_now(analysis: Analysis, category: str) -> np.ndarray:
    """Each resident point's distance (m) to the nearest voorziening of ``category`` today,
    by the analysis's own measure (inf where none is reachable)."""
    fixed = analysis.dataset.voorzieningen
    fixed = fixed[fixed["category"] == category]
    origins = np.asarray(analysis.points.geometry.values, dtype=object)
    found = analysis.distance_source().nearest(origins, np.asarray(fixed.geometry.values))
    return np.asarray(found.distance_m, dtype=float)


def _presence_gaps(
    analysis: Analysis,
    category: str,
    candidates: gpd.GeoDataFrame,
    levels: Sequence[str],
    k: int,
) -> tuple[pd.DataFrame, dict[PresenceLevel, np.ndarray]]:
    """The areas of ``levels`` without a voorziening of ``category`` (each must receive a
    site) and every candidate's wijk and zone; refused before any walking when more areas
    than ``k`` lack one."""
    codes = candidate_codes(candidates, analysis.dataset.buurten)
    if not levels:
        return pd.DataFrame(columns=["level", "area_code", "area_name", "residents"]), codes
    gaps = presence_gaps(whatif_norms(analysis, [category], levels))
    if len(gaps) > k:
        presence_pools(gaps, codes, np.ones(len(candidates), dtype=bool), k)
    return gaps, codes


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
    analysis: Analysis,
    area_code: str | None,
    spacing_m: float | None = None,
    *,
    source: Literal["nodes", "buildings"] = "nodes",
) -> gpd.GeoDataFrame:
    """Candidate sites inside a zone or buurt (``area_code``; None: every buurt): the walking
    network's nodes thinned to one per ``spacing_m`` square (default 100 m), or every
    building of the network's OSM extract (``source="buildings"``; thinned only where
    ``spacing_m`` is given); RD New."""
    if analysis.network is None:
        raise NoNetworkError(
            f"generated candidates come from the walking network's {source}; build a network "
            "first (wsz network build EXTRACT)"
        )
    buurten = analysis.dataset.buurten
    if area_code is None:
        area = shapely.union_all(buurten.geometry.values)
    elif area_code in set(buurten["bu_code"]):
        area = buurten.geometry[buurten["bu_code"] == area_code].iloc[0]
    elif area_code in set(buurten["zone_code"].dropna()):
        area = shapely.union_all(buurten.geometry[buurten["zone_code"] == area_code].values)
    else:
        raise NotFoundError(f"no zone or buurt {area_code!r}")
    if source == "buildings":
        found = building_sites(analysis.network.buildings, area, spacing_m)
        if found.empty:
            raise QueryError(
                f"the OSM extract has no buildings inside {area_code or 'the buurten'}; "
                "generate network nodes instead or send candidates"
            )
        return found
    graph = analysis.walking().graph
    return thinned_nodes(
        graph.node_x, graph.node_y, area, 100.0 if spacing_m is None else spacing_m
    )


# --------------------------------------------------------------- what-if: presence (issue 13)


def whatif_norms(
    analysis: Analysis,
    categories: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
    *,
    zone_code: str | None = None,
) -> pd.DataFrame:
    """The presence norms ("at least one <category> in every wijk / zone") checked per area:
    every declared norm (or those of ``categories`` × ``levels``), one row per area with the
    voorzieningen of the category in it and whether the norm is met
    (:data:`geo.coverage.presence.PRESENCE_COLUMNS`); with ``zone_code``, only that zone
    and the wijken with a buurt in it (:class:`NotFoundError` for an unknown zone)."""
    dataset = analysis.dataset
    norms = norms_for(analysis.vocabulary, categories, levels)
    check = presence_check(dataset.buurten, dataset.zones, dataset.voorzieningen, norms)
    if zone_code is None:
        return check
    dataset.zone(zone_code)
    return in_zone(check, dataset.buurten, zone_code)


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


# ------------------------------------------------------------ what-if: scenarios (issue 13)


def _covered_now(analysis: Analysis, category: str, norm_m: float) -> NDArray[np.bool_]:
    """Resident points within ``norm_m`` of a voorziening of ``category`` today, by the
    analysis's own distances (those of its coverage figures)."""
    distance = analysis.coverage.point_distances[category].to_numpy(dtype=float)
    return ~beyond(distance, norm_m)


def _whatif_areas(analysis: Analysis) -> pd.DataFrame:
    """``bu_code`` and ``zone_code`` of each resident point (:func:`areas_of`), once per
    analysis (``analysis.derived``; read-only: callers derive new frames from it)."""
    return analysis.derived.get(
        "whatif.areas", lambda: areas_of(analysis.points, analysis.dataset.buurten)
    )


def _weights(points: gpd.GeoDataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    return (
        points["residents"].to_numpy(dtype=float),
        points["residents_65plus"].to_numpy(dtype=float),
    )


def whatif_evaluate(
    analysis: Analysis, category: str, site: shapely.Point, *, norm_m: float | None = None
) -> SiteValue:
    """ "A new voorziening of ``category`` here" (``site``, RD New): the residents and 65+ it
    would newly bring within the norm, in total and per zone — one bounded walk from it."""
    norm = _whatif_norm(analysis, category, norm_m)
    reach = whatif_reach(analysis, gpd.GeoSeries([site], crs=WORKING_CRS), norm)
    weights = _weights(analysis.points)
    return site_value(
        category, _whatif_areas(analysis), weights, _covered_now(analysis, category, norm), reach
    )


def scenario_cover(
    analysis: Analysis, category: str, norm_m: float, added: gpd.GeoSeries, closed: Sequence[str]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per resident point: within the norm today, and after adding the sites ``added``
    (RD New) and closing the voorzieningen ``closed`` (ids)."""
    before = _covered_now(analysis, category, norm_m)
    after = before.copy()
    if len(closed):
        facilities = analysis.dataset.voorzieningen
        facilities = facilities[facilities["category"] == category].reset_index(drop=True)
        reach = whatif_reach(analysis, facilities.geometry, norm_m)
        after &= ~losing_coverage(reach, facilities["id"].astype(str).isin(closed).to_numpy())
    if len(added):
        after |= reached(whatif_reach(analysis, added, norm_m))
    return before, after


def whatif_scenario(
    analysis: Analysis,
    name: str,
    parts: tuple[ScenarioKind, dict[str, Any], gpd.GeoDataFrame],
    *,
    version: str | None,
    solution: dict[str, Any] | None = None,
    zone_means: pd.DataFrame | None = None,
) -> Scenario:
    """A what-if answer as the named scenario ``name`` (``parts``: kind, request and sites of
    :func:`geo.whatif.scenarios.placement_parts` / ``median_parts`` / ``closure_parts``), with
    its figures per zone and buurt; ``version``: the store version the analysis was read from;
    ``zone_means``: a distance placement's mean walking distance per zone (``zone_code``,
    ``mean_before_m``, ``mean_after_m``; :attr:`MedianPlacement.by_zone`), added to its
    ``by_zone``. Not stored (:func:`save_scenario` does)."""
    kind, request, sites = parts
    check_name(name)
    category = str(request["category"])
    norm = _whatif_norm(analysis, category, request.get("norm_m"))
    added = sites.geometry[(sites["role"] == "chosen").to_numpy()]
    closed = tuple(sites["id"][sites["role"] == "closed"].astype(str))
    before, after = scenario_cover(analysis, category, norm, added, closed)
    weights = _weights(analysis.points)
    by_zone, by_buurt, totals = cover_figures(_whatif_areas(analysis), weights, before, after)
    if zone_means is not None:
        means = zone_means[["zone_code", MEAN_BEFORE, MEAN_AFTER]].round(1)
        by_zone = by_zone.merge(means, on="zone_code", how="left")
    created = pd.Timestamp.now("UTC").isoformat(timespec="seconds").replace("+00:00", "Z")
    return Scenario(
        name, kind, created, version, {**request, "norm_m": norm}, {**totals, **(solution or {})},
        by_zone, by_buurt, sites,
    )  # fmt: skip


def _scenario_report(name: str, payload: bytes, mode: str, caller: Caller) -> ImportReport:
    source = ImportInput.of_bytes(name, payload)
    return new_report("scenario", source, mode=mode, dry_run=False, caller=caller)


def refuse_scenario(
    store: Store, name: str, error: Exception, *, replace: bool = False, caller: Caller = CLI
) -> ImportReport:
    """Log a save of the scenario ``name`` refused before its transaction ran (a bad or
    taken name, a stale version: checked before the work); nothing was stored."""
    base = _scenario_report(name[:200], b"", "replace" if replace else "add", caller)
    return record_refusal(store.log, base, error, store_path=store)


def save_scenario(
    store: Store, scenario: Scenario, *, replace: bool = False, caller: Caller = CLI
) -> ImportReport:
    """Keep ``scenario`` beside the real data (:mod:`geo.store.scenarios`) as one logged
    transaction: refused (:class:`ConflictError`) when the name is taken and ``replace`` is
    False, or when the store changed since the scenario was computed."""
    payload = json.dumps(scenario.request, sort_keys=True).encode()
    base = _scenario_report(scenario.name, payload, "replace" if replace else "add", caller)
    book = store.scenarios

    def plan() -> Planned[Scenario]:
        if scenario.is_stale(store.version()):
            raise StaleScenarioError(scenario.name, scenario.store_version, store.version())
        new = refuse_taken(book, scenario.name, replace) is None
        changes = {"scenario": LayerChanges(added=int(new), updated=int(not new))}
        return Planned(scenario, changes, True, lambda: book.put(scenario))

    report, _ = run_transaction(store, base, plan)
    return report


def delete_scenario(store: Store, name: str, *, caller: Caller = CLI) -> ImportReport:
    """Remove the scenario ``name`` as one logged transaction (:class:`NotFoundError` if
    there is none); the real data is never touched."""
    base = _scenario_report(name, name.encode(), "delete", caller)
    book = store.scenarios

    def plan() -> Planned[None]:
        if book.get(check_name(name)) is None:
            raise NotFoundError(f"no scenario {name!r}; {scenario_names(store)}")
        return Planned(None, {"scenario": LayerChanges(removed=1)}, True, lambda: book.remove(name))

    report, _ = run_transaction(store, base, plan)
    return report


def scenario_names(store: Store) -> str:
    """ "the scenarios are: a, b" (or "there are none yet"), for a not-found message."""
    names = [s.name for s in store.scenarios.all()]
    return f"the scenarios are: {', '.join(names[-20:])}" if names else "there are none yet"


def find_scenario(store: Store, name: str) -> Scenario:
    """The stored scenario ``name``; :class:`NotFoundError` listing the others."""
    found = store.scenarios.get(check_name(name))
    if found is None:
        raise NotFoundError(f"no scenario {name!r}; {scenario_names(store)}")
    return found


def scenario_gaps(
    analysis: Analysis, scenario: Scenario
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The gap polygons of the scenario's category and norm today and after it (RD New:
    where the residents beyond the norm live, :func:`geo.coverage.gaps.gap_polygons`)."""
    category, norm = scenario.category, scenario.norm_m
    sites = scenario.sites
    added = sites.geometry[(sites["role"] == "chosen").to_numpy()]
    closed = tuple(sites["id"][sites["role"] == "closed"].astype(str))
    covered = scenario_cover(analysis, category, norm, added, closed)
    vocabulary = Vocabulary(
        categories=(analysis.vocabulary[category].model_copy(update={"threshold_m": norm}),)
    )
    points = analysis.points

    def gaps(within: NDArray[np.bool_]) -> gpd.GeoDataFrame:
        distances = pd.DataFrame({category: np.where(within, 0.0, np.nan)}, index=points.index)
        coverage = replace(analysis.coverage, point_distances=distances)
        return gap_polygons(points, analysis.dataset.buurten, coverage, vocabulary)

    return gaps(covered[0]), gaps(covered[1])
