"""What goes wrong during a run: a worker process that dies (Dask retries it; past the retries
the gemeente is reported and the others go on), a full disk (a real tmpfs filled up: a clear
message, and nothing half-written is taken as finished by the rerun), and a buurten file
reaching beyond the extract (the run says which gemeenten and how much of each is covered).
A full disk under the GeoPackage store's batch tables is said so too."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import dask
import geopandas as gpd
import pandas as pd
import pytest

from geo.batch.driver import BatchSummary, run_batch
from geo.batch.results import LEVELS, finished
from geo.batch.settings import BatchSettings
from geo.errors import ResultWriteError
from geo.store.batch_tables import batch_file
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.batch.conftest import copy_finished, samples_argv, samples_input
from tests.conftest import DELFT_OSM, make_settings

#: The preload that kills a worker when a given gemeente starts on it (see its docstring).
KILLER = Path(__file__).with_name("worker_killer.py")
PAGE = 4096


def _killing(gemeente: str, marker: Path | None) -> dask.config.set:
    """Dask config under which every worker a LocalCluster starts runs :data:`KILLER`."""
    return dask.config.set(
        {
            "distributed.worker.preload": [str(KILLER)],
            "wsz-test.kill.gemeente": gemeente,
            "wsz-test.kill.marker": None if marker is None else str(marker),
        }
    )


def _rows(summary: BatchSummary, level: str, gemeente: str | None = None) -> pd.DataFrame:
    table = gpd.read_parquet(summary.files[level])
    mine = table if gemeente is None else table[table["gm_code"] == gemeente]
    return pd.DataFrame(mine.to_wkb()).reset_index(drop=True)


def _same_tables(run: BatchSummary, reference: BatchSummary, gemeente: str | None = None) -> None:
    for level in LEVELS:
        pd.testing.assert_frame_equal(
            _rows(run, level, gemeente),
            _rows(reference, level, gemeente),
            check_exact=True,
            check_dtype=False,  # text columns: str (in process) or string (Dask), same values
        )


def test_worker_that_dies_once(
    first_run: BatchSummary, two_gemeenten: Path, tmp_path: Path
) -> None:
    """run_batch's own LocalCluster (one worker process): the worker exits (os._exit) the
    moment Delft starts on it. Its nanny starts a new worker, Dask gives Delft to it again
    (WSZ_BATCH_RETRIES=1), and the run completes with the same tables."""
    marker = tmp_path / "killed"
    inputs = samples_input(two_gemeenten, tmp_path / "out", gemeenten=("GM0503",))
    with _killing("GM0503", marker):
        summary = run_batch(inputs, make_settings(tmp_path / "x.gpkg"), BatchSettings(workers=1))
    assert marker.exists(), "no worker died: the test proves nothing"
    assert [(o.gemeente, o.status) for o in summary.outcomes] == [("GM0503", "computed")]
    _same_tables(summary, first_run, "GM0503")


def test_worker_that_always_dies(two_gemeenten: Path, tmp_path: Path) -> None:
    """No retries left (WSZ_BATCH_RETRIES=0): the gemeente whose worker died is reported by
    name and why, and nothing of it is kept as finished."""
    inputs = samples_input(two_gemeenten, tmp_path, gemeenten=("GM0503",))
    with _killing("GM0503", None):
        summary = run_batch(
            inputs, make_settings(tmp_path / "x.gpkg"), BatchSettings(workers=1, retries=0)
        )
    (failed,) = summary.outcomes
    assert (failed.gemeente, failed.status) == ("GM0503", "failed")
    assert failed.message == (
        "its worker process died while computing it, 1 time(s) (killed, or over the memory "
        "per worker, WSZ_BATCH_MEMORY_PER_WORKER); the other gemeenten went on — run the "
        "same command again to retry it"
    )
    assert not list((tmp_path / "parts").glob("GM0503-*"))
    assert "buurten" not in summary.files


# --------------------------------------------------------------------------- a full disk


class SmallDisk:
    """A real tmpfs of a given size mounted at ``path`` (root only), resizable."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def resize(self, size: int) -> None:
        """Make the file system ``size`` bytes (whole pages)."""
        subprocess.run(
            ["mount", "-o", f"remount,size={size}", str(self.path)], check=True, timeout=10
        )


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """A 16 KiB tmpfs (too small for one table of a gemeente); unmounted afterwards."""
    path = tmp_path / "disk"
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "wsz-test-disk", str(path)],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False, timeout=10)


