"""Benchmark: the service under a crowd, on both stores, with 1 and 2 workers (not a test).

The sample (real CBS buurten of Nieuwegein, synthetic voorzieningen and streets) is imported
into a GeoPackage and into a fresh PostGIS database (127.0.0.1:5432; skipped, and said so,
when unreachable); for each store and worker count a real ``wsz serve --workers N`` answers
Debian's ``wrk`` (200 connections, 2 threads, 15 s per endpoint; ``--quick``: 5 s) on
``/health``, ``/zones``, ``/coverage``, ``/lookup`` and ``/route`` (at buurt points chosen at
random per request), ``/ogc/collections/buurten/items?limit=100``, ``/embed/`` and
``not_modified`` (``/zones`` with the ETag held: 304s; also ``single_ms``, the median of one
conditional request at a time). Prints
req/s, p50, p99 and errors per endpoint; the last line is one JSON object
``{"gpkg": {"1": {"zones": {"rps": …, "p50_ms": …, "p99_ms": …, "errors": …}}}, "postgis": …,
"pygeoapi": …, "pygeoapi_rps": …, "ratio_pygeoapi": …}``.

pygeoapi, the OGC peer a GIS team would otherwise install (:mod:`bench.pygeoapi_peer`), serves
the GeoPackage store's buurten and voorzieningen (exported by ``wsz export``, its OGR provider)
with the most workers measured here, under uvicorn (its Starlette app) and, when installed,
gunicorn (its Flask app); first checked by a single request to answer the same features (count
and ids) as ours for the items request, then under the same wrk settings.
``pygeoapi_rps`` is its best server's req/s; ``ratio_pygeoapi`` is ours (GeoPackage, same
worker count) over that. When pygeoapi (or GDAL's Python bindings, which its OGR provider
needs) is not installed, its figures are null, with a note on stderr.

Each endpoint is also asked by ApacheBench (``ab -k``, same connections and seconds; the point
endpoints at one fixed point), when installed (apt-get install apache2-utils): its figures
are the row's ``ab`` (see :func:`ab` for why two clients).

Run: ``.venv/bin/python bench/load_bench.py [--quick]`` (needs wrk: apt-get install wrk).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/load_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench import pygeoapi_peer  # noqa: E402
from bench.harness import SHARED_DATA, log, print_summary, wait_until_answers  # noqa: E402

SERVER = os.environ.get("WSZ_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CONNECTIONS = 200
WORKERS = (1, 2)
PYGEOAPI_PORT = 18730
DATA_PATH = os.pathsep.join(str(p) for p in (SHARED_DATA, PROJECT_ROOT / "data" / "sample"))
OGC_ITEMS = "/ogc/collections/buurten/items?limit=100"
ENDPOINTS = {
    "health": "/health",
    "zones": "/zones",
    "coverage": "/coverage",
    "lookup": "/lookup",
    "route": "/route",
    "ogc_items": OGC_ITEMS,
    "embed": "/embed/",
    # /zones asked again with the ETag of the answer held: a 304 (no body).
    "not_modified": "/zones",
}
#: wrk script: each request at one of the buurt points, at random.
POINTS_LUA = """
points = {%s}
math.randomseed(%d)
request = function()
  local p = points[math.random(#points)]
  return wrk.format("GET", "%s?lon=" .. p[1] .. "&lat=" .. p[2] .. "%s")
end
"""


def _env(folder: Path, url: str | None) -> dict[str, str]:
    env = {
        **os.environ,
        "WSZ_STORE_PATH": str(folder / "store.gpkg"),
        "WSZ_DATA_PATH": DATA_PATH,
        "WSZ_MAP_TILES": "none",
    }
    env.pop("WSZ_STORE_URL", None)
    if url:
        env["WSZ_STORE_URL"] = url
    return env


def _wsz(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "-m", "service.cli", *args]
    subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)


@contextmanager
def postgis_database() -> Iterator[str | None]:
    """A fresh database with PostGIS for this run (None when no server is reachable)."""
    import psycopg
    from psycopg import sql

    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        log(f"PostGIS skipped: no PostgreSQL at {SERVER} ({str(exc).strip()[:120]})")
        yield None
        return
    name = f"wsz_bench_{os.getpid()}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield psycopg.conninfo.make_conninfo(SERVER, dbname=name)
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def serving(
    env: dict[str, str], workers: int, port: int, log_path: Path
) -> Iterator[tuple[str, int]]:
    """``wsz serve --workers N`` until the block ends; yields its base URL and process id."""
    command = [sys.executable, "-m", "service.cli", "serve", "--workers", str(workers)]
    with log_path.open("w") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port)], env=env, cwd=PROJECT_ROOT, stdout=out, stderr=out
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_answers(f"{base}/zones", process, log_path, 300, "server")
            for _ in range(workers * 4):  # warm every worker's per-state caches
                httpx.get(f"{base}{OGC_ITEMS}", timeout=30, headers={"Connection": "close"})
            yield base, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


def _points(base: str) -> list[tuple[float, float]]:
    """A point inside each buurt (lon, lat), from the served buurten."""
    import geopandas as gpd

    body = httpx.get(f"{base}/ogc/collections/buurten/items?limit=1000&f=json", timeout=60)
    frame = gpd.GeoDataFrame.from_features(body.json()["features"], crs=4326)
    points = frame.to_crs(28992).representative_point().to_crs(4326)
    return [(round(p.x, 6), round(p.y, 6)) for p in points]


def wrk(
    url: str, seconds: int, script: Path | None = None, header: str | None = None
) -> dict[str, float | None]:
    """One wrk run: req/s, p50 and p99 in ms, errors (socket errors and non-2xx/3xx; a 304
    counts as an answer)."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    if header is not None:
        command += ["-H", header]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(non_2xx[1]) if non_2xx else 0
    p50, p99 = (re.search(rf"{q}%\s+([\d.]+\w+)", out) for q in (50, 99))
    if re.search(r"\b0 requests in", out):  # nothing answered: no latency to report
        p50 = p99 = None
    return {
        "rps": round(rps, 1),
        "p50_ms": _ms(p50[1]) if p50 else None,
        "p99_ms": _ms(p99[1]) if p99 else None,
        "errors": errors,
    }


def ab(url: str, seconds: int) -> dict[str, float | None]:
    """The same URL under ApacheBench (``ab -k``, 200 connections, one thread): req/s, p50 and
    p99 in ms, failures. A second client beside wrk, with another way of connecting: under
    uvloop (no longer used) wrk's tails were seconds long where ab's were not; and a burst of
    wrk's connections may all be accepted by one worker (asyncio accepts every connection
    waiting when a worker wakes), where ab's are spread."""
    command = ["ab", "-k", "-q", "-c", str(CONNECTIONS), "-t", str(seconds), "-n", "100000000"]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out)[1])  # type: ignore[index]
    failed = int(re.search(r"Failed requests:\s+(\d+)", out)[1])  # type: ignore[index]
    non_2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    quantiles = dict(re.findall(r"^\s+(\d+)%\s+(\d+)", out, flags=re.MULTILINE))
    return {
        "rps": round(rps, 1),
        "p50_ms": float(quantiles["50"]),
        "p99_ms": float(quantiles["99"]),
        "errors": failed + (int(non_2xx[1]) if non_2xx else 0),
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 2)


