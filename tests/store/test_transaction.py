"""Every import is one transaction of the one import path: logged, locked, read before the lock.

What used to go around it: ``wsz import sample`` and ``wsz demo`` replaced the store without a
line in the import log, ``wsz import addresses`` took no lock, and an upload was parsed while
the store's lock was held (a slow upload held up every other import and reload).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.errors import ReadError, StoreBusyError
from geo.pipeline import run_import
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import store_lock
from geo.store.log import ImportLog
from geo.store.request import ImportRequest
from service.cli import main
from tests.conftest import SHARED_DATA, fingerprint, make_settings

NLEXTRACT_HEADER = (
    "openbareruimte;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;"
    "provincie;object_id;object_type;nevenadres;x;y;lon;lat"
)


def _entries(store: Path) -> list[dict[str, object]]:
    return ImportLog.beside(store).entries()


def test_a_sample_import_is_logged(tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    assert main(["--store", str(store), "import", "sample"]) == 0
    (entry,) = _entries(store)
    assert (entry["kind"], entry["outcome"], entry["via"]) == ("sample", "applied", "cli")
    assert entry["file_name"] == "sample.yaml"
    changes = entry["changes"]
    assert isinstance(changes, dict)
    assert changes["buurten"]["added"] == 39
    assert main(["--store", str(store), "import", "sample"]) == 0  # the same sample again
    assert _entries(store)[0]["outcome"] == "unchanged"


def test_the_demo_import_is_logged(tmp_path: Path) -> None:
    store = tmp_path / "store.gpkg"
    assert main(["--store", str(store), "demo", "--sample", "delft-tu", "--no-serve"]) == 0
    (entry,) = _entries(store)
    assert (entry["kind"], entry["outcome"], entry["file_name"]) == (
        "sample",
        "applied",
        "delft-tu.yaml",
    )


def test_an_address_import_is_logged_and_locked(
    sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    table = tmp_path / "bagadres.csv"
    table.write_text(
        NLEXTRACT_HEADER + "\nDorpsstraat;1;;;3431AB;Nieuwegein;;;1;;;135000;447000;;\n",
        encoding="utf-8",
    )
    settings = make_settings(sample_store.path)
    request = ImportRequest(kind="addresses", source=table)
    with store_lock(sample_store.path):  # another import holds the store (in this thread)
        held = subprocess.run(  # a CLI import in another process must wait for it
            [sys.executable, "-c", _IMPORT_ADDRESSES, str(sample_store.path), str(table)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert "StoreBusyError" in held.stdout, held.stdout + held.stderr
    result = run_import(sample_store, request, settings)
    assert result.report.outcome == "applied"
    assert result.report.added == 1
    assert _entries(sample_store.path)[0]["kind"] == "addresses"
    again = run_import(sample_store, request, settings)
    assert again.report.outcome == "unchanged"


_IMPORT_ADDRESSES = """
import sys
from geo.errors import StoreBusyError
from geo.pipeline import run_import
from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from geo.store.request import ImportRequest
store, table = sys.argv[1], sys.argv[2]
try:
    run_import(GeoPackageStore(store), ImportRequest(kind="addresses", source=table),
               Settings(store_path=store), timeout=0.5)
except StoreBusyError:
    print("StoreBusyError")
"""


def test_an_upload_is_read_before_the_lock_is_taken(
    sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    """A file that cannot be read is refused at once, even while another import holds the
    store: reading never waits for, nor holds, the lock."""
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"not a geopackage")
    before = fingerprint(sample_store.path)
    request = ImportRequest(kind="buurten", source=broken)
    settings = make_settings(sample_store.path)
    with store_lock(sample_store.path):
        started = time.monotonic()
        with pytest.raises(ReadError):
            run_import(sample_store, request, settings, timeout=30)
        assert time.monotonic() - started < 10
    assert fingerprint(sample_store.path) == before
    assert _entries(sample_store.path)[0]["outcome"] == "refused"


def test_a_busy_store_is_reported_after_reading(
    sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    voorzieningen = tmp_path / "v.geojson"
    voorzieningen.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": "x-1", "name": "Huisarts X", "category": "huisarts"},
                        "geometry": {"type": "Point", "coordinates": [5.0868, 52.0345]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    request = ImportRequest(kind="voorzieningen", source=voorzieningen)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom geo.store.lock import store_lock\n"
            "with store_lock(sys.argv[1]):\n    print('locked', flush=True)\n    time.sleep(30)\n",
            str(sample_store.path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreBusyError):
            run_import(sample_store, request, make_settings(sample_store.path), timeout=0.3)
    finally:
        holder.terminate()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()


pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "cbs").is_dir(), reason=f"needs the real CBS buurten in {SHARED_DATA}"
)
