"""``wsz serve`` and ``wsz demo``: the API and maps, from the store or after importing a sample."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.errors import ConfigurationError
from service.cli.download import download_buurten, download_extract, download_options
from service.cli.imports import execute
from service.cli.output import configuration_problems, progress, service_settings

# The analysis stack, FastAPI and uvicorn are imported by the command that runs: `wsz --help`
# and argument errors need none of them.
if TYPE_CHECKING:
    from geo.settings import Settings
    from geo.store.request import ImportRequest
    from service.state import Published

#: Most worker processes ``--workers`` accepts (each holds the analysis in memory).
MAX_WORKERS = 32


class ServeSettings(BaseSettings):
    """How ``wsz serve`` runs (``WSZ_*``): its number of worker processes."""

    model_config = SettingsConfigDict(env_prefix="WSZ_", env_file=".env", extra="ignore")

    workers: int = Field(
        default=1,
        ge=1,
        le=MAX_WORKERS,
        description="Worker processes answering requests; each checks the store's version "
        "stamp on every request, so all serve one state.",
    )


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``wsz serve`` and ``wsz demo``."""
    for name, handler, text in (
        ("serve", serve, "serve the API and maps from the store"),
        ("demo", demo, "import the sample, print coverage, then serve the API and map"),
    ):
        sub = commands.add_parser(name, help=text, description=text)
        sub.add_argument("--host", help="default: WSZ_HOST or 127.0.0.1")
        sub.add_argument("--port", type=int, help="default: WSZ_PORT or 8000")
        sub.add_argument(
            "--workers",
            type=int,
            metavar="N",
            help="worker processes answering requests (default: WSZ_WORKERS or 1); every "
            "worker serves an import made through any other at once",
        )
        sub.set_defaults(handler=handler)
    demo_parser = commands.choices["demo"]
    demo_parser.add_argument(
        "--no-serve", action="store_true", help="stop after printing the coverage"
    )
    demo_parser.add_argument(
        "--sample",
        metavar="NAME",
        help="the sample to import (default: sample.yaml's; wsz import sample --list)",
    )
    demo_parser.add_argument(
        "--download",
        metavar="GMxxxx",
        help="instead of a sample, run on real data of this gemeente (needs internet): "
        "CBS buurten from PDOK, its OSM extract from Geofabrik cut to it, voorzieningen "
        "from the OSM tags, one zone per wijk",
    )
    download_options(demo_parser)


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve what the store holds (the server follows later imports by itself)."""
    from service.state import load_published

    if _workers(args) > 1:  # each worker reads the store itself
        return _serve(args, settings, None)
    published = load_published(settings)
    if published is None:
        progress("warning: the store is empty; the API answers 503 until data is imported")
    return _serve(args, settings, published)


def demo(args: argparse.Namespace, settings: Settings) -> int:
    """Import a sample (or a gemeente's real data), print its coverage, then serve it."""
    from geo.pipeline import analyse
    from service.cli.report import format_coverage, format_sources, summary
    from service.state import publish

    result = execute(_demo_request(args, settings), settings)
    dataset, network = result.dataset, result.network
    assert dataset is not None  # a sample or gemeente import holds a dataset
    print(summary(dataset))
    print(format_sources(dataset))
    if network is not None:
        print("Walking network:\n  " + "\n  ".join(network.graph("walk").report.lines()))
    analysis = analyse(dataset, settings, network=network, progress=progress)
    print(format_coverage(analysis))
    if args.no_serve:
        return 0
    return _serve(args, settings, publish(analysis))


def _demo_request(args: argparse.Namespace, settings: Settings) -> ImportRequest:
    from geo.read import download
    from geo.store.request import ImportOptions, ImportRequest

    if not args.download:
        return ImportRequest(kind="sample", sample=args.sample)
    gemeente = download.check_gemeente_code(args.download)
    buurten: Path = args.buurten or download_buurten(gemeente, args.year)
    extract = download_extract(
        gemeente, buurten, args.year, args.index_url, vocabulary=settings.vocabulary
    )
    options = ImportOptions(gemeente=gemeente)
    return ImportRequest(kind="gemeente", source=buurten, options=options, extract=extract)


#: uvicorn's event loop: asyncio's own, also where uvloop is installed. Under a crowd larger
#: than the workers can answer, uvloop let some connections wait seconds while others were
#: served (200 connections, p50 104 ms, p99 4.3 s on a bare ASGI app); asyncio serves them
#: in turn (p50 129 ms, p99 130 ms) at the same rate (bench/load_bench.py, issue 15).
LOOP = "asyncio"


def _serve(args: argparse.Namespace, settings: Settings, published: Published | None) -> int:
    """Run uvicorn in the foreground after printing where the map and the API are."""
    import uvicorn

    from service.main import create_app

    service = service_settings()
    host, port = args.host or service.host, args.port or service.port
    service = service.model_copy(update={"host": host, "port": port})
    base = f"http://{host}:{port}"
    print(
        f"\nMap:  {base}/maps/index.html\nAPI:  {base}/docs\n(Ctrl+C stops the server)", flush=True
    )
    workers = _workers(args)
    if workers > 1:
        # Each worker builds its own app from the environment: pass on what flags set.
        os.environ["WSZ_STORE_PATH"] = str(settings.store_path)
        os.environ["WSZ_HOST"], os.environ["WSZ_PORT"] = host, str(port)
        print(f"{workers} workers, one store: {settings.store_path}", flush=True)
        # uvicorn as the main module (its workers are spawned processes that re-import the
        # main module: the `wsz` launcher script is not importable that way).
        command = [sys.executable, "-m", "uvicorn", "service.main:app_from_environment"]
        options = ["--factory", "--host", host, "--port", str(port), "--workers", str(workers)]
        options += ["--loop", LOOP]
        os.execv(sys.executable, [*command, *options])
    app = create_app(settings, published, service)
    uvicorn.run(app, host=host, port=port, log_level="info", loop=LOOP)
    return 0


def _workers(args: argparse.Namespace) -> int:
    """``--workers``, else ``WSZ_WORKERS``, checked (1 … :data:`MAX_WORKERS`)."""
    try:
        workers = ServeSettings().workers if args.workers is None else args.workers
    except ValidationError as exc:
        raise ConfigurationError(configuration_problems(exc)) from exc
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigurationError(f"--workers {workers}: give 1 to {MAX_WORKERS} workers")
    return workers
