"""What the API serves, and how it stays live: one published state, swapped whole.

The service reads the store once at start-up into a :class:`Published` (the analysis and its
WGS84 frames) wrapped in a :class:`StoreState` (with the store's version). :class:`LiveState`
holds the current one:

* readers take ``live.current`` once per request (a dependency) and use that object
  throughout, so a request sees the old state or the new one, never a mix;
* an HTTP import builds the new state completely (analysis included) before the store is
  written, and swaps it in under the store's lock (:func:`geo.pipeline.run_import`);
* a CLI import (another process) is noticed by a watcher thread that compares the store's
  file signature (size, mtime, inode; also the active street network and the address table)
  every ``reload_interval_s`` and reloads in the background, swapping when complete.

Whatever is built from a state on first use (map and embed pages, the OGC catalog, the address
index) lives in its :class:`StateCache` (``Published.cache``), built once under a lock however
many request threads ask at once; a new state starts with an empty cache.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from geo.analysis import Analysis
from geo.common.files import remove_stale_temporaries
from geo.common.once import OnceCache
from geo.crs import to_edge_crs
from geo.errors import DataQualityWarning, StoreBusyError
from geo.pipeline import (
    ImportResult,
    analyse,
    load_network,
    read_store,
    run_import,
    whatif_demand,
)
from geo.settings import Settings
from geo.store.addresses import address_file
from geo.store.base import open_store
from geo.store.dataset import Dataset
from geo.store.log import Caller, ImportReport
from geo.store.request import ImportRequest
from geo.store.transaction import Hooks

#: Zone columns that hold comma-separated codes in the store and lists in the API.
LIST_COLUMNS = ("wijk_codes", "buurt_codes")

logger = logging.getLogger("woonservicezones.state")

#: The store's version stamp, then (path, size, mtime in ns, inode) of each watched file
#: (None for a missing file).
Signature = tuple[Hashable, ...]


class StateCache(OnceCache):
    """What is built from one state on first use (rendered pages, the OGC catalog, the
    address index), shared by the request threads: each key is built once, by one thread,
    while the others asking for it wait; a new state starts with an empty cache."""


@dataclass(frozen=True)
class Published:
    """An analysis with its frames in WGS84 (lon/lat, 6 decimals), ready to serialise."""

    analysis: Analysis
    zones: gpd.GeoDataFrame
    buurten: gpd.GeoDataFrame
    voorzieningen: gpd.GeoDataFrame
    #: What is built from this state on first use (pages, catalogs, indexes).
    cache: StateCache = field(default_factory=StateCache, compare=False, repr=False)
    _gaps: OnceCache = field(default_factory=OnceCache, init=False, compare=False, repr=False)

    @property
    def gaps(self) -> gpd.GeoDataFrame | None:
        """Gap polygons per category and zone (see :mod:`geo.coverage.gaps`), by the
        coverage's measure: the analysis' (built on first use), converted once."""

        def convert() -> gpd.GeoDataFrame | None:
            gaps = self.analysis.gaps
            return None if gaps is None else to_edge_crs(gaps)

        return self._gaps.get("gaps", convert)

    def voorzieningen_lonlat(self) -> NDArray[np.float64]:
        """The voorzieningen' WGS84 lon/lat, one row per voorziening (built once per state)."""
        return self.cache.get(
            "voorzieningen.lonlat",
            lambda: shapely.get_coordinates(self.voorzieningen.geometry.values),
        )


def publish(analysis: Analysis) -> Published:
    """Convert the analysis' frames to the edge CRS once."""
    dataset = analysis.dataset
    zones = to_edge_crs(dataset.zones)
    for column in LIST_COLUMNS:
        # Python lists in an object column (a pyarrow-backed string column would map to an
        # arrow list column, which JSON encoding cannot take).
        zones[column] = zones[column].astype(object).map(_split_codes).astype(object)
    return Published(
        analysis=analysis,
        zones=zones,
        buurten=to_edge_crs(dataset.buurten),
        voorzieningen=to_edge_crs(dataset.voorzieningen),
    )


def _split_codes(value: object) -> list[str]:
    return [c for c in str(value).split(",") if c] if isinstance(value, str) else []


def published_for(dataset: Dataset, settings: Settings) -> Published | None:
    """Analyse ``dataset`` as the service serves it (:func:`geo.pipeline.analyse`, by walking
    over the active street network where one covers the buurten) and publish it; None for a
    store without buurten."""
    if dataset.is_empty:
        return None
    analysis = analyse(dataset, settings, network=load_network(settings))
    whatif_demand(analysis)  # the planners' first click finds the demand's tree and snap built
    return publish(analysis)


def load_published(settings: Settings) -> Published | None:
    """Read the store (and the walking network, if one was built) and analyse it; None while
    the store holds no buurten."""
    return published_for(read_store(settings), settings)


