"""A byte-bounded cache of plan-time arrays, shared between calls and threads.

The planners keep two of them: the weighted axis tables (``_axis_table``)
and nearest's offset tables (``_plan_nearest``). Pipelines resample the same
shapes over and over, and for small images building those tables costs more
than applying them.
"""

import collections

from ._fork import fork_safe_lock


class BoundedCache:
    """Least recently used first out, bounded by the bytes of what it holds; thread-safe.

    Values must not be None. A value larger than half the budget is not kept.
    """

    def __init__(self, limit):
        self.limit = limit
        self._items = collections.OrderedDict()
        self._bytes = 0
        self._lock = fork_safe_lock()

    def get(self, key):
        """The value remembered under ``key`` (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key, value, nbytes):
        """Remember ``value`` (``nbytes`` large), evicting the least recently used."""
        if nbytes > self.limit // 2:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.limit:
                _, (_, evicted) = self._items.popitem(last=False)
                self._bytes -= evicted

    def clear(self):
        """Forget every value."""
        with self._lock:
            self._items.clear()
            self._bytes = 0
