"""``wsz``: import data, compute coverage, write maps, serve the API, download real data.

Every subcommand calls :mod:`geo.pipeline` (or :mod:`geo.read.download`), prints progress on stderr
and results on stdout, and exits 1 with a one-line explanation when input is refused (the
store is then unchanged).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError
from tqdm import tqdm

from geo.errors import ConfigurationError, DataQualityWarning, WszError
from geo.network.build import Network
from geo.network.rules import PROFILES
from geo.pipeline import (
    ImportMode,
    VoorzieningenOptions,
    analyse,
    analyse_store,
    build_network,
    import_addresses,
    import_buurten,
    import_gemeente,
    import_voorzieningen,
    import_zones,
    load_network,
    load_sample,
)
from geo.read import download
from geo.settings import Settings
from geo.store.dataset import Dataset
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from geo.store.log import ImportInput, ImportKind
from geo.store.transaction import run_import
from geo.vocabulary import Vocabulary
from service.report import (
    feature_report,
    format_addresses,
    format_coverage,
    format_network,
    format_samples,
    format_sources,
    summary,
)
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


# --------------------------------------------------------------------------- commands


def _store(settings: Settings) -> GeoPackageStore:
    return GeoPackageStore(settings.store_path)


def _transaction(
    args: argparse.Namespace,
    store: GeoPackageStore,
    kind: ImportKind,
    compute: Callable[[], Dataset],
) -> Dataset:
    """Run a pipeline import (computed with ``dry_run=True``) as a transaction: under the
    store's lock (a running server or another import waits), logged beside the store, written
    only when valid, not a dry run, and changing something. Returns the dataset it computed."""
    computed: list[Dataset] = []

    def run() -> Dataset:
        computed.append(compute())
        return computed[-1]

    report = run_import(
        store,
        kind,
        run,
        source=ImportInput.of_file(args.file),
        mode=_mode(args),
        dry_run=args.dry_run,
        via="cli",
        user=getpass.getuser(),
        statistics=tuple(ImportInput.of_file(p) for p in getattr(args, "statistics", None) or ()),
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    return computed[-1]


def _mode(args: argparse.Namespace) -> ImportMode:
    if getattr(args, "add", False):
        return "add"
    return "upsert" if getattr(args, "upsert", False) else "replace"


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    store = _store(settings)
    mode = _mode(args)
    if args.what == "buurten":
        dataset = _transaction(
            args,
            store,
            "buurten",
            lambda: import_buurten(
                store,
                args.file,
                mode=mode,
                layer=args.layer,
                gemeente=args.gemeente,
                crs=args.crs,
                repair=args.repair,
                statistics=args.statistics,
                vocabulary=settings.vocabulary,
                limits=settings.limits,
                dry_run=True,
                progress=_progress,
            ),
        )
    elif args.what == "zones":
        dataset = _transaction(
            args,
            store,
            "zones",
            lambda: import_zones(store, args.file, mode=mode, dry_run=True, progress=_progress),
        )
    elif args.what == "voorzieningen":
        options = VoorzieningenOptions(
            layer=args.layer,
            crs=args.crs,
            category=args.category,
            category_column=args.category_column,
            x_column=args.x_column,
            y_column=args.y_column,
            repair=args.repair,
        )
        dataset = _transaction(
            args,
            store,
            "voorzieningen",
            lambda: import_voorzieningen(
                store,
                args.file,
                settings.vocabulary,
                mode=mode,
                options=options,
                limits=settings.limits,
                dry_run=True,
                progress=_progress,
            ),
        )
    elif args.what == "addresses":
        table = import_addresses(
            settings, args.file, layer=args.layer, crs=args.crs, progress=_progress
        )
        print(format_addresses(table, settings))
        return 0
    elif args.list:
        print(format_samples(settings))
        return 0
    else:
        with _ObjectCounter() as counter, store_lock(store.path):
            dataset, _ = load_sample(
                store, settings, args.name, progress=_progress, on_objects=counter
            )
    print(summary(dataset))
    if dataset.provenance.layers:
        print(format_sources(dataset))
    return 0


def cmd_coverage(args: argparse.Namespace, settings: Settings) -> int:
    analysis = analyse_store(settings, progress=_progress)
    print(format_coverage(analysis, args.zone))
    return 0


def cmd_map(args: argparse.Namespace, settings: Settings) -> int:
    from maps.build import overview_map, write_map, zone_map

    analysis = analyse_store(settings, progress=_progress)
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
    network: Network | None
    if args.download:
        gemeente = download.check_gemeente_code(args.download)
        buurten = args.buurten or _download_buurten(gemeente, args.year)
        extract = _download_extract(
            gemeente, buurten, args.year, args.index_url, vocabulary=settings.vocabulary
        )
        with _ObjectCounter() as counter, store_lock(settings.store_path):
            dataset, network = import_gemeente(
                _store(settings),
                settings,
                gemeente,
                buurten,
                extract,
                progress=_progress,
                on_objects=counter,
            )
    else:
        with _ObjectCounter() as counter, store_lock(settings.store_path):
            dataset, network = load_sample(
                _store(settings), settings, args.sample, progress=_progress, on_objects=counter
            )
    print(summary(dataset))
    print(format_sources(dataset))
    if network is not None:
        print("Walking network:\n  " + "\n  ".join(network.graph("walk").report.lines()))
    analysis = analyse(dataset, settings, network=network, progress=_progress)
    print(format_coverage(analysis))
    if args.no_serve:
        return 0
    return _serve(args, settings, publish(analysis))


class _ObjectCounter:
    """A progress bar (tqdm, on stderr) counting the OSM objects read; total unknown."""

    def __init__(self) -> None:
        self._bar: tqdm | None = None

    def __enter__(self) -> _ObjectCounter:
        return self

    def __call__(self, count: int) -> None:
        if self._bar is None:
            self._bar = tqdm(desc="Reading OSM", unit=" objects", unit_scale=True, file=sys.stderr)
        self._bar.update(count - self._bar.n)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.close()


def cmd_network(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "status":
        print(format_network(load_network(settings), settings))
        return 0
    profiles = tuple(args.profile or PROFILES)
    with _ObjectCounter() as counter:
        network = build_network(
            settings, args.extract, profiles=profiles, progress=_progress, on_objects=counter
        )
    print(format_network(network, settings))
    return 0


def cmd_key(args: argparse.Namespace, settings: Settings) -> int:
    from service.auth import check_key_name, hash_key, new_key

    del settings
    try:
        if args.action == "new":
            name = check_key_name(args.name)
            secret = new_key()
            print(
                f"New API key for {name} (shown only now; hand it over safely, keep it out of "
                f"URLs and repositories):\n\n  {secret}\n\nGive the server its hash, e.g. in "
                f".env (add to the JSON object if there are keys already):\n\n"
                f"  WSZ_API_KEYS='{json.dumps({name: hash_key(secret)})}'\n\nUse it as "
                "`Authorization: Bearer KEY` or `X-API-Key: KEY`."
            )
            return 0
        raw = getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline()
        print(hash_key(raw))
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from geo.ask import export
    from geo.errors import EmptyStoreError

    crs = export.check_crs(args.crs)
    fmt = args.format or export.format_for(args.output)
    published = load_published(settings)
    if published is None:
        raise EmptyStoreError("the store holds no buurten yet: import them first")
    gaps = export.find_gaps(published.analysis, published)
    frame = export.layer_frame(published.analysis, export.check_layer(args.layer, gaps), gaps=gaps)
    _progress(f"Writing {len(frame)} {args.layer} as {fmt} in {crs} ...")
    print(export.write_export(frame, args.layer, args.output, fmt, crs))
    return 0


def cmd_download(args: argparse.Namespace, settings: Settings) -> int:
    if args.what == "buurten":
        gemeente = download.check_gemeente_code(args.gemeente)
        path = _download_buurten(gemeente, args.year, args.output)
        print(path)
        _progress(f"Next: wsz import buurten {path}")
    elif args.gemeente:
        gemeente = download.check_gemeente_code(args.gemeente)
        print(
            _download_extract(
                gemeente,
                args.buurten,
                args.year,
                args.index_url,
                args.output,
                vocabulary=settings.vocabulary,
            )
        )
    else:
        name = args.url.rstrip("/").rsplit("/", 1)[-1] or "extract.osm.pbf"
        target = args.output or DOWNLOADS / name
        print(download.download_file(args.url, target, progress=_progress))
    return 0


DOWNLOADS = Path("var/downloads")


def _download_buurten(gemeente: str, year: int, output: Path | None = None) -> Path:
    target = output or DOWNLOADS / f"buurten_{gemeente}_{year}.gpkg"
    return download.download_buurten(gemeente, year, target, progress=_progress)


def _download_extract(
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

    source = buurten or _download_buurten(gemeente, year)
    with _ObjectCounter() as counter:
        return download.download_gemeente_extract(
            gemeente,
            read_buurten(source, gemeente=gemeente, vocabulary=vocabulary),
            output or DOWNLOADS / f"osm_{gemeente}.osm.pbf",
            index_url=index_url,
            downloads=DOWNLOADS,
            progress=_progress,
            on_objects=counter,
        )


# --------------------------------------------------------------------------- parser


def _download_options(parser: argparse.ArgumentParser) -> None:
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
        help="import buurten, zones, voorzieningen, addresses or the sample",
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
    buurten.add_argument(
        "--statistics",
        type=Path,
        action="append",
        metavar="TABLE",
        help="CBS statistics table (CSV: Kerncijfers wijken en buurten, KWB, StatLine "
        "nabijheid) joined to the geometry by buurt code, e.g. for PDOK's gebiedsindelingen "
        "(statcode); repeat for several tables. Codes on one side only are listed",
    )
    zones = kinds.add_parser(
        "zones", help="zone definition (YAML or JSON; see data/sample/zones_GM0356_example.yaml)"
    )
    zones.add_argument("file", type=Path)
    for sub, key in ((buurten, "bu_code"), (zones, "zone code")):
        sub.add_argument(
            "--upsert",
            action="store_true",
            help=f"replace the stored features with the same {key}, add the others, keep the "
            "rest (the same import twice gives the same store)",
        )
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change; write nothing",
        )
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
        "--repair",
        action="store_true",
        help="repair invalid polygons (shapely.make_valid) instead of refusing them",
    )
    voorz.add_argument(
        "--add",
        action="store_true",
        help="add to the stored voorzieningen instead of replacing them",
    )
    voorz.add_argument(
        "--upsert",
        action="store_true",
        help="replace the stored voorzieningen with the same id, add the others, keep the "
        "rest (the same import twice gives the same store)",
    )
    voorz.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and report what would change; write nothing",
    )
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
    sample = kinds.add_parser(
        "sample",
        help="replace the store with a sample from the data path (default: sample.yaml)",
        description="Replace the store with a sample: the files a manifest on the data path "
        "names (sample.yaml is the default, nieuwegein; delft-tu.yaml is delft-tu). Prints "
        "which parts of the sample are synthetic.",
    )
    sample.add_argument(
        "name", nargs="?", help="sample name (default: the one in sample.yaml); see --list"
    )
    sample.add_argument(
        "--list",
        action="store_true",
        help="list the samples found in the data path, with their titles and synthetic parts",
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
            sub.add_argument(
                "--sample",
                metavar="NAME",
                help="the sample to import (default: sample.yaml's; wsz import sample --list)",
            )
            sub.add_argument(
                "--download",
                metavar="GMxxxx",
                help="instead of a sample, run on real data of this gemeente (needs internet): "
                "CBS buurten from PDOK, its OSM extract from Geofabrik cut to it, voorzieningen "
                "from the OSM tags, one zone per wijk",
            )
            _download_options(sub)

    net = commands.add_parser(
        "network",
        help="build the walking network from an OSM extract, or show it",
        description="Build the walking graphs (profiles walk and rollator) from an OSM "
        "extract (.osm.pbf or .osm) and make them the service's network; cached beside the "
        "store, keyed by the extract's content, the walk rules and the profile. The rules: "
        "docs/walk-rules.md.",
    )
    actions = net.add_subparsers(dest="action", required=True, metavar="ACTION")
    net_build = actions.add_parser("build", help="build (or reuse) the graphs of an extract")
    net_build.add_argument("extract", type=Path, help="OSM extract: .osm.pbf or .osm XML")
    net_build.add_argument(
        "--profile",
        action="append",
        choices=PROFILES,
        help="profile to build (repeat; default: all of walk, rollator)",
    )
    actions.add_parser("status", help="show the active network and its summary")
    net.set_defaults(handler=cmd_network)

    ex = commands.add_parser(
        "export",
        help="write a layer as GeoJSON, GeoPackage or CSV (WGS84 or RD New)",
        description="Write buurten, zones, voorzieningen, coverage (per buurt) or gaps to a "
        "file. GeoJSON in EPSG:4326 is RFC 7946; in EPSG:28992 it carries a crs member. CSV has "
        "polygons as a WKT column and points as lon/lat or x/y columns.",
    )
    ex.add_argument("layer", choices=["buurten", "zones", "voorzieningen", "coverage", "gaps"])
    ex.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    ex.add_argument(
        "--format",
        choices=["geojson", "gpkg", "csv"],
        help="default: from the suffix of --output (.geojson/.json, .gpkg, .csv)",
    )
    ex.add_argument(
        "--crs",
        default="EPSG:4326",
        help="EPSG:4326 (WGS84 lon/lat, default) or EPSG:28992 (RD New, metres)",
    )
    ex.set_defaults(handler=cmd_export)

    keys = commands.add_parser(
        "key",
        help="make an API key for imports over HTTP, or hash one",
        description="API keys let GIS staff import over HTTP (POST /imports/...). The server "
        "keeps only their SHA-256 hashes, by name, in WSZ_API_KEYS; the import log records "
        "the name.",
    )
    key_actions = keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    key_new = key_actions.add_parser(
        "new", help="print a new random key (once) and the WSZ_API_KEYS line with its hash"
    )
    key_new.add_argument("name", help="who the key is for, e.g. gis-team (letters, digits, ._-)")
    key_actions.add_parser(
        "hash", help="read a key from standard input (or a prompt) and print its hash"
    )
    keys.set_defaults(handler=cmd_key)

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
    dl_o = sources.add_parser(
        "osm",
        help="an OpenStreetMap extract (.osm.pbf) by URL, or cut to one gemeente",
        description="Download an OSM extract by URL, or with --gemeente the Geofabrik extract "
        "that holds the gemeente, cut to its buurten plus 1 km (pyosmium).",
    )
    dl_o.add_argument(
        "url",
        nargs="?",
        default=download.DEFAULT_OSM_EXTRACT_URL,
        help=f"default: {download.DEFAULT_OSM_EXTRACT_URL}",
    )
    dl_o.add_argument(
        "--gemeente",
        metavar="GMxxxx",
        help="download the extract holding this gemeente and cut it to the gemeente + 1 km",
    )
    _download_options(dl_o)
    dl_o.add_argument(
        "-o",
        "--output",
        type=Path,
        help="file to write (default: var/downloads/<name from the URL>, or "
        "var/downloads/osm_<GM>.osm.pbf with --gemeente)",
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
        for line in feature_report(exc):
            print(line, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
