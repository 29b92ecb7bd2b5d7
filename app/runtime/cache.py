"""A small thread-safe LRU of computed results (projections, statistics, trained models)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class ResultCache:
    """A small thread-safe LRU of computed results, keyed on space fingerprints and parameters.

    Keys start with a fingerprint (a content hash), so a result is only found by someone who
    already holds the same data.
    """

    def __init__(self, max_entries: int = 64) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The cached value for ``key``, computing and keeping it the first time."""
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
