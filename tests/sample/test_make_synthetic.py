"""``data/sample/make_synthetic.py`` run as a newcomer runs it: the script, its ``--out``, in a
fresh process. It must write the committed synthetic files byte for byte (SHA-256 compared)
and print the figures of what it wrote.

The generator places its points in the REAL CBS buurten of Nieuwegein, read from
``../shared/data``; without that folder there is nothing to compare, and the test says so.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.settings import SAMPLE_DIR
from tests.conftest import PROJECT_ROOT, SAMPLE_BUURTEN

SCRIPT = SAMPLE_DIR / "make_synthetic.py"
#: What the generator writes, in the order it lists them.
GENERATED = (
    "nieuwegein_synthetic.osm.pbf",
    "voorzieningen_GM0356_synthetic.geojson",
    "huisartsen_GM0356_synthetic.csv",
    "adressen_GM0356_synthetic.csv",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """The folder the script wrote to, and the figures it printed (``key: JSON`` lines)."""
    if not SAMPLE_BUURTEN.exists():
        pytest.skip(
            f"{SAMPLE_BUURTEN} is missing: the generator places its points in the real CBS "
            "buurten of ../shared/data, so the committed files cannot be regenerated here"
        )
    out = tmp_path_factory.mktemp("synthetic")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = {}
    for line in done.stdout.splitlines():
        key, _, value = line.partition(": ")
        figures[key] = json.loads(value)
    return out, figures


def test_script_writes_the_committed_files_byte_for_byte(
    generated: tuple[Path, dict[str, object]],
) -> None:
    out, _ = generated
    assert sorted(p.name for p in out.iterdir()) == sorted(GENERATED)
    for name in GENERATED:
        assert sha256(out / name) == sha256(SAMPLE_DIR / name), (
            f"{name} differs from data/sample: run data/sample/make_synthetic.py and commit"
        )


def test_script_prints_the_figures_of_what_it_wrote(
    generated: tuple[Path, dict[str, object]],
) -> None:
    out, figures = generated
    assert list(figures) == [
        "voorzieningen",
        "nodes",
        "ways",
        "km",
        "crossings",
        "bytes",
        "addresses",
    ]
    assert figures["addresses"] == {
        "addresses": 6075,
        "streets": 764,
        "postcodes": 1572,
        "postcode_areas": 10,
    }
    assert figures["bytes"] == {name: (out / name).stat().st_size for name in GENERATED}
    assert figures["voorzieningen"] == {
        "apotheek": 6,
        "gezondheidscentrum": 3,
        "huisarts": 11,
        "ontmoetingsplek": 11,
        "steunpunt": 5,
        "supermarkt": 12,
    }
    assert figures["crossings"] == {
        "Merwedekanaal": 7,
        "Amsterdam-Rijnkanaal": 3,
        "Lekkanaal": 2,
        "A2": 5,
        "A27": 4,
    }
