"""Settings refuse bad combinations at start-up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from geo.settings import Settings
from tests.conftest import make_service, make_settings


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"thresholds_m": {"huisarts": 0}}, "thresholds must be > 0"),
        ({"thresholds_m": {"bakker": 300}}, "unknown category bakker"),
        ({"walking_speed_m_per_s": 0}, "greater than 0"),
    ],
)
def test_bad_settings_are_refused(
    tmp_path: Path, overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        make_settings(tmp_path / "s.gpkg", **overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"map_tiles": "satellite"}, "use one of none, openstreetmap, brt"),
        ({"map_tiles": "https://tiles.example/{z}/{x}/{y}.png"}, "WSZ_MAP_TILES_ATTRIBUTION"),
    ],
)
def test_bad_service_settings_are_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make_service(**overrides)


def test_the_working_crs_is_not_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every distance is in RD New; the old WSZ_WORKING_CRS was validated and never used."""
    assert "working_crs" not in Settings.model_fields
    monkeypatch.setenv("WSZ_WORKING_CRS", "EPSG:4326")
    assert Settings().store_path.suffix == ".gpkg"  # ignored, as any unknown WSZ_ variable


def test_threshold_override_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSZ_THRESHOLDS_M", '{"supermarkt": 600}')
    monkeypatch.setenv("WSZ_DATA_PATH", "/a:/b")
    settings = Settings()
    assert settings.vocabulary["supermarkt"].threshold_m == 600
    assert settings.vocabulary["huisarts"].threshold_m == 500
    assert settings.data_path == [Path("/a"), Path("/b")]
    assert settings.minutes(400) == pytest.approx(400 / 0.8 / 60)


def test_data_path_lookup(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "s.gpkg")
    assert settings.find_data_file("sample.yaml").name == "sample.yaml"
    with pytest.raises(ValueError, match=re.escape("nope.gpkg not found in the data path")):
        settings.find_data_file("nope.gpkg")
