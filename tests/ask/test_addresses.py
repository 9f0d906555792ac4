"""Address search: the real Delft OSM extract's addresses, BAG tables in their published forms
(NLExtract CSV, PDOK GeoPackage), the CLI import and ``GET /addresses``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from fastapi.testclient import TestClient

from geo.analysis import Analysis
from geo.ask.search import AddressIndex, build_index, parse_query
from geo.crs import lonlat_to_rd
from geo.errors import MissingColumnError, QueryError, ReadError
from geo.network.osm import read_osm
from geo.pipeline import address_index, analyse_store
from geo.read.addresses import osm_addresses, read_bag_addresses
from geo.settings import SAMPLE_DIR, Settings
from geo.store.addresses import address_file
from geo.store.geopackage import GeoPackageStore
from service.cli import main
from service.schemas.features import AddressCollection
from service.state import publish
from tests.conftest import (
    DELFT_OSM,
    SAMPLE_SHARED_FILES,
    SHARED_DATA,
    fingerprint,
    make_app,
    make_settings,
    skip_without_shared_data,
)
from tests.imports import load_sample

#: NLExtract's bagadres CSV header (semicolon-separated), as published.
NLEXTRACT_HEADER = (
    "openbareruimte;huisnummer;huisletter;huisnummertoevoeging;postcode;woonplaats;gemeente;"
    "provincie;object_id;object_type;nevenadres;x;y;lon;lat"
)


def delft_settings(folder: Path) -> Settings:
    return Settings(store_path=folder / "store.gpkg", data_path=[SHARED_DATA, SAMPLE_DIR])


@pytest.fixture(scope="module")
def delft_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real delft-tu sample (CBS buurten, OSM extract and network), once per module."""
    skip_without_shared_data(*SAMPLE_SHARED_FILES["delft-tu"])
    folder = tmp_path_factory.mktemp("delft-addresses")
    settings = delft_settings(folder)
    load_sample(GeoPackageStore(settings.store_path), settings, "delft-tu")
    return folder


@pytest.fixture(scope="module")
def osm_index() -> AddressIndex:
    """The index of the Delft extract's own addresses (no buurten: no areas)."""
    skip_without_shared_data(DELFT_OSM)
    addresses = osm_addresses(read_osm(DELFT_OSM).addresses)
    empty = gpd.GeoDataFrame(
        {"bu_code": [], "bu_naam": [], "zone_code": []}, geometry=[], crs=28992
    )
    return build_index([addresses], empty)


@pytest.fixture(scope="module")
def delft_client(delft_folder: Path) -> Iterator[TestClient]:
    settings = delft_settings(delft_folder)
    app = make_app(settings, publish(analyse_store(settings)))
    with TestClient(app) as client:
        yield client


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "postcode", "street", "number", "letter", "toevoeging", "city"),
    [
        ("3431 AB 12", "3431AB", None, 12, "", "", None),
        ("3431ab12", "3431AB", None, 12, "", "", None),
        ("3431 ab 12a", "3431AB", None, 12, "a", "", None),
        ("3431AB 12-2", "3431AB", None, 12, "", "2", None),
        ("3431 AB", "3431AB", None, None, "", "", None),
        ("3431", "3431", None, None, "", "", None),
        ("Mekelweg 5", None, "mekelweg", 5, "", "", None),
        ("  MEKELWEG   5 ", None, "mekelweg", 5, "", "", None),
        ("mekelweg 5, Delft", None, "mekelweg", 5, "", "", "delft"),
        ("Nassauplein 38 A", None, "nassauplein", 38, "a", "", None),
        ("Nassauplein 38a2", None, "nassauplein", 38, "a", "2", None),
        ("Kerkstraat 1 bis", None, "kerkstraat", 1, "", "bis", None),
        ("Café-Plein 3", None, "cafeplein", 3, "", "", None),
        ("2e Stationsstraat 14", None, "2estationsstraat", 14, "", "", None),
        ("Laan 1940-1945 12", None, "laan19401945", 12, "", "", None),
        ("mekelw", None, "mekelw", None, "", "", None),
    ],
)
def test_parse_query(
    text: str,
    postcode: str | None,
    street: str | None,
    number: int | None,
    letter: str,
    toevoeging: str,
    city: str | None,
) -> None:
    query = parse_query(text)
    assert (query.postcode, query.street, query.number) == (postcode, street, number)
    assert (query.letter, query.toevoeging, query.city) == (letter, toevoeging, city)


@pytest.mark.parametrize("text", ["", "   ", "?!", "—"])
def test_empty_query_is_refused(text: str) -> None:
    with pytest.raises(QueryError, match="postcode and house number"):
        parse_query(text)


# --------------------------------------------------------------------------- the real extract


def test_osm_addresses_of_the_real_delft_extract(osm_index: AddressIndex) -> None:
    """410 address objects in the extract; 6 have no street, so 404 can be searched (106 of
    them with a postcode)."""
    assert len(osm_index) == 404
    assert osm_index.counts == {"osm": 404}
    assert (osm_index.frame["postcode"].notna()).sum() == 106


