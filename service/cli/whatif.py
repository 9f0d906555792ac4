"""``wsz whatif place|closure``: planners' what-if questions, answered by walking distance.

Read-only: nothing is stored, unless ``--save NAME`` keeps the answer as a named scenario
(:mod:`service.cli.scenarios`, also ``wsz whatif scenarios|show|compare|export|delete``).
Progress goes to stderr, the answer (a readable table) to stdout.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.errors import QueryError
from geo.pipeline import (
    whatif_candidates,
    whatif_closure,
    whatif_closure_ranking,
    whatif_place,
)
from geo.read.options import ReadOptions
from geo.read.voorzieningen import read_voorzieningen
from geo.settings import Settings
from geo.whatif.closing import ClosureImpact
from geo.whatif.report import Placement, PlaceOptions
from service.cli import scenarios
from service.cli.output import progress


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz whatif``."""
    whatif = commands.add_parser(
        "whatif",
        help="where would new voorzieningen help most; what if one closes; named scenarios",
        description="What-if questions on the stored data, by walking distance over the "
        "network (straight lines without one). Nothing is stored unless --save NAME keeps "
        "the answer as a named scenario (beside the real voorzieningen, never mixed with "
        "them); scenarios|show|compare|export|delete work on those.",
    )
    actions = whatif.add_subparsers(dest="action", required=True, metavar="ACTION")
    place = actions.add_parser(
        "place",
        help="choose k new sites bringing the most residents within the norm (MCLP)",
        description="Choose K candidate sites for CATEGORY that bring the most residents "
        "(or 65+) within the norm by walking, keeping every existing voorziening. Exact ILP "
        "(HiGHS) where the reduced model is small enough, else greedy with its bound.",
        epilog="Example: wsz whatif place huisarts 2 --weight residents_65plus --area WSZ01",
    )
    place.add_argument("category", help="category code, e.g. huisarts")
    place.add_argument("k", type=int, help="how many new sites")
    place.add_argument("--candidates", type=Path, help="candidate sites: GeoJSON, GeoPackage, CSV")
    place.add_argument("--area", help="generate candidates in this zone or buurt (default: all)")
    place.add_argument("--spacing", type=float, default=100.0, help="generated: metres apart")
    place.add_argument("--norm", type=float, help="metres (default: the category's threshold)")
    place.add_argument("--weight", choices=("residents", "residents_65plus"), default="residents")
    place.add_argument("--method", choices=("auto", "exact", "greedy"), default="auto")
    place.add_argument("--time-limit", type=float, default=60.0, help="seconds for the ILP")
    closure = actions.add_parser(
        "closure",
        help="rank every voorziening of a category by the residents who would fall beyond, "
        "or say what closing some (--close) does",
        description="Rank every voorziening of CATEGORY by the residents (and 65+) who would "
        "fall beyond the norm if it closed (those it alone covers); or, with --close, the "
        "residents and 65+ who lose coverage if those voorzieningen close, per zone and buurt, "
        "and their new walking distance.",
        epilog="Examples: wsz whatif closure apotheek; wsz whatif closure --close node/539078336",
    )
    closure.add_argument("category", nargs="?", help="category code to rank, e.g. apotheek")
    closure.add_argument(
        "--close", nargs="+", metavar="ID", help="voorziening ids to close (one category)"
    )
    closure.add_argument("--norm", type=float, help="metres (default: the category's threshold)")
    for question in (place, closure):
        scenarios.add_save_arguments(question)
    scenarios.register_actions(actions)
    whatif.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer the question and print a table (and keep it as a scenario with ``--save``)."""
    if args.action in scenarios.ACTIONS:
        return scenarios.run(args, settings)
    context = scenarios.analyse_for_save(settings, args)
    analysis = context[0]
    if args.action == "closure" and args.close:
        impact = whatif_closure(analysis, args.close, norm_m=args.norm)
        print(format_closure(impact))
        scenarios.save_closure(args, context, impact)
        return 0
    if args.action == "closure":
        if args.category is None:
            raise QueryError("give a CATEGORY to rank, or --close ID [ID ...]")
        if args.save:
            raise QueryError("--save keeps a closure (--close ID ...); a ranking is not saved")
        ranking = whatif_closure_ranking(analysis, args.category, norm_m=args.norm)
        print(ranking.round(1).to_string(index=False))
        return 0
    if args.candidates is not None:
        candidates = read_voorzieningen(
            args.candidates, analysis.vocabulary, ReadOptions(category=args.category)
        )
    else:
        candidates = whatif_candidates(analysis, args.area, args.spacing)
    options = PlaceOptions(args.norm, args.weight, args.method, args.time_limit)
    placement = whatif_place(
        analysis, args.category, candidates, args.k, options=options, progress=progress
    )
    print(format_placement(placement))
    scenarios.save_placement(args, context, placement, candidates)
    return 0


def format_placement(placement: Placement) -> str:
    """The placement as readable lines: method and bound, sites, areas, shares."""
    s = placement.solution
    lines = [
        f"{placement.category}: {len(s.chosen)} new site(s), norm {placement.norm_m:.0f} m, "
        f"weight {placement.weight}",
        f"method {s.method} ({s.status}); newly covered {s.objective:,.1f}, bound "
        f"{s.bound:,.1f}, gap {s.gap:.1%}; {s.groups:,} demand groups",
        f"beyond the norm: {placement.beyond_before:.1%} before, {placement.beyond_after:.1%} "
        "after",
        "",
        placement.sites.drop(columns="geometry").round(1).to_string(index=False),
        "",
        "newly covered per zone:",
        placement.by_zone.round(1).to_string(index=False),
    ]
    if placement.off_network:
        lines.append(f"candidates beyond the snap limit: {', '.join(placement.off_network)}")
    return "\n".join(lines)


def format_closure(impact: ClosureImpact) -> str:
    """The closure's effect as readable lines: who loses coverage, per zone and buurt."""
    return "\n".join(
        [
            f"{impact.category}: closing {', '.join(impact.closed)} (norm {impact.norm_m:.0f} m)",
            f"lose coverage: {impact.residents_losing:,.1f} residents, "
            f"{impact.residents_65plus_losing:,.1f} aged 65+ ({impact.points_losing:,} points)",
            f"beyond the norm: {impact.share_beyond_before:.1%} before, "
            f"{impact.share_beyond_after:.1%} after",
            "",
            "per zone (new walking distance in m):",
            impact.by_zone.round(1).to_string(index=False),
            "",
            "per buurt:",
            impact.by_buurt.round(1).to_string(index=False),
        ]
    )
