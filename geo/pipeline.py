"""The one place where the stages are chained: load → zones → join → distances → coverage.

Imports read and validate a file, assemble it with what the store holds (:func:`assemble`)
and write the result atomically: a failure anywhere leaves the store as it was.
:func:`analyse` adds resident points and coverage. The CLI, the API and the maps call these,
never the stages directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd
import yaml

from geo.coverage import Coverage, compute_coverage
from geo.dataset import Dataset, assemble
from geo.distance import DistanceSource, StraightLineDistance
from geo.errors import ReadError, ValueProblemError
from geo.load import VOORZIENING_COLUMNS, read_buurten, read_voorzieningen
from geo.population import resident_points
from geo.store import GeoPackageStore
from geo.zones import ZoneDefinition, read_zone_definition

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.vocabulary import Vocabulary


#: Receives one line of progress text per step (the CLI prints it; the API passes none).
Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    return None


@dataclass(frozen=True)
class Analysis:
    """A dataset with its resident points and coverage, as served and mapped."""

    dataset: Dataset
    vocabulary: Vocabulary
    points: gpd.GeoDataFrame
    coverage: Coverage
    source: DistanceSource = field(default_factory=StraightLineDistance)


def analyse(
    dataset: Dataset,
    settings: Settings,
    source: DistanceSource | None = None,
    *,
    progress: Progress = _silent,
) -> Analysis:
    """Place residents and compute coverage with ``source`` (straight lines by default)."""
    dataset.require_buurten()
    source = source or StraightLineDistance()
    vocabulary = settings.vocabulary
    progress(f"Placing residents on a {settings.resident_grid_spacing_m:.0f} m grid ...")
    points = resident_points(dataset.buurten, spacing_m=settings.resident_grid_spacing_m)
    progress(
        f"Measuring {source.name.replace('_', ' ')} distances from {len(points)} resident points "
        f"to {len(dataset.voorzieningen)} voorzieningen ..."
    )
    coverage = compute_coverage(points, dataset.buurten, dataset.voorzieningen, vocabulary, source)
    return Analysis(dataset, vocabulary, points, coverage, source)


# --------------------------------------------------------------------------- imports

ImportMode = Literal["replace", "add"]


@dataclass(frozen=True)
class VoorzieningenOptions:
    """How to read one voorzieningen file (see :func:`geo.load.read_voorzieningen`)."""

    layer: str | None = None
    crs: str | None = None
    category: str | None = None
    category_column: str | None = None
    x_column: str | None = None
    y_column: str | None = None

    def kwargs(self) -> dict[str, str | None]:
        """Keyword arguments for :func:`geo.load.read_voorzieningen`."""
        return dict(self.__dict__)


def import_buurten(
    store: GeoPackageStore,
    path: Path,
    *,
    mode: ImportMode = "replace",
    layer: str | None = None,
    gemeente: str | None = None,
    crs: str | None = None,
    repair: bool = False,
    progress: Progress = _silent,
) -> Dataset:
    """Read buurten from ``path`` and store them, replacing or adding to the stored buurten.

    The stored zone definition is checked against the new buurten and the voorzieningen are
    joined again. Any error leaves the store as it was.
    """
    current = store.read()
    progress(f"Reading buurten from {path} ...")
    buurten = read_buurten(path, layer=layer, gemeente=gemeente, crs=crs, repair=repair)
    if mode == "add" and not current.is_empty:
        clash = sorted(set(current.buurten["bu_code"]) & set(buurten["bu_code"]))
        if clash:
            raise ValueProblemError(
                f"{path}: buurt code(s) already stored: {', '.join(clash[:10])}; "
                "import with mode 'replace' to replace all buurten"
            )
        buurten = pd.concat([current.buurten[buurten.columns], buurten], ignore_index=True)
    return _assemble_and_write(store, buurten, current.definition, current.voorzieningen, progress)


def _assemble_and_write(
    store: GeoPackageStore,
    buurten: gpd.GeoDataFrame,
    definition: ZoneDefinition | None,
    voorzieningen: gpd.GeoDataFrame,
    progress: Progress,
) -> Dataset:
    progress("Checking zones and joining voorzieningen to buurten ...")
    dataset = assemble(buurten, definition, voorzieningen)
    progress(f"Writing {store.path} ...")
    store.write(dataset)
    return dataset


def import_zones(store: GeoPackageStore, path: Path, *, progress: Progress = _silent) -> Dataset:
    """Read a zone definition, check it against the stored buurten and store it."""
    current = store.read()
    current.require_buurten()
    progress(f"Reading zone definition {path} ...")
    definition = read_zone_definition(path)
    return _assemble_and_write(store, current.buurten, definition, current.voorzieningen, progress)


def import_voorzieningen(
    store: GeoPackageStore,
    path: Path,
    vocabulary: Vocabulary,
    *,
    mode: ImportMode = "replace",
    options: VoorzieningenOptions | None = None,
    progress: Progress = _silent,
) -> Dataset:
    """Read voorzieningen and store them, replacing all stored ones or adding to them.

    In ``add`` mode an id that is already stored is refused. Any error leaves the store as it was.
    """
    current = store.read()
    current.require_buurten()
    progress(f"Reading voorzieningen from {path} ...")
    frames = [read_voorzieningen(path, vocabulary, **(options or VoorzieningenOptions()).kwargs())]
    if mode == "add":
        frames.insert(0, current.voorzieningen)
    return _assemble_and_write(
        store, current.buurten, current.definition, _combine(frames), progress
    )


def _combine(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Concatenate voorzieningen frames, refusing ids that occur in more than one."""
    columns = [*VOORZIENING_COLUMNS, "geometry"]
    combined = pd.concat([f[columns] for f in frames if not f.empty], ignore_index=True)
    combined = gpd.GeoDataFrame(combined, geometry="geometry", crs=frames[-1].crs)
    duplicated = combined.loc[combined["id"].duplicated(), "id"].unique()
    if len(duplicated):
        listing = ", ".join(str(i) for i in duplicated[:10])
        raise ValueProblemError(
            f"voorziening id(s) already stored: {listing}; give each file unique ids or "
            "import with mode 'replace'"
        )
    return combined


