"""The two samples: their manifests, the delft-tu buurten, and provenance through the store and
the CLI. The synthetic generator and its street network are in tests/sample/test_synthetic.py."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import ConfigurationError, ReadError, ValueProblemError
from geo.read.provenance import LayerSource, Provenance
from geo.read.samples import list_samples, read_manifest, sample_buurten
from geo.settings import SAMPLE_DIR, Settings
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from tests.conftest import (
    DATA_PATH,
    SAMPLE_BUURTEN,
    SAMPLE_SHARED_FILES,
    SHARED_DATA,
    make_settings,
    requires_shared_data,
)
from tests.imports import import_sample

#: The delft-tu buurten (data/sample/delft-tu.yaml): those the OSM extract's bbox covers for at
#: least 60 % of their area.
DELFT_TU_BUURTEN = (
    "BU05032702",
    "BU05032801",
    "BU05032803",
    "BU05032804",
    "BU05032805",
    "BU05032806",
    "BU05032807",
    "BU05032808",
    "BU05032809",
    "BU05032810",
)
#: The extract's bbox (../shared/data/osm/SOURCES.md): lon, lat.
DELFT_TU_BBOX = (4.36411, 51.98903, 4.39132, 52.00763)
NETWORK = SAMPLE_DIR / "nieuwegein_synthetic.osm.pbf"
#: The samples' real files (../shared/data): Nieuwegein's buurten, Delft's buurten and extract.
requires_nieuwegein = requires_shared_data(*SAMPLE_SHARED_FILES["nieuwegein"])
requires_delft = requires_shared_data(*SAMPLE_SHARED_FILES["delft-tu"])
DELFT_TABLE = SHARED_DATA / "cbs" / "kwb2024_buurten_GM0503.csv"

# --------------------------------------------------------------------------- manifests


@requires_shared_data(*SAMPLE_SHARED_FILES["nieuwegein"], *SAMPLE_SHARED_FILES["delft-tu"])
def test_both_manifests_read(settings: Settings) -> None:
    nieuwegein = read_manifest(settings)
    assert nieuwegein == read_manifest(settings, "nieuwegein")
    assert (nieuwegein.name, nieuwegein.gemeente) == ("nieuwegein", "GM0356")
    assert nieuwegein.synthetic == ("voorzieningen", "network", "addresses")
    assert nieuwegein.addresses == SAMPLE_DIR / "adressen_GM0356_synthetic.csv"
    assert nieuwegein.buurten == SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg"
    assert nieuwegein.buurt_codes is None
    assert nieuwegein.network == NETWORK
    assert [p.name for p, _ in nieuwegein.voorzieningen] == [
        "voorzieningen_GM0356_synthetic.geojson",
        "huisartsen_GM0356_synthetic.csv",
    ]
    delft = read_manifest(settings, "delft-tu")
    assert (delft.name, delft.gemeente, delft.synthetic) == ("delft-tu", "GM0503", ())
    assert delft.network == SHARED_DATA / "osm" / "delft_tu_campus_2014.osm"
    assert delft.buurt_codes is not None
    assert sorted(delft.buurt_codes) == list(DELFT_TU_BUURTEN)
    assert {s.layer for s in delft.sources} == {"buurten", "zones", "voorzieningen", "network"}


def test_samples_are_listed_default_first(settings: Settings) -> None:
    samples = list_samples(settings)
    assert [(s.name, s.synthetic) for s in samples] == [
        ("nieuwegein", ("voorzieningen", "network", "addresses")),
        ("delft-tu", ()),
    ]
    assert samples[0].path.name == "sample.yaml"


def test_unknown_sample_lists_the_samples_found(settings: Settings) -> None:
    with pytest.raises(ConfigurationError, match=r"no sample named 'atlantis'.*nieuwegein.*delft"):
        read_manifest(settings, "atlantis")


def _manifest(folder: Path, text: str) -> Settings:
    (folder / "broken.yaml").write_text(text, encoding="utf-8")
    return make_settings(folder / "store.gpkg", data_path=[folder, *DATA_PATH])


BASE = (
    "name: broken\ngemeente: GM0356\nzones: zones_GM0356_example.yaml\n"
    "voorzieningen: [{path: huisartsen_GM0356_synthetic.csv}]\n"
)


def test_manifest_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    settings = _manifest(
        tmp_path, BASE + "buurten: cbs/buurten_GM0356_2023geom_kwb2024.gpkg\nnetwerk: x.osm\n"
    )
    with pytest.raises(ReadError, match=r"broken.yaml: not a valid sample manifest \(netwerk"):
        read_manifest(settings, "broken")


def test_manifest_naming_a_missing_file_says_which_key(tmp_path: Path) -> None:
    settings = _manifest(tmp_path, BASE + "buurten: cbs/buurten_GM9999.gpkg\n")
    with pytest.raises(ConfigurationError, match=r"\(buurten\): cbs/buurten_GM9999.gpkg not found"):
        read_manifest(settings, "broken")


@requires_shared_data(SAMPLE_BUURTEN)
def test_unknown_buurt_codes_are_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    settings = _manifest(
        tmp_path,
        BASE + "buurten: {path: cbs/buurten_GM0356_2023geom_kwb2024.gpkg, "
        "codes: [BU03560101, BU03569998, BU03569999]}\n",
    )
    store = GeoPackageStore(settings.store_path)
    with pytest.raises(ValueProblemError, match=r"buurt code\(s\) BU03569998, BU03569999 not in"):
        import_sample(store, settings, "broken")
    assert not store.path.exists()


# --------------------------------------------------------------------------- delft-tu


@requires_shared_data(*SAMPLE_SHARED_FILES["delft-tu"], DELFT_TABLE)
def test_delft_tu_buurten_are_those_the_extract_covers(settings: Settings) -> None:
    manifest = read_manifest(settings, "delft-tu")
    buurten = sample_buurten(manifest, settings.vocabulary)
    assert sorted(buurten["bu_code"]) == list(DELFT_TU_BUURTEN)
    # The documented rule: at least 60 % of the (generalised) buurt inside the extract's bbox.
    every = gpd.read_file(manifest.buurten)
    bbox = gpd.GeoSeries(
        [shapely.segmentize(shapely.box(*DELFT_TU_BBOX), 0.0005)], crs=4326
    ).to_crs(28992)
    covered = every.intersection(bbox.iloc[0]).area / every.area
    assert sorted(every.loc[covered >= 0.6, "BU_CODE"]) == list(DELFT_TU_BUURTEN)
    # Residents and 65+ as CBS gives them (kwb2024_buurten_GM0503.csv).
    table = pd.read_csv(DELFT_TABLE)
    table = table[table["BU_CODE"].isin(DELFT_TU_BUURTEN)]
    assert buurten["residents"].sum() == table["AANT_INW"].sum() == 10_030
    assert buurten["residents_65plus"].sum() == table["A_65_EO_JR"].sum() == 890


@requires_delft
def test_delft_tu_imports_real_data_end_to_end(settings: Settings) -> None:
    dataset = import_sample(GeoPackageStore(settings.store_path), settings, "delft-tu")
    assert sorted(dataset.buurten["bu_code"]) == list(DELFT_TU_BUURTEN)
    assert list(dataset.zones["zone_code"]) == ["wippolder", "campus"]
    # 1 doctors (a way), 1 pharmacy, 2 supermarkets (../shared/data/osm/SOURCES.md); the
    # doctors is "Gezondheidscentrum Wippolder", a gezondheidscentrum too (vocabulary: also).
    assert dataset.voorzieningen["category"].value_counts().to_dict() == {
        "supermarkt": 2,
        "huisarts": 1,
        "gezondheidscentrum": 1,
        "apotheek": 1,
    }
    assert dataset.provenance.sample == "delft-tu"
    assert dataset.provenance.synthetic == ()


# --------------------------------------------------------------------------- provenance


def test_provenance_round_trips_through_the_store(
    sample_store: GeoPackageStore, tmp_path: Path
) -> None:
    dataset = sample_store.read()
    assert dataset.provenance.sample == "nieuwegein"
    assert dataset.provenance.synthetic == ("voorzieningen", "network", "addresses")
    network = dataset.provenance.layer("network")
    assert network == LayerSource(
        layer="network",
        source="nieuwegein_synthetic.osm.pbf",
        synthetic=True,
        text="Synthetisch wegennet in OSM-formaat (make_synthetic.py) / "
        "Synthetic street network, CC0",
    )
    changed = Provenance(layers=(LayerSource(layer="buurten", source="a.gpkg", date="2024"),))
    copy = GeoPackageStore(tmp_path / "copy.gpkg")
    copy.write(dataset.__class__(**{**dataset.__dict__, "provenance": changed}))
    assert copy.read().provenance == changed


def test_adding_to_a_synthetic_layer_keeps_it_marked() -> None:
    provenance = Provenance(
        layers=(LayerSource(layer="voorzieningen", source="s.geojson", synthetic=True),)
    )
    added = provenance.with_layer(LayerSource(layer="voorzieningen", source="real.csv"), add=True)
    assert added.layers == (
        LayerSource(layer="voorzieningen", source="s.geojson, real.csv", synthetic=True),
    )
    replaced = provenance.with_layer(LayerSource(layer="voorzieningen", source="real.csv"))
    assert replaced.synthetic == ()


# --------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    import os

    monkeypatch.setenv("WSZ_STORE_PATH", str(tmp_path / "store.gpkg"))
    monkeypatch.setenv("WSZ_DATA_PATH", os.pathsep.join(str(p) for p in DATA_PATH))
    monkeypatch.setenv("WSZ_MAP_TILES", "none")
    return tmp_path / "store.gpkg"


def test_cli_lists_the_samples(cli_environment: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "sample", "--list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("nieuwegein")
    assert "Nieuwegein (GM0356)" in lines[0]
    assert "synthetic: voorzieningen, network, addresses;" in lines[1]
    assert lines[2].startswith("delft-tu")
    assert "Delft" in lines[2]
    assert "synthetic: none;" in lines[3]
    assert not cli_environment.exists()  # listing stores nothing


@requires_nieuwegein
def test_cli_imports_a_sample_by_name_and_says_what_is_synthetic(
    cli_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "sample", "nieuwegein"]) == 0
    out = capsys.readouterr().out
    assert "Store holds 39 buurten, 5 zones and 48 voorzieningen" in out
    assert "Synthetic (generated, not real data): voorzieningen, network, addresses." in out
    assert "addresses     SYNTHETIC  adressen_GM0356_synthetic.csv" in out
    assert "network       SYNTHETIC  nieuwegein_synthetic.osm.pbf" in out
    assert "buurten       real       buurten_GM0356_2023geom_kwb2024.gpkg" in out
    assert main(["import", "sample", "atlantis"]) == 1
    assert "no sample named 'atlantis'" in capsys.readouterr().err