@pytest.mark.parametrize(
    "text",
    [
        "2628 CC 3",
        "2628CC3",
        "2628cc 3",
        "2628 cc3",
        "Mekelweg 3",
        "mekelweg 3",
        "MEKELWEG 3",
        "Mekelweg  3, Delft",
        "mekel-weg 3",
    ],
)
def test_spellings_of_one_real_address(osm_index: AddressIndex, text: str) -> None:
    found = osm_index.search(text, limit=5)
    assert found["address"].iloc[0] == "Mekelweg 3, 2628 CC Delft"
    assert found["match"].iloc[0] == "exact"


def test_letters_words_and_streets_alone(osm_index: AddressIndex) -> None:
    lettered = osm_index.search("Nassauplein 38 A")
    assert list(lettered["housenumber"][:2]) == ["38 a", "38"]  # the exact letter first
    assert list(lettered["match"][:2]) == ["exact", "partial"]
    words = osm_index.search("prof evertslaan 2")
    assert words["address"].iloc[0] == "Professor Evertslaan 2, Delft"
    street = osm_index.search("Professor Krausstraat", limit=50)
    assert len(street) == 28
    assert street["street"].eq("Professor Krausstraat").all()
    assert list(street["number"][:3]) == [1, 2, 11]  # in house-number order
    postcode = osm_index.search("2628 RC")
    assert set(postcode["street"]) == {"Maerten Trompstraat"}
    assert osm_index.search("Nergensstraat 1").empty


# --------------------------------------------------------------------------- BAG tables


def _rd(lon: float, lat: float) -> tuple[float, float]:
    x, y = lonlat_to_rd(lon, lat)
    return round(float(x), 1), round(float(y), 1)


