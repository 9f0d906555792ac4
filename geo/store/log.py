"""The import log: what came in (:class:`ImportInput`), what each import did
(:class:`ImportReport`), and every report kept as one JSON line beside the store."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from geo.common.files import sha256_bytes, sha256_file
from geo.store.diff import LayerChanges

ImportKind = Literal[
    "buurten",
    "zones",
    "voorzieningen",
    "addresses",
    "sample",
    "gemeente",
    "statistics",
    "indicators",
    "scenario",
]
Outcome = Literal["applied", "unchanged", "dry_run", "refused", "failed"]
Via = Literal["http", "cli"]
#: Imports that replace the whole store (their counts are over every layer).
WHOLE_STORE_KINDS = ("sample", "gemeente")


def store_version(store_path: Path) -> str | None:
    """The store's version: SHA-256 of the file's bytes (None while there is no store)."""
    path = Path(store_path)
    if not path.exists():
        return None
    return sha256_file(path)


@dataclass(frozen=True)
class Caller:
    """Who imports: over ``http`` (with the API key's *name*) or on the ``cli`` (the user)."""

    via: Via = "cli"
    key: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class ImportInput:
    """A file or body that came in: its name, SHA-256 and size in bytes."""

    file_name: str
    sha256: str
    size: int

    @classmethod
    def of_bytes(cls, file_name: str, data: bytes) -> ImportInput:
        """Describe a body held in memory."""
        return cls(file_name, sha256_bytes(data), len(data))

    @classmethod
    def of_file(cls, path: Path, file_name: str | None = None) -> ImportInput:
        """Describe a file (a folder, such as an unzipped Shapefile, hashes as empty)."""
        path = Path(path)
        if path.is_file():
            return cls(file_name or path.name, sha256_file(path), path.stat().st_size)
        return cls(file_name or path.name, sha256_bytes(b""), 0)


@dataclass(frozen=True)
class ImportReport:
    """What one import did: counts of the imported layer, changes per layer, the outcome.

    ``outcome`` is ``applied`` (written), ``unchanged`` (valid, but the store already held
    exactly this: nothing written), ``dry_run`` (validated only), ``refused`` (bad input:
    ``refused`` counts the features at fault, ``error`` says why) or ``failed`` (an error of
    the service itself). ``store_version`` is the store's SHA-256 afterwards.
    """

    id: str
    time: str
    kind: ImportKind
    mode: str
    dry_run: bool
    via: Via
    key: str | None
    user: str | None
    file_name: str
    sha256: str
    bytes: int
    outcome: Outcome
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    refused: int = 0
    changes: dict[str, LayerChanges] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    error: dict[str, str] | None = None
    statistics: tuple[ImportInput, ...] = ()
    previous_version: str | None = None
    store_version: str | None = None
    duration_s: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (what the log holds and the API answers)."""
        data = asdict(self)
        data["warnings"] = list(self.warnings)
        data["statistics"] = [asdict(s) for s in self.statistics]
        return data

    def summary(self) -> str:
        """One line for a terminal: outcome and counts (per layer for a whole store)."""
        counts = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged"
        )
        if self.kind in WHOLE_STORE_KINDS and self.changes:
            counts = "; ".join(
                f"{layer} {c.added} added, {c.updated} updated, {c.removed} removed, "
                f"{c.unchanged} unchanged"
                for layer, c in self.changes.items()
            )
        text = {
            "applied": f"Imported {self.kind} ({self.mode}): {counts}.",
            "unchanged": f"Nothing to change: the store already holds these {self.kind} "
            f"({counts}); not written.",
            "dry_run": f"Dry run of {self.kind} ({self.mode}): would give {counts}; "
            "nothing written.",
            "refused": f"Refused: {self.refused} feature(s) at fault; nothing written.",
            "failed": "Failed; nothing written.",
        }[self.outcome]
        return f"{text} [import {self.id}]"


def log_file(store_path: Path) -> Path:
    """The import log beside a store: ``<store>-imports.jsonl``."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.stem}-imports.jsonl")


class ImportLog:
    """Every import, one JSON object per line, oldest first, in ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def beside(cls, store_path: Path) -> ImportLog:
        """The log of the store at ``store_path`` (:func:`log_file`)."""
        return cls(log_file(store_path))

    def append(self, report: ImportReport) -> None:
        """Add one report: a single ``write`` of one line to a file opened for appending,
        flushed to disk (readers never see half a line they can not skip)."""
        line = json.dumps(report.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        """The latest ``limit`` imports, newest first; unreadable lines are skipped."""
        if not self.path.exists():
            return []
        found: list[dict[str, Any]] = []
        with self.path.open(encoding="utf-8", errors="replace") as handle:
            lines = handle.readlines()
        for line in reversed(lines):
            with contextlib.suppress(json.JSONDecodeError):
                entry = json.loads(line)
                if isinstance(entry, dict):
                    found.append(entry)
            if len(found) >= limit:
                break
        return found


def new_report(
    kind: ImportKind,
    source: ImportInput,
    *,
    mode: str,
    dry_run: bool,
    caller: Caller,
    statistics: tuple[ImportInput, ...] = (),
) -> ImportReport:
    """The report of an import that is starting (outcome ``failed`` until it ends)."""
    now = datetime.now(UTC)
    return ImportReport(
        id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        time=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        kind=kind,
        mode=mode,
        dry_run=dry_run,
        via=caller.via,
        key=caller.key,
        user=caller.user,
        file_name=source.file_name,
        sha256=source.sha256,
        bytes=source.size,
        outcome="failed",
        statistics=statistics,
    )
