"""The bridges and tunnels that carry a way across a barrier: the only places a street does."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from synthetic.barriers import BARRIER_BY_NAME, barrier_free
from synthetic.common import XY, Network, Tags


@dataclass(frozen=True)
class Crossing:
    """A bridge (or tunnel) that carries a way across a barrier, near ``near`` (RD New)."""

    barrier: str
    near: XY
    highway: str
    kind: str = "bridge"  # "bridge", "tunnel" or "steps" (a footbridge with steps up to it)
    extra: Tags = ()


CROSSINGS: tuple[Crossing, ...] = (
    # Merwedekanaal: seven crossings over 6.3 km, 550-1,000 m apart.
    Crossing("Merwedekanaal", (135_420.0, 450_960.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("Merwedekanaal", (135_080.0, 450_190.0), "secondary", extra=(("sidewalk", "both"),)),
    Crossing("Merwedekanaal", (134_790.0, 449_650.0), "footway", kind="steps"),
    Crossing("Merwedekanaal", (134_930.0, 449_030.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("Merwedekanaal", (135_130.0, 448_100.0), "cycleway"),
    Crossing("Merwedekanaal", (135_120.0, 447_400.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("Merwedekanaal", (134_860.0, 446_700.0), "secondary", extra=(("sidewalk", "both"),)),
    # Amsterdam-Rijnkanaal: a cycle bridge by the Plofsluis and two road bridges.
    Crossing("Amsterdam-Rijnkanaal", (135_730.0, 450_940.0), "cycleway"),
    Crossing(
        "Amsterdam-Rijnkanaal", (136_000.0, 450_000.0), "tertiary", extra=(("sidewalk", "both"),)
    ),
    Crossing("Amsterdam-Rijnkanaal", (136_480.0, 449_370.0), "tertiary"),
    # Lekkanaal: two crossings (one over the Prinses Beatrixsluis).
    Crossing("Lekkanaal", (136_132.0, 448_800.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("Lekkanaal", (135_560.0, 446_560.0), "secondary", extra=(("sidewalk", "both"),)),
    # A2: five crossings over 6 km (one cycle tunnel).
    Crossing("A2", (132_700.0, 451_900.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("A2", (132_700.0, 450_700.0), "cycleway", kind="tunnel"),
    Crossing("A2", (132_680.0, 449_450.0), "secondary", extra=(("sidewalk", "both"),)),
    Crossing("A2", (132_680.0, 448_250.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("A2", (133_080.0, 447_250.0), "residential"),
    # A27: four crossings over 6 km (one cycle tunnel).
    Crossing("A27", (137_000.0, 451_500.0), "tertiary"),
    Crossing("A27", (136_890.0, 450_150.0), "unclassified"),
    Crossing("A27", (136_780.0, 448_350.0), "tertiary", extra=(("sidewalk", "both"),)),
    Crossing("A27", (136_650.0, 446_900.0), "cycleway", kind="tunnel"),
)


def crossing_ways(network: Network, used: set[int]) -> list[tuple[list[int], Tags]]:
    """Bridges and tunnels of :data:`CROSSINGS`, each tied to the nearest street node on both
    banks; the approaches never touch a barrier."""
    xy = np.asarray(network.xy)
    candidates = np.array(sorted(used))
    ways: list[tuple[list[int], Tags]] = []
    for crossing in CROSSINGS:
        barrier = BARRIER_BY_NAME[crossing.barrier]
        line = barrier.line
        at = line.project(shapely.Point(crossing.near))
        centre = np.asarray(line.interpolate(at).coords[0])
        ahead = np.asarray(line.interpolate(min(at + 20.0, line.length)).coords[0])
        behind = np.asarray(line.interpolate(max(at - 20.0, 0.0)).coords[0])
        tangent = (ahead - behind) / np.linalg.norm(ahead - behind)
        normal = np.array([-tangent[1], tangent[0]])
        half = barrier.clearance_m - 5.0
        ends = []
        for side in (1.0, -1.0):
            abutment = centre + side * half * normal
            offsets = xy[candidates] - centre
            on_side = side * (offsets @ normal) > half
            near = np.linalg.norm(xy[candidates] - abutment, axis=1)
            order = np.argsort(np.where(on_side, near, np.inf), kind="stable")
            for k in order[:12]:
                node = int(candidates[k])
                approach = shapely.LineString([xy[node], abutment])
                if np.isfinite(near[k]) and barrier_free(np.array([approach]))[0]:
                    break
            else:
                raise SystemExit(f"no street near {crossing} on side {side}")
            ends.append((node, network.add_node((round(abutment[0], 1), round(abutment[1], 1)))))
        (left, a), (right, b) = ends
        ways.extend(_crossing_tags(crossing, network, left, a, b, right))
    return ways


def _towards(start: XY, stop: XY, metres: float) -> XY:
    """The point ``metres`` from ``start`` towards ``stop`` (0.1 m)."""
    (x0, y0), (x1, y1) = start, stop
    share = metres / float(np.hypot(x1 - x0, y1 - y0))
    return round(x0 + (x1 - x0) * share, 1), round(y0 + (y1 - y0) * share, 1)


def _crossing_tags(
    crossing: Crossing, network: Network, left: int, a: int, b: int, right: int
) -> list[tuple[list[int], Tags]]:
    """The approach, the bridge (or tunnel) itself and the other approach; a footbridge with
    steps gets 15 m of steps at each end."""
    base: Tags = (("highway", crossing.highway), *crossing.extra)
    if crossing.kind == "tunnel":
        middle: Tags = (*base, ("layer", "-1"), ("tunnel", "yes"))
    else:
        middle = (*base, ("bridge", "yes"), ("layer", "1"))
    if crossing.kind != "steps":
        return [([left, a], base), ([a, b], middle), ([b, right], base)]
    ways: list[tuple[list[int], Tags]] = [([a, b], middle)]
    for street, end in ((left, a), (right, b)):
        landing = network.add_node(_towards(network.xy[end], network.xy[street], 15.0))
        ways.append(([street, landing], base))
        ways.append(([landing, end], (("highway", "steps"),)))
    return ways
