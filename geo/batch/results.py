"""A gemeente's figures as four GeoParquet tables, written atomically, merged at the end.

Layout of a batch's output folder::

    parts/<GM>-<key 16 hex>/     one finished gemeente: buurten, wijken, zones, gemeenten
                                 (.parquet) and outcome.json; written as a hidden temporary
                                 folder and renamed into place when complete
    buurten.parquet, wijken.parquet, zones.parquet, gemeenten.parquet   all gemeenten
    summary.json                 what the last run did (finished, computed, failed and why)

Tables are long: one row per area and category (:data:`geo.coverage.figures.FIGURE_COLUMNS`
and the straight-line figures beside them), with the area's polygon in RD New (EPSG:28992).
``gemeenten`` has two rows per category: ``scope`` ``gemeente`` (every buurt) and ``zones``
(the buurten in a zone, as ``wsz coverage`` prints "All zones together").
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.common.files import atomic_write, remove_stale_temporaries
from geo.crs import WORKING_CRS
from geo.pipeline import GemeenteFigures

LEVELS = ("buurten", "wijken", "zones", "gemeenten")
OUTCOME = "outcome.json"
SUMMARY = "summary.json"


@dataclass(frozen=True)
class Outcome:
    """What became of one gemeente (returned by a worker, kept in ``outcome.json``)."""

    gemeente: str
    key: str
    status: str  # "computed", "finished" (earlier run), "failed"
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    buurten: int = 0
    residents: float = 0.0
    points: int = 0
    message: str = ""
    notes: tuple[str, ...] = field(default=())


def level_frames(figures: GemeenteFigures) -> dict[str, gpd.GeoDataFrame]:
    """The four tables of one gemeente (RD New polygons)."""
    dataset = figures.analysis.dataset
    coverage = figures.analysis.coverage
    buurten = dataset.buurten
    gm_code, gm_naam = str(buurten["gm_code"].iloc[0]), buurten["gm_naam"].iloc[0]
    shapes = buurten.set_index("bu_code")
    per_buurt = coverage.buurten.assign(
        gm_code=gm_code,
        wk_code=coverage.buurten["bu_code"].map(shapes["wk_code"]),
        bu_naam=coverage.buurten["bu_code"].map(shapes["bu_naam"]),
    )
    wijk_shapes = buurten.dissolve("wk_code", aggfunc={"wk_naam": "first"})
    per_wijk = figures.wijken.zones.rename(columns={"zone_code": "wk_code"}).assign(gm_code=gm_code)
    per_wijk["wk_naam"] = per_wijk["wk_code"].map(wijk_shapes["wk_naam"])
    zone_shapes = dataset.zones.set_index("zone_code")
    per_zone = coverage.zones.assign(
        gm_code=gm_code, zone_name=coverage.zones["zone_code"].map(zone_shapes["zone_name"])
    )
    outline = buurten.geometry.union_all()
    whole = pd.concat(
        [
            figures.wijken.gemeente.assign(scope="gemeente"),
            coverage.gemeente.assign(scope="zones"),
        ],
        ignore_index=True,
    ).assign(gm_code=gm_code, gm_naam=gm_naam)
    return {
        "buurten": _with_shapes(per_buurt, per_buurt["bu_code"].map(shapes.geometry)),
        "wijken": _with_shapes(per_wijk, per_wijk["wk_code"].map(wijk_shapes.geometry)),
        "zones": _with_shapes(per_zone, per_zone["zone_code"].map(zone_shapes.geometry)),
        "gemeenten": _with_shapes(whole, pd.Series([outline] * len(whole), index=whole.index)),
    }


def _with_shapes(frame: pd.DataFrame, shapes: pd.Series) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes.to_numpy(), crs=WORKING_CRS))


def part_folder(output: Path, gemeente: str, key: str) -> Path:
    """Where a finished gemeente's tables are kept."""
    return Path(output) / "parts" / f"{gemeente}-{key[:16]}"


def finished(output: Path, gemeente: str, key: str) -> bool:
    """True when this gemeente's tables with this key are complete (renamed into place)."""
    return (part_folder(output, gemeente, key) / OUTCOME).is_file()


def write_part(output: Path, frames: dict[str, gpd.GeoDataFrame], outcome: Outcome) -> Path:
    """Write a gemeente's tables to a temporary folder, then rename it into place (atomic):
    an interrupted or failed write (a kill, a full disk) leaves nothing that looks finished.
    Older results of the gemeente (other keys) are removed after."""
    target = part_folder(output, outcome.gemeente, outcome.key)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}-{uuid.uuid4().hex}.tmp"
    try:
        temporary.mkdir()
        for level, frame in frames.items():
            frame.to_parquet(temporary / f"{level}.parquet", index=False)
        (temporary / OUTCOME).write_text(json.dumps(asdict(outcome), indent=1), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        temporary.rename(target)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    for old in target.parent.glob(f"{outcome.gemeente}-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target


def read_outcome(output: Path, gemeente: str, key: str) -> Outcome:
    raw = json.loads((part_folder(output, gemeente, key) / OUTCOME).read_text(encoding="utf-8"))
    raw["notes"] = tuple(raw.get("notes", ()))
    return Outcome(**raw)


def remove_temporaries(output: Path) -> int:
    """Remove what an interrupted run left half-written (never taken as finished): the
    temporary folders of parts, and the temporary files of merged tables and the summary."""
    parts = Path(output) / "parts"
    removed = 0
    for stale in parts.glob(".*.tmp") if parts.is_dir() else ():
        shutil.rmtree(stale, ignore_errors=True)
        removed += 1
    for name in (*(f"{level}.parquet" for level in LEVELS), SUMMARY):
        removed += len(remove_stale_temporaries(Path(output) / name))
    return removed


def cannot_write(what: str, path: Path, exc: OSError) -> str:
    """What to say when ``what`` cannot be written to ``path`` (a full disk, …): the
    system's words for the error number (Arrow's own message wraps them)."""
    reason = os.strerror(exc.errno) if exc.errno else exc.strerror or str(exc)
    return (
        f"cannot write {what} to {path}: {reason}; free space there (or "
        "choose another --output) and run the same command again: finished gemeenten are kept"
    )


def merged_tables(output: Path, keys: dict[str, str]) -> dict[str, gpd.GeoDataFrame]:
    """All finished gemeenten of ``keys`` (code → key) merged into one table per level (RD
    New), in gemeente code order; levels no gemeente finished are left out."""
    merged = {}
    for level in LEVELS:
        frames = [
            gpd.read_parquet(part_folder(output, gm, key) / f"{level}.parquet")
            for gm, key in sorted(keys.items())
            if finished(output, gm, key)
        ]
        if frames:
            merged[level] = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WORKING_CRS)
    return merged


def write_merged(output: Path, tables: dict[str, gpd.GeoDataFrame]) -> dict[str, Path]:
    """Each merged table as ``<level>.parquet`` in ``output``, written atomically; returns
    the files."""
    written = {}
    for level, table in tables.items():
        path = Path(output) / f"{level}.parquet"
        with atomic_write(path) as temporary:
            table.to_parquet(temporary, index=False)
        written[level] = path
    return written


def write_summary(output: Path, summary: dict[str, object]) -> Path:
    path = Path(output) / SUMMARY
    with atomic_write(path) as temporary:
        temporary.write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
    return path
