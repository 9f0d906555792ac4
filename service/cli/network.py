"""``wsz network build|status``: the walking network from an OSM extract."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from service.cli.output import ObjectCounter, lazy_choices, progress

if TYPE_CHECKING:
    from geo.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz network``."""
    net = commands.add_parser(
        "network",
        help="build the walking network from an OSM extract, or show it",
        description="Build the walking graphs (profiles walk and rollator) from an OSM "
        "extract (.osm.pbf or .osm) and make them the service's network; cached beside the "
        "store, keyed by the extract's content, the walk rules and the profile. The rules: "
        "docs/walk-rules.md.",
    )
    actions = net.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build (or reuse) the graphs of an extract")
    build.add_argument("extract", type=Path, help="OSM extract: .osm.pbf or .osm XML")
    profile = build.add_argument(
        "--profile",
        action="append",
        help="profile to build (repeat; default: all of walk, rollator)",
    )
    lazy_choices(profile, "geo.network.rules", "PROFILES")
    actions.add_parser("status", help="show the active network and its summary")
    net.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Build the network (or show the active one) and print its summary."""
    from geo.network.rules import PROFILES
    from geo.pipeline import build_network, load_network
    from service.cli.report import format_network

    if args.action == "status":
        print(format_network(load_network(settings), settings))
        return 0
    profiles = tuple(args.profile or PROFILES)
    with ObjectCounter() as counter:
        network = build_network(
            settings, args.extract, profiles=profiles, progress=progress, on_objects=counter
        )
    print(format_network(network, settings))
    return 0
