"""Real ``wsz serve`` processes for the import tests: own store copy, API keys, a log file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from service.auth import hash_key
from tests.conftest import DATA_PATH, PROJECT_ROOT, _wait_until_up, free_port, make_settings

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
    port = free_port()
    environment = {
        **os.environ,
        "WSZ_STORE_PATH": str(store),
        "WSZ_DATA_PATH": os.pathsep.join(str(p) for p in DATA_PATH),
        "WSZ_MAP_TILES": "none",
        "WSZ_API_KEYS": KEYS_JSON,
        "WSZ_RELOAD_INTERVAL_S": "0.2",
        **env,
    }
    if network_from is not None:
        environment["WSZ_NETWORK_CACHE_DIR"] = str(make_settings(network_from).network_cache)
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, process, str(log_path))
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)
