"""Schemathesis over the whole OpenAPI document of the app: reads, and the imports with a key.

Every operation gets up to :data:`MAX_EXAMPLES` generated requests (valid and invalid ones,
schemathesis' positive and negative modes), sent in-process through ASGI to the app over a
private copy of the sample store with its street network. Checked on every answer:

* no 5xx (``not_a_server_error``);
* the answer fits its own documentation: status code, media type, headers and body schema;
* an operation that needs a key refuses a request without one (``ignored_auth``);
* after every refused import the store file is byte-for-byte unchanged (content and mtime).

Counts (cases per operation, total, time) are printed at the end of the run.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from service.auth import hash_key
from service.state import LiveState
from tests.conftest import fingerprint, make_app, make_settings
from tests.servers import AUTH, KEY, KEY_NAME

#: Generated requests per operation (schemathesis stops earlier for small input spaces).
MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    ignored_auth,
]

_cases: Counter[str] = Counter()
_statuses: Counter[str] = Counter()
_by_operation: defaultdict[str, Counter[int]] = defaultdict(Counter)


#: The app is built at import (schemathesis reads its OpenAPI document then); its store and
#: street network are filled in by :func:`fuzz_store` before the first case runs.
_FOLDER = Path(tempfile.mkdtemp(prefix="wsz-fuzz-"))
STORE = _FOLDER / "store.gpkg"
APP = make_app(
    make_settings(STORE, network_cache_dir=_FOLDER / "network"),
    api_keys={KEY_NAME: hash_key(KEY)},
    reload_interval_s=0,
)
#: An import body can be valid by its schema and still be refused for what it holds (a
#: GeoPackage that is not one, an unknown CRS, no features): content checks that no JSON
#: Schema can say. Those answers (413, 415, 422) are documented for the imports.
IMPORT_STATUSES = ["2xx", "401", "403", "404", "409", "413", "415", "422", "429", "5xx"]
#: A placement valid by its schema can still ask for more sites than candidates (400), name
#: points outside the Netherlands (422) or generate too many candidates (413); a click
#: (evaluate) can fall outside the Netherlands (422); a scenario save must give exactly one of
#: a placement or a closure (422), which the body's schema (both optional) does not say.
WHATIF_STATUSES = ["2xx", "400", "401", "403", "404", "409", "413", "422", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path-regex": "^/imports/",
                "checks": {"positive_data_acceptance": {"expected-statuses": IMPORT_STATUSES}},
            },
            {  # issue 13: k above the candidates, candidates outside NL or beyond the limit
                "include-path-regex": "^/whatif/(placements|evaluate|scenarios)$",
                "checks": {"positive_data_acceptance": {"expected-statuses": WHATIF_STATUSES}},
            },
        ]
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)
schema.config.generation.update(max_examples=MAX_EXAMPLES)


@pytest.fixture(scope="module", autouse=True)
def fuzz_store(sample_store_file: Path) -> Iterator[Path]:
    """The sample store and its built street network, copied for the app; counts printed."""
    shutil.copy(sample_store_file, STORE)
    shutil.copytree(make_settings(sample_store_file).network_cache, _FOLDER / "network")
    live: LiveState = APP.state.live
    live.load()
    started = time.perf_counter()
    yield STORE
    total = sum(_cases.values())
    print(
        f"\nfuzzed {len(_cases) - 1} operations, {total} cases in "
        f"{time.perf_counter() - started:.0f} s; statuses {dict(sorted(_statuses.items()))}"
    )
    for operation, count in sorted(_cases.items()):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(_by_operation[operation].items()))
        print(f"  {count:4d}  {operation}  ({statuses})")
    shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_whole_api(case: schemathesis.Case[Any], fuzz_store: Path) -> None:
    operation = case.operation.label
    if case.method.upper() != case.operation.method.upper():
        operation = "(other methods, expecting 405)"
    importing = case.method == "POST" and case.path.startswith("/imports/")
    before = fingerprint(fuzz_store) if importing else None
    response = case.call(headers=AUTH)
    _cases[operation] += 1
    _statuses[str(response.status_code)] += 1
    _by_operation[operation][response.status_code] += 1
    case.validate_response(response)  # every default check of schemathesis
    if importing and response.status_code >= 400:
        assert fingerprint(fuzz_store) == before, f"a refused import changed the store: {case}"
