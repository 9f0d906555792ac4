"""Files written atomically, and content hashes.

Every file the service writes (the store, the network cache, address tables, downloads,
exports) is first written under a temporary name beside its target and renamed over it when
complete (``os.replace``: atomic on POSIX and Windows). A failure, or a ``kill -9``, leaves the
old file exactly as it was; what a killed process leaves behind is a temporary file named
``.<stem>-<32 hex>.tmp<suffix>``, which :func:`remove_stale_temporaries` clears.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

#: Blocks read at a time when hashing (1 MiB).
HASH_BLOCK_BYTES = 1 << 20
_TEMPORARY = re.compile(r"^\.(?P<stem>.+)-[0-9a-f]{32}\.tmp(?P<suffixes>(\.[^.]+)*)$")


def _stem_and_suffixes(path: Path) -> tuple[str, str]:
    """``extract.osm.pbf`` → (``extract``, ``.osm.pbf``)."""
    suffixes = "".join(path.suffixes)
    return path.name[: len(path.name) - len(suffixes)] or path.name, suffixes


def temporary_beside(path: Path) -> Path:
    """A fresh temporary name in ``path``'s folder that keeps its suffixes (GDAL and osmium
    pick formats by them: ``.gpkg``, ``.osm.pbf``)."""
    stem, suffixes = _stem_and_suffixes(path)
    return path.with_name(f".{stem}-{uuid.uuid4().hex}.tmp{suffixes}")


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` when the block succeeds,
    remove it when the block fails. The folder is created when missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_beside(path)
    try:
        yield temporary
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files an interrupted :func:`atomic_write` of ``path`` left behind
    (call it at start-up, before any writer runs); returns what was removed."""
    path = Path(path)
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for candidate in path.parent.iterdir():
        match = _TEMPORARY.match(candidate.name)
        if match and match["stem"] == _stem_and_suffixes(path)[0] and candidate.is_file():
            with contextlib.suppress(FileNotFoundError):
                candidate.unlink()
                removed.append(candidate)
    return removed


def sha256_file(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(HASH_BLOCK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """SHA-256 (hex) of ``data``."""
    return hashlib.sha256(data).hexdigest()
