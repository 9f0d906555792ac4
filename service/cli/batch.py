"""``wsz batch``: walking coverage of many gemeenten at once, on Dask (see :mod:`geo.batch`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from geo.errors import ConfigurationError
from service.cli.output import configuration_problems, progress

if TYPE_CHECKING:
    from geo.batch.driver import BatchSummary
    from geo.settings import Settings

DESCRIPTION = """\
Coverage per buurt, wijk, zone and gemeente for every gemeente of a buurten file (the CBS
Wijk- en Buurtkaart, or any part of it), by walking over one OSM extract that covers them (a
province or the whole country). Each gemeente is one Dask task: its network is cut from the
extract (its buurten plus 1 km), residents are placed and every category measured, exactly as
`wsz coverage` does for one gemeente. Zones: those of --zones files, else one zone per wijk.
Voorzieningen: those tagged in the extract, plus --voorzieningen files.

Results go to OUTPUT as GeoParquet (RD New): buurten, wijken, zones and gemeenten .parquet,
and summary.json; with --to-store also to the store as tables batch_buurten, batch_wijken,
batch_zones and batch_gemeenten (RD New), replaced in one transaction per run: beside the
GeoPackage (<store>-batch.gpkg, the store of --store / WSZ_STORE_PATH) or in PostGIS schema
wsz (WSZ_STORE_URL). A full disk is reported (per gemeente, or for the merged tables) and
nothing half-written is ever taken as finished. A run stopped halfway (Ctrl-C, a crash)
keeps the gemeenten it finished: run the same command again and only the rest is computed.

Workers and memory per worker: WSZ_BATCH_WORKERS (default 2), WSZ_BATCH_MEMORY_PER_WORKER
(default 4GB); WSZ_BATCH_MIN_COVER (default 0.5) is the least share of a gemeente the extract
must cover; WSZ_BATCH_RETRIES (default 1) how often a gemeente whose worker died is tried
again before it is reported as failed.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz batch``."""
    parser = commands.add_parser(
        "batch",
        help="coverage of many gemeenten at once (Dask), to GeoParquet",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("buurten", type=Path, help="CBS buurten of the gemeenten (any format)")
    parser.add_argument(
        "osm",
        type=Path,
        nargs="+",
        help="OSM extract(s) covering them (.osm.pbf or .osm); each is read once",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="results folder")
    parser.add_argument(
        "--voorzieningen",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="voorzieningen besides those tagged in the extract (repeatable)",
    )
    parser.add_argument(
        "--voorzieningen-crs", metavar="CRS", help="CRS of CSV voorzieningen (x/y columns)"
    )
    parser.add_argument(
        "--zones", type=Path, action="append", default=[], metavar="FILE",
        help="a gemeente's zone definition (repeatable); others get one zone per wijk",
    )  # fmt: skip
    parser.add_argument(
        "--gemeente", action="append", default=[], metavar="GMxxxx", help="only these gemeenten"
    )
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786"
    )
    parser.add_argument("--workers", type=int, help="LocalCluster workers (WSZ_BATCH_WORKERS)")
    parser.add_argument(
        "--single-process", action="store_true", help="no Dask: one gemeente after the other"
    )
    parser.add_argument(
        "--to-store",
        action="store_true",
        help="also write the tables to the configured store (GeoPackage or WSZ_STORE_URL)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the batch; exit 0 when every gemeente was computed, 1 when any failed."""
    from geo.batch.driver import BatchInput, run_batch
    from geo.batch.settings import BatchSettings
    from geo.read.options import ReadOptions
    from geo.store.base import open_store

    try:
        batch = BatchSettings(**({"workers": args.workers} if args.workers else {}))
    except ValidationError as exc:
        raise ConfigurationError(configuration_problems(exc)) from exc
    options = ReadOptions(crs=args.voorzieningen_crs)
    inputs = BatchInput(
        buurten=args.buurten,
        extracts=tuple(args.osm),
        output=args.output,
        voorzieningen=tuple(
            (path, options if path.suffix.lower() == ".csv" else ReadOptions())
            for path in args.voorzieningen
        ),
        zones=tuple(args.zones),
        gemeenten=tuple(args.gemeente),
    )
    summary = run_batch(
        inputs,
        settings,
        batch,
        scheduler=args.scheduler,
        single_process=args.single_process,
        progress=progress,
        bar=True,
        store=open_store(settings) if args.to_store else None,
    )
    print(format_summary(summary))
    return 1 if summary.failed else 0


def format_summary(summary: BatchSummary) -> str:
    """The run in a few lines: counts, time per gemeente, failures, partial covers, files."""
    computed = [o for o in summary.outcomes if o.status == "computed"]
    lines = [
        f"{summary.gemeenten} gemeenten: {len(computed)} computed, "
        f"{summary.count('finished')} finished earlier (kept), {len(summary.failed)} failed; "
        f"{summary.wall_s:.1f} s"
    ]
    if computed:
        seconds = sorted(o.seconds for o in computed)
        lines.append(
            f"  per gemeente {seconds[len(seconds) // 2]:.1f} s (median), {seconds[-1]:.1f} s "
            f"(max); peak memory per worker {max(o.peak_rss_mb for o in computed):,.0f} MB"
        )
    lines += [f"  failed {o.gemeente}: {o.message}" for o in summary.failed]
    lines += [f"  partly covered {text}" for text in summary.partly_covered]
    lines += [f"  {level}: {path}" for level, path in summary.files.items()]
    if summary.store is not None:
        lines.append(f"  store: {summary.store}")
    return "\n".join(lines)
