"""``wsz import statistics|indicators``, ``wsz snapshots`` and ``wsz profiel``: the monitoring
cycle (CBS figures over the years, own indicators, coverage snapshots, the wijkprofiel)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TypeAlias

from geo import pipeline
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


def _caller() -> Caller:
    return Caller(via="cli", user=getpass.getuser())


def _print_report(report: ImportReport) -> None:
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())


def run_statistics(args: argparse.Namespace, settings: Settings) -> int:
    """``wsz import statistics TABLE [--year] [--replace]``."""
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
