"""Build once, share everywhere: a thread-safe cache of values built from one immutable state.

Requests run on many threads; what is derived from one served state (an analysis, its
published frames) is built by one thread on first use while the others asking for the same
key wait, then shared. A new state starts with an empty cache, so nothing derived from an
old one is ever served with a new one.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class OnceCache:
    """Values built on first use, each key once (by one thread, the others waiting).

    ``builds`` counts how often each key was built (1 once built: the cache never rebuilds).
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, object] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()
        self.builds: Counter[Hashable] = Counter()

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value of ``key``, built by ``build`` if this cache has none yet."""
        with self._guard:
            if key in self._values:
                return cast(T, self._values[key])  # what build() returned for this key
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    return cast(T, self._values[key])
            value = build()
            with self._guard:
                self._values[key] = value
                self.builds[key] += 1
            return value
