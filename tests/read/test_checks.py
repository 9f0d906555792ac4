"""Validation with a per-feature report: GeoJSON bodies, limits, safe zips, problem+json.

Bodies are built from the real Nieuwegein buurten (../shared/data/cbs) in memory; hostile zips
are built in ``tmp_path``. A refused import leaves the store byte for byte as it was.
"""

from __future__ import annotations

import io
import json
import stat
import struct
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.crs import EDGE_CRS
from geo.errors import (
    CrsError,
    GeometryError,
    InputError,
    InvalidFeaturesError,
    ReadError,
    TooLargeError,
    TooManyFeaturesError,
    TooManyVerticesError,
    UnknownCategoryError,
    UnsafeArchiveError,
    ValueProblemError,
)
from geo.read.buurten import read_buurten
from geo.read.limits import Limits
from geo.read.options import ReadOptions
from geo.read.voorzieningen import read_voorzieningen
from geo.settings import PROJECT_ROOT
from geo.store.geopackage import GeoPackageStore
from geo.vocabulary import default_vocabulary
from service.cli import main
from service.errors import add_problem_handlers
from tests.conftest import VOCABULARY, fingerprint
from tests.imports import import_file

CBS = PROJECT_ROOT.parent / "shared" / "data" / "cbs"
NIEUWEGEIN_GPKG = CBS / "buurten_GM0356_2023geom_kwb2024.gpkg"
RD_NAME = "urn:ogc:def:crs:EPSG::28992"


def real_buurten() -> gpd.GeoDataFrame:
    """Nieuwegein's 39 real buurten, in RD New, with AANT_INW."""
    frame = gpd.read_file(NIEUWEGEIN_GPKG, engine="pyogrio")
    return frame[["statcode", "statnaam", "AANT_INW", "A_65_EO_JR", "geometry"]]


