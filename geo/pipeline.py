"""The one place where the stages are chained: load → zones → join → distances → coverage.

Imports read and validate a file, assemble it with what the store holds (:func:`assemble`)
and write the result atomically: a failure anywhere leaves the store as it was.
:func:`analyse` adds resident points and coverage. The CLI, the API and the maps call these,
never the stages directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.ask.search import AddressIndex, build_index
from geo.coverage.distance import DistanceSource, StraightLineDistance, WalkingDistance
from geo.coverage.figures import Coverage, compute_coverages
from geo.coverage.gaps import gap_polygons
from geo.coverage.population import resident_points
from geo.errors import NetworkError, NoNetworkError, ValueProblemError
from geo.network.build import Network
from geo.network.build import build_network as build_walking_network
from geo.network.build import load_network as load_walking_network
from geo.network.cache import NetworkCache
from geo.network.rules import PROFILES
from geo.read.addresses import IMPORT_MARGIN_M, osm_addresses, read_bag_addresses, within_area
from geo.read.buurten import load_buurten, read_buurten, warn_incomplete_joins
from geo.read.checks import DEFAULT_LIMITS, Limits
from geo.read.samples import SampleManifest, VoorzieningenOptions, read_manifest, sample_buurten
from geo.read.vectors import Source
from geo.read.voorzieningen import (
    VOORZIENING_COLUMNS,
    VOORZIENING_DETAIL_COLUMNS,
    read_voorzieningen,
    with_voorziening_details,
)
from geo.store.addresses import address_file, read_addresses, write_addresses
from geo.store.dataset import Dataset, LayerSource, Provenance, assemble
from geo.store.diff import upsert_rows, upsert_zones
from geo.store.geopackage import GeoPackageStore
from geo.zones import ZoneDefinition, read_zone_definition, zones_per_wijk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from geo.settings import Settings
    from geo.vocabulary import Vocabulary


#: Receives one line of progress text per step (the CLI prints it; the API passes none).
Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    return None


@dataclass(frozen=True, eq=False)
class Analysis:
    """A dataset with its resident points and coverage, as served and mapped.

    ``coverage`` is by ``source``: walking over ``network`` where one is loaded (with the
    straight-line figures beside it), else straight lines. ``straight`` is always the
    straight-line coverage. ``gaps`` are the gap polygons of ``coverage`` (RD New); ``notes``
    say what the figures rest on (synthetic parts, unreachable points, missing categories).
    """

    dataset: Dataset
    vocabulary: Vocabulary
    points: gpd.GeoDataFrame
    coverage: Coverage
    source: DistanceSource = field(default_factory=StraightLineDistance)
    straight: Coverage | None = None
    network: Network | None = None
    gaps: gpd.GeoDataFrame | None = None
    notes: tuple[str, ...] = ()
    snap_limit_m: float = 250.0
    #: Walking speed (m/s) and isochrone margin (m) of the settings the analysis was made with.
    walking_speed_m_per_s: float = 0.8
    isochrone_buffer_m: float = 40.0
    _walking: dict[str, WalkingDistance] = field(default_factory=dict, repr=False)

    def coverage_by(self, distance: str | None = None) -> Coverage:
        """The coverage by ``distance`` (``walking``, ``straight_line``; None: the default)."""
        if distance is None or distance == self.coverage.source:
            return self.coverage
        if distance == "straight_line":
            return self.straight or self.coverage
        raise NoNetworkError(
            "no street network is loaded, so there are no walking distances; build one with "
            "`wsz network build EXTRACT` (or use distance=straight_line)"
        )

    def distance_source(self, distance: str | None = None, profile: str = "walk") -> DistanceSource:
        """The source for ``distance`` and ``profile``: walking over the network where asked
        for and loaded, straight lines where asked for."""
        if distance == "straight_line" or (distance is None and self.coverage.source != "walking"):
            return StraightLineDistance()
        return self.walking(profile)

    def walking(self, profile: str = "walk") -> WalkingDistance:
        """Walking distance over the network for ``profile``; :class:`NoNetworkError` without
        a network."""
        if self.network is None:
            raise NoNetworkError(
                "no street network is loaded: walking routes, isochrones and distances need "
                "one; build it with `wsz network build EXTRACT`"
            )
        if profile not in self._walking:
            if profile == "walk" and isinstance(self.source, WalkingDistance):
                self._walking[profile] = self.source
            else:
                self._walking[profile] = WalkingDistance(
                    self.network.graph(profile), snap_limit_m=self.snap_limit_m
                )
        return self._walking[profile]


def analyse(
    dataset: Dataset,
    settings: Settings,
    source: DistanceSource | None = None,
    *,
    network: Network | None = None,
    progress: Progress = _silent,
) -> Analysis:
    """Place residents and compute coverage.

    By walking over ``network`` when one is given (and ``settings.distance`` is ``walking``),
    with straight lines beside it; otherwise by ``source`` (straight lines by default).
    Raises :class:`~geo.errors.NetworkError` when the network's extract covers none of the
    buurten.
    """
    dataset.require_buurten()
    vocabulary = settings.vocabulary
    straight = StraightLineDistance()
    notes: list[str] = []
    if dataset.provenance.synthetic:
        notes.append(
            f"synthetic (generated) data: {', '.join(dataset.provenance.synthetic)}; the figures "
            "say nothing about the real gemeente"
        )
    if network is not None:
        notes += check_extract_covers(dataset.buurten, network)
    if source is None:
        use_network = network is not None and settings.distance == "walking"
        source = (
            WalkingDistance(network.graph("walk"), snap_limit_m=settings.network_snap_limit_m)
            if use_network and network is not None
            else straight
        )
    compare = straight if source.name != straight.name else None
    progress("Placing residents ...")
    points = resident_points(
        dataset.buurten,
        spacing_m=settings.resident_grid_spacing_m,
        buildings=network.buildings if network is not None else None,
        extract_area=network.bounds if network is not None else None,
    )
    placement = points.groupby("placement")["bu_code"].nunique().to_dict()
    progress(
        "  "
        + ", ".join(f"{n} buurten by {method}" for method, n in sorted(placement.items()))
        + f": {len(points):,} resident points"
    )
    progress(
        f"Measuring {source.name.replace('_', ' ')} distances from {len(points):,} resident "
        f"points to {len(dataset.voorzieningen)} voorzieningen ..."
    )
    coverage, compared = compute_coverages(
        points, dataset.buurten, dataset.voorzieningen, vocabulary, source, compare
    )
    straight_coverage = compared if compared is not None else coverage
    notes += _coverage_notes(dataset, vocabulary, source, coverage)
    gaps = gap_polygons(points, dataset.buurten, coverage, vocabulary)
    return Analysis(
        dataset,
        vocabulary,
        points,
        coverage,
        source,
        straight=straight_coverage,
        network=network,
        gaps=gaps,
        notes=tuple(notes),
        snap_limit_m=settings.network_snap_limit_m,
        walking_speed_m_per_s=settings.walking_speed_m_per_s,
        isochrone_buffer_m=settings.isochrone_buffer_m,
    )


def check_extract_covers(buurten: gpd.GeoDataFrame, network: Network) -> list[str]:
    """Notes on how much of the buurten the network's extract covers.

    Raises :class:`~geo.errors.NetworkError` when it covers none of them.
    """
    area = buurten.area.to_numpy()
    covered = shapely.area(shapely.intersection(buurten.geometry.values, network.bounds))
    share = float(covered.sum() / area.sum()) if area.sum() > 0 else 0.0
    if share == 0:
        xmin, ymin, xmax, ymax = (round(v) for v in buurten.total_bounds)
        raise NetworkError(
            f"the street network's extract {network.source.extract} does not cover the buurten "
            f"(extract {tuple(round(v) for v in network.source.bounds)}, buurten "
            f"{(xmin, ymin, xmax, ymax)} in RD New); use an extract of this gemeente"
        )
    if share >= 0.999:
        return []
    full = int((covered >= 0.999 * area).sum())
    return [
        f"the street network's extract covers {share:.0%} of the buurten' area ({full} of "
        f"{len(buurten)} buurten fully); residents outside it count as off the network"
    ]


def _coverage_notes(
    dataset: Dataset, vocabulary: Vocabulary, source: DistanceSource, coverage: Coverage
) -> list[str]:
    notes = []
    counts = dataset.voorzieningen["category"].value_counts()
    missing = [code for code in vocabulary.codes if counts.get(code, 0) == 0]
    if missing:
        notes.append(
            f"no voorzieningen of {', '.join(missing)}: every resident counts as beyond "
            "for these categories"
        )
    if isinstance(source, WalkingDistance):
        far = source.unreachable_targets(
            np.asarray(dataset.voorzieningen.geometry.values, dtype=object)
        )
        if far.any():
            listing = ", ".join(dataset.voorzieningen.loc[far, "id"].astype(str)[:10])
            notes.append(
                f"{int(far.sum())} voorziening(en) lie further than {source.snap_limit_m:.0f} m "
                f"from every walkable way and are not reached by walking: {listing}"
            )
        off = coverage.gemeente["residents_off_network"].max()
        if off > 0:
            notes.append(
                f"{off:,.0f} residents in zones live further than {source.snap_limit_m:.0f} m "
                "from every walkable way: counted as beyond"
            )
    return notes


# --------------------------------------------------------------------------- network


def network_cache(settings: Settings) -> NetworkCache:
    """The network cache of these settings (beside the store by default)."""
    return NetworkCache(settings.network_cache)


def build_network(
    settings: Settings,
    extract: Path,
    *,
    profiles: tuple[str, ...] = PROFILES,
    progress: Progress = _silent,
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


def analyse_store(settings: Settings, *, progress: Progress = _silent) -> Analysis:
    """Analyse what the store holds, by walking where a network has been built."""
    dataset = GeoPackageStore(settings.store_path).read()
    return analyse(dataset, settings, network=load_network(settings), progress=progress)


def import_gemeente(
    store: GeoPackageStore,
    settings: Settings,
    gemeente: str,
    buurten_path: Path,
    extract: Path,
    *,
    progress: Progress = _silent,
    on_objects: Callable[[int], None] | None = None,
) -> tuple[Dataset, Network]:
    """Real data for any gemeente: its CBS buurten, one zone per wijk (until the municipality's
    own zones are imported), the voorzieningen tagged in its OSM extract, and the walking
    network of that extract. Replaces the store's contents."""
    progress(f"Reading buurten of {gemeente} from {buurten_path} ...")
    buurten = read_buurten(buurten_path, gemeente=gemeente, vocabulary=settings.vocabulary)
    definition = zones_per_wijk(buurten, gemeente)
    progress(f"Reading voorzieningen from the OSM tags in {extract} ...")
    voorzieningen = read_voorzieningen(extract, settings.vocabulary)
    osm = "© OpenStreetMap contributors, ODbL 1.0"
    provenance = Provenance(
        title=f"{gemeente}: CBS buurten and OpenStreetMap (downloaded)",
        layers=(
            LayerSource(
                layer="buurten",
                source=Path(buurten_path).name,
                text="CBS Wijk- en Buurtkaart via PDOK, © CBS / Kadaster, CC BY 4.0",
            ),
            LayerSource(
                layer="zones",
                source="one zone per wijk",
                text="Standaardindeling: één zone per wijk / Default: one zone per wijk",
            ),
            LayerSource(layer="voorzieningen", source=Path(extract).name, text=osm),
            LayerSource(layer="network", source=Path(extract).name, text=osm),
        ),
    )
    dataset = _assemble_and_write(
        store, buurten, definition, voorzieningen, progress, provenance=provenance
    )
    network = build_network(settings, extract, progress=progress, on_objects=on_objects)
    return dataset, network


