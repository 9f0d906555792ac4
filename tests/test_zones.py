"""Zone definitions: the documented format, every problem reported, dissolve totals."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest

from geo.errors import DataQualityWarning, ReadError, ZoneDefinitionError
from geo.read.buurten import read_buurten
from geo.read.zones import ZoneDefinition, read_zone_definition
from geo.zones import assign_zones, dissolve_zones
from tests.conftest import SAMPLE_BUURTEN, SAMPLE_ZONES, VOCABULARY, skip_without_shared_data


@pytest.fixture(scope="module")
def buurten() -> gpd.GeoDataFrame:
    """The sample's 39 real CBS buurten of Nieuwegein (read once, when a test needs them)."""
    skip_without_shared_data(SAMPLE_BUURTEN)
    return read_buurten(SAMPLE_BUURTEN, vocabulary=VOCABULARY)


def definition(*zones: dict[str, object], gemeente: str | None = "GM0356") -> ZoneDefinition:
    return ZoneDefinition.model_validate({"gemeente": gemeente, "zones": list(zones)})


def test_example_definition_assigns_wijken_and_buurten_and_warns_about_the_rest(
    buurten: gpd.GeoDataFrame,
) -> None:
    example = read_zone_definition(SAMPLE_ZONES)
    with pytest.warns(DataQualityWarning, match=r"7 buurt\(en\) in no woonservicezone") as info:
        zone_codes = assign_zones(buurten, example)
    message = str(info[0].message)
    assert "BU03561800 (Het Klooster)" in message
    assert "BU03562002 (Buitengebied Laagraven)" in message
    assert zone_codes.index.equals(buurten.index)
    counts = zone_codes.value_counts().to_dict()
    # Nieuwegein's real buurten per wijk (CBS 2024): 16 residential wijken, 32 buurten.
    assert counts == {"noord": 8, "centrum": 7, "west": 6, "zuid": 6, "oost": 5}


def test_json_definition_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "zones.json"
    path.write_text(json.dumps({"zones": [{"code": "a", "name": "A", "wijken": ["WK035601"]}]}))
    assert read_zone_definition(path).zones[0].wijken == ("WK035601",)


def test_dissolved_zones_carry_population_totals(buurten: gpd.GeoDataFrame) -> None:
    example = read_zone_definition(SAMPLE_ZONES)
    with pytest.warns(DataQualityWarning):
        zone_codes = assign_zones(buurten, example)
    zones = dissolve_zones(buurten, zone_codes, example).set_index("zone_code")
    assert list(zones.index) == ["noord", "west", "centrum", "oost", "zuid"]
    # Hoogzandveld 1,665 + 1,340, Lekboulevard 1,685, Vreeswijk 2,360 + 1,040, Zandveld 2,345
    # (CBS Kerncijfers 2024, ../shared/data/cbs/kwb2024_buurten_GM0356.csv).
    assert zones.loc["zuid", "residents"] == 10_435
    assert zones["residents"].sum() == buurten["residents"][zone_codes.notna()].sum()
    assert zones["residents"].sum() == 65_955 - 970  # all but the business parks and the park
    assert zones.loc["zuid", "buurt_codes"] == (
        "BU03561101,BU03561102,BU03561200,BU03561301,BU03561302,BU03561600"
    )
    assert zones.geometry.is_valid.all()
    noord = buurten[zone_codes == "noord"]
    assert zones.loc["noord", "area_ha"] == pytest.approx(noord.area.sum() / 10_000, rel=0.01)


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        (
            [{"code": "a", "name": "A", "buurten": ["BU03569999"], "wijken": ["WK035699"]}],
            "zone 'a': unknown code(s) BU03569999, WK035699",
        ),
        (
            [
                {"code": "a", "name": "A", "wijken": ["WK035601"]},
                {"code": "b", "name": "B", "buurten": ["BU03560101"]},
            ],
            "BU03560101 in a and b",
        ),
        (
            [{"code": "a", "name": "A", "wijken": ["WK035601"]}, {"code": "leeg", "name": "Leeg"}],
            "zone 'leeg' has no buurten",
        ),
        (
            [
                {"code": "a", "name": "A", "wijken": ["WK035601"]},
                {"code": "a", "name": "A2", "wijken": ["WK035602"]},
            ],
            "zone code(s) used twice: a",
        ),
    ],
)
def test_definition_problems_are_named(
    zones: list[dict[str, object]], message: str, buurten: gpd.GeoDataFrame
) -> None:
    with pytest.raises(ZoneDefinitionError) as info:
        assign_zones(buurten, definition(*zones))
    assert message in str(info.value)


def test_all_problems_are_reported_at_once(buurten: gpd.GeoDataFrame) -> None:
    bad = definition(
        {"code": "a", "name": "A", "buurten": ["BU03569999"]},
        {"code": "b", "name": "B", "wijken": ["WK035601"], "buurten": ["BU03560101"]},
        {"code": "c", "name": "C", "buurten": ["BU03560101"]},
    )
    with pytest.raises(ZoneDefinitionError) as info:
        assign_zones(buurten, bad)
    text = str(info.value)
    assert "BU03569999" in text
    assert "zone 'a' has no buurten" in text
    assert "BU03560101 in b and c" in text


def test_buurten_of_another_gemeente_are_refused(buurten: gpd.GeoDataFrame) -> None:
    with pytest.raises(ZoneDefinitionError, match="not in gemeente GM0344: BU03560101"):
        assign_zones(
            buurten,
            definition({"code": "a", "name": "A", "buurten": ["BU03560101"]}, gemeente="GM0344"),
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("zones: []", "zones: .*should have at least 1 item"),
        ("zones:\n  - code: Noord Oost\n    name: x\n", "zones.0.code: String should match"),
        ("zones:\n  - code: a\n    name: A\n    buurt: [BU03560101]\n", "Extra inputs"),
        ("- just a list", "expected a mapping"),
    ],
)
def test_malformed_definitions(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text(text)
    with pytest.raises(ZoneDefinitionError, match=message):
        read_zone_definition(path)


def test_unparsable_yaml(tmp_path: Path) -> None:
    path = tmp_path / "zones.yaml"
    path.write_text("zones: [unclosed")
    with pytest.raises(ReadError, match="not valid YAML"):
        read_zone_definition(path)


def test_binary_zone_file_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "zones.yaml"
    path.write_bytes(b"\xff\xfe\x00zones")
    with pytest.raises(ReadError, match="not a text file in UTF-8"):
        read_zone_definition(path)
