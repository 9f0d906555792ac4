"""The only place the golden answers build clients: adapt these fixtures when constructors or
module paths change, and nothing else.

``api`` is the in-process client of the sample a case names (``sample`` is parametrised by
the tests): the session's ``client`` over the nieuwegein store, or one built the same way over
the delft-tu store. ``wsz`` runs ``service.cli.main`` on a private copy of that sample's store
(the session stores are never written), reading the session's built walking network.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.cli import main
from service.state import Published
from tests.conftest import DATA_PATH, make_app, make_settings

#: A CLI run: arguments in, (exit status, stdout, stderr) out; the status is SystemExit's code
#: when argparse refuses the command line.
Wsz = Callable[..., tuple[object, str, str]]


@pytest.fixture(scope="session")
def golden_delft_client(delft_folder: Path, delft_published: Published) -> Iterator[TestClient]:
    """An in-process client of the app over the delft-tu store, as ``client`` is over the
    nieuwegein one."""
    app = make_app(make_settings(delft_folder / "store.gpkg"), delft_published)
    with TestClient(app) as test_client:
        yield test_client


def session_store(request: pytest.FixtureRequest, sample: str) -> Path:
    """The session's store file of ``sample`` (read only)."""
    if sample == "nieuwegein":
        path: Path = request.getfixturevalue("sample_store_file")
        return path
    folder: Path = request.getfixturevalue("delft_folder")
    return folder / "store.gpkg"


@pytest.fixture
def api(request: pytest.FixtureRequest, sample: str) -> TestClient:
    """The API client of the case's sample."""
    name = "client" if sample == "nieuwegein" else "golden_delft_client"
    test_client: TestClient = request.getfixturevalue(name)
    return test_client


@pytest.fixture
def basetemp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pytest's base temporary folder (normalised away in the answers)."""
    return tmp_path_factory.getbasetemp()


@pytest.fixture
def wsz(
    request: pytest.FixtureRequest,
    sample: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Wsz:
    """``wsz ARGS...`` in process on a copy of the sample's store (and its import log), with
    the tests' data path, no tiles and the session's network cache (read only)."""
    source = session_store(request, sample)
    folder = tmp_path / "store"
    folder.mkdir()
    for path in source.parent.glob(f"{source.stem}*"):
        if path.is_file() and path.suffix != ".lock":
            shutil.copy(path, folder / path.name)
    for name in [n for n in os.environ if n.startswith("WSZ_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WSZ_STORE_PATH", str(folder / source.name))
    monkeypatch.setenv("WSZ_NETWORK_CACHE_DIR", str(make_settings(source).network_cache))
    monkeypatch.setenv("WSZ_DATA_PATH", os.pathsep.join(str(p) for p in DATA_PATH))
    monkeypatch.setenv("WSZ_MAP_TILES", "none")

    def run(*args: str) -> tuple[object, str, str]:
        capsys.readouterr()
        status: object
        try:
            status = main(list(args))
        except SystemExit as exit_:
            status = exit_.code
        captured = capsys.readouterr()
        return status, captured.out, captured.err

    return run