def records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as JSON-ready dicts, NaN and NA as None."""
    rows: list[dict[str, object]] = (
        frame.astype(object).where(frame.notna(), None).to_dict("records")
    )
    return rows


# --------------------------------------------------------------------------- live state


@dataclass(frozen=True)
class StoreState:
    """One state as served: the analysis and the store version it was computed from.

    ``version`` is the SHA-256 of the store file (None: no store yet); ``changed`` the store
    file's modification time (UTC); ``generation`` counts the states served since start-up.
    """

    published: Published | None
    version: str | None
    changed: datetime | None
    generation: int
    signature: Signature = field(default=(), repr=False)


class LiveState:
    """The current :class:`StoreState` of one service, swapped whole on every change.

    Writers (HTTP imports, reloads) hold the store's lock
    (:func:`geo.store.transaction.store_lock`); readers never wait: they take :attr:`current` once.
    """

    def __init__(self, settings: Settings, published: Published | None = None) -> None:
        self.settings = settings
        #: The GeoPackage, or PostGIS with ``WSZ_STORE_URL`` (:func:`geo.store.base.open_store`).
        self.store = open_store(settings)
        self.log = self.store.log
        #: The last reload's error, if it failed (the previous state is still served).
        self.reload_error: str | None = None
        self._failed: Signature | None = None
        self._listeners: list[Callable[[StoreState], None]] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        #: One reload at a time: requests that find the store changed wait for it together.
        self._reloading = threading.Lock()
        self._state = StoreState(
            published,
            self.store.version(),
            self._changed(),
            generation=0 if published is None else 1,
            signature=self.signature(),
        )

    @property
    def current(self) -> StoreState:
        """The state to serve (read it once per request)."""
        return self._state

    def on_swap(self, listener: Callable[[StoreState], None]) -> None:
        """Call ``listener`` with each new state right after it is swapped in."""
        self._listeners.append(listener)

    def _swap(self, state: StoreState) -> None:
        self._state = state  # one reference assignment: readers see old or new
        for listener in self._listeners:
            listener(state)

    # ------------------------------------------------------------------ reloading

    def signature(self) -> Signature:
        """The store's version stamp (:meth:`geo.store.base.Store.stamp`: size, mtime and inode
        of a GeoPackage; the version row of PostGIS), and size, mtime and inode of the
        active network and the address table."""
        watched = (self.settings.network_cache / "active.json", address_file(self.store.path))
        return (self.store.stamp(), *(_stat(path) for path in watched))

    def _changed(self) -> datetime | None:
        return self.store.changed()

    def remove_stale_temporaries(self) -> list[Path]:
        """Remove what an import killed mid-write left beside the store (its temporary store
        and address files), when no import is running now (else nothing is touched)."""
        try:
            with self.store.lock(timeout=0):
                removed = remove_stale_temporaries(self.store.path)
                removed += remove_stale_temporaries(address_file(self.store.path))
        except StoreBusyError:
            return []
        for path in removed:
            logger.warning("removed %s, left by an import that did not finish", path.name)
        return removed

    def load(self, *, if_changed: bool = False) -> StoreState:
        """Read the store and analyse it (under the shared lock, so no import interleaves),
        then swap the new state in; ``if_changed``: only if the store changed since the
        served state was read (an import of this process may have swapped it in meanwhile)."""
        with self.store.lock(shared=True):
            signature = self.signature()
            if if_changed and signature == self._state.signature:
                return self._state
            dataset = self.store.read()
            version = self.store.version()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                published = published_for(dataset, self.settings)
            state = StoreState(
                published,
                version,
                self._changed(),
                self._state.generation + 1,
                signature,
            )
            self._swap(state)
        self.reload_error = None
        self._failed = None
        return state

    def check(self) -> bool:
        """Reload when the watched files changed since the state was read; True if it did.

        A failed reload keeps the previous state and records :attr:`reload_error`; it is tried
        again when the files change again.
        """
        if not self.is_stale():
            return False
        with self._reloading:
            return self._reload()

    def is_stale(self) -> bool:
        """Whether the store changed since the served state was read (and a reload of this
        change has not failed already): a few ``stat`` calls, cheap enough for every request
        (how every worker of ``wsz serve --workers N`` sees an import of another at once)."""
        return self.signature() not in (self._state.signature, self._failed)

    def refresh(self) -> StoreState:
        """The state to serve after reloading the store if it changed (every request of a
        service with several workers; requests arriving during a reload wait for it)."""
        if self.is_stale():
            with self._reloading:
                self._reload()
        return self._state

    def _reload(self) -> bool:
        signature = self.signature()
        if signature in (self._state.signature, self._failed):
            return False
        try:
            previous = self._state
            state = self.load(if_changed=True)
            if state is previous:
                return False
        except Exception as exc:
            logger.exception("reloading the store failed; still serving the previous state")
            self.reload_error = f"{type(exc).__name__}: {exc}"
            self._failed = signature
            return False
        logger.info(
            "store changed: serving version %s (generation %d)",
            (state.version or "none")[:12],
            state.generation,
        )
        return True

    def start_watching(self, interval_s: float) -> None:
        """Check the store every ``interval_s`` seconds in a daemon thread (0: never)."""
        if interval_s <= 0 or self._watcher is not None:
            return
        self._stop.clear()

        def watch() -> None:
            while not self._stop.wait(interval_s):
                self.check()

        self._watcher = threading.Thread(target=watch, name="wsz-store-watcher", daemon=True)
        self._watcher.start()

    def stop_watching(self) -> None:
        """Stop the watcher thread (waits for a reload in progress)."""
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=30)
            self._watcher = None

    # ------------------------------------------------------------------ imports

    def run_import(self, request: ImportRequest, caller: Caller) -> ImportResult:
        """Run an import (:func:`geo.pipeline.run_import`); when it changed the store, the new
        state, analysed before the write, is served from the moment the call returns (and its
        analysis is the import's coverage snapshot: no second analysis)."""
        hooks: Hooks[Dataset, Published | None] = Hooks(
            prepare=lambda dataset: published_for(dataset, self.settings), commit=self._commit
        )
        return run_import(self.store, request, self.settings, caller, hooks=hooks)

    def _commit(self, published: Published | None, report: ImportReport) -> None:
        self.reload_error = None
        self._failed = None
        self._swap(
            StoreState(
                published,
                report.store_version,
                self._changed(),
                self._state.generation + 1,
                self.signature(),
            )
        )


def _stat(path: Path) -> tuple[str, int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