def body(frame: gpd.GeoDataFrame, *, crs_name: str | None = None) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection of ``frame`` (lon/lat), or in its own CRS with a member."""
    if crs_name is None:
        frame = frame.to_crs(EDGE_CRS)
    document: dict[str, Any] = json.loads(frame.to_json(drop_id=True))
    document.pop("crs", None)
    if crs_name is not None:
        document["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return document


# --------------------------------------------------------------------------- CRS


def test_rfc7946_body_as_bytes_or_mapping_gives_the_file_buurten() -> None:
    expected = read_buurten(NIEUWEGEIN_GPKG, vocabulary=VOCABULARY)
    document = body(real_buurten())
    for source in (document, json.dumps(document).encode()):
        buurten = read_buurten(source, vocabulary=VOCABULARY)
        assert list(buurten["bu_code"]) == list(expected["bu_code"])
        assert buurten["residents"].sum() == 65_955
        assert buurten.geom_equals_exact(expected, tolerance=0.01).all()  # metres


@pytest.mark.parametrize("name", [RD_NAME, "EPSG:28992", "urn:ogc:def:crs:EPSG:6.3:28992"])
def test_legacy_crs_member_naming_rd_new_is_honoured(name: str) -> None:
    buurten = read_buurten(body(real_buurten(), crs_name=name), vocabulary=VOCABULARY)
    assert len(buurten) == 39
    assert buurten.total_bounds[0] == pytest.approx(real_buurten().total_bounds[0])


def test_rd_new_sent_as_lonlat_is_refused_per_feature() -> None:
    document = body(real_buurten().iloc[:5], crs_name=RD_NAME)
    del document["crs"]
    with pytest.raises(CrsError) as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert info.value.total == 5
    assert [p.index for p in info.value.problems] == [0, 1, 2, 3, 4]
    assert all("look like RD New metres (EPSG:28992)" in p.reason for p in info.value.problems)
    assert info.value.problems[0].id == "BU03560101"


def test_swapped_lat_lon_is_refused_per_feature() -> None:
    document = body(real_buurten().iloc[:3])
    for feature in document["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
        feature["geometry"] = shapely.geometry.mapping(swapped)
    with pytest.raises(CrsError, match="lon/lat swapped") as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert all("latitude and longitude look swapped" in p.reason for p in info.value.problems)


def test_lonlat_under_a_crs_member_naming_rd_new_is_refused() -> None:
    document = body(real_buurten().iloc[:2])
    document["crs"] = {"type": "name", "properties": {"name": RD_NAME}}
    with pytest.raises(CrsError) as info:
        read_buurten(document, vocabulary=VOCABULARY)
    assert "look like lon/lat degrees but are read as EPSG:28992" in info.value.problems[0].reason


def test_unusable_crs_member_is_refused_at_once() -> None:
    document = body(real_buurten().iloc[:1])
    document["crs"] = {"type": "link", "properties": {"href": "http://example.com/crs"}}
    with pytest.raises(CrsError, match="crs member must be"):
        read_buurten(document, vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- per-feature report


def broken_body() -> dict[str, Any]:
    """Twelve real buurten, ten of them broken in a different way each."""
    document = body(real_buurten().iloc[:12])
    features: list[Any] = document["features"]
    x, y = shapely.geometry.shape(features[3]["geometry"]).centroid.coords[0]
    d = 0.001
    features[1]["geometry"] = None
    features[2]["geometry"] = {"type": "Point", "coordinates": [x, y]}
    features[3]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]],
    }
    features[4]["properties"]["statcode"] = features[0]["properties"]["statcode"]
    features[5]["properties"]["statcode"] = None
    features[6]["properties"]["statcode"] = "BU0356010"
    features[7] = ["not", "a", "feature"]
    features[8]["geometry"] = {"type": "Polygon", "coordinates": [[[x, y], [x + d, y]]]}
    features[9]["properties"]["AANT_INW"] = "veel"
    features[10]["geometry"] = {"type": "Polygon", "coordinates": []}
    return document


def test_every_broken_feature_is_listed_in_one_error() -> None:
    with pytest.raises(InvalidFeaturesError) as info:
        read_buurten(broken_body(), vocabulary=VOCABULARY)
    error = info.value
    listed = {(p.index, p.id): p.reason for p in error.problems}
    assert error.total == len(listed) == 10
    assert listed[(1, "BU03560102")] == "no geometry (null or empty)"
    assert "geometry is a Point; buurten must be polygons" in listed[(2, "BU03560103")]
    assert listed[(3, "BU03560201")].startswith("invalid geometry: Self-intersection")
    assert "occurs twice (also feature 0)" in listed[(4, "BU03560101")]
    assert listed[(5, None)].startswith("no buurt code")
    assert listed[(6, "BU0356010")].startswith("malformed buurt code")
    assert "not a GeoJSON Feature" in listed[(7, None)]
    assert "at least 4 coordinates" in listed[(8, "BU03560401")]
    assert "'veel'" in listed[(9, "BU03560402")]
    assert listed[(10, "BU03560403")] == "no geometry (null or empty)"
    assert [p.index for p in error.problems] == sorted(p.index for p in error.problems)
    assert "request body: 10 feature(s) refused" in str(error)
    assert error.extensions()["total"] == 10


def test_repair_is_applied_only_on_request() -> None:
    document = body(real_buurten().iloc[:4])
    x, y = shapely.geometry.shape(document["features"][3]["geometry"]).centroid.coords[0]
    bowtie = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
    document["features"][3]["geometry"] = {"type": "Polygon", "coordinates": [bowtie]}
    with pytest.raises(GeometryError, match=r"BU03560201: Self-intersection.*--repair"):
        read_buurten(document, vocabulary=VOCABULARY)
    repaired = read_buurten(document, ReadOptions(repair=True), vocabulary=VOCABULARY)
    assert repaired.geometry.is_valid.all()
    assert repaired.geom_type.iloc[3] == "MultiPolygon"


def test_at_most_100_problems_are_listed_with_the_total() -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"statcode": f"BU0356{n:04d}", "AANT_INW": 1},
            "geometry": None,
        }
        for n in range(240)
    ]
    with pytest.raises(GeometryError) as info:
        read_buurten({"type": "FeatureCollection", "features": features}, vocabulary=VOCABULARY)
    assert info.value.total == 240
    assert len(info.value.problems) == 100
    assert len(str(info.value)) < 500  # the summary names 10; the list is in .problems


def test_voorzieningen_body_unknown_categories_and_duplicate_ids() -> None:
    vocabulary = default_vocabulary()
    point = {"type": "Point", "coordinates": [5.09, 52.03]}
    features = [
        {"type": "Feature", "id": "a", "properties": {"categorie": "huisarts"}, "geometry": point},
        {"type": "Feature", "id": "b", "properties": {"categorie": "bakker"}, "geometry": point},
        {"type": "Feature", "id": "a", "properties": {"amenity": "pharmacy"}, "geometry": point},
        {
            "type": "Feature",
            "properties": {"id": "c", "shop": "supermarket"},
            "geometry": {"type": "GeometryCollection", "geometries": [point]},
        },
    ]
    with pytest.raises(InvalidFeaturesError) as info:
        read_voorzieningen({"type": "FeatureCollection", "features": features}, vocabulary)
    listed = {(p.index, p.id): p.reason for p in info.value.problems}
    assert listed[(1, "b")].startswith("unknown category 'bakker'")
    assert listed[(2, "a")] == "id a occurs twice (also feature 0)"
    assert "GeometryCollection" in listed[(3, "c")]
    assert len(listed) == 3
    good = read_voorzieningen(
        {"type": "FeatureCollection", "features": features[:1]}, vocabulary, where="upload.json"
    )
    assert good[["id", "category", "source"]].values.tolist() == [["a", "huisarts", "upload.json"]]


def test_unknown_category_alone_keeps_its_class_and_summary() -> None:
    point = {"type": "Point", "coordinates": [5.09, 52.03]}
    features = [
        {"type": "Feature", "properties": {"categorie": "bakker"}, "geometry": point}
        for _ in range(2)
    ]
    with pytest.raises(UnknownCategoryError, match=r"'bakker' \(2×\).*Known categories"):
        read_voorzieningen(
            {"type": "FeatureCollection", "features": features}, default_vocabulary()
        )


def test_invalid_voorziening_polygon_needs_repair() -> None:
    x, y = 5.09, 52.03
    ring = [[x, y], [x + 0.001, y + 0.001], [x + 0.001, y], [x, y + 0.001], [x, y]]
    feature = {
        "type": "Feature",
        "properties": {"categorie": "supermarkt"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    document = {"type": "FeatureCollection", "features": [feature]}
    with pytest.raises(GeometryError, match="Self-intersection"):
        read_voorzieningen(document, default_vocabulary())
    points = read_voorzieningen(document, default_vocabulary(), ReadOptions(repair=True))
    assert points.geom_type.tolist() == ["Point"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"type": "FeatureCollection", "features": {}}', "expected a GeoJSON FeatureCollection"),
        (b"[1, 2]", "expected a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": [], "x": NaN}', "not valid JSON"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_documents_that_are_no_feature_collection(text: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        read_buurten(text, vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- limits


def test_body_size_limit() -> None:
    raw = json.dumps(body(real_buurten())).encode()
    with pytest.raises(TooLargeError) as info:
        read_buurten(raw, limits=Limits(max_upload_bytes=len(raw) - 1), vocabulary=VOCABULARY)
    assert (info.value.limit, info.value.actual) == (len(raw) - 1, len(raw))
    assert (
        len(read_buurten(raw, limits=Limits(max_upload_bytes=len(raw)), vocabulary=VOCABULARY))
        == 39
    )


def test_feature_count_limit_for_bodies_and_files() -> None:
    with pytest.raises(TooManyFeaturesError, match="39 features is more than the 38") as info:
        read_buurten(body(real_buurten()), limits=Limits(max_features=38), vocabulary=VOCABULARY)
    assert info.value.extensions() == {"limit": 38, "actual": 39}
    with pytest.raises(TooManyFeaturesError):
        read_buurten(NIEUWEGEIN_GPKG, limits=Limits(max_features=38), vocabulary=VOCABULARY)


def test_vertex_limit_names_the_features() -> None:
    frame = real_buurten().iloc[:3].copy()
    dense = frame.geometry.iloc[1].segmentize(5.0)  # metres: hundreds of vertices
    frame.loc[frame.index[1], "geometry"] = dense
    n = shapely.get_num_coordinates(dense)
    with pytest.raises(TooManyVerticesError) as info:
        read_buurten(
            body(frame, crs_name=RD_NAME),
            limits=Limits(max_vertices_per_feature=50),
            vocabulary=VOCABULARY,
        )
    (problem,) = info.value.problems
    assert (problem.index, problem.id) == (1, "BU03560102")
    assert f"{n:,} vertices" in problem.reason
    assert info.value.actual == n


# --------------------------------------------------------------------------- zips


def shapefile_zip(
    tmp_path: Path, *, extra: Callable[[zipfile.ZipFile], None] | None = None
) -> Path:
    """The real buurten as a Shapefile in a CBS-like zip (a subfolder, a wijk layer beside)."""
    folder = tmp_path / "shp"
    folder.mkdir()
    frame = gpd.read_file(NIEUWEGEIN_GPKG, engine="pyogrio")
    frame[["BU_CODE", "BU_NAAM", "AANT_INW", "A_65_EO_JR", "geometry"]].to_file(
        folder / "buurt_2023_v1.shp", engine="pyogrio"
    )
    frame[["WK_CODE", "geometry"]].to_file(folder / "wijk_2023_v1.shp", engine="pyogrio")
    archive = tmp_path / "WijkBuurtkaart_2023_v1.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted(folder.iterdir()):
            zipped.write(file, f"WijkBuurtkaart_2023_v1/{file.name}")
        if extra is not None:
            extra(zipped)
    return archive


def _wsz_temp_dirs() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("wsz-zip-*")}


def test_safe_zip_is_read_and_its_unpacked_copy_removed(tmp_path: Path) -> None:
    before = _wsz_temp_dirs()
    buurten = read_buurten(shapefile_zip(tmp_path), vocabulary=VOCABULARY)
    assert len(buurten) == 39
    assert buurten["residents"].sum() == 65_955
    assert _wsz_temp_dirs() <= before


def _member(
    name: str, data: bytes = b"x", *, mode: int = stat.S_IFREG | 0o644
) -> Callable[[zipfile.ZipFile], None]:
    def add(zipped: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zipped.writestr(info, data)

    return add


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (_member("../../evil.shp"), "path traversal"),
        (_member("WijkBuurtkaart_2023_v1/../../../etc/cron.d/x"), "path traversal"),
        (_member("/etc/passwd"), "absolute path"),
        (_member("C:/Windows/evil.dll"), "absolute path"),
        (_member("link.shp", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), "symbolic link"),
        (_member("fifo", mode=stat.S_IFIFO | 0o644), "special file"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "drive", "symlink", "fifo"],
)
def test_hostile_zip_members_are_refused(
    tmp_path: Path, member: Callable[[zipfile.ZipFile], None], reason: str
) -> None:
    archive = shapefile_zip(tmp_path, extra=member)
    with pytest.raises(UnsafeArchiveError, match=reason):
        read_buurten(archive, vocabulary=VOCABULARY)


def test_zip_bomb_ratio_is_refused(tmp_path: Path) -> None:
    zeros = b"\0" * (20 * 1024**2)  # deflates about 1000-fold
    archive = shapefile_zip(tmp_path, extra=_member("WijkBuurtkaart_2023_v1/padding.bin", zeros))
    with pytest.raises(UnsafeArchiveError, match=r"compression ratio beyond 200:1.*padding.bin"):
        read_buurten(archive, vocabulary=VOCABULARY)


def test_declared_unpacked_size_is_bounded(tmp_path: Path) -> None:
    archive = shapefile_zip(tmp_path)
    with pytest.raises(TooLargeError, match="unpacks to") as info:
        read_buurten(archive, limits=Limits(max_unzipped_bytes=10_000), vocabulary=VOCABULARY)
    assert info.value.limit == 10_000


def test_member_lying_about_its_size_is_stopped(tmp_path: Path) -> None:
    """A .dbf declaring 1,000 bytes but holding more: never more than declared is written."""
    archive = shapefile_zip(tmp_path)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zipped:
        info = zipped.getinfo("WijkBuurtkaart_2023_v1/buurt_2023_v1.dbf")
    assert info.file_size > 1000
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # local header
    struct.pack_into("<I", data, _central_entry(bytes(data), info.filename) + 24, 1000)
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"CRC|declares"):
        read_buurten(archive, vocabulary=VOCABULARY)


def _central_entry(data: bytes, name: str) -> int:
    """Offset of ``name``'s entry in the zip's central directory."""
    offset = data.index(b"PK\x01\x02")
    while offset >= 0:
        length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46 : offset + 46 + length].decode() == name:
            return offset
        offset = data.find(b"PK\x01\x02", offset + 46)
    raise AssertionError(f"{name} not in the central directory")


def test_encrypted_member_is_refused(tmp_path: Path) -> None:
    def encrypted(zipped: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo("secret.shp")
        info.flag_bits |= 0x1
        zipped.writestr(info, b"x")

    with pytest.raises(UnsafeArchiveError, match="encrypted"):
        read_buurten(shapefile_zip(tmp_path, extra=encrypted), vocabulary=VOCABULARY)


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "buurten.zip"
    path.write_bytes(b"PK but not really")
    with pytest.raises(ReadError, match="not a valid zip file"):
        read_buurten(path, vocabulary=VOCABULARY)


# --------------------------------------------------------------------------- the store


@pytest.fixture
def real_store(tmp_path: Path) -> GeoPackageStore:
    store = GeoPackageStore(tmp_path / "store.gpkg")
    import_file(store, "buurten", NIEUWEGEIN_GPKG)
    return store


REFUSALS: list[tuple[str, Callable[[GeoPackageStore, Path], object], type[InputError]]] = [
    (
        "broken body",
        lambda s, t: import_file(s, "buurten", broken_body()),
        InvalidFeaturesError,
    ),
    (
        "too many features",
        lambda s, t: import_file(
            s, "buurten", body(real_buurten()), limits=Limits(max_features=10)
        ),
        TooManyFeaturesError,
    ),
    (
        "hostile zip",
        lambda s, t: import_file(s, "buurten", shapefile_zip(t, extra=_member("../x.shp"))),
        UnsafeArchiveError,
    ),
    (
        "rd as lonlat",
        lambda s, t: import_file(
            s, "buurten", {**body(real_buurten(), crs_name=RD_NAME), "crs": None}
        ),
        CrsError,
    ),
]


@pytest.mark.parametrize(
    ("attempt", "error"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refused_import_leaves_the_store_byte_for_byte(
    real_store: GeoPackageStore,
    tmp_path: Path,
    attempt: Callable[[GeoPackageStore, Path], object],
    error: type[InputError],
) -> None:
    before = fingerprint(real_store.path)
    with pytest.raises(error):
        attempt(real_store, tmp_path)
    assert fingerprint(real_store.path) == before
    assert sorted(p.name for p in real_store.path.parent.iterdir() if p.suffix == ".gpkg") == [
        "store.gpkg"
    ]


def test_body_import_replaces_the_store(real_store: GeoPackageStore) -> None:
    dataset = import_file(real_store, "buurten", body(real_buurten().iloc[:10]), where="upload")
    assert len(dataset.buurten) == len(real_store.read().buurten) == 10


# --------------------------------------------------------------------------- problem+json


@pytest.fixture(scope="module")
def problem_client() -> TestClient:
    """A minimal app with the service's problem handlers and a buurten import route."""
    app = FastAPI()
    add_problem_handlers(app)

    @app.post("/buurten")
    async def post_buurten(request: Request, max_features: int = 50_000) -> dict[str, int]:
        frame = read_buurten(
            await request.body(), limits=Limits(max_features=max_features), vocabulary=VOCABULARY
        )
        return {"buurten": len(frame)}

    return TestClient(app)


