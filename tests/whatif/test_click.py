"""The planners' click ("a new voorziening here") on the real delft-tu sample: what depends on
the analysis alone (the resident points' k-d tree and snapping, their zones) is built once per
analysis and shared, so a second click redoes none of it and answers the same."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from geo.analysis import Analysis
from geo.pipeline import whatif_demand, whatif_evaluate
from geo.whatif.scenarios import SiteValue


def _same(a: SiteValue, b: SiteValue) -> None:
    assert (a.category, a.norm_m, a.residents, a.residents_65plus, a.on_network) == (
        b.category,
        b.norm_m,
        b.residents,
        b.residents_65plus,
        b.on_network,
    )
    pd.testing.assert_frame_equal(a.by_zone, b.by_zone)


def test_two_clicks_answer_alike_and_the_second_builds_nothing(delft_analysis: Analysis) -> None:
    site = delft_analysis.points.geometry.iloc[len(delft_analysis.points) // 2]
    first = whatif_evaluate(delft_analysis, "huisarts", site)
    assert first.residents > 0  # a click in the middle of the campus brings someone in reach
    demand = whatif_demand(delft_analysis)
    builds = dict(delft_analysis.derived.builds)
    assert builds["whatif.demand"] == 1
    assert builds["whatif.areas"] == 1
    # a route or isochrone in between snaps other points (the walking source keeps only its
    # last snapped set): the click's demand must not be snapped again because of it
    delft_analysis.walking().snap(np.array([site], dtype=object))
    second = whatif_evaluate(delft_analysis, "huisarts", site)
    _same(first, second)
    assert whatif_demand(delft_analysis) is demand
    assert dict(delft_analysis.derived.builds) == builds
    assert demand.snapped is not None
    assert len(demand) == len(delft_analysis.points)


def test_a_fresh_analysis_builds_its_own_and_answers_the_same(delft_analysis: Analysis) -> None:
    site = delft_analysis.points.geometry.iloc[0]
    cached = whatif_evaluate(delft_analysis, "apotheek", site, norm_m=400.0)
    fresh = replace(delft_analysis)  # same figures, an empty cache of its own
    assert len(fresh.derived) == 0
    _same(whatif_evaluate(fresh, "apotheek", site, norm_m=400.0), cached)
    assert fresh.derived.builds["whatif.demand"] == 1
    assert whatif_demand(fresh) is not whatif_demand(delft_analysis)
