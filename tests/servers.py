"""Real ``wsz serve`` processes for the import tests: own store copy, API keys, a log file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.auth import hash_key
from tests.conftest import make_settings, running_server

#: The test key and its name; the server knows only the hash.
KEY = "test-key-for-the-gis-team-0123456789abcdef"
KEY_NAME = "gis-team"
OTHER_KEY = "another-key-nobody-configured-0123456789"
KEYS_JSON = json.dumps({KEY_NAME: hash_key(KEY)})
AUTH = {"Authorization": f"Bearer {KEY}"}


@contextmanager
def serve(
    store: Path, log_path: Path, *, network_from: Path | None = None, **env: str
) -> Iterator[str]:
    """Run ``wsz serve`` on ``store`` (the server reloads it every 0.2 s when it changes) with
    the test key; yields the base URL. ``network_from``: a store whose built street network
    the server uses (read only), as after ``wsz demo``."""
    environment = {
        "WSZ_STORE_PATH": str(store),
        "WSZ_API_KEYS": KEYS_JSON,
        "WSZ_RELOAD_INTERVAL_S": "0.2",
        **env,
    }
    if network_from is not None:
        environment["WSZ_NETWORK_CACHE_DIR"] = str(make_settings(network_from).network_cache)
    with running_server(environment, log_path) as base:
        yield base
