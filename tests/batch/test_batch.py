"""``wsz batch`` over the two samples' gemeenten on a real LocalCluster: the same figures as
the single-process ``wsz coverage``, resumable, and clear about input it cannot use."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.analysis import Analysis
from geo.batch.driver import BatchSummary, run_batch
from geo.batch.settings import BatchSettings
from geo.errors import ConfigurationError
from service.cli import main
from tests.batch.conftest import NIEUWEGEIN_OSM, copy_finished, samples_argv, samples_input
from tests.conftest import (
    VOCABULARY,
    free_port,
    make_settings,
)


def _same(batch: pd.DataFrame, single: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        batch[list(single.columns)].reset_index(drop=True),
        single.reset_index(drop=True),
        check_exact=True,
        check_dtype=False,
    )


def _check_equal(summary: BatchSummary, gemeente: str, analysis: Analysis) -> None:
    coverage = analysis.coverage
    buurten = gpd.read_parquet(summary.files["buurten"])
    zones = gpd.read_parquet(summary.files["zones"])
    whole = gpd.read_parquet(summary.files["gemeenten"])
    _same(buurten[buurten["gm_code"] == gemeente], coverage.buurten)
    _same(zones[zones["gm_code"] == gemeente], coverage.zones)
    mine = whole[(whole["gm_code"] == gemeente) & (whole["scope"] == "zones")]
    _same(mine, coverage.gemeente)


def test_equal_to_single_process(
    first_run: BatchSummary, walking_analysis: Analysis, delft_analysis: Analysis
) -> None:
    assert first_run.count("computed") == 2, first_run.failed
    _check_equal(first_run, "GM0356", walking_analysis)
    _check_equal(first_run, "GM0503", delft_analysis)


def test_rerun_redoes_nothing(first_run: BatchSummary, two_gemeenten: Path, cluster: str) -> None:
    output = first_run.files["buurten"].parent
    parts = sorted((output / "parts").iterdir())
    before = {p.name: (p / "outcome.json").stat().st_mtime_ns for p in parts}
    settings = make_settings(output / "unused.gpkg")
    again = run_batch(
        samples_input(two_gemeenten, output), settings, BatchSettings(), scheduler=cluster
    )
    assert (again.count("computed"), again.count("finished")) == (0, 2)
    after = {p.name: (p / "outcome.json").stat().st_mtime_ns for p in (output / "parts").iterdir()}
    assert after == before


def test_resume_after_partial_run(
    first_run: BatchSummary, two_gemeenten: Path, cluster: str, tmp_path: Path
) -> None:
    """A run stopped after Nieuwegein (its folder kept) and mid-write of Delft (a half-written
    temporary folder): the rerun computes Delft only, never reads the half-written one."""
    copy_finished(first_run, tmp_path, "GM0356")
    stale = tmp_path / "parts" / ".GM0503-0123456789abcdef-feed.tmp"
    stale.mkdir()
    (stale / "buurten.parquet").write_bytes(b"PAR1 half written")
    settings = make_settings(tmp_path / "unused.gpkg")
    resumed = run_batch(
        samples_input(two_gemeenten, tmp_path), settings, BatchSettings(), scheduler=cluster
    )
    assert {o.gemeente: o.status for o in resumed.outcomes} == {
        "GM0356": "finished",
        "GM0503": "computed",
    }
    assert not stale.exists()
    merged = gpd.read_parquet(resumed.files["buurten"])
    per_buurt = len(VOCABULARY.codes)
    assert merged["gm_code"].value_counts().to_dict() == {
        "GM0356": 39 * per_buurt,
        "GM0503": 10 * per_buurt,
    }


def test_cli_summary_of_a_finished_run(
    first_run: BatchSummary, two_gemeenten: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = first_run.files["buurten"].parent
    assert main(samples_argv(two_gemeenten, output)) == 0
    out = capsys.readouterr().out
    assert "2 gemeenten: 0 computed, 2 finished earlier (kept), 0 failed" in out
    assert "partly covered GM0503 Delft: 90% of its buurten' area (6 of 10 buurten fully)" in out


# --------------------------------------------------------------------------- bad input


def test_gemeente_not_covered(two_gemeenten: Path, tmp_path: Path) -> None:
    inputs = samples_input(
        two_gemeenten, tmp_path, extracts=(NIEUWEGEIN_OSM,), gemeenten=("GM0503",)
    )
    summary = run_batch(inputs, make_settings(tmp_path / "x.gpkg"), BatchSettings())
    (failed,) = summary.failed
    assert failed.gemeente == "GM0503"
    assert failed.message == (
        "not covered by the extract (nieuwegein_synthetic.osm.pbf): 0 % of its buurten' area"
    )


def test_gemeente_covered_too_little(two_gemeenten: Path, tmp_path: Path) -> None:
    inputs = samples_input(two_gemeenten, tmp_path, gemeenten=("GM0503",))
    summary = run_batch(inputs, make_settings(tmp_path / "x.gpkg"), BatchSettings(min_cover=0.95))
    assert [o.message for o in summary.failed] == [
        "the extract delft_tu_campus_2014.osm covers only 90% of its buurten' area (6 of 10 "
        "buurten fully), less than the 95% asked (WSZ_BATCH_MIN_COVER); use an extract that "
        "holds the whole gemeente"
    ]


def test_extract_without_highways(two_gemeenten: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no_highways.osm"
    empty.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>\n"
        "<bounds minlat='51.98' minlon='4.36' maxlat='52.01' maxlon='4.40'/>\n"
        "<node id='1' lat='51.99' lon='4.37'><tag k='amenity' v='bench'/></node>\n</osm>\n"
    )
    inputs = samples_input(two_gemeenten, tmp_path, extracts=(empty,), gemeenten=("GM0503",))
    summary = run_batch(
        inputs, make_settings(tmp_path / "x.gpkg"), BatchSettings(), single_process=True
    )
    assert [(o.gemeente, o.message) for o in summary.failed] == [
        (
            "GM0503",
            f"Unreadable file: {empty}: holds no highway ways (1 tagged objects read); is it "
            "an OSM extract of a built-up area?",
        )
    ]


@pytest.mark.parametrize(
    ("address", "message"),
    [
        # A free port, found when the test runs: in the parameters, its number would make
        # the test's id differ between pytest-xdist's workers (they collect separately).
        ("tcp://127.0.0.1:{free}", "no Dask scheduler answers at {address} (waited at most 1 s"),
        ("127.0.0.1", "--scheduler '{address}' is not a Dask scheduler address (missing port"),
        ("http://127.0.0.1:8786", "--scheduler '{address}' is not a Dask scheduler address (Dask"),
    ],
    ids=["nothing-listens", "no-port", "http-scheme"],
)
def test_scheduler_that_does_not_answer(tmp_path: Path, address: str, message: str) -> None:
    """Refused before any input is read (the buurten file here does not even exist)."""
    address = address.format(free=free_port())
    inputs = samples_input(tmp_path / "not-read.gpkg", tmp_path)
    with pytest.raises(ConfigurationError, match=re.escape(message.format(address=address))):
        run_batch(
            inputs,
            make_settings(tmp_path / "x.gpkg"),
            BatchSettings(scheduler_timeout_s=1),
            scheduler=address,
        )
