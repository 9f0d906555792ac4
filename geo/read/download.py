"""Fetch the real open data a user runs the service on: CBS buurten and OpenStreetMap extracts.

* CBS Wijk- en Buurtkaart buurten of one gemeente from PDOK's WFS
  (``https://service.pdok.nl/cbs/wijkenbuurten/{year}/wfs/v1_0``, layer
  ``wijkenbuurten:buurten``, CC BY 4.0 © CBS/Kadaster). PDOK ignores ``CQL_FILTER``; the gemeente
  is selected with an OGC FES 2.0 ``FILTER`` on ``gemeentecode``, and pages are fetched with
  ``count``/``startIndex`` until a short page. The result is saved as a GeoPackage in RD New
  with PDOK's own (camel-case) column names, which :func:`geo.read.buurten.read_buurten`
  understands.
* An OpenStreetMap extract (``.osm.pbf``) by URL, e.g. Geofabrik's province extracts (ODbL,
  © OpenStreetMap contributors), streamed to disk with progress output.
* The OSM extract of one gemeente: Geofabrik's index (``index-v1.json``, every extract with its
  outline) names the smallest extract holding the gemeente's buurten plus a margin of 1 km; it is
  downloaded and cut to that box with pyosmium (:func:`geo.network.cut.cut_extract`).

Files are written to a temporary name and renamed when complete: an interrupted download never
leaves a half file under the real name. Only this module touches the network, and only when a
user runs ``wsz download``; nothing else in the service downloads at run time.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from geo.common.files import atomic_write
from geo.common.progress import Progress, silent
from geo.errors import DownloadError, ValueProblemError

# GeoPandas, pyogrio, pyproj and pyosmium where a download is written or cut: the URLs and
# checks here are read by `wsz --help` and argument parsing, which need none of them.
if TYPE_CHECKING:
    import geopandas as gpd

    from geo.network.cut import LonLatBox

PDOK_WIJKENBUURTEN_WFS = "https://service.pdok.nl/cbs/wijkenbuurten/{year}/wfs/v1_0"
BUURTEN_TYPENAME = "wijkenbuurten:buurten"
WFS_PAGE_SIZE = 1000
#: Geofabrik's extract of the province of Utrecht (holds Nieuwegein, GM0356).
DEFAULT_OSM_EXTRACT_URL = "https://download.geofabrik.de/europe/netherlands/utrecht-latest.osm.pbf"
#: Geofabrik's list of extracts with their outlines (GeoJSON).
GEOFABRIK_INDEX_URL = "https://download.geofabrik.de/index-v1.json"
#: Margin around a gemeente's buurten when cutting its extract (metres, RD New): residents near
#: the border walk to voorzieningen across it.
GEMEENTE_MARGIN_M = 1000.0
USER_AGENT = "woonservicezones (+https://github.com/woonservicezones)"
TIMEOUT_S = 60.0

#: A function that GETs a URL and returns its body (injected by tests to read local files).
Fetch = Callable[[str], bytes]


def check_gemeente_code(gemeente: str) -> str:
    """Return ``gemeente`` if it is a CBS gemeente code (``GM`` + 4 digits), else raise."""
    if not re.fullmatch(r"GM\d{4}", gemeente):
        raise ValueProblemError(
            f"{gemeente!r} is not a CBS gemeente code; expected GM followed by four digits, "
            "e.g. GM0356 for Nieuwegein"
        )
    return gemeente


def buurten_page_url(gemeente: str, year: int, start_index: int, count: int = WFS_PAGE_SIZE) -> str:
    """The WFS 2.0 GetFeature URL for one page of a gemeente's buurten, in RD New, as GeoJSON."""
    fes_filter = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        "<fes:PropertyIsEqualTo><fes:ValueReference>gemeentecode</fes:ValueReference>"
        f"<fes:Literal>{escape(check_gemeente_code(gemeente))}</fes:Literal>"
        "</fes:PropertyIsEqualTo></fes:Filter>"
    )
    query = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": BUURTEN_TYPENAME,
        "outputFormat": "application/json",
        "srsName": "EPSG:28992",
        "count": str(count),
        "startIndex": str(start_index),
        "sortBy": "buurtcode",
        "FILTER": fes_filter,
    }
    return PDOK_WIJKENBUURTEN_WFS.format(year=year) + "?" + urllib.parse.urlencode(query)


