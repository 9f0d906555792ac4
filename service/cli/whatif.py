"""``wsz whatif place|closure|norms``: planners' what-if questions, answered by walking
distance, and the presence norms checked per wijk and zone.

Read-only: nothing is stored, unless ``--save NAME`` keeps the answer as a named scenario
(:mod:`service.cli.scenarios`, also ``wsz whatif scenarios|show|compare|export|delete``).
Progress goes to stderr, the answer (a readable table) to stdout.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from geo.errors import QueryError
from service.cli import scenarios
from service.cli.output import metres, progress

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.whatif.closing import ClosureImpact
    from geo.whatif.median import MedianPlacement
    from geo.whatif.report import Placement


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
    place.add_argument(
        "--from",
        dest="source",
        choices=("nodes", "buildings"),
        default="nodes",
        help="generate candidates from the walking network's nodes (default) or from every "
        "building of its OSM extract",
    )
    place.add_argument(
        "--spacing",
        type=float,
        help="generated: one per square of this many metres (default: 100 for nodes, every "
        "building)",
    )
    place.add_argument("--norm", type=float, help="metres (default: the category's threshold)")
    place.add_argument("--weight", choices=("residents", "residents_65plus"), default="residents")
    place.add_argument(
        "--objective",
        choices=("coverage", "distance"),
        default="coverage",
        help="coverage: most residents newly within the norm (MCLP, default); distance: the "
        "shortest weighted mean walking distance (p-median)",
    )
    place.add_argument(
        "--method",
        choices=("auto", "exact", "greedy"),
        default="auto",
        help="exact ILP, greedy (distance: greedy + vertex substitution) with its bound, or "
        "auto: exact where the model is small enough",
    )
    place.add_argument("--time-limit", type=float, default=60.0, help="seconds for the ILP")
    place.add_argument(
        "--presence",
        choices=("wijk", "zone"),
        action="append",
        help="also put a site in every wijk (or zone) without a voorziening of CATEGORY "
        "(repeat for both)",
    )
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
    norms = actions.add_parser(
        "norms",
        help="check the presence norms: which wijk or zone has no ontmoetingsplek, steunpunt, …",
        description='Check the presence norms of the vocabulary ("at least one ontmoetingsplek '
        'in every wijk", "a steunpunt in every zone"; `presence:` in '
        "data/voorzieningen.yaml or WSZ_PRESENCE), or CATEGORY per --level: one row per wijk "
        "or zone with its residents and voorzieningen, and whether it has one.",
        epilog="Examples: wsz whatif norms; wsz whatif norms huisarts --level zone --gaps",
    )
    norms.add_argument("category", nargs="?", help="only this category (code)")
    norms.add_argument(
        "--level", choices=("wijk", "zone"), action="append", help="check per wijk or zone"
    )
    norms.add_argument("--zone", help="only this zone and its wijken")
    norms.add_argument("--gaps", action="store_true", help="list only the areas without one")
    for question in (place, closure):
        scenarios.add_save_arguments(question)
    scenarios.register_actions(actions)
    whatif.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer the question and print a table (and keep it as a scenario with ``--save``)."""
    from geo.pipeline import (
        address_index,
        whatif_candidates,
        whatif_closure,
        whatif_closure_ranking,
        whatif_median,
        whatif_norms,
        whatif_place,
    )
    from geo.read.options import ReadOptions
    from geo.read.voorzieningen import read_voorzieningen
    from geo.whatif.median import MedianPlacement
    from geo.whatif.report import PlaceOptions
    from service.cli.report import format_presence

    if args.action in scenarios.ACTIONS:
        return scenarios.run(args, settings)
    context = scenarios.analyse_for_save(settings, args)
    analysis = context[0]
    if args.action == "norms":
        categories = None if args.category is None else [args.category]
        check = whatif_norms(analysis, categories, args.level, zone_code=args.zone)
        print(format_presence(check, gaps_only=args.gaps))
        return 0
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
        candidates = whatif_candidates(analysis, args.area, args.spacing, source=args.source)
    options = PlaceOptions(
        args.norm, args.weight, args.method, args.time_limit, tuple(args.presence or ())
    )
    place = whatif_median if args.objective == "distance" else whatif_place
    answer = place(
        analysis,
        args.category,
        candidates,
        args.k,
        options=options,
        addresses=address_index(analysis, settings),
        progress=progress,
    )
    if isinstance(answer, MedianPlacement):
        print(format_median(answer))
    else:
        print(format_placement(answer))
    scenarios.save_placement(args, context, answer, candidates)
    return 0


