"""The `wsz` command line, in process: output, exit codes, files written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from maps.assets import VENDOR_SUBDIR
from service.cli import main
from tests.conftest import (
    DATA_PATH,
    SAMPLE_BUURTEN,
    copy_sample_store,
    fingerprint,
    make_settings,
    requires_shared_data,
)

#: The default sample reads Nieuwegein's real CBS buurten from ../shared/data.
requires_sample = requires_shared_data(SAMPLE_BUURTEN)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WSZ_STORE_PATH", str(tmp_path / "store.gpkg"))
    monkeypatch.setenv("WSZ_DATA_PATH", os.pathsep.join(str(p) for p in DATA_PATH))
    monkeypatch.setenv("WSZ_MAP_TILES", "none")


@pytest.fixture
def imported_sample(
    sample_store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """This test's store holding the sample as `wsz import sample` leaves it (a copy of the
    session's import: the commands below are under test, not the import), walking over the
    session's street network."""
    network = make_settings(sample_store_file).network_cache
    monkeypatch.setenv("WSZ_NETWORK_CACHE_DIR", str(network))
    return copy_sample_store(sample_store_file, tmp_path / "store.gpkg")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in ("import", "coverage", "map", "serve", "demo", "download"):
        assert command in out


@requires_sample
def test_demo_without_server_prints_coverage_per_zone(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--no-serve"]) == 0
    captured = capsys.readouterr()
    assert "Store holds 39 buurten, 5 zones and 48 voorzieningen (1 outside every zone)." in (
        captured.out
    )
    synthetic = "Synthetic (generated, not real data): voorzieningen, network, addresses."
    assert synthetic in captured.out
    assert "[zuid]: 10,435 residents" in captured.out  # CBS 2024
    assert "All zones together" in captured.out
    assert "warning: 7 buurt(en) in no woonservicezone" in captured.err
    assert "Placing residents" in captured.err  # progress goes to stderr


@requires_sample
def test_coverage_of_one_zone_and_an_unknown_zone(
    imported_sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["coverage", "--zone", "noord"]) == 0
    out = capsys.readouterr().out
    assert "[noord]" in out
    assert "[zuid]" not in out
    assert main(["coverage", "--zone", "atlantis"]) == 1
    assert "error (Not found): no woonservicezone 'atlantis'" in capsys.readouterr().err


@requires_sample
def test_refused_import_exits_1_and_keeps_the_store(
    imported_sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = imported_sample
    before = fingerprint(store)
    broken = tmp_path / "buurten.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [')
    assert main(["import", "buurten", str(broken)]) == 1
    assert "error (Unreadable file)" in capsys.readouterr().err
    assert fingerprint(store) == before


@requires_sample
def test_import_buurten_then_coverage_needs_no_zones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "buurten", str(SAMPLE_BUURTEN)]) == 0
    assert "Store holds 39 buurten, 0 zones" in capsys.readouterr().out


@requires_sample
def test_map_writes_overview_and_zone_pages(imported_sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    assert main(["map", "-o", str(out)]) == 0
    names = sorted(p.name for p in out.glob("*.html"))
    assert names == [
        "centrum.html",
        "index.html",
        "noord.html",
        "oost.html",
        "west.html",
        "zuid.html",
    ]
    assert (out / "vendor" / VENDOR_SUBDIR / "leaflet.js").is_file()


def test_bad_configuration_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSZ_THRESHOLDS_M", '{"bakker": 300}')
    assert main(["coverage"]) == 1
    assert "threshold given for unknown category bakker" in capsys.readouterr().err


def test_empty_store(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage"]) == 1
    assert "import them first" in capsys.readouterr().err
