"""Import transactions: one writer at a time, what an import changed, and a log of every import.

:func:`run_import` wraps one import of :mod:`geo.pipeline` (computed with ``dry_run=True``):

1. take the store's lock (:func:`store_lock`: a process-wide thread lock and ``fcntl.flock`` on
   ``<store>.lock`` beside it, so an HTTP import and a CLI import never interleave);
2. read the stored dataset and compute the new one (nothing written yet);
3. compare them per layer by stable id (:func:`diff_datasets`: buurten by ``bu_code``, zones by
   ``zone_code``, voorzieningen by ``id``) into an :class:`ImportReport`;
4. unless it is a dry run or nothing changed, ``prepare`` what will be served (the analysis),
   write the store atomically and ``commit`` (the service swaps its state);
5. append the report, refused or not, to the import log (:class:`ImportLog`, JSON lines beside
   the store) and release the lock.

A refused import (any error before the write) leaves the store file byte-for-byte as it was;
an import that changes nothing does not write it either, so the same import twice gives the
same store. The log is appended right after the store is renamed into place, under the same
lock: only a crash between those two steps can leave an applied import unlogged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import DataQualityWarning, InputError, StoreBusyError, WszError, ZoneDefinitionError
from geo.store.dataset import Dataset
from geo.store.geopackage import GeoPackageStore
from geo.zones import ZoneDefinition

try:  # POSIX; elsewhere only the process-wide lock applies.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

ImportKind = Literal["buurten", "zones", "voorzieningen", "sample"]
Outcome = Literal["applied", "unchanged", "dry_run", "refused", "failed"]
Via = Literal["http", "cli"]

#: The stable id of each layer: what upserts match on and changes are counted by.
LAYER_KEYS = {"buurten": "bu_code", "zones": "zone_code", "voorzieningen": "id"}
#: Columns compared per layer (besides geometry where :data:`COMPARE_GEOMETRY` says so); None:
#: every column but the key and the derived ones below. A zone is its name and members; its
#: totals and shape follow from the buurten.
COMPARED: dict[str, tuple[str, ...] | None] = {
    "buurten": None,
    "zones": ("zone_name", "wijk_codes", "buurt_codes"),
    "voorzieningen": None,
}
#: Columns that follow from others (a buurt's zone, a voorziening's buurt and zone) or say where
#: a row came from (a voorziening's ``source`` file name): not compared.
DERIVED: dict[str, tuple[str, ...]] = {
    "buurten": ("zone_code",),
    "zones": (),
    "voorzieningen": ("bu_code", "zone_code", "source"),
}
COMPARE_GEOMETRY = {"buurten": True, "zones": False, "voorzieningen": True}
#: A geometry that moved less than this (metres, RD New) is unchanged: exports round lon/lat to
#: 6 decimals (≤ 0.06 m per coordinate here) and RD New to 3 (1 mm), so a layer exported and
#: pushed back counts as unchanged, while a point a GIS user moves on purpose counts.
GEOMETRY_TOLERANCE_M = 0.25
#: Pairs of geometries with more vertices than this (product of both) that are not equal
#: vertex by vertex are counted as changed without measuring their Hausdorff distance.
_HAUSDORFF_MAX_WORK = 4_000_000
#: How long an import waits for another one to finish by default (seconds).
DEFAULT_LOCK_TIMEOUT_S = 120.0

T = TypeVar("T")


# --------------------------------------------------------------------------- lock


@dataclass
class _PathLock:
    lock: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    fd: int | None = None
    shared: bool = False


_locks: dict[Path, _PathLock] = {}
_locks_guard = threading.Lock()


def lock_file(store_path: Path) -> Path:
    """The lock file beside a store: ``<store>.lock``."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.lock")


@contextlib.contextmanager
def store_lock(
    store_path: Path, *, shared: bool = False, timeout: float | None = None
) -> Iterator[None]:
    """Hold the store's lock: exclusive for writers, ``shared`` for readers.

    Within a process one thread at a time holds it (readers too); across processes
    ``fcntl.flock`` on :func:`lock_file` lets one writer or any number of readers in. The
    holding thread may enter again (a shared hold stays shared). Waits at most ``timeout``
    seconds (None: for ever), then raises :class:`~geo.errors.StoreBusyError`.
    """
    path = Path(store_path).resolve()
    with _locks_guard:
        entry = _locks.setdefault(path, _PathLock())
    deadline = None if timeout is None else time.monotonic() + timeout
    if not entry.lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
        raise _busy(path, timeout)
    try:
        if entry.depth == 0:
            entry.fd = _flock(lock_file(path), shared=shared, deadline=deadline, timeout=timeout)
            entry.shared = shared
        elif entry.shared and not shared:
            raise RuntimeError(f"{path}: cannot take the exclusive lock while holding it shared")
        entry.depth += 1
        try:
            yield
        finally:
            entry.depth -= 1
            if entry.depth == 0 and entry.fd is not None:
                os.close(entry.fd)  # closing releases the flock
                entry.fd = None
    finally:
        entry.lock.release()