def load_sample(
    store: GeoPackageStore,
    settings: Settings,
    name: str | None = None,
    *,
    progress: Progress = _silent,
    on_objects: Callable[[int], None] | None = None,
) -> tuple[Dataset, Network | None]:
    """Import a sample (:func:`import_sample`) and build the walking network its manifest
    names, making it the active network; a sample without one leaves no network active."""
    manifest = read_manifest(settings, name)
    dataset = _import_manifest(store, settings, manifest, progress)
    if manifest.network is None:
        network_cache(settings).clear_active()
        return dataset, None
    network = build_network(settings, manifest.network, progress=progress, on_objects=on_objects)
    return dataset, network


# --------------------------------------------------------------------------- imports

#: ``replace`` the layer, ``add`` to it (stored ids refused), or ``upsert``: replace the
#: features with the same stable id (``bu_code``, ``id``, zone ``code``) and add the rest.
ImportMode = Literal["replace", "add", "upsert"]


def import_buurten(
    store: GeoPackageStore,
    path: Source,
    *,
    mode: ImportMode = "replace",
    layer: str | None = None,
    gemeente: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    statistics: Path | Sequence[Path] | None = None,
    vocabulary: Vocabulary,
    limits: Limits | None = None,
    where: str | None = None,
    dry_run: bool = False,
    progress: Progress = _silent,
) -> Dataset:
    """Read buurten from ``path`` and store them, replacing, adding to or upserting (by
    ``bu_code``) the stored buurten; with ``dry_run`` nothing is written.

    ``path`` is a file or a GeoJSON FeatureCollection (bytes or a parsed mapping);
    ``statistics`` are CBS tables joined to it by buurt code (see
    :func:`geo.read.buurten.load_buurten`); codes on one side of a join only are reported as a
    :class:`~geo.read.cbs.StatisticsJoinWarning`. The stored zone definition is checked against the
    new buurten and the voorzieningen are joined again. Any error leaves the store as it was.
    """
    current = store.read()
    name = where or (str(path) if isinstance(path, str | Path) else "request body")
    progress(f"Reading buurten from {name} ...")
    loaded = load_buurten(
        path,
        layer=layer,
        gemeente=gemeente,
        crs=crs,
        repair=repair,
        statistics=statistics,
        vocabulary=vocabulary,
        limits=limits or DEFAULT_LIMITS,
        where=name,
    )
    for join in loaded.joins:
        text = join.describe()
        progress(text[:1].upper() + text[1:])
    warn_incomplete_joins(loaded.joins)
    buurten = loaded.frame
    if mode == "add" and not current.is_empty:
        clash = sorted(set(current.buurten["bu_code"]) & set(buurten["bu_code"]))
        if clash:
            raise ValueProblemError(
                f"{name}: buurt code(s) already stored: {', '.join(clash[:10])}; "
                "import with mode 'replace' to replace all buurten"
            )
        stored = current.buurten.reindex(columns=buurten.columns)
        buurten = pd.concat([stored, buurten], ignore_index=True)
    elif mode == "upsert" and not current.is_empty:
        stored = current.buurten.reindex(columns=buurten.columns)
        buurten = gpd.GeoDataFrame(upsert_rows(stored, buurten, "bu_code"), crs=buurten.crs)
    provenance = _provenance(current.provenance, _read_from("buurten", path, where), mode)
    return _assemble_and_write(
        store,
        buurten,
        current.definition,
        current.voorzieningen,
        progress,
        provenance=provenance,
        dry_run=dry_run,
    )


