"""The OSM extract of one gemeente, offline: a local server answers like Geofabrik (its extract
index and the extract itself, here the real Delft file), and the cut runs on real data."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import shapely

from geo.errors import DownloadError, ReadError
from geo.network.cut import cut_extract
from geo.network.osm import read_osm
from geo.read import download
from geo.read.buurten import read_buurten
from service.cli import main
from tests.conftest import DELFT_BUURTEN, DELFT_OSM, VOCABULARY, requires_shared_data


def index_document(base: str) -> dict[str, object]:
    """Two extracts like Geofabrik's: the Netherlands and, inside it, Zuid-Holland."""

    def extract(name: str, box: tuple[float, float, float, float], url: str) -> dict[str, object]:
        return {
            "type": "Feature",
            "properties": {"id": name, "name": name, "urls": {"pbf": url}},
            "geometry": shapely.geometry.mapping(shapely.box(*box)),
        }

    return {
        "type": "FeatureCollection",
        "features": [
            extract("netherlands", (3.2, 50.7, 7.3, 53.7), f"{base}/netherlands-latest.osm.pbf"),
            extract("zuid-holland", (3.8, 51.6, 5.0, 52.4), f"{base}/zuid-holland-latest.osm"),
            {"type": "Feature", "properties": {"id": "no-url", "urls": {}}, "geometry": None},
        ],
    }


class FakeGeofabrik(BaseHTTPRequestHandler):
    base = ""
    fetched: list[str] = []  # noqa: RUF012 - the test reads what was fetched

    def do_GET(self) -> None:
        FakeGeofabrik.fetched.append(self.path)
        if self.path == "/index-v1.json":
            body = json.dumps(index_document(self.base)).encode()
        elif self.path == "/zuid-holland-latest.osm":
            body = DELFT_OSM.read_bytes()
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture(scope="module")
def geofabrik() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGeofabrik)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    FakeGeofabrik.base = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


@requires_shared_data(DELFT_OSM)
def test_cut_keeps_whole_ways_reaching_into_the_box(tmp_path: Path) -> None:
    box = (4.37, 51.995, 4.385, 52.005)
    report = cut_extract(DELFT_OSM, tmp_path / "cut.osm.pbf", box)
    assert report.ways > 0
    cut, whole = read_osm(tmp_path / "cut.osm.pbf"), read_osm(DELFT_OSM)
    assert 0 < cut.counts["highway_ways"] < whole.counts["highway_ways"]
    assert cut.counts["vertices_missing"] == 0  # reference-complete
    assert cut.counts["buildings"] > 0  # buildings come along, multipolygons too


@requires_shared_data(DELFT_OSM)
def test_cut_outside_the_extract_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="nothing of this extract lies in the box"):
        cut_extract(DELFT_OSM, tmp_path / "none.osm.pbf", (5.0, 52.0, 5.1, 52.1))
    assert not (tmp_path / "none.osm.pbf").exists()


def test_the_smallest_extract_holding_the_gemeente_is_chosen(geofabrik: str) -> None:
    index = json.dumps(index_document(geofabrik)).encode()
    name, url = download.choose_extract(index, (4.3, 51.95, 4.4, 52.05), where="index")
    assert (name, url) == ("zuid-holland", f"{geofabrik}/zuid-holland-latest.osm")
    name, _ = download.choose_extract(index, (5.0, 52.0, 5.1, 52.1), where="index")
    assert name == "netherlands"
    with pytest.raises(DownloadError, match="no extract holds the box"):
        download.choose_extract(index, (10.0, 50.0, 10.1, 50.1), where="index")
    with pytest.raises(DownloadError, match="not Geofabrik's extract index"):
        download.choose_extract(b"[1, 2]", (4.3, 51.95, 4.4, 52.05), where="index")


@requires_shared_data(DELFT_BUURTEN)
def test_gemeente_box_has_a_kilometre_margin() -> None:
    buurten = read_buurten(DELFT_BUURTEN, vocabulary=VOCABULARY)
    lon0, lat0, lon1, lat1 = download.gemeente_box(buurten)
    inner = download.gemeente_box(buurten, margin_m=0)
    assert lon0 < inner[0]
    assert lat0 < inner[1]
    assert lon1 > inner[2]
    assert lat1 > inner[3]
    assert (inner[1] - lat0) * 111_000 == pytest.approx(1000, rel=0.02)


@requires_shared_data(DELFT_BUURTEN, DELFT_OSM)
def test_cli_downloads_and_cuts_the_gemeente_extract(
    geofabrik: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "osm_GM0503.osm.pbf"
    argv = ["download", "osm", "--gemeente", "GM0503", "--buurten", str(DELFT_BUURTEN)]
    argv += ["--index-url", f"{geofabrik}/index-v1.json", "-o", str(target)]
    assert main(argv) == 0
    assert read_osm(target).counts["highway_ways"] > 900
    assert (tmp_path / "var" / "downloads" / "zuid-holland-latest.osm").exists()


@requires_shared_data(DELFT_BUURTEN, DELFT_OSM)
def test_demo_on_a_downloaded_gemeente(
    geofabrik: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["--store", str(tmp_path / "store.gpkg"), "demo", "--download", "GM0503"]
    argv += ["--buurten", str(DELFT_BUURTEN), "--index-url", f"{geofabrik}/index-v1.json"]
    assert main([*argv, "--no-serve"]) == 0
    out = capsys.readouterr().out
    assert "Coverage by walking distance" in out
    assert "[wk050328]" in out  # one zone per wijk: Wijk 28 Wippolder
    assert "No synthetic parts" in out