def test_per_feature_problem_body(problem_client: TestClient) -> None:
    response = problem_client.post("/buurten", content=json.dumps(broken_body()))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:woonservicezones:problem:invalid-features"
    assert problem["title"] == "Invalid features"
    assert problem["total"] == 10
    assert problem["errors"][0] == {
        "index": 1,
        "id": "BU03560102",
        "reason": "no geometry (null or empty)",
    }
    assert problem["detail"].startswith("request body: 10 feature(s) refused")


def test_limit_problem_body_is_413(problem_client: TestClient) -> None:
    response = problem_client.post(
        "/buurten", params={"max_features": 5}, content=json.dumps(body(real_buurten()))
    )
    assert response.status_code == 413
    problem = response.json()
    assert (problem["limit"], problem["actual"]) == (5, 39)
    assert problem["title"] == "Too many features"
    ok = problem_client.post("/buurten", content=json.dumps(body(real_buurten())))
    assert ok.json() == {"buurten": 39}


# --------------------------------------------------------------------------- CLI


def test_cli_prints_one_line_per_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSZ_STORE_PATH", str(tmp_path / "store.gpkg"))
    features = [
        {
            "type": "Feature",
            "properties": {"statcode": f"BU0356{n:04d}", "AANT_INW": 1},
            "geometry": None,
        }
        for n in range(130)
    ]
    path = tmp_path / "leeg.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assert main(["import", "buurten", str(path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    err = lines[next(n for n, line in enumerate(lines) if line.startswith("error")) :]
    assert err[0].startswith("error (Invalid geometry): ")
    assert err[1] == "  feature 0 (BU03560000): no geometry (null or empty)"
    assert err[100] == "  feature 99 (BU03560099): no geometry (null or empty)"
    assert err[101] == "  … and 30 more"
    assert not (tmp_path / "store.gpkg").exists()


