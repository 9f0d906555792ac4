"""`wsz download`: PDOK WFS requests and answers, offline, against a local HTTP server.

The server speaks like PDOK's wijkenbuurten WFS (GeoJSON pages, camel-case properties, an OGC
ExceptionReport for a bad filter), so the real HTTP client, paging and file writing are run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pyogrio
import pytest

from geo.errors import DownloadError, ValueProblemError
from geo.read import download
from geo.read.buurten import read_buurten
from tests.conftest import SNAKE_CASE_BUURTEN, VOCABULARY

PDOK_NAMES = {
    "buurtcode": "buurtcode",
    "buurtnaam": "buurtnaam",
    "wijkcode": "wijkcode",
    "gemeentecode": "gemeentecode",
    "gemeentenaam": "gemeentenaam",
    "aantal_inwoners": "aantalInwoners",
    "percentage_personen_65_jaar_en_ouder": "percentagePersonen65JaarEnOuder",
}
EXCEPTION_REPORT = (
    b'<?xml version="1.0"?><ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1">'
    b'<ows:Exception exceptionCode="InvalidParameterValue"><ows:ExceptionText>'
    b"Unknown property</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"
)


def pdok_features() -> list[dict[str, object]]:
    frame = pyogrio.read_dataframe(SNAKE_CASE_BUURTEN)[[*PDOK_NAMES, "geometry"]]
    features: list[dict[str, object]] = json.loads(frame.rename(columns=PDOK_NAMES).to_json())[
        "features"
    ]
    return features


class FakePdok(BaseHTTPRequestHandler):
    features = pdok_features()
    requests: ClassVar[list[dict[str, list[str]]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path.endswith(".osm.pbf"):
            return self._send(b"\x00PBF" * 1000, "application/octet-stream")
        query = parse_qs(url.query)
        FakePdok.requests.append(query)
        if "gemeentecode" not in query["FILTER"][0] or "GM9999" in query["FILTER"][0]:
            return self._send(EXCEPTION_REPORT, "text/xml")
        start, count = int(query["startIndex"][0]), int(query["count"][0])
        page = {"type": "FeatureCollection", "features": self.features[start : start + count]}
        return self._send(json.dumps(page).encode(), "application/json")

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@pytest.fixture(scope="module")
def pdok() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakePdok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def via(base: str) -> download.Fetch:
    """Send PDOK's URL to the local server instead, over real HTTP."""

    def fetch(url: str) -> bytes:
        return download.http_get(url.replace("https://service.pdok.nl", base))

    return fetch


def test_page_url_asks_pdok_for_one_gemeente_in_rd_new() -> None:
    url = urlparse(download.buurten_page_url("GM0356", 2024, start_index=1000))
    assert url.netloc == "service.pdok.nl"
    assert url.path == "/cbs/wijkenbuurten/2024/wfs/v1_0"
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert query["typeNames"] == "wijkenbuurten:buurten"
    assert query["srsName"] == "EPSG:28992"
    assert query["startIndex"] == "1000"
    assert "<fes:ValueReference>gemeentecode</fes:ValueReference>" in query["FILTER"]
    assert "<fes:Literal>GM0356</fes:Literal>" in query["FILTER"]


@pytest.mark.parametrize("code", ["0356", "GM356", "GM0356'--", ""])
def test_gemeente_code_is_checked_before_any_request(code: str) -> None:
    with pytest.raises(ValueProblemError, match="not a CBS gemeente code"):
        download.buurten_page_url(code, 2024, 0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (EXCEPTION_REPORT, "the WFS answered with an error: Unknown property"),
        (b"{broken", "not JSON"),
        (b'{"type": "Feature"}', "expected a GeoJSON FeatureCollection"),
    ],
)
def test_bad_answers_are_explained(body: bytes, message: str) -> None:
    with pytest.raises(DownloadError, match=message):
        download.parse_wfs_page(body, where="PDOK")


def test_download_pages_through_and_saves_importable_buurten(pdok: str, tmp_path: Path) -> None:
    FakePdok.requests.clear()
    lines: list[str] = []
    target = tmp_path / "buurten_GM0356_2024.gpkg"
    download.download_buurten(
        "GM0356", 2024, target, fetch=via(pdok), progress=lines.append, page_size=10
    )
    assert [q["startIndex"][0] for q in FakePdok.requests] == ["0", "10", "20"]
    assert "22 buurten received" in "\n".join(lines)
    buurten = read_buurten(target, vocabulary=VOCABULARY)  # PDOK's camel-case names are understood
    expected = read_buurten(SNAKE_CASE_BUURTEN, vocabulary=VOCABULARY)
    assert list(buurten["bu_code"]) == list(expected["bu_code"])
    assert buurten["residents"].sum() == expected["residents"].sum()
    assert buurten["residents_65plus"].sum() == pytest.approx(expected["residents_65plus"].sum())


def test_wfs_error_leaves_no_file(pdok: str, tmp_path: Path) -> None:
    target = tmp_path / "buurten.gpkg"
    with pytest.raises(DownloadError, match="Unknown property"):
        download.download_buurten("GM9999", 2024, target, fetch=via(pdok))
    assert list(tmp_path.iterdir()) == []


def test_unreachable_server_is_a_download_error() -> None:
    with pytest.raises(DownloadError, match="cannot connect"):
        download.http_get("http://127.0.0.1:9/nothing")


def test_osm_extract_is_streamed_with_progress(pdok: str, tmp_path: Path) -> None:
    lines: list[str] = []
    target = tmp_path / "utrecht-latest.osm.pbf"
    download.download_file(
        f"{pdok}/utrecht-latest.osm.pbf", target, progress=lines.append, chunk_bytes=1000
    )
    assert target.read_bytes() == b"\x00PBF" * 1000
    assert any("(100%)" in line for line in lines)
    assert [p.name for p in tmp_path.iterdir()] == ["utrecht-latest.osm.pbf"]
