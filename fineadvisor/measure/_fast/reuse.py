"""Reuse what was derived from a leading run of the very same objects as an earlier sequence.

`PrefixParser` hands out the same message objects for the repeated start of each log line; normalising and
counting those messages again for every line would only redo the same work. Objects are compared by
identity, and each remembered run holds references to its objects, so an id cannot be reused by another
object while its entry exists. The plain rule it stands for: derive every object afresh (same results; the
counting property tests compare the two).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import is_
from typing import Generic, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")

RUNS = 16
"""Runs remembered (keyed by their first object); all are forgotten when the table is full."""


class LeadingReuse(Generic[In, Out]):
    """Remembers, per first object, a run of objects and what was derived from each of them."""

    def __init__(self) -> None:
        self._runs: dict[int, tuple[list[In], list[Out]]] = {}

    def match(self, items: Sequence[In]) -> list[Out]:
        """What was derived for the longest remembered run that `items` starts with (same objects)."""
        if not items:
            return []
        key = id(items[0])
        run = self._runs.get(key)
        if run is None:
            return []
        seen, derived = run
        if all(map(is_, items, seen)):  # the usual case once runs are trimmed (below): one pass in C
            return derived[: min(len(seen), len(items))]
        n = 1
        while items[n] is seen[n]:
            n += 1
        # Later items differ from line to line: keep only the shared start, so the next match is one pass.
        self._runs[key] = (seen[:n], derived[:n])
        return derived[:n]

    def remember(self, items: Sequence[In], derived: Sequence[Out]) -> None:
        """Remember the leading `len(derived)` objects of `items` with what was derived from each."""
        if not derived:
            return
        if len(self._runs) >= RUNS:
            self._runs.clear()
        self._runs[id(items[0])] = (list(items[: len(derived)]), list(derived))
