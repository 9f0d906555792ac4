"""Distance sources: metres from origins to the nearest of a set of targets.

Coverage asks a :class:`DistanceSource` for distances and never measures them itself:
:class:`StraightLineDistance` (a lower bound of any walk) and :class:`WalkingDistance` (over the
OSM pedestrian network, :mod:`geo.network`) are interchangeable. All coordinates are in the
working CRS (RD New, metres).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import shapely
from numpy.typing import NDArray

from geo.network.graph import WalkGraph
from geo.network.isochrone import DEFAULT_BUFFER_M, isochrones
from geo.network.paths import Route, TargetField, nearest_distances, route, target_field
from geo.network.snap import Snapped, snap_points


@dataclass(frozen=True)
class Nearest:
    """For each origin: distance in metres to the nearest target, and that target's position.

    ``distance_m`` is ``inf`` and ``target`` is -1 where no target is reachable (or none exists).
    """

    distance_m: NDArray[np.float64]
    target: NDArray[np.int64]
    #: True where the origin itself lies beyond the network's snap limit (walking only).
    off_network: NDArray[np.bool_] | None = field(default=None)

    @property
    def unreachable_origins(self) -> NDArray[np.bool_]:
        """Origins that no measure can place on the network (all False for straight lines)."""
        if self.off_network is None:
            return np.zeros(len(self.distance_m), dtype=bool)
        return self.off_network


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


def _content_key(points: NDArray[np.object_]) -> bytes:
    """A digest of the points' coordinates: equal arrays share cached work."""
    return hashlib.blake2b(shapely.get_coordinates(points).tobytes(), digest_size=16).digest()


class WalkingDistance:
    """Walking distance over a :class:`~geo.network.graph.WalkGraph` (metres, RD New).

    Origins and targets snap to the nearest walkable edge within ``snap_limit_m``; beyond it an
    origin is unreachable (``inf``, counted, see :attr:`Nearest.off_network`) and a target is
    left out. The multi-source field of a target set is computed once and kept (by the targets'
    coordinates), so lookups and routes to the same voorzieningen cost a snap and a gather.
    Its caches are shared by the request threads and guarded by a lock (the work is done
    outside it: two threads may compute the same field once each, never corrupt the cache).
    """

    name = "walking"

    def __init__(self, graph: WalkGraph, *, snap_limit_m: float, cache_size: int = 32) -> None:
        self.graph = graph
        self.snap_limit_m = snap_limit_m
        self._fields: OrderedDict[bytes, TargetField] = OrderedDict()
        self._cache_size = cache_size
        self._last_snapped: tuple[bytes, Snapped] | None = None
        self._lock = threading.Lock()

    @property
    def profile(self) -> str:
        return self.graph.profile

    def snap(self, points: NDArray[np.object_]) -> Snapped:
        """Points (RD New) snapped to the network; the last set is kept, so the resident
        points of a coverage run snap once for all six categories."""
        key = _content_key(points)
        with self._lock:
            last = self._last_snapped
        if last is not None and last[0] == key:
            return last[1]
        snapped = snap_points(self.graph, points, self.snap_limit_m)
        with self._lock:
            self._last_snapped = (key, snapped)
        return snapped

    def field(self, targets: NDArray[np.object_]) -> TargetField:
        """The multi-source shortest-path field of ``targets`` (computed once per target set)."""
        key = _content_key(targets)
        with self._lock:
            if key in self._fields:
                self._fields.move_to_end(key)
                return self._fields[key]
        computed = target_field(self.graph, snap_points(self.graph, targets, self.snap_limit_m))
        with self._lock:
            self._fields[key] = computed
            while len(self._fields) > self._cache_size:
                self._fields.popitem(last=False)
        return computed

    def nearest(self, origins: NDArray[np.object_], targets: NDArray[np.object_]) -> Nearest:
        """Nearest target per origin by walking; one Dijkstra for all targets together."""
        snapped = self.snap(origins)
        distance, target = self.field(targets).nearest_for(snapped)
        return Nearest(distance, target, ~snapped.snapped)

    def nearest_of_each(
        self, origins: NDArray[np.object_], target_sets: Sequence[NDArray[np.object_]]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Metres from each origin to the nearest target of each set (one column per set,
        ``inf`` where none is reachable), and which origins lie beyond the snap limit: one
        snap, one Dijkstra per set (kept, as for :meth:`nearest`), one gather for all."""
        snapped = self.snap(origins)
        fields = [self.field(targets) for targets in target_sets]
        return nearest_distances(fields, snapped), ~snapped.snapped

    def unreachable_targets(self, targets: NDArray[np.object_]) -> NDArray[np.bool_]:
        """Targets too far from every walkable edge to be walked to (a snap, no Dijkstra)."""
        return ~snap_points(self.graph, targets, self.snap_limit_m).snapped

    def route(self, origin: shapely.Point, targets: NDArray[np.object_]) -> Route | None:
        """The walk from ``origin`` to the nearest of ``targets``; None if none is reachable."""
        one = np.array([origin], dtype=object)
        return route(self.field(targets), self.snap(one), origin, targets)

    def isochrones(
        self,
        origin: shapely.Point,
        cutoffs_m: Sequence[float],
        *,
        buffer_m: float = DEFAULT_BUFFER_M,
    ) -> list[shapely.Geometry] | None:
        """Reachable areas (RD New) within each cut-off in metres; None if ``origin`` is beyond
        the snap limit."""
        snapped = self.snap(np.array([origin], dtype=object))
        if not snapped.snapped[0]:
            return None
        return isochrones(self.graph, snapped, origin, cutoffs_m, buffer_m=buffer_m)


def nearest_of_each(
    source: DistanceSource,
    origins: NDArray[np.object_],
    target_sets: Sequence[NDArray[np.object_]],
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Metres from each origin to the nearest target of each set (origins × sets, ``inf`` where
    none is reachable), and which origins no set can reach because they lie off the network.

    Walking answers all sets in one gather (:meth:`WalkingDistance.nearest_of_each`); any other
    source one :meth:`~DistanceSource.nearest` per set. The same figures either way.
    """
    if isinstance(source, WalkingDistance) and len(target_sets):
        return source.nearest_of_each(origins, target_sets)
    distance = np.full((len(origins), len(target_sets)), np.inf)
    off_network = np.zeros(len(origins), dtype=bool)
    for k, targets in enumerate(target_sets):
        nearest = source.nearest(origins, targets)
        distance[:, k] = nearest.distance_m
        off_network |= nearest.unreachable_origins
    return distance, off_network
