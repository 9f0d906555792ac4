"""Benchmark: imports of the sample over HTTP, and how soon a CLI import is served.

Starts a real ``wsz serve`` (uvicorn, its own process) on a temporary copy of the sample with
its street network (so every applied import is analysed by walking), then times:

* each import of the sample's files over HTTP with an API key, request to answer (the answer
  comes when the new state is analysed, written and served): applied (two contents in turn, so
  each run changes the store), unchanged (the same again: validated, compared, not written)
  and dry run;
* a ``wsz import --upsert`` on the command line while the server runs: from the CLI's exit to
  the server's ``/health`` showing the new store version (it checks every 0.2 s here).

Median and best of N runs. Run with ``.venv/bin/python bench/import_bench.py``; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import httpx
import pyogrio
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:  # run as a script: `python bench/import_bench.py`
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.harness import SHARED_DATA, median_and_best  # noqa: E402
from geo.errors import DataQualityWarning  # noqa: E402
from geo.pipeline import run_import  # noqa: E402
from geo.settings import SAMPLE_DIR, Settings  # noqa: E402
from geo.store.geopackage import GeoPackageStore  # noqa: E402
from geo.store.request import ImportRequest  # noqa: E402
from service.auth import hash_key, new_key  # noqa: E402

DATA_PATH = (SHARED_DATA, SAMPLE_DIR)
KEY = new_key()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _environment(store: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WSZ_STORE_PATH": str(store),
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
        "WSZ_MAP_TILES": "none",
        "WSZ_API_KEYS": json.dumps({"bench": hash_key(KEY)}),
        "WSZ_RELOAD_INTERVAL_S": "0.2",
    }


def _wait(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def _variants(folder: Path, store: Path) -> dict[str, tuple[tuple[str, bytes, str], ...]]:
    """Per import, two contents that differ (so each run applies) as (name, bytes, media)."""
    geojson = (SAMPLE_DIR / "voorzieningen_GM0356_synthetic.geojson").read_bytes()
    renamed = json.loads(geojson)
    renamed["features"][0]["properties"]["naam"] = "Buurthuis (bench)"
    buurten = GeoPackageStore(store).read().buurten
    changed = buurten.copy()
    changed.loc[0, "residents"] = changed.loc[0, "residents"] + 5
    paths = []
    for name, frame in (("buurten.gpkg", buurten), ("buurten_changed.gpkg", changed)):
        path = folder / name
        pyogrio.write_dataframe(frame.drop(columns="zone_code"), path, driver="GPKG")
        paths.append(path)
    zones = yaml.safe_load((SAMPLE_DIR / "zones_GM0356_example.yaml").read_text("utf-8"))
    other = json.loads(json.dumps(zones))
    other["zones"][0]["name"] = "Noord (bench)"
    geo, gpkg = "application/geo+json", "application/octet-stream"
    return {
        "voorzieningen (GeoJSON body, 34)": (
            ("body", geojson, geo),
            ("body", json.dumps(renamed).encode(), geo),
        ),
        "buurten (GeoPackage upload, 39)": tuple((p.name, p.read_bytes(), gpkg) for p in paths),
        "zones (YAML body, 5)": (
            ("body", yaml.safe_dump(zones).encode(), "application/yaml"),
            ("body", yaml.safe_dump(other).encode(), "application/yaml"),
        ),
    }


def _post(client: httpx.Client, kind: str, item: tuple[str, bytes, str], **params: str) -> str:
    name, body, media = item
    if name == "body":
        response = client.post(
            f"/imports/{kind}", params=params, content=body, headers={"Content-Type": media}
        )
    else:
        response = client.post(f"/imports/{kind}", params=params, files={"file": (name, body)})
    response.raise_for_status()
    outcome: str = response.json()["outcome"]
    return outcome


def bench_http(base: str, folder: Path, store: Path, runs: int) -> None:
    print(f"Imports over HTTP (median / best of {runs}; walking analysis on every apply):")
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=120
    ) as client:
        for label, contents in _variants(folder, store).items():
            kind = label.split()[0]
            cases = {
                "applied": lambda run, c=contents, k=kind: _post(client, k, c[run % 2]),
                "unchanged": lambda _run, c=contents, k=kind: _post(client, k, c[1]),
                "dry run": lambda run, c=contents, k=kind: _post(
                    client, k, c[run % 2], dry_run="true"
                ),
            }
            for case, work in cases.items():
                _post(client, kind, contents[1])  # each case starts from the second content
                median, best, outcome = median_and_best(runs, work)
                print(
                    f"  {label:<34} {case:<9} {1000 * median:7.0f} ms / {1000 * best:5.0f} ms"
                    f"  ({outcome})"
                )


def bench_reload(base: str, folder: Path, store: Path, runs: int) -> None:
    frame = GeoPackageStore(store).read().voorzieningen[["id", "name", "category", "geometry"]]
    files = []
    for n in range(2):
        edited = frame.copy()
        edited.loc[0, "name"] = f"Buurthuis (cli {n})"
        path = folder / f"cli_{n}.gpkg"
        pyogrio.write_dataframe(edited, path, driver="GPKG")
        files.append(path)
    env = _environment(store)
    cli_times, reload_times = [], []
    for run in range(runs):
        before = httpx.get(f"{base}/health").json()["store_version"]
        start = time.perf_counter()
        command = ["import", "voorzieningen", str(files[run % 2]), "--upsert"]
        subprocess.run(
            [sys.executable, "-m", "service.cli", *command],
            env=env,
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        exited = time.perf_counter()
        while httpx.get(f"{base}/health").json()["store_version"] == before:
            time.sleep(0.01)
        cli_times.append(exited - start)
        reload_times.append(time.perf_counter() - exited)
    print(
        f"CLI import while serving (median / best of {runs}): `wsz import voorzieningen "
        f"--upsert` {1000 * statistics.median(cli_times):.0f} / {1000 * min(cli_times):.0f} ms "
        f"(process start included); served "
        f"{1000 * statistics.median(reload_times):.0f} / {1000 * min(reload_times):.0f} ms "
        "after it exits (poll 0.2 s, then read + walking analysis)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wsz-import-bench-") as tmp:
        folder = Path(tmp)
        store = folder / "store.gpkg"
        settings = Settings(store_path=store, data_path=list(DATA_PATH))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataQualityWarning)
            run_import(GeoPackageStore(store), ImportRequest(kind="sample"), settings)
        port = _free_port()
        log = (folder / "server.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=_environment(store),
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(base, server)
            bench_http(base, folder, store, args.runs)
            bench_reload(base, folder, store, args.runs)
        finally:
            server.terminate()
            server.wait(timeout=20)
            log.close()


if __name__ == "__main__":
    main()
