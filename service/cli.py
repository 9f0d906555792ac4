"""``wsz``: import data, compute coverage, write maps, serve the API, download real data.

Every subcommand calls :mod:`geo.pipeline` (or :mod:`geo.download`), prints progress on stderr
and results on stdout, and exits 1 with a one-line explanation when input is refused (the
store is then unchanged).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pandas as pd
from pydantic import ValidationError

from geo import download
from geo.dataset import Dataset
from geo.errors import DataQualityWarning, WszError
from geo.pipeline import (
    Analysis,
    ImportMode,
    VoorzieningenOptions,
    analyse,
    import_buurten,
    import_sample,
    import_voorzieningen,
    import_zones,
)
from geo.settings import Settings
from geo.store import GeoPackageStore
from service.state import Published, load_published, publish

EPILOG = """\
Configuration comes from WSZ_* environment variables or a .env file, e.g.
WSZ_STORE_PATH (the GeoPackage store), WSZ_DATA_PATH (folders searched for the sample),
WSZ_THRESHOLDS_M='{"supermarkt": 600}', WSZ_MAP_TILES=none|openstreetmap|brt|URL.

Start with:  wsz demo     (imports the sample, prints coverage, serves the API and map)
"""


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    del filename, lineno, line
    label = "warning" if issubclass(category, DataQualityWarning) else category.__name__
    print(f"{label}: {message}", file=file or sys.stderr)


# --------------------------------------------------------------------------- output


def format_coverage(analysis: Analysis, zone_code: str | None = None) -> str:
    """Coverage per zone as plain-text tables (one per zone, one row per category)."""
    dataset = analysis.dataset
    zones = dataset.zones
    if zone_code is not None:
        dataset.zone(zone_code)  # NotFoundError listing the known zones
        zones = zones[zones["zone_code"] == zone_code]
    source = analysis.coverage.source.replace("_", " ")
    blocks = [
        f"Coverage by {source} distance: share of residents further than the threshold "
        "from the nearest voorziening of each kind."
    ]
    for zone in zones.itertuples():
        figures = analysis.coverage.for_zone(str(zone.zone_code))
        heading = (
            f"{zone.zone_name} [{zone.zone_code}]: {_count(zone.residents)} residents, "
            f"{_count(zone.residents_65plus)} aged 65+, {zone.n_buurten} buurten"
        )
        blocks.append(heading + "\n" + _table(figures))
    if zone_code is None:
        blocks.append("All zones together\n" + _table(analysis.coverage.gemeente))
    return "\n\n".join(blocks)


def _table(figures: pd.DataFrame) -> str:
    header = (
        f"  {'category':<20} {'norm':>7} {'beyond':>9} {'share':>6} {'65+ share':>9} "
        f"{'mean':>7} {'max':>7}"
    )
    lines = [header, "  " + "-" * (len(header) - 2)]
    for row in figures.itertuples():
        lines.append(
            f"  {row.category!s:<20} {row.threshold_m:>5.0f} m {_count(row.residents_beyond):>9} "
            f"{_percent(row.share_beyond):>6} {_percent(row.share_65plus_beyond):>9} "
            f"{_metres(row.mean_distance_m):>7} {_metres(row.max_distance_m):>7}"
        )
    return "\n".join(lines)


def _count(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):,.0f}"  # type: ignore[arg-type]


def _percent(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{100 * float(value):.0f}%"  # type: ignore[arg-type]


def _metres(value: object) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):.0f} m"  # type: ignore[arg-type]


def _summary(dataset: Dataset) -> str:
    outside = int(dataset.voorzieningen["zone_code"].isna().sum())
    return (
        f"Store holds {len(dataset.buurten)} buurten, {len(dataset.zones)} zones and "
        f"{len(dataset.voorzieningen)} voorzieningen ({outside} outside every zone)."
    )


# --------------------------------------------------------------------------- commands


def _store(settings: Settings) -> GeoPackageStore:
    return GeoPackageStore(settings.store_path)


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    mode: ImportMode = "add" if getattr(args, "add", False) else "replace"
    if args.what == "buurten":
        dataset = import_buurten(
            store,
            args.file,
            mode=mode,
            layer=args.layer,
            gemeente=args.gemeente,
            crs=args.crs,
            repair=args.repair,
            progress=_progress,
        )
    elif args.what == "zones":
        dataset = import_zones(store, args.file, progress=_progress)
    elif args.what == "voorzieningen":
        options = VoorzieningenOptions(
            layer=args.layer,
            crs=args.crs,
            category=args.category,
            category_column=args.category_column,
            x_column=args.x_column,
            y_column=args.y_column,
        )
        dataset = import_voorzieningen(
            store,
            args.file,
            settings.vocabulary,
            mode=mode,
            options=options,
            progress=_progress,
        )
    else:
        dataset = import_sample(store, settings, progress=_progress)
    print(_summary(dataset))
    return 0


def cmd_coverage(args: argparse.Namespace, settings: Settings) -> int:
    analysis = analyse(_store(settings).read(), settings, progress=_progress)
    print(format_coverage(analysis, args.zone))
    return 0


def cmd_map(args: argparse.Namespace, settings: Settings) -> int:
    from maps.build import overview_map, write_map, zone_map

    analysis = analyse(_store(settings).read(), settings, progress=_progress)
    tiles = settings.tile_layer()
    out: Path = args.output
    zones = [args.zone] if args.zone else list(analysis.dataset.zones["zone_code"])
    if not args.zone:
        path = write_map(
            overview_map(analysis, tiles=tiles, asset_base="vendor"), out / "index.html"
        )
        print(path)
    for zone_code in zones:
        fmap = zone_map(analysis, zone_code, tiles=tiles, asset_base="vendor")
        print(write_map(fmap, out / f"{zone_code}.html"))
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    published = load_published(settings)
    if published is None:
        _progress("warning: the store is empty; the API answers 503 until data is imported")
    return _serve(args, settings, published)


def _serve(args: argparse.Namespace, settings: Settings, published: Published | None) -> int:
    """Run uvicorn in the foreground after printing where the map and the API are."""
    import uvicorn

    from service.main import create_app

    host, port = args.host or settings.host, args.port or settings.port
    base = f"http://{host}:{port}"
    print(
        f"\nMap:  {base}/maps/index.html\nAPI:  {base}/docs\n(Ctrl+C stops the server)", flush=True
    )
    uvicorn.run(create_app(settings, published), host=host, port=port, log_level="info")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    dataset = import_sample(_store(settings), settings, progress=_progress)
    print(_summary(dataset))
    analysis = analyse(dataset, settings, progress=_progress)
    print(format_coverage(analysis))
    if args.no_serve:
        return 0
    return _serve(args, settings, publish(analysis))


def cmd_download(args: argparse.Namespace, settings: Settings) -> int:
    del settings
    if args.what == "buurten":
        gemeente = download.check_gemeente_code(args.gemeente)
        target = args.output or Path("var/downloads") / f"buurten_{gemeente}_{args.year}.gpkg"
        path = download.download_buurten(gemeente, args.year, target, progress=_progress)
        print(path)
        _progress(f"Next: wsz import buurten {path}")
    else:
        name = args.url.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf"
        target = args.output or Path("var/downloads") / name
        print(download.download_file(args.url, target, progress=_progress))
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The ``wsz`` argument parser (also documents every option in ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="wsz",
        description="Woonservicezones: which residents live beyond walking distance of the "
        "voorzieningen they need.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--store",
        type=Path,
        help="GeoPackage store (default: WSZ_STORE_PATH or var/woonservicezones.gpkg)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = commands.add_parser(
        "import",
        help="import buurten, zones, voorzieningen or the sample",
        description="Import a file into the store. A refused file "
        "leaves the store exactly as it was.",
    )
    kinds = imp.add_subparsers(dest="what", required=True, metavar="KIND")
    buurten = kinds.add_parser("buurten", help="CBS buurten (Shapefile, zip, GeoPackage, GeoJSON)")
    buurten.add_argument("file", type=Path)
    buurten.add_argument(
        "--layer",
        help="layer (or file in a zip) to read; default: the only one, or the one named *buurt*",
    )
    buurten.add_argument(
        "--gemeente", metavar="GMxxxx", help="keep only this gemeente's buurten (e.g. GM0356)"
    )
    buurten.add_argument(
        "--crs", help="state the file's CRS, e.g. EPSG:28992 for legacy RD GeoJSON"
    )
    buurten.add_argument(
        "--repair",
        action="store_true",
        help="repair invalid polygons (shapely.make_valid) instead of refusing them",
    )
    buurten.add_argument(
        "--add", action="store_true", help="add to the stored buurten instead of replacing them"
    )
    zones = kinds.add_parser(
        "zones", help="zone definition (YAML or JSON; see data/sample/zones_GM0356_example.yaml)"
    )
    zones.add_argument("file", type=Path)
    voorz = kinds.add_parser("voorzieningen", help="voorzieningen (GeoJSON, GeoPackage, CSV)")
    voorz.add_argument("file", type=Path)
    voorz.add_argument("--layer")
    voorz.add_argument(
        "--crs",
        help="CRS of the file or of CSV x/y columns (default: "
        "stated in the file, or detected from CSV column names and values)",
    )
    voorz.add_argument("--category", help="one category for every row, e.g. huisarts")
    voorz.add_argument(
        "--category-column",
        help="column holding the category (default: "
        "categorie, category, soort or type; else OSM tags)",
    )
    voorz.add_argument("--x-column", help="CSV column with x or longitude")
    voorz.add_argument("--y-column", help="CSV column with y or latitude")
    voorz.add_argument(
        "--add",
        action="store_true",
        help="add to the stored voorzieningen instead of replacing them",
    )
    kinds.add_parser(
        "sample", help="replace the store with the sample named by sample.yaml in the data path"
    )
    imp.set_defaults(handler=cmd_import)

    cov = commands.add_parser("coverage", help="print coverage per zone and category")
    cov.add_argument("--zone", help="only this zone")
    cov.set_defaults(handler=cmd_coverage)

    mp = commands.add_parser("map", help="write the overview map and one map per zone (HTML)")
    mp.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("var/maps"),
        help="folder to write to (default: var/maps); Leaflet is copied beside",
    )
    mp.add_argument("--zone", help="only this zone's map")
    mp.set_defaults(handler=cmd_map)

    for name, handler, text in (
        ("serve", cmd_serve, "serve the API and maps from the store"),
        ("demo", cmd_demo, "import the sample, print coverage, then serve the API and map"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--host", help="default: WSZ_HOST or 127.0.0.1")
        sub.add_argument("--port", type=int, help="default: WSZ_PORT or 8000")
        sub.set_defaults(handler=handler)
        if name == "demo":
            sub.add_argument(
                "--no-serve", action="store_true", help="stop after printing the coverage"
            )

    dl = commands.add_parser(
        "download",
        help="download real CBS buurten or an OSM extract",
        description="Download real open data (needs internet access).",
    )
    sources = dl.add_subparsers(dest="what", required=True, metavar="SOURCE")
    dl_b = sources.add_parser("buurten", help="CBS buurten of one gemeente from PDOK's WFS")
    dl_b.add_argument("gemeente", metavar="GMxxxx", help="CBS gemeente code, e.g. GM0356")
    dl_b.add_argument("--year", type=int, default=2024, help="CBS year (default: 2024)")
    dl_b.add_argument(
        "-o",
        "--output",
        type=Path,
        help="GeoPackage to write (default: var/downloads/buurten_<GM>_<year>.gpkg)",
    )
    dl_o = sources.add_parser("osm", help="an OpenStreetMap extract (.osm.pbf) by URL")
    dl_o.add_argument(
        "url",
        nargs="?",
        default=download.DEFAULT_OSM_EXTRACT_URL,
        help=f"default: {download.DEFAULT_OSM_EXTRACT_URL}",
    )
    dl_o.add_argument(
        "-o",
        "--output",
        type=Path,
        help="file to write (default: var/downloads/<name from the URL>)",
    )
    dl.set_defaults(handler=cmd_download)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``wsz``; returns the exit status."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():  # restores the caller's warning filters and printer
        warnings.simplefilter("always", DataQualityWarning)
        warnings.showwarning = _show_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        settings = Settings(**({"store_path": args.store} if args.store else {}))
    except ValidationError as exc:
        problems = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        print(f"error (Invalid configuration): {problems}", file=sys.stderr)
        return 1
    try:
        status: int = args.handler(args, settings)
    except WszError as exc:
        print(f"error ({exc.title}): {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
