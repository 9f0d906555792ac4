"""The residents' map's front end as files: native ES modules (no bundler) in
``maps/static/embed/``, each with one job, all served as JavaScript and shipped in the package.

The modules' behaviour is tested in a real browser by tests/maps/test_embed_browser.py and
test_embed_access.py; this checks what a browser would only report as a failed page: a module
not served, not shipped, an import of a name its module does not export, or a way to run text
as code.
"""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from maps.embed import EMBED_STATIC_DIR, TEMPLATES
from tests.conftest import PROJECT_ROOT

MODULES = sorted(EMBED_STATIC_DIR.glob("*.js"))
#: The modules a page loads itself (<script type="module" src=...>); the rest are imported.
ENTRIES = {"main.js", "help.js"}
IMPORT = re.compile(r'^import \{([^}]*)\} from "\./([\w-]+\.js)";$', re.MULTILINE)
EXPORT = re.compile(r"^export (?:function|const) (\w+)", re.MULTILINE)


def _imports(module: Path) -> list[tuple[str, list[str]]]:
    """(file, names) of each ``import {…} from "./file.js"`` in ``module``."""
    text = module.read_text(encoding="utf-8")
    return [(file, [n.strip() for n in names.split(",")]) for names, file in IMPORT.findall(text)]


def test_every_import_names_an_export_of_a_module_here() -> None:
    assert {m.name for m in MODULES} >= ENTRIES
    exports = {m.name: set(EXPORT.findall(m.read_text(encoding="utf-8"))) for m in MODULES}
    for module in MODULES:
        text = module.read_text(encoding="utf-8")
        assert len(re.findall(r"^import ", text, re.MULTILINE)) == len(_imports(module)), (
            f"{module.name}: only named imports from ./ modules here"
        )
        for file, names in _imports(module):
            assert file in exports, f"{module.name} imports the missing {file}"
            missing = set(names) - exports[file]
            assert not missing, f"{module.name}: {file} does not export {missing}"


def test_every_module_is_used_and_small() -> None:
    """Reachable from an entry, one job each: under 150 lines."""
    reached: set[str] = set()
    todo = list(ENTRIES)
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(file for file, _ in _imports(EMBED_STATIC_DIR / name))
    assert reached == {m.name for m in MODULES}
    for module in MODULES:
        lines = len(module.read_text(encoding="utf-8").splitlines())
        assert lines < 150, f"{module.name} has {lines} lines"


def test_no_module_runs_text_as_code_or_markup() -> None:
    """Strings become text nodes (dom.js ``el``); nothing is evaluated."""
    for module in MODULES:
        text = module.read_text(encoding="utf-8")
        for pattern in ("innerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
            assert pattern not in text, f"{module.name} uses {pattern}"


def test_templates_load_the_entries() -> None:
    source = TEMPLATES.loader
    assert source is not None
    base, _, _ = source.get_source(TEMPLATES, "base.html")
    assert '<script type="module" src="{{ static_base }}/{{ entry }}"></script>' in base


@pytest.mark.parametrize("module", [m.name for m in MODULES])
def test_modules_are_served_as_javascript(client: TestClient, module: str) -> None:
    response = client.get(f"/static/embed/{module}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text == (EMBED_STATIC_DIR / module).read_text(encoding="utf-8")


def test_the_package_ships_every_front_end_file() -> None:
    """pyproject's package-data globs cover every template, module and style sheet."""
    pyproject = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["maps"]
    maps_dir = EMBED_STATIC_DIR.parents[1]
    files = [*MODULES, *EMBED_STATIC_DIR.glob("*.css"), *(maps_dir / "templates").glob("*")]
    for path in files:
        relative = path.relative_to(maps_dir).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in globs), relative
