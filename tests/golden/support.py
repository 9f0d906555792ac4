"""The machinery of the golden answers: normalising, serialising, comparing, naming cases.

Expected answers live beside this module, one file per case:
``<sample>/<group>/<case>.json`` or ``.txt``. ``WSZ_UPDATE_GOLDEN=1`` rewrites them; otherwise
a missing file fails and a mismatch fails with a unified diff of the pretty-printed answers.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import geopandas as gpd
import httpx
import pyogrio
import pytest

from tests.conftest import PROJECT_ROOT, SHARED_DATA

GOLDEN_DIR = Path(__file__).resolve().parent
UPDATE = os.environ.get("WSZ_UPDATE_GOLDEN") == "1"
#: The complete CLI export matrix (slow: each `wsz export` analyses the store anew).
FULL = os.environ.get("WSZ_GOLDEN_FULL") == "1"
SAMPLES = ("nieuwegein", "delft-tu")

#: The real open data both samples read (the nieuwegein sample's buurten, all of delft-tu).
REQUIRED_DATA = (
    SHARED_DATA / "cbs" / "buurten_GM0356_2023geom_kwb2024.gpkg",
    SHARED_DATA / "cbs" / "buurten_GM0503_2023geom_kwb2024.gpkg",
    SHARED_DATA / "osm" / "delft_tu_campus_2014.osm",
)
MISSING = [path for path in REQUIRED_DATA if not path.is_file()]
needs_shared_data = pytest.mark.skipif(
    bool(MISSING),
    reason=f"golden answers need the real CBS and OSM files in {SHARED_DATA}; missing: "
    + ", ".join(str(path.relative_to(SHARED_DATA)) for path in MISSING),
)

#: Response headers that are part of an answer (length and date are not).
HEADERS = (
    "content-type",
    "content-crs",
    "content-disposition",
    "content-security-policy",
    "x-frame-options",
    "referrer-policy",
    "x-content-type-options",
    "www-authenticate",
)

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?")
_IMPORT_ID = re.compile(r"\b\d{8}T\d{6}-[0-9a-f]{8}\b")
_FOLIUM_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")
#: JSON keys whose values change with every run: the store file's SHA-256 (it holds write
#: times), the served-state counter, the import's duration and the OS user.
_VARYING_KEYS = frozenset({"store_version", "previous_version", "generation", "duration_s", "user"})


def normalise(value: Any, basetemp: Path) -> Any:
    """``value`` (a JSON-like structure or a text) with what varies between runs replaced.

    In every string: pytest's temporary folders (``<tmp>``: its base folder and the numbered
    folder under it), this checkout (``<project>``), the shared data folder (``<shared>``), the
    test client's origin (``http://<server>``), ISO timestamps (``<time>``), import ids
    (``<import-id>``) and Folium's random 32-hex element ids (``<id1>``, ``<id2>``, … in order
    of first appearance within ``value``). In mappings, the string or number values of
    ``_VARYING_KEYS`` (``<store_version>`` …; not those keys' schemas in the OpenAPI
    documents). Nothing else: numbers are kept exactly as served, never rounded.
    """
    tmp = re.compile(re.escape(str(basetemp)) + r"/[^/\s\"'<>]+")
    ids: dict[str, str] = {}

    def text(s: str) -> str:
        s = tmp.sub("<tmp>", s)
        s = s.replace(str(SHARED_DATA), "<shared>").replace(str(PROJECT_ROOT), "<project>")
        s = s.replace("http://testserver", "http://<server>")
        s = _IMPORT_ID.sub("<import-id>", _TIMESTAMP.sub("<time>", s))
        return _FOLIUM_ID.sub(lambda m: ids.setdefault(m[0], f"<id{len(ids) + 1}>"), s)

    def walk(v: Any) -> Any:
        if isinstance(v, str):
            return text(v)
        if isinstance(v, list):
            return [walk(item) for item in v]
        if isinstance(v, dict):
            return {
                text(k): f"<{k}>" if k in _VARYING_KEYS and _scalar(item) else walk(item)
                for k, item in v.items()
            }
        return v

    return walk(value)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


_NUMBER = r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
_NUMBER_ARRAY = re.compile(rf"\[\n\s*({_NUMBER}(?:,\n\s*{_NUMBER})*)\n\s*\]")


def pretty(value: Any) -> str:
    """JSON, one member per line, arrays of numbers (coordinates) on one line each."""
    text = json.dumps(value, indent=1, ensure_ascii=False)
    return _NUMBER_ARRAY.sub(lambda m: "[" + re.sub(r",\n\s*", ", ", m[1]) + "]", text) + "\n"


def read(path: Path) -> str:
    """A golden file's text exactly (no newline translation)."""
    return path.read_bytes().decode("utf-8")


def check(path: Path, text: str) -> None:
    """Compare ``text`` with the expected file ``path`` (``.json`` or ``.txt``), or write it."""
    others = [p for p in (path.with_suffix(".json"), path.with_suffix(".txt")) if p != path]
    name = path.relative_to(GOLDEN_DIR)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        for other in others:
            other.unlink(missing_ok=True)
        return
    found = [p for p in (path, *others) if p.is_file()]
    if not found:
        pytest.fail(f"no golden answer {name}: record it with WSZ_UPDATE_GOLDEN=1", pytrace=False)
    if found[0] != path:
        name = Path(f"{name} (recorded as {found[0].suffix}, answered as {path.suffix})")
    compare(read(found[0]), text, str(name))