def idle(pid: int, timeout_s: float = 180.0) -> None:
    """Wait until the server ``pid`` (and its workers) has worked off what the last wrk run
    left queued (under 5 % of a core over half a second), so no endpoint is measured while
    the server still computes the previous one's requests."""
    import psutil

    def cpu_s() -> float:
        processes = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        return sum(sum(p.cpu_times()[:2]) for p in processes)

    deadline = time.monotonic() + timeout_s
    before = cpu_s()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_s()
        if now - before < 0.025:
            return
        before = now
    log(f"  (server {pid} still busy after {timeout_s:.0f} s; measuring anyway)")


def measure(
    base: str, pid: int, seconds: int, folder: Path, only: list[str]
) -> dict[str, dict[str, Any]]:
    """The endpoints ``only`` names under wrk (and ab), each on an idle server; the point
    endpoints at random buurt points (ab: at one)."""
    at = _points(base)
    points = ", ".join(f"{{{x}, {y}}}" for x, y in at)
    scripts, fixed = {}, {}
    for name, extra in (("lookup", ""), ("route", "&category=supermarkt")):
        script = folder / f"{name}.lua"
        script.write_text(POINTS_LUA % (points, 15, ENDPOINTS[name], extra))
        scripts[name] = script
        # ab asks one URL: the first buurt's point.
        fixed[name] = f"{ENDPOINTS[name]}?lon={at[0][0]}&lat={at[0][1]}{extra}"
    etag = httpx.get(base + ENDPOINTS["not_modified"], timeout=30).headers["etag"]
    headers = {"not_modified": f"If-None-Match: {etag}"}
    figures: dict[str, dict[str, Any]] = {}
    for name in only:
        idle(pid)
        url = base + (ENDPOINTS[name] if name not in scripts else "/")
        figures[name] = wrk(url, seconds, scripts.get(name), headers.get(name))
        if name == "not_modified":
            figures[name]["single_ms"] = single_request_ms(url, etag)
        elif shutil.which("ab"):
            idle(pid)
            figures[name]["ab"] = ab(base + fixed.get(name, ENDPOINTS[name]), seconds)
        log(f"  {name:10s} {figures[name]}")
    return figures


