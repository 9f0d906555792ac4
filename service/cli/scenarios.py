"""``wsz whatif … --save NAME`` and ``wsz whatif scenarios|show|compare|export|delete``:
named what-if scenarios, kept beside (never mixed with) the real voorzieningen.

A what-if answer is read-only unless ``--save NAME`` keeps it (``--replace`` to overwrite a
scenario of that name). Tables go to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from service.cli.output import lazy_choices, metres, progress

# The analysis stack is imported by the action that runs (registering the actions for
# `wsz --help` needs none of it).
if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from geo.analysis import Analysis
    from geo.settings import Settings
    from geo.store.base import Store
    from geo.whatif.closing import ClosureImpact
    from geo.whatif.median import MedianPlacement
    from geo.whatif.report import Placement
    from geo.whatif.scenarios import Scenario

#: The scenario actions of ``wsz whatif``.
ACTIONS = ("scenarios", "show", "compare", "export", "delete")


def add_save_arguments(parser: argparse.ArgumentParser) -> None:
    """``--save NAME`` and ``--replace`` on a what-if question."""
    parser.add_argument(
        "--save",
        metavar="NAME",
        type=_name,
        help="keep the answer as the named scenario NAME (1-64 letters, digits, '.', '_', '-'); "
        "nothing is stored without it",
    )
    parser.add_argument(
        "--replace", action="store_true", help="with --save: overwrite a scenario of that name"
    )


def _name(value: str) -> str:
    from geo.whatif.scenarios import check_name

    try:
        return check_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the scenario actions to ``wsz whatif``."""
    actions.add_parser(
        "scenarios",
        help="list the saved scenarios",
        description="List the saved what-if scenarios: name, kind, category, when, and "
        "whether the store changed since (stale).",
    )
    show = actions.add_parser("show", help="show one saved scenario")
    show.add_argument("name", type=_name)
    compare = actions.add_parser(
        "compare",
        help="residents and 65+ beyond the norm per zone: today, NAME (and NAME2) side by side",
        epilog="Example: wsz whatif compare twee-huisartsen apotheek-dicht",
    )
    compare.add_argument("name", type=_name)
    compare.add_argument("name2", type=_name, nargs="?")
    export = actions.add_parser(
        "export",
        help="write a scenario as GeoJSON, GeoPackage or CSV",
        description="Write the scenario's sites (or its zones with the figures) to a file; a "
        "GeoPackage holds both layers.",
    )
    export.add_argument("name", type=_name)
    lazy_choices(export.add_argument("--format", default="geojson"), "geo.ask.export", "FORMATS")
    layer = export.add_argument("--layer", default="sites")
    lazy_choices(layer, "geo.whatif.scenario_export", "LAYER_NAMES")
    lazy_choices(export.add_argument("--crs", default="EPSG:4326"), "geo.ask.export", "CRS_CODES")
    export.add_argument("-o", "--output", type=Path, help="file (default: a name in the folder)")
    delete = actions.add_parser("delete", help="delete a saved scenario")
    delete.add_argument("name", type=_name)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run a scenario action."""
    from geo.ask.export import check_crs
    from geo.common.files import atomic_write
    from geo.pipeline import delete_scenario, find_scenario
    from geo.store.base import open_store
    from geo.store.log import Caller
    from geo.whatif.scenario_export import scenario_bytes, scenario_file_name
    from geo.whatif.scenarios import check_comparable, compare_frame

    store = open_store(settings)
    if args.action == "scenarios":
        print(format_list(store))
    elif args.action == "show":
        print(format_scenario(find_scenario(store, args.name), store.version()))
    elif args.action == "compare":
        scenarios = [find_scenario(store, n) for n in (args.name, args.name2) if n]
        check_comparable(scenarios, store.version())
        print(compare_frame(scenarios).round(1).to_string(index=False))
    elif args.action == "export":
        scenario = find_scenario(store, args.name)
        zones = store.read().zones
        path = args.output or Path(scenario_file_name(scenario.name, args.format, args.layer))
        body = scenario_bytes(
            scenario, zones, args.format, crs=check_crs(args.crs), layer=args.layer
        )
        with atomic_write(path) as temporary:
            temporary.write_bytes(body)
        print(f"Wrote scenario {scenario.name} ({args.format}) to {path}")
    else:
        report = delete_scenario(store, args.name, caller=Caller(user=_user()))
        print(f"Deleted scenario {args.name}. [import {report.id}]")
    return 0


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def analyse_for_save(
    settings: Settings, args: argparse.Namespace
) -> tuple[Analysis, Store, str | None]:
    """The analysis of the store, the store and the version it was read at (read first: a
    scenario never claims a newer version than its figures); a ``--save`` name already taken
    (without ``--replace``) is refused before any work."""
    from geo.pipeline import analyse_store
    from geo.store.base import open_store
    from geo.store.scenarios import refuse_taken

    store = open_store(settings)
    if getattr(args, "save", None):
        refuse_taken(store.scenarios, args.save, args.replace)
    version = store.version()
    return analyse_store(settings, progress=progress), store, version


def save_placement(
    args: argparse.Namespace,
    context: tuple[Analysis, Store, str | None],
    placement: Placement | MedianPlacement,
    candidates: gpd.GeoDataFrame,
) -> None:
    """Keep a placement (by coverage or by mean walking distance) as ``args.save`` (when
    asked)."""
    from geo.whatif.median import MedianPlacement
    from geo.whatif.scenarios import median_parts, placement_parts

    if not args.save:
        return
    described: dict[str, Any] = (
        {"file": args.candidates.name}
        if args.candidates is not None
        else {"area": args.area, "spacing_m": args.spacing}
    )
    if isinstance(placement, MedianPlacement):
        request, sites, solution = median_parts(placement, candidates, described)
        _save(args, context, ("placement", request, sites), solution, placement.by_zone)
        return
    request, sites, solution = placement_parts(placement, candidates, described)
    _save(args, context, ("placement", request, sites), solution)


def save_closure(
    args: argparse.Namespace, context: tuple[Analysis, Store, str | None], impact: ClosureImpact
) -> None:
    """Keep a closure as ``args.save`` (when asked)."""
    from geo.whatif.scenarios import closure_parts

    if not args.save:
        return
    request, sites = closure_parts(impact, context[0].dataset.voorzieningen)
    _save(args, context, ("closure", request, sites), None)


def _save(
    args: argparse.Namespace,
    context: tuple[Analysis, Store, str | None],
    parts: Any,
    solution: dict[str, Any] | None,
    zone_means: pd.DataFrame | None = None,
) -> None:
    from geo.pipeline import save_scenario, whatif_scenario
    from geo.store.log import Caller

    analysis, store, version = context
    progress(f"Saving scenario {args.save} ...")
    scenario = whatif_scenario(
        analysis, args.save, parts, version=version, solution=solution, zone_means=zone_means
    )
    report = save_scenario(store, scenario, replace=args.replace, caller=Caller(user=_user()))
    print(f"\nSaved scenario {scenario.name} ({scenario.kind}). [import {report.id}]")


def format_list(store: Store) -> str:
    """One line per scenario, oldest first."""
    import pandas as pd

    version = store.version()
    rows = [s.brief(version) for s in store.scenarios.all()]
    if not rows:
        return "No scenarios saved yet (wsz whatif place … --save NAME)."
    frame = pd.DataFrame(
        {
            "name": [r["name"] for r in rows],
            "kind": [r["kind"] for r in rows],
            "category": [r["category"] for r in rows],
            "norm_m": [r["norm_m"] for r in rows],
            "sites": [r["sites"] for r in rows],
            "newly_covered": [r["summary"]["residents_newly_covered"] for r in rows],
            "losing": [r["summary"]["residents_losing"] for r in rows],
            "created": [r["created"] for r in rows],
            "stale": ["stale" if r["stale"] else "" for r in rows],
        }
    )
    return str(frame.round(1).to_string(index=False))


def _mean_line(scenario: Scenario) -> list[str]:
    """A distance placement's mean walking distance before and after (no line otherwise)."""
    if scenario.objective != "distance":
        return []
    s = scenario.summary
    return [
        f"mean walking distance: {metres(s.get('mean_before_m'))} before, "
        f"{metres(s.get('mean_after_m'))} after (no {scenario.request['k']} sites bring it "
        f"below {metres(s.get('mean_after_bound_m'))})"
    ]