def compare(expected: str, actual: str, name: str) -> None:
    """Fail with a short unified diff (and where the first difference is) unless equal."""
    if expected == actual:
        return
    expected_lines, actual_lines = expected.splitlines(), actual.splitlines()
    diff = [
        _clip(line)
        for line in difflib.unified_diff(
            expected_lines, actual_lines, "expected", "actual", lineterm="", n=2
        )
    ]
    shown = diff[:60] + ([f"... {len(diff) - 60} more diff lines"] if len(diff) > 60 else [])
    where = _first_difference(expected_lines, actual_lines)
    pytest.fail(
        f"{name} differs from the golden answer{where}:\n" + "\n".join(shown), pytrace=False
    )


def _clip(line: str, width: int = 240) -> str:
    return line if len(line) <= width else f"{line[:width]}… ({len(line)} characters)"


def _first_difference(expected: list[str], actual: list[str]) -> str:
    """Where the first difference is, with the text around it (one-line pages are long)."""
    for number, (old, new) in enumerate(zip(expected, actual, strict=False), start=1):
        if old != new:
            column = next(
                (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)),
            )
            start = max(column - 60, 0)
            return (
                f" (line {number}, column {column + 1}: expected {old[start : column + 60]!r}, "
                f"got {new[start : column + 60]!r})"
            )
    return f" (line {min(len(expected), len(actual)) + 1}: one answer ends there)"


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class Get:
    """One GET request of a case; ``name`` defaults to one made of the URL."""

    url: str
    name: str = ""
    accept: str = ""

    @property
    def file_name(self) -> str:
        """``/coverage?zone=noord&category=x`` → ``coverage__zone=noord__category=x``."""
        if self.name:
            return self.name
        path, _, query = self.url.partition("?")
        stem = path.strip("/").replace("/", "_") or "root"
        if query:
            stem += "__" + unquote(query).replace("&", "__")
        return re.sub(r"[^A-Za-z0-9=,._+-]", "-", stem)


def case_id(sample: str, case: Get) -> str:
    return f"{sample}:{case.file_name}"


# --------------------------------------------------------------------------- answers


def gpkg_content(path: Path) -> dict[str, Any]:
    """A GeoPackage as JSON: its contents table (without change times) and every layer read
    back (CRS, column types, features with full-precision coordinates)."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT table_name, data_type, identifier, description, srs_id FROM gpkg_contents "
            "ORDER BY table_name"
        ).fetchall()
    keys = ("table", "type", "identifier", "description", "srs_id")
    contents = [dict(zip(keys, row, strict=True)) for row in rows]
    layers = {}
    for name, geometry_type in pyogrio.list_layers(path):
        frame = gpd.read_file(path, layer=name)
        layers[str(name)] = {
            "geometry_type": geometry_type,
            "crs": None if frame.crs is None else frame.crs.to_string(),
            "columns": {str(c): str(t) for c, t in frame.dtypes.items()},
            "features": json.loads(frame.to_json(drop_id=True))["features"],
        }
    return {"contents": contents, "layers": layers}


def response_text(response: httpx.Response, basetemp: Path) -> tuple[str, str]:
    """A response as (suffix, text): JSON bodies as ``.json`` with status and headers, a
    GeoPackage as its read-back content, anything else (HTML, CSV) as ``.txt``."""
    headers = {h: response.headers[h] for h in HEADERS if h in response.headers}
    media = headers.get("content-type", "").split(";")[0]
    if media.endswith("json") or media.endswith("+json"):
        document = {"status": response.status_code, "headers": headers, "body": response.json()}
        return ".json", pretty(normalise(document, basetemp))
    if media == "application/geopackage+sqlite3":
        with tempfile.TemporaryDirectory() as folder:
            file = Path(folder) / "download.gpkg"
            file.write_bytes(response.content)
            body = gpkg_content(file)
        document = {"status": response.status_code, "headers": headers, "body": body}
        return ".json", pretty(normalise(document, basetemp))
    head = "".join(f"{k}: {v}\n" for k, v in headers.items())
    return ".txt", normalise(f"status: {response.status_code}\n{head}\n{response.text}", basetemp)


def check_get(client: Any, sample: str, group: str, case: Get, basetemp: Path) -> None:
    """GET ``case.url`` from ``client`` and compare the answer with its golden file."""
    headers = {"Accept": case.accept} if case.accept else {}
    suffix, text = response_text(client.get(case.url, headers=headers), basetemp)
    check(GOLDEN_DIR / sample / group / f"{case.file_name}{suffix}", text)


def params(
    cases: dict[str, list[Get]], marks: Callable[[str, Get], list[Any]] | None = None
) -> list[Any]:
    """pytest parameters ``(sample, case)`` for cases listed per sample, samples in order;
    ``marks`` gives a case its marks."""
    return [
        pytest.param(
            sample, case, id=case_id(sample, case), marks=marks(sample, case) if marks else ()
        )
        for sample in SAMPLES
        for case in cases[sample]
    ]
