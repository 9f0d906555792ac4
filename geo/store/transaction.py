"""Import transactions: one writer at a time, what an import changed, and a log of every import.

:func:`run_import` wraps one import of :mod:`geo.pipeline` (computed with ``dry_run=True``):

1. take the store's lock (:func:`geo.store.lock.store_lock`, so an HTTP import and a CLI import
   never interleave);
2. read the stored dataset and compute the new one (nothing written yet);
3. compare them per layer by stable id (:func:`geo.store.diff.diff_datasets`: buurten by
   ``bu_code``, zones by ``zone_code``, voorzieningen by ``id``) into an :class:`ImportReport`;
4. unless it is a dry run or nothing changed, ``prepare`` what will be served (the analysis),
   write the store atomically and ``commit`` (the service swaps its state);
5. append the report, refused or not, to the import log (:class:`~geo.store.log.ImportLog`,
   JSON lines beside the store) and release the lock.

A refused import (any error before the write) leaves the store file byte-for-byte as it was;
an import that changes nothing does not write it either, so the same import twice gives the
same store. The log is appended right after the store is renamed into place, under the same
lock: only a crash between those two steps can leave an applied import unlogged.
"""

from __future__ import annotations

import contextlib
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from geo.errors import DataQualityWarning, InputError, WszError
from geo.store.dataset import Dataset
from geo.store.diff import LayerChanges, diff_datasets
from geo.store.geopackage import GeoPackageStore
from geo.store.lock import DEFAULT_LOCK_TIMEOUT_S, store_lock
from geo.store.log import (
    ImportInput,
    ImportKind,
    ImportLog,
    ImportReport,
    Outcome,
    Via,
    store_version,
)

T = TypeVar("T")


def run_import(
    store: GeoPackageStore,
    kind: ImportKind,
    compute: Callable[[], Dataset],
    *,
    source: ImportInput,
    mode: str,
    dry_run: bool = False,
    via: Via = "cli",
    key: str | None = None,
    user: str | None = None,
    statistics: tuple[ImportInput, ...] = (),
    log: ImportLog | None = None,
    prepare: Callable[[Dataset], T] | None = None,
    commit: Callable[[T | None, ImportReport], None] | None = None,
    timeout: float | None = DEFAULT_LOCK_TIMEOUT_S,
) -> ImportReport:
    """Run one import as a transaction (see the module docstring) and log it.

    ``compute`` returns the dataset the import would store, writing nothing (a
    :mod:`geo.pipeline` import with ``dry_run=True``). ``prepare`` turns it into what will be
    served before anything is written (its errors refuse the import); ``commit`` receives that
    and the report after the store and the log are written, still under the lock. Errors are
    logged (outcome ``refused`` for :class:`~geo.errors.WszError`, else ``failed``) and raised
    again; the store is then unchanged.
    """
    log = log or ImportLog.beside(store.path)
    started = time.perf_counter()
    base = _new_report(kind, source, mode, dry_run, via, key, user, statistics)
    with store_lock(store.path, timeout=timeout):
        previous = store_version(store.path)
        try:
            with _captured_warnings() as caught:
                before = store.read()
                after = compute()
                changes = diff_datasets(before, after)
                changed = any(c.changed for c in changes.values()) or (
                    before.definition != after.definition
                )
                prepared = prepare(after) if prepare and changed and not dry_run else None
            outcome: Outcome = "dry_run" if dry_run else "applied" if changed else "unchanged"
            if outcome == "applied":
                store.write(after)
            layer = changes.get(kind, LayerChanges())
            report = replace(
                base,
                outcome=outcome,
                added=layer.added,
                updated=layer.updated,
                removed=layer.removed,
                unchanged=layer.unchanged,
                changes=changes,
                warnings=tuple(caught),
                previous_version=previous,
                store_version=store_version(store.path) if outcome == "applied" else previous,
                duration_s=round(time.perf_counter() - started, 3),
            )
        except Exception as exc:
            log.append(_refusal(base, exc, previous, duration_s=time.perf_counter() - started))
            raise
        log.append(report)
        if commit is not None and outcome == "applied":
            commit(prepared, report)
    return report


def record_refusal(
    log: ImportLog,
    kind: ImportKind,
    error: Exception,
    *,
    source: ImportInput,
    mode: str,
    dry_run: bool,
    via: Via,
    key: str | None = None,
    user: str | None = None,
    store_path: Path | None = None,
) -> ImportReport:
    """Log an import refused before it ran (a body too large, of the wrong type, malformed
    options); the store was not touched."""
    version = store_version(store_path) if store_path is not None else None
    report = _refusal(
        _new_report(kind, source, mode, dry_run, via, key, user, ()), error, version, 0.0
    )
    log.append(report)
    return report


def _new_report(
    kind: ImportKind,
    source: ImportInput,
    mode: str,
    dry_run: bool,
    via: Via,
    key: str | None,
    user: str | None,
    statistics: tuple[ImportInput, ...],
) -> ImportReport:
    now = datetime.now(UTC)
    return ImportReport(
        id=f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
        time=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        kind=kind,
        mode=mode,
        dry_run=dry_run,
        via=via,
        key=key,
        user=user,
        file_name=source.file_name,
        sha256=source.sha256,
        bytes=source.size,
        outcome="failed",
        statistics=statistics,
    )


def _refusal(
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
def _captured_warnings() -> Iterator[list[str]]:
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
