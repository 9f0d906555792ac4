"""``wsz batch`` over the two samples' gemeenten on a real LocalCluster: the same figures as
the single-process ``wsz coverage``, resumable, and clear about input it cannot use."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.analysis import Analysis
from geo.batch.driver import BatchSummary, run_batch
from geo.batch.settings import BatchSettings
from geo.pipeline import analyse_store
from tests.batch.conftest import samples_input
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def first_run(
    two_gemeenten: Path, cluster: str, tmp_path_factory: pytest.TempPathFactory
) -> BatchSummary:
    output = tmp_path_factory.mktemp("batch-run")
    settings = make_settings(output / "unused.gpkg")
    return run_batch(
        samples_input(two_gemeenten, output), settings, BatchSettings(), scheduler=cluster
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
    first_run: BatchSummary, walking_analysis: Analysis, delft_folder: Path
) -> None:
    assert first_run.count("computed") == 2, first_run.failed
    _check_equal(first_run, "GM0356", walking_analysis)
    _check_equal(first_run, "GM0503", analyse_store(make_settings(delft_folder / "store.gpkg")))
