"""``wsz download buurten|osm``: real CBS buurten from PDOK, OSM extracts from Geofabrik."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geo.read import download
from service.cli.output import ObjectCounter, progress

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.vocabulary import Vocabulary

#: Where downloads go unless ``-o`` says otherwise.
DOWNLOADS = Path("var/downloads")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz download``."""
    dl = commands.add_parser(
        "download",
        help="download real CBS buurten or an OSM extract",
        description="Download real open data (needs internet access).",
    )
    sources = dl.add_subparsers(dest="what", required=True, metavar="SOURCE")
    buurten = sources.add_parser("buurten", help="CBS buurten of one gemeente from PDOK's WFS")
    buurten.add_argument("gemeente", metavar="GMxxxx", help="CBS gemeente code, e.g. GM0356")
    buurten.add_argument("--year", type=int, default=2024, help="CBS year (default: 2024)")
    buurten.add_argument(
        "-o",
        "--output",
        type=Path,
        help="GeoPackage to write (default: var/downloads/buurten_<GM>_<year>.gpkg)",
    )
    osm = sources.add_parser(
        "osm",
        help="an OpenStreetMap extract (.osm.pbf) by URL, or cut to one gemeente",
        description="Download an OSM extract by URL, or with --gemeente the Geofabrik extract "
        "that holds the gemeente, cut to its buurten plus 1 km (pyosmium).",
    )
    osm.add_argument(
        "url",
        nargs="?",
        default=download.DEFAULT_OSM_EXTRACT_URL,
        help=f"default: {download.DEFAULT_OSM_EXTRACT_URL}",
    )
    osm.add_argument(
        "--gemeente",
        metavar="GMxxxx",
        help="download the extract holding this gemeente and cut it to the gemeente + 1 km",
    )
    download_options(osm)
    osm.add_argument(
        "-o",
        "--output",
        type=Path,
        help="file to write (default: var/downloads/<name from the URL>, or "
        "var/downloads/osm_<GM>.osm.pbf with --gemeente)",
    )
    dl.set_defaults(handler=run)


def download_options(parser: argparse.ArgumentParser) -> None:
    """The options of downloading a gemeente's data (``download osm``, ``demo --download``)."""
    parser.add_argument(
        "--buurten",
        type=Path,
        metavar="FILE",
        help="the gemeente's buurten, if already downloaded (default: fetched from PDOK)",
    )
    parser.add_argument("--year", type=int, default=2024, help="CBS year (default: 2024)")
    parser.add_argument(
        "--index-url",
        default=download.GEOFABRIK_INDEX_URL,
        help=f"Geofabrik's extract index (default: {download.GEOFABRIK_INDEX_URL})",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Download and print where the file was written."""
    if args.what == "buurten":
        gemeente = download.check_gemeente_code(args.gemeente)
        path = download_buurten(gemeente, args.year, args.output)
        print(path)
        progress(f"Next: wsz import buurten {path}")
    elif args.gemeente:
        gemeente = download.check_gemeente_code(args.gemeente)
        path = download_extract(
            gemeente,
            args.buurten,
            args.year,
            args.index_url,
            args.output,
            vocabulary=settings.vocabulary,
        )
        print(path)
    else:
        name = args.url.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf"
        target = args.output or DOWNLOADS / name
        print(download.download_file(args.url, target, progress=progress))
    return 0


def download_buurten(gemeente: str, year: int, output: Path | None = None) -> Path:
    """The gemeente's CBS buurten of ``year`` from PDOK, as a GeoPackage."""
    target = output or DOWNLOADS / f"buurten_{gemeente}_{year}.gpkg"
    return download.download_buurten(gemeente, year, target, progress=progress)


def download_extract(
    gemeente: str,
    buurten: Path | None,
    year: int,
    index_url: str,
    output: Path | None = None,
    *,
    vocabulary: Vocabulary,
) -> Path:
    """The gemeente's OSM extract (cut to its buurten + 1 km); buurten from PDOK unless given."""
    from geo.read.buurten import read_buurten
    from geo.read.options import ReadOptions

    source = buurten or download_buurten(gemeente, year)
    frame = read_buurten(source, ReadOptions(gemeente=gemeente), vocabulary=vocabulary)
    with ObjectCounter() as counter:
        return download.download_gemeente_extract(
            gemeente,
            frame,
            output or DOWNLOADS / f"osm_{gemeente}.osm.pbf",
            index_url=index_url,
            downloads=DOWNLOADS,
            progress=progress,
            on_objects=counter,
        )