def write_nlextract_csv(path: Path) -> Path:
    """Four BAG addresses in NLExtract's form: one the extract has too (Mekelweg 3), one it
    has not (Mekelweg 4, with a letter), one with a toevoeging, one with a decimal comma."""
    rows = []
    for street, number, letter, addition, postcode, lon, lat in (
        ("Mekelweg", "3", "", "", "2628CC", 4.37218, 52.00244),
        ("Mekelweg", "4", "B", "", "2628CD", 4.37301, 52.00201),
        ("Julianalaan", "134", "", "2", "2628BL", 4.37108, 52.00720),
        ("Röntgenweg", "1", "", "", "2624BD", 4.37660, 52.00010),
    ):
        x, y = _rd(lon, lat)
        rows.append(
            f"{street};{number};{letter};{addition};{postcode};Delft;Delft;Zuid-Holland;"
            f"0503010000000001;VBO;f;{x};{y};{lon};{lat}"
        )
    rows[-1] = rows[-1].replace(".", ",", 2)  # RD x/y with decimal commas, as spreadsheets do
    path.write_text("\n".join([NLEXTRACT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_nlextract_csv(tmp_path: Path) -> None:
    table = read_bag_addresses(write_nlextract_csv(tmp_path / "bagadres.csv"))
    assert list(table["housenumber"]) == ["3", "4B", "134-2", "1"]
    assert list(table["postcode"]) == ["2628 CC", "2628 CD", "2628 BL", "2624 BD"]
    assert (table["source"] == "bag").all()
    expected = shapely.points(*_rd(4.37660, 52.00010))
    assert table.geometry.iloc[3].distance(expected) < 0.2


def test_pdok_bag_geopackage(tmp_path: Path) -> None:
    """PDOK's bag-light.gpkg: layer verblijfsobject, its column names, points in RD New."""
    x, y = _rd(4.37301, 52.00201)
    frame = gpd.GeoDataFrame(
        {
            "identificatie": ["0503010000012345"],
            "openbare_ruimte_naam": ["Mekelweg"],
            "huisnummer": [4],
            "huisletter": ["B"],
            "toevoeging": [None],
            "postcode": ["2628CD"],
            "woonplaats_naam": ["Delft"],
        },
        geometry=[shapely.points(x, y)],
        crs=28992,
    )
    path = tmp_path / "bag-light.gpkg"
    frame.to_file(path, layer="pand", driver="GPKG")  # a second layer: verblijfsobject is chosen
    frame.to_file(path, layer="verblijfsobject", driver="GPKG")
    table = read_bag_addresses(path)
    assert table.iloc[0][["street", "housenumber", "postcode", "city", "source_id"]].tolist() == [
        "Mekelweg",
        "4B",
        "2628 CD",
        "Delft",
        "0503010000012345",
    ]


def test_bad_tables_say_what_is_wrong(tmp_path: Path) -> None:
    no_street = tmp_path / "no_street.csv"
    no_street.write_text("huisnummer;postcode;x;y\n3;2628CC;85000;446000\n")
    with pytest.raises(MissingColumnError, match="openbareruimte or openbare_ruimte_naam"):
        read_bag_addresses(no_street)
    no_xy = tmp_path / "no_xy.csv"
    no_xy.write_text("straat,huisnummer\nMekelweg,3\n")
    with pytest.raises(MissingColumnError, match=r"x/y \(RD New\) or lon/lat"):
        read_bag_addresses(no_xy)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ReadError, match="empty file"):
        read_bag_addresses(empty)
    with pytest.raises(ReadError, match="no such file"):
        read_bag_addresses(tmp_path / "missing.csv")


def test_cli_import_feeds_the_search_and_refusals_change_nothing(
    delft_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.gpkg"
    store.write_bytes((delft_folder / "store.gpkg").read_bytes())
    # The copied store, with the sample's built network (its cache is beside the original).
    settings = delft_settings(tmp_path).model_copy(
        update={"network_cache_dir": delft_folder / "network"}
    )
    csv = write_nlextract_csv(tmp_path / "bagadres.csv")
    served = TestClient(make_app(settings, publish(analyse_store(settings))))
    assert served.get("/addresses", params={"q": "mekelweg 4b"}).json()["features"] == []
    assert main(["--store", str(store), "import", "addresses", str(csv)]) == 0
    assert "4 addresses imported" in capsys.readouterr().out
    # The running service searches the new table at once (no restart).
    found = served.get("/addresses", params={"q": "mekelweg 4b"}).json()
    assert found["features"][0]["properties"]["source"] == "bag"
    stored = address_file(store)
    before = fingerprint(stored)

    # Far from the buurten (Groningen): refused, the stored table stays as it was.
    far = tmp_path / "groningen.csv"
    far.write_text("straat;huisnummer;lon;lat\nGrote Markt;1;6.5665;53.2194\n")
    assert main(["--store", str(store), "import", "addresses", str(far)]) == 1
    assert "within 1000 m of the stored buurten" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("naam;nummer\nx;1\n")
    assert main(["--store", str(store), "import", "addresses", str(bad)]) == 1
    assert fingerprint(stored) == before

    index = address_index(analyse_store(settings), settings)
    # BAG's Mekelweg 3 replaces the extract's (same address, a metre apart): 404 + 4 - 1.
    assert index.counts == {"osm": 403, "bag": 4}
    mekelweg = index.search("2628CC 3")
    assert list(mekelweg["source"]) == ["bag"]
    lettered = index.search("mekelweg 4b")
    assert lettered.iloc[0][["address", "bu_naam", "zone_code"]].tolist() == [
        "Mekelweg 4B, 2628 CD Delft",
        "TU-Campus",
        "campus",
    ]
    assert index.search("Julianalaan 134-2")["match"].iloc[0] == "exact"
    assert index.search("rontgenweg 1")["street"].iloc[0] == "Röntgenweg"


# --------------------------------------------------------------------------- API


def test_api_finds_an_address_with_its_buurt_and_zone(delft_client: TestClient) -> None:
    response = delft_client.get("/addresses", params={"q": "2628 CC 3"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    body = AddressCollection.model_validate(response.json())
    assert body.indexed == 404
    assert body.sources == {"osm": 404}
    first = body.features[0]
    assert first.properties.address == "Mekelweg 3, 2628 CC Delft"
    assert (first.properties.bu_naam, first.properties.zone_code) == ("TU-Campus", "campus")
    assert first.properties.match == "exact"
    assert first.geometry is not None
    lon, lat = first.geometry.coordinates
    assert 4.36 < lon < 4.40
    assert 51.98 < lat < 52.01
    many = delft_client.get("/addresses", params={"q": "Professor Krausstraat", "limit": 3})
    assert len(many.json()["features"]) == 3


def test_api_refuses_bad_queries(delft_client: TestClient) -> None:
    blank = delft_client.get("/addresses", params={"q": "  "})  # no letter or digit: the
    assert blank.status_code == 422  # OpenAPI document refuses it, as it says
    assert blank.headers["content-type"] == "application/problem+json"
    assert delft_client.get("/addresses").status_code == 422
    assert delft_client.get("/addresses", params={"q": "x", "limit": 0}).status_code == 422
    assert delft_client.get("/addresses", params={"q": "x" * 201}).status_code == 422


def test_without_addresses_the_search_says_so(sample_store: GeoPackageStore) -> None:
    """A copy of the Nieuwegein store without its address table and network: none indexed."""
    settings = make_settings(sample_store.path)
    with TestClient(make_app(settings, publish(analyse_store(settings)))) as bare:
        body = bare.get("/addresses", params={"q": "3431 AB 12"}).json()
    assert body["features"] == []
    assert body["indexed"] == 0


def test_the_synthetic_sample_addresses_are_searched(
    walking_analysis: Analysis, sample_store_file: Path
) -> None:
    """The synthetic Nieuwegein street network carries no addr:* tags; the sample's SYNTHETIC
    address table (data/sample/adressen_GM0356_synthetic.csv) is what is searched."""
    index = address_index(walking_analysis, make_settings(sample_store_file))
    assert walking_analysis.network is not None
    assert index.counts == {"synthetic": len(index)}
    assert len(index) > 5000
    found = index.search("Amsteldreef 5")
    assert found["street"].tolist() == ["Amsteldreef (synthetisch)"]
    assert found["postcode"].str[:3].tolist() == ["343"]
    assert found["zone_code"].notna().all()
    assert not index.search(f"{found['postcode'].iloc[0]} 5").empty
