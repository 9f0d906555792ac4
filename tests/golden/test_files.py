"""Every expected file belongs to a case (so a renamed or dropped case leaves nothing behind
that no test reads). Needs no data: it only lists the cases and the files."""

from __future__ import annotations

from pathlib import Path

from tests.golden import (
    test_api,
    test_cli,
    test_export,
    test_ogc,
    test_pages,
    test_scenarios,
    test_whatif,
)
from tests.golden.support import GOLDEN_DIR, SAMPLES, Get


def expected_stems() -> set[Path]:
    """Each case's expected file without its suffix, the complete CLI export matrix included."""
    groups = {
        "api": test_api.api_cases,
        "errors": test_api.error_cases,
        "walking": test_api.walking_cases,
        "addresses": test_api.address_cases,
        "pages": test_pages.page_cases,
        "ogc": test_ogc.ogc_cases,
        "ogc-errors": test_ogc.ogc_error_cases,
    }
    stems = set()
    for sample in SAMPLES:
        for group, cases in groups.items():
            stems |= {GOLDEN_DIR / sample / group / c.file_name for c in cases(sample)}
        exports: list[Get] = test_export.export_cases()
        stems |= {GOLDEN_DIR / sample / "export" / c.file_name for c in exports}
        runs = test_cli.cli_cases(sample, full=True)
        stems |= {GOLDEN_DIR / sample / "cli" / r.file_name for r in runs}
        stems |= {GOLDEN_DIR / sample / "scenarios" / name for name in test_scenarios.CASES}
        stems |= {
            GOLDEN_DIR / sample / "whatif" / a.file_name for a in test_whatif.api_cases(sample)
        }
        whatif_runs = test_whatif.cli_cases(sample)
        stems |= {GOLDEN_DIR / sample / "whatif-cli" / r.file_name for r in whatif_runs}
    return stems


def test_every_golden_file_belongs_to_a_case() -> None:
    stems = expected_stems()
    files = [p for p in GOLDEN_DIR.glob("*/*/*") if p.suffix in (".json", ".txt")]
    orphans = sorted(
        str(p.relative_to(GOLDEN_DIR)) for p in files if p.with_suffix("") not in stems
    )
    assert not orphans, "golden files without a case (delete them): " + ", ".join(orphans)