def _part_bytes(run: BatchSummary, gemeente: str) -> int:
    """What one finished gemeente takes on a tmpfs (each file in whole pages)."""
    folder = next((run.files["buurten"].parent / "parts").glob(f"{gemeente}-*"))
    return sum(-(-f.stat().st_size // PAGE) * PAGE for f in folder.iterdir())


def test_disk_full_while_writing_a_gemeente(
    first_run: BatchSummary, two_gemeenten: Path, small_disk: SmallDisk
) -> None:
    """The disk fills while a gemeente's tables are written: it is reported with the reason,
    nothing of it looks finished; with space again the rerun computes it, equal."""
    output = small_disk.path / "out"
    inputs = samples_input(two_gemeenten, output, gemeenten=("GM0503",))
    settings = make_settings(small_disk.path / "x.gpkg")
    full = run_batch(inputs, settings, BatchSettings(), single_process=True)
    (failed,) = full.failed
    assert failed.message == (
        f"cannot write its results to {output}: No space left on device; free space there "
        "(or choose another --output) and run the same command again: finished gemeenten are "
        "kept"
    )
    assert not finished(output, "GM0503", failed.key)
    assert [p.name for p in (output / "parts").iterdir()] == []  # no temporary left either
    small_disk.resize(8 << 20)
    again = run_batch(inputs, settings, BatchSettings(), single_process=True)
    assert [o.status for o in again.outcomes] == ["computed"]
    _same_tables(again, first_run, "GM0503")


def test_disk_full_while_merging(
    first_run: BatchSummary,
    two_gemeenten: Path,
    small_disk: SmallDisk,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Room for Delft's tables but not for the merged ones too: ``wsz batch`` says so and
    exits 1; Delft's part is complete and kept, no merged file is half there; the rerun
    with space computes nothing and merges, equal."""
    small_disk.resize(_part_bytes(first_run, "GM0503") * 3 // 2)
    output = small_disk.path / "out"
    argv = [*samples_argv(two_gemeenten, output, DELFT_OSM), "--gemeente", "GM0503"]
    assert main([*argv, "--single-process"]) == 1
    assert (
        capsys.readouterr()
        .err.splitlines()[-1]
        .startswith(
            f"error (Cannot write results): cannot write the merged results to {output}: No space "
            "left on device; free space there"
        )
    )
    (part,) = (output / "parts").iterdir()
    assert part.name.startswith("GM0503-")
    assert (part / "outcome.json").is_file()
    assert sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == []
    for merged in output.glob("*.parquet"):  # those written before the disk was full: whole
        gpd.read_parquet(merged)
    small_disk.resize(8 << 20)
    inputs = samples_input(two_gemeenten, output, gemeenten=("GM0503",))
    again = run_batch(
        inputs, make_settings(output / "x.gpkg"), BatchSettings(), single_process=True
    )
    assert [o.status for o in again.outcomes] == ["finished"]
    _same_tables(again, first_run, "GM0503")


# --------------------------------------------------------------------------- beyond the extract


def test_buurten_beyond_the_extract(
    two_gemeenten: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both gemeenten, only Delft's extract: Nieuwegein is reported as not covered at all,
    Delft is computed and reported as partly covered, with how much; exit status 1."""
    argv = samples_argv(two_gemeenten, tmp_path, DELFT_OSM)
    assert main([*argv, "--single-process"]) == 1
    out = capsys.readouterr().out
    assert "2 gemeenten: 1 computed, 0 finished earlier (kept), 1 failed" in out
    assert (
        "failed GM0356: not covered by the extract (delft_tu_campus_2014.osm): 0 % of its "
        "buurten' area"
    ) in out
    assert "partly covered GM0503 Delft: 90% of its buurten' area (6 of 10 buurten fully)" in out


def test_disk_full_while_writing_the_store(
    first_run: BatchSummary, two_gemeenten: Path, small_disk: SmallDisk, tmp_path: Path
) -> None:
    """A GeoPackage store on a full disk: the batch tables cannot be written — said so,
    nothing half-written beside the store; with space again the rerun writes them."""
    output = tmp_path / "out"
    copy_finished(first_run, output, "GM0503")
    store = GeoPackageStore(small_disk.path / "wsz.gpkg")
    inputs = samples_input(two_gemeenten, output, gemeenten=("GM0503",))
    settings = make_settings(tmp_path / "x.gpkg")
    where = re.escape(str(batch_file(store.path)))
    with pytest.raises(ResultWriteError, match=rf"^cannot write the batch tables to {where} \("):
        run_batch(inputs, settings, BatchSettings(), single_process=True, store=store)
    assert [p.name for p in small_disk.path.iterdir() if not p.name.endswith(".lock")] == []
    small_disk.resize(8 << 20)
    summary = run_batch(inputs, settings, BatchSettings(), single_process=True, store=store)
    assert summary.store is not None
    assert len(store.batch_tables.read("buurten")) == len(_rows(first_run, "buurten", "GM0503"))