def parse_wfs_page(body: bytes, *, where: str) -> list[dict[str, Any]]:
    """The features of one GeoJSON WFS response; raise :class:`DownloadError` on anything else.

    WFS servers answer errors with an XML ``ExceptionReport`` and status 200 or 400; its text
    is quoted in the error.
    """
    text = body.decode("utf-8", errors="replace").lstrip()
    if text.startswith("<"):
        reason = " ".join(re.findall(r"<(?:ows:)?ExceptionText>(.*?)</", text, re.S)) or text[:200]
        raise DownloadError(f"{where}: the WFS answered with an error: {reason.strip()}")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DownloadError(f"{where}: the answer is not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise DownloadError(f"{where}: expected a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise DownloadError(f"{where}: the FeatureCollection has no 'features' list")
    return features


@contextlib.contextmanager
def _get(url: str) -> Iterator[Any]:
    """An open HTTP response for ``url``; failures (also while reading) become DownloadError."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            yield response
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{_short(url)}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise DownloadError(f"{_short(url)}: cannot connect ({exc})") from exc


def http_get(url: str) -> bytes:
    """GET ``url`` and return its body; raise :class:`DownloadError` naming the URL on failure."""
    with _get(url) as response:
        body: bytes = response.read()
        return body


def _short(url: str) -> str:
    return url.split("?", 1)[0]


def fetch_buurten_features(
    gemeente: str,
    year: int,
    *,
    fetch: Fetch = http_get,
    progress: Progress = silent,
    page_size: int = WFS_PAGE_SIZE,
) -> list[dict[str, Any]]:
    """All buurt features of ``gemeente`` in CBS year ``year``, page by page."""
    features: list[dict[str, Any]] = []
    for page in _pages(gemeente, year, fetch=fetch, page_size=page_size):
        features.extend(page)
        progress(f"  {len(features)} buurten received")
    if not features:
        raise DownloadError(
            f"PDOK returned no buurten for {gemeente} in {year}: check the gemeente code "
            "(it changes when municipalities merge) and the year"
        )
    return features


def _pages(
    gemeente: str, year: int, *, fetch: Fetch, page_size: int
) -> Iterator[list[dict[str, Any]]]:
    start = 0
    while True:
        url = buurten_page_url(gemeente, year, start, page_size)
        page = parse_wfs_page(fetch(url), where=_short(url))
        yield page
        if len(page) < page_size:
            return
        start += page_size


def download_buurten(
    gemeente: str,
    year: int,
    target: Path,
    *,
    fetch: Fetch = http_get,
    progress: Progress = silent,
    page_size: int = WFS_PAGE_SIZE,
) -> Path:
    """Save a gemeente's buurten from PDOK as a GeoPackage (layer ``buurten``, RD New).

    Returns ``target``. Import it with ``wsz import buurten TARGET``.
    """
    import geopandas as gpd
    import pyogrio

    progress(f"Downloading CBS buurten {year} of {gemeente} from PDOK ...")
    features = fetch_buurten_features(
        gemeente, year, fetch=fetch, progress=progress, page_size=page_size
    )
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:28992")
    with atomic_write(Path(target)) as temporary:
        pyogrio.write_dataframe(frame, temporary, layer="buurten", driver="GPKG")
    progress(f"Saved {len(frame)} buurten to {target}")
    return Path(target)


def download_file(
    url: str,
    target: Path,
    *,
    progress: Progress = silent,
    chunk_bytes: int = 1 << 20,
) -> Path:
    """Stream ``url`` to ``target`` with progress every ``chunk_bytes``; returns ``target``."""
    progress(f"Downloading {url} ...")
    with _get(url) as response, atomic_write(Path(target)) as temporary:
        total = int(response.headers.get("Content-Length") or 0)
        received = 0
        with temporary.open("wb") as out:
            while chunk := response.read(chunk_bytes):
                out.write(chunk)
                received += len(chunk)
                progress(_progress_line(received, total))
        if total and received != total:
            raise DownloadError(f"{url}: got {received} of {total} bytes; try again")
    progress(f"Saved {received / 1e6:.1f} MB to {target}")
    return Path(target)


def _progress_line(received: int, total: int) -> str:
    if total:
        return f"  {received / 1e6:.1f} of {total / 1e6:.1f} MB ({100 * received / total:.0f}%)"
    return f"  {received / 1e6:.1f} MB"


def gemeente_box(buurten: gpd.GeoDataFrame, margin_m: float = GEMEENTE_MARGIN_M) -> LonLatBox:
    """The WGS84 box (min lon, min lat, max lon, max lat) of buurten (RD New) plus a margin."""
    import geopandas as gpd
    import shapely

    from geo.crs import EDGE_CRS

    xmin, ymin, xmax, ymax = buurten.total_bounds
    corners = gpd.GeoSeries(
        [shapely.box(xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m)],
        crs=buurten.crs,
    ).to_crs(EDGE_CRS)
    lon0, lat0, lon1, lat1 = corners.total_bounds
    return (float(lon0), float(lat0), float(lon1), float(lat1))


def choose_extract(index: bytes, box: LonLatBox, *, where: str) -> tuple[str, str]:
    """(name, .osm.pbf URL) of the smallest extract in Geofabrik's index that holds ``box``."""
    import geopandas as gpd
    import shapely

    try:
        document = json.loads(index)
        extracts = gpd.GeoDataFrame.from_features(document["features"], crs="EPSG:4326")
    except (ValueError, KeyError, TypeError) as exc:
        raise DownloadError(f"{where}: not Geofabrik's extract index ({exc})") from exc
    urls = extracts["urls"].map(lambda u: u.get("pbf") if isinstance(u, dict) else None)
    area = shapely.box(*box)
    holding = extracts[urls.notna() & extracts.geometry.contains(area)]
    if holding.empty:
        raise DownloadError(f"{where}: no extract holds the box {box} (lon/lat)")
    # Square degrees only rank the candidates (smallest first); no metric area is needed.
    best = holding.index[int(shapely.area(holding.geometry.to_numpy()).argmin())]
    return str(extracts.loc[best, "id"]), str(urls[best])


def download_gemeente_extract(
    gemeente: str,
    buurten: gpd.GeoDataFrame,
    target: Path,
    *,
    index_url: str = GEOFABRIK_INDEX_URL,
    downloads: Path = Path("var/downloads"),
    fetch: Fetch = http_get,
    progress: Progress = silent,
    on_objects: Callable[[int], None] | None = None,
) -> Path:
    """Download the OSM extract holding ``gemeente`` and cut it to its buurten plus 1 km.

    ``buurten`` are the gemeente's buurten (RD New). The province extract is kept in
    ``downloads`` (reused when present); the cut is written to ``target`` (``.osm.pbf``).
    """
    from geo.network.cut import cut_extract

    box = gemeente_box(buurten)
    progress(f"Finding the OSM extract that holds {gemeente} {tuple(round(v, 4) for v in box)} ...")
    name, url = choose_extract(fetch(index_url), box, where=_short(index_url))
    source = Path(downloads) / url.rstrip("/").rsplit("/", 1)[-1]
    if source.exists():
        progress(f"Using {source} (already downloaded; delete it to fetch a newer {name})")
    else:
        download_file(url, source, progress=progress)
    progress(f"Cutting {source.name} to {gemeente} plus {GEMEENTE_MARGIN_M / 1000:g} km ...")
    report = cut_extract(source, Path(target), box, on_objects=on_objects)
    progress(
        f"Saved {target}: {report.ways:,} ways, {report.nodes:,} tagged nodes, "
        f"{report.relations:,} relations (and what they reference)"
    )
    return Path(target)
