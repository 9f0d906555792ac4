"""The batch's inputs: the two samples' gemeenten in one buurten file (real CBS rows), their
extracts, voorzieningen and zone definitions; a real Dask LocalCluster of two processes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.batch.driver import LOCAL_HTTP, BatchInput, BatchSummary, run_batch
from geo.batch.settings import BatchSettings
from geo.read.options import ReadOptions
from geo.settings import SAMPLE_DIR
from tests.conftest import (
    DELFT_BUURTEN,
    DELFT_OSM,
    SAMPLE_BUURTEN,
    SAMPLE_HUISARTSEN,
    SAMPLE_VOORZIENINGEN,
    SAMPLE_ZONES,
    make_settings,
    skip_without_shared_data,
)
from tests.store.conftest import any_store, postgis_url  # noqa: F401  (the store tests' stores)

#: The delft-tu sample's buurten (data/sample/delft-tu.yaml).
DELFT_CODES = (
    "BU05032801", "BU05032803", "BU05032804", "BU05032805", "BU05032806",
    "BU05032807", "BU05032808", "BU05032809", "BU05032810", "BU05032702",
)  # fmt: skip
NIEUWEGEIN_OSM = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"
DELFT_ZONES = SAMPLE_DIR / "zones_GM0503_delft_tu_example.yaml"


@pytest.fixture(scope="session")
def two_gemeenten(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One CBS buurten file (the Wijk- en Buurtkaart's own columns) holding Nieuwegein's 39
    buurten and the delft-tu sample's 10."""
    skip_without_shared_data(SAMPLE_BUURTEN, DELFT_BUURTEN, DELFT_OSM)
    nieuwegein = gpd.read_file(SAMPLE_BUURTEN)
    delft = gpd.read_file(DELFT_BUURTEN)
    delft = delft[delft["BU_CODE"].isin(DELFT_CODES)]
    path = tmp_path_factory.mktemp("batch-input") / "buurten_two_gemeenten.gpkg"
    pd.concat([nieuwegein, delft], ignore_index=True).to_file(path, layer="buurten")
    return path


def samples_input(buurten: Path, output: Path, **changes: object) -> BatchInput:
    """The two samples as one batch (their own extracts, voorzieningen and zones)."""
    values: dict[str, object] = {
        "buurten": buurten,
        "extracts": (NIEUWEGEIN_OSM, DELFT_OSM),
        "output": output,
        "voorzieningen": (
            (SAMPLE_VOORZIENINGEN, ReadOptions()),
            (SAMPLE_HUISARTSEN, ReadOptions(crs="EPSG:28992")),
        ),
        "zones": (SAMPLE_ZONES, DELFT_ZONES),
        **changes,
    }
    return BatchInput(**values)  # type: ignore[arg-type]


def samples_argv(buurten: Path, output: Path, *extracts: Path) -> list[str]:
    """``wsz batch`` of the two samples (:func:`samples_input`'s files) to ``output``; their
    own extracts unless ``extracts`` are given."""
    osm = [str(path) for path in extracts or (NIEUWEGEIN_OSM, DELFT_OSM)]
    argv = ["batch", str(buurten), *osm, "-o", str(output)]
    argv += ["--voorzieningen", str(SAMPLE_VOORZIENINGEN), "--voorzieningen-crs", "EPSG:28992"]
    argv += ["--voorzieningen", str(SAMPLE_HUISARTSEN), "--zones", str(SAMPLE_ZONES)]
    return [*argv, "--zones", str(DELFT_ZONES)]


def copy_finished(run: BatchSummary, output: Path, *gemeenten: str) -> None:
    """Copy the finished parts of ``gemeenten`` of ``run`` into the output folder ``output``
    (as a run stopped after them would leave it)."""
    for gemeente in gemeenten:
        done = next((run.files["buurten"].parent / "parts").glob(f"{gemeente}-*"))
        shutil.copytree(done, output / "parts" / done.name)


@pytest.fixture(scope="session")
def first_run(
    two_gemeenten: Path, cluster: str, tmp_path_factory: pytest.TempPathFactory
) -> BatchSummary:
    """Both samples computed on :func:`cluster` (other tests must not write to its output)."""
    output = tmp_path_factory.mktemp("batch-run")
    settings = make_settings(output / "unused.gpkg")
    return run_batch(
        samples_input(two_gemeenten, output), settings, BatchSettings(), scheduler=cluster
    )


@pytest.fixture(scope="session")
def cluster() -> Iterator[str]:
    """A real LocalCluster: two worker processes of one thread; yields its address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs=LOCAL_HTTP,
    ) as local:
        yield str(local.scheduler_address)
