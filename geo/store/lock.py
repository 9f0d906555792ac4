"""The store's lock: one writer at a time across threads and processes, readers beside none.

A writer (an import over HTTP or on the command line) holds it exclusively; a reader that must
see one whole store (the service reloading it) holds it shared. Within a process a re-entrant
thread lock serialises holders; across processes `fasteners`' inter-process reader/writer lock
on ``<store>.lock`` lets one writer or any number of readers in.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import fasteners

from geo.errors import StoreBusyError

#: How long an import waits for another one to finish by default (seconds).
DEFAULT_LOCK_TIMEOUT_S = 120.0


@dataclass
class _Holder:
    """The lock of one store path within this process."""

    path: Path
    #: One inter-process lock object (one open lock file) per store path and process: POSIX
    #: record locks are released when *any* descriptor of the file closes, so never two.
    process_lock: fasteners.InterProcessReaderWriterLock
    thread_lock: threading.RLock = field(default_factory=threading.RLock)
    depth: int = 0
    shared: bool = False


_holders: dict[Path, _Holder] = {}
_holders_guard = threading.Lock()


def lock_file(store_path: Path) -> Path:
    """The lock file beside a store: ``<store>.lock``."""
    store_path = Path(store_path)
    return store_path.with_name(f"{store_path.name}.lock")


def _holder(store_path: Path) -> _Holder:
    path = Path(store_path).resolve()
    with _holders_guard:
        if path not in _holders:
            target = lock_file(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            _holders[path] = _Holder(path, fasteners.InterProcessReaderWriterLock(str(target)))
        return _holders[path]


@contextlib.contextmanager
def store_lock(
    store_path: Path, *, shared: bool = False, timeout: float | None = None
) -> Iterator[None]:
    """Hold the store's lock: exclusive for writers, ``shared`` for readers.

    The holding thread may enter again (a shared hold stays shared; it cannot become
    exclusive). Waits at most ``timeout`` seconds (None: for ever), then raises
    :class:`~geo.errors.StoreBusyError`.
    """
    holder = _holder(store_path)
    deadline = None if timeout is None else time.monotonic() + max(timeout, 0.0)
    if not holder.thread_lock.acquire(timeout=-1 if deadline is None else max(timeout or 0, 0)):
        raise _busy(holder.path, timeout)
    try:
        if holder.depth == 0:
            _acquire(holder, shared, deadline, timeout)
        elif holder.shared and not shared:
            raise RuntimeError(f"{holder.path}: cannot lock exclusively while holding it shared")
        holder.depth += 1
        try:
            yield
        finally:
            holder.depth -= 1
            if holder.depth == 0:
                _release(holder)
    finally:
        holder.thread_lock.release()


def _acquire(holder: _Holder, shared: bool, deadline: float | None, timeout: float | None) -> None:
    lock = holder.process_lock
    lock_file(holder.path).parent.mkdir(parents=True, exist_ok=True)
    left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
    acquire = lock.acquire_read_lock if shared else lock.acquire_write_lock
    if not acquire(blocking=True, delay=0.01, max_delay=0.05, timeout=left):
        # Close the lock file it opened (no lock is held by this process: the thread lock
        # keeps every other holder of this path out).
        (lock.release_read_lock if shared else lock.release_write_lock)()
        raise _busy(holder.path, timeout)
    holder.shared = shared


def _release(holder: _Holder) -> None:
    if holder.shared:
        holder.process_lock.release_read_lock()
    else:
        holder.process_lock.release_write_lock()


def _busy(path: Path, timeout: float | None) -> StoreBusyError:
    return StoreBusyError(
        f"{path}: another import is still running after {timeout or 0:.0f} s; try again when "
        "it has finished (GET /imports lists the imports)"
    )
