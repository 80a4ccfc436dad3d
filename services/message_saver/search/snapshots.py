"""Searchers of recent commits, so that the pages of one search read the index as it was at the first
page (no ticket repeated or skipped while new documents shift the scores)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

import tantivy

TTL_S = 300.0
KEPT = 16


class Snapshots:
    def __init__(self, index: tantivy.Index) -> None:
        self._index = index
        self._lock = threading.Lock()
        self._generation = 0
        self._kept: OrderedDict[int, tuple[tantivy.Searcher, float]] = OrderedDict()

    def advance(self) -> None:
        """After a commit (and reload): the next searcher asked for sees it."""
        with self._lock:
            self._generation += 1

    def current(self) -> tantivy.Searcher:
        return self.get(None)[1]

    def get(self, generation: int | None) -> tuple[int, tantivy.Searcher]:
        """The searcher of `generation` while it is kept, else the current one (kept from now on)."""
        now = time.monotonic()
        with self._lock:
            for old, (_, created) in list(self._kept.items()):
                if now - created > TTL_S and old != self._generation:
                    del self._kept[old]
            if generation is not None and generation in self._kept:
                return generation, self._kept[generation][0]
            current = self._generation
            if current not in self._kept:
                self._kept[current] = (self._index.searcher(), now)
                while len(self._kept) > KEPT:
                    self._kept.popitem(last=False)
            return current, self._kept[current][0]
