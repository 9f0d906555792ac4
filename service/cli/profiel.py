"""``wsz import statistics|indicators``, ``wsz snapshots`` and ``wsz profiel``: the monitoring
cycle (CBS figures over the years, own indicators, coverage snapshots, the wijkprofiel)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from geo.errors import EmptyStoreError

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.store.log import Caller, ImportReport

Kinds: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def import_parsers(kinds: Kinds) -> None:
    """Add ``wsz import statistics`` and ``wsz import indicators``."""
    stats = kinds.add_parser(
        "statistics",
        help="a year of CBS figures per buurt (KWB, nabijheid, misdrijven) for the wijkprofiel",
        description="Add one year of CBS figures to the store's history, kept beside the "
        "buurten: Kerncijfers wijken en buurten, Nabijheid voorzieningen or registered "
        "crimes, in any CBS layout (OData AantalInwoners_5, StatLine CSV, PDOK aantalInwoners, "
        "Wijk- en Buurtkaart AANT_INW, KWB a_inw). A GeoPackage's buurt polygons are kept as "
        "that year's geometry. Buurt codes present in one year only are reported.",
    )
    stats.add_argument("file", type=Path, metavar="TABLE")
    stats.add_argument(
        "--year", type=int, help="year of the figures (default: from the file name, e.g. kwb2019)"
    )
    stats.add_argument(
        "--replace", action="store_true", help="replace figures the year already holds"
    )
    stats.set_defaults(handler=run_statistics)
    own = kinds.add_parser(
        "indicators",
        help="the gemeente's own indicators per area and year, with targets (CSV)",
        description="Replace the store's own indicators with a CSV: area_code (BU/WK/GM or "
        "zone), name, year, value, unit, target (prognose, optional), source "
        "(informatiebron), theme (optional). Unknown codes, non-numbers and repeated rows "
        "are refused with their row numbers; nothing is stored then.",
    )
    own.add_argument("file", type=Path, metavar="CSV")
    own.set_defaults(handler=run_indicators)


def _caller() -> Caller:
    from geo.store.log import Caller

    return Caller(via="cli", user=getpass.getuser())


def _print_report(report: ImportReport) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())


def run_indicators(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz import indicators CSV``."""
    from geo import pipeline

    _print_report(pipeline.import_indicators(settings.store_path, args.file, caller=_caller()))
    return 0


def run_statistics(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz import statistics TABLE [--year] [--replace]``."""
    from geo import pipeline

    report = pipeline.import_statistics(
        settings.store_path,
        args.file,
        settings,
        year=args.year,
        replace_year=args.replace,
        caller=_caller(),
    )
    _print_report(report)
    return 0


def register(commands: Kinds) -> None:
    """Add ``wsz profiel`` and ``wsz snapshots``."""
    profiel = commands.add_parser(
        "profiel",
        help="the wijkprofiel of a zone, wijk or gemeente (HTML, PDF or JSON)",
        description="Write the wijkprofiel of a zone, wijk (WK…) or gemeente (GM…): "
        "description and map, CBS indicators per theme over the stored years with the "
        "gemeente and targets, coverage per category and its trend over the snapshots, and "
        "the gaps. Takes a coverage snapshot of the current analysis first. A store with "
        "CBS tables but no buurten gives the figures' part alone (--json).",
    )
    profiel.add_argument("code", metavar="ZONE|WIJK|GEMEENTE")
    profiel.add_argument("--year", type=int, help="the year to show (default: the latest)")
    profiel.add_argument("--lang", choices=("nl", "en"), default="nl")
    profiel.add_argument("--pdf", action="store_true", help="also write a PDF (headless Chromium)")
    profiel.add_argument("--json", action="store_true", help="print the profile as JSON")
    profiel.add_argument("--out", type=Path, help="HTML file (default: profiel-CODE.html)")
    profiel.set_defaults(handler=run_profiel)
    snapshots = commands.add_parser(
        "snapshots",
        help="list or compare the dated coverage snapshots",
        description="List the coverage snapshots (one per analysis of a store version), "
        "take one of the current store (--take), or compare two (--compare A B).",
    )
    snapshots.add_argument("--take", action="store_true", help="snapshot the current analysis")
    snapshots.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two snapshots")
    snapshots.add_argument("--area", help="only this zone (or buurt) code when comparing")
    snapshots.set_defaults(handler=run_snapshots)


def run_profiel(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz profiel CODE``: write the page (and PDF), or print JSON."""
    import json

    from geo import pipeline
    from maps.profiel.render import render_html, render_pdf

    dataset = pipeline.read_store(settings)
    if dataset.is_empty:  # years of CBS tables only (no polygons): the figures' part
        if not args.json:
            raise EmptyStoreError(
                "the store holds no buurten, so no page (map, coverage): import them, or give "
                "--json for the profile of the stored CBS figures alone"
            )
        figures = pipeline.profiel_of_figures(settings, args.code, year=args.year, lang=args.lang)
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return 0
    analysis = pipeline.analyse(dataset, settings, network=pipeline.load_network(settings))
    profiel = pipeline.profiel_of(analysis, settings, args.code, year=args.year, lang=args.lang)
    if args.json:
        print(json.dumps(profiel, ensure_ascii=False, indent=1))
        return 0
    html = render_html(profiel, analysis.dataset.buurten)
    out = args.out or Path(f"profiel-{args.code}.html")
    out.write_text(html, encoding="utf-8")
    print(f"wrote {out}")
    if args.pdf:
        pdf = out.with_suffix(".pdf")
        pdf.write_bytes(render_pdf(html))
        print(f"wrote {pdf}")
    return 0


def run_snapshots(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz snapshots [--take] [--compare A B]``."""
    from geo import pipeline
    from geo.profiel.snapshots import compare_snapshots, find_snapshot, read_snapshots, summary

    if args.take:
        snapshot, new = pipeline.snapshot_analysis(pipeline.analyse_store(settings), settings)
        print(f"{'took' if new else 'unchanged since'} snapshot {snapshot['id']}")
    found = read_snapshots(settings.store_path)
    if args.compare:
        a, b = (find_snapshot(found, i) for i in args.compare)
        norms = b.get("norms", {})
        for change in compare_snapshots(a, b):
            if args.area and change.area_code != args.area:
                continue
            if change.level != "buurt" or args.area:
                print(change.sentence(float(norms.get(change.category, 0))))
        return 0
    for snapshot in found:
        s = summary(snapshot)
        print(f"{s['id']}  {s['time']}  store {str(s['store_version'])[:12]}  {s['distance']}  "
              f"{s['areas']} areas")  # fmt: skip
    return 0
