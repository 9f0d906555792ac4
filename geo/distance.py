"""Distance sources: metres from origins to the nearest of a set of targets.

Coverage asks a :class:`DistanceSource` for distances and never measures them itself, so
walking distances over the street network can replace straight lines without touching coverage.
All coordinates are in the working CRS (RD New, metres).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import shapely
from numpy.typing import NDArray


@dataclass(frozen=True)
class Nearest:
    """For each origin: distance in metres to the nearest target, and that target's position.

    ``distance_m`` is ``inf`` and ``target`` is -1 where no target is reachable (or none exists).
    """

    distance_m: NDArray[np.float64]
    target: NDArray[np.int64]


class DistanceSource(Protocol):
    """Anything that can answer "how far to the nearest target?" for many origins at once."""

    #: Short name shown with results, e.g. ``"straight_line"`` or ``"walking"``.
    name: str

    def nearest(self, origins: NDArray[np.object_], targets: NDArray[np.object_]) -> Nearest:
        """Nearest target per origin; both are arrays of shapely Points in RD New."""
        ...


class StraightLineDistance:
    """Euclidean distance in RD New (metres): a lower bound of any walking distance."""

    name = "straight_line"

    def nearest(self, origins: NDArray[np.object_], targets: NDArray[np.object_]) -> Nearest:
        """Nearest target per origin with an STRtree (vectorised, ``O(n log m)``)."""
        n = len(origins)
        distance = np.full(n, np.inf)
        target = np.full(n, -1, dtype=np.int64)
        if n == 0 or len(targets) == 0:
            return Nearest(distance, target)
        tree = shapely.STRtree(targets)
        (origin_idx, target_idx), found = tree.query_nearest(
            origins, return_distance=True, all_matches=False
        )
        distance[origin_idx] = found
        target[origin_idx] = target_idx
        return Nearest(distance, target)