def _flock(path: Path, *, shared: bool, deadline: float | None, timeout: float | None) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if fcntl is None:  # pragma: no cover - Windows
        return fd
    operation = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    while True:
        try:
            fcntl.flock(fd, operation)
            return fd
        except BlockingIOError:
            if deadline is not None and time.monotonic() >= deadline:
                os.close(fd)
                raise _busy(path, timeout) from None
            time.sleep(0.02)


def _busy(path: Path, timeout: float | None) -> StoreBusyError:
    return StoreBusyError(
        f"{path}: another import is still running after {timeout or 0:.0f} s; try again when "
        "it has finished (GET /imports lists the imports)"
    )


# --------------------------------------------------------------------------- versions


def store_version(store_path: Path) -> str | None:
    """The store's version: SHA-256 of the file's bytes (None while there is no store)."""
    path = Path(store_path)
    if not path.exists():
        return None
    return file_sha256(path)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class ImportInput:
    """A file or body that came in: its name, SHA-256 and size in bytes."""

    file_name: str
    sha256: str
    size: int

    @classmethod
    def of_bytes(cls, file_name: str, data: bytes) -> ImportInput:
        """Describe a body held in memory."""
        return cls(file_name, hashlib.sha256(data).hexdigest(), len(data))

    @classmethod
    def of_file(cls, path: Path, file_name: str | None = None) -> ImportInput:
        """Describe a file (a folder, such as an unzipped Shapefile, hashes as empty)."""
        path = Path(path)
        if path.is_file():
            return cls(file_name or path.name, file_sha256(path), path.stat().st_size)
        return cls(file_name or path.name, hashlib.sha256(b"").hexdigest(), 0)


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class LayerChanges:
    """Features of one layer added, updated, removed and unchanged (by stable id)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """True when any feature was added, updated or removed."""
        return bool(self.added or self.updated or self.removed)


def diff_layer(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    key: str,
    columns: tuple[str, ...] | None,
    *,
    derived: tuple[str, ...] = (),
    geometry: bool = True,
    tolerance_m: float = GEOMETRY_TOLERANCE_M,
) -> LayerChanges:
    """Compare two frames of one layer by ``key``.

    ``columns`` are compared (None: every column either frame has but ``key``, ``geometry``
    and ``derived``); numbers with a relative tolerance of 1e-9, missing equal to missing.
    Geometries (RD New) are equal when every vertex lies within ``tolerance_m`` metres of its
    counterpart, or their Hausdorff distance is at most that.
    """
    old = _keyed(before, key)
    new = _keyed(after, key)
    common = new.index.intersection(old.index)
    if columns is None:
        skip = {key, "geometry", *derived}
        names = [c for c in dict.fromkeys([*old.columns, *new.columns]) if c not in skip]
    else:
        names = list(columns)
    same = np.ones(len(common), dtype=bool)
    for name in names:
        same &= _same_values(_column(old, name, common), _column(new, name, common))
    if geometry and len(common):
        same &= _same_geometry(
            np.asarray(old.geometry.loc[common].to_numpy(), dtype=object),
            np.asarray(new.geometry.loc[common].to_numpy(), dtype=object),
            tolerance_m,
        )
    unchanged = int(same.sum())
    return LayerChanges(
        added=len(new.index.difference(old.index)),
        updated=len(common) - unchanged,
        removed=len(old.index.difference(new.index)),
        unchanged=unchanged,
    )


def _keyed(frame: gpd.GeoDataFrame, key: str) -> gpd.GeoDataFrame:
    if key not in frame:
        return frame.iloc[0:0].set_index(pd.Index([], name=key))
    keyed = frame.assign(**{key: frame[key].astype("string")})
    return keyed.drop_duplicates(key).set_index(key)


def _column(frame: pd.DataFrame, name: str, index: pd.Index) -> pd.Series:
    if name in frame:
        return frame.loc[index, name]
    return pd.Series(pd.NA, index=index, dtype=object)


def _same_values(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Element-wise equality; both missing is equal; numbers within a relative 1e-9."""
    old_missing = old.isna().to_numpy()
    new_missing = new.isna().to_numpy()
    both = old_missing & new_missing
    one = old_missing ^ new_missing
    old_numbers = pd.to_numeric(old, errors="coerce")
    new_numbers = pd.to_numeric(new, errors="coerce")
    numeric = (old_numbers.notna() & new_numbers.notna()).to_numpy()
    close = np.isclose(
        old_numbers.to_numpy(dtype=float, na_value=np.nan),
        new_numbers.to_numpy(dtype=float, na_value=np.nan),
        rtol=1e-9,
        atol=1e-9,
    )
    texts = (old.astype("string").fillna("") == new.astype("string").fillna("")).to_numpy(
        dtype=bool, na_value=False
    )
    same: np.ndarray = np.where(numeric, close, texts)
    return (same | both) & ~one


