"""The GeoPackage store and the imports: round trip, add/replace, refusals that store nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo.errors import (
    EmptyStoreError,
    InputError,
    ReadError,
    UnknownCategoryError,
    ValueProblemError,
    ZoneDefinitionError,
)
from geo.settings import Settings
from geo.store.dataset import Dataset
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.conftest import (
    SAMPLE_BUURTEN,
    SAMPLE_HUISARTSEN,
    SAMPLE_VOORZIENINGEN,
    SAMPLE_ZONES,
    fingerprint,
)
from tests.imports import import_file


def test_empty_store_reads_as_empty(tmp_path: Path) -> None:
    dataset = GeoPackageStore(tmp_path / "none.gpkg").read()
    assert dataset.is_empty
    with pytest.raises(EmptyStoreError, match="import them first"):
        dataset.require_buurten()


def test_round_trip_keeps_everything(sample_store: GeoPackageStore, tmp_path: Path) -> None:
    dataset = sample_store.read()
    copy = GeoPackageStore(tmp_path / "copy.gpkg")
    copy.write(dataset)
    again = copy.read()
    assert again.definition == dataset.definition
    assert again.provenance == dataset.provenance
    assert again.provenance.synthetic == ("voorzieningen", "network", "addresses")
    for name in ("buurten", "zones", "voorzieningen"):
        before, after = getattr(dataset, name), getattr(again, name)
        pd.testing.assert_frame_equal(
            before.drop(columns="geometry"), after.drop(columns="geometry")
        )
        assert before.geom_equals_exact(after, tolerance=1e-6).all()
    layers = {str(n) for n in pyogrio.list_layers(copy.path)[:, 0]}
    assert layers == {"buurten", "zones", "voorzieningen", "zone_definition", "provenance"}


def test_step_by_step_import_gives_the_sample(
    settings: Settings, sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    store = GeoPackageStore(tmp_path / "fresh.gpkg")
    with pytest.raises(EmptyStoreError):
        import_file(store, "zones", SAMPLE_ZONES)
    assert not store.path.exists()
    import_file(store, "buurten", SAMPLE_BUURTEN)
    import_file(store, "zones", SAMPLE_ZONES)
    import_file(store, "voorzieningen", SAMPLE_VOORZIENINGEN)
    dataset = import_file(store, "voorzieningen", SAMPLE_HUISARTSEN, mode="add", crs="EPSG:28992")
    expected = sample_store.read()
    assert len(dataset.voorzieningen) == len(expected.voorzieningen) == 34 + 14
    assert dataset.zones["residents"].tolist() == expected.zones["residents"].tolist()
    # Plain imports record the files they read, as real data (not the sample's provenance).
    provenance = store.read().provenance
    assert provenance.sample is None
    assert provenance.synthetic == ()
    assert [(s.layer, s.source) for s in provenance.layers] == [
        ("buurten", SAMPLE_BUURTEN.name),
        ("zones", SAMPLE_ZONES.name),
        ("voorzieningen", f"{SAMPLE_VOORZIENINGEN.name}, {SAMPLE_HUISARTSEN.name}"),
    ]


def test_replace_mode_replaces_voorzieningen(
    settings: Settings, sample_store: GeoPackageStore
) -> None:
    dataset = import_file(sample_store, "voorzieningen", SAMPLE_HUISARTSEN)
    assert len(dataset.voorzieningen) == 14
    assert len(sample_store.read().voorzieningen) == 14
    # The replaced layer is now the imported file, not the sample's synthetic voorzieningen.
    source = dataset.provenance.layer("voorzieningen")
    assert source is not None
    assert (source.source, source.synthetic) == (SAMPLE_HUISARTSEN.name, False)
    assert dataset.provenance.synthetic == ("network", "addresses")


def test_add_mode_refuses_buurten_already_stored(sample_store: GeoPackageStore) -> None:
    with pytest.raises(ValueProblemError, match="already stored: BU03560101"):
        import_file(sample_store, "buurten", SAMPLE_BUURTEN, mode="add")


def _bad_csv(tmp_path: Path) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text("id,categorie,x,y\n1,bakker,134000,449000\n")
    return path


def _bad_zones(tmp_path: Path) -> Path:
    path = tmp_path / "zones.yaml"
    path.write_text("zones:\n  - code: a\n    name: A\n    buurten: [BU03569999]\n")
    return path


def _broken_gpkg(tmp_path: Path) -> Path:
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"\x00" * 100)
    return path


Attempt = Callable[[GeoPackageStore, Path, Settings], Dataset]

BAD_IMPORTS: list[tuple[str, Callable[[Path], Path], Attempt, type[InputError]]] = [
    (
        "malformed buurten",
        _broken_gpkg,
        lambda st, p, s: import_file(st, "buurten", p),
        ReadError,
    ),
    (
        "unknown crs",
        lambda t: SAMPLE_BUURTEN,
        lambda st, p, s: import_file(st, "buurten", p, crs="EPSG:999999"),
        InputError,
    ),
    (
        "zones with unknown code",
        _bad_zones,
        lambda st, p, s: import_file(st, "zones", p),
        ZoneDefinitionError,
    ),
    (
        "unknown category",
        _bad_csv,
        lambda st, p, s: import_file(st, "voorzieningen", p),
        UnknownCategoryError,
    ),
    (
        "duplicate voorziening ids",
        lambda t: SAMPLE_VOORZIENINGEN,
        lambda st, p, s: import_file(st, "voorzieningen", p, mode="add"),
        ValueProblemError,
    ),
]


@pytest.mark.parametrize(
    ("make_file", "attempt", "error"), [b[1:] for b in BAD_IMPORTS], ids=[b[0] for b in BAD_IMPORTS]
)
def test_refused_import_leaves_the_store_exactly_as_it_was(
    sample_store: GeoPackageStore,
    settings: Settings,
    tmp_path: Path,
    make_file: Callable[[Path], Path],
    attempt: Attempt,
    error: type[InputError],
) -> None:
    before = fingerprint(sample_store.path)
    with pytest.raises(error):
        attempt(sample_store, make_file(tmp_path), settings)
    assert fingerprint(sample_store.path) == before
    leftovers = [p.name for p in sample_store.path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_failure_while_writing_leaves_the_store_and_no_temporary_file(
    sample_store: GeoPackageStore,
) -> None:
    before = fingerprint(sample_store.path)
    dataset = sample_store.read()
    # The last layer cannot be written (GDAL has no complex numbers): the rename never happens.
    unwritable = dataset.voorzieningen.assign(extra=1 + 2j)
    with pytest.raises(NotImplementedError, match="complex128"):
        sample_store.write(Dataset(dataset.buurten, dataset.zones, unwritable, dataset.definition))
    assert fingerprint(sample_store.path) == before
    assert sorted(p.name for p in sample_store.path.parent.iterdir()) == ["store.gpkg"]


def test_store_that_is_not_a_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "store.gpkg"
    shutil.copy(SAMPLE_ZONES, path)
    with pytest.raises(ReadError, match="cannot be read"):
        GeoPackageStore(path).read()


def test_added_voorzieningen_keep_missing_text_as_null(
    sample_store: GeoPackageStore, tmp_path: Path, settings: Settings
) -> None:
    """Adding a file without the optional columns must not store the text '<NA>'."""
    extra = tmp_path / "extra.csv"
    extra.write_text("naam,categorie,x,y\nExtra buurthuis,buurthuis,134500,448500\n")
    import_file(sample_store, "voorzieningen", extra, mode="add")
    raw = pyogrio.read_dataframe(sample_store.path, layer="voorzieningen", read_geometry=False)
    assert not (raw.astype(str) == "<NA>").any().any()


def test_a_damaged_zone_definition_is_a_read_error(
    sample_store: GeoPackageStore, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to escape as pydantic's ValidationError (a traceback in the CLI, a 500)."""
    table = pd.DataFrame({"definition": ['{"zones": "not a list"}']})
    pyogrio.write_dataframe(table, sample_store.path, layer="zone_definition", driver="GPKG")
    with pytest.raises(ReadError, match="is damaged: its zone definition"):
        sample_store.read()
    assert main(["--store", str(sample_store.path), "coverage"]) == 1
    assert "error (Unreadable file): store" in capsys.readouterr().err
