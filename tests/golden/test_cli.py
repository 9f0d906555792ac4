"""Golden answers of the read-only ``wsz`` commands on both samples: coverage (all zones, one
zone, an unknown one), the network status, the sample list, dry-run imports of the sample's
own files, and exports (the file written is part of the answer: GeoJSON pretty-printed, CSV as
text, a GeoPackage as its read-back content).

The file an export writes must hold exactly the body of the golden answer of the same
``GET /export/{layer}?format=&crs=`` (test_export.py): one copy of each layer's content.
Every ``wsz export`` analyses the store anew (about 2 s for nieuwegein), so by default each
layer is exported once, the formats and CRSs rotating over the layers; ``WSZ_GOLDEN_FULL=1``
runs the complete matrix (each layer in GeoJSON and CSV in both CRSs, and as GeoPackage).
Expected files: ``tests/golden/<sample>/cli/``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from geo.settings import SAMPLE_DIR
from tests.conftest import SHARED_DATA
from tests.golden.conftest import Wsz
from tests.golden.support import (
    FULL,
    GOLDEN_DIR,
    SAMPLES,
    UPDATE,
    Get,
    check,
    compare,
    gpkg_content,
    needs_shared_data,
    normalise,
    pretty,
    read,
)

pytestmark = needs_shared_data

#: ``{out}`` in an argument is the test's output folder.
OUT = "{out}"


@dataclass(frozen=True)
class Run:
    """One ``wsz`` command line; an export names the file it writes and its (layer, format,
    CRS): that file must hold what ``GET /export/{layer}`` answers (its golden body)."""

    args: tuple[str, ...]
    output: str = ""
    export: tuple[str, str, str] | None = None

    @property
    def file_name(self) -> str:
        words = [Path(a).name if "/" in a else a for a in self.args]
        return re.sub(r"[^A-Za-z0-9=,.+-]+", "_", " ".join(words)).strip("_")


def wsz_args(*args: object) -> tuple[str, ...]:
    return tuple(str(a) for a in args)


ZONE = {"nieuwegein": "noord", "delft-tu": "wippolder"}
DRY_RUNS = {
    "nieuwegein": [
        ("buurten", SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg"),
        ("buurten", SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg", "--upsert"),
        ("zones", SAMPLE_DIR / "zones_GM0356_example.yaml"),
        ("zones", SAMPLE_DIR / "zones_GM0356_example.yaml", "--upsert"),
        ("voorzieningen", SAMPLE_DIR / "voorzieningen_GM0356_synthetic.geojson"),
        ("voorzieningen", SAMPLE_DIR / "voorzieningen_GM0356_synthetic.geojson", "--add"),
        ("voorzieningen", SAMPLE_DIR / "huisartsen_GM0356_synthetic.csv", "--crs", "EPSG:28992"),
        (
            "voorzieningen",
            SAMPLE_DIR / "huisartsen_GM0356_synthetic.csv",
            "--crs",
            "EPSG:28992",
            "--upsert",
        ),
    ],
    "delft-tu": [
        ("buurten", SHARED_DATA / "cbs" / "buurten_GM0503_2023geom_kwb2024.gpkg"),
        ("buurten", SHARED_DATA / "cbs" / "buurten_GM0503_2023geom_kwb2024.gpkg", "--upsert"),
        ("zones", SAMPLE_DIR / "zones_GM0503_delft_tu_example.yaml"),
        ("voorzieningen", SHARED_DATA / "osm" / "delft_tu_campus_2014.osm"),
        ("voorzieningen", SHARED_DATA / "osm" / "delft_tu_campus_2014.osm", "--upsert"),
    ],
}
LAYERS = ("buurten", "zones", "voorzieningen", "coverage", "gaps")
SUFFIX = {"geojson": ".geojson", "csv": ".csv", "gpkg": ".gpkg"}
#: The default, fast selection of exports: every layer once over the two samples, every
#: format and CRS among them (nieuwegein's exports are the slow ones).
QUICK = {
    "nieuwegein": {("coverage", "geojson", "EPSG:28992"), ("gaps", "gpkg", "EPSG:28992")},
    "delft-tu": {
        ("buurten", "geojson", "EPSG:4326"),
        ("zones", "csv", "EPSG:28992"),
        ("voorzieningen", "csv", "EPSG:4326"),
    },
}


def export_run(layer: str, fmt: str, crs: str) -> Run:
    output = f"{layer}_{crs.replace(':', '').lower()}{SUFFIX[fmt]}"
    args = wsz_args("export", layer, "-o", f"{OUT}/{output}", "--crs", crs)
    return Run(args, output, (layer, fmt, crs))


def cli_cases(sample: str, full: bool = FULL) -> list[Run]:
    runs = [
        Run(("coverage",)),
        Run(("coverage", "--zone", ZONE[sample])),
        Run(("network", "status")),
        Run(("import", "sample", "--list")),
    ]
    runs += [
        Run(wsz_args("import", kind, file, *rest, "--dry-run"))
        for kind, file, *rest in DRY_RUNS[sample]
    ]
    runs += [
        Run(wsz_args("export", "zones", "-o", f"{OUT}/zones.txt")),
        Run(wsz_args("export", "zones", "-o", f"{OUT}/zones.geojson", "--crs", "EPSG:3857")),
        Run(wsz_args("export", "bakker", "-o", f"{OUT}/bakker.geojson")),
    ]
    if sample == "delft-tu":  # the cheaper sample: the whole analysis runs before the check
        runs += [
            Run(("coverage", "--zone", "atlantis")),
            Run(
                wsz_args("export", "buurten", "-o", f"{OUT}/buurten.json"),
                "buurten.json",
                ("buurten", "geojson", "EPSG:4326"),
            ),
        ]
    for layer in LAYERS:
        for fmt in ("geojson", "csv", "gpkg"):
            for crs in ("EPSG:4326", "EPSG:28992"):
                if full or (layer, fmt, crs) in QUICK[sample]:
                    runs.append(export_run(layer, fmt, crs))
    return runs


def output_text(path: Path) -> str:
    """A written file as compared: GeoJSON pretty-printed, CSV as is, a GeoPackage read back."""
    if path.suffix in (".geojson", ".json"):
        return pretty(json.loads(read(path)))
    if path.suffix == ".gpkg":
        return pretty(gpkg_content(path))
    return read(path)


def api_export(sample: str, layer: str, fmt: str, crs: str) -> Path:
    """The golden answer of ``GET /export/{layer}?format=&crs=`` (see test_export.py)."""
    name = Get(f"/export/{layer}?format={fmt}&crs={crs}").file_name
    return GOLDEN_DIR / sample / "export" / f"{name}{'.txt' if fmt == 'csv' else '.json'}"


def golden_body(path: Path) -> str:
    """The body of a golden API answer, as :func:`output_text` renders a file."""
    if not path.is_file():
        pytest.fail(f"no golden answer {path.relative_to(GOLDEN_DIR)}", pytrace=False)
    text = read(path)
    if path.suffix == ".json":
        return pretty(json.loads(text)["body"])
    return text.split("\n\n", 1)[1]


@pytest.mark.parametrize(
    ("sample", "run"),
    [pytest.param(s, r, id=f"{s}:{r.file_name}") for s in SAMPLES for r in cli_cases(s)],
)
def test_cli(sample: str, run: Run, wsz: Wsz, tmp_path: Path, basetemp: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    args = [a.replace(OUT, str(out)) for a in run.args]
    status, stdout, stderr = wsz(*args)
    text = f"$ wsz {' '.join(args)}\nexit: {status}\n"
    text += f"--- stdout ---\n{stdout}--- stderr ---\n{stderr}"
    written = out / run.output
    if run.export is not None:
        reference = api_export(sample, *run.export)
        text += f"--- {run.output}: the body of {reference.relative_to(GOLDEN_DIR / sample)} ---\n"
        if not UPDATE and written.is_file():
            file_text = normalise(output_text(written), basetemp)
            compare(
                golden_body(reference), file_text, f"{run.output} written by wsz {run.file_name}"
            )
        elif not written.is_file():
            text += "(no file written)\n"
    check(GOLDEN_DIR / sample / "cli" / f"{run.file_name}.txt", normalise(text, basetemp))
