"""The one place where the stages are chained: load → zones → join → distances → coverage.

Imports read and validate a file, assemble it with what the store holds (:func:`assemble`)
and write the result atomically: a failure anywhere leaves the store as it was.
:func:`analyse` adds resident points and coverage. The CLI, the API and the maps call these,
never the stages directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd

from geo.coverage import Coverage, compute_coverage
from geo.dataset import Dataset
from geo.distance import DistanceSource, StraightLineDistance
from geo.population import resident_points

if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.vocabulary import Vocabulary


@dataclass(frozen=True)
class Analysis:
    """A dataset with its resident points and coverage, as served and mapped."""

    dataset: Dataset
    vocabulary: Vocabulary
    points: gpd.GeoDataFrame
    coverage: Coverage
    source: DistanceSource = field(default_factory=StraightLineDistance)


def analyse(
    dataset: Dataset, settings: Settings, source: DistanceSource | None = None
) -> Analysis:
    """Place residents and compute coverage with ``source`` (straight lines by default)."""
    dataset.require_buurten()
    source = source or StraightLineDistance()
    vocabulary = settings.vocabulary
    points = resident_points(dataset.buurten, spacing_m=settings.resident_grid_spacing_m)
    coverage = compute_coverage(points, dataset.buurten, dataset.voorzieningen, vocabulary, source)
    return Analysis(dataset, vocabulary, points, coverage, source)