# --------------------------------------------------------------------------- properties


@st.composite
def lonlat_polygons(draw: st.DrawFn) -> shapely.Polygon:
    """A convex polygon (3–12 vertices, up to ~1 km across) somewhere in the Netherlands."""
    lon = draw(st.floats(4.0, 6.8))
    lat = draw(st.floats(51.5, 53.2))
    offsets = draw(
        st.lists(
            st.tuples(st.floats(-0.007, 0.007), st.floats(-0.005, 0.005)),
            min_size=3,
            max_size=12,
        )
    )
    hull = shapely.MultiPoint([(lon + dx, lat + dy) for dx, dy in offsets]).convex_hull
    from hypothesis import assume

    assume(hull.geom_type == "Polygon" and hull.area > 1e-8)
    return hull


def _one(polygon: shapely.Geometry) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"statcode": "BU03560101", "AANT_INW": 10},
                "geometry": shapely.geometry.mapping(polygon),
            }
        ],
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_any_valid_polygon_survives_the_round_trip(polygon: shapely.Polygon) -> None:
    buurten = read_buurten(json.dumps(_one(polygon)).encode(), vocabulary=VOCABULARY)
    back = buurten.to_crs(EDGE_CRS).geometry.iloc[0]
    assert back.equals_exact(polygon, tolerance=1e-7)  # degrees: about a centimetre


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_swapped_lonlat_is_always_refused(polygon: shapely.Polygon) -> None:
    swapped = shapely.transform(polygon, lambda xy: xy[:, ::-1])
    with pytest.raises(CrsError) as info:
        read_buurten(_one(swapped), vocabulary=VOCABULARY)
    assert "look swapped" in info.value.problems[0].reason


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lonlat_polygons())
def test_rd_new_as_lonlat_is_always_refused(polygon: shapely.Polygon) -> None:
    rd = gpd.GeoSeries([polygon], crs=EDGE_CRS).to_crs(28992).iloc[0]
    with pytest.raises(CrsError) as info:
        read_buurten(_one(rd), vocabulary=VOCABULARY)
    assert "look like RD New metres" in info.value.problems[0].reason


def test_value_problem_classes_are_input_errors() -> None:
    for error in (InvalidFeaturesError, TooLargeError, UnsafeArchiveError, ValueProblemError):
        assert issubclass(error, InputError)
