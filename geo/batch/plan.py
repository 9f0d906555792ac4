"""What a batch will do: inputs read once, each gemeente's extract, cover and key.

A gemeente no extract covers (or covers less than ``min_cover`` of) is refused here, naming it
and how much is covered; those finished earlier with the same key are not planned again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from geo.batch.partition import (
    Cover,
    Gemeente,
    RdBox,
    best_cover,
    frame_digest,
    gemeente_key,
    split_by_gemeente,
)
from geo.batch.results import Outcome, finished, read_outcome
from geo.common.files import sha256_file
from geo.crs import lonlat_to_rd
from geo.errors import ReadError, ValueProblemError
from geo.network.osm import OsmExtract, read_header_box, read_osm
from geo.read.buurten import read_buurten
from geo.read.voorzieningen import concat_voorzieningen, read_voorzieningen
from geo.read.zones import ZoneDefinition, read_zone_definition
from geo.settings import Settings


@dataclass(frozen=True)
class Source:
    """One extract: its path, content hash and area (RD New)."""

    path: Path
    sha256: str
    bounds: RdBox


@dataclass(frozen=True)
class Planned:
    """A gemeente to compute (or already finished): its extract, cover and key."""

    gemeente: Gemeente
    source: int
    cover: Cover
    key: str
    definition: ZoneDefinition | None
    voorzieningen: gpd.GeoDataFrame | None


@dataclass
class Plan:
    """Every gemeente of the run, sorted into to do, finished earlier and refused."""

    sources: list[Source]
    todo: list[Planned] = field(default_factory=list)
    done: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    partly_covered: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    #: Extracts read while planning (no header box), kept for the split.
    read: dict[int, OsmExtract] = field(default_factory=dict)


def extract_source(path: Path) -> tuple[Source, OsmExtract | None]:
    """The extract's hash and area: its header box, else (read now) its data's extent."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such OSM extract")
    box = read_header_box(path)
    if box is None:
        extract = read_osm(path)
        return Source(path, extract.sha256, extract.bounds), extract
    x, y = lonlat_to_rd(np.array([box[0], box[2]]), np.array([box[1], box[3]]))
    bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    return Source(path, sha256_file(path), bounds), None


def definitions_by_gemeente(paths: tuple[Path, ...]) -> dict[str, ZoneDefinition]:
    """Zone definitions by the gemeente they name (``gemeente:``, else their first code)."""
    found: dict[str, ZoneDefinition] = {}
    for path in paths:
        definition = read_zone_definition(path)
        code = definition.gemeente or _gemeente_of(definition)
        if code is None:
            raise ValueProblemError(f"{path}: say which gemeente it is for (gemeente: GMxxxx)")
        if code in found:
            raise ValueProblemError(f"{path}: a second zone definition of {code}")
        found[code] = definition
    return found


def _gemeente_of(definition: ZoneDefinition) -> str | None:
    for zone in definition.zones:
        for code in (*zone.wijken, *zone.buurten):
            return f"GM{code[2:6]}"
    return None


def read_inputs(
    buurten_path: Path,
    voorzieningen: tuple[tuple[Path, object], ...],
    settings: Settings,
    only: tuple[str, ...],
) -> tuple[list[Gemeente], gpd.GeoDataFrame | None]:
    """The gemeenten of the buurten file (only ``only`` when given) and the voorzieningen
    files concatenated (None without files)."""
    buurten = read_buurten(buurten_path, vocabulary=settings.vocabulary, limits=settings.limits)
    gemeenten = split_by_gemeente(buurten)
    if only:
        unknown = sorted(set(only) - {g.code for g in gemeenten})
        if unknown:
            raise ValueProblemError(f"{buurten_path}: no buurten of {', '.join(unknown)}")
        gemeenten = [g for g in gemeenten if g.code in only]
    frames = [read_voorzieningen(p, settings.vocabulary, o) for p, o in voorzieningen]  # type: ignore[arg-type]
    return gemeenten, concat_voorzieningen(frames) if frames else None


def in_box(frame: gpd.GeoDataFrame | None, box: RdBox) -> gpd.GeoDataFrame | None:
    """The rows of ``frame`` inside ``box`` (RD New), in their order."""
    if frame is None or frame.empty:
        return frame
    rows = np.sort(frame.sindex.query(shapely.box(*box), predicate="intersects"))
    return frame.iloc[rows].reset_index(drop=True)


def make_plan(
    gemeenten: list[Gemeente],
    extras: gpd.GeoDataFrame | None,
    definitions: dict[str, ZoneDefinition],
    extracts: tuple[Path, ...],
    settings: Settings,
    output: Path,
    min_cover: float,
) -> Plan:
    """Sort every gemeente into to do, finished (same key) and refused (not covered)."""
    plan = Plan(sources=[])
    for index, path in enumerate(extracts):
        source, read = extract_source(path)
        plan.sources.append(source)
        if read is not None:
            plan.read[index] = read
    bounds = [s.bounds for s in plan.sources]
    for gemeente in gemeenten:
        cover = best_cover(gemeente, bounds)
        if cover.extract is None or cover.share < min_cover:
            plan.refused.append(_refusal(gemeente, cover, min_cover, extracts))
            continue
        if cover.share < 0.999:
            plan.partly_covered.append(f"{gemeente.code} {gemeente.name}: {cover.describe()}")
        own = in_box(extras, gemeente.box)
        definition = definitions.get(gemeente.code)
        key = gemeente_key(
            gemeente,
            frame_digest(own) if own is not None else "",
            definition.model_dump_json() if definition is not None else None,
            plan.sources[cover.extract].sha256,
            settings,
        )
        plan.keys[gemeente.code] = key
        if finished(output, gemeente.code, key):
            done = read_outcome(output, gemeente.code, key)
            plan.done.append(Outcome(**{**done.__dict__, "status": "finished"}))
            continue
        plan.todo.append(Planned(gemeente, cover.extract, cover, key, definition, own))
    return plan


def _refusal(
    gemeente: Gemeente, cover: Cover, min_cover: float, extracts: tuple[Path, ...]
) -> Outcome:
    names = ", ".join(p.name for p in extracts)
    if cover.extract is None:
        message = f"not covered by the extract ({names}): 0 % of its buurten' area"
    else:
        message = (
            f"the extract {extracts[cover.extract].name} covers only {cover.describe()}, "
            f"less than the {min_cover:.0%} asked (WSZ_BATCH_MIN_COVER); use an extract "
            "that holds the whole gemeente"
        )
    return Outcome(gemeente.code, "", "failed", buurten=cover.total, message=message)
