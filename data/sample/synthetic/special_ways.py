"""Messy but real tags for the walking rules: a handful of ways retagged after the grid is built
(``foot=no``, ``access=private``, ``highway=construction``, ``sidewalk=separate``,
``wheelchair=no``, steps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from synthetic.common import XY, Network, Tags


@dataclass(frozen=True)
class SpecialWay:
    """Retag the way of highway ``among`` whose middle is nearest to ``near`` (RD New)."""

    near: XY
    among: tuple[str, ...]
    tags: Tags
    why: str
    #: Only the last ``length_m`` metres of the nearest edge get the tags (for short steps);
    #: by default two whole edges do.
    length_m: float | None = None


SPECIAL_WAYS: tuple[SpecialWay, ...] = (
    SpecialWay(
        (135_510.0, 449_300.0),
        ("tertiary",),
        (("highway", "tertiary"), ("foot", "no"), ("sidewalk", "no")),
        "a distributor road in Plettenburg closed to pedestrians",
    ),
    SpecialWay(
        (136_350.0, 447_700.0),
        ("service", "unclassified"),
        (("highway", "service"), ("access", "private")),
        "a private service road through a company site in Het Klooster",
    ),
    SpecialWay(
        (135_350.0, 449_950.0),
        ("residential",),
        (("highway", "construction"), ("construction", "residential")),
        "a street under construction in Rijnhuizen",
    ),
    SpecialWay(
        (133_350.0, 450_850.0),
        ("tertiary", "secondary"),
        (("highway", "secondary"), ("sidewalk", "separate")),
        "a main road in Batau whose sidewalks are mapped as separate ways",
    ),
    SpecialWay(
        (134_050.0, 447_900.0),
        ("path", "footway"),
        (("highway", "path"), ("surface", "unpaved"), ("wheelchair", "no")),
        "an unpaved path in Park Oudegein",
    ),
    SpecialWay(
        (134_150.0, 446_150.0),
        ("footway", "path", "residential"),
        (("highway", "steps"), ("step_count", "24")),
        "steps up the Lekdijk at the Lekboulevard",
        length_m=15.0,
    ),
)


def apply_special(network: Network, ways: list[tuple[list[int], Tags]]) -> None:
    """Give each of :data:`SPECIAL_WAYS` its tags: the two edges nearest to its spot, cut out of
    the way they belong to as a way of their own."""
    xy = np.asarray(network.xy)
    for special in SPECIAL_WAYS:
        target = shapely.Point(special.near)
        best: tuple[float, int, int] | None = None
        for k, (nodes, tags) in enumerate(ways):
            if dict(tags).get("highway") not in special.among or len(tags) > 2:
                continue
            edges = shapely.linestrings(np.stack([xy[nodes[:-1]], xy[nodes[1:]]], axis=1))
            distances = shapely.distance(edges, target)
            e = int(np.argmin(distances))
            if best is None or distances[e] < best[0]:
                best = (float(distances[e]), k, e)
        if best is None or best[0] > 150:
            raise SystemExit(f"no way for {special.why}")
        _, k, e = best
        nodes, tags = ways[k]
        if special.length_m is not None:
            a, b = xy[nodes[e]], xy[nodes[e + 1]]
            cut = b + (a - b) * special.length_m / float(np.hypot(*(a - b)))
            middle = network.add_node((round(cut[0], 1), round(cut[1], 1)))
            pieces = [([*nodes[: e + 1], middle], tags), ([middle, nodes[e + 1]], special.tags)]
            pieces.append((nodes[e + 1 :], tags))
            ways[k : k + 1] = [(n, t) for n, t in pieces if len(n) >= 2]
            xy = np.asarray(network.xy)
            continue
        start = max(0, min(e, len(nodes) - 3))
        stop = min(len(nodes), start + 3)
        pieces = [(nodes[: start + 1], tags), (nodes[start:stop], special.tags)]
        pieces.append((nodes[stop - 1 :], tags))
        ways[k : k + 1] = [(n, t) for n, t in pieces if len(n) >= 2]
