"""Gap polygons (geo.coverage.gaps): the cells of the resident points beyond a threshold, per
category and zone, and their residents, which always equal the coverage figures.

Tiny hand-made buurten in RD New: squares of 200 m whose 100 m grid gives four resident
points each, so every cell and every count is known by hand.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.coverage.distance import DistanceSource, StraightLineDistance, WalkingDistance
from geo.coverage.figures import Coverage, compute_coverage
from geo.coverage.gaps import GAP_COLUMNS, gap_polygons
from geo.coverage.population import resident_points
from geo.crs import WORKING_CRS
from geo.network.graph import build_graph
from geo.network.osm import read_osm
from geo.vocabulary import Category, Vocabulary
from tests.osm_builder import ORIGIN, write_osm

X0, Y0 = ORIGIN
#: Three buurten: A (zone a, 400 residents), B (no zone, 80), C (zone a, residents unknown).
#: A and B side by side, C above A.
BUURTEN = (
    ("BU00000001", 0, 0, "a", 400.0, 40.0),
    ("BU00000002", 200, 0, None, 80.0, 20.0),
    ("BU00000003", 0, 200, "a", None, None),
)


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box given relative to :data:`ORIGIN` (RD New metres)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def buurten_frame(
    specs: tuple[tuple[str, float, float, str | None, float | None, float | None], ...] = BUURTEN,
) -> gpd.GeoDataFrame:
    """Squares of 200 m: (code, x0, y0 relative to the origin, zone, residents, 65+)."""
    return gpd.GeoDataFrame(
        {
            "bu_code": [s[0] for s in specs],
            "residents": [np.nan if s[4] is None else s[4] for s in specs],
            "residents_65plus": [np.nan if s[5] is None else s[5] for s in specs],
            "zone_code": pd.array([s[3] for s in specs], dtype="string"),
        },
        geometry=[box(s[1], s[2], s[1] + 200, s[2] + 200) for s in specs],
        crs=WORKING_CRS,
    )


def vocabulary_of(**thresholds: float) -> Vocabulary:
    return Vocabulary(
        categories=tuple(
            Category(
                code=code,
                label_nl=code,
                label_en=code,
                threshold_m=metres,
                norm_source="test",
                colour="#000000",
                symbol=code[0].upper(),
            )
            for code, metres in thresholds.items()
        )
    )


def voorzieningen_at(**where: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """Voorzieningen per category at points given relative to the origin."""
    rows = [(c, x, y) for c, points in where.items() for x, y in points]
    return gpd.GeoDataFrame(
        {"id": [f"v{i}" for i in range(len(rows))], "category": [r[0] for r in rows]},
        geometry=[shapely.Point(X0 + x, Y0 + y) for _, x, y in rows],
        crs=WORKING_CRS,
    )


def gaps_of(
    buurten: gpd.GeoDataFrame,
    voorzieningen: gpd.GeoDataFrame,
    vocabulary: Vocabulary,
    source: DistanceSource | None = None,
) -> tuple[gpd.GeoDataFrame, Coverage]:
    points = resident_points(buurten, spacing_m=100)
    coverage = compute_coverage(
        points, buurten, voorzieningen, vocabulary, source or StraightLineDistance()
    )
    return gap_polygons(points, buurten, coverage, vocabulary), coverage


# --------------------------------------------------------------------------- by hand


def test_gaps_by_hand() -> None:
    """A huisarts at A's lower-left grid point, 120 m: only A's upper-right point (141 m) and
    all of B (200 m and more) are beyond; no apotheek at all: everyone is beyond it, but C
    (residents unknown) stands for nobody and forms no gap."""
    buurten = buurten_frame()
    vocabulary = vocabulary_of(huisarts=120, apotheek=500)
    gaps, _ = gaps_of(buurten, voorzieningen_at(huisarts=[(50, 50)]), vocabulary)
    assert list(gaps.columns) == [*GAP_COLUMNS, "geometry"]
    assert gaps.crs == WORKING_CRS
    rows = list(gaps[["category", "zone_code", "threshold_m"]].itertuples(index=False))
    assert [(r.category, None if pd.isna(r.zone_code) else r.zone_code) for r in rows] == [
        ("huisarts", "a"),
        ("huisarts", None),
        ("apotheek", "a"),
        ("apotheek", None),
    ]
    assert gaps["threshold_m"].tolist() == [120, 120, 500, 500]
    assert gaps["residents_beyond"].tolist() == [100.0, 80.0, 400.0, 80.0]
    assert gaps["residents_65plus_beyond"].tolist() == [10.0, 20.0, 40.0, 20.0]
    assert (gaps["source"] == "straight_line").all()
    expected = [box(100, 100, 200, 200), box(200, 0, 400, 200), box(0, 0, 200, 200)]
    expected.append(box(200, 0, 400, 200))
    for polygon, want in zip(gaps.geometry, expected, strict=True):
        assert polygon.symmetric_difference(want).area == pytest.approx(0, abs=1e-6)


def test_no_resident_beyond_gives_an_empty_frame_with_the_columns() -> None:
    buurten = buurten_frame()
    gaps, _ = gaps_of(buurten, voorzieningen_at(huisarts=[(150, 150)]), vocabulary_of(huisarts=1e4))
    assert gaps.empty
    assert list(gaps.columns) == [*GAP_COLUMNS, "geometry"]
    assert gaps.crs == WORKING_CRS


def test_a_voorziening_across_the_border_still_closes_the_gap() -> None:
    """A voorziening outside every buurt counts like any other."""
    buurten = buurten_frame(BUURTEN[:1])
    outside = voorzieningen_at(huisarts=[(-30, 100)])
    gaps, _ = gaps_of(buurten, outside, vocabulary_of(huisarts=150))
    # (-30, 100) to the grid points: 94, 94 (x = 50) and 190, 190 (x = 150).
    assert gaps["residents_beyond"].tolist() == [200.0]
    assert gaps.geometry.iloc[0].symmetric_difference(box(100, 0, 200, 200)).area < 1e-6


def test_gaps_follow_the_coverage_measure_walking(tmp_path: Path) -> None:
    """By walking: a street along y = 50 from x = 0 to 400; the huisarts at its start. The
    points at y = 150 lie 100 m from the street, beyond the 60 m snap limit: off the network,
    so beyond, although the straight line to two of them is shorter than the threshold."""
    extract = read_osm(
        write_osm(
            tmp_path / "street.osm",
            {1: (0, 50), 2: (200, 50), 3: (400, 50)},
            [(10, [1, 2, 3], {"highway": "residential"})],
        )
    )
    graph = build_graph(extract.ways, extract.node_tags, "walk")
    walking = WalkingDistance(graph, snap_limit_m=60)
    buurten = buurten_frame(BUURTEN[:1])
    huisarts = voorzieningen_at(huisarts=[(50, 50)])
    vocabulary = vocabulary_of(huisarts=120)
    by_walking, coverage = gaps_of(buurten, huisarts, vocabulary, walking)
    by_line, _ = gaps_of(buurten, huisarts, vocabulary)
    assert by_walking["source"].tolist() == ["walking"]
    assert by_walking["residents_beyond"].tolist() == [200.0]  # both points at y = 150
    assert by_walking.geometry.iloc[0].symmetric_difference(box(0, 100, 200, 200)).area < 1e-6
    assert coverage.zones["residents_off_network"].tolist() == [200.0]
    assert by_line["residents_beyond"].tolist() == [100.0]  # only (150, 150): 141 m


# --------------------------------------------------------------------------- invariants

#: Voorziening positions relative to the origin: around and inside the three buurten.
positions = st.lists(
    st.tuples(st.floats(-300, 700, allow_nan=False), st.floats(-300, 700, allow_nan=False)),
    max_size=3,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    huisarts=positions,
    apotheek=positions,
    thresholds=st.tuples(st.floats(1, 600), st.floats(1, 600)),
    residents=st.tuples(st.integers(0, 2_000), st.integers(0, 2_000)),
)
def test_residents_in_the_gaps_equal_the_coverage_figures(
    huisarts: list[tuple[float, float]],
    apotheek: list[tuple[float, float]],
    thresholds: tuple[float, float],
    residents: tuple[int, int],
) -> None:
    """Per category and zone the gap polygons hold exactly the residents (and 65+) the
    coverage counts beyond; buurten in no zone form their own group; the gaps cover the
    beyond cells only (never outside the buurten, never a cell twice)."""
    specs = (
        ("BU00000001", 0, 0, "a", float(residents[0]), residents[0] / 4),
        ("BU00000002", 200, 0, None, float(residents[1]), residents[1] / 4),
        ("BU00000003", 0, 200, "b", 400.0, 100.0),
    )
    buurten = buurten_frame(specs)
    vocabulary = vocabulary_of(huisarts=thresholds[0], apotheek=thresholds[1])
    gaps, coverage = gaps_of(
        buurten, voorzieningen_at(huisarts=huisarts, apotheek=apotheek), vocabulary
    )
    assert (gaps["residents_beyond"] > 0).all()
    zoned = gaps.dropna(subset=["zone_code"]).set_index(["category", "zone_code"])
    figures = coverage.zones.set_index(["category", "zone_code"])
    for key, row in figures.iterrows():
        found = zoned.loc[key] if key in zoned.index else None
        for column in ("residents_beyond", "residents_65plus_beyond"):
            want = row[column]
            got = 0.0 if found is None else found[column]
            assert got == pytest.approx(want, abs=0.011), (key, column)
    unzoned = gaps[gaps["zone_code"].isna()].set_index("category")["residents_beyond"]
    outside = coverage.buurten[coverage.buurten["zone_code"].isna()]
    for category, beyond in outside.groupby("category")["residents_beyond"].sum().items():
        assert unzoned.get(category, 0.0) == pytest.approx(beyond, abs=0.011)
    everything = shapely.union_all(buurten.geometry.to_numpy())
    for polygon in gaps.geometry:
        assert polygon.difference(everything).area < 1e-6
        assert polygon.area == pytest.approx(round(polygon.area / 1e4) * 1e4)  # whole cells
    for _, polygons in gaps.groupby("category").geometry:
        union = shapely.union_all(polygons.to_numpy())
        assert polygons.area.sum() == pytest.approx(union.area)  # the zones' gaps are apart
