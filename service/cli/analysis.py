"""``wsz coverage``, ``wsz map`` and ``wsz export``: the analysis of what the store holds."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from service.cli.output import progress, service_settings

if TYPE_CHECKING:
    from geo.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz coverage``, ``wsz map`` and ``wsz export``."""
    cov = commands.add_parser("coverage", help="print coverage per zone and category")
    cov.add_argument("--zone", help="only this zone")
    cov.set_defaults(handler=coverage)

    mp = commands.add_parser("map", help="write the overview map and one map per zone (HTML)")
    mp.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("var/maps"),
        help="folder to write to (default: var/maps); Leaflet is copied beside",
    )
    mp.add_argument("--zone", help="only this zone's map")
    mp.set_defaults(handler=maps)

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
    ex.set_defaults(handler=export_layer)


def coverage(args: argparse.Namespace, settings: Settings) -> int:
    """Coverage per zone and category, walking and straight line side by side."""
    from geo.pipeline import analyse_store, whatif_norms
    from service.cli.report import format_coverage

    analysis = analyse_store(settings, progress=progress)
    presence = whatif_norms(analysis, zone_code=args.zone)
    print(format_coverage(analysis, args.zone, presence))
    return 0


def maps(args: argparse.Namespace, settings: Settings) -> int:
    """The overview map and one page per zone, with Leaflet copied beside them."""
    from geo.pipeline import analyse_store
    from maps.build import overview_map, write_map, zone_map

    tiles = service_settings().tile_layer()
    analysis = analyse_store(settings, progress=progress)
    out: Path = args.output
    zones = [args.zone] if args.zone else list(analysis.dataset.zones["zone_code"])
    if not args.zone:
        page = overview_map(analysis, tiles=tiles, asset_base="vendor")
        print(write_map(page, out / "index.html"))
    for zone_code in zones:
        page = zone_map(analysis, zone_code, tiles=tiles, asset_base="vendor")
        print(write_map(page, out / f"{zone_code}.html"))
    return 0


def export_layer(args: argparse.Namespace, settings: Settings) -> int:
    """One layer to a file, as the API's ``/export`` serves it."""
    from geo.ask import export
    from geo.pipeline import analyse_store

    crs = export.check_crs(args.crs)
    fmt = args.format or export.format_for(args.output)
    analysis = analyse_store(settings)
    gaps = export.find_gaps(analysis)
    frame = export.layer_frame(analysis, export.check_layer(args.layer, gaps), gaps=gaps)
    progress(f"Writing {len(frame)} {args.layer} as {fmt} in {crs} ...")
    print(export.write_export(frame, args.layer, args.output, fmt, crs))
    return 0