def format_placement(placement: Placement) -> str:
    """The placement as readable lines: method and bound, the sites with their area and
    nearest address, the gain curve, the areas given a site by a presence norm, and the
    residents newly covered per zone and buurt."""
    from geo.whatif.report import NO_ADDRESS_INDEX

    s = placement.solution
    sites = placement.sites.drop(columns="geometry").round(1)
    lines = [
        f"{placement.category}: {len(s.chosen)} new site(s), norm {placement.norm_m:.0f} m, "
        f"weight {placement.weight}",
        f"method {s.method} ({s.status}); newly covered {s.objective:,.1f}, bound "
        f"{s.bound:,.1f}, gap {s.gap:.1%}; {s.groups:,} demand groups",
        f"beyond the norm: {placement.beyond_before:.1%} before, {placement.beyond_after:.1%} "
        "after",
        "",
        "sites (nearest address: "
        + ("address index" if placement.addresses else NO_ADDRESS_INDEX)
        + "):",
        sites.to_string(index=False),
    ]
    if not placement.curve.empty:
        curve = placement.curve.assign(
            share_beyond_after=(100 * placement.curve["share_beyond_after"]).round(1)
        ).rename(columns={"share_beyond_after": "beyond_after_%"})
        lines += [
            "",
            "gain curve (the best k sites, k = 1…K):",
            curve.round(1).to_string(index=False),
        ]
    if not placement.presence.empty:
        lines += [
            "",
            "presence norm: a site in every area without one:",
            placement.presence.round(1).to_string(index=False),
        ]
    lines += ["", "newly covered per zone:", placement.by_zone.round(1).to_string(index=False)]
    lines += ["", "newly covered per buurt:", placement.by_buurt.round(1).to_string(index=False)]
    if placement.off_network:
        lines.append(f"candidates beyond the snap limit: {', '.join(placement.off_network)}")
    return "\n".join(lines)


def format_median(placement: MedianPlacement) -> str:
    """The p-median answer as readable lines: mean walking distance before and after, the
    method and its LP bound, the sites and the means per zone."""
    from geo.whatif.report import NO_ADDRESS_INDEX

    s = placement.solution
    lines = [
        f"{placement.category}: {len(s.chosen)} new site(s) for the shortest mean walk, "
        f"weight {placement.weight}",
        f"method {s.method} ({s.status}); metres saved (weighted) {s.saving:,.0f}, LP bound "
        f"{s.bound:,.0f}, gap {s.gap:.1%}; walks searched up to {placement.limit_m:,.0f} m",
        f"mean walking distance: {metres(placement.mean_before_m)} before, "
        f"{metres(placement.mean_after_m)} after (no k sites bring it below "
        f"{metres(placement.mean_after_bound_m)})",
        f"reaching no voorziening: {placement.unreachable_before:,.1f} before, "
        f"{placement.unreachable_after:,.1f} after",
        "",
        "sites (served: now nearest to it; saved_m: their mean metres saved; nearest address: "
        + ("address index" if placement.addresses else NO_ADDRESS_INDEX)
        + "):",
        placement.sites.drop(columns="geometry").round(1).to_string(index=False),
        "",
        "mean walking distance per zone (m):",
        placement.by_zone.round(0).to_string(index=False),
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
