"""Import transactions: one writer at a time, what an import changed, and a log of every import.

An import is read and checked first, *outside* the lock (:func:`geo.pipeline.run_import`:
parsing an upload never holds up another import or a reload). Then :func:`run_transaction`:

1. takes the store's lock (:func:`geo.store.lock.store_lock`), so an HTTP import and a CLI
   import never interleave;
2. *plans* the import: reads the store once, combines it with what was read, and compares the
   two per layer by stable id (:func:`geo.store.diff.diff_datasets`) — a :class:`Planned`;
3. unless it is a dry run or nothing changed, ``prepare`` s what will be served (the analysis),
   writes atomically and ``commit`` s (the service swaps its state);
4. appends the report, refused or not, to the import log (:class:`~geo.store.log.ImportLog`,
   JSON lines beside the store) and releases the lock.

A refused import (any error before the write) leaves the store file byte-for-byte as it was;
an import that changes nothing does not write it either, so the same import twice gives the
same store. The log is appended right after the store is renamed into place, under the same
lock: only a crash between those two steps can leave an applied import unlogged.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar

from geo.errors import DataQualityWarning, InputError, WszError
from geo.store.base import ImportLogLike, Store, as_store
from geo.store.diff import LayerChanges
from geo.store.lock import DEFAULT_LOCK_TIMEOUT_S
from geo.store.log import WHOLE_STORE_KINDS, ImportReport, Outcome

T = TypeVar("T")
#: The counts of a :class:`~geo.store.diff.LayerChanges`, in order.
COUNTS = ("added", "updated", "removed", "unchanged")
P = TypeVar("P")


@dataclass(frozen=True)
class Planned(Generic[T]):
    """What an import would do: the new ``value`` (a dataset, an address table), its changes
    per layer, whether anything changed, and how to write it (atomically)."""

    value: T
    changes: dict[str, LayerChanges]
    changed: bool
    write: Callable[[], None]


@dataclass(frozen=True)
class Hooks(Generic[T, P]):
    """What the service does around a write: ``prepare`` what it will serve from the new
    value before anything is written (its errors refuse the import), then ``commit`` it with
    the report, after the write and the log, still under the lock."""

    prepare: Callable[[T], P]
    commit: Callable[[P, ImportReport], None]


def run_transaction(
    store_path: Path | Store,
    base: ImportReport,
    plan: Callable[[], Planned[T]],
    *,
    hooks: Hooks[T, P] | None = None,
    log: ImportLogLike | None = None,
    timeout: float | None = DEFAULT_LOCK_TIMEOUT_S,
) -> tuple[ImportReport, T]:
    """Run one planned import as a transaction (see the module docstring) and log it.

    ``base`` is the report of what came in (:func:`geo.store.log.new_report`). Errors are
    logged (outcome ``refused`` for :class:`~geo.errors.WszError`, else ``failed``) and raised
    again; the store is then unchanged. Returns the report and the planned value.
    ``store_path`` is the store (:class:`~geo.store.base.Store`), or a GeoPackage's path.
    """
    store = as_store(store_path)
    log = log or store.log
    started = time.perf_counter()
    with store.lock(timeout=timeout):
        previous = store.version()
        try:
            with captured_warnings() as caught:
                planned = plan()
                outcome: Outcome = (
                    "dry_run" if base.dry_run else "applied" if planned.changed else "unchanged"
                )
                finish = _prepared(hooks, planned.value) if outcome == "applied" else None
            if outcome == "applied":
                planned.write()
            report = _report(base, planned, outcome, caught, previous, store, started)
        except Exception as exc:
            log.append(refusal(base, exc, previous, duration_s=time.perf_counter() - started))
            raise
        log.append(report)
        if finish is not None:
            finish(report)
    return report, planned.value


def _prepared(hooks: Hooks[T, P] | None, value: T) -> Callable[[ImportReport], None] | None:
    """Prepare what will be served from ``value`` now; commit it when the report is done."""
    if hooks is None:
        return None
    prepared = hooks.prepare(value)
    return lambda report: hooks.commit(prepared, report)


def _report(
    base: ImportReport,
    planned: Planned[T],
    outcome: Outcome,
    caught: list[str],
    previous: str | None,
    store: Store,
    started: float,
) -> ImportReport:
    if base.kind in WHOLE_STORE_KINDS:
        layer = LayerChanges(
            *(sum(getattr(c, f) for c in planned.changes.values()) for f in COUNTS)
        )
    else:
        layer = planned.changes.get(base.kind, LayerChanges())
    return replace(
        base,
        outcome=outcome,
        added=layer.added,
        updated=layer.updated,
        removed=layer.removed,
        unchanged=layer.unchanged,
        changes=planned.changes,
        warnings=(*base.warnings, *caught),
        previous_version=previous,
        store_version=store.version() if outcome == "applied" else previous,
        duration_s=round(time.perf_counter() - started, 3),
    )


def record_refusal(
    log: ImportLogLike,
    base: ImportReport,
    error: Exception,
    *,
    store_path: Path | Store | None = None,
) -> ImportReport:
    """Log an import refused before its transaction ran (a body too large, of the wrong type,
    malformed options or content); the store was not touched."""
    version = as_store(store_path).version() if store_path is not None else None
    report = refusal(base, error, version, 0.0)
    log.append(report)
    return report


def refusal(
    base: ImportReport, exc: Exception, version: str | None, duration_s: float
) -> ImportReport:
    """``base`` as refused (a :class:`~geo.errors.WszError`) or failed (anything else)."""
    return replace(
        base,
        outcome="refused" if isinstance(exc, WszError) else "failed",
        refused=exc.total if isinstance(exc, InputError) else 0,
        error={
            "title": exc.title if isinstance(exc, WszError) else type(exc).__name__,
            "detail": str(exc)[:2000],
        },
        previous_version=version,
        store_version=version,
        duration_s=round(duration_s, 3),
    )


@contextlib.contextmanager
def captured_warnings() -> Iterator[list[str]]:
    """Collect :class:`DataQualityWarning` messages (for the report); other warnings pass."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DataQualityWarning)
        yield messages
    for item in caught:
        if issubclass(item.category, DataQualityWarning):
            messages.append(str(item.message))
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
