"""The synthetic parts of the Nieuwegein sample (data/sample/make_synthetic.py), imported as a
module: deterministic, the committed files; its street network (tags, barriers and their
crossings, the footbridge's steps) and its voorzieningen in the real buurten near a street.

The script run as a newcomer runs it is in test_make_synthetic.py; the generator places its
points in the REAL CBS buurten of Nieuwegein (../shared/data), so the tests that read them are
skipped, naming the file, without that folder.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.read.samples import read_manifest, sample_buurten
from geo.settings import SAMPLE_DIR, Settings
from tests.conftest import DATA_PATH, SAMPLE_SHARED_FILES, requires_shared_data

NETWORK = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"
TO_RD = Transformer.from_crs(4326, 28992, always_xy=True)
#: The generator places its points in the sample's real buurten (../shared/data).
requires_nieuwegein = requires_shared_data(*SAMPLE_SHARED_FILES["nieuwegein"])


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    """data/sample/make_synthetic.py as a module."""
    path = SAMPLE_DIR / "make_synthetic.py"
    spec = importlib.util.spec_from_file_location("make_synthetic", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_synthetic"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ways() -> list[tuple[dict[str, str], shapely.LineString]]:
    """Every way of the synthetic network: its tags and its line in RD New."""
    found = []
    for way in osmium.FileProcessor(str(NETWORK)).with_locations():
        if not isinstance(way, osmium.osm.Way):
            continue
        x, y = TO_RD.transform([n.lon for n in way.nodes], [n.lat for n in way.nodes])
        found.append((dict(way.tags), shapely.LineString(np.column_stack([x, y]))))
    return found


# --------------------------------------------------------------------------- the generator


@requires_nieuwegein
def test_generator_is_deterministic_and_made_the_committed_files(
    generator: ModuleType, tmp_path: Path
) -> None:
    first = generator.generate(tmp_path / "a", DATA_PATH)
    second = generator.generate(tmp_path / "b", DATA_PATH)
    assert [p.name for p in first] == [
        "nieuwegein_synthetic.osm.pbf",
        "voorzieningen_GM0356_synthetic.geojson",
        "huisartsen_GM0356_synthetic.csv",
        "adressen_GM0356_synthetic.csv",
    ]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes(), one.name
        assert one.read_bytes() == (SAMPLE_DIR / one.name).read_bytes(), (
            f"{one.name} differs from data/sample: run data/sample/make_synthetic.py"
        )


def test_network_file_is_small_plain_osm_without_metadata() -> None:
    assert NETWORK.stat().st_size < 1_500_000
    reader = osmium.io.Reader(str(NETWORK))
    try:
        header = reader.header()
        assert "SYNTHETIC" in header.get("generator")
        assert header.box().valid()
    finally:
        reader.close()
    kinds: Counter[str] = Counter()
    for obj in osmium.FileProcessor(str(NETWORK)):
        assert isinstance(obj, (osmium.osm.Node, osmium.osm.Way, osmium.osm.Relation))
        kinds[obj.type_str()] += 1
        assert obj.version == 0
        assert obj.timestamp.timestamp() == 0
        assert obj.user == ""
    assert kinds["n"] > 2000
    assert kinds["w"] > 1500
    assert kinds["r"] == 0


def test_network_has_the_expected_tag_mix(
    ways: list[tuple[dict[str, str], shapely.LineString]],
) -> None:
    highways = Counter(tags["highway"] for tags, _ in ways if "highway" in tags)
    for kind in (
        "residential",
        "living_street",
        "tertiary",
        "secondary",
        "unclassified",
        "service",
        "footway",
        "path",
        "cycleway",
        "pedestrian",
        "track",
    ):
        assert highways[kind] >= 5, kind
    assert highways["motorway"] == 2
    assert highways["steps"] == 3  # both ends of one footbridge, and the Lekdijk
    assert highways["construction"] == 1

    def count(**wanted: str) -> int:
        return sum(all(tags.get(k) == v for k, v in wanted.items()) for tags, _ in ways)

    distributors = highways["tertiary"] + highways["secondary"]
    assert count(sidewalk="both") >= 0.8 * distributors
    assert count(sidewalk="separate") == 1
    assert count(foot="no") == 1
    assert count(highway="service", access="private") == 1
    assert count(wheelchair="no") == 1
    assert {t["name"] for t, _ in ways if t.get("waterway") == "canal"} == {
        "Merwedekanaal",
        "Amsterdam-Rijnkanaal",
        "Lekkanaal",
    }
    assert count(waterway="river", name="Lek") == 1
    assert {t["ref"] for t, _ in ways if t.get("highway") == "motorway"} == {"A2", "A27"}


def _barriers(
    ways: list[tuple[dict[str, str], shapely.LineString]],
) -> Iterator[tuple[str, shapely.Geometry]]:
    lines: defaultdict[str, list[shapely.LineString]] = defaultdict(list)
    for tags, line in ways:
        if tags.get("waterway") in ("canal", "river"):
            lines[tags["name"]].append(line)
        elif tags.get("highway") == "motorway":
            lines[tags["ref"]].append(line)
    for name, parts in sorted(lines.items()):
        yield name, shapely.union_all(parts)


def test_barriers_are_crossed_only_at_the_bridges_placed(
    generator: ModuleType, ways: list[tuple[dict[str, str], shapely.LineString]]
) -> None:
    planned = Counter(c.barrier for c in generator.CROSSINGS)
    assert planned == {
        "Merwedekanaal": 7,
        "Amsterdam-Rijnkanaal": 3,
        "Lekkanaal": 2,
        "A2": 5,
        "A27": 4,
    }
    streets = [(t, g) for t, g in ways if "highway" in t and t["highway"] != "motorway"]
    found = {}
    for name, barrier in _barriers(ways):
        crossing = [tags for tags, line in streets if line.intersects(barrier)]
        assert all(t.get("bridge") == "yes" or t.get("tunnel") == "yes" for t in crossing)
        found[name] = len(crossing)
    assert found == {**planned, "Lek": 0}
    bridges = sum(tags.get("bridge") == "yes" for tags, _ in streets)
    tunnels = sum(tags.get("tunnel") == "yes" for tags, _ in streets)
    assert (bridges, tunnels) == (19, 2)


def test_footbridge_has_steps_at_both_ends(
    ways: list[tuple[dict[str, str], shapely.LineString]],
) -> None:
    footbridge = [g for t, g in ways if t.get("highway") == "footway" and t.get("bridge")]
    assert len(footbridge) == 1
    ends = shapely.get_parts(shapely.boundary(footbridge[0]))
    steps = [g for t, g in ways if t.get("highway") == "steps"]
    assert all(any(end.distance(s) < 0.5 for s in steps) for end in ends)


@requires_nieuwegein
def test_voorzieningen_lie_in_the_real_buurten_near_a_street(
    settings: Settings, ways: list[tuple[dict[str, str], shapely.LineString]]
) -> None:
    from geo.read.voorzieningen import read_voorzieningen

    manifest = read_manifest(settings)
    buurten = sample_buurten(manifest, settings.vocabulary)
    frames = [read_voorzieningen(p, settings.vocabulary, o) for p, o in manifest.voorzieningen]
    points = pd.concat(frames, ignore_index=True).set_index("id")
    assert len(points) == 48
    assert points["name"].str.endswith("(synthetisch)").all()
    outline = shapely.union_all(buurten.geometry.values)
    inside = shapely.contains(outline, points.geometry.values)
    assert list(points.index[~inside]) == ["wsz-s-12"]  # IJsselstein, across the A2
    streets = shapely.union_all([g for t, g in ways if t.get("highway") not in (None, "motorway")])
    assert shapely.distance(points.geometry.values, streets).max() < 40