def _same_geometry(old: np.ndarray, new: np.ndarray, tolerance_m: float) -> np.ndarray:
    """True where two geometries are the same within ``tolerance_m`` (vectorised)."""
    old_empty = shapely.is_missing(old) | shapely.is_empty(old)
    new_empty = shapely.is_missing(new) | shapely.is_empty(new)
    same = np.zeros(len(old), dtype=bool)
    both = ~old_empty & ~new_empty
    same[old_empty & new_empty] = True
    if both.any():
        a = shapely.normalize(old[both])
        b = shapely.normalize(new[both])
        exact = shapely.equals_exact(a, b, tolerance=tolerance_m)
        work = shapely.get_num_coordinates(a) * shapely.get_num_coordinates(b)
        measure = ~exact & (work <= _HAUSDORFF_MAX_WORK)
        if measure.any():
            near = shapely.hausdorff_distance(a[measure], b[measure]) <= tolerance_m
            exact[measure] = near
        same[both] = exact
    return same


def diff_datasets(before: Dataset, after: Dataset) -> dict[str, LayerChanges]:
    """:class:`LayerChanges` of ``buurten``, ``zones`` and ``voorzieningen``."""
    return {
        layer: diff_layer(
            getattr(before, layer),
            getattr(after, layer),
            LAYER_KEYS[layer],
            COMPARED[layer],
            derived=DERIVED[layer],
            geometry=COMPARE_GEOMETRY[layer],
        )
        for layer in ("buurten", "zones", "voorzieningen")
    }


# --------------------------------------------------------------------------- upserts


def upsert_rows(stored: pd.DataFrame, new: pd.DataFrame, key: str) -> pd.DataFrame:
    """``stored`` with each row whose ``key`` is in ``new`` replaced by that row, in place;
    rows of ``new`` with a key not stored yet follow, in their order. Columns are the union
    (missing where a side lacks one); the result has a fresh 0..n-1 index."""
    if stored.empty:
        return new.reset_index(drop=True)
    stored_keys = stored[key].astype("string")
    new_keys = new[key].astype("string")
    order = pd.concat([stored_keys, new_keys[~new_keys.isin(stored_keys)]], ignore_index=True)
    position = pd.Series(np.arange(len(order)), index=order.to_numpy())
    kept = stored.loc[~stored_keys.isin(new_keys).to_numpy()]
    combined = pd.concat([kept, new], ignore_index=True)
    # Text read from the store and text just read concatenate to objects mixing NaN and NA,
    # which a GeoPackage writer may store as the text "<NA>": keep one string dtype.
    for column in combined.columns:
        sides = [frame[column] for frame in (stored, new) if column in frame]
        if column != "geometry" and any(isinstance(s.dtype, pd.StringDtype) for s in sides):
            combined[column] = combined[column].astype("string")
    rank = position.loc[combined[key].astype("string").to_numpy()].to_numpy()
    return combined.iloc[np.argsort(rank, kind="stable")].reset_index(drop=True)


def upsert_zones(stored: ZoneDefinition | None, new: ZoneDefinition) -> ZoneDefinition:
    """The stored zone definition with ``new``'s zones replacing those with the same code and
    the others added after them. Refuses a definition of another gemeente."""
    if stored is None:
        return new
    if stored.gemeente and new.gemeente and stored.gemeente != new.gemeente:
        raise ZoneDefinitionError(
            f"the zones are of gemeente {new.gemeente} but the stored ones of "
            f"{stored.gemeente}; import them with mode 'replace'"
        )
    by_code = {zone.code: zone for zone in new.zones}
    zones = [by_code.pop(zone.code, zone) for zone in stored.zones]
    zones += [zone for zone in new.zones if zone.code in by_code]
    return ZoneDefinition(gemeente=new.gemeente or stored.gemeente, zones=tuple(zones))


# --------------------------------------------------------------------------- report and log


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
        """One line for a terminal: outcome and counts."""
        counts = (
            f"{self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged"
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


# --------------------------------------------------------------------------- transaction


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