def _provenance(current: Provenance, source: LayerSource, mode: ImportMode) -> Provenance:
    """The provenance after an import: ``replace`` names the new source alone, ``add`` and
    ``upsert`` add its name (once) to the layer's sources."""
    stored = current.layer(source.layer)
    if mode == "upsert" and stored is not None and source.source in stored.source.split(", "):
        return current
    return current.with_layer(source, add=mode != "replace")


def _read_from(layer: str, path: object, where: str | None = None) -> LayerSource:
    """A layer's source after a plain import: the file's name (a body: ``where``), not
    synthetic."""
    name = Path(path).name if isinstance(path, (str, Path)) else where or "request body"
    return LayerSource(layer=layer, source=name)


def _assemble_and_write(
    store: GeoPackageStore,
    buurten: gpd.GeoDataFrame,
    definition: ZoneDefinition | None,
    voorzieningen: gpd.GeoDataFrame,
    progress: Progress,
    *,
    provenance: Provenance | None = None,
    dry_run: bool = False,
) -> Dataset:
    progress("Checking zones and joining voorzieningen to buurten ...")
    dataset = assemble(buurten, definition, voorzieningen)
    if provenance is not None:
        dataset = replace(dataset, provenance=provenance)
    if dry_run:
        return dataset
    progress(f"Writing {store.path} ...")
    store.write(dataset)
    return dataset


