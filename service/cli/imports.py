"""``wsz import``: buurten, zones, voorzieningen, addresses or a sample, one transaction each."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from geo.read.options import ReadOptions
from service.cli import profiel
from service.cli.output import ObjectCounter, progress

if TYPE_CHECKING:
    from geo.pipeline import ImportResult
    from geo.settings import Settings
    from geo.store.request import ImportMode, ImportRequest

#: The flags of each kind that are reader options (the rest: mode and dry run).
READ_FLAGS = tuple(ReadOptions.model_fields)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz import`` and its kinds."""
    imp = commands.add_parser(
        "import",
        help="import buurten, zones, voorzieningen, addresses or the sample",
        description="Import a file into the store, as one transaction: a refused file leaves "
        "the store exactly as it was; every import is logged beside the store.",
    )
    kinds = imp.add_subparsers(dest="what", required=True, metavar="KIND")
    _buurten_parser(kinds)
    _zones_parser(kinds)
    _voorzieningen_parser(kinds)
    _addresses_parser(kinds)
    _sample_parser(kinds)
    profiel.import_parsers(kinds)  # statistics, indicators (issue 14)
    imp.set_defaults(handler=run)


def _buurten_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    _repair_flag(buurten)
    buurten.add_argument(
        "--add", action="store_true", help="add to the stored buurten instead of replacing them"
    )
    buurten.add_argument(
        "--statistics",
        type=Path,
        action="append",
        metavar="TABLE",
        help="CBS statistics table (CSV: Kerncijfers wijken en buurten, KWB, StatLine "
        "nabijheid) joined to the geometry by buurt code, e.g. for PDOK's gebiedsindelingen "
        "(statcode); repeat for several tables. Codes on one side only are listed",
    )
    _upsert_and_dry_run(buurten, "bu_code")


def _zones_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    zones = kinds.add_parser(
        "zones", help="zone definition (YAML or JSON; see data/sample/zones_GM0356_example.yaml)"
    )
    zones.add_argument("file", type=Path)
    _upsert_and_dry_run(zones, "zone code")


def _voorzieningen_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    _repair_flag(voorz)
    voorz.add_argument(
        "--add",
        action="store_true",
        help="add to the stored voorzieningen instead of replacing them",
    )
    _upsert_and_dry_run(voorz, "id")


def _addresses_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    addresses = kinds.add_parser(
        "addresses",
        help="BAG addresses for address search (CSV or GeoPackage)",
        description="Import a BAG address table for the residents' address search (/addresses, "
        "the /embed pages): NLExtract's bagadres CSV (openbareruimte;huisnummer;huisletter;"
        "huisnummertoevoeging;postcode;woonplaats;...;x;y;lon;lat), PDOK's BAG GeoPackage "
        "(layer verblijfsobject: openbare_ruimte_naam, huisnummer, huisletter, toevoeging, "
        "postcode, woonplaats_naam) or a CSV with straat/huisnummer/postcode and x/y or "
        "lon/lat. Addresses more than 1 km outside the stored buurten are left out. Kept "
        "beside the store (<store>-addresses.gpkg), replacing an earlier import; the OSM "
        "extract's addresses are searched too.",
    )
    addresses.add_argument("file", type=Path)
    addresses.add_argument("--layer", help="GeoPackage layer (default: verblijfsobject)")
    addresses.add_argument(
        "--crs", help="CRS of CSV x/y columns (default: EPSG:28992; lon/lat are WGS84)"
    )


def _sample_parser(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sample = kinds.add_parser(
        "sample",
        help="replace the store with a sample from the data path (default: sample.yaml)",
        description="Replace the store with a sample: the files a manifest on the data path "
        "names (sample.yaml is the default, nieuwegein; delft-tu.yaml is delft-tu), and build "
        "its walking network. Prints which parts of the sample are synthetic.",
    )
    sample.add_argument(
        "name", nargs="?", help="sample name (default: the one in sample.yaml); see --list"
    )
    sample.add_argument(
        "--list",
        action="store_true",
        help="list the samples found in the data path, with their titles and synthetic parts",
    )


def _repair_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repair",
        action="store_true",
        help="repair invalid polygons (shapely.make_valid) instead of refusing them",
    )


def _upsert_and_dry_run(parser: argparse.ArgumentParser, key: str) -> None:
    parser.add_argument(
        "--upsert",
        action="store_true",
        help=f"replace the stored features with the same {key}, add the others, keep the "
        "rest (the same import twice gives the same store)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and report what would change; write nothing",
    )


def _mode(args: argparse.Namespace) -> ImportMode:
    if getattr(args, "add", False):
        return "add"
    return "upsert" if getattr(args, "upsert", False) else "replace"


def request_from(args: argparse.Namespace) -> ImportRequest:
    """The :class:`~geo.store.request.ImportRequest` the command line asks for."""
    from geo.store.request import ImportOptions, ImportRequest

    if args.what == "sample":
        return ImportRequest(kind="sample", sample=args.name)
    given = {name: getattr(args, name) for name in READ_FLAGS if getattr(args, name, None)}
    options = ImportOptions(mode=_mode(args), dry_run=getattr(args, "dry_run", False), **given)
    statistics = tuple(getattr(args, "statistics", None) or ())
    return ImportRequest(kind=args.what, source=args.file, options=options, statistics=statistics)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz import KIND …``: print the outcome and what the store holds now."""
    from service.cli.report import format_addresses, format_samples, format_sources, summary

    if args.what == "sample" and args.list:
        print(format_samples(settings))
        return 0
    result = execute(request_from(args), settings)
    if result.addresses is not None:
        print(format_addresses(result.addresses, settings))
    elif result.dataset is not None:
        print(summary(result.dataset))
        if result.dataset.provenance.layers:
            print(format_sources(result.dataset))
    return 0


def execute(request: ImportRequest, settings: Settings) -> ImportResult:
    """Run an import from the command line (logged with the user's name) and print its
    warnings, its one-line outcome and the coverage snapshot it kept, if any."""
    from geo.pipeline import run_import
    from geo.store.base import open_store
    from geo.store.log import Caller

    caller = Caller(via="cli", user=getpass.getuser())
    with ObjectCounter() as counter:
        result = run_import(
            open_store(settings),
            request,
            settings,
            caller,
            progress=progress,
            on_objects=counter,
        )
    for warning in result.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(result.report.summary())
    if result.snapshot is not None:
        print(f"coverage snapshot {result.snapshot} kept (wsz snapshots)")
    return result