@dataclass(frozen=True)
class SampleManifest:
    """A ``sample.yaml``: which files make up a municipality's sample (see data/sample)."""

    gemeente: str
    buurten: Path
    zones: Path
    voorzieningen: tuple[tuple[Path, VoorzieningenOptions], ...]


def read_manifest(settings: Settings, name: str = "sample.yaml") -> SampleManifest:
    """Find ``name`` in the data path and resolve the files it names in the data path too."""
    path = settings.find_data_file(name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ReadError(f"{path}: cannot read the sample manifest: {exc}") from exc
    try:
        return SampleManifest(
            gemeente=str(raw["gemeente"]),
            buurten=settings.find_data_file(raw["buurten"]),
            zones=settings.find_data_file(raw["zones"]),
            voorzieningen=tuple(
                (
                    settings.find_data_file(item["path"]),
                    VoorzieningenOptions(**{k: v for k, v in item.items() if k != "path"}),
                )
                for item in raw["voorzieningen"]
            ),
        )
    except (KeyError, TypeError) as exc:
        raise ReadError(
            f"{path}: expected keys gemeente, buurten, zones and a voorzieningen list of "
            f"{{path, crs?, category?, ...}} ({exc!r})"
        ) from exc


def import_sample(
    store: GeoPackageStore, settings: Settings, *, progress: Progress = _silent
) -> Dataset:
    """Replace the store's contents with the sample the data path's ``sample.yaml`` names."""
    manifest = read_manifest(settings)
    progress(f"Reading buurten of {manifest.gemeente} from {manifest.buurten} ...")
    buurten = read_buurten(manifest.buurten, gemeente=manifest.gemeente)
    definition = read_zone_definition(manifest.zones)
    frames = []
    for path, options in manifest.voorzieningen:
        progress(f"Reading voorzieningen from {path} ...")
        frames.append(read_voorzieningen(path, settings.vocabulary, **options.kwargs()))
    return _assemble_and_write(store, buurten, definition, _combine(frames), progress)