def import_zones(
    store: GeoPackageStore,
    path: Path,
    *,
    mode: ImportMode = "replace",
    dry_run: bool = False,
    progress: Progress = _silent,
) -> Dataset:
    """Read a zone definition, check it against the stored buurten and store it; ``upsert``
    replaces the stored zones with the same code and keeps the others. With ``dry_run``
    nothing is written."""
    current = store.read()
    current.require_buurten()
    progress(f"Reading zone definition {path} ...")
    definition = read_zone_definition(path)
    if mode == "upsert":
        definition = upsert_zones(current.definition, definition)
    provenance = _provenance(current.provenance, _read_from("zones", path), mode)
    return _assemble_and_write(
        store,
        current.buurten,
        definition,
        current.voorzieningen,
        progress,
        provenance=provenance,
        dry_run=dry_run,
    )


def import_voorzieningen(
    store: GeoPackageStore,
    path: Source,
    vocabulary: Vocabulary,
    *,
    mode: ImportMode = "replace",
    options: VoorzieningenOptions | None = None,
    limits: Limits | None = None,
    where: str | None = None,
    dry_run: bool = False,
    progress: Progress = _silent,
) -> Dataset:
    """Read voorzieningen and store them, replacing all stored ones, adding to them or
    upserting them (by ``id``). ``path`` is a file or a GeoJSON FeatureCollection (bytes or a
    parsed mapping) named ``where`` in messages.

    In ``add`` mode an id that is already stored is refused. Any error leaves the store as it
    was; with ``dry_run`` nothing is written.
    """
    current = store.read()
    current.require_buurten()
    name = where or (str(path) if isinstance(path, str | Path) else "request body")
    progress(f"Reading voorzieningen from {name} ...")
    kwargs = (options or VoorzieningenOptions()).kwargs()
    frames = [
        read_voorzieningen(path, vocabulary, limits=limits or DEFAULT_LIMITS, where=where, **kwargs)
    ]
    if mode == "add":
        frames.insert(0, current.voorzieningen)
    elif mode == "upsert":
        columns = [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
        stored = with_voorziening_details(current.voorzieningen)
        frames = [upsert_rows(stored[columns], frames[0][columns], "id")]
    provenance = _provenance(current.provenance, _read_from("voorzieningen", path, where), mode)
    combined = _combine(frames)
    return _assemble_and_write(
        store,
        current.buurten,
        current.definition,
        combined,
        progress,
        provenance=provenance,
        dry_run=dry_run,
    )


def _combine(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate voorzieningen frames, refusing ids that occur in more than one."""
    columns = [*VOORZIENING_COLUMNS, *VOORZIENING_DETAIL_COLUMNS, "geometry"]
    combined = pd.concat(
        [with_voorziening_details(f)[columns] for f in frames if not f.empty], ignore_index=True
    )
    combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=frames[-1].crs)
    duplicated = combined.loc[combined["id"].duplicated(), "id"].unique()
    if len(duplicated):
        listing = ", ".join(str(i) for i in duplicated[:10])
        raise ValueProblemError(
            f"voorziening id(s) already stored: {listing}; give each file unique ids or "
            "import with mode 'replace'"
        )
    return combined


def import_sample(
    store: GeoPackageStore,
    settings: Settings,
    name: str | None = None,
    *,
    progress: Progress = _silent,
) -> Dataset:
    """Replace the store's contents with sample ``name`` (default: the data path's
    ``sample.yaml``), recording which layers are synthetic (:class:`Provenance`).

    The walking network is not built here: the manifest's ``network`` says which extract to use
    (:func:`load_sample` builds it too).
    """
    return _import_manifest(store, settings, read_manifest(settings, name), progress)


def _import_manifest(
    store: GeoPackageStore, settings: Settings, manifest: SampleManifest, progress: Progress
) -> Dataset:
    synthetic = ", ".join(manifest.synthetic) or "none"
    progress(f"Sample {manifest.name}: {manifest.title} (synthetic parts: {synthetic})")
    progress(f"Reading buurten of {manifest.gemeente} from {manifest.buurten} ...")
    buurten = sample_buurten(manifest, settings.vocabulary)
    definition = read_zone_definition(manifest.zones)
    frames = []
    for path, options in manifest.voorzieningen:
        progress(f"Reading voorzieningen from {path} ...")
        frames.append(read_voorzieningen(path, settings.vocabulary, **options.kwargs()))
    return _assemble_and_write(
        store,
        buurten,
        definition,
        _combine(frames),
        progress,
        provenance=manifest.provenance(),
    )


# --------------------------------------------------------------------------- addresses


def import_addresses(
    settings: Settings,
    path: Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    progress: Progress = _silent,
) -> gpd.GeoDataFrame:
    """Import a BAG address table (CSV or GeoPackage, see :mod:`geo.read.addresses`) for address
    search, replacing an earlier import. Only addresses within 1 km of the stored buurten'
    bounding box are kept. A refused file leaves the stored table as it was."""
    progress(f"Reading addresses from {path} ...")
    table = read_bag_addresses(Path(path), layer=layer, crs=crs)
    dataset = GeoPackageStore(settings.store_path).read()
    area = None if dataset.is_empty else shapely.box(*dataset.buurten.total_bounds)
    kept = within_area(table, area)
    if kept.empty:
        raise ValueProblemError(
            f"{path}: none of its {len(table):,} addresses lies within "
            f"{IMPORT_MARGIN_M:.0f} m of the stored buurten; is it the right gemeente?"
        )
    progress(
        f"  {len(table):,} addresses read, {len(kept):,} within {IMPORT_MARGIN_M:.0f} m of "
        "the buurten"
    )
    write_addresses(kept, address_file(settings.store_path))
    return kept


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