def format_scenario(scenario: Scenario, version: str | None) -> str:
    """The scenario as readable lines: request, totals, sites, zones."""
    s = scenario.summary
    stale = " — STALE: the store changed since; run it again" if scenario.is_stale(version) else ""
    chosen = scenario.sites[scenario.sites["role"] != "candidate"]
    return "\n".join(
        [
            f"scenario {scenario.name} ({scenario.kind}), saved {scenario.created} on store "
            f"version {(scenario.store_version or 'none')[:12]}{stale}",
            f"request: {json.dumps(scenario.request, ensure_ascii=False)}",
            f"newly covered: {s['residents_newly_covered']:,.1f} residents, "
            f"{s['residents_65plus_newly_covered']:,.1f} aged 65+; losing coverage: "
            f"{s['residents_losing']:,.1f} residents, {s['residents_65plus_losing']:,.1f} 65+",
            f"beyond the norm: {s['share_beyond_before']:.1%} before, "
            f"{s['share_beyond_after']:.1%} after (65+: {s['share_65plus_beyond_before']:.1%} → "
            f"{s['share_65plus_beyond_after']:.1%})",
            *_mean_line(scenario),
            "",
            chosen.drop(columns="geometry").round(1).to_string(index=False),
            "",
            "per zone:",
            scenario.by_zone.round(1).to_string(index=False),
        ]
    )
