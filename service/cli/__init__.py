"""``wsz``: import data, compute coverage, write maps, serve the API, download real data.

One module per command group (:mod:`~service.cli.imports`, :mod:`~service.cli.analysis`,
:mod:`~service.cli.serve`, :mod:`~service.cli.network`, :mod:`~service.cli.keys`,
:mod:`~service.cli.download`, :mod:`~service.cli.batch`); every one calls
:mod:`geo.pipeline`, prints progress on stderr and results on stdout, and exits 1 with a
one-line explanation when input is refused (the store is then unchanged).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from geo.errors import DataQualityWarning, WszError
from service.cli import (
    analysis,
    batch,
    db,
    download,
    imports,
    keys,
    network,
    profiel,
    serve,
    whatif,
)
from service.cli.output import configuration_problems, show_warning

EPILOG = """\
Configuration comes from WSZ_* environment variables or a .env file, e.g.
WSZ_STORE_PATH (the GeoPackage store), WSZ_DATA_PATH (folders searched for the sample),
WSZ_THRESHOLDS_M='{"supermarkt": 600}', WSZ_MAP_TILES=none|openstreetmap|brt|URL.

Start with:  wsz demo     (imports the sample, prints coverage, serves the API and map)
"""


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
    for group in (imports, analysis, batch, serve, network, keys, download, profiel, db, whatif):
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``wsz``; returns the exit status."""
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():  # restores the caller's warning filters and printer
        warnings.simplefilter("always", DataQualityWarning)
        warnings.showwarning = show_warning
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    # The settings, like each command's analysis stack, are imported once a command runs:
    # `wsz --help` and argument errors need neither.
    from geo.settings import Settings
    from service.cli.report import feature_report

    try:
        settings = Settings(**({"store_path": args.store} if args.store else {}))
    except ValidationError as exc:
        print(f"error (Invalid configuration): {configuration_problems(exc)}", file=sys.stderr)
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
