"""The walking network on tiny hand-made OSM files with known answers, and on the real Delft
extract: walk rules, snapping, multi-source shortest paths, routes, isochrones, the cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import NetworkError, ReadError
from geo.network.build import build_network, load_network
from geo.network.cache import NetworkCache
from geo.network.graph import WalkGraph, build_graph
from geo.network.isochrone import isochrones
from geo.network.osm import read_osm
from geo.network.paths import nearest_distances, route, target_field
from geo.network.rules import classify_ways, rules_markdown
from geo.network.snap import snap_points
from tests.conftest import (
    DELFT_OSM,
    PROJECT_ROOT,
    SHARED_DATA,
    fingerprint,
    requires_shared_data,
    skip_without_shared_data,
)
from tests.osm_builder import rd, write_osm

AMSTERDAM_PBF = SHARED_DATA / "osm" / "amsterdam_oost_clip_valhalla_2016.osm.pbf"
RESIDENTIAL = {"highway": "residential"}
#: OSM stores coordinates to 1e-7 degree (about 1 cm): hand-made distances hold to a few cm.
CM = 0.05


def canal_network(path: Path, *, trunk: dict[str, str] | None = None) -> Path:
    """Two streets 40 m apart on either bank of a canal, 500 m long.

    Crossings: a road bridge at the north end (y = 500), a footbridge with steps halfway
    (y = 250), and at the south end (y = 0) a trunk road, by default closed to pedestrians.
    """
    nodes = {1: (0, 0), 2: (0, 250), 3: (0, 500), 4: (40, 0), 5: (40, 250), 6: (40, 500)}
    ways = [
        (100, [1, 2, 3], RESIDENTIAL),
        (101, [4, 5, 6], RESIDENTIAL),
        (102, [3, 6], {"highway": "residential", "bridge": "yes"}),
        (103, [2, 5], {"highway": "steps", "bridge": "yes"}),
        (104, [1, 4], trunk or {"highway": "trunk", "foot": "no"}),
    ]
    return write_osm(path, nodes, ways)


def graph_of(path: Path, profile: str = "walk") -> WalkGraph:
    extract = read_osm(path)
    return build_graph(extract.ways, extract.node_tags, profile)  # type: ignore[arg-type]


def points(*xy: tuple[float, float]) -> np.ndarray:
    made: np.ndarray = shapely.points([rd(x, y) for x, y in xy])
    return made


def walk(
    graph: WalkGraph, origins: np.ndarray, targets: np.ndarray, limit: float = 250.0
) -> tuple[np.ndarray, np.ndarray]:
    field = target_field(graph, snap_points(graph, targets, limit))
    return field.nearest_for(snap_points(graph, origins, limit))


# --------------------------------------------------------------------------- known answers


def test_canal_with_bridges_walk_and_rollator(tmp_path: Path) -> None:
    path = canal_network(tmp_path / "canal.osm")
    origin = points((-10, 0))  # 10 m west of the west street's south end
    target = points((50, 0))  # straight across the canal: 60 m as the crow flies
    distance, which = walk(graph_of(path, "walk"), origin, target)
    # 10 (to the street) + 250 (north) + 40 (steps bridge) + 250 (south) + 10 (to the target)
    assert distance[0] == pytest.approx(560.0, abs=CM)
    assert which[0] == 0
    # The rollator cannot take the steps: round via the road bridge at y = 500.
    distance, _ = walk(graph_of(path, "rollator"), origin, target)
    assert distance[0] == pytest.approx(1060.0, abs=CM)


def test_trunk_road_closed_to_pedestrians_unless_foot_yes(tmp_path: Path) -> None:
    origin, target = points((-10, 0)), points((50, 0))
    closed = graph_of(canal_network(tmp_path / "closed.osm"))
    assert closed.report.excluded["foot=no|use_sidepath"][0] == 1
    assert walk(closed, origin, target)[0][0] == pytest.approx(560.0, abs=CM)
    open_ = graph_of(
        canal_network(tmp_path / "open.osm", trunk={"highway": "trunk", "foot": "yes"})
    )
    assert walk(open_, origin, target)[0][0] == pytest.approx(60.0, abs=CM)
    plain = graph_of(canal_network(tmp_path / "plain.osm", trunk={"highway": "trunk"}))
    assert plain.report.excluded["highway=trunk|trunk_link"][0] == 1


def test_point_beyond_the_snap_limit_is_unreachable_not_dropped(tmp_path: Path) -> None:
    graph = graph_of(canal_network(tmp_path / "canal.osm"))
    origins = points((-10, 0), (-400, 0), (20, 250))
    snapped = snap_points(graph, origins, 250.0)
    assert snapped.snapped.tolist() == [True, False, True]
    distance, which = walk(graph, origins, points((50, 0)))
    assert len(distance) == 3
    assert np.isinf(distance[1])
    assert which[1] == -1


def test_target_on_the_same_edge_counts_directly(tmp_path: Path) -> None:
    graph = graph_of(canal_network(tmp_path / "canal.osm"))
    # Both on the west street between y = 0 and 250: 100 m apart along it, offsets 5 and 3.
    distance, _ = walk(graph, points((-5, 50)), points((-3, 150)))
    assert distance[0] == pytest.approx(108.0, abs=CM)
    # With a second target nearer in position but far off the street, the near one still wins
    # where it is shorter in total (offset + along the edge).
    distance, which = walk(graph, points((-5, 50)), points((-200, 60), (-3, 150)))
    assert which[0] == 1
    assert distance[0] == pytest.approx(108.0, abs=CM)


@pytest.mark.parametrize(
    ("tags", "walk_ok", "rollator_ok"),
    [
        ({"highway": "footway"}, True, True),
        ({"highway": "steps"}, True, False),
        ({"highway": "cycleway"}, True, True),
        ({"highway": "cycleway", "foot": "no"}, False, False),
        ({"highway": "motorway"}, False, False),
        ({"highway": "motorway", "foot": "yes"}, False, False),
        ({"highway": "motorway_link"}, False, False),
        ({"highway": "trunk"}, False, False),
        ({"highway": "trunk", "foot": "designated"}, True, True),
        ({"highway": "trunk_link", "foot": "yes"}, True, True),
        ({"highway": "service", "access": "private"}, False, False),
        ({"highway": "service", "access": "private", "foot": "yes"}, True, True),
        ({"highway": "service", "access": "no", "foot": "permissive"}, True, True),
        ({"highway": "construction"}, False, False),
        ({"highway": "proposed", "foot": "yes"}, False, False),
        ({"highway": "secondary", "sidewalk": "separate"}, True, True),
        ({"highway": "secondary", "sidewalk": "separate", "foot": "no"}, False, False),
        ({"highway": "footway", "wheelchair": "no"}, True, False),
        ({"highway": "footway", "incline": "10%"}, True, False),
        ({"highway": "footway", "incline": "-8 %"}, True, False),
        ({"highway": "footway", "incline": "4%"}, True, True),
        ({"highway": "footway", "incline": "up"}, True, True),
        ({"highway": "pedestrian", "area": "yes"}, True, True),
        ({"highway": "bus_guideway"}, False, False),
    ],
)
def test_walk_rules(tags: dict[str, str], walk_ok: bool, rollator_ok: bool) -> None:
    assert classify_ways((tags,), "walk")[0][0] == walk_ok
    assert classify_ways((tags,), "rollator")[0][0] == rollator_ok


def test_documented_rules_are_the_rules() -> None:
    assert (PROJECT_ROOT / "docs" / "walk-rules.md").read_text(encoding="utf-8") == (
        rules_markdown()
    )


def test_raised_kerb_blocks_the_rollator_only(tmp_path: Path) -> None:
    # A square block; the short way crosses a raised kerb at node 5.
    nodes = {1: (0, 0), 5: (50, 0), 2: (100, 0), 3: (100, 300), 4: (0, 300)}
    ways = [(10, [1, 5, 2], {"highway": "footway"}), (11, [2, 3, 4, 1], RESIDENTIAL)]
    path = write_osm(tmp_path / "kerb.osm", nodes, ways, {5: {"barrier": "kerb", "kerb": "raised"}})
    origin, target = points((0, -5)), points((100, -5))
    assert walk(graph_of(path, "walk"), origin, target)[0][0] == pytest.approx(110.0, abs=CM)
    assert walk(graph_of(path, "rollator"), origin, target)[0][0] == pytest.approx(710.0, abs=CM)
    assert graph_of(path, "rollator").report.blocking_nodes == 1


def test_only_the_largest_component_is_kept(tmp_path: Path) -> None:
    nodes = {1: (0, 0), 2: (300, 0), 3: (0, 1000), 4: (80, 1000)}
    ways = [(1, [1, 2], RESIDENTIAL), (2, [3, 4], {"highway": "footway"})]
    graph = graph_of(write_osm(tmp_path / "two.osm", nodes, ways))
    assert graph.n_edges == 1
    assert graph.report.components_dropped == 1
    assert graph.report.dropped_m == pytest.approx(80.0, abs=CM)


def test_ways_are_cut_at_junctions_and_keep_their_geometry(tmp_path: Path) -> None:
    # An L-shaped street (via node 2) with a side street joining at node 2.
    nodes = {1: (0, 0), 2: (0, 100), 3: (100, 100), 4: (-60, 100), 5: (0, 50)}
    ways = [(1, [1, 5, 2, 3], RESIDENTIAL), (2, [4, 2], RESIDENTIAL)]
    graph = graph_of(write_osm(tmp_path / "l.osm", nodes, ways))
    assert graph.n_nodes == 4  # 1, 2, 3, 4; node 5 is an inner vertex
    assert sorted(graph.edge_length) == pytest.approx([60.0, 100.0, 100.0], abs=CM)
    assert sorted(shapely.get_num_points(graph.edge_geometry)) == [2, 2, 3]


# --------------------------------------------------------------------------- routes, isochrones


def test_route_follows_the_bridge_and_its_length_is_the_distance(tmp_path: Path) -> None:
    graph = graph_of(canal_network(tmp_path / "canal.osm"))
    origin, target = points((-10, 0)), points((50, 0))
    field = target_field(graph, snap_points(graph, target, 250))
    found = route(field, snap_points(graph, origin, 250), origin[0], target)
    assert found is not None
    assert found.distance_m == pytest.approx(560.0, abs=CM)
    assert found.geometry.length == pytest.approx(found.distance_m, abs=1e-6)
    assert found.geometry.coords[0] == pytest.approx(rd(-10, 0), abs=CM)
    assert found.geometry.coords[-1] == pytest.approx(rd(50, 0), abs=CM)
    assert shapely.intersects(found.geometry, shapely.Point(rd(20, 250)).buffer(CM))


def test_isochrones_nest_and_grow(tmp_path: Path) -> None:
    graph = graph_of(canal_network(tmp_path / "canal.osm"))
    origin = points((-10, 0))
    small, medium, large = isochrones(
        graph, snap_points(graph, origin, 250), origin[0], [100.0, 300.0, 600.0], buffer_m=10.0
    )
    assert small.area < medium.area < large.area
    assert medium.buffer(1e-6).contains(small)
    assert large.buffer(1e-6).contains(medium)
    # 300 m walked reaches y = 290 on the west bank, not the east bank (only via y = 250 steps
    # and 300 - 10 - 250 - 40 = 0 m left there).
    assert medium.contains(shapely.Point(rd(0, 280)))
    assert not medium.contains(shapely.Point(rd(40, 200)))
    assert large.contains(shapely.Point(rd(40, 200)))


# --------------------------------------------------------------------------- real Delft data


@pytest.fixture(scope="module")
def delft() -> WalkGraph:
    skip_without_shared_data(DELFT_OSM)
    return graph_of(DELFT_OSM)


def test_delft_extract_builds(delft: WalkGraph) -> None:
    report = delft.report
    assert report.ways_read == 990  # 1,032 highway ways, 42 cut to a single node at the edge
    assert report.excluded["highway=motorway|motorway_link"][0] == 21
    assert report.nodes > 1000
    assert 80_000 < report.walkable_m < 95_000


def test_delft_schie_makes_a_short_hop_a_long_walk(delft: WalkGraph) -> None:
    # Both banks of the Schie near the TU campus, 117 m apart as the crow flies.
    east, west = shapely.points([(85104.0, 445664.0)]), shapely.points([(84989.0, 445687.0)])
    straight = float(shapely.distance(east[0], west[0]))
    distance, _ = walk(delft, east, west)
    assert straight < 120
    assert distance[0] > 5 * straight


def test_multi_source_equals_one_target_at_a_time(delft: WalkGraph) -> None:
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = shapely.total_bounds(delft.edge_geometry)
    origins = shapely.points(rng.uniform(xmin, xmax, 400), rng.uniform(ymin, ymax, 400))
    targets = shapely.points(rng.uniform(xmin, xmax, 12), rng.uniform(ymin, ymax, 12))
    distance, which = walk(delft, origins, targets)
    one_by_one = np.column_stack([walk(delft, origins, targets[[k]])[0] for k in range(12)])
    expected = one_by_one.min(axis=1)
    assert np.allclose(distance, expected, rtol=0, atol=1e-6, equal_nan=True)
    reached = np.isfinite(distance)
    assert np.allclose(one_by_one[reached, which[reached]], distance[reached])


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_targets=st.integers(1, 8))
def test_walking_is_never_shorter_than_a_straight_line(
    delft: WalkGraph, seed: int, n_targets: int
) -> None:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = shapely.total_bounds(delft.edge_geometry)
    origins = shapely.points(rng.uniform(xmin, xmax, 200), rng.uniform(ymin, ymax, 200))
    targets = shapely.points(rng.uniform(xmin, xmax, n_targets), rng.uniform(ymin, ymax, n_targets))
    distance, which = walk(delft, origins, targets)
    reached = np.isfinite(distance)
    straight = shapely.distance(origins[reached], targets[which[reached]])
    assert np.all(distance[reached] >= straight - 1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_adding_a_voorziening_never_increases_a_distance(delft: WalkGraph, seed: int) -> None:
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = shapely.total_bounds(delft.edge_geometry)
    origins = shapely.points(rng.uniform(xmin, xmax, 200), rng.uniform(ymin, ymax, 200))
    targets = shapely.points(rng.uniform(xmin, xmax, 4), rng.uniform(ymin, ymax, 4))
    before, _ = walk(delft, origins, targets[:3])
    after, _ = walk(delft, origins, targets)
    assert np.all(after <= before + 1e-9)


def test_delft_distances_of_many_fields_at_once_equal_each_field(delft: WalkGraph) -> None:
    """The one-pass gather for several target sets gives each set's distances bit for bit,
    origins beyond the snap limit and a set without targets included."""
    rng = np.random.default_rng(8)
    xmin, ymin, xmax, ymax = shapely.total_bounds(delft.edge_geometry)
    origins = shapely.points(rng.uniform(xmin - 500, xmax, 3000), rng.uniform(ymin, ymax, 3000))
    snapped = snap_points(delft, origins, 250)
    assert 0 < (~snapped.snapped).sum() < len(origins)
    fields = [
        target_field(delft, snap_points(delft, shapely.points(xy), 250))
        for xy in (rng.uniform((xmin, ymin), (xmax, ymax), (count, 2)) for count in (1, 5, 40, 300))
    ]
    fields.append(target_field(delft, snap_points(delft, shapely.points([(0.0, 0.0)]), 250)))
    together = nearest_distances(fields, snapped)
    assert together.shape == (len(origins), len(fields))
    for k, field in enumerate(fields):
        assert np.array_equal(together[:, k], field.nearest_for(snapped)[0])
    assert np.all(np.isinf(together[:, -1]))
    everyone = snap_points(delft, origins[snapped.snapped], 250)
    assert np.array_equal(nearest_distances(fields, everyone), together[snapped.snapped])


def test_delft_routes_match_their_distance(delft: WalkGraph) -> None:
    rng = np.random.default_rng(5)
    xmin, ymin, xmax, ymax = shapely.total_bounds(delft.edge_geometry)
    targets = shapely.points(rng.uniform(xmin, xmax, 3), rng.uniform(ymin, ymax, 3))
    field = target_field(delft, snap_points(delft, targets, 250))
    origins = shapely.points(rng.uniform(xmin, xmax, 30), rng.uniform(ymin, ymax, 30))
    checked = 0
    for k in range(30):
        found = route(field, snap_points(delft, origins[[k]], 250), origins[k], targets)
        if found is None:
            continue
        assert found.geometry.length == pytest.approx(found.distance_m, abs=1e-6)
        checked += 1
    assert checked > 20


def test_delft_isochrones_nest(delft: WalkGraph) -> None:
    origin = shapely.points([(85600.0, 446000.0)])
    five, ten, fifteen = isochrones(
        delft, snap_points(delft, origin, 250), origin[0], [240.0, 480.0, 720.0]
    )
    assert 0 < five.area < ten.area < fifteen.area
    assert ten.buffer(1e-6).contains(five)
    assert fifteen.buffer(1e-6).contains(ten)


@requires_shared_data(AMSTERDAM_PBF)
def test_pbf_extract_reads(tmp_path: Path) -> None:
    extract = read_osm(AMSTERDAM_PBF)
    assert extract.counts["highway_ways"] == 54
    graph = build_graph(extract.ways, extract.node_tags, "walk")
    assert graph.n_edges > 0


# --------------------------------------------------------------------------- bad input, cache


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"this is not OSM at all\n", "not a readable OSM extract"),
        (b'<?xml version="1.0"?><osm version="0.6"><node id="1" lat="52" lo', "not a readable"),
        (b'<?xml version="1.0"?><osm version="0.6"></osm>', "no highway ways"),
    ],
)
def test_bad_extracts_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.osm"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read_osm(path)


@requires_shared_data(AMSTERDAM_PBF)
def test_truncated_pbf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "truncated.osm.pbf"
    path.write_bytes(AMSTERDAM_PBF.read_bytes()[:9000])
    with pytest.raises(ReadError, match="not a readable OSM extract"):
        read_osm(path)


def test_no_walkable_way_is_a_network_error(tmp_path: Path) -> None:
    path = write_osm(
        tmp_path / "motorway.osm", {1: (0, 0), 2: (100, 0)}, [(1, [1, 2], {"highway": "motorway"})]
    )
    extract = read_osm(path)
    with pytest.raises(NetworkError, match="no walkable way"):
        build_graph(extract.ways, extract.node_tags, "walk")


@requires_shared_data(DELFT_OSM)
def test_cache_round_trip_and_failed_build_leaves_it_alone(tmp_path: Path) -> None:
    cache = NetworkCache(tmp_path / "network")
    built = build_network(DELFT_OSM, cache)
    assert set(built.graphs) == {"walk", "rollator"}
    active = cache.folder / "active.json"
    before = fingerprint(active)
    files = sorted(p.name for p in cache.folder.iterdir())

    loaded = load_network(cache)
    assert loaded is not None
    graph, original = loaded.graph("walk"), built.graph("walk")
    for name in ("node_x", "node_y", "edge_u", "edge_v", "edge_length"):
        assert np.array_equal(getattr(graph, name), getattr(original, name))
    assert shapely.equals_exact(graph.edge_geometry, original.edge_geometry, 0).all()
    assert graph.report == original.report
    assert len(loaded.buildings) == len(built.buildings) > 0

    bad = tmp_path / "bad.osm.pbf"
    bad.write_bytes(b"\x00\x01garbage")
    with pytest.raises(ReadError):
        build_network(bad, cache)
    assert fingerprint(active) == before
    assert sorted(p.name for p in cache.folder.iterdir()) == files
