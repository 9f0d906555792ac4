"""The deployment's vocabulary (``WSZ_VOCABULARY_PATH``) is the one every reader uses.

Readers used to fall back silently to the shipped vocabulary when given none, so a sample or
gemeente import ignored the deployment's own file: here, one that names no CBS column for
huisartsen, so the buurten carry no CBS huisarts distance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from geo.pipeline import run_import
from geo.settings import Settings
from geo.store.geopackage import GeoPackageStore
from geo.store.request import ImportRequest
from geo.vocabulary import DEFAULT_VOCABULARY_PATH
from tests.conftest import SHARED_DATA, make_settings

pytestmark = pytest.mark.skipif(
    not (SHARED_DATA / "cbs").is_dir(), reason=f"needs the real CBS buurten in {SHARED_DATA}"
)


def _without_cbs_huisarts(folder: Path) -> Path:
    raw = yaml.safe_load(DEFAULT_VOCABULARY_PATH.read_text(encoding="utf-8"))
    raw["categories"]["huisarts"]["cbs_columns"] = []
    path = folder / "vocabulary.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_sample_import_reads_with_the_deployments_vocabulary(tmp_path: Path) -> None:
    shipped = make_settings(tmp_path / "a.gpkg")
    own = make_settings(tmp_path / "b.gpkg", vocabulary_path=_without_cbs_huisarts(tmp_path))
    for settings in (shipped, own):
        run_import(GeoPackageStore(settings.store_path), ImportRequest(kind="sample"), settings)
    with_shipped = GeoPackageStore(shipped.store_path).read().buurten
    with_own = GeoPackageStore(own.store_path).read().buurten
    assert with_shipped["cbs_huisarts_km"].notna().any()
    assert "cbs_huisarts_km" not in with_own or np.isnan(with_own["cbs_huisarts_km"]).all()


def test_the_environment_names_the_vocabulary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _without_cbs_huisarts(tmp_path)
    monkeypatch.setenv("WSZ_VOCABULARY_PATH", str(path))
    assert Settings().vocabulary["huisarts"].cbs_columns == ()
