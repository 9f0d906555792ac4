"""The analysis: a dataset with its resident points, coverage and gap polygons, as served.

:func:`geo.pipeline.analyse` makes one; the API, the CLI and the maps ask it questions
(:mod:`geo.ask`). It is immutable once made, except for the walking sources of other
profiles, which are built on first use under a lock (requests run on many threads), and
what later stages derive from it once per analysis (:attr:`Analysis.derived`: the what-if
layer's demand points, their k-d tree and snapping).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import shapely

from geo.common.once import OnceCache
from geo.coverage.distance import DistanceSource, StraightLineDistance, WalkingDistance
from geo.coverage.figures import Coverage
from geo.errors import NetworkError, NoNetworkError
from geo.network.build import Network
from geo.store.dataset import Dataset
from geo.vocabulary import Vocabulary


@dataclass(frozen=True, eq=False)
class Analysis:
    """A dataset with its resident points and coverage.

    ``coverage`` is by ``source``: walking over ``network`` where one is loaded (with the
    straight-line figures beside it), else straight lines. ``straight`` is always the
    straight-line coverage. :attr:`gaps` are the gap polygons of ``coverage`` (RD New), built
    by ``gap_builder`` on first use (None: no gaps); ``notes`` say what the figures rest on
    (synthetic parts, unreachable points, missing categories, a network that does not cover
    the buurten).
    """

    dataset: Dataset
    vocabulary: Vocabulary
    points: gpd.GeoDataFrame
    coverage: Coverage
    source: DistanceSource = field(default_factory=StraightLineDistance)
    straight: Coverage | None = None
    network: Network | None = None
    #: Builds the gap polygons (:mod:`geo.coverage.gaps`), once, when :attr:`gaps` is first
    #: read: dissolving the cells is a good part of an analysis, which serving the figures
    #: (``wsz serve``'s start, every import and reload) does not need.
    gap_builder: Callable[[], gpd.GeoDataFrame] | None = field(default=None, repr=False)
    notes: tuple[str, ...] = ()
    snap_limit_m: float = 250.0
    #: Walking speed (m/s) and isochrone margin (m) of the settings the analysis was made with.
    walking_speed_m_per_s: float = 0.8
    isochrone_buffer_m: float = 40.0
    #: What is built from this analysis on first use, once (keyed by its user, e.g.
    #: ``"whatif.demand"``); a copy made with :func:`dataclasses.replace` starts empty.
    derived: OnceCache = field(default_factory=OnceCache, init=False, repr=False, compare=False)
    _walking: dict[str, WalkingDistance] = field(default_factory=dict, repr=False)
    _walking_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _gaps: OnceCache = field(default_factory=OnceCache, init=False, repr=False, compare=False)

    @property
    def gaps(self) -> gpd.GeoDataFrame | None:
        """The gap polygons of ``coverage`` (RD New; one row per category and zone), built on
        first use by one thread while others asking wait; None without a ``gap_builder``."""
        if self.gap_builder is None:
            return None
        return self._gaps.get("gaps", self.gap_builder)

    def coverage_by(self, distance: str | None = None) -> Coverage:
        """The coverage by ``distance`` (``walking``, ``straight_line``; None: the default)."""
        if distance is None or distance == self.coverage.source:
            return self.coverage
        if distance == "straight_line":
            return self.straight or self.coverage
        raise NoNetworkError(
            "no street network is loaded, so there are no walking distances; build one with "
            "`wsz network build EXTRACT` (or use distance=straight_line)"
        )

    def distance_source(self, distance: str | None = None, profile: str = "walk") -> DistanceSource:
        """The source for ``distance`` and ``profile``: walking over the network where asked
        for and loaded, straight lines where asked for."""
        if distance == "straight_line" or (distance is None and self.coverage.source != "walking"):
            return StraightLineDistance()
        return self.walking(profile)

    def walking(self, profile: str = "walk") -> WalkingDistance:
        """Walking distance over the network for ``profile``; :class:`NoNetworkError` without
        a network."""
        if self.network is None:
            raise NoNetworkError(
                "no street network is loaded: walking routes, isochrones and distances need "
                "one; build it with `wsz network build EXTRACT`"
            )
        with self._walking_lock:
            if profile not in self._walking:
                if profile == "walk" and isinstance(self.source, WalkingDistance):
                    self._walking[profile] = self.source
                else:
                    self._walking[profile] = WalkingDistance(
                        self.network.graph(profile), snap_limit_m=self.snap_limit_m
                    )
            return self._walking[profile]


# --------------------------------------------------------------------------- notes


def synthetic_note(dataset: Dataset) -> list[str]:
    """A note naming the synthetic (generated) layers, if any."""
    if not dataset.provenance.synthetic:
        return []
    return [
        f"synthetic (generated) data: {', '.join(dataset.provenance.synthetic)}; the figures "
        "say nothing about the real gemeente"
    ]


def extract_cover_notes(buurten: gpd.GeoDataFrame, network: Network) -> list[str]:
    """Notes on how much of the buurten the network's extract covers.

    Raises :class:`~geo.errors.NetworkError` when it covers none of them.
    """
    area = buurten.area.to_numpy()
    covered = shapely.area(shapely.intersection(buurten.geometry.values, network.bounds))
    share = float(covered.sum() / area.sum()) if area.sum() > 0 else 0.0
    if share == 0:
        xmin, ymin, xmax, ymax = (round(v) for v in buurten.total_bounds)
        raise NetworkError(
            f"the street network's extract {network.source.extract} does not cover the buurten "
            f"(extract {tuple(round(v) for v in network.source.bounds)}, buurten "
            f"{(xmin, ymin, xmax, ymax)} in RD New); use an extract of this gemeente"
        )
    if share >= 0.999:
        return []
    full = int((covered >= 0.999 * area).sum())
    return [
        f"the street network's extract covers {share:.0%} of the buurten' area ({full} of "
        f"{len(buurten)} buurten fully); residents outside it count as off the network"
    ]


def coverage_notes(
    dataset: Dataset, vocabulary: Vocabulary, source: DistanceSource, coverage: Coverage
) -> list[str]:
    """Notes on missing categories, voorzieningen off the network and residents off it."""
    notes = []
    counts = dataset.voorzieningen["category"].value_counts()
    missing = [code for code in vocabulary.codes if counts.get(code, 0) == 0]
    if missing:
        notes.append(
            f"no voorzieningen of {', '.join(missing)}: every resident counts as beyond "
            "for these categories"
        )
    if isinstance(source, WalkingDistance):
        far = source.unreachable_targets(
            np.asarray(dataset.voorzieningen.geometry.values, dtype=object)
        )
        if far.any():
            listing = ", ".join(dataset.voorzieningen.loc[far, "id"].astype(str)[:10])
            notes.append(
                f"{int(far.sum())} voorziening(en) lie further than {source.snap_limit_m:.0f} m "
                f"from every walkable way and are not reached by walking: {listing}"
            )
        off = coverage.gemeente["residents_off_network"].max()
        if off > 0:
            notes.append(
                f"{off:,.0f} residents in zones live further than {source.snap_limit_m:.0f} m "
                "from every walkable way: counted as beyond"
            )
    return notes
