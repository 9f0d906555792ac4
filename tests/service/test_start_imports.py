"""What starting loads (issue 16): ``wsz --help`` and argument parsing import no part of the
analysis stack, and the app (``import service.main``, what ``wsz serve`` loads) none of the
modules imported where they are used (the first map, a profile chart, ``wsz batch``, PostGIS).

Each check runs in a fresh interpreter (this one has imported everything) and reads its
``sys.modules``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

#: Loaded where they are used, never at start (the first map, a profile chart, `wsz batch`,
#: the PostGIS store, the tests).
LATER = ("folium", "branca", "matplotlib", "dask", "distributed", "psycopg", "schemathesis")
#: The analysis stack and the web stack: not for `wsz --help` nor for parsing arguments.
STACK = ("geopandas", "pandas", "numpy", "scipy", "shapely", "pyogrio", "pyproj", "fastapi")

PROBE = """
import json, sys
{code}
print(json.dumps(sorted(m for m in {names!r} if m in sys.modules)))
"""


def _loaded(code: str, names: tuple[str, ...]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(code=code, names=names)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["serve", "--help"], ["import", "sample", "--help"], ["whatif", "nothing"]],
    ids=" ".join,
)
def test_help_and_argument_errors_import_no_analysis(argv: list[str]) -> None:
    """(A command's own ``--help`` listing choices named in the analysis stack, e.g. ``wsz
    whatif export --help``, imports that module: :class:`service.cli.output.LazyChoices`.)"""
    code = (
        "import contextlib, io\nfrom service.cli import main\nquiet = io.StringIO()\n"
        "with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):\n"
        f"    try: main({argv!r})\n    except SystemExit: pass"
    )
    assert _loaded(code, STACK + LATER + ("uvicorn",)) == []


def test_the_app_imports_nothing_it_loads_on_first_use() -> None:
    assert _loaded("import service.cli, service.main", LATER) == []