def single_request_ms(url: str, etag: str, count: int = 200) -> float:
    """Median time (ms) of one conditional request answered 304, asked one at a time over a
    kept-alive connection (the client's own time included)."""
    times = []
    with httpx.Client(timeout=30, headers={"If-None-Match": etag}) as client:
        for _ in range(count):
            start = time.perf_counter()
            status = client.get(url).status_code
            times.append(time.perf_counter() - start)
            assert status == 304, status
    return round(sorted(times)[count // 2] * 1000, 3)


def measure_pygeoapi(
    env: dict[str, str], folder: Path, ours: dict[str, Any], seconds: int
) -> dict[str, Any] | None:
    """pygeoapi's items request under wrk, per server, with the most workers measured here
    (None, and said so, when it cannot run or does not answer the features ours does)."""
    why = pygeoapi_peer.missing()
    if why is not None:
        log(f"pygeoapi skipped: {why}; its OGC items figures are null")
        return None
    workers = max(WORKERS)
    peer_env = pygeoapi_peer.prepare(env, folder / "pygeoapi", PYGEOAPI_PORT)
    figures: dict[str, Any] = {"workers": workers}
    for server in pygeoapi_peer.servers():
        log(f"pygeoapi under {server}, {workers} worker(s):")
        log_path = folder / "pygeoapi" / f"{server}.log"
        with pygeoapi_peer.serving(peer_env, server, workers, PYGEOAPI_PORT, log_path) as base:
            url = base + pygeoapi_peer.ITEMS
            differs = pygeoapi_peer.same_features(ours, httpx.get(url, timeout=30).json())
            if differs is not None:
                log(f"pygeoapi skipped: it does not answer what ours does ({differs})")
                return None
            figures[server] = wrk(url, seconds)
            log(f"  ogc_items  {figures[server]}")
    return figures


def _peer_summary(summary: dict[str, Any], peer: dict[str, Any] | None) -> None:
    """``pygeoapi``, ``pygeoapi_rps`` (its best server) and ``ratio_pygeoapi`` (ours over it,
    GeoPackage store, same worker count) into ``summary``."""
    rows = [row for name, row in (peer or {}).items() if name != "workers"]
    best = max((row["rps"] for row in rows), default=None)
    ours = summary["gpkg"][str(peer["workers"])]["ogc_items"]["rps"] if peer else None
    summary["pygeoapi"] = peer
    summary["pygeoapi_rps"] = best
    summary["ratio_pygeoapi"] = round(ours / best, 2) if ours is not None and best else None


def measure_store(
    env: dict[str, str], folder: Path, store: str, seconds: int, only: list[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Import the sample into one store and measure it per worker count; its figures and our
    OGC items page (what pygeoapi must answer too)."""
    if "WSZ_STORE_URL" in env:
        _wsz(env, "db", "upgrade")
    log(f"importing the sample into the {store} store ...")
    _wsz(env, "import", "sample")
    figures: dict[str, Any] = {}
    page: dict[str, Any] = {}
    for workers in WORKERS:
        log(f"{store}, {workers} worker(s):")
        port = 18700 + workers + (10 if "WSZ_STORE_URL" in env else 0)
        with serving(env, workers, port, folder / f"serve-{workers}.log") as (base, pid):
            page = httpx.get(f"{base}{OGC_ITEMS}", timeout=30).json()
            figures[str(workers)] = measure(base, pid, seconds, folder, only)
    return figures, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per endpoint, not 15 s")
    parser.add_argument(
        "--endpoints",
        default=",".join(ENDPOINTS),
        help=f"comma-separated subset of {','.join(ENDPOINTS)} (default: all; pygeoapi is "
        "measured with ogc_items on the gpkg store)",
    )
    parser.add_argument("--stores", default="gpkg,postgis", help="gpkg, postgis or both")
    args = parser.parse_args()
    only = [name for name in args.endpoints.split(",") if name]
    stores = args.stores.split(",")
    if unknown := (set(only) - set(ENDPOINTS)) | (set(stores) - {"gpkg", "postgis"}):
        parser.error(f"unknown endpoint or store: {', '.join(sorted(unknown))}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    seconds = 5 if args.quick else 15
    summary: dict[str, Any] = {}
    peer: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as tmp, postgis_database() as url:
        for store, store_url in (("gpkg", None), ("postgis", url)):
            if store not in stores:
                continue
            if store == "postgis" and store_url is None:
                summary[store] = None
                continue
            folder = Path(tmp) / store
            folder.mkdir()
            env = _env(folder, store_url)
            summary[store], page = measure_store(env, folder, store, seconds, only)
            if store == "gpkg" and "ogc_items" in only:
                peer = measure_pygeoapi(env, folder, page, seconds)
    _peer_summary(summary, peer)
    for store in ("gpkg", "postgis"):
        for workers, figures in (summary.get(store) or {}).items():
            print(f"{store:8s} {workers} worker(s)")
            for name, row in figures.items():
                single = f"  one at a time {row['single_ms']} ms" if "single_ms" in row else ""
                print(
                    f"  {name:12s} {row['rps']} req/s  p50 {row['p50_ms']} ms  "
                    f"p99 {row['p99_ms']} ms  errors {row['errors']}{single}"
                )
                if other := row.get("ab"):
                    print(
                        f"  {'':12s} ab: {other['rps']} req/s  p50 {other['p50_ms']} ms  "
                        f"p99 {other['p99_ms']} ms  errors {other['errors']}"
                    )
    workers = (peer or {}).get("workers")
    for server in pygeoapi_peer.SERVERS:
        if row := (peer or {}).get(server):
            print(
                f"pygeoapi {server} {workers} worker(s): ogc_items {row['rps']} req/s  "
                f"p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  errors {row['errors']}"
            )
    print(f"ratio ours / pygeoapi (OGC items): {summary['ratio_pygeoapi']}")
    print_summary(json.loads(json.dumps(summary)))


if __name__ == "__main__":
    main()
